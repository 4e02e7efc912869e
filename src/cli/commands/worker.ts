/**
 * `auditlens worker --redis URL`: run audit jobs from a BullMQ queue on this machine's engine until SIGTERM or
 * SIGINT, and `auditlens workers --redis URL`: the live workers of a queue with their stats.
 */
import { Redis } from 'ioredis';
import { safeText } from '../../shared/terminalText';
import { asUsage, intOption, parseCommandLine } from '../args';
import { findChrome } from '../../engine/chrome/findChrome';
import { checkDbArg, engineSettings, warn } from '../auditOptions';
import { createEngine } from '../../engine/createEngine';
import { createLogger, maskCredentials } from '../../engine/log';
import { DEFAULT_QUEUE, QUEUE_KEY_ENV, type WorkerStats, workerStatsKey } from '../../engine/queue/jobs';
import { maskRedisUrl, queueNameArg, redisUrlArg } from '../../engine/queue/redisConnection';
import { QueueWorker } from '../../engine/queue/worker';

/**
 * How long SIGTERM lets running jobs finish by default: longer than a slow audit (10-60 s), shorter than the
 * time a supervisor waits before SIGKILL (docker compose's stop_grace_period should be above it).
 */
const DEFAULT_GRACE_S = 90;

/** Audits an in-memory worker history keeps. */
const IN_MEMORY_HISTORY = 50;

export interface WorkerArgs {
	redisUrl: string;
	queue: string;
	concurrency: number;
	/** History database; undefined keeps the worker's history in memory (the submitter keeps the results). */
	db?: string;
	chromePath?: string;
	/** How long SIGTERM lets running jobs finish before they are put back in the queue. */
	graceMs: number;
	traceSlot: boolean;
	verbose: boolean;
}

const WORKER_OPTIONS = {
	redis: { type: 'string' },
	queue: { type: 'string' },
	concurrency: { type: 'string' },
	db: { type: 'string' },
	'chrome-path': { type: 'string' },
	grace: { type: 'string' },
	'no-trace-slot': { type: 'boolean' },
	verbose: { type: 'boolean' },
} as const;

export function parseWorkerArgs(argv: string[]): WorkerArgs {
	const { values: v } = parseCommandLine({ args: argv, options: WORKER_OPTIONS, allowPositionals: false });
	if (v.db !== undefined) checkDbArg(v.db);
	return {
		redisUrl: asUsage(() => redisUrlArg(v.redis)),
		queue: asUsage(() => queueNameArg(v.queue, DEFAULT_QUEUE)),
		concurrency: v.concurrency === undefined ? 1 : intOption(v.concurrency, '--concurrency', 1, 16),
		...(v.db !== undefined ? { db: v.db } : {}),
		...(v['chrome-path'] !== undefined ? { chromePath: v['chrome-path'] } : {}),
		graceMs: (v.grace === undefined ? DEFAULT_GRACE_S : intOption(v.grace, '--grace', 0, 3600)) * 1000,
		traceSlot: v['no-trace-slot'] !== true,
		verbose: v.verbose === true,
	};
}

/**
 * Run the worker until a signal. The first SIGTERM/SIGINT stops taking jobs and lets the running ones finish
 * (for up to --grace seconds; then they go back to the queue); a second one puts them back at once. Answers 0
 * after a stop that let every job finish, 128 + the signal when jobs had to be put back.
 */
export async function workerCommand(a: WorkerArgs): Promise<number> {
	const log = createLogger(a.verbose ? 'debug' : 'info');
	const settings = {
		...engineSettings(
			{
				concurrency: a.concurrency,
				formFactors: ['mobile', 'desktop'],
				accuracy: false,
				usePool: true,
				traceSlot: a.traceSlot,
				chromePath: a.chromePath,
			},
			a.concurrency,
		),
		// An in-memory history only serves each job's reports to its return value (and the cache of recent ones):
		// a long-running worker keeps the last few, not a thousand Lighthouse reports in memory.
		...(a.db === undefined ? { historyMaxCount: IN_MEMORY_HISTORY } : {}),
	};
	// A worker without Chrome would fail every job it takes: refuse to start instead.
	await findChrome(settings.chromePath);
	const engine = await createEngine({ db: a.db, settings, log: log.child('engine'), onWarning: warn });
	const onExit = () => engine.killAllSync();
	process.on('exit', onExit);
	let worker: QueueWorker | undefined;
	// Listening from the start: a worker still waiting for Redis stops at once, and closes its engine.
	const signal = new Promise<NodeJS.Signals>((resolve) => {
		let first: NodeJS.Signals | undefined;
		const handler = (s: NodeJS.Signals) => {
			const code = s === 'SIGINT' ? 130 : 143;
			if (!worker) {
				warn(`${s}: stopping (the worker had not connected to Redis yet)`);
				void engine.close().finally(() => process.exit(code));
				return;
			}
			if (first) {
				warn(`${s} again: putting the running jobs back in the queue`);
				worker.requeueNow();
				// Putting jobs back needs Redis: when it is gone too, leave anyway (the jobs' locks expire, and BullMQ
				// gives them to another worker); the exit handler kills every Chrome.
				setTimeout(() => {
					warn('the worker could not stop cleanly within 10 s (is Redis reachable?); exiting now');
					process.exit(code);
				}, 10_000).unref();
				return;
			}
			first = s;
			warn(
				`${s}: taking no more jobs; running jobs may finish for ${a.graceMs / 1000} s (${s} again puts them back in the queue)`,
			);
			resolve(s);
		};
		process.on('SIGINT', handler);
		process.on('SIGTERM', handler);
	});
	try {
		warn(`worker: connecting to ${maskRedisUrl(a.redisUrl)}…`);
		worker = await QueueWorker.start({
			redisUrl: a.redisUrl,
			queue: a.queue,
			concurrency: a.concurrency,
			engine,
			queueKey: process.env[QUEUE_KEY_ENV] || undefined,
			log: log.child('worker'),
		});
	} catch (err) {
		await engine.close();
		throw err;
	}
	warn(
		`worker ${worker.id}: taking audit jobs from queue "${a.queue}" on ${maskRedisUrl(a.redisUrl)}, ${a.concurrency} at a time; SIGTERM or Ctrl-C stops it`,
	);
	const stoppedBy = await signal;
	const { requeued } = await worker.stop(a.graceMs);
	await engine.close();
	process.off('exit', onExit);
	warn(`worker ${worker.id}: stopped${requeued ? ' (running jobs were put back in the queue)' : ''}; Chrome closed`);
	return requeued ? (stoppedBy === 'SIGINT' ? 130 : 143) : 0;
}

