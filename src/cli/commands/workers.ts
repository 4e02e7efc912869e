/** `auditlens workers --redis URL`: the live workers of a queue with their stats. */
import { Redis } from 'ioredis';
import { maskCredentials } from '../../engine/log';
import { DEFAULT_QUEUE, type WorkerStats, workerStatsKey } from '../../engine/queue/jobs';
import { maskRedisUrl, queueNameArg, redisUrlArg } from '../../engine/queue/redisConnection';
import { safeText } from '../../shared/terminalText';
import { asUsage, type Command, type OptionTable, parseCommandLine } from '../args';
import { EXIT } from '../exitCodes';
import { writeJson } from '../output/json';

const WORKERS_OPTIONS = {
	redis: { type: 'string', value: 'URL', help: 'the Redis of the queue (else AUDITLENS_REDIS_URL)' },
	queue: { type: 'string', value: 'NAME', help: 'the queue (default auditlens)' },
	json: { type: 'boolean', help: "print the workers' stats as one JSON document" },
} as const satisfies OptionTable;

export interface WorkersArgs {
	redisUrl: string;
	queue: string;
	json: boolean;
}

export function parseWorkersArgs(argv: string[]): WorkersArgs {
	const { values: v } = parseCommandLine({ args: argv, options: WORKERS_OPTIONS, allowPositionals: false });
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
		writeJson(out, stats);
		return EXIT.ok;
	}
	if (stats.length === 0) {
		out.write(`No worker is running on queue "${a.queue}".\n`);
		return EXIT.ok;
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
	return EXIT.ok;
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

export const workers: Command = {
	name: 'workers',
	usage: ['workers --redis URL [--queue NAME] [--json]'],
	brief: 'the live workers of a queue and their stats',
	summary: 'The live workers of a queue and their stats: jobs, Chromes, memory.',
	sections: [{ title: 'Options', options: WORKERS_OPTIONS }],
	run: async (argv) => await workersCommand(parseWorkersArgs(argv)),
};
