/**
 * `auditlens worker --redis URL`: run audit jobs from a BullMQ queue on this machine's engine until SIGTERM or
 * SIGINT (many may run, on many machines).
 */
import { findChrome } from '../../engine/chrome/findChrome';
import { startOrphanWatchdog } from '../../engine/chrome/watchdog';
import { createEngine } from '../../engine/createEngine';
import { createLogger } from '../../engine/log';
import { DEFAULT_QUEUE, QUEUE_KEY_ENV } from '../../engine/queue/jobs';
import { maskRedisUrl, queueNameArg, redisUrlArg } from '../../engine/queue/redisConnection';
import { QueueWorker } from '../../engine/queue/worker';
import { asUsage, type Command, intOption, type OptionTable, parseCommandLine } from '../args';
import { checkDbArg, engineSettings, SHARED_AUDIT_OPTIONS } from '../auditOptions';
import { EXIT, signalExit } from '../exitCodes';
import { warn } from '../output/text';
import { watchSignals } from '../signals';

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
	redis: {
		type: 'string',
		value: 'URL',
		help: 'redis://[:password@]host[:port][/db] or rediss:// (TLS); else AUDITLENS_REDIS_URL\n(keeps a password off the command line). The password is never printed.',
	},
	queue: { type: 'string', value: 'NAME', help: 'the queue (default auditlens)' },
	concurrency: {
		type: 'string',
		value: 'N',
		help: 'jobs audited at once (default 1: few audits per machine give steadier scores)',
	},
	db: {
		type: 'string',
		value: 'PATH',
		help: "keep the worker's own history in this file (default: in memory; the\nsubmitter keeps the results in its history)",
	},
	grace: {
		type: 'string',
		value: 'SECONDS',
		help: 'on SIGTERM/SIGINT, how long running jobs may finish before they are put back\nin the queue for another worker (default 90); a second signal puts them back\nat once. Exit 0 when every job finished, 143/130 when jobs were put back.',
	},
	'chrome-path': SHARED_AUDIT_OPTIONS['chrome-path'],
	'no-trace-slot': {
		type: 'boolean',
		help: "let concurrent runs' page loads overlap: faster, scores noisier on a busy machine",
	},
	verbose: { type: 'boolean', help: 'debug logs on stderr' },
} as const satisfies OptionTable;

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
	let worker: QueueWorker | undefined;
	let stopped!: (signal: NodeJS.Signals) => void;
	const stop = new Promise<NodeJS.Signals>((resolve) => (stopped = resolve));
	// Listening from the start: a worker still waiting for Redis stops at once, and closes its engine.
	const signals = watchSignals(engine, {
		first: (s) => {
			if (!worker) {
				warn(`${s}: stopping (the worker had not connected to Redis yet)`);
				void engine.close().finally(() => process.exit(signalExit(s)));
				return;
			}
			warn(
				`${s}: taking no more jobs; running jobs may finish for ${a.graceMs / 1000} s (${s} again puts them back in the queue)`,
			);
			stopped(s);
		},
		again: (s, first) => {
			if (!worker) return process.exit(signalExit(first));
			warn(`${s} again: putting the running jobs back in the queue`);
			worker.requeueNow();
			// Putting jobs back needs Redis: when it is gone too, leave anyway (the jobs' locks expire, and BullMQ
			// gives them to another worker); the exit handler kills every Chrome.
			setTimeout(() => {
				warn('the worker could not stop cleanly within 10 s (is Redis reachable?); exiting now');
				process.exit(signalExit(first));
			}, 10_000).unref();
		},
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
		signals.dispose();
		throw err;
	}
	warn(
		`worker ${worker.id}: taking audit jobs from queue "${a.queue}" on ${maskRedisUrl(a.redisUrl)}, ${a.concurrency} at a time; SIGTERM or Ctrl-C stops it`,
	);
	const stoppedBy = await stop;
	const { requeued } = await worker.stop(a.graceMs);
	await engine.close();
	signals.dispose();
	warn(`worker ${worker.id}: stopped${requeued ? ' (running jobs were put back in the queue)' : ''}; Chrome closed`);
	return requeued ? signalExit(stoppedBy) : EXIT.ok;
}

export const worker: Command = {
	name: 'worker',
	usage: ['worker --redis URL [worker options]'],
	brief: 'run audit jobs from a BullMQ queue on Redis',
	summary:
		'Run the audit jobs submitted to a Redis queue (auditlens audit|scan --redis) on this machine, until SIGTERM or\nCtrl-C. Many workers may run, on many machines.',
	sections: [{ title: 'Worker options', options: WORKER_OPTIONS }],
	notes: `Credentials of signed-in audits travel sealed: set AUDITLENS_QUEUE_KEY to the submitters' passphrase.
API keys are the worker's own: ANTHROPIC_API_KEY, CRUX_API_KEY. A page fault (HTTP 500, not HTML, a timeout)
is a result, not retried; an engine-side failure (Chrome crashed, unreachable host) is retried with backoff.`,
	async run(argv) {
		const args = parseWorkerArgs(argv);
		// The watchdog kills this worker's Chromes if it is SIGKILLed (its jobs go back to the queue by BullMQ's lock).
		startOrphanWatchdog();
		return await workerCommand(args);
	},
};
