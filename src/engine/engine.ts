import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type {
	AuditParams,
	AuditResult,
	BatchAuditParams,
	BatchAuditResult,
	DeleteHistoryParams,
	EngineSettings,
	EngineStats,
	ErrorInfo,
	GetReportParams,
	ListHistoryParams,
	ListHistoryResult,
	ListScansParams,
	ListScansResult,
	LocateParams,
	LocateResult,
	ScanParams,
	ScanReport,
	StageName,
	StageOutcomes,
} from '../protocol';
import { AuditQueue } from './auditQueue';
import { authSecrets, authSummary } from './auth/authRequest';
import { deriveCro } from './derive/cro';
import { abortError, AuditError, toErrorInfo } from './errors';
import { SingleFlight } from './flight';
import type { EngineService } from './gather';
import { runStages } from './gather/runStages';
import type { Stage } from './gather/stage';
import type { Artifacts, ResultStore } from './history/resultStore';
import { locateStored, previousScan, storedReport } from './history/storedAudit';
import { type Logger, maskCredentials, redact, registerSecret } from './log';
import { type AuditListener, Subscribers } from './notifications';
import { preflight, preflightLimitMs } from './preflight';
import { type AuditRequest, normalizeUrl, resolveOptions, toAuditRequest } from './request';
import { buildResult } from './result';
import { runScan, type ScanListener, toScanRequest } from './scan/scan';
import { cacheKey, type ResultCache } from './resultCache';
import { DEFAULT_SETTINGS } from './settings';
import { groupRss, StageTimings } from './stats';
import { ENGINE_VERSION } from './version';

export type { AuditListener } from './notifications';
export type { ScanListener } from './scan/scan';

/** Everything the engine sequences, built by the composition root (createEngine.ts). */
export interface EngineParts {
	settings?: Partial<EngineSettings>;
	/** The audit history; without one nothing is remembered. */
	history?: ResultStore;
	/** The result cache; without one nothing is served from a cache. */
	cache?: ResultCache;
	/** The gather stages, run concurrently for each audit. */
	stages: Stage[];
	/** The long-lived services the stages share: configured, counted in stats and closed with the engine. */
	services: EngineService[];
	/** The engine's Chromes, for the exit guard. */
	browsers: { chromePids(): number[]; killAllSync(): void };
	/** Versions that change results (part of the cache key and of each result). */
	versions: { lighthouse(): string; chrome(settings: Readonly<EngineSettings>): Promise<string | undefined> };
	/** Folder for per-audit files (screenshots). */
	artifactsDir: string;
	log: Logger;
	/** The least wait of the preflight for a page's first answer (default PREFLIGHT_MIN_MS; tests shorten it). */
	preflightMinMs?: number;
}

/**
 * The audit engine. It owns no step of its own; it sequences them, the way Lighthouse's runner does:
 * request (request.ts) → result cache (resultCache.ts) → single-flight (flight.ts) → queue (auditQueue.ts) →
 * preflight (preflight.ts) → gather (gather/) → derive (derive/) → result (result.ts) → history (history/) →
 * notifications (notifications.ts) along the way. A site scan (scan/) is a sequence of such audits.
 */
export class Engine {
	private settings: EngineSettings;
	private readonly log: Logger;
	private readonly queue: AuditQueue;
	private readonly flights = new SingleFlight<AuditResult>();
	private readonly subscribers = new Subscribers();
	private readonly cancellers = new Map<string, AbortController>();
	private readonly shutdown = new AbortController();
	private readonly timings = new StageTimings();
	private readonly counters = { done: 0, failed: 0, cancelled: 0, rejectedBusy: 0 };
	private readonly startedAt = Date.now();
	private closing?: Promise<void>;

	constructor(private readonly parts: EngineParts) {
		this.settings = { ...DEFAULT_SETTINGS, ...parts.settings };
		registerSecret(this.settings.anthropicApiKey);
		registerSecret(this.settings.cruxApiKey);
		this.log = parts.log;
		this.queue = new AuditQueue({ concurrency: this.settings.maxConcurrentAudits, queueSize: this.settings.queueSize });
		// Read the Chrome version now, so the first audit does not wait for it.
		void parts.versions.chrome(this.settings);
	}

	get currentSettings(): Readonly<EngineSettings> {
		return this.settings;
	}

