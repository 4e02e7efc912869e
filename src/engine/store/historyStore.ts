import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { LRUCache } from 'lru-cache';
import type { Database, SqlValue } from 'sql.js';
import type { AuditResult, DeleteHistoryParams, EngineSettings, EngineStats, FormFactor, HistoryEntry, UrlSummary } from '../../protocol';
import { FORM_FACTORS } from '../../protocol';
import { AuditError } from '../errors';
import type { Logger } from '../log';
import { normalizeUrl } from './cacheKey';
import { checkDbPath, DbLock, removeStaleTemps, setAside, writeFileAtomic } from './dbFile';
import { checkHeader, loadSqlJs, migrate } from './historySchema';
import { asLhr, type LhrByFormFactor, type LhrImages, mergeImages, packJson, packText, splitImages, unpackJson, unpackTextSync } from './lhrPack';
import { metricsOf, type Row, scoresOf, screenshotFiles, stageSummary, summaryOf, toEntry } from './historyRows';
import type { Artifacts, ResultStore } from './resultStore';

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
	/** Upper bound of the in-memory cache in bytes of result JSON (default 64 MiB). */
	cacheMaxBytes?: number;
	/** Wait this long after a write before persisting, so bursts cost one file write (default 200 ms). */
	flushDelayMs?: number;
	/**
	 * Brotli quality for stored JSON, 0..11. Default 9: two reports compress in ~25 ms to ~40 KB; 10 saves
	 * ~4 KB more for ~6x the CPU, which would compete with Lighthouse runs measuring performance.
	 */
	compressionQuality?: number;
}

interface CacheEntry {
	result: AuditResult;
	/** Epoch ms the result was saved: TTL counts from here, also for entries restored from the database. */
	savedAt: number;
}

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);
const DAY_MS = 24 * 3600_000;
const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;
const RETRY_FLUSH_MS = 5_000;
/** Results decoded per event-loop turn while warming. */
const WARM_SLICE = 20;
const ENTRY_COLUMNS = 'id, url, requested_at, duration_ms, scores, error';

/**
 * The result cache and the audit history: an LRU of recent results (bounded by entries and bytes,
 * with a TTL) in front of a sql.js database that is persisted crash-safely to one file.
 * One engine owns a file at a time (`<file>.lock`).
 */
export class HistoryStore implements ResultStore {
	private lru: LRUCache<string, CacheEntry>;
	private readonly keyOfId = new Map<string, string>();
	private hits = 0;
	private misses = 0;
	private auditCount = 0;
	private fileBytes = 0;
	private cacheClearedAt = 0;
	private dirty = false;
	private flushTimer: NodeJS.Timeout | undefined;
	private writing: Promise<void> = Promise.resolve();
	private readonly pendingSaves = new Set<Promise<unknown>>();
	private closed = false;
	/** Settles when the cache has been warmed from the history (it never rejects). */
	warmed: Promise<void> = Promise.resolve();

	private constructor(
		private readonly db: Database,
		private readonly file: string | undefined,
		private readonly filesDir: string | undefined,
		private settings: Readonly<EngineSettings>,
		private readonly log: Logger,
		private readonly lock: DbLock | undefined,
		private readonly options: HistoryStoreOptions,
	) {
		this.lru = this.createLru();
	}

