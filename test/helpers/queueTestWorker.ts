import fs from 'node:fs';
import { Relay, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Engine } from '../../src/engine/engine';
import { toErrorInfo } from '../../src/engine/errors';
import {
	type AuditJobData,
	type AuditJobPayload,
	type AuditJobReturn,
	type CancelRequest,
	cancelTopic,
	encodePayload,
	JOB_FORMAT,
	jobFailure,
	openAuth,
	QUEUE_KEY_ENV,
} from '../../src/engine/queue/jobs';
import type { AuditResult, FormFactor } from '../../src/protocol';

/**
 * A minimal BullMQ worker over a real Engine, speaking the queue contract (jobs.ts), for the submitter's tests
 * while `auditlens worker` (queue/worker.ts) is built beside them: each job is one `engine.audit`, its progress
 * the engine's, its return value the result with its Lighthouse reports and screenshots; a cancel request on the
 * contract's Relay topic aborts the job's audit.
 */
export interface TestWorker {
	/** Job ids in the order their processing started (a job run twice is listed twice). */
	readonly started: string[];
	/** Resolves when the job `jobId` has been cancelled by a request on the cancel topic. */
	cancelled(jobId: string): Promise<void>;
	close(): Promise<void>;
}

export interface TestWorkerOptions {
	redis: string;
	queue: string;
	engine: Engine;
	concurrency?: number;
	/** URLs whose jobs fail for good (a worker that cannot audit them), with this error. */
	failFor?: (url: string) => { code: 'CHROME_CRASHED'; message: string } | undefined;
}

export async function startTestWorker(opts: TestWorkerOptions): Promise<TestWorker> {
	const started: string[] = [];
	const cancels = new Map<string, () => void>();
	const cancelledPromises = new Map<string, Promise<void>>();
	const cancelledOf = (jobId: string) => {
		let p = cancelledPromises.get(jobId);
		if (!p) {
			p = new Promise<void>((resolve) => cancels.set(jobId, resolve));
			cancelledPromises.set(jobId, p);
		}
		return p;
	};
	const { engine } = opts;
	const connection = new Redis(opts.redis, { maxRetriesPerRequest: null });
	const worker = new Worker<AuditJobData, AuditJobReturn>(
		opts.queue,
		async (job, _token, signal) => {
			const jobId = job.id as string;
			started.push(jobId);
			const failure = opts.failFor?.(job.data.url);
			if (failure) throw new UnrecoverableError(jobFailure(failure));
			const auth = job.data.auth ? openAuth(job.data.auth, process.env[QUEUE_KEY_ENV] ?? '') : undefined;
			const onAbort = () => engine.cancel(jobId);
			signal?.addEventListener('abort', onAbort, { once: true });
			let result: AuditResult;
			try {
				result = await engine.audit({ url: job.data.url, options: job.data.options, auditId: jobId, ...(auth ? { auth } : {}) }, { progress: (p) => void job.updateProgress(p) });
			} catch (err) {
				const failure = jobFailure(toErrorInfo(err));
				if (signal?.aborted) {
					void cancelledOf(jobId);
					cancels.get(jobId)?.();
					throw new UnrecoverableError(failure);
				}
				throw new Error(failure);
			} finally {
				signal?.removeEventListener('abort', onAbort);
			}
			const payload: AuditJobPayload = { lhrs: {}, files: {} };
			for (const ff of result.options.formFactors as FormFactor[]) {
				const lhr = await engine.getReport({ id: result.id, formFactor: ff, format: 'json' }).catch(() => undefined);
				if (lhr) payload.lhrs[ff] = JSON.parse(lhr) as unknown;
			}
			const capture = result.stages.capture;
			if (capture?.status === 'ok') {
				for (const pair of Object.values(capture.data.shots)) {
					for (const shot of [pair?.viewport, pair?.fullPage]) if (shot) payload.files[shot.path] = fs.readFileSync(shot.path).toString('base64');
				}
			}
			return { format: JOB_FORMAT, result, payload: encodePayload(payload), worker: `test:${process.pid}` };
		},
		{ connection, concurrency: opts.concurrency ?? 1, autorun: true },
	);
	worker.on('error', () => undefined);
	const relayConnection = connection.duplicate();
	const relay = new Relay({ connection: relayConnection });
	await relay.subscribe<CancelRequest>(cancelTopic(opts.queue), (message) => {
		worker.cancelJob(message.data.jobId, message.data.reason);
	});
	await worker.waitUntilReady();
	return {
		started,
		cancelled: cancelledOf,
		async close() {
			await relay.close();
			await worker.close();
			relayConnection.disconnect();
			connection.disconnect();
		},
	};
}
