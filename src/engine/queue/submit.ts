import { createHash, randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { type Job, Queue, QueueEvents, Relay } from 'bullmq';
import { Redis } from 'ioredis';
import type {
	AuditAuth,
	AuditOptionsInput,
	AuditParams,
	AuditResult,
	BatchAuditParams,
	BatchAuditResult,
	EngineSettings,
	GetReportParams,
	LocateParams,
	LocateResult,
	ProgressParams,
	ScanParams,
	ScanReport,
} from '../../protocol';
import { authSecrets, resolveAuth } from '../auth/authRequest';
import { artifactsDirOf, openHistory } from '../createEngine';
import { auditBatch, type AuditListener, cancelById, type ScanListener } from '../engine';
import { abortError, AuditError, toErrorInfo } from '../errors';
import type { HistoryStore } from '../history/historyStore';
import { locateStored, previousScan, storedReport } from '../history/storedAudit';
import { type Logger, redact, registerSecret } from '../log';
import { auditParamsSchema, normalizeUrl, parseParams, resolveOptions } from '../request';
import { cacheKey } from '../resultCache';
import { runScan, toScanRequest } from '../scan/scan';
import { DEFAULT_SETTINGS } from '../settings';
import { checkJobReturn, localResult } from './jobResult';
import { type JobOutcome, JobWaiters, type Waiter } from './jobWaiters';
import {
	AUDIT_JOB,
	type AuditJobData,
	type AuditJobProgress,
	type AuditJobReturn,
	auditJobId,
	type CancelRequest,
	cancelTopic,
	DEFAULT_QUEUE,
	JOB_FORMAT,
	parseJobFailure,
	QUEUE_KEY_ENV,
	sealAuth,
} from './jobs';
import { maskRedisUrl } from './redisConnection';

/**
 * The submitter side of the queue (`auditlens audit|scan --redis URL`): each URL becomes a BullMQ job that workers
 * (`auditlens worker`, queue/worker.ts) run on their own engines. It offers what the CLI uses of an Engine (batch,
 * scan, cancel, getReport, locate, close), so the CLI's output code is the same for both: results come back from
 * the workers and are saved into this machine's own history, once each, and read back from there.
 */

/** Job options: a few attempts with exponential backoff (the worker says which failures are worth one). */
export const JOB_ATTEMPTS = 3;
export const JOB_BACKOFF_MS = 5_000;
/**
 * How long a finished job stays in Redis: a second submitter asking for the same audit meanwhile gets its result
 * (a completed job works as a short-lived cache shared by every submitter); older ones are removed, so Redis does
 * not grow for ever. A completed job holds its result with the Lighthouse reports and screenshots (a few hundred
 * KiB): ten minutes and at most 1,000 of them. A failed job is small and stays a day, for a person to look at.
 */
export const KEEP_COMPLETED = { age: 600, count: 1_000 };
export const KEEP_FAILED = { age: 24 * 3600, count: 10_000 };

/**
 * How often the jobs waited for are looked at in Redis, beside the events (a missed event, a Redis restarted empty).
 */
const DEFAULT_POLL_MS = 15_000;
/** A submit or a cancel that cannot reach Redis fails within seconds instead of waiting for it. */
const CONNECT_TIMEOUT_MS = 5_000;
const COMMAND_RETRIES = 3;

export interface QueueSubmitterOptions {
	/** `redis://…` or `rediss://…`; its password is never shown. */
	redis: string;
	queue?: string;
	/** The submitter's history file (undefined: in memory). */
	db?: string;
	/** Where the screenshots of the results go (default: `artifacts` beside the history, as the local engine). */
	artifactsDir?: string;
	/** History settings (retention, cache TTL); the audits' own settings are the workers'. */
	settings?: Partial<EngineSettings>;
	log: Logger;
	onWarning?: (message: string) => void;
	/** The passphrase sealing credentials on the queue; default AUDITLENS_QUEUE_KEY. Needed only for signed-in audits. */
	passphrase?: string;
	/** How often waited-for jobs are checked in Redis besides their events (default 15 s). */
	pollMs?: number;
}

/** Open the submitter's history and connect to the queue; a Redis that cannot be reached is an error within seconds. */
export async function createQueueSubmitter(opts: QueueSubmitterOptions): Promise<QueueSubmitter> {
	await probeRedis(opts.redis);
	const settings: EngineSettings = { ...DEFAULT_SETTINGS, ...opts.settings };
	const history = await openHistory(opts, settings);
	const submitter = new QueueSubmitter(opts, history, artifactsDirOf(opts));
	try {
		await submitter.ready();
	} catch (err) {
		await submitter.close();
		throw err;
	}
	return submitter;
}

/** Connect once, without retries: a wrong host or port is said at once, not after ioredis's endless reconnects. */
async function probeRedis(url: string): Promise<void> {
	const client = new Redis(url, {
		lazyConnect: true,
		connectTimeout: CONNECT_TIMEOUT_MS,
		maxRetriesPerRequest: 0,
		retryStrategy: () => null,
		enableOfflineQueue: false,
	});
	client.on('error', () => undefined);
	try {
		await client.connect();
		await client.ping();
	} catch (err) {
		throw new AuditError(
			'UNREACHABLE',
			`Redis at ${maskRedisUrl(url)} cannot be reached (${redact((err as Error).message)}): start it, or check --redis.`,
		);
	} finally {
		client.disconnect();
	}
}

export class QueueSubmitter {
	readonly queueName: string;
	/** `host:pid:random`, as the job data's `submitter`. */
	readonly id = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
	private readonly log: Logger;
	private readonly passphrase: string | undefined;
	/**
	 * Keys the hash of credentials in job ids: submitters sharing the passphrase share signed-in jobs, nobody else can
	 * tell them.
	 */
	private readonly authKey: Buffer | undefined;
	/** For the Queue and our own commands: bounded retries, so a submit fails within seconds when Redis is down. */
	private readonly client: Redis;
	/** For QueueEvents' blocking reads: waits through a Redis restart. */
	private readonly eventsClient: Redis;
	private readonly queue: Queue<AuditJobData, AuditJobReturn>;
	private readonly events: QueueEvents;
	/** Made on the first cancel of a running job: most runs never need one. */
	private relay?: { relay: Relay; connection: Redis };
	private readonly waiters = new JobWaiters();
	/** Results saved into the history by id: a job's result is saved once however often it is delivered. */
	private readonly saved = new Map<string, Promise<AuditResult>>();
	private readonly cancellers = new Map<string, AbortController>();
	/** Cancellations on their way to Redis: closing waits for them. */
	private readonly cancelling = new Set<Promise<void>>();
	private readonly poller: NodeJS.Timeout;
	private closing?: Promise<void>;

	constructor(
		opts: QueueSubmitterOptions,
		private readonly history: HistoryStore,
		private readonly artifactsDir: string,
	) {
		this.queueName = opts.queue ?? DEFAULT_QUEUE;
		this.log = opts.log.child('queue');
		this.passphrase = opts.passphrase ?? (process.env[QUEUE_KEY_ENV] || undefined);
		this.authKey =
			this.passphrase === undefined
				? undefined
				: createHash('sha256').update(`auditlens job id\n${this.passphrase}`).digest();
		const retryStrategy = (times: number) => Math.min(times * 500, 5_000);
		this.client = new Redis(opts.redis, {
			connectionName: 'auditlens-submit',
			connectTimeout: CONNECT_TIMEOUT_MS,
			maxRetriesPerRequest: COMMAND_RETRIES,
			retryStrategy,
		});
		this.eventsClient = new Redis(opts.redis, {
			connectionName: 'auditlens-submit-events',
			connectTimeout: CONNECT_TIMEOUT_MS,
			maxRetriesPerRequest: null,
			retryStrategy,
		});
		// ioredis reports each failed reconnect; the submit or the poll that needs Redis says what failed, once.
		for (const c of [this.client, this.eventsClient])
			c.on('error', (err: Error) => this.log.debug(`Redis: ${redact(err.message)}`));
		this.queue = new Queue<AuditJobData, AuditJobReturn>(this.queueName, { connection: this.client });
		this.queue.on('error', (err) => this.log.debug(`queue: ${redact(err.message)}`));
		this.events = new QueueEvents(this.queueName, { connection: this.eventsClient });
		this.events.on('error', (err) => this.log.debug(`queue events: ${redact(err.message)}`));
		this.events.on('progress', ({ jobId, data }) => this.progress(jobId, data));
		this.events.on('completed', ({ jobId, returnvalue }) =>
			this.settleJob(jobId, { ret: returnvalue as unknown as AuditJobReturn, earlier: false }),
		);
		this.events.on('failed', ({ jobId, failedReason }) => this.settleJob(jobId, { error: jobError(failedReason) }));
		this.poller = setInterval(() => void this.poll(), opts.pollMs ?? DEFAULT_POLL_MS);
		this.poller.unref();
	}

	/** Resolves once the queue and its events listen: a job added after this has none of its events missed. */
	async ready(): Promise<void> {
		await Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]);
	}

	/**
	 * Audit one URL on the workers: resolves with its result (saved into this history), or rejects when no audit
	 * took place (INVALID_URL, INVALID_PARAMS, a job that failed for good, CANCELLED). `signal` cancels it.
	 */
	async audit(params: AuditParams, listener: AuditListener = {}, signal?: AbortSignal): Promise<AuditResult> {
		this.assertOpen();
		if (signal?.aborted) throw abortError(signal);
		const checked = parseParams(auditParamsSchema, params, 'auditlens/audit');
		const auditId = checked.auditId ?? randomUUID();
		const url = normalizeUrl(checked.url);
		const plan = checked.auth ? resolveAuth(checked.auth, this.authKeyOrThrow()) : undefined;
		// Header and cookie values are masked in every log line while this audit is waited for.
		const releaseSecrets = (plan ? authSecrets(plan) : []).map((value) => registerSecret(value, 6));
		try {
			const key = this.keyOf(url, checked.options, plan?.hash);
			const jobId = auditJobId(key);
			const data: AuditJobData = {
				format: JOB_FORMAT,
				url,
				options: checked.options ?? {},
				...(checked.auth ? { auth: this.seal(checked.auth) } : {}),
				submitter: this.id,
				submittedAt: Date.now(),
			};
			const { ret, earlier } = await this.waitFor(jobId, data, { auditId, url, listener }, signal);
			const result = await this.save(key, checkJobReturn(ret, url));
			listener.progress?.({
				auditId,
				url,
				stage: 'audit',
				state: result.status === 'failed' ? 'error' : 'done',
				...(result.error ? { message: result.error.message } : {}),
			});
			// A result finished before it was asked for is what a cache would have answered.
			return earlier || result.fromCache ? { ...result, fromCache: true } : result;
		} catch (err) {
			const info = toErrorInfo(err);
			listener.progress?.({
				auditId,
				url,
				stage: 'audit',
				state: info.code === 'CANCELLED' ? 'cancelled' : 'error',
				message: info.message,
			});
			throw err;
		} finally {
			for (const release of releaseSecrets) release();
		}
	}

	/** Audit many URLs, each a job: a `result` for every audit that ran, an `error` for one that did not. */
	async batch(params: BatchAuditParams, listener: AuditListener = {}): Promise<BatchAuditResult> {
		const batchId = params.batchId ?? randomUUID();
		const controller = this.register(batchId);
		try {
			return await auditBatch({ ...params, batchId }, listener, (p, l) => this.audit(p, l, controller.signal));
		} finally {
			this.cancellers.delete(batchId);
		}
	}

	/**
	 * Scan a site: discovery runs here (it needs no browser), every route is a job, and the site report is built
	 * and saved as the engine's scan does it (scan/scan.ts). `cancel(scanId)` stops it with the routes done so far.
	 */
	async scan(params: ScanParams, listener: ScanListener = {}): Promise<ScanReport> {
		this.assertOpen();
		const request = toScanRequest(params);
		const scanId = params.scanId ?? randomUUID();
		const controller = this.register(scanId);
		try {
			// Every route is submitted at once: the workers' concurrency is the limit, not this process's.
			const settings: EngineSettings = { ...DEFAULT_SETTINGS, maxConcurrentAudits: request.scan.maxRoutes };
			return await runScan(
				scanId,
				request,
				{
					settings,
					signal: controller.signal,
					audit: (p, l, s) => this.audit(p, l, s),
					warm: () => undefined,
					previousScan: (url) => previousScan(this.history, url),
					saveScan: (report) => this.history.saveScan(report),
					log: this.log.child('scan'),
				},
				listener,
			);
		} finally {
			this.cancellers.delete(scanId);
		}
	}

	/** Cancel a batch or a scan by its id (its jobs: waiting ones removed, running ones stopped by their worker). */
	cancel(id: string): number {
		return cancelById(this.cancellers, id);
	}

	getReport(params: GetReportParams): Promise<string> {
		return storedReport(this.history, params);
	}

	locate(params: LocateParams): Promise<LocateResult> {
		return locateStored(this.history, params);
	}

	/** No Chrome runs here: nothing to kill on exit. */
	killAllSync(): void {}

	/**
	 * Cancel the jobs still waited for (only those no other submitter waits for too), then close the connections and
	 * the history. Idempotent.
	 */
	close(): Promise<void> {
		this.closing ??= (async () => {
			clearInterval(this.poller);
			const reason = new AuditError('SHUTTING_DOWN', 'The submitter is shutting down.');
			for (const c of this.cancellers.values()) c.abort(reason);
			const jobs = this.waiters.waitedJobs().map(([jobId]) => jobId);
			for (const jobId of jobs) this.settleJob(jobId, { error: reason });
			for (const jobId of jobs) this.startCancel(jobId);
			// Bounded: a Redis that is gone must not keep Ctrl-C from exiting.
			await withTimeout(Promise.allSettled([...this.cancelling]), 2 * CONNECT_TIMEOUT_MS);
			const closed = await Promise.allSettled([this.relay?.relay.close(), this.events.close(), this.queue.close()]);
			this.relay?.connection.disconnect();
			this.client.disconnect();
			this.eventsClient.disconnect();
			await this.history.close();
			for (const r of closed) if (r.status === 'rejected') this.log.debug(`while closing: ${redact(String(r.reason))}`);
		})();
		return this.closing;
	}

	/**
	 * The job's key: the cache key of what the submitter knows (URL, resolved options, the credentials' hash keyed
	 * with the queue passphrase). The workers' environment (Lighthouse and Chrome versions, which API keys they
	 * have) is not in it: a queue's workers are one fleet, and each worker's own cache and history use its full key.
	 */
	private keyOf(url: string, options: AuditOptionsInput | undefined, authHash: string | undefined): string {
		const resolved = resolveOptions(options, DEFAULT_SETTINGS);
		// Runs left to the worker's setting are not one run: a marker keeps them apart from an explicit --runs.
		if (options?.runs === undefined) resolved.runs = 0;
		return cacheKey(url, resolved, authHash ? { authHash } : {});
	}

	/** Save a job's result into this history, once however often it is delivered; a failed save is said, not fatal. */
	private save(key: string, ret: AuditJobReturn): Promise<AuditResult> {
		const id = ret.result.id;
		let saving = this.saved.get(id);
		if (!saving) {
			saving = (async () => {
				const { result, artifacts } = await localResult(ret, this.artifactsDir);
				try {
					await this.history.save(key, result, artifacts);
				} catch (err) {
					this.log.error(`could not save the audit of ${result.url} to history: ${toErrorInfo(err).message}`);
				}
				return result;
			})();
			this.saved.set(id, saving);
		}
		return saving;
	}

	private authKeyOrThrow(): Buffer {
		if (!this.authKey)
			throw new AuditError(
				'INVALID_PARAMS',
				`Credentials go on the queue only sealed: set ${QUEUE_KEY_ENV} to the same passphrase here and on the workers.`,
			);
		return this.authKey;
	}

	private seal(auth: AuditAuth) {
		this.authKeyOrThrow();
		return sealAuth(auth, this.passphrase as string);
	}

	private register(id: string): AbortController {
		if (this.cancellers.has(id))
			throw new AuditError('INVALID_PARAMS', `A batch or scan with id "${id}" is already running; use a new id.`);
		const controller = new AbortController();
		this.cancellers.set(id, controller);
		return controller;
	}

	/** Add the job (or join the one of the same id), and wait for its result; `signal` leaves it (and cancels it). */
	private async waitFor(
		jobId: string,
		data: AuditJobData,
		who: Omit<Waiter, 'settle'>,
		signal: AbortSignal | undefined,
	): Promise<{ ret: AuditJobReturn; earlier: boolean }> {
		// Listening before the job is added: no event of it can be missed.
		const { waiter, outcome } = this.waiters.add(jobId, data, who);
		const onAbort = () => {
			// The last audit here to stop waiting for the job cancels it (unless other submitters wait for it).
			if (this.waiters.stopWaiting(jobId, waiter)) this.startCancel(jobId);
			waiter.settle({
				error:
					signal?.reason instanceof AuditError
						? signal.reason
						: new AuditError('CANCELLED', 'The audit was cancelled.'),
			});
		};
		signal?.addEventListener('abort', onAbort, { once: true });
		try {
			try {
				await this.add(jobId, data);
			} catch (err) {
				// Nothing was put on the queue: nothing to cancel.
				this.waiters.stopWaiting(jobId, waiter);
				throw err;
			}
			// Cancelled while it was being added: the job it left is cancelled now that it exists.
			if (this.waiters.hasStopped(waiter) && !this.waiters.isWaitedFor(jobId)) this.startCancel(jobId);
			else {
				who.listener.progress?.({ auditId: who.auditId, url: who.url, stage: 'audit', state: 'queued' });
				// A Redis that fails this check is checked again by the poll; the job is on the queue.
				await this.checkJob(jobId, data).catch((err: unknown) =>
					this.log.debug(`could not check job ${jobId}: ${redact(toErrorInfo(err).message)}`),
				);
			}
			return await outcome;
		} finally {
			signal?.removeEventListener('abort', onAbort);
		}
	}

	/** Put the job on the queue (a job of that id already there is joined, not replaced), and say who waits for it. */
	private async add(jobId: string, data: AuditJobData): Promise<void> {
		try {
			await this.queue.add(AUDIT_JOB, data, {
				jobId,
				attempts: JOB_ATTEMPTS,
				backoff: { type: 'exponential', delay: JOB_BACKOFF_MS },
				removeOnComplete: KEEP_COMPLETED,
				removeOnFail: KEEP_FAILED,
			});
			await this.client
				.multi()
				.sadd(this.waitersKey(jobId), this.id)
				.expire(this.waitersKey(jobId), KEEP_FAILED.age)
				.exec();
		} catch (err) {
			throw new AuditError(
				'UNREACHABLE',
				`${data.url} could not be put on the queue "${this.queueName}" (${redact((err as Error).message)}): is Redis up, and not full?`,
			);
		}
	}

	/**
	 * What the job is now: finished already (events are only heard from now on), missing (Redis lost it: added
	 * again), or still to run. A job another submitter's request finished before this one asked is run again when
	 * it failed or when this one said --no-cache; otherwise its result is taken as a cached one.
	 */
	private async checkJob(jobId: string, data: AuditJobData): Promise<void> {
		const job = await this.queue.getJob(jobId);
		if (!this.waiters.isWaitedFor(jobId)) return;
		if (!job) {
			await this.add(jobId, data);
			return;
		}
		const state = await job.getState();
		if (state !== 'completed' && state !== 'failed') return;
		if (!this.waiters.isWaitedFor(jobId)) return;
		// Ended for this request: it added the job, or the run ended after it asked (another submitter's retry of it).
		const ours =
			(job.data.submitter === data.submitter && job.data.submittedAt === data.submittedAt) ||
			(job.finishedOn ?? 0) >= data.submittedAt;
		if (!ours && (state === 'failed' || data.options.noCache === true)) {
			try {
				// This request's data (its --no-cache above all): the run is now this submitter's.
				await job.updateData(data);
				await job.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true });
				return;
			} catch {
				// Another submitter ran it again first, or it was removed: read it again.
				const again = await this.queue.getJob(jobId);
				if (!again) await this.add(jobId, data);
				else {
					const now = await again.getState();
					if (now === 'completed' || now === 'failed') this.settleFromJob(jobId, again, now, false);
				}
				return;
			}
		}
		this.settleFromJob(jobId, job, state, !ours);
	}

	/** Settle the job's waiters from the job as Redis has it (it ended before its events were listened to). */
	private settleFromJob(
		jobId: string,
		job: Job<AuditJobData, AuditJobReturn>,
		state: 'completed' | 'failed',
		earlier: boolean,
	): void {
		if (state === 'failed') this.settleJob(jobId, { error: jobError(job.failedReason) });
		else this.settleJob(jobId, { ret: job.returnvalue, earlier });
	}

	/** Beside the events: each job still waited for, checked in Redis (an event missed, a job Redis lost). */
	private async poll(): Promise<void> {
		for (const [jobId, data] of this.waiters.waitedJobs()) {
			try {
				await this.checkJob(jobId, data);
			} catch (err) {
				this.log.debug(`could not check job ${jobId}: ${redact((err as Error).message)}`);
			}
		}
	}

	private progress(jobId: string, data: unknown): void {
		const p = data as Partial<AuditJobProgress> | null;
		if (!p || typeof p.stage !== 'string' || typeof p.state !== 'string') return;
		// The audit's own end is said once by `audit`, when its result is saved here.
		if (p.stage === 'audit' && ['done', 'error', 'cancelled'].includes(p.state)) return;
		for (const w of this.waiters.waitersOf(jobId))
			w.listener.progress?.({ ...(p as ProgressParams), auditId: w.auditId, url: w.url });
	}

	/**
	 * The job ended (or this submitter stopped waiting): every waiter hears it once, and this submitter leaves the
	 * job's waiters in Redis.
	 */
	private settleJob(jobId: string, outcome: JobOutcome): void {
		if (!this.waiters.settle(jobId, outcome)) return;
		void this.client.srem(this.waitersKey(jobId), this.id).catch(() => undefined);
	}

	private startCancel(jobId: string): void {
		const task = this.cancelJob(jobId)
			.catch((err: unknown) => this.log.warn(`could not cancel job ${jobId}: ${redact(toErrorInfo(err).message)}`))
			.finally(() => this.cancelling.delete(task));
		this.cancelling.add(task);
	}

	/**
	 * Cancel a job no other submitter waits for: a job not yet running is removed; a running one is stopped by its
	 * worker, asked on the queue's cancel topic (BullMQ's Relay, the contract's `cancelTopic`).
	 */
	private async cancelJob(jobId: string): Promise<void> {
		const key = this.waitersKey(jobId);
		const replies = await this.client.multi().srem(key, this.id).scard(key).exec();
		const others = Number(replies?.[1]?.[1] ?? 0);
		if (others > 0) return;
		const job = await this.queue.getJob(jobId);
		if (!job) return;
		const state = await job.getState();
		if (state === 'completed' || state === 'failed') return;
		if (state !== 'active' && (await this.queue.remove(jobId)) === 1) return;
		if (!this.relay) {
			const connection = this.client.duplicate();
			this.relay = { relay: new Relay({ connection }), connection };
		}
		const request: CancelRequest = { jobId, reason: 'cancelled by the submitter' };
		await this.relay.relay.publish(cancelTopic(this.queueName), request);
		this.log.debug(`asked the workers to stop job ${jobId}`);
	}

	private waitersKey(jobId: string): string {
		return `auditlens:${this.queueName}:waiters:${jobId}`;
	}

	private assertOpen(): void {
		if (this.closing) throw new AuditError('SHUTTING_DOWN', 'The submitter is shutting down.');
	}
}

/** A job's failure reason as the audit's error (the worker writes `CODE: message`, see jobs.ts `jobFailure`). */
function jobError(failedReason: string): AuditError {
	const { code, message } = parseJobFailure(failedReason);
	return new AuditError(code, redact(message));
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
	let timer: NodeJS.Timeout | undefined;
	try {
		return await Promise.race([
			p,
			new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms))),
		]);
	} finally {
		clearTimeout(timer);
	}
}