	/** Open (or create) the history, set aside an unreadable file, apply retention and warm the cache. */
	static async open(options: HistoryStoreOptions): Promise<HistoryStore> {
		const { settings, log } = options;
		const SQL = await loadSqlJs();
		const file = options.path === undefined ? undefined : path.resolve(options.path);
		const readOnly = options.readOnly === true;
		// A folder or a file that isn't a database is refused before anything is created beside it.
		if (file) checkDbPath(file);
		let lock: DbLock | undefined;
		if (file && !readOnly) {
			try {
				fs.mkdirSync(path.dirname(file), { recursive: true });
			} catch (err) {
				throw new AuditError('INTERNAL', `Cannot create the folder of history database ${file}: ${(err as Error).message}.`);
			}
			lock = DbLock.acquire(file);
			removeStaleTemps(file);
		}
		try {
			let db: Database | undefined;
			let fresh = true;
			let fileBytes = 0;
			if (file && fs.existsSync(file)) {
				try {
					const bytes = fs.readFileSync(file);
					fileBytes = bytes.length;
					// An empty file (e.g. made by `touch`) is an empty database, not a broken one.
					if (bytes.length > 0) {
						checkHeader(bytes);
						db = new SQL.Database(bytes);
						fresh = migrate(db, file) === 0;
					}
				} catch (err) {
					db?.close();
					db = undefined;
					if (err instanceof AuditError) throw err;
					const reason = err instanceof Error ? err.message : String(err);
					if (readOnly) throw new AuditError('INTERNAL', `History database ${file} cannot be read (${reason}).`);
					let aside: string;
					try {
						aside = setAside(file);
					} catch (renameErr) {
						throw new AuditError(
							'INTERNAL',
							`History database ${file} cannot be read (${reason}) and could not be moved aside (${(renameErr as Error).message}). Move or delete it, or give another file with --db PATH.`,
						);
					}
					log.warn(`History database ${file} could not be read (${reason}). It was moved to ${aside} and a new, empty history was started.`);
					fileBytes = 0;
				}
			}
			if (!db) {
				db = new SQL.Database();
				// Give pages of deleted audits back to the file rather than keeping them as free space.
				db.exec('PRAGMA auto_vacuum = FULL');
				migrate(db, file ?? ':memory:');
			}
			const filesDir = options.screenshotsDir ?? (file ? `${file}.files` : undefined);
			const store = new HistoryStore(db, file, filesDir, { ...settings }, log, lock, options);
			store.fileBytes = fileBytes;
			store.init(fresh && !readOnly);
			return store;
		} catch (err) {
			lock?.release();
			throw err;
		}
	}

	private init(persistNow: boolean): void {
		this.cacheClearedAt = Number(this.scalar(`SELECT value FROM meta WHERE key = 'cache_cleared_at'`) ?? 0);
		if (!this.options.readOnly) this.applyRetention();
		this.auditCount = Number(this.scalar('SELECT count(*) FROM audits'));
		this.warmed = this.warm().catch((err: unknown) => this.log.warn(`Warming the result cache failed: ${(err as Error).message}`));
		if (persistNow) this.scheduleFlush();
	}

	// ── cache ──────────────────────────────────────────────────────────────────────────────

	async lookup(key: string): Promise<AuditResult | undefined> {
		this.assertOpen();
		if (!this.cacheEnabled()) {
			this.misses++;
			return undefined;
		}
		const entry = this.lru.get(key);
		if (entry) {
			if (this.isFresh(entry.savedAt)) {
				this.hits++;
				return { ...entry.result, fromCache: true };
			}
			this.lru.delete(key);
		}
		// Not in memory (evicted, or beyond the warmed set): a fresh result may still be in the history.
		const since = Math.max(Date.now() - this.settings.cacheTtlMs, this.cacheClearedAt);
		const row = this.row('SELECT saved_at, result FROM audits WHERE cache_key = ? AND error IS NULL AND saved_at > ? ORDER BY saved_at DESC LIMIT 1', [key, since]);
		if (row) {
			const result = await unpackJson<AuditResult>(row.result as Uint8Array);
			this.cachePut(key, result, Number(row.saved_at));
			this.hits++;
			return { ...result, fromCache: true };
		}
		this.misses++;
		return undefined;
	}

	/** Drop the in-memory cache, and stop results saved so far from being served as cached. */
	clearCache(): number {
		this.assertOpen();
		const dropped = this.lru.size;
		this.lru.clear();
		this.keyOfId.clear();
		this.cacheClearedAt = Date.now();
		if (!this.options.readOnly) {
			this.db.run(`INSERT OR REPLACE INTO meta (key, value) VALUES ('cache_cleared_at', ?)`, [String(this.cacheClearedAt)]);
			this.scheduleFlush();
		}
		return dropped;
	}

