import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Job, Queue, Relay } from 'bullmq';
import { Redis } from 'ioredis';
import type { AuditAuth, AuditOptionsInput } from '../../../src/protocol';
import { createEngine } from '../../../src/engine/createEngine';
import type { Engine } from '../../../src/engine/engine';
import { createLogger } from '../../../src/engine/log';
import {
	AUDIT_JOB,
	type AuditJobData,
	type AuditJobReturn,
	auditJobId,
	cancelTopic,
	decodePayload,
	JOB_FORMAT,
	parseJobFailure,
	sealAuth,
	type WorkerStats,
	workerStatsKey,
} from '../../../src/engine/queue/jobs';
import { maskRedisUrl, redisUrlArg } from '../../../src/engine/queue/redisConnection';
import { failureKind, retryReason } from '../../../src/engine/queue/retryPolicy';
import { QueueWorker } from '../../../src/engine/queue/worker';
import { ConfigError } from '../../../src/engine/errors';
import { parseWorkerArgs } from '../../../src/cli/commands/worker';
import { isAlive, waitFor } from '../../helpers/engineProcess';
import { watchdogOf } from '../../helpers/orphanWatchdog';
import { sampleResult } from '../../helpers/sampleResult';
import { FIXTURE_TOKEN, type FixtureServer, fromLighthouse, startFixtureServer } from '../../helpers/fixtureServer';
import { freePort, type RedisServer, startRedis } from '../../helpers/redisServer';
import { spawnCli, startWorker } from '../../helpers/workerProcess';

/** Lighthouse on mobile and the capture (for screenshots); nothing that calls out. */
const OPTIONS: AuditOptionsInput = { formFactors: ['mobile'], stages: { ai: false, crux: false }, noCache: true };
const LH_ONLY: AuditOptionsInput = {
	formFactors: ['mobile'],
	stages: { capture: false, cro: false, ai: false, crux: false },
	noCache: true,
};
const QUEUE_KEY = 'test-queue-passphrase';

let queues = 0;
/** A queue of its own for each test: nothing left by another test is taken. */
const freshQueue = () => `qworker-${process.pid}-${++queues}`;

/**
 * The submitter's side, minimal: `Queue.add` with the contract's shapes (the real one is src/engine/queue/submit.ts).
 */
function jobData(url: string, options: AuditOptionsInput, auth?: AuditAuth): AuditJobData {
	return {
		format: JOB_FORMAT,
		url,
		options,
		...(auth ? { auth: sealAuth(auth, QUEUE_KEY) } : {}),
		submitter: `test:${process.pid}`,
		submittedAt: Date.now(),
	};
}

/** Poll until the job is completed or failed (no QueueEvents connection needed for a test). */
async function finished(queue: Queue, id: string, timeoutMs = 240_000): Promise<Job<AuditJobData, AuditJobReturn>> {
	await waitFor(
		async () => {
			const state = await queue.getJobState(id);
			return state === 'completed' || state === 'failed';
		},
		timeoutMs,
		`job ${id} to finish`,
	);
	// Read once it is finished: a job read before its last move would show the attempt before.
	return (await queue.getJob(id)) as Job<AuditJobData, AuditJobReturn>;
}