	/**
	 * Audit one URL. Resolves with a result whose `status` says what it is (ok, partial, failed); rejects only
	 * when no audit took place: INVALID_URL, INVALID_PARAMS, BUSY, CANCELLED, SHUTTING_DOWN. `signal` (a scan's)
	 * stops it like `cancel(auditId)`, with the signal's reason.
	 */
	async audit(params: AuditParams, listener: AuditListener = {}, signal?: AbortSignal): Promise<AuditResult> {
		this.assertOpen();
		if (signal?.aborted) throw abortError(signal);
		const admittedAt = Date.now();
		// The audit id is the client's (checked at the RPC edge) or a batch's `<batchId>:<index>`.
		const request = toAuditRequest(
			{ url: params.url, options: params.options, auth: params.auth },
			params.auditId ?? randomUUID(),
			this.settings,
		);
		// Header and cookie values are masked in every log line while this audit runs.
		const releaseSecrets = (request.auth ? authSecrets(request.auth) : []).map((value) => registerSecret(value, 6));
		try {
			return await this.serve(request, admittedAt, listener, signal);
		} finally {
			for (const release of releaseSecrets) release();
		}
	}

	/**
	 * Scan a site: discover its routes and audit each through `audit` (same pool, limits, cache, history and
	 * single-flight; route audit ids `<scanId>:<index>`), then build the site report, kept in the history. Resolves
	 * `cancelled` with the routes audited so far when `cancel(scanId)` stops it; rejects when no scan took place:
	 * INVALID_URL, INVALID_PARAMS, the start URL's preflight error, SHUTTING_DOWN.
	 */
	async scan(params: ScanParams, listener: ScanListener = {}): Promise<ScanReport> {
		this.assertOpen();
		const request = toScanRequest(params);
		const scanId = params.scanId ?? randomUUID();
		if (this.cancellers.has(scanId))
			throw new AuditError(
				'INVALID_PARAMS',
				`A scan or audit with id "${scanId}" is already running; use a new scanId.`,
			);
		// Registered like an audit: cancel(scanId) aborts it with the route audits (`<scanId>:`), close() too.
		const controller = new AbortController();
		this.cancellers.set(scanId, controller);
		const releaseSecrets = (request.authPlan ? authSecrets(request.authPlan) : []).map((value) =>
			registerSecret(value, 6),
		);
		try {
			return await runScan(
				scanId,
				request,
				{
					settings: this.settings,
					signal: controller.signal,
					audit: (p, l, s) => this.audit(p, l, s),
					warm: (count) => {
						const options = resolveOptions(request.options, this.settings);
						for (const s of this.parts.services) s.warm?.(count, options);
					},
					previousScan: (url) => previousScan(this.parts.history, url),
					saveScan: async (report) => this.parts.history?.saveScan(report),
					log: this.log.child('scan'),
				},
				listener,
			);
		} finally {
			this.cancellers.delete(scanId);
			for (const release of releaseSecrets) release();
		}
	}

	async listScans(params: ListScansParams): Promise<ListScansResult> {
		const history = this.parts.history;
		if (!history) return { scans: [] };
		return {
			scans: await history.listScans(
				params.url ? { url: normalizeUrl(params.url), limit: params.limit } : { limit: params.limit },
			),
		};
	}

	async getScan(id: string): Promise<ScanReport | null> {
		return (await this.parts.history?.getScan(id)) ?? null;
	}

