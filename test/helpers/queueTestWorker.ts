import { Queue, QueueEvents } from 'bullmq';
import type { Engine } from '../../src/engine/engine';
import { QueueWorker } from '../../src/engine/queue/worker';
import { recordingLogger } from './sampleResult';

/**
 * The real queue worker (`auditlens worker`'s QueueWorker, in this process over an engine the test owns) and what
 * the submitter's tests watch of it, read from the queue's own events in Redis: which jobs it started, which
 * ended failed and why.
 */
export interface TestWorker {
	/** Resolves with the ids of the first `n` jobs a worker took, in order, once it has taken them. */
	active(n: number): Promise<string[]>;
	/** Every job of the queue with how many times a worker took it, and its state. */
	jobs(): Promise<{ id: string; attemptsStarted: number; state: string }[]>;
	/** Resolves with the failure reason of job `jobId` once it has failed for good. */
	failed(jobId: string): Promise<string>;
	close(): Promise<void>;
}

export interface TestWorkerOptions {
	redis: string;
	queue: string;
	engine: Engine;
	concurrency?: number;
	/** The queue passphrase the worker opens credentials with (none: a job with credentials fails). */
	queueKey?: string;
}

export async function startTestWorker(opts: TestWorkerOptions): Promise<TestWorker> {
	const started: string[] = [];
	const onActive = new Set<() => void>();
	const failures = new Map<string, string>();
	const waiting = new Map<string, (reason: string) => void>();
	const u = new URL(opts.redis);
	const connection = { host: u.hostname, port: Number(u.port) };
	const events = new QueueEvents(opts.queue, { connection });
	const queue = new Queue(opts.queue, { connection });
	events.on('active', ({ jobId }) => {
		started.push(jobId);
		for (const f of onActive) f();
	});
	events.on('failed', ({ jobId, failedReason }) => {
		failures.set(jobId, failedReason);
		waiting.get(jobId)?.(failedReason);
	});
	await events.waitUntilReady();
	const worker = await QueueWorker.start({
		redisUrl: opts.redis,
		queue: opts.queue,
		concurrency: opts.concurrency ?? 1,
		engine: opts.engine,
		...(opts.queueKey ? { queueKey: opts.queueKey } : {}),
		log: recordingLogger(),
	});
	return {
		active: (n) =>
			new Promise((resolve) => {
				const check = () => {
					if (started.length < n) return;
					onActive.delete(check);
					resolve(started.slice(0, n));
				};
				onActive.add(check);
				check();
			}),
		async jobs() {
			const jobs = await queue.getJobs(['completed', 'failed', 'active', 'waiting', 'delayed', 'prioritized']);
			return Promise.all(
				jobs.map(async (j) => ({ id: j.id as string, attemptsStarted: j.attemptsStarted, state: await j.getState() })),
			);
		},
		failed: (jobId) => {
			const known = failures.get(jobId);
			return known !== undefined ? Promise.resolve(known) : new Promise((resolve) => waiting.set(jobId, resolve));
		},
		async close() {
			await worker.stop(0);
			await events.close();
			await queue.close();
		},
	};
}