describe('auditlens worker: BullMQ jobs on a real redis-server, real Chromium and Lighthouse', function () {
	this.timeout(600_000);
	let redis: RedisServer;
	let server: FixtureServer;
	let client: Redis;
	let dir: string;
	const cleanups: (() => Promise<unknown>)[] = [];

	before(async () => {
		redis = await startRedis();
		server = await startFixtureServer();
		client = new Redis(redis.url, { maxRetriesPerRequest: null });
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-qworker-'));
	});
	afterEach(async () => {
		for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
	});
	after(async () => {
		client?.disconnect();
		await server?.close();
		await redis?.stop();
		if (dir) fs.rmSync(dir, { recursive: true, force: true });
	});

	/** A worker in this process over a real engine, on its own queue; stopped (and its engine closed) after the test. */
	async function inProcessWorker(
		queue: string,
		opts: { queueKey?: string; statsIntervalMs?: number; apiKey?: string } = {},
	): Promise<{ worker: QueueWorker; engine: Engine }> {
		const engine = await createEngine({
			artifactsDir: path.join(dir, `artifacts-${queue}`),
			settings: { maxConcurrentAudits: 1, maxBrowsers: 2, ...(opts.apiKey ? { anthropicApiKey: opts.apiKey } : {}) },
			log: createLogger('warn'),
		});
		const worker = await QueueWorker.start({
			redisUrl: redis.url,
			queue,
			concurrency: 1,
			engine,
			queueKey: opts.queueKey,
			log: createLogger('error'),
			statsIntervalMs: opts.statsIntervalMs,
		});
		cleanups.push(async () => {
			await worker.stop(0);
			await engine.close();
		});
		return { worker, engine };
	}

	function submitterQueue(name: string): Queue {
		const queue = new Queue(name, { connection: client });
		cleanups.push(() => queue.close());
		return queue;
	}

	/**
	 * A worker process on its own queue, auditing a job whose page Lighthouse's Chrome is held on: resolves once the
	 * audit is under way, with the worker's Chromium at that moment.
	 */
	async function workerWithHeldJob(jobId: string, opts: { redisUrl?: string; args?: string[] } = {}) {
		const name = freshQueue();
		const page = `/gated/${jobId}`;
		const gate = server.gate(page, { hold: fromLighthouse });
		cleanups.push(async () => gate.open());
		const worker = startWorker(opts.redisUrl ?? redis.url, { args: ['--queue', name, ...(opts.args ?? [])] });
		cleanups.push(async () => worker.kill());
		await worker.waitFor(/taking audit jobs/);
		const queue = submitterQueue(name);
		await queue.add(AUDIT_JOB, jobData(server.url(page), LH_ONLY), { jobId, attempts: 3 });
		await gate.reached;
		const chromium = worker.chromium();
		assert.ok(chromium.length > 0, 'the audit has a Chrome');
		return { name, gate, worker, queue, chromium };
	}

	it('audits a job: its return value carries the result, the Lighthouse report and the screenshot bytes', async () => {
		const name = freshQueue();
		await inProcessWorker(name);
		const queue = submitterQueue(name);
		const url = server.url('/index.html');
		const id = auditJobId(`${url} ${JSON.stringify(OPTIONS)}`);
		await queue.add(AUDIT_JOB, jobData(url, OPTIONS), {
			jobId: id,
			attempts: 3,
			backoff: { type: 'exponential', delay: 1000 },
		});
		const job = await finished(queue, id);
		assert.equal(await job.getState(), 'completed', job.failedReason);
		const value = job.returnvalue;
		assert.equal(value.format, JOB_FORMAT);
		assert.match(value.worker, new RegExp(`:${process.pid}$`));
		assert.notEqual(value.result.status, 'failed', JSON.stringify(value.result.error));
		assert.equal(value.result.url, url);
		const payload = decodePayload(value.payload);
		const lhr = payload.lhrs.mobile as { lighthouseVersion?: string; finalDisplayedUrl?: string } | undefined;
		assert.ok(lhr?.lighthouseVersion, 'the mobile Lighthouse report is in the payload');
		assert.equal(lhr.finalDisplayedUrl, url);
		assert.equal(payload.lhrs.desktop, undefined, 'only the form factor that ran');
		const files = Object.entries(payload.files);
		assert.ok(files.length > 0, 'screenshot files are in the payload');
		for (const [file, base64] of files) {
			const bytes = Buffer.from(base64, 'base64');
			assert.deepEqual(
				bytes.subarray(0, bytes[0] === 0x89 ? 4 : 3),
				bytes[0] === 0x89 ? Buffer.from([0x89, 0x50, 0x4e, 0x47]) : Buffer.from([0xff, 0xd8, 0xff]),
				`${file} is an image`,
			);
			assert.deepEqual(bytes, fs.readFileSync(file), `${file}: the bytes of the worker's file`);
		}
		// The engine's progress came through the job: the last one says the audit is done.
		assert.equal((job.progress as { stage?: string; state?: string }).stage, 'audit');
		assert.equal((job.progress as { state?: string }).state, 'done');
		assert.equal(job.attemptsMade, 1);
	});

	it('a page that answers 500 completes with a failed result and is not retried', async () => {
		const name = freshQueue();
		const { worker } = await inProcessWorker(name);
		const queue = submitterQueue(name);
		const url = server.url('/500');
		await queue.add(AUDIT_JOB, jobData(url, LH_ONLY), {
			jobId: 'job-500',
			attempts: 3,
			backoff: { type: 'exponential', delay: 1000 },
		});
		const job = await finished(queue, 'job-500');
		assert.equal(await job.getState(), 'completed', job.failedReason);
		assert.equal(job.returnvalue.result.status, 'failed');
		assert.equal(job.returnvalue.result.error?.code, 'HTTP_ERROR');
		assert.equal(job.attemptsMade, 1, 'one attempt: a page fault is not retried');
		assert.deepEqual(worker.stats().jobs, { completed: 1, failed: 0, active: 0 }, 'a failed result is a completed job');
	});

	it('a host that cannot be reached is retried with backoff, and its last attempt returns the failed result', async () => {
		const name = freshQueue();
		await inProcessWorker(name);
		const queue = submitterQueue(name);
		// The fixture server's port once it is closed: nothing listens there.
		const gone = await startFixtureServer();
		const url = gone.url('/index.html');
		await gone.close();
		await queue.add(AUDIT_JOB, jobData(url, LH_ONLY), {
			jobId: 'job-unreachable',
			attempts: 2,
			backoff: { type: 'exponential', delay: 200 },
		});
		const job = await finished(queue, 'job-unreachable');
		assert.equal(await job.getState(), 'completed', job.failedReason);
		assert.equal(job.attemptsMade, 2, 'retried once');
		assert.equal(job.returnvalue.result.error?.code, 'UNREACHABLE');
	});

	it('a Chrome that crashes mid-audit is retried, and the next attempt audits the page', async () => {
		const name = freshQueue();
		const { engine, worker } = await inProcessWorker(name);
		const queue = submitterQueue(name);
		const gate = server.gate('/gated/crash', { hold: fromLighthouse });
		cleanups.push(async () => gate.open());
		await queue.add(AUDIT_JOB, jobData(server.url('/gated/crash'), LH_ONLY), {
			jobId: 'job-crash',
			attempts: 3,
			backoff: { type: 'exponential', delay: 200 },
		});
		await gate.reached;
		const chromes = engine.chromePids();
		assert.ok(chromes.length > 0);
		for (const pid of chromes) process.kill(pid, 'SIGKILL');
		await waitFor(
			async () => ((await queue.getJob('job-crash'))?.attemptsMade ?? 0) >= 1,
			120_000,
			'the crashed attempt to fail',
		);
		const failed = (await queue.getJob('job-crash'))!;
		assert.equal(parseJobFailure(failed.failedReason).code, 'CHROME_CRASHED', failed.failedReason);
		gate.open();
		const job = await finished(queue, 'job-crash');
		assert.equal(await job.getState(), 'completed', job.failedReason);
		assert.equal(job.attemptsMade, 2);
		assert.deepEqual(
			worker.stats().jobs,
			{ completed: 1, failed: 0, active: 0 },
			'the retried attempt is not a failed job',
		);
		assert.equal(
			job.returnvalue.result.status,
			'ok',
			JSON.stringify(job.returnvalue.result.error ?? job.returnvalue.result.stageErrors),
		);
	});

	it('opens sealed credentials with AUDITLENS_QUEUE_KEY: the page behind a header is audited, and Redis never holds the token in clear', async () => {
		const name = freshQueue();
		await inProcessWorker(name, { queueKey: QUEUE_KEY });
		const queue = submitterQueue(name);
		const url = server.url('/protected?case=queue');
		await queue.add(AUDIT_JOB, jobData(url, LH_ONLY, { headers: { 'X-Fixture-Token': FIXTURE_TOKEN } }), {
			jobId: 'job-sealed',
		});
		const job = await finished(queue, 'job-sealed');
		assert.equal(await job.getState(), 'completed', job.failedReason);
		assert.equal(
			job.returnvalue.result.status,
			'ok',
			JSON.stringify(job.returnvalue.result.error ?? job.returnvalue.result.stageErrors),
		);
		assert.ok(job.returnvalue.result.auth, 'the result says the audit was signed in');
		const everything = JSON.stringify(await client.hgetall(`bull:${name}:job-sealed`));
		assert.ok(!everything.includes(FIXTURE_TOKEN), 'the token is nowhere in the job, its result or its payload');
	});

	it('a sealed job on a worker without AUDITLENS_QUEUE_KEY fails at once, saying to set the key', async () => {
		const name = freshQueue();
		const { worker } = await inProcessWorker(name);
		const queue = submitterQueue(name);
		await queue.add(
			AUDIT_JOB,
			jobData(server.url('/protected?case=nokey'), LH_ONLY, { headers: { 'X-Fixture-Token': FIXTURE_TOKEN } }),
			{ jobId: 'job-nokey', attempts: 3 },
		);
		const job = await finished(queue, 'job-nokey');
		assert.equal(await job.getState(), 'failed');
		assert.equal(job.attemptsMade, 1, 'not retried');
		assert.match(job.failedReason, /AUDITLENS_QUEUE_KEY/);
		assert.equal(parseJobFailure(job.failedReason).code, 'INVALID_PARAMS');
		assert.deepEqual(worker.stats().jobs, { completed: 0, failed: 1, active: 0 });
	});

	it('refuses a job of another format without retrying it', async () => {
		const name = freshQueue();
		await inProcessWorker(name);
		const queue = submitterQueue(name);
		const data = { ...jobData(server.url('/index.html'), LH_ONLY), format: 99 } as unknown as AuditJobData;
		await queue.add(AUDIT_JOB, data, { jobId: 'job-format', attempts: 3 });
		const job = await finished(queue, 'job-format');
		assert.equal(await job.getState(), 'failed');
		assert.equal(job.attemptsMade, 1);
		assert.match(job.failedReason, /job format 99 and this worker reads format 1/);
	});

	it('cancels a running job when its submitter publishes on the cancel topic: failed, not retried', async () => {
		const name = freshQueue();
		await inProcessWorker(name);
		const queue = submitterQueue(name);
		const gate = server.gate('/gated/cancel', { hold: fromLighthouse });
		cleanups.push(async () => gate.open());
		await queue.add(AUDIT_JOB, jobData(server.url('/gated/cancel'), LH_ONLY), { jobId: 'job-cancel', attempts: 3 });
		await gate.reached;
		const relay = new Relay({ connection: client });
		cleanups.push(() => relay.close());
		await relay.publish(cancelTopic(name), { jobId: 'job-cancel', reason: 'cancelled by the test' });
		const job = await finished(queue, 'job-cancel');
		assert.equal(await job.getState(), 'failed');
		assert.equal(job.attemptsMade, 1, 'a cancelled job is not retried');
		assert.deepEqual(parseJobFailure(job.failedReason).code, 'CANCELLED');
		assert.match(job.failedReason, /cancelled by the test/);
	});

	it('publishes its stats under workerStatsKey while it runs, with no secret in them, and deletes them when it stops', async () => {
		const name = freshQueue();
		const apiKey = 'sk-ant-queue-worker-test-key-0123456789';
		const { worker } = await inProcessWorker(name, { statsIntervalMs: 200, apiKey });
		const key = workerStatsKey(name, worker.id);
		const raw = await client.get(key);
		assert.ok(raw, 'the stats are there once the worker has started');
		assert.ok(!raw.includes(apiKey), 'no API key in the stats');
		const stats = JSON.parse(raw) as WorkerStats;
		assert.equal(stats.queue, name);
		assert.equal(stats.engine.pid, process.pid);
		assert.deepEqual(stats.jobs, { completed: 0, failed: 0, active: 0 });
		const ttl = await client.pttl(key);
		assert.ok(ttl > 0 && ttl <= 600, `expires (pttl ${ttl})`);
		await worker.stop(0);
		assert.equal(await client.exists(key), 0, 'deleted on a graceful stop');
	});

	it('SIGTERM on a worker process lets its running job finish, then exits 0 with no Chromium left and its stats gone', async () => {
		// A password in the URL (this Redis wants none, and says so) must never be printed.
		const password = 's3cret-redis-pass';
		const { name, gate, worker, queue, chromium } = await workerWithHeldJob('job-sigterm', {
			redisUrl: redis.url.replace('redis://', `redis://:${password}@`),
		});
		const statsKey = workerStatsKey(name, `${os.hostname()}:${worker.pid}`);
		assert.equal(await client.exists(statsKey), 1, 'stats published while it runs');

		worker.kill('SIGTERM');
		await worker.waitFor(/SIGTERM: taking no more jobs/);
		gate.open();
		const { code } = await worker.exited;
		assert.equal(code, 0, worker.stderr());
		const job = await finished(queue, 'job-sigterm');
		assert.equal(await job.getState(), 'completed', job.failedReason);
		assert.notEqual(job.returnvalue.result.status, 'failed', JSON.stringify(job.returnvalue.result.error));
		assert.equal(job.attemptsMade, 1);
		// Each browser's exit was awaited; its renderers, killed with it, end at the kernel's pace.
		await waitFor(() => chromium.every((pid) => !isAlive(pid)), 5_000, 'every Chromium of the worker to be gone');
		assert.equal(await client.exists(statsKey), 0, 'stats deleted on exit');
		assert.ok(!worker.stderr().includes(password), 'the Redis password is never printed');
		assert.match(worker.stderr(), /redis:\/\/:\*\*\*@127\.0\.0\.1/, 'the URL is shown masked');
	});

	it('SIGTERM past the grace period puts the running job back in the queue without costing an attempt, and exits 143', async () => {
		const { worker, queue, chromium } = await workerWithHeldJob('job-requeue', { args: ['--grace', '0'] });
		worker.kill('SIGTERM');
		const { code } = await worker.exited;
		assert.equal(code, 143, worker.stderr());
		assert.equal(await queue.getJobState('job-requeue'), 'waiting', 'back in the queue for another worker');
		const job = (await queue.getJob('job-requeue'))!;
		assert.equal(job.attemptsMade, 0, 'a shutdown is not a failed attempt');
		// Each browser's exit was awaited; its renderers, killed with it, end at the kernel's pace.
		await waitFor(() => chromium.every((pid) => !isAlive(pid)), 5_000, 'every Chromium of the worker to be gone');
	});

	it('a SIGKILLed worker leaves no Chromium: the orphan watchdog of the CLI kills them', async () => {
		const { worker, chromium } = await workerWithHeldJob('job-sigkill');
		assert.ok(watchdogOf(worker.pid), 'the worker started its orphan watchdog');
		worker.kill('SIGKILL');
		await worker.exited;
		await waitFor(
			() => chromium.every((pid) => !isAlive(pid)),
			15_000,
			'the watchdog to kill the Chromes of the killed worker',
		);
	});

	it('a worker waiting for a Redis that is not there says so once, and stops at SIGTERM with 143', async () => {
		const port = await freePort();
		const worker = startWorker(`redis://:s3cret-pass@127.0.0.1:${port}`);
		cleanups.push(async () => worker.kill());
		await worker.waitFor(/ECONNREFUSED 127\.0\.0\.1:\d+; reconnecting/);
		worker.kill('SIGTERM');
		const { code } = await worker.exited;
		assert.equal(code, 143, worker.stderr());
		assert.equal(worker.stderr().split('ECONNREFUSED').length - 1, 1, 'one line, not one per reconnection');
		assert.ok(!worker.stderr().includes('s3cret-pass'));
	});

	it('auditlens workers lists the live workers of a queue with their stats', async () => {
		const name = freshQueue();
		const { worker } = await inProcessWorker(name);
		const listing = spawnCli(['workers', '--redis', redis.url, '--queue', name, '--json']);
		const { code } = await listing.exited;
		assert.equal(code, 0, listing.stderr());
		const stats = JSON.parse(listing.stdout()) as WorkerStats[];
		assert.deepEqual(
			stats.map((s) => s.worker),
			[worker.id],
		);
		const text = spawnCli(['workers', '--redis', redis.url, '--queue', name]);
		await text.exited;
		assert.match(
			text.stdout(),
			new RegExp(`^WORKER +JOBS ACTIVE[^\\n]*\\n${worker.id.replace(/[.]/g, '\\.')} +0 +0 +0 +1 `, 'm'),
		);
		const none = spawnCli(['workers', '--redis', redis.url, '--queue', freshQueue()]);
		await none.exited;
		assert.match(none.stdout(), /No worker is running on queue/);
	});
});

