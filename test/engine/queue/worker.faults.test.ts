/**
 * The queue's fault rows (issue 12): a real redis-server (Debian's, on a free port on 127.0.0.1), two or three
 * real `auditlens worker` processes with real Chromium and Lighthouse, a real `auditlens audit --redis` submitter,
 * pages from the fixture server. Each fault is made for real: a worker SIGKILLed while its page is held, a site
 * that refuses connections until its first attempt failed, a page answering 500, Redis shut down and started again.
 * Audits are mobile only without capture: these tests are about the queue, not the stages.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { QueueEvents } from 'bullmq';
import { HistoryStore } from '../../../src/engine/history/historyStore';
import { type AuditJobReturn, DEFAULT_QUEUE } from '../../../src/engine/queue/jobs';
import type { AuditResult, ErrorInfo } from '../../../src/protocol';
import { isAlive, waitFor } from '../../helpers/engineProcess';
import { type FixtureServer, fromBrowser, startFixtureServer } from '../../helpers/fixtureServer';
import { watchdogOf } from '../../helpers/orphanWatchdog';
import { freePort, type RedisServer, startRedis } from '../../helpers/redisServer';
import { recordingLogger, testSettings } from '../../helpers/sampleResult';
import { type CliProcess, spawnCli, startWorkers, stopWorker } from '../../helpers/workerProcess';

/** The passphrase submitters and workers share (credentials are sealed with it; these tests send none). */
const ENV = { AUDITLENS_QUEUE_KEY: 'queue-faults-passphrase', ANTHROPIC_API_KEY: '', CRUX_API_KEY: '' };
/** The cheapest real audit through the queue: Lighthouse mobile, no capture, no CRO, no AI. */
const CHEAP = ['--form-factor', 'mobile', '--no-capture', '--no-cro', '--no-ai'];

/** An entry of `auditlens audit --json`. */
interface JsonEntry {
	url: string;
	status: 'ok' | 'partial' | 'failed';
	result?: AuditResult;
	error?: ErrorInfo;
}

/** A finished submitter's entries; fails with its stderr when it printed no JSON. */
async function entriesOf(submitter: CliProcess): Promise<JsonEntry[]> {
	const { code, signal } = await submitter.exited;
	try {
		return JSON.parse(submitter.stdout()) as JsonEntry[];
	} catch {
		assert.fail(
			`the submitter (exit ${signal ?? code}) printed no JSON; its stderr:\n${submitter.stderr().slice(-3000)}`,
		);
	}
}

/** How many audits of each URL the history at `db` holds. */
async function auditsByUrl(db: string): Promise<Map<string, number>> {
	const store = await HistoryStore.open({ path: db, settings: testSettings(), log: recordingLogger(), readOnly: true });
	try {
		return new Map((await store.listUrls(1000)).map((u) => [u.url, u.audits]));
	} finally {
		await store.close();
	}
}

/** The line a worker logs as it starts an attempt at `url`: `job ID: auditing URL (attempt N of M)`. */
function auditingLine(url: string, attempt?: number, flags?: string): RegExp {
	return new RegExp(`auditing ${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(attempt ${attempt ?? '\\d+'} of`, flags);
}

/** The worker that logged it is auditing `url`. */
async function workerAuditing(workers: CliProcess[], url: string): Promise<CliProcess> {
	return Promise.any(workers.map((w) => w.waitFor(auditingLine(url), { timeoutMs: 30_000 }).then(() => w)));
}

