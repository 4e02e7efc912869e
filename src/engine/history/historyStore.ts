import type {
	AuditResult,
	DeleteHistoryParams,
	EngineSettings,
	EngineStats,
	FormFactor,
	HistoryEntry,
	ListScansParams,
	ScanReport,
	ScanSummary,
	UrlSummary,
} from '../../protocol';
import type { Logger } from '../log';
import type { CacheSource, StoredResult } from '../resultCache';
import { AuditRecords } from './auditRecords';
import { HistoryDb } from './historyDb';
import type { Artifacts, ResultStore } from './resultStore';
import { applyRetention } from './retention';
import { ScanRecords } from './scanRecords';
import { type Clock, systemClock } from '../clock';

export interface HistoryStoreOptions {
	/** The database file; undefined keeps the history in memory only (nothing is written). */
	path?: string;
	settings: Readonly<EngineSettings>;
	log: Logger;
	/**
	 * Folder for the images split off Lighthouse reports (kept out of the database so it stays small).
	 * Defaults to `<path>.files` beside the database; in-memory stores keep them inline.
	 */
	screenshotsDir?: string;
	/** Open without the lock, never write: for `auditlens history` while an engine owns the file. */
	readOnly?: boolean;
	/** Wait this long after a write before persisting, so bursts cost one file write (default 200 ms). */
	flushDelayMs?: number;
	/**
	 * Brotli quality for stored JSON, 0..11. Default 9: higher saves little more for several times the CPU, which
	 * would compete with Lighthouse runs measuring performance.
	 */
	compressionQuality?: number;
	/** What save times, the cache's TTL and retention are measured on (tests move a clock of their own). */
	clock?: Clock;
}

/** Listens to what changes the cacheable contents of the history. */
type Watcher = Parameters<CacheSource['watch']>[0];

/**
 * The audit history: every audit whatever its status (ok, partial, failed) and every site scan, in one
 * sql.js database kept crash-safely in one file that one engine owns at a time (historyDb.ts). It is also
 * the source the result cache (../resultCache.ts) falls back to and warms from; the cache itself lives there.
 *
 * This class composes the parts and keeps their rules together: the audits (auditRecords.ts), the scans
 * (scanRecords.ts), retention after every save (retention.ts), and the file written after every change.
 */
export class HistoryStore implements ResultStore, CacheSource {
	private readonly watchers: Watcher[] = [];
	private readonly audits: AuditRecords;
	private readonly scans: ScanRecords;
	private readonly pendingSaves = new Set<Promise<unknown>>();
	private clearedAt = 0;
	private readonly clock: Clock;

	private constructor(
		private readonly db: HistoryDb,
		private settings: Readonly<EngineSettings>,
		private readonly log: Logger,
		options: HistoryStoreOptions,
	) {
		const compressionQuality = options.compressionQuality ?? 9;
		this.clock = options.clock ?? systemClock;
		this.audits = new AuditRecords(db, {
			filesDir: options.screenshotsDir ?? (db.file ? `${db.file}.files` : undefined),
			log,
			compressionQuality,
			clock: this.clock,
			onDeleted: (ids) => {
				for (const w of this.watchers) w.deleted(ids);
			},
		});
		this.scans = new ScanRecords(db, this.audits, compressionQuality);
		this.clearedAt = Number(db.scalar(`SELECT value FROM meta WHERE key = 'cache_cleared_at'`) ?? 0);
		if (!db.readOnly) this.retain();
		if (db.fresh && !db.readOnly) db.changed();
	}

	/** Open (or create) the history, set aside an unreadable file and apply retention. */
	static async open(options: HistoryStoreOptions): Promise<HistoryStore> {
		const { settings, log } = options;
		const db = await HistoryDb.open(options);
		return new HistoryStore(db, { ...settings }, log, options);
	}

	// ── what the result cache reads ────────────────────────────────────────────────────────

	get cacheClearedAt(): number {
		return this.clearedAt;
	}

	watch(watcher: Watcher): void {
		this.watchers.push(watcher);
	}

	async findCached(key: string, since: number): Promise<StoredResult | undefined> {
		this.db.assertOpen();
		return this.audits.findCached(key, since);
	}

	recentCached(since: number, limit: number): AsyncIterable<StoredResult> {
		return this.audits.recentCached(since, limit);
	}