export interface WorkersArgs {
	redisUrl: string;
	queue: string;
	json: boolean;
}

export function parseWorkersArgs(argv: string[]): WorkersArgs {
	const options = { redis: { type: 'string' }, queue: { type: 'string' }, json: { type: 'boolean' } } as const;
	const { values: v } = parseCommandLine({ args: argv, options, allowPositionals: false });
	return {
		redisUrl: asUsage(() => redisUrlArg(v.redis)),
		queue: asUsage(() => queueNameArg(v.queue, DEFAULT_QUEUE)),
		json: v.json === true,
	};
}

/** The stats of the live workers of a queue (their keys expire when a worker stops writing them). */
export async function liveWorkers(redisUrl: string, queue: string): Promise<WorkerStats[]> {
	// A listing fails fast when Redis is not there, unlike a worker, which waits for it.
	const redis = new Redis(redisUrl, {
		maxRetriesPerRequest: 1,
		retryStrategy: (times) => (times > 2 ? null : 200),
		connectionName: 'auditlens-workers',
		lazyConnect: true,
	});
	let lastError: string | undefined;
	redis.on('error', (err: Error) => (lastError = err.message));
	try {
		await redis.connect();
		const keys: string[] = [];
		for await (const batch of redis.scanStream({ match: workerStatsKey(queue, '*'), count: 200 }) as AsyncIterable<
			string[]
		>)
			keys.push(...batch);
		const values = keys.length ? await redis.mget(keys) : [];
		const stats: WorkerStats[] = [];
		for (const value of values) {
			if (!value) continue;
			try {
				stats.push(JSON.parse(value) as WorkerStats);
			} catch {
				// a key being rewritten; the next listing has it
			}
		}
		return stats.sort((a, b) => a.worker.localeCompare(b.worker));
	} catch (err) {
		const why = lastError ?? (err as Error).message;
		throw new Error(
			`could not read the workers of queue "${queue}" from ${maskRedisUrl(redisUrl)} (${maskCredentials(why)}): check the URL and that Redis runs there`,
		);
	} finally {
		redis.disconnect();
	}
}

/** `auditlens workers`: a line per live worker, or their WorkerStats as JSON. */
export async function workersCommand(a: WorkersArgs, out: NodeJS.WritableStream = process.stdout): Promise<number> {
	const stats = await liveWorkers(a.redisUrl, a.queue);
	if (a.json) {
		out.write(`${JSON.stringify(stats, null, 2)}\n`);
		return 0;
	}
	if (stats.length === 0) {
		out.write(`No worker is running on queue "${a.queue}".\n`);
		return 0;
	}
	const rows = [
		['WORKER', 'JOBS ACTIVE', 'COMPLETED', 'FAILED', 'CONCURRENCY', 'CHROMES', 'MEMORY', 'UP'],
		...stats.map(workerRow),
	];
	const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
	for (const row of rows)
		out.write(
			`${row
				.map((cell, i) => cell.padEnd(widths[i]))
				.join('  ')
				.trimEnd()}\n`,
		);
	return 0;
}

function workerRow(s: WorkerStats): string[] {
	const chromes = s.engine.browsers.busy + s.engine.browsers.idle;
	return [
		safeText(s.worker, { max: 80 }),
		String(s.jobs.active),
		String(s.jobs.completed),
		String(s.jobs.failed),
		String(s.concurrency),
		String(chromes),
		`${Math.round(s.engine.memory.totalRss / 1048576)} MB`,
		`${Math.round((s.updatedAt - s.startedAt) / 60_000)} min`,
	];
}
