import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { UsageError } from '../../../src/cli/args';
import { auditCommand, parseAuditArgs } from '../../../src/cli/commands/audit';
import { main } from '../../../src/cli/main';
import { createEngine } from '../../../src/engine/createEngine';
import type { Engine } from '../../../src/engine/engine';
import { HistoryStore } from '../../../src/engine/history/historyStore';
import { QUEUE_KEY_ENV } from '../../../src/engine/queue/jobs';
import { parseScanArgs, scanCommand } from '../../../src/cli/commands/scan';
import { createQueueSubmitter, type QueueSubmitter } from '../../../src/engine/queue/submit';
import type { AuditOptionsInput, AuditResult, ProgressParams } from '../../../src/protocol';
import { ROOT } from '../../helpers/engineProcess';
import { FIXTURE_TOKEN, type FixtureServer, fromBrowser, startFixtureServer } from '../../helpers/fixtureServer';
import { startTestWorker, type TestWorker } from '../../helpers/queueTestWorker';
import { type RedisServer, startRedis } from '../../helpers/redisServer';
import { recordingLogger, testSettings } from '../../helpers/sampleResult';

/** Lighthouse (mobile) only: what the queue carries is the same for every stage, and each audit costs less. */
const LH_ONLY = ['--form-factor', 'mobile', '--no-ai', '--no-capture', '--no-cro'];
const LH_OPTIONS: AuditOptionsInput = { formFactors: ['mobile'], stages: { ai: false, capture: false, cro: false } };

interface JsonEntry {
	url: string;
	status: string;
	result?: AuditResult;
	error?: { code: string; message: string };
}