describe('queue faults: workers over a real Redis', function () {
	this.timeout(300_000);
	let redis: RedisServer;
	let server: FixtureServer;
	let events: QueueEvents;
	let dir: string;
	/** Every auditlens process of the test, ended (and checked) after it. */
	let procs: CliProcess[];
	/** Every Chromium process a worker of the test had, checked gone at the end. */
	let chromes: Set<number>;

	beforeEach(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-queue-faults-'));
		procs = [];
		chromes = new Set();
		server = await startFixtureServer();
	});
	afterEach(async () => {
		await Promise.all(procs.map((p) => stopWorker(p)));
		for (const p of procs) for (const pid of p.chromium()) chromes.add(pid);
		await events?.close();
		await redis?.stop();
		await server.close();
		fs.rmSync(dir, { recursive: true, force: true });
		await waitFor(
			() => [...chromes].every((pid) => !isAlive(pid)),
			15_000,
			`every Chromium of the test's workers to be gone (left: ${[...chromes].filter(isAlive).join(', ')})`,
		);
	});

	/** Start Redis (`args` for redis-server), a QueueEvents listener on the default queue, and `n` workers. */
	async function setUp(n: number, args: string[] = []): Promise<CliProcess[]> {
		redis = await startRedis({ args });
		events = new QueueEvents(DEFAULT_QUEUE, { connection: { url: redis.url } });
		events.on('error', () => undefined);
		await events.waitUntilReady();
		const workers = await startWorkers(redis.url, n, { env: ENV });
		procs.push(...workers);
		return workers;
	}

	function submit(urls: string[], db = path.join(dir, 'history.sqlite')): CliProcess {
		const p = spawnCli(['audit', ...urls, '--redis', redis.url, ...CHEAP, '--json', '--db', db], {
			env: ENV,
			name: 'submitter',
		});
		procs.push(p);
		return p;
	}

	/** The workers' Chromium processes now, remembered for the final check. */
	function remember(workers: CliProcess[]): void {
		for (const w of workers) for (const pid of w.chromium()) chromes.add(pid);
	}

	it('a worker SIGKILLed mid-audit: another worker takes its job within 60 s, and the watchdog kills its Chromes', async () => {
		const workers = await setUp(2);
		// Hold the page for the browser (the engine's preflight passes): the worker that took the job is mid-audit.
		const gate = server.gate('/gated/killed', { hold: fromBrowser });
		const url = server.url('/gated/killed');
		const completed = new Map<string, AuditJobReturn>();
		events.on('completed', ({ returnvalue }) => {
			const value = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as AuditJobReturn;
			completed.set(value.result.url, value);
		});
		const stalled: string[] = [];
		events.on('stalled', ({ jobId }) => stalled.push(jobId));
		const submitter = submit([url]);
		await gate.reached;
		const victim = await workerAuditing(workers, url);
		const survivor = workers.find((w) => w !== victim)!;
		const victimChromes = victim.chromium();
		assert.ok(victimChromes.length > 0, 'the worker mid-audit has Chromium running');
		const watchdog = watchdogOf(victim.pid);
		assert.ok(watchdog, 'the worker started its orphan watchdog');
		remember(workers);

		victim.kill('SIGKILL');
		assert.equal((await victim.exited).signal, 'SIGKILL');
		const killedAt = Date.now();
		// The dead Chrome's request is answered into the void; the next attempt's requests pass.
		gate.open();
		await waitFor(
			() => victimChromes.every((pid) => !isAlive(pid)),
			20_000,
			`the killed worker's Chromium to be killed by its watchdog (left: ${victimChromes.filter(isAlive).join(', ')})`,
		);
		await waitFor(() => !isAlive(watchdog), 20_000, 'the watchdog to exit after its sweep');

		await survivor.waitFor(auditingLine(url), { timeoutMs: 60_000 });
		const tookOverMs = Date.now() - killedAt;
		assert.ok(tookOverMs < 60_000, `taken up after ${tookOverMs} ms`);
		const [entry] = await entriesOf(submitter);
		assert.equal(entry.status, 'ok', JSON.stringify(entry.error ?? entry.result?.stageErrors));
		assert.equal(stalled.length, 1, 'BullMQ saw the job stall once');
		await waitFor(() => completed.has(url), 10_000, 'the completed event');
		assert.equal(completed.get(url)?.worker, `${os.hostname()}:${survivor.pid}`, 'the surviving worker ran it');
		assert.deepEqual(
			[...(await auditsByUrl(path.join(dir, 'history.sqlite')))],
			[[url, 1]],
			'the result is in the history once',
		);
		remember([survivor]);
	});

	it('a transient failure (connection refused) is retried with backoff and then succeeds', async () => {
		const workers = await setUp(2);
		// A site that is down for the first attempt and up for the retry: it starts when BullMQ delays the job.
		const port = await freePort();
		const url = `http://127.0.0.1:${port}/back-up`;
		const site = http.createServer((_req, res) =>
			res
				.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
				.end('<!doctype html><html lang="en"><title>Back up</title><h1>The site is back up</h1></html>'),
		);
		const delays: number[] = [];
		events.on('delayed', ({ delay }) => {
			delays.push(Number(delay) - Date.now());
			if (!site.listening) site.listen(port, '127.0.0.1');
		});
		try {
			const submitter = submit([url]);
			const [entry] = await entriesOf(submitter);
			assert.equal(entry.status, 'ok', JSON.stringify(entry.error ?? entry.result?.stageErrors));
			assert.equal(delays.length, 1, 'one retry, after a backoff');
			assert.ok(delays[0] > 0, `the retry waited (${delays[0]} ms left when the event came)`);
			const log = workers.map((w) => w.stderr()).join('\n');
			assert.match(log, /failed \(UNREACHABLE\)/, 'the first attempt failed as unreachable');
			assert.match(log, auditingLine(url, 2), 'the second attempt ran');
			assert.deepEqual([...(await auditsByUrl(path.join(dir, 'history.sqlite')))], [[url, 1]]);
			remember(workers);
		} finally {
			site.close();
		}
	});

	it('a page that answers 500 is not retried: one attempt, and the error stays with its URL', async () => {
		const workers = await setUp(2);
		const url = server.url('/500');
		let delayed = 0;
		events.on('delayed', () => delayed++);
		const submitter = submit([url, server.url('/?beside=500')]);
		const entries = await entriesOf(submitter);
		const failed = entries.find((e) => e.url === url);
		assert.equal(failed?.status, 'failed');
		assert.equal(failed?.error?.code, 'HTTP_ERROR', JSON.stringify(failed?.error));
		assert.match(failed?.error?.message ?? '', /500/);
		assert.equal(entries.find((e) => e.url !== url)?.status, 'ok', 'the other URL is audited');
		assert.equal(server.hits.get('/500'), 1, 'the page was asked once: no retry');
		assert.equal(delayed, 0, 'no retry was scheduled');
		assert.doesNotMatch(workers.map((w) => w.stderr()).join('\n'), /attempt 2 of/);
		remember(workers);
	});

	it('Redis restarted mid-run: the workers and the submitter reconnect and finish', async () => {
		// A Redis that keeps its data over a restart (append-only file, as docker-compose.yml runs it).
		const workers = await setUp(2, ['--appendonly', 'yes']);
		const gate = server.gate('/gated/restart', { hold: fromBrowser });
		const urls = [server.url('/gated/restart'), server.url('/?beside=restart')];
		const submitter = submit(urls);
		await gate.reached;
		const before = redis.pid;
		await redis.restart();
		assert.notEqual(redis.pid, before, 'a new redis-server');
		gate.open();
		const entries = await entriesOf(submitter);
		assert.deepEqual(
			entries.map((e) => [e.url, e.status]).sort(),
			urls.map((u) => [u, 'ok']).sort(),
			JSON.stringify(entries.map((e) => e.error)),
		);
		assert.deepEqual([...(await auditsByUrl(path.join(dir, 'history.sqlite')))].sort(), urls.map((u) => [u, 1]).sort());
		// The workers are still there and take new jobs on the new server.
		assert.ok(workers.every((w) => w.child.exitCode === null));
		const after = submit([server.url('/?after=restart')], path.join(dir, 'after.sqlite'));
		const [entry] = await entriesOf(after);
		assert.equal(entry.status, 'ok', JSON.stringify(entry.error));
		remember(workers);
	});

	it('Redis crashed mid-run and came back empty: the submitter puts its jobs back and every URL is audited once', async () => {
		// No persistence: the restarted server has lost every job; the submitter finds them missing and adds them again.
		const workers = await setUp(2);
		const gate = server.gate('/gated/crash', { hold: fromBrowser });
		const urls = [server.url('/gated/crash'), server.url('/?beside=crash')];
		const submitter = submit(urls);
		await gate.reached;
		await redis.restart({ kill: true });
		gate.open();
		const entries = await entriesOf(submitter);
		assert.deepEqual(
			entries.map((e) => [e.url, e.status]).sort(),
			urls.map((u) => [u, 'ok']).sort(),
			JSON.stringify(entries.map((e) => e.error)),
		);
		// The audit that was running when Redis lost its job could not finish it: the page was audited again.
		const runs = workers
			.map((w) => w.stderr().match(auditingLine(urls[0], undefined, 'g'))?.length ?? 0)
			.reduce((a, b) => a + b, 0);
		assert.ok(runs >= 2, `the workers started ${runs} audit(s) of ${urls[0]}`);
		assert.deepEqual(
			[...(await auditsByUrl(path.join(dir, 'history.sqlite')))].sort(),
			urls.map((u) => [u, 1]).sort(),
			'yet its result is saved once',
		);
		assert.ok(
			workers.every((w) => w.child.exitCode === null),
			'the workers rode it out',
		);
		remember(workers);
	});

	it('24 URLs with a worker SIGKILLed mid-run: all 24 results, each exactly once in the history', async () => {
		const workers = await setUp(3);
		// The 13th URL is held for the browser: the worker auditing it is killed while the others carry on.
		const gate = server.gate('/gated/batch', { hold: fromBrowser });
		const urls = Array.from({ length: 24 }, (_, i) =>
			i === 12 ? server.url('/gated/batch') : server.url(`/?batch=${i}`),
		);
		const stalled: string[] = [];
		events.on('stalled', ({ jobId }) => stalled.push(jobId));
		const submitter = submit(urls);
		await gate.reached;
		const victim = await workerAuditing(workers, urls[12]);
		remember(workers);
		victim.kill('SIGKILL');
		await victim.exited;
		gate.open();
		const entries = await entriesOf(submitter);
		assert.equal(entries.length, 24);
		assert.deepEqual(
			entries.filter((e) => e.status !== 'ok').map((e) => [e.url, e.error]),
			[],
			'every URL audited',
		);
		assert.deepEqual(new Set(entries.map((e) => e.url)), new Set(urls), 'one entry per URL');
		const history = await auditsByUrl(path.join(dir, 'history.sqlite'));
		assert.deepEqual([...history].sort(), urls.map((u) => [u, 1]).sort(), 'each result saved once');
		assert.equal(stalled.length, 1, "the killed worker's job stalled and was taken up again");
		remember(workers.filter((w) => w !== victim));
	});
});
