import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
import type {
	AuditOptions,
	AuditParams,
	AuditResult,
	BatchAuditParams,
	BatchAuditResult,
	DeleteHistoryParams,
	EngineSettings,
	EngineStats,
	GetReportParams,
	ListHistoryParams,
	ListHistoryResult,
	ProgressParams,
	StageOutcomes,
	StageResultParams,
} from '../protocol';
import { runStages } from './auditRunner';
import { type RunsByFormFactor, withMetricFindings } from './cro/rules';
import { AuditError, toErrorInfo } from './errors';
import { LighthouseService } from './lighthouse/lighthouseService';
import { type Logger, registerSecret } from './log';
import { preflight } from './preflight';
import { resolveOptions } from './schemas';
import { DEFAULT_SETTINGS } from './settings';
import type { EngineService, StageKit } from './stages';
import { createLighthouseStage } from './stages/lighthouseStage';
import type { Stage } from './stages/stage';
import { groupRss, StageTimings } from './stats';
import { cacheKey, normalizeUrl } from './store/cacheKey';
import type { ResultStore } from './store/resultStore';
import { SingleFlight } from './store/singleFlight';
import { ENGINE_VERSION } from './version';

/** Where a client hears about an audit while it runs. */
export interface AuditListener {
	progress?(params: ProgressParams): void;
	stageResult?(params: StageResultParams): void;
}

export interface EngineOptions {
	settings?: Partial<EngineSettings>;
	/** Cache + history; without one nothing is cached or remembered. */
	store?: ResultStore;
	/** Folder for per-audit files (screenshots). */
	artifactsDir: string;
	log: Logger;
	/** Stage kits beside Lighthouse (capture, CRO, AI, CrUX), built with the engine's settings. */
	kits?: ((settings: Readonly<EngineSettings>, log: Logger) => StageKit)[];
	/** Override of the Lighthouse worker script (tests). */
	workerPath?: string;
}

interface Subscriber {
	auditId: string;
	listener: AuditListener;
}

/**
 * The audit engine: validated request → cache → single-flight → bounded queue → preflight →
 * concurrent stages → result → cache/history, with notifications along the way.
 */
export class Engine {
	private settings: EngineSettings;
	private readonly log: Logger;
	private readonly store?: ResultStore;
	private readonly lighthouse: LighthouseService;
	private readonly services: EngineService[];
	private readonly stages: Stage[];
	private readonly auditLimit: LimitFunction;
	private readonly flights = new SingleFlight<AuditResult>();
	private readonly subscribers = new Map<string, Set<Subscriber>>();
	private readonly cancellers = new Map<string, AbortController>();
	private readonly shutdown = new AbortController();
	private readonly timings = new StageTimings();
	private readonly counters = { done: 0, failed: 0, cancelled: 0, rejectedBusy: 0 };
	private readonly startedAt = Date.now();
	private closing?: Promise<void>;

	constructor(private readonly opts: EngineOptions) {
		this.settings = { ...DEFAULT_SETTINGS, ...opts.settings };
		registerSecret(this.settings.anthropicApiKey);
		registerSecret(this.settings.cruxApiKey);
		this.log = opts.log;
		this.store = opts.store;
		this.lighthouse = new LighthouseService(this.settings, this.log.child('lighthouse'), opts.workerPath);
		const kits = (opts.kits ?? []).map((make) => make(this.settings, this.log));
		this.services = [this.lighthouse, ...kits.flatMap((k) => k.services)];
		this.stages = [createLighthouseStage('mobile', this.lighthouse), createLighthouseStage('desktop', this.lighthouse), ...kits.flatMap((k) => k.stages)];
		this.auditLimit = pLimit(this.settings.maxConcurrentAudits);
		this.store?.configure(this.settings);
	}

	get currentSettings(): Readonly<EngineSettings> {
		return this.settings;
	}