	/** A validated request: from the cache, or a run shared by every caller of its key (single-flight). */
	private async serve(
		request: AuditRequest,
		admittedAt: number,
		listener: AuditListener,
		signal?: AbortSignal,
	): Promise<AuditResult> {
		const settings = this.settings;
		const { auditId, url } = request;
		const chromeVersion = await this.parts.versions.chrome(settings);
		const key = cacheKey(url, request.options, {
			lighthouseVersion: this.parts.versions.lighthouse(),
			chromeVersion,
			aiKeySet: Boolean(settings.anthropicApiKey),
			cruxKeySet: Boolean(settings.cruxApiKey),
			authHash: request.auth?.hash,
		});

		if (!request.noCache && this.parts.cache) {
			const cached = await this.parts.cache.lookup(key);
			if (cached) {
				listener.stageResult?.({ auditId, url, stages: cached.stages });
				listener.progress?.({ auditId, url, stage: 'audit', state: 'done', message: 'from cache' });
				return cached;
			}
		}

		if (this.cancellers.has(auditId))
			throw new AuditError('INVALID_PARAMS', `An audit with id "${auditId}" is already running; use a new auditId.`);
		const cancel = new AbortController();
		this.cancellers.set(auditId, cancel);
		// A scan's signal reaches its route audits even between their start and their registration here.
		const follow = () => cancel.abort(signal?.reason);
		if (signal?.aborted) follow();
		else signal?.addEventListener('abort', follow, { once: true });
		const unsubscribe = this.subscribers.add(key, auditId, listener);
		try {
			return await this.flights.run(key, (signal) => this.admit(key, request, chromeVersion, admittedAt, signal), {
				signal: cancel.signal,
				deadline: admittedAt + request.timeoutMs,
				timeoutError: () => this.timeoutError(key, request),
			});
		} catch (err) {
			const info = toErrorInfo(err);
			// This caller's own deadline passed while another caller still wants the shared run.
			if (info.code === 'TIMEOUT') return this.leftEarly(key, request, chromeVersion, admittedAt, info, listener);
			if (info.code === 'CANCELLED') this.counters.cancelled++;
			listener.progress?.({
				auditId,
				url,
				stage: 'audit',
				state: info.code === 'CANCELLED' ? 'cancelled' : 'error',
				message: info.message,
			});
			throw err;
		} finally {
			signal?.removeEventListener('abort', follow);
			this.cancellers.delete(auditId);
			unsubscribe();
		}
	}

	/** Audit many URLs under the same limits: a `result` for every audit that ran, an `error` for one refused. */
	async batch(params: BatchAuditParams, listener: AuditListener = {}): Promise<BatchAuditResult> {
		return auditBatch(params, listener, (p, l) => this.audit(p, l));
	}

	/**
	 * Cancel an audit by id, or every audit of a batch by its batch id, or a scan (discovery and route audits) by its
	 * scan id.
	 */
	cancel(auditId: string): number {
		return cancelById(this.cancellers, auditId);
	}

	async getResult(id: string): Promise<AuditResult | null> {
		return (await this.parts.history?.get(id)) ?? null;
	}

	async getReport(params: GetReportParams): Promise<string> {
		return storedReport(this.parts.history, params);
	}

	/**
	 * The findings of a stored audit placed on the files and lines of the given workspace roots (issue 11).
	 * Owner: the sources helper; the CLI (`--sarif`, `--json`) and the extension's Problems panel call it.
	 */
	async locate(params: LocateParams): Promise<LocateResult> {
		return locateStored(this.parts.history, params);
	}

	async listHistory(params: ListHistoryParams): Promise<ListHistoryResult> {
		const history = this.parts.history;
		if (!history) return params.url ? { entries: [] } : { urls: [] };
		if (params.url) return { entries: await history.listAudits(normalizeUrl(params.url), params.limit) };
		return { urls: await history.listUrls(params.limit) };
	}

	async deleteHistory(params: DeleteHistoryParams): Promise<number> {
		if (!this.parts.history) return 0;
		return this.parts.history.delete(params.url ? { url: normalizeUrl(params.url) } : params);
	}

	clearCache(): number {
		return this.parts.cache?.clear() ?? 0;
	}

	/** Change limits and settings live. */
	configure(patch: Partial<EngineSettings>): EngineStats['settings'] {
		this.settings = { ...this.settings, ...patch };
		registerSecret(this.settings.anthropicApiKey);
		registerSecret(this.settings.cruxApiKey);
		this.queue.configure({ concurrency: this.settings.maxConcurrentAudits, queueSize: this.settings.queueSize });
		for (const s of this.parts.services) s.configure(this.settings);
		this.parts.history?.configure(this.settings);
		this.parts.cache?.configure(this.settings);
		return this.publicSettings();
	}

