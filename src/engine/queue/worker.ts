import fs from 'node:fs/promises';
import os from 'node:os';
import { type Job, Relay, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { AuditAuth, AuditOptionsInput, AuditResult, FormFactor, ProgressParams } from '../../protocol';
import type { Engine } from '../engine';
import { AuditError, toErrorInfo } from '../errors';
import { screenshotFiles } from '../history/historyRows';
import { type Logger, maskCredentials } from '../log';
import {
	AUDIT_JOB,
	type AuditJobData,
	type AuditJobProgress,
	type AuditJobReturn,
	type CancelRequest,
	cancelTopic,
	encodePayload,
	JOB_FORMAT,
	jobFailure,
	openAuth,
	QUEUE_KEY_ENV,
	type SealedSecret,
	type WorkerStats,
	workerStatsKey,
} from './jobs';
import { connectRedis, maskRedisUrl } from './redisConnection';
import { failureKind, retryReason } from './retryPolicy';

/**
 * How BullMQ notices a worker that died (SIGKILL, a lost machine). A job's lock lasts `lockDuration` and is
 * renewed every half of it while the processor runs: Lighthouse runs in worker threads, so the event loop is free
 * to renew even in a 60 s audit. Every `stalledInterval` one of the live workers marks the active jobs, and moves
 * back to the queue those marked at its previous check whose lock has expired since. A SIGKILLed worker's lock
 * lapses 10-20 s after its death, and the next check or the one after (a check is skipped when another worker
 * made one within the interval) moves its job: it is taken up again within about 30 s, well within a minute, with
 * room for timers late on a busy machine.
 * Two stalls are allowed before a job fails for stalling, so one crashed worker does not cost a URL.
 */
export const WORKER_LOCK = { lockDuration: 20_000, stalledInterval: 5_000, maxStalledCount: 2 } as const;

/** How often a worker writes its WorkerStats; the key expires after three missed writes. */
export const STATS_INTERVAL_MS = 5_000;

export interface QueueWorkerOptions {
	/** `redis://` or `rediss://` URL (checked by `redisUrlArg`). */
	redisUrl: string;
	queue: string;
	/** Jobs taken at once; the engine's `maxConcurrentAudits` should be the same. */
	concurrency: number;
	/** The engine the jobs run on (built by createEngine); the caller closes it after `stop`. */
	engine: Engine;
	/** The passphrase of sealed credentials (AUDITLENS_QUEUE_KEY); without it a job with credentials fails. */
	queueKey?: string;
	log: Logger;
	statsIntervalMs?: number;
}

/** The envelope of a job, checked before anything of it is used; the engine checks the options themselves. */
const sealedSecretSchema = z.object({
	alg: z.literal('aes-256-gcm'),
	salt: z.string(),
	iv: z.string(),
	tag: z.string(),
	data: z.string(),
});
const jobDataSchema = z.object({
	format: z.number(),
	url: z.string().min(1),
	options: z.record(z.string(), z.unknown()).optional(),
	auth: sealedSecretSchema.optional(),
	submitter: z.string(),
	submittedAt: z.number(),
});

/**
 * `auditlens worker`: a BullMQ worker that runs the audit jobs of a queue on one engine (the same pool, limits and
 * stages as a local audit). It returns each job's result with its Lighthouse reports and screenshots (AuditJobReturn),
 * reports progress through the job, classifies failures for BullMQ's retries (retryPolicy.ts), cancels a job when
 * a submitter asks on the Relay (`cancelTopic`), and publishes its stats under `workerStatsKey`.
 */
export class QueueWorker {
	/** `host:pid`, in results, stats and logs. */
	readonly id = `${os.hostname()}:${process.pid}`;
	private readonly startedAt = Date.now();
	private readonly counts = { completed: 0, failed: 0, active: 0 };
	private readonly statsKey: string;
	private readonly redis: Redis;
	private readonly worker: Worker<AuditJobData, AuditJobReturn>;
	private relay?: Relay;
	private statsTimer?: NodeJS.Timeout;
	/** Set when running jobs are to go back to the queue rather than fail (shutdown past its grace period). */
	private requeueing = false;
	private stopping?: Promise<{ requeued: boolean }>;

	private constructor(private readonly opts: QueueWorkerOptions) {
		this.statsKey = workerStatsKey(opts.queue, this.id);
		this.redis = connectRedis(opts.redisUrl, 'auditlens-worker');
		this.worker = new Worker<AuditJobData, AuditJobReturn>(
			opts.queue,
			(job, token, signal) => this.process(job, token, signal),
			{
				connection: this.redis,
				concurrency: opts.concurrency,
				...WORKER_LOCK,
			},
		);
		// ioredis reconnects for ever (every 2 s at most) and reports each failed try: say it once, and when it is back.
		let lost: string | undefined;
		const onError = (err: Error) => {
			if (lost === err.message) return;
			lost = err.message;
			opts.log.warn(`Redis ${maskRedisUrl(opts.redisUrl)}: ${maskCredentials(err.message)}; reconnecting`);
		};
		this.redis.on('error', onError);
		this.worker.on('error', onError);
		this.redis.on('ready', () => {
			if (lost === undefined) return;
			lost = undefined;
			opts.log.info(`Redis ${maskRedisUrl(opts.redisUrl)}: connected again`);
		});
	}

	/** Connect, start taking jobs, subscribe to cancellations and start publishing stats. */
	static async start(opts: QueueWorkerOptions): Promise<QueueWorker> {
		const w = new QueueWorker(opts);
		await w.worker.waitUntilReady();
		w.subscribeCancellations();
		await w.publishStats();
		w.statsTimer = setInterval(() => void w.publishStats(), opts.statsIntervalMs ?? STATS_INTERVAL_MS);
		w.statsTimer.unref();
		return w;
	}

	/** What `workerStatsKey` holds: the engine's stats and this worker's job counts (no secret: see EngineStats). */
	stats(): WorkerStats {
		return {
			worker: this.id,
			queue: this.opts.queue,
			startedAt: this.startedAt,
			updatedAt: Date.now(),
			concurrency: this.opts.concurrency,
			jobs: { ...this.counts },
			engine: this.opts.engine.stats(),
		};
	}

	/**
	 * Stop taking jobs and let the running ones finish; after `graceMs` (or at once on `requeueNow`) they are
	 * cancelled and put back in the queue for another worker, without costing an attempt. Then the stats key is
	 * deleted and the connections closed. Resolves `requeued: true` when jobs had to be put back.
	 */
	stop(graceMs: number): Promise<{ requeued: boolean }> {
		this.stopping ??= (async () => {
			const timer = setTimeout(() => this.requeueNow(), graceMs);
			try {
				await this.worker.close();
			} finally {
				clearTimeout(timer);
				clearInterval(this.statsTimer);
			}
			await this.relay?.close().catch((err: Error) => this.opts.log.debug(`closing the relay: ${err.message}`));
			await this.redis
				.del(this.statsKey)
				.catch((err: Error) => this.opts.log.warn(`could not delete the stats key ${this.statsKey}: ${err.message}`));
			await this.redis.quit().catch(() => this.redis.disconnect());
			return { requeued: this.requeueing };
		})();
		return this.stopping;
	}

	/** Cancel the running jobs and put them back in the queue (a shutdown that cannot wait). */
	requeueNow(): void {
		if (this.counts.active === 0) return;
		this.requeueing = true;
		this.worker.cancelAllJobs('the worker is shutting down');
	}

	private subscribeCancellations(): void {
		// The Relay reads its inbox on its own connection; a Redis older than 6.2 has no Relay: the worker still runs.
		const relay = new Relay({ connection: this.redis });
		relay.on('error', (err: Error) => this.opts.log.debug(`relay: ${err.message}`));
		this.relay = relay;
		relay
			.subscribe<CancelRequest>(cancelTopic(this.opts.queue), (message) => {
				const { jobId, reason } = (message.data ?? {}) as Partial<CancelRequest>;
				if (typeof jobId !== 'string') return;
				if (this.worker.cancelJob(jobId, typeof reason === 'string' ? reason : 'cancelled by the submitter'))
					this.opts.log.info(`job ${jobId}: cancelled by its submitter`);
			})
			.catch((err: Error) =>
				this.opts.log.warn(
					`Jobs cannot be cancelled from their submitters (the BullMQ relay did not start: ${err.message}); they still run and finish.`,
				),
			);
	}

	private async publishStats(): Promise<void> {
		const interval = this.opts.statsIntervalMs ?? STATS_INTERVAL_MS;
		try {
			await this.redis.set(this.statsKey, JSON.stringify(this.stats()), 'PX', 3 * interval);
		} catch (err) {
			this.opts.log.debug(`could not publish the stats: ${(err as Error).message}`);
		}
	}

	/**
	 * One job, counted by how it ends: completed, or failed for good; an attempt to be retried or put back counts as
	 * neither.
	 */
	private async process(
		job: Job<AuditJobData, AuditJobReturn>,
		token: string | undefined,
		signal: AbortSignal | undefined,
	): Promise<AuditJobReturn> {
		try {
			const value = await this.run(job, token, signal);
			this.counts.completed++;
			return value;
		} catch (err) {
			if (!(err instanceof WaitingError) && (err instanceof UnrecoverableError || isLastAttempt(job)))
				this.counts.failed++;
			throw err;
		}
	}

	private async run(
		job: Job<AuditJobData, AuditJobReturn>,
		token: string | undefined,
		signal: AbortSignal | undefined,
	): Promise<AuditJobReturn> {
		const data = this.jobData(job);
		const url = maskCredentials(data.url);
		const auth = data.auth ? this.openAuth(data.auth, url) : undefined;
		// The engine reads a CANCELLED AuditError as a cancellation; BullMQ aborts with a string reason.
		const cancel = new AbortController();
		const onAbort = () => cancel.abort(new AuditError('CANCELLED', `The audit of ${url} was cancelled.`));
		if (signal?.aborted) onAbort();
		else signal?.addEventListener('abort', onAbort, { once: true });
		this.counts.active++;
		const started = Date.now();
		this.opts.log.info(`job ${job.id}: auditing ${url} (attempt ${job.attemptsMade + 1} of ${attemptsOf(job)})`);
		try {
			let result: AuditResult;
			try {
				result = await this.opts.engine.audit(
					{ url: data.url, options: (data.options ?? {}) as AuditOptionsInput, ...(auth ? { auth } : {}) },
					{ progress: (p) => this.progress(job, p) },
					cancel.signal,
				);
			} catch (err) {
				throw await this.failure(job, token, signal, err, url);
			}
			const retry = retryReason(result);
			if (retry && !isLastAttempt(job)) {
				this.opts.log.info(
					`job ${job.id}: ${url} is ${result.status} (${retry.code}), to be retried: ${retry.message}`,
				);
				throw new Error(jobFailure(retry));
			}
			const error = result.status === 'failed' ? result.error : undefined;
			const value: AuditJobReturn = {
				format: JOB_FORMAT,
				result,
				payload: await this.payload(result),
				worker: this.id,
			};
			this.opts.log.info(
				`job ${job.id}: ${url} is ${result.status}${error ? ` (${error.code})` : ''} after ${Math.round((Date.now() - started) / 1000)} s`,
			);
			return value;
		} finally {
			this.counts.active--;
			signal?.removeEventListener('abort', onAbort);
		}
	}

	/** The error a job ends with when the engine refused or stopped its audit. */
	private async failure(
		job: Job<AuditJobData, AuditJobReturn>,
		token: string | undefined,
		signal: AbortSignal | undefined,
		err: unknown,
		url: string,
	): Promise<Error> {
		if (signal?.aborted) {
			if (this.requeueing && token) {
				// Back to the queue as it was: a shutdown is not the job's failure and costs it no attempt.
				await job.moveToWait(token);
				this.opts.log.info(`job ${job.id}: ${url} put back in the queue (the worker is shutting down)`);
				return new WaitingError();
			}
			const reason = typeof signal.reason === 'string' ? signal.reason : 'cancelled';
			return new UnrecoverableError(
				jobFailure({ code: 'CANCELLED', message: `The audit of ${url} was cancelled (${reason}).` }),
			);
		}
		const info = toErrorInfo(err);
		this.opts.log.info(`job ${job.id}: ${url} failed (${info.code}): ${info.message}`);
		return failureKind(info.code) === 'page' || isLastAttempt(job)
			? new UnrecoverableError(jobFailure(info))
			: new Error(jobFailure(info));
	}

	/** The job's data, or an unrecoverable failure: a job of another format or shape never runs. */
	private jobData(job: Job<AuditJobData, AuditJobReturn>): AuditJobData {
		if (job.name !== AUDIT_JOB) throw this.refuse(job, `it is named "${job.name}", not "${AUDIT_JOB}"`);
		const raw = job.data as unknown as { format?: unknown };
		if (raw?.format !== JOB_FORMAT) {
			throw this.refuse(
				job,
				`it is in job format ${JSON.stringify(raw?.format ?? null)} and this worker reads format ${JOB_FORMAT}: run the same AuditLens version on submitters and workers`,
			);
		}
		const parsed = jobDataSchema.safeParse(job.data);
		if (!parsed.success)
			throw this.refuse(
				job,
				`its data is not an audit job (${parsed.error.issues[0].path.join('.') || 'data'}: ${parsed.error.issues[0].message})`,
			);
		return parsed.data as AuditJobData;
	}

	private refuse(job: Job, why: string): UnrecoverableError {
		this.opts.log.warn(`job ${job.id}: refused: ${why}`);
		return new UnrecoverableError(
			jobFailure({ code: 'INVALID_PARAMS', message: `This worker cannot run job ${job.id}: ${why}.` }),
		);
	}

	/**
	 * The job's credentials, opened with the queue key; without the right key the job cannot run anywhere like this one.
	 */
	private openAuth(sealed: SealedSecret, url: string): AuditAuth {
		if (!this.opts.queueKey) {
			throw new UnrecoverableError(
				jobFailure({
					code: 'INVALID_PARAMS',
					message: `The job for ${url} carries sealed credentials and this worker has no ${QUEUE_KEY_ENV}: set it to the submitter's passphrase and start the worker again.`,
				}),
			);
		}
		try {
			return openAuth(sealed, this.opts.queueKey);
		} catch {
			throw new UnrecoverableError(
				jobFailure({
					code: 'INVALID_PARAMS',
					message: `The credentials of the job for ${url} could not be opened with this worker's ${QUEUE_KEY_ENV}: the submitter and the workers must use the same passphrase.`,
				}),
			);
		}
	}

	private progress(job: Job<AuditJobData, AuditJobReturn>, p: ProgressParams): void {
		const progress: AuditJobProgress = p;
		job
			.updateProgress(progress)
			.catch((err: Error) => this.opts.log.debug(`job ${job.id}: progress not sent: ${err.message}`));
	}

	/** The Lighthouse reports and screenshot files of a result, for the submitter's history. */
	private async payload(result: AuditResult): Promise<string> {
		const lhrs: Partial<Record<FormFactor, unknown>> = {};
		for (const formFactor of result.options.formFactors) {
			try {
				lhrs[formFactor] = JSON.parse(
					await this.opts.engine.getReport({ id: result.id, formFactor, format: 'json' }),
				) as unknown;
			} catch (err) {
				// A form factor whose Lighthouse run failed has no report.
				if (toErrorInfo(err).code !== 'NOT_FOUND') throw err;
			}
		}
		const files: Record<string, string> = {};
		for (const file of screenshotFiles(result)) {
			try {
				files[file] = (await fs.readFile(file)).toString('base64');
			} catch (err) {
				this.opts.log.warn(
					`the screenshot ${file} of ${maskCredentials(result.url)} could not be read: ${(err as Error).message}`,
				);
			}
		}
		return encodePayload({ lhrs, files });
	}
}

/** This attempt is the job's last: a transient failure now is returned or fails the job, not retried. */
function isLastAttempt(job: Job): boolean {
	return job.attemptsMade + 1 >= attemptsOf(job);
}

/** The attempts a job was given (BullMQ stores 0 when the submitter gave none: one attempt). */
function attemptsOf(job: Job): number {
	return Math.max(1, job.opts.attempts ?? 1);
}