	/** Audit one URL. Rejects with an AuditError when the page cannot be audited at all. */
	async audit(params: AuditParams, listener: AuditListener = {}): Promise<AuditResult> {
		this.assertOpen();
		const auditId = params.auditId ?? randomUUID();
		const url = normalizeUrl(params.url);
		const options = resolveOptions(params.options, this.settings);
		// A new Lighthouse gives other scores: results of an older one are not served from the cache.
		const key = `${cacheKey(url, options)} lighthouse@${this.lighthouse.lighthouseVersion}`;
		const notify = (p: Omit<ProgressParams, 'auditId' | 'url'>) => listener.progress?.({ auditId, url, ...p });

		if (!params.options?.noCache && this.store) {
			const cached = await this.store.lookup(key);
			if (cached) {
				listener.stageResult?.({ auditId, url, stages: cached.stages });
				notify({ stage: 'audit', state: 'done', message: 'from cache' });
				return { ...cached, fromCache: true };
			}
		}

		const cancel = new AbortController();
		if (this.cancellers.has(auditId)) throw new AuditError('INVALID_PARAMS', `An audit with id "${auditId}" is already running; use a new auditId.`);
		this.cancellers.set(auditId, cancel);
		const subscriber: Subscriber = { auditId, listener };
		const subs = this.subscribers.get(key) ?? new Set<Subscriber>();
		subs.add(subscriber);
		this.subscribers.set(key, subs);
		try {
			return await this.flights.run(key, (signal) => this.enqueue(url, () => this.execute(key, url, options, params.options?.timeoutMs, signal), notify), cancel.signal);
		} catch (err) {
			const info = toErrorInfo(err);
			if (info.code === 'CANCELLED') this.counters.cancelled++;
			notify({ stage: 'audit', state: info.code === 'CANCELLED' ? 'cancelled' : 'error', message: info.message });
			throw err;
		} finally {
			this.cancellers.delete(auditId);
			subs.delete(subscriber);
			if (subs.size === 0 && this.subscribers.get(key) === subs) this.subscribers.delete(key);
		}
	}

	/** Audit many URLs under the same limits; every URL gets a result or an error. */
	async batch(params: BatchAuditParams, listener: AuditListener = {}): Promise<BatchAuditResult> {
		const batchId = params.batchId ?? randomUUID();
		const items = await Promise.all(
			params.urls.map(async (url, i) => {
				try {
					const result = await this.audit({ url, options: params.options, auditId: `${batchId}:${i}` }, listener);
					return { url, result };
				} catch (err) {
					return { url, error: toErrorInfo(err) };
				}
			}),
		);
		return { items };
	}

	/** Cancel an audit by id, or every audit of a batch by its batch id. */
	cancel(auditId: string): number {
		let n = 0;
		for (const [id, controller] of this.cancellers) {
			if (id === auditId || id.startsWith(`${auditId}:`)) {
				controller.abort(new AuditError('CANCELLED', 'The audit was cancelled.'));
				n++;
			}
		}
		return n;
	}

	async getResult(id: string): Promise<AuditResult | null> {
		return (await this.store?.get(id)) ?? null;
	}

	async getReport(params: GetReportParams): Promise<string> {
		const lhr = await this.store?.getLhr(params.id, params.formFactor);
		if (!lhr) throw new AuditError('NOT_FOUND', `No ${params.formFactor} Lighthouse report is stored for audit ${params.id}. It may have been deleted, or that form factor was not audited.`);
		if (params.format === 'json') return JSON.stringify(lhr);
		const { ReportGenerator } = (await import('lighthouse/report/generator/report-generator.js')) as { ReportGenerator: { generateReportHtml(lhr: unknown): string } };
		return ReportGenerator.generateReportHtml(lhr);
	}

	async listHistory(params: ListHistoryParams): Promise<ListHistoryResult> {
		if (!this.store) return params.url ? { entries: [] } : { urls: [] };
		if (params.url) return { entries: await this.store.listAudits(normalizeUrl(params.url), params.limit) };
		return { urls: await this.store.listUrls(params.limit) };
	}

	async deleteHistory(params: DeleteHistoryParams): Promise<number> {
		if (!this.store) return 0;
		return this.store.delete(params.url ? { url: normalizeUrl(params.url) } : params);
	}

	clearCache(): number {
		return this.store?.clearCache() ?? 0;
	}

	/** Change limits and settings live. */
	configure(patch: Partial<EngineSettings>): EngineStats['settings'] {
		this.settings = { ...this.settings, ...patch };
		registerSecret(this.settings.anthropicApiKey);
		registerSecret(this.settings.cruxApiKey);
		this.auditLimit.concurrency = this.settings.maxConcurrentAudits;
		for (const s of this.services) s.configure(this.settings);
		this.store?.configure(this.settings);
		return this.publicSettings();
	}