	stats(): EngineStats {
		const base: EngineStats = {
			pid: process.pid,
			uptimeMs: Date.now() - this.startedAt,
			engineVersion: ENGINE_VERSION,
			lighthouseVersion: this.parts.versions.lighthouse(),
			audits: { active: this.queue.activeCount, queued: this.queue.pendingCount, ...this.counters },
			browsers: { idle: 0, busy: 0, launched: 0, crashed: 0, recycled: 0, pids: [] },
			workers: { count: 0, busy: 0, replaced: 0 },
			lighthouseRuns: 0,
			stages: this.timings.snapshot(),
			memory: { engineRss: 0, chromeRss: {}, totalRss: 0 },
			cache: this.parts.cache?.stats() ?? { hits: 0, misses: 0, entries: 0, bytes: 0 },
			history: { audits: 0, dbBytes: 0 },
			ai: { calls: 0, failures: 0, breaker: 'closed', p50Ms: 0 },
			crux: { calls: 0, failures: 0, breaker: 'closed', p50Ms: 0 },
			settings: this.publicSettings(),
		};
		for (const s of this.parts.services) Object.assign(base, s.stats());
		if (this.parts.history) Object.assign(base, this.parts.history.stats());
		const engineRss = process.memoryUsage().rss;
		const chromeRss = groupRss(base.browsers.pids);
		base.memory = { engineRss, chromeRss, totalRss: engineRss + Object.values(chromeRss).reduce((a, b) => a + b, 0) };
		return base;
	}

	/** Every Chrome pid the engine's services hold (for tests and the exit guard). */
	chromePids(): number[] {
		return this.parts.browsers.chromePids();
	}

	/** Kill every Chrome synchronously: the last resort on process exit. */
	killAllSync(): void {
		this.parts.browsers.killAllSync();
	}

	/** Stop accepting audits, cancel running and queued ones, close every browser, flush the history. */
	close(): Promise<void> {
		this.closing ??= (async () => {
			const reason = new AuditError('SHUTTING_DOWN', 'The engine is shutting down.');
			this.shutdown.abort(reason);
			for (const c of this.cancellers.values()) c.abort(reason);
			this.queue.clear(reason);
			const results = await Promise.allSettled([
				...this.parts.services.map((s) => s.close()),
				this.parts.history?.close(),
			]);
			this.parts.cache?.close();
			for (const r of results) if (r.status === 'rejected') this.log.warn(`while closing: ${String(r.reason)}`);
		})();
		return this.closing;
	}

	private assertOpen(): void {
		if (this.shutdown.signal.aborted) throw new AuditError('SHUTTING_DOWN', 'The engine is shutting down.');
	}

	private publicSettings(): EngineStats['settings'] {
		const { anthropicApiKey, cruxApiKey, ...rest } = this.settings;
		return { ...rest, anthropicApiKeySet: Boolean(anthropicApiKey), cruxApiKeySet: Boolean(cruxApiKey) };
	}

	/** Queue a new run. A deadline that passes in the queue makes a failed result; a full queue answers BUSY. */
	private async admit(
		key: string,
		request: AuditRequest,
		chromeVersion: string | undefined,
		admittedAt: number,
		signal: AbortSignal,
	): Promise<AuditResult> {
		const { url } = request;
		try {
			return await this.queue.run(
				() => this.execute(key, request, chromeVersion, admittedAt, signal),
				signal,
				(position) => this.subscribers.progress(key, url, 'audit', 'queued', undefined, position),
			);
		} catch (err) {
			const info = toErrorInfo(err);
			if (info.code === 'BUSY') {
				this.counters.rejectedBusy++;
				throw new AuditError('BUSY', `${info.message} ${url} was not queued: try again later or raise the queue size.`);
			}
			if (info.code !== 'TIMEOUT' || !signal.aborted) throw err;
			// Nothing ran: the time was spent waiting for a place.
			const result = this.resultOf(request, chromeVersion, admittedAt, Date.now() - admittedAt, {}, info);
			await this.record(key, result, new Map());
			return result;
		}
	}