	private cacheEnabled(): boolean {
		return this.settings.cacheTtlMs > 0 && this.settings.cacheMaxEntries > 0;
	}

	private isFresh(savedAt: number): boolean {
		return Date.now() - savedAt < this.settings.cacheTtlMs && savedAt > this.cacheClearedAt;
	}

	private cachePut(key: string, result: AuditResult, savedAt: number, bytes?: number): void {
		if (!this.cacheEnabled() || result.error || !this.isFresh(savedAt)) return;
		const size = Math.max(1, bytes ?? JSON.stringify(result).length);
		this.lru.set(key, { result: { ...result, fromCache: false }, savedAt }, { size });
		if (this.lru.has(key)) this.keyOfId.set(result.id, key);
	}

	private createLru(): LRUCache<string, CacheEntry> {
		return new LRUCache<string, CacheEntry>({
			max: Math.max(1, this.settings.cacheMaxEntries),
			maxSize: Math.max(1, this.options.cacheMaxBytes ?? DEFAULT_CACHE_BYTES),
			dispose: (entry, key) => {
				if (this.keyOfId.get(entry.result.id) === key) this.keyOfId.delete(entry.result.id);
			},
		});
	}

	/**
	 * Load the newest fresh result of each cache key into the LRU, oldest first so the newest end up
	 * most recent. Runs in small slices after open() so the first answers are not held up; a lookup
	 * meanwhile reads the history directly.
	 */
	private async warm(): Promise<void> {
		if (!this.cacheEnabled()) return;
		const since = Math.max(Date.now() - this.settings.cacheTtlMs, this.cacheClearedAt);
		// The newest save of each key from the covering index first, then only those rows' results:
		// warming never reads the blobs of the whole table.
		const newest = this.rows('SELECT cache_key, MAX(saved_at) AS saved_at FROM audits WHERE error IS NULL AND saved_at > ? GROUP BY cache_key ORDER BY saved_at DESC LIMIT ?', [
			since,
			this.settings.cacheMaxEntries,
		]);
		let n = 0;
		for (const row of newest.reverse()) {
			if (++n % WARM_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
			if (this.closed) return;
			// Saved or looked up since warming began: what is in memory is at least as new.
			if (this.lru.has(String(row.cache_key))) continue;
			try {
				const blob = this.scalar('SELECT result FROM audits WHERE cache_key = ? AND saved_at = ? AND error IS NULL LIMIT 1', [row.cache_key ?? null, row.saved_at ?? null]);
				if (!(blob instanceof Uint8Array)) continue;
				const text = unpackTextSync(blob);
				this.cachePut(String(row.cache_key), JSON.parse(text) as AuditResult, Number(row.saved_at), text.length);
			} catch (err) {
				this.log.warn(`Skipped a cached result that could not be read: ${(err as Error).message}`);
			}
		}
	}

	// ── history ────────────────────────────────────────────────────────────────────────────

	async save(key: string, result: AuditResult, artifacts: Artifacts): Promise<void> {
		this.assertWritable();
		const task = this.write(key, result, artifacts);
		this.pendingSaves.add(task);
		try {
			await task;
		} finally {
			this.pendingSaves.delete(task);
		}
	}

	private async write(key: string, result: AuditResult, artifacts: Artifacts): Promise<void> {
		const savedAt = Date.now();
		const stored: AuditResult = { ...result, fromCache: false };
		const resultJson = JSON.stringify(stored);
		this.cachePut(key, stored, savedAt, resultJson.length);

		const files = screenshotFiles(result);
		const lhrs: LhrByFormFactor = {};
		for (const formFactor of FORM_FACTORS) {
			const lhr = asLhr(artifacts.get(`lhr:${formFactor}`));
			if (!lhr) continue;
			if (!this.filesDir) {
				lhrs[formFactor] = lhr;
				continue;
			}
			const { lean, images } = splitImages(lhr);
			lhrs[formFactor] = lean;
			if (images) files.push(await this.writeImages(result.id, formFactor, images));
		}
		const quality = this.options.compressionQuality ?? 9;
		const [resultBlob, lhrBlob] = await Promise.all([packText(resultJson, quality), Object.keys(lhrs).length > 0 ? packJson(lhrs, quality) : Promise.resolve(null)]);
		const requestedAt = Date.parse(result.requestedAt);
		this.db.run(
			`INSERT OR REPLACE INTO audits (id, url, cache_key, requested_at, saved_at, duration_ms, options, engine_version, lighthouse_version,
				scores, metrics, stages, error, summary, files, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			[
				result.id,
				result.url,
				key,
				Number.isFinite(requestedAt) ? requestedAt : savedAt,
				savedAt,
				Math.round(result.durationMs),
				JSON.stringify(result.options),
				result.engineVersion,
				result.lighthouseVersion,
				JSON.stringify(scoresOf(result)),
				JSON.stringify(metricsOf(result)),
				JSON.stringify(stageSummary(result)),
				result.error ? JSON.stringify(result.error) : null,
				summaryOf(result),
				JSON.stringify(files),
				resultBlob,
			],
		);
		if (lhrBlob) this.db.run('INSERT OR REPLACE INTO lighthouse_reports (audit_id, data) VALUES (?, ?)', [result.id, lhrBlob]);
		else this.db.run('DELETE FROM lighthouse_reports WHERE audit_id = ?', [result.id]);
		this.applyRetention();
		this.auditCount = Number(this.scalar('SELECT count(*) FROM audits'));
		this.scheduleFlush();
	}

	private async writeImages(id: string, formFactor: FormFactor, images: LhrImages): Promise<string> {
		const dir = path.join(this.filesDir as string, safeName(id));
		await fs.promises.mkdir(dir, { recursive: true });
		const file = path.join(dir, `lhr-${formFactor}-images.json.gz`);
		// Base64 images gzip back to about their binary size (and blank filmstrip frames to far less).
		await fs.promises.writeFile(file, await gzip(JSON.stringify(images)));
		return file;
	}

	async get(id: string): Promise<AuditResult | undefined> {
		this.assertOpen();
		const key = this.keyOfId.get(id);
		const entry = key === undefined ? undefined : this.lru.peek(key);
		if (entry && entry.result.id === id) return { ...entry.result };
		const row = this.row('SELECT result FROM audits WHERE id = ?', [id]);
		return row ? unpackJson<AuditResult>(row.result as Uint8Array) : undefined;
	}

	/** The full Lighthouse JSON of a stored audit, with its images put back when their file still exists. */
	async getLhr(id: string, formFactor: FormFactor): Promise<unknown | undefined> {
		this.assertOpen();
		const row = this.row('SELECT r.data, a.files FROM audits a JOIN lighthouse_reports r ON r.audit_id = a.id WHERE a.id = ?', [id]);
		if (!row) return undefined;
		const lhrs = await unpackJson<LhrByFormFactor>(row.data as Uint8Array);
		const lhr = lhrs[formFactor];
		if (!lhr) return undefined;
		const imagesFile = (JSON.parse(String(row.files)) as string[]).find((f) => path.basename(f) === `lhr-${formFactor}-images.json.gz`);
		if (imagesFile) {
			try {
				mergeImages(lhr, JSON.parse((await gunzip(await fs.promises.readFile(imagesFile))).toString('utf8')) as LhrImages);
			} catch (err) {
				this.log.debug(`Lighthouse images of audit ${id} (${formFactor}) are not available: ${(err as Error).message}`);
			}
		}
		return lhr;
	}

	/** One summary per URL, most recently audited first. */
	async listUrls(limit = 100): Promise<UrlSummary[]> {
		this.assertOpen();
		const rows = this.rows(
			`SELECT a.id, a.url, a.requested_at, a.duration_ms, a.scores, a.error, c.audits
			FROM (SELECT url, MAX(requested_at) AS latest, count(*) AS audits FROM audits GROUP BY url) c
			JOIN audits a ON a.url = c.url AND a.requested_at = c.latest
			ORDER BY c.latest DESC, a.id DESC LIMIT ?`,
			[clampLimit(limit)],
		);
		const seen = new Set<string>();
		const out: UrlSummary[] = [];
		for (const row of rows) {
			const url = String(row.url);
			if (seen.has(url)) continue;
			seen.add(url);
			out.push({ url, audits: Number(row.audits), latest: toEntry(row) });
		}
		return out;
	}

	/** The audits of one URL, newest first. */
	async listAudits(url: string, limit = 100): Promise<HistoryEntry[]> {
		this.assertOpen();
		const rows = this.rows(`SELECT ${ENTRY_COLUMNS} FROM audits WHERE url = ? ORDER BY requested_at DESC, id DESC LIMIT ?`, [lenientUrl(url), clampLimit(limit)]);
		return rows.map(toEntry);
	}

	/** Delete one audit, every audit of a URL, or everything; answers how many audits were deleted. */
	async delete(params: DeleteHistoryParams): Promise<number> {
		this.assertWritable();
		let rows: Row[];
		if (params.all === true) rows = this.rows('SELECT id, files FROM audits');
		else if (params.id !== undefined) rows = this.rows('SELECT id, files FROM audits WHERE id = ?', [params.id]);
		else if (params.url !== undefined) rows = this.rows('SELECT id, files FROM audits WHERE url = ?', [lenientUrl(params.url)]);
		else throw new AuditError('INVALID_PARAMS', 'Say what to delete from the history: an audit id, a url, or all: true.');
		const deleted = this.deleteRows(rows);
		if (deleted > 0) this.scheduleFlush();
		return deleted;
	}

	/** Remove audits older than historyMaxAgeDays and beyond the newest historyMaxCount. */
	private applyRetention(): number {
		const cutoff = Date.now() - this.settings.historyMaxAgeDays * DAY_MS;
		const old = this.rows('SELECT id, files FROM audits WHERE requested_at < ?', [cutoff]);
		const surplus = this.rows('SELECT id, files FROM audits ORDER BY requested_at DESC, id DESC LIMIT -1 OFFSET ?', [this.settings.historyMaxCount]);
		const deleted = this.deleteRows([...old, ...surplus]);
		if (deleted > 0) {
			this.log.debug(`Retention removed ${deleted} audit(s) from the history.`);
			this.scheduleFlush();
		}
		return deleted;
	}

	private deleteRows(rows: Row[]): number {
		const ids = [...new Set(rows.map((r) => String(r.id)))];
		if (ids.length === 0) return 0;
		this.db.exec('BEGIN');
		try {
			for (let i = 0; i < ids.length; i += 500) {
				const chunk = ids.slice(i, i + 500);
				const marks = chunk.map(() => '?').join(', ');
				this.db.run(`DELETE FROM audits WHERE id IN (${marks})`, chunk);
				this.db.run(`DELETE FROM lighthouse_reports WHERE audit_id IN (${marks})`, chunk);
			}
			this.db.exec('COMMIT');
		} catch (err) {
			this.db.exec('ROLLBACK');
			throw err;
		}
		for (const id of ids) {
			const key = this.keyOfId.get(id);
			if (key !== undefined) this.lru.delete(key);
		}
		const files = rows.flatMap((r) => JSON.parse(String(r.files)) as string[]);
		if (files.length > 0) void this.removeFiles(files);
		this.auditCount = Number(this.scalar('SELECT count(*) FROM audits'));
		return ids.length;
	}

	private async removeFiles(files: string[]): Promise<void> {
		const dirs = new Set<string>();
		for (const file of files) {
			try {
				await fs.promises.rm(file, { force: true });
				dirs.add(path.dirname(file));
			} catch (err) {
				this.log.warn(`Could not delete ${file} of a removed audit: ${(err as Error).message}`);
			}
		}
		// The folder of one audit goes when it is empty; a folder that still holds files is left alone.
		for (const dir of dirs) await fs.promises.rmdir(dir).catch(() => undefined);
	}

	// ── settings, stats, lifecycle ─────────────────────────────────────────────────────────

	configure(settings: Readonly<EngineSettings>): void {
		const before = this.settings;
		this.settings = { ...settings };
		if (settings.cacheMaxEntries !== before.cacheMaxEntries) {
			const old = this.lru;
			this.lru = this.createLru();
			this.keyOfId.clear();
			// entries() runs most recent first; re-insert oldest first to keep the order.
			for (const [key, entry] of [...old.entries()].reverse()) this.cachePut(key, entry.result, entry.savedAt);
		}
		const retentionChanged = settings.historyMaxAgeDays !== before.historyMaxAgeDays || settings.historyMaxCount !== before.historyMaxCount;
		if (retentionChanged && !this.closed && !this.options.readOnly) this.applyRetention();
	}

	stats(): { cache: EngineStats['cache']; history: EngineStats['history'] } {
		const history: EngineStats['history'] = { audits: this.auditCount, dbBytes: this.closed ? this.fileBytes : this.dbBytes() };
		if (this.file) history.path = this.file;
		return {
			cache: { hits: this.hits, misses: this.misses, entries: this.lru.size, bytes: this.lru.calculatedSize },
			history,
		};
	}

	private dbBytes(): number {
		return Number(this.scalar('PRAGMA page_count')) * Number(this.scalar('PRAGMA page_size'));
	}

	/** Persist now (waits for a write in progress). Normally writes are debounced; close() flushes. */
	flush(): Promise<void> {
		if (this.flushTimer) {
			clearTimeout(this.flushTimer);
			this.flushTimer = undefined;
		}
		// One writer: every flush queues behind the previous one.
		this.writing = this.writing.then(() => this.persist());
		return this.writing;
	}

	private async persist(): Promise<void> {
		if (!this.dirty || !this.file || this.options.readOnly) return;
		this.dirty = false;
		const bytes = this.db.export();
		try {
			await writeFileAtomic(this.file, bytes);
			this.fileBytes = bytes.length;
		} catch (err) {
			this.dirty = true;
			this.log.error(`Could not save the history to ${this.file}: ${(err as Error).message}. It is kept in memory; retrying in ${RETRY_FLUSH_MS / 1000} s.`);
			if (!this.closed) this.scheduleFlush(RETRY_FLUSH_MS);
		}
	}

	private scheduleFlush(delay = this.options.flushDelayMs ?? 200): void {
		if (!this.file || this.options.readOnly) return;
		this.dirty = true;
		if (this.flushTimer || this.closed) return;
		this.flushTimer = setTimeout(() => {
			this.flushTimer = undefined;
			void this.flush();
		}, delay);
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		await this.warmed;
		await Promise.allSettled([...this.pendingSaves]);
		try {
			await this.flush();
		} finally {
			this.db.close();
			this.lru.clear();
			this.lock?.release();
		}
	}

	private assertOpen(): void {
		if (this.closed) throw new AuditError('SHUTTING_DOWN', 'The audit history is closed (the engine is shutting down).');
	}

	private assertWritable(): void {
		this.assertOpen();
		if (this.options.readOnly) throw new AuditError('INTERNAL', `History database ${this.file ?? ''} was opened read-only; it cannot be changed.`);
	}

	// ── sql helpers ────────────────────────────────────────────────────────────────────────

	private rows(sql: string, params: SqlValue[] = []): Row[] {
		const stmt = this.db.prepare(sql, params);
		try {
			const out: Row[] = [];
			while (stmt.step()) out.push(stmt.getAsObject());
			return out;
		} finally {
			stmt.free();
		}
	}

	private row(sql: string, params: SqlValue[] = []): Row | undefined {
		return this.rows(sql, params)[0];
	}

	private scalar(sql: string, params: SqlValue[] = []): SqlValue | undefined {
		const row = this.row(sql, params);
		return row ? Object.values(row)[0] : undefined;
	}
}

function safeName(id: string): string {
	return id.replace(/[^\w.-]/g, '_');
}

function clampLimit(limit: number): number {
	return Number.isInteger(limit) && limit > 0 ? Math.min(limit, 100_000) : 100;
}

/** History URLs are normalised; accept what a person types, but do not fail on it. */
function lenientUrl(url: string): string {
	try {
		return normalizeUrl(url);
	} catch {
		return url;
	}
}