	stats(): EngineStats {
		const base: EngineStats = {
			pid: process.pid,
			uptimeMs: Date.now() - this.startedAt,
			engineVersion: ENGINE_VERSION,
			lighthouseVersion: this.lighthouse.lighthouseVersion,
			audits: { active: this.auditLimit.activeCount, queued: this.auditLimit.pendingCount, ...this.counters },
			browsers: { idle: 0, busy: 0, launched: 0, crashed: 0, recycled: 0, pids: [] },
			workers: { count: 0, busy: 0, replaced: 0 },
			lighthouseRuns: 0,
			stages: this.timings.snapshot(),
			memory: { engineRss: 0, chromeRss: {}, totalRss: 0 },
			cache: { hits: 0, misses: 0, entries: 0, bytes: 0 },
			history: { audits: 0, dbBytes: 0 },
			ai: { calls: 0, failures: 0, breaker: 'closed', p50Ms: 0 },
			crux: { calls: 0, failures: 0, breaker: 'closed', p50Ms: 0 },
			settings: this.publicSettings(),
		};
		for (const s of this.services) Object.assign(base, s.stats());
		if (this.store) Object.assign(base, this.store.stats());
		const engineRss = process.memoryUsage().rss;
		const chromeRss = groupRss(base.browsers.pids);
		base.memory = { engineRss, chromeRss, totalRss: engineRss + Object.values(chromeRss).reduce((a, b) => a + b, 0) };
		return base;
	}

	/** Every Chrome pid the engine's services hold (for tests and the exit guard). */
	chromePids(): number[] {
		return this.lighthouse.pool.chromePids();
	}

	/** Kill every Chrome synchronously: the last resort on process exit. */
	killAllSync(): void {
		this.lighthouse.pool.killAllSync();
	}