	/** One real audit run, shared by every caller of its cache key. */
	private async execute(
		key: string,
		request: AuditRequest,
		chromeVersion: string | undefined,
		admittedAt: number,
		flightSignal: AbortSignal,
	): Promise<AuditResult> {
		const { url, options } = request;
		const queuedMs = Date.now() - admittedAt;
		const signal = AbortSignal.any([flightSignal, this.shutdown.signal]);
		const id = randomUUID();
		const gathered: StageOutcomes = {};
		let sentCro = '';
		// Derived data is recomputed from everything gathered so far, and sent when it changes.
		const derive = () => {
			const cro = deriveCro(options, gathered);
			const text = JSON.stringify(cro && { ...cro, startedAt: 0, durationMs: 0 });
			if (!cro || text === sentCro) return cro;
			if (sentCro === '') {
				const state = cro.status === 'ok' ? 'done' : cro.status;
				this.subscribers.progress(
					key,
					url,
					'cro',
					state,
					cro.status === 'error' ? cro.error.message : cro.status === 'skipped' ? cro.reason : undefined,
				);
			}
			sentCro = text;
			this.subscribers.stageResult(key, url, { cro });
			return cro;
		};

		this.subscribers.started(key, url);
		let artifacts: Artifacts = new Map();
		let error: ErrorInfo | undefined;
		let loaded = false;
		try {
			if (signal.aborted) throw signal.reason;
			// The deadlines of the callers stop the preflight through the signal; its own limit is a part of the
			// audit's time (preflightLimitMs).
			const admittedUntil = this.flights.deadline(key) ?? Infinity;
			await preflight(
				url,
				preflightLimitMs(
					Number.isFinite(admittedUntil) ? admittedUntil - Date.now() : this.settings.auditTimeoutMs,
					this.parts.preflightMinMs,
				),
				signal,
				request.auth,
			);
			loaded = true;
			// The stages' own budgets (Lighthouse's load cap, capture's) come from the time the run has left:
			// until the latest deadline of the callers waiting for it.
			const deadline = this.flights.deadline(key) ?? Infinity;
			const timeLeftMs = Math.max(
				5_000,
				Number.isFinite(deadline) ? deadline - Date.now() : this.settings.auditTimeoutMs,
			);
			const settings = { ...this.settings, auditTimeoutMs: timeLeftMs };
			derive();
			const gather = await runStages(
				this.parts.stages,
				{
					auditId: id,
					url,
					options,
					settings,
					signal,
					artifactsDir: path.join(this.parts.artifactsDir, id),
					log: this.log.child(id.slice(0, 8)),
					auth: request.auth,
				},
				{
					progress: (stage, state, message) => this.subscribers.progress(key, url, stage, state, message),
					outcome: (stage, outcome) => {
						if (outcome.status !== 'skipped') this.timings.record(stage, outcome.durationMs);
						(gathered as Record<string, unknown>)[stage] = outcome;
						this.subscribers.stageResult(key, url, { [stage]: outcome });
						derive();
					},
				},
			);
			artifacts = gather.artifacts;
		} catch (err) {
			error = toErrorInfo(signal.aborted && !(err instanceof AuditError) ? signal.reason : err);
		} finally {
			this.subscribers.ended(key);
		}
		if (signal.aborted) error ??= toErrorInfo(signal.reason, 'CANCELLED');
		if (error?.code === 'CANCELLED' || error?.code === 'SHUTTING_DOWN') throw new AuditError(error.code, error.message);

		// A page that never loaded has no stages at all, derived ones included.
		const cro = loaded ? derive() : undefined;
		const stages: StageOutcomes = cro ? { ...gathered, cro } : gathered;
		const result = this.resultOf(request, chromeVersion, admittedAt, queuedMs, stages, error, id);
		await this.record(key, result, artifacts);
		this.subscribers.progress(key, url, 'audit', result.status === 'failed' ? 'error' : 'done', result.error?.message);
		return result;
	}

	private resultOf(
		request: AuditRequest,
		chromeVersion: string | undefined,
		admittedAt: number,
		queuedMs: number,
		stages: StageOutcomes,
		error?: ErrorInfo,
		id: string = randomUUID(),
	): AuditResult {
		const result = buildResult({
			id,
			url: request.url,
			requestedAt: new Date(admittedAt).toISOString(),
			durationMs: Date.now() - admittedAt,
			queuedMs,
			options: request.options,
			lighthouseVersion: this.parts.versions.lighthouse(),
			chromeVersion,
			stages,
			error,
			...(request.auth ? { auth: authSummary(request.auth) } : {}),
		});
		// A signed-in audit's errors come from browsers and a login script that held its credentials: mask them.
		return request.auth ? redactErrors(result) : result;
	}

	/** Save a finished audit to the history (which feeds the cache with `ok` results), and count it. */
	private async record(key: string, result: AuditResult, artifacts: Artifacts): Promise<void> {
		if (result.status === 'failed') this.counters.failed++;
		else this.counters.done++;
		if (result.status !== 'ok')
			this.log.info(
				`the audit of ${result.url} is ${result.status}: ${result.error?.message ?? Object.keys(result.stageErrors ?? {}).join(', ')}`,
			);
		try {
			if (this.parts.history) await this.parts.history.save(key, result, artifacts);
			else this.parts.cache?.put({ key, result, savedAt: Date.now(), bytes: JSON.stringify(result).length });
		} catch (err) {
			if (!this.shutdown.signal.aborted)
				this.log.error(`could not save the audit of ${result.url} to history: ${toErrorInfo(err).message}`);
		}
	}