describe('auditlens worker: its command line', () => {
	it('takes redis:// and rediss:// URLs and masks their password in every message', () => {
		assert.equal(redisUrlArg('redis://127.0.0.1:6380/2'), 'redis://127.0.0.1:6380/2');
		assert.equal(redisUrlArg('rediss://user:pw@redis.example:6380'), 'rediss://user:pw@redis.example:6380');
		assert.equal(maskRedisUrl('redis://:hunter2@h:1/0'), 'redis://:***@h:1/0');
		assert.equal(maskRedisUrl('redis://user:hunter2@h:1'), 'redis://user:***@h:1');
		assert.throws(
			() => redisUrlArg('http://:hunter2@h:1'),
			(err: Error) =>
				err instanceof ConfigError && /redis:\/\/ or rediss:\/\//.test(err.message) && !err.message.includes('hunter2'),
		);
		assert.throws(
			() => redisUrlArg('redis://:hunter2@h:1/x'),
			(err: Error) =>
				err instanceof ConfigError && /database number/.test(err.message) && !err.message.includes('hunter2'),
		);
		assert.throws(
			() => redisUrlArg('not a url :hunter2@'),
			(err: Error) => err instanceof ConfigError,
		);
	});

	it('reads the Redis URL from AUDITLENS_REDIS_URL when --redis is not given, and refuses to start without one', () => {
		const saved = process.env.AUDITLENS_REDIS_URL;
		try {
			process.env.AUDITLENS_REDIS_URL = 'redis://10.0.0.5:6379';
			assert.equal(parseWorkerArgs([]).redisUrl, 'redis://10.0.0.5:6379');
			delete process.env.AUDITLENS_REDIS_URL;
			assert.throws(() => parseWorkerArgs([]), /--redis redis:\/\/HOST:PORT/);
		} finally {
			if (saved === undefined) delete process.env.AUDITLENS_REDIS_URL;
			else process.env.AUDITLENS_REDIS_URL = saved;
		}
	});

	it('has defaults for a worker: queue auditlens, one job at a time, 90 s of grace; checks --queue', () => {
		const a = parseWorkerArgs(['--redis', 'redis://h:1']);
		assert.deepEqual(
			{ queue: a.queue, concurrency: a.concurrency, graceMs: a.graceMs, db: a.db },
			{ queue: 'auditlens', concurrency: 1, graceMs: 90_000, db: undefined },
		);
		assert.equal(
			parseWorkerArgs(['--redis', 'redis://h:1', '--queue', 'site-a_1', '--concurrency', '3', '--grace', '30']).graceMs,
			30_000,
		);
		assert.throws(() => parseWorkerArgs(['--redis', 'redis://h:1', '--queue', 'a.b']), /--queue takes a name/);
		assert.throws(() => parseWorkerArgs(['--redis', 'redis://h:1', '--concurrency', '0']), /--concurrency/);
	});

	it('retries a finished audit only for a transient failure of a stage that loads the page', () => {
		const ok = sampleResult();
		assert.equal(retryReason(ok), undefined);
		const crashed = { code: 'CHROME_CRASHED' as const, message: 'Chrome crashed' };
		assert.deepEqual(retryReason({ ...ok, status: 'failed', error: crashed }), crashed);
		assert.equal(retryReason({ ...ok, status: 'failed', error: { code: 'HTTP_ERROR', message: '500' } }), undefined);
		assert.deepEqual(retryReason({ ...ok, status: 'partial', stageErrors: { 'lighthouse-mobile': crashed } }), crashed);
		assert.equal(
			retryReason({ ...ok, status: 'partial', stageErrors: { ai: { code: 'INTERNAL', message: 'AI down' } } }),
			undefined,
			'the AI service is not the page',
		);
	});

	it('classifies failures: a page fault is a result, an engine-side failure is retried', () => {
		for (const code of ['HTTP_ERROR', 'NOT_HTML', 'INVALID_URL', 'REDIRECT_LOOP', 'TIMEOUT', 'LOGIN_ERROR'] as const)
			assert.equal(failureKind(code), 'page', code);
		for (const code of ['CHROME_CRASHED', 'BUSY', 'SHUTTING_DOWN', 'UNREACHABLE', 'INTERNAL'] as const)
			assert.equal(failureKind(code), 'transient', code);
	});
});