	/** Stop accepting audits, cancel running ones, close every browser, flush the history. */
	close(): Promise<void> {
		this.closing ??= (async () => {
			this.shutdown.abort(new AuditError('SHUTTING_DOWN', 'The engine is shutting down.'));
			for (const c of this.cancellers.values()) c.abort(new AuditError('SHUTTING_DOWN', 'The engine is shutting down.'));
			const results = await Promise.allSettled([...this.services.map((s) => s.close()), this.store?.close()]);
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

	/**
	 * The CRO stage reports as soon as the page is captured, before Lighthouse is done; once every stage
	 * has finished, the findings that need Lighthouse's metrics (slow LCP, heavy TBT) join them.
	 */
	private addMetricFindings(stages: StageOutcomes, changed: (cro: NonNullable<StageOutcomes['cro']>) => void): void {
		const cro = stages.cro;
		if (cro?.status !== 'ok') return;
		const runs: RunsByFormFactor = {};
		const mobile = stages['lighthouse-mobile'];
		const desktop = stages['lighthouse-desktop'];
		if (mobile?.status === 'ok') runs.mobile = mobile.data;
		if (desktop?.status === 'ok') runs.desktop = desktop.data;
		const findings = withMetricFindings(cro.data.findings, runs);
		if (JSON.stringify(findings) === JSON.stringify(cro.data.findings)) return;
		stages.cro = { ...cro, data: { ...cro.data, findings } };
		changed(stages.cro);
	}

	/** Admit a new run to the bounded queue, or answer BUSY. */
	private enqueue(url: string, fn: () => Promise<AuditResult>, notify: (p: Omit<ProgressParams, 'auditId' | 'url'>) => void): Promise<AuditResult> {
		const waiting = this.auditLimit.activeCount + this.auditLimit.pendingCount;
		if (waiting >= this.settings.maxConcurrentAudits + this.settings.queueSize) {
			this.counters.rejectedBusy++;
			throw new AuditError(
				'BUSY',
				`The engine is busy (${this.auditLimit.activeCount} audits running, ${this.auditLimit.pendingCount} queued; queue size ${this.settings.queueSize}). ${url} was not queued: try again later or raise the queue size.`,
			);
		}
		if (this.auditLimit.activeCount >= this.auditLimit.concurrency) notify({ stage: 'audit', state: 'queued', position: this.auditLimit.pendingCount + 1 });
		return this.auditLimit(fn);
	}

	/** One real audit run, shared by every subscriber of its cache key. */
	private async execute(key: string, url: string, options: AuditOptions, timeoutOverride: number | undefined, flightSignal: AbortSignal): Promise<AuditResult> {
		const settings = this.settings;
		const timeoutMs = timeoutOverride ?? settings.auditTimeoutMs;
		const timeout = new AbortController();
		// What was still running when time ran out tells a slow page from a hanging one.
		const running = new Set<string>(['loading the page']);
		const timer = setTimeout(() => {
			const what = [...running].join(', ');
			timeout.abort(
				new AuditError(
					'TIMEOUT',
					`The audit of ${url} did not finish within ${Math.round(timeoutMs / 1000)} s (still running: ${what}). The page may be slow or hang; check it, or raise the audit timeout.`,
				),
			);
		}, timeoutMs);
		const signal = AbortSignal.any([flightSignal, timeout.signal, this.shutdown.signal]);
		const id = randomUUID();
		const requestedAt = new Date().toISOString();
		const t0 = performance.now();
		const fanout = (fn: (s: Subscriber) => void) => {
			for (const s of this.subscribers.get(key) ?? []) fn(s);
		};
		fanout((s) => s.listener.progress?.({ auditId: s.auditId, url, stage: 'audit', state: 'started' }));
		try {
			if (signal.aborted) throw signal.reason;
			await preflight(url, Math.min(timeoutMs, 30_000), signal);
			running.clear();
			const { stages, artifacts } = await runStages(
				this.stages,
				{ auditId: id, url, options, settings: { ...settings, auditTimeoutMs: timeoutMs }, signal, artifactsDir: path.join(this.opts.artifactsDir, id), log: this.log.child(id.slice(0, 8)) },
				{
					progress: (stage, state, message) => {
						if (state === 'started') running.add(stage);
						else running.delete(stage);
						fanout((s) => s.listener.progress?.({ auditId: s.auditId, url, stage, state, message }));
					},
					outcome: (stage, outcome) => {
						if (outcome.status !== 'skipped') this.timings.record(stage, outcome.durationMs);
						fanout((s) => s.listener.stageResult?.({ auditId: s.auditId, url, stages: { [stage]: outcome } }));
					},
				},
			);
			this.addMetricFindings(stages, (outcome) => fanout((s) => s.listener.stageResult?.({ auditId: s.auditId, url, stages: { cro: outcome } })));
			const ran = Object.values(stages).filter((o) => o.status !== 'skipped');
			if (ran.length > 0 && !ran.some((o) => o.status === 'ok')) {
				// Nothing to show: the audit failed. Timeout or cancel is the reason when it happened; else Lighthouse's error.
				if (signal.aborted) throw signal.reason;
				const errors = [stages['lighthouse-mobile'], stages['lighthouse-desktop'], ...ran].filter((o) => o?.status === 'error');
				const first = errors[0];
				throw first?.status === 'error' ? new AuditError(first.error.code, first.error.message) : new AuditError('CANCELLED', 'The audit was cancelled.');
			}
			const result: AuditResult = {
				id,
				url,
				requestedAt,
				durationMs: Math.round(performance.now() - t0),
				options,
				engineVersion: ENGINE_VERSION,
				lighthouseVersion: this.lighthouse.lighthouseVersion,
				queuedMs: 0,
				fromCache: false,
				status: 'ok',
				stages,
			};
			if (this.store) {
				try {
					await this.store.save(key, result, artifacts);
				} catch (err) {
					if (!this.shutdown.signal.aborted) this.log.error(`could not save the audit of ${url} to history: ${toErrorInfo(err).message}`);
				}
			}
			this.counters.done++;
			fanout((s) => s.listener.progress?.({ auditId: s.auditId, url, stage: 'audit', state: 'done' }));
			return result;
		} catch (err) {
			const info = toErrorInfo(signal.aborted && !(err instanceof AuditError) ? signal.reason : err);
			if (info.code !== 'CANCELLED') this.counters.failed++;
			throw new AuditError(info.code, info.message);
		} finally {
			clearTimeout(timer);
		}
	}
}