	/**
	 * A caller whose deadline passed while another still wants the shared run: it gets what the run has
	 * reported so far, the stages still running marked as timed out. Not saved: the shared run will be.
	 */
	private leftEarly(
		key: string,
		request: AuditRequest,
		chromeVersion: string | undefined,
		admittedAt: number,
		info: ErrorInfo,
		listener: AuditListener,
	): AuditResult {
		const snapshot = this.subscribers.snapshot(key);
		const stages: StageOutcomes = { ...snapshot.stages };
		const now = new Date().toISOString();
		for (const name of snapshot.running)
			(stages as Record<StageName, unknown>)[name] = { status: 'error', error: info, startedAt: now, durationMs: 0 };
		const queuedMs =
			snapshot.startedAt === undefined ? Date.now() - admittedAt : Math.max(0, snapshot.startedAt - admittedAt);
		const result = this.resultOf(request, chromeVersion, admittedAt, queuedMs, stages, info);
		listener.progress?.({
			auditId: request.auditId,
			url: request.url,
			stage: 'audit',
			state: result.status === 'failed' ? 'error' : 'done',
			message: info.message,
		});
		return result;
	}

	/** The TIMEOUT of one caller: what was still going on tells a slow page from a hanging one. */
	private timeoutError(key: string, request: AuditRequest): AuditError {
		const snapshot = this.subscribers.snapshot(key);
		const what =
			snapshot.startedAt === undefined
				? 'waiting in the queue'
				: snapshot.running.length > 0
					? snapshot.running.join(', ')
					: 'loading the page';
		return new AuditError(
			'TIMEOUT',
			`The audit of ${request.url} did not finish within ${Math.round(request.timeoutMs / 1000)} s (still running: ${what}). The page may be slow or hang; check it, or raise the audit timeout.`,
		);
	}
}

/** The result with every error message passed through the log's redaction (the credentials of its audit). */
function redactErrors(result: AuditResult): AuditResult {
	const fix = (e: ErrorInfo): ErrorInfo => ({ code: e.code, message: redact(e.message) });
	const stages: StageOutcomes = {};
	for (const [name, outcome] of Object.entries(result.stages) as [StageName, NonNullable<StageOutcomes[StageName]>][]) {
		(stages as Record<string, unknown>)[name] =
			outcome.status === 'error' ? { ...outcome, error: fix(outcome.error) } : outcome;
	}
	const stageErrors =
		result.stageErrors && Object.fromEntries(Object.entries(result.stageErrors).map(([k, e]) => [k, fix(e)]));
	return {
		...result,
		stages,
		...(stageErrors ? { stageErrors } : {}),
		...(result.error ? { error: fix(result.error) } : {}),
	};
}

/**
 * A batch as audits of its URLs (ids `<batchId>:<index>`) run by `audit` (the engine's, or the queue submitter's):
 * each URL gets its result, or the error of an audit that did not take place.
 */
export async function auditBatch(
	params: BatchAuditParams,
	listener: AuditListener,
	audit: (params: AuditParams, listener: AuditListener) => Promise<AuditResult>,
): Promise<BatchAuditResult> {
	const batchId = params.batchId ?? randomUUID();
	const items = await Promise.all(
		params.urls.map(async (url, i) => {
			try {
				const result = await audit(
					{ url, options: params.options, auditId: `${batchId}:${i}`, auth: params.auth },
					listener,
				);
				return { url: maskCredentials(url), result };
			} catch (err) {
				return { url: maskCredentials(url), error: toErrorInfo(err) };
			}
		}),
	);
	return { items };
}

/** Abort the work registered under `id` and under ids `<id>:…` (a batch's or a scan's audits); answers how many. */
export function cancelById(cancellers: ReadonlyMap<string, AbortController>, id: string): number {
	let n = 0;
	for (const [key, controller] of cancellers) {
		if (key === id || key.startsWith(`${id}:`)) {
			controller.abort(new AuditError('CANCELLED', 'The audit was cancelled.'));
			n++;
		}
	}
	return n;
}