describe('auditlens audit|scan --redis: the submitter (real redis-server, real BullMQ, real Chromium and Lighthouse on the worker)', function () {
	this.timeout(300_000);
	let redis: RedisServer;
	let server: FixtureServer;
	let workerDir: string;
	let workerEngine: Engine;
	let dir: string;
	let queue: string;
	let n = 0;
	const workers: TestWorker[] = [];
	const submitters: QueueSubmitter[] = [];

	before(async () => {
		redis = await startRedis();
		server = await startFixtureServer();
		workerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-qworker-'));
		workerEngine = await createEngine({
			db: path.join(workerDir, 'history.sqlite'),
			artifactsDir: path.join(workerDir, 'artifacts'),
			// Concurrent runs' page loads may overlap: a held page must not keep the other run waiting for the trace slot.
			settings: { maxConcurrentAudits: 2, traceSlot: false },
			log: recordingLogger(),
		});
	});
	after(async () => {
		await workerEngine?.close();
		await server?.close();
		await redis?.stop();
		fs.rmSync(workerDir, { recursive: true, force: true });
	});
	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-qsubmit-'));
		// A queue of its own for each test: nothing of another test's jobs is seen.
		queue = `qsubmit-${process.pid}-${++n}`;
	});
	afterEach(async () => {
		for (const s of submitters.splice(0)) await s.close();
		for (const w of workers.splice(0)) await w.close();
		delete process.env[QUEUE_KEY_ENV];
		fs.rmSync(dir, { recursive: true, force: true });
	});

	async function worker(opts: Partial<Parameters<typeof startTestWorker>[0]> = {}): Promise<TestWorker> {
		const w = await startTestWorker({ redis: redis.url, queue, engine: workerEngine, ...opts });
		workers.push(w);
		return w;
	}

	/** A page URL this test alone asks for (the worker engine's cache knows the others'). */
	function page(p: string): string {
		return server.url(`${p}${p.includes('?') ? '&' : '?'}t=${queue}`);
	}

	async function audit(args: string[]): Promise<{ code: number; entries: JsonEntry[] }> {
		const out = new PassThrough();
		let text = '';
		out.on('data', (c: Buffer) => (text += c.toString()));
		const code = await auditCommand(
			parseAuditArgs([
				...args,
				'--redis',
				redis.url,
				'--queue',
				queue,
				'--db',
				path.join(dir, 'history.sqlite'),
				'--json',
				'--root',
				dir,
			]),
			{ out },
		);
		return { code, entries: JSON.parse(text) as JsonEntry[] };
	}

	async function openHistory(db = path.join(dir, 'history.sqlite')): Promise<HistoryStore> {
		return HistoryStore.open({ path: db, settings: testSettings(), log: recordingLogger(), readOnly: true });
	}

	it('audits two URLs on a worker and saves each result once into the submitter history, with its Lighthouse report and screenshots', async () => {
		const w = await worker({ concurrency: 2 });
		const urls = [page('/scan-small/a.html'), page('/scan-small/b.html')];
		const { code, entries } = await audit([...urls, '--form-factor', 'mobile', '--no-ai']);

		assert.equal(code, 0, JSON.stringify(entries.map((e) => e.error ?? e.result?.stageErrors)));
		assert.deepEqual(
			entries.map((e) => [e.url, e.status]),
			urls.map((u) => [u, 'ok']),
		);
		assert.deepEqual(
			(await w.jobs()).map((j) => [j.state, j.attemptsStarted]),
			[
				['completed', 1],
				['completed', 1],
			],
			'one job per URL, each run once',
		);
		const store = await openHistory();
		try {
			for (const url of urls) {
				const audits = await store.listAudits(url);
				assert.equal(audits.length, 1, `${url} saved once`);
				const id = audits[0]!.id;
				assert.equal(id, entries.find((e) => e.url === url)?.result?.id);
				const lhr = (await store.getLhr(id, 'mobile')) as { categories?: { performance?: { score?: number } } };
				assert.equal(
					typeof lhr?.categories?.performance?.score,
					'number',
					'the Lighthouse report came back with the result',
				);
				const result = await store.get(id);
				const capture = result?.stages.capture;
				assert.equal(capture?.status, 'ok');
				const shot = capture?.status === 'ok' ? capture.data.shots.mobile?.viewport : undefined;
				assert.ok(
					shot && shot.path.startsWith(path.join(dir, 'artifacts')),
					`the screenshot is in the submitter's artifacts folder: ${shot?.path}`,
				);
				assert.equal(fs.statSync(shot.path).size, shot.bytes);
			}
		} finally {
			await store.close();
		}
	});

	it('shares one job between identical submissions from two submitters; each saves the result into its own history', async () => {
		const w = await worker();
		const gated = `/gated/shared-${queue}`;
		const gate = server.gate(gated, { hold: fromBrowser });
		const url = server.url(gated);
		const log = recordingLogger();
		const a = await createQueueSubmitter({ redis: redis.url, queue, db: path.join(dir, 'a.sqlite'), log });
		const b = await createQueueSubmitter({ redis: redis.url, queue, db: path.join(dir, 'b.sqlite'), log });
		submitters.push(a, b);
		const first = a.audit({ url, options: LH_OPTIONS });
		await gate.reached;
		let joined!: () => void;
		const bQueued = new Promise<void>((resolve) => (joined = resolve));
		const progressB: ProgressParams[] = [];
		const second = b.audit(
			{ url, options: LH_OPTIONS, auditId: 'b-1' },
			{ progress: (p) => (progressB.push(p), p.state === 'queued' && joined()) },
		);
		await bQueued;
		gate.open();
		const [ra, rb] = await Promise.all([first, second]);

		assert.deepEqual(
			(await w.jobs()).map((j) => j.attemptsStarted),
			[1],
			'one job, one audit for both',
		);
		assert.equal(ra.id, rb.id);
		assert.equal(ra.status, 'ok', JSON.stringify(ra.error ?? ra.stageErrors));
		assert.ok(
			progressB.some((p) => p.stage === 'lighthouse-mobile'),
			'the joined submitter hears the running job',
		);
		assert.ok(progressB.every((p) => p.auditId === 'b-1'));
		assert.equal(progressB.filter((p) => p.stage === 'audit' && p.state === 'done').length, 1, 'its end once');
		assert.match(await b.getReport({ id: rb.id, formFactor: 'mobile', format: 'html' }), /<html/i);
		assert.match(await a.getReport({ id: ra.id, formFactor: 'mobile', format: 'json' }), /"lighthouseVersion"/);
	});

	it('answers a job finished before as cached, and runs it again for --no-cache', async () => {
		await worker();
		const url = page('/scan-small/b.html');
		const log = recordingLogger();
		const [a, b, c] = await Promise.all(
			['a', 'b', 'c'].map((name) =>
				createQueueSubmitter({ redis: redis.url, queue, db: path.join(dir, `${name}.sqlite`), log }),
			),
		);
		submitters.push(a!, b!, c!);
		const first = await a!.audit({ url, options: LH_OPTIONS });
		const again = await b!.audit({ url, options: LH_OPTIONS });
		const fresh = await c!.audit({ url, options: { ...LH_OPTIONS, noCache: true } });

		assert.equal(first.fromCache, false);
		assert.deepEqual([again.id, again.fromCache], [first.id, true], 'the kept job answers at once');
		assert.notEqual(fresh.id, first.id, '--no-cache audited again');
		assert.equal(fresh.fromCache, false);
		assert.ok(Date.parse(fresh.requestedAt) >= Date.parse(first.requestedAt) + first.durationMs);
	});

	it('keeps an error with its URL: a page that answers 500 is a failed result, not retried; the other URL is fine', async () => {
		const w = await worker({ concurrency: 2 });
		const urls = [page('/500'), page('/scan-small/a.html')];
		const { code, entries } = await audit([...urls, ...LH_ONLY]);

		assert.equal(code, 1, 'as a local audit with a failed URL');
		const [broken, fine] = entries;
		assert.deepEqual([broken?.url, broken?.status, broken?.result?.error?.code], [urls[0], 'failed', 'HTTP_ERROR']);
		assert.deepEqual([fine?.url, fine?.status], [urls[1], 'ok']);
		assert.deepEqual(
			(await w.jobs()).map((j) => j.attemptsStarted),
			[1, 1],
		);
		const store = await openHistory();
		try {
			assert.equal(
				(await store.listAudits(urls[0]!)).length,
				1,
				'the failed audit is in the history as a local one would be',
			);
		} finally {
			await store.close();
		}
	});

	it('keeps a job that fails for good with its URL: a worker without the queue key cannot open its credentials', async () => {
		await worker();
		process.env[QUEUE_KEY_ENV] = 'the submitter knows it, the worker does not';
		const url = page('/protected');
		const { code, entries } = await audit([url, ...LH_ONLY, '--header', `X-Fixture-Token: ${FIXTURE_TOKEN}`]);

		assert.equal(code, 1);
		assert.deepEqual([entries[0]?.url, entries[0]?.status, entries[0]?.error?.code], [url, 'failed', 'INVALID_PARAMS']);
		assert.match(entries[0]?.error?.message ?? '', /AUDITLENS_QUEUE_KEY/);
		const store = await openHistory();
		try {
			assert.equal((await store.listAudits(url)).length, 0, 'no audit took place');
		} finally {
			await store.close();
		}
	});

	it('puts credentials on the queue only sealed: the raw job in Redis has no header value, the worker still signs in', async () => {
		const passphrase = 'a passphrase shared by submitter and workers';
		await worker({ queueKey: passphrase });
		process.env[QUEUE_KEY_ENV] = passphrase;
		const url = page('/protected');
		const { code, entries } = await audit([url, ...LH_ONLY, '--header', `X-Fixture-Token: ${FIXTURE_TOKEN}`]);

		assert.equal(code, 0, JSON.stringify(entries[0]?.error ?? entries[0]?.result?.error));
		assert.equal(
			server.seen.filter((r) => r.path.startsWith('/protected') && r.token === FIXTURE_TOKEN).length > 0,
			true,
			'the worker sent the header',
		);
		const client = new Redis(redis.url);
		try {
			const keys = await client.keys(`bull:${queue}:*`);
			assert.ok(keys.length > 0);
			let dump = '';
			for (const key of keys) {
				const type = await client.type(key);
				if (type === 'hash') dump += JSON.stringify(await client.hgetall(key));
				else if (type === 'stream') dump += JSON.stringify(await client.xrange(key, '-', '+'));
				else if (type === 'list') dump += JSON.stringify(await client.lrange(key, 0, -1));
				else if (type === 'zset') dump += JSON.stringify(await client.zrange(key, 0, -1));
			}
			assert.ok(dump.includes('aes-256-gcm'), 'the sealed credentials are in the job');
			assert.equal(dump.includes(FIXTURE_TOKEN), false, 'the header value is nowhere in Redis');
		} finally {
			client.disconnect();
		}
		assert.equal(
			fs.readFileSync(path.join(dir, 'history.sqlite')).includes(FIXTURE_TOKEN),
			false,
			'nor in the history',
		);
	});

	it('refuses credentials without AUDITLENS_QUEUE_KEY: a usage error (exit 64) saying to set it on both sides', async () => {
		delete process.env[QUEUE_KEY_ENV];
		assert.throws(
			() => parseAuditArgs([page('/protected'), '--redis', redis.url, '--header', 'X-Fixture-Token: x']),
			(err: unknown) =>
				err instanceof UsageError && /AUDITLENS_QUEUE_KEY/.test(err.message) && /workers/.test(err.message),
		);
		const stderr = process.stderr.write;
		let said = '';
		process.stderr.write = ((c: string) => ((said += c), true)) as typeof process.stderr.write;
		try {
			assert.equal(
				await main([
					'audit',
					page('/protected'),
					'--redis',
					'redis://:hunter2secret@127.0.0.1:1/0',
					'--cookie',
					'session=x',
				]),
				64,
			);
		} finally {
			process.stderr.write = stderr;
		}
		assert.match(said, /AUDITLENS_QUEUE_KEY/);
		assert.equal(said.includes('hunter2secret'), false, 'the Redis password is not shown');
	});

	it('says at once when Redis cannot be reached, with its password masked', async () => {
		const started = Date.now();
		const tmp = os.tmpdir();
		const stderr = process.stderr.write;
		let said = '';
		process.stderr.write = ((c: string) => ((said += c), true)) as typeof process.stderr.write;
		let code: number;
		try {
			// A port nothing listens on: the one of a Redis stopped for this test.
			const gone = await startRedis();
			await gone.stop();
			code = await main([
				'audit',
				page('/scan-small/a.html'),
				'--redis',
				`redis://:hunter2secret@127.0.0.1:${gone.port}/0`,
				'--db',
				path.join(dir, 'h.sqlite'),
			]);
		} finally {
			process.stderr.write = stderr;
		}
		assert.equal(code, 1);
		// A submitter starts no Chrome: no orphan watchdog, and this process keeps its own temp folder.
		assert.equal(os.tmpdir(), tmp, 'the temp folder is left as it was');
		assert.match(said, /Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0 cannot be reached/);
		assert.equal(said.includes('hunter2secret'), false);
		assert.ok(Date.now() - started < 15_000, `within seconds (${Date.now() - started} ms)`);
	});

	it('waits through a Redis restarted empty: the job it waits for is put back, and its result still comes', async () => {
		const submitter = await createQueueSubmitter({
			redis: redis.url,
			queue,
			db: path.join(dir, 'history.sqlite'),
			log: recordingLogger(),
			pollMs: 200,
		});
		submitters.push(submitter);
		const url = page('/scan-small/a.html');
		let queued!: () => void;
		const onQueue = new Promise<void>((resolve) => (queued = resolve));
		const result = submitter.audit({ url, options: LH_OPTIONS }, { progress: (p) => p.state === 'queued' && queued() });
		await onQueue;
		// No worker yet: the job is waiting when Redis loses it.
		await redis.restart();
		const w = await worker();
		const r = await result;

		assert.equal(r.status, 'ok', JSON.stringify(r.error ?? r.stageErrors));
		assert.deepEqual(
			(await w.jobs()).map((j) => j.attemptsStarted),
			[1],
		);
		assert.ok(await submitter.getReport({ id: r.id, formFactor: 'mobile', format: 'json' }));
	});

	it('Ctrl-C cancels the jobs it submitted: the waiting one is removed, the running one is stopped by its worker (exit 130, partial report)', async () => {
		const w = await worker({ concurrency: 1 });
		const gated = `/gated/ctrlc-${queue}`;
		const gate = server.gate(gated, { hold: fromBrowser });
		const events = new QueueEvents(queue, { connection: { host: '127.0.0.1', port: redis.port } });
		const q = new Queue(queue, { connection: { host: '127.0.0.1', port: redis.port } });
		try {
			await events.waitUntilReady();
			const waiting = new Set<string>();
			let bothAdded!: () => void;
			const added = new Promise<void>((resolve) => (bothAdded = resolve));
			events.on('waiting', ({ jobId }) => {
				waiting.add(jobId);
				if (waiting.size === 2) bothAdded();
			});
			const urls = [server.url(gated), page('/scan-small/b.html')];
			const cli = path.join(ROOT, 'out', 'src', 'cli', 'main.js');
			const args = [
				'audit',
				...urls,
				...LH_ONLY,
				'--redis',
				redis.url,
				'--queue',
				queue,
				'--db',
				path.join(dir, 'history.sqlite'),
				'--json',
				'--root',
				dir,
			];
			const child = spawn(
				process.execPath,
				['-e', `require(${JSON.stringify(cli)}).main(${JSON.stringify(args)}).then((c) => { process.exitCode = c; })`],
				{
					stdio: ['ignore', 'pipe', 'pipe'],
				},
			);
			let stdout = '';
			let stderr = '';
			child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
			child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
			const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

			await Promise.all([gate.reached, added]);
			const [running] = (await w.active(1)) as [string];
			const queued = [...waiting].find((id) => id !== running)!;
			assert.equal(await (await q.getJob(queued))?.getState(), 'waiting');
			child.kill('SIGINT');
			assert.match(await w.failed(running), /^CANCELLED: /);
			const code = await exited;
			gate.open();

			assert.equal(code, 130, stderr);
			assert.equal(await q.getJob(queued), undefined, 'the waiting job was removed');
			assert.equal(await (await q.getJob(running))?.getState(), 'failed', 'the running job was stopped, not retried');
			assert.deepEqual(
				(await w.jobs()).map((j) => [j.id, j.attemptsStarted]),
				[[running, 1]],
				'the worker never took the removed job',
			);
			const entries = JSON.parse(stdout) as JsonEntry[];
			assert.deepEqual(
				entries.map((e) => e.error?.code),
				['CANCELLED', 'CANCELLED'],
			);
		} finally {
			gate.open();
			await events.close();
			await q.close();
		}
	});

	it('SIGTERM stops a scan on the queue: its running job cancelled, the routes audited so far reported and saved (exit 143)', async () => {
		const w = await worker({ concurrency: 2 });
		const gate = server.gate('/gated/scan-hold', { hold: fromBrowser });
		const cli = path.join(ROOT, 'out', 'src', 'cli', 'main.js');
		const db = path.join(dir, 'history.sqlite');
		const args = [
			'scan',
			server.url('/scan-hold/'),
			'--no-sitemap',
			'--no-ai',
			'--no-capture',
			'--no-cro',
			'--redis',
			redis.url,
			'--queue',
			queue,
			'--db',
			db,
			'--json',
			'--root',
			dir,
		];
		const child = spawn(
			process.execPath,
			['-e', `require(${JSON.stringify(cli)}).main(${JSON.stringify(args)}).then((c) => { process.exitCode = c; })`],
			{
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		let stdout = '';
		let stderr = '';
		let homeDone!: () => void;
		const home = new Promise<void>((resolve) => (homeDone = resolve));
		child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
		child.stderr.on('data', (c: Buffer) => {
			stderr += c.toString();
			if (/\] ok \/scan-hold\//.test(stderr)) homeDone();
		});
		const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
		try {
			// The home page audited, the held page's job running on the worker.
			await Promise.all([home, gate.reached]);
			const running = (await w.jobs()).find((j) => j.state === 'active');
			assert.ok(running, 'the held page is being audited');
			child.kill('SIGTERM');
			assert.match(await w.failed(running.id), /^CANCELLED: /);
			const code = await exited;

			assert.equal(code, 143, stderr);
			assert.match(stderr, /SIGTERM: stopping the scan/);
			const report = JSON.parse(stdout) as { id: string; status: string; routes: { path: string; status: string }[] };
			assert.equal(report.status, 'cancelled');
			assert.deepEqual(
				report.routes.map((r) => [r.path, r.status]),
				[['/scan-hold/', 'ok']],
				'the route audited before the signal is kept, the stopped one left out',
			);
			const store = await openHistory(db);
			try {
				assert.equal((await store.getScan(report.id))?.status, 'cancelled');
			} finally {
				await store.close();
			}
		} finally {
			gate.open();
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
		}
	});

	it('scans a site with --redis: discovery here, each route a job, the site report saved into the submitter history', async () => {
		const w = await worker({ concurrency: 2 });
		const out = new PassThrough();
		let text = '';
		out.on('data', (c: Buffer) => (text += c.toString()));
		const db = path.join(dir, 'history.sqlite');
		const args = parseScanArgs([
			server.url('/scan-small/'),
			'--no-sitemap',
			'--depth',
			'1',
			'--no-ai',
			'--no-capture',
			'--no-cro',
			'--redis',
			redis.url,
			'--queue',
			queue,
			'--db',
			db,
			'--json',
			'--root',
			dir,
		]);
		const code = await scanCommand(args, { out });
		const report = JSON.parse(text) as {
			id: string;
			status: string;
			routes: { path: string; status: string; auditId?: string }[];
		};

		assert.equal(code, 1, 'the /500 route failed');
		assert.deepEqual(report.routes.map((r) => r.path).sort(), [
			'/500',
			'/scan-small/',
			'/scan-small/a.html',
			'/scan-small/b.html',
		]);
		assert.equal((await w.jobs()).length, 4, 'one job per route');
		const store = await openHistory(db);
		try {
			const saved = await store.getScan(report.id);
			assert.equal(saved?.routes.length, 4);
			for (const route of report.routes) {
				assert.ok(route.auditId, route.path);
				assert.ok(await store.get(route.auditId), `${route.path}: its audit is in the history`);
			}
		} finally {
			await store.close();
		}
	});
});