	markCacheCleared(at: number): void {
		this.db.assertOpen();
		this.clearedAt = at;
		if (this.db.readOnly) return;
		this.db.run(`INSERT OR REPLACE INTO meta (key, value) VALUES ('cache_cleared_at', ?)`, [String(at)]);
		this.db.changed();
	}

	/**
	 * Stop every result saved so far from being served as cached (for `auditlens cache clear`, with no
	 * engine running); answers how many cached results that stopped.
	 */
	clearCache(): number {
		this.db.assertOpen();
		const now = this.clock.now();
		const fresh = this.audits.cachedKeys(Math.max(now - this.settings.cacheTtlMs, this.clearedAt));
		this.markCacheCleared(now);
		return this.settings.cacheTtlMs > 0 && this.settings.cacheMaxEntries > 0
			? Math.min(fresh, this.settings.cacheMaxEntries)
			: 0;
	}

	// ── audits ─────────────────────────────────────────────────────────────────────────────

	async save(key: string, result: AuditResult, artifacts: Artifacts): Promise<void> {
		this.db.assertWritable();
		const task = this.audits.save(key, result, artifacts).then((stored) => {
			this.retain();
			this.db.changed();
			for (const w of this.watchers) w.saved(stored);
		});
		this.pendingSaves.add(task);
		try {
			await task;
		} finally {
			this.pendingSaves.delete(task);
		}
	}

	async get(id: string): Promise<AuditResult | undefined> {
		this.db.assertOpen();
		return this.audits.get(id);
	}

	/** The full Lighthouse JSON of a stored audit, with its images put back when their file still exists. */
	async getLhr(id: string, formFactor: FormFactor): Promise<unknown | undefined> {
		this.db.assertOpen();
		return this.audits.getLhr(id, formFactor);
	}

	/** One summary per URL, most recently audited first. */
	async listUrls(limit = 100): Promise<UrlSummary[]> {
		this.db.assertOpen();
		return this.audits.listUrls(limit);
	}

	/** The audits of one URL, newest first. */
	async listAudits(url: string, limit = 100): Promise<HistoryEntry[]> {
		this.db.assertOpen();
		return this.audits.listAudits(url, limit);
	}

	/** Delete one audit, every audit of a URL, or everything; answers how many audits were deleted. */
	async delete(params: DeleteHistoryParams): Promise<number> {
		this.db.assertWritable();
		const deleted = this.audits.delete(params);
		// The site's scans go with the history of the site: everything, or the scans that started at that URL.
		let scans = 0;
		if (params.all === true) scans = this.scans.delete();
		else if (params.url !== undefined) scans = this.scans.delete(params.url);
		if (deleted > 0 || scans > 0) this.db.changed();
		return deleted;
	}

	// ── scans ──────────────────────────────────────────────────────────────────────────────

	async saveScan(report: ScanReport): Promise<void> {
		this.db.assertWritable();
		await this.scans.save(report);
		this.db.changed();
	}

	async getScan(id: string): Promise<ScanReport | undefined> {
		this.db.assertOpen();
		return this.scans.get(id);
	}

	async listScans(params: ListScansParams = {}): Promise<ScanSummary[]> {
		this.db.assertOpen();
		return this.scans.list(params);
	}

	// ── settings, stats, lifecycle ─────────────────────────────────────────────────────────

	configure(settings: Readonly<EngineSettings>): void {
		const before = this.settings;
		this.settings = { ...settings };
		const retentionChanged =
			settings.historyMaxAgeDays !== before.historyMaxAgeDays || settings.historyMaxCount !== before.historyMaxCount;
		if (retentionChanged && !this.db.closed && !this.db.readOnly) this.retain();
	}

	stats(): { history: EngineStats['history'] } {
		const history: EngineStats['history'] = { audits: this.audits.count, dbBytes: this.db.bytes() };
		if (this.db.file) history.path = this.db.file;
		return { history };
	}

	/** Persist now (waits for a write in progress). Normally writes are debounced; close() flushes. */
	flush(): Promise<void> {
		return this.db.flush();
	}

	/** Let saves under way finish, write the file and release it. */
	close(): Promise<void> {
		return this.db.close(() => Promise.allSettled([...this.pendingSaves]));
	}

	private retain(): void {
		applyRetention(this.db, this.audits, this.scans, this.settings, this.log, this.clock.now());
	}
}
