import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Database, SqlValue } from 'sql.js';
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
import { FORM_FACTORS } from '../../protocol';
import { AuditError } from '../errors';
import type { Logger } from '../log';
import { normalizeUrl } from '../request';
import type { CacheSource, StoredResult } from '../resultCache';
import { checkDbPath, DbLock, removeStaleTemps, setAside, writeFileAtomic } from './dbFile';
import { checkHeader, loadSqlJs, migrate } from './historySchema';
import {
	asLhr,
	type LhrByFormFactor,
	type LhrImages,
	mergeImages,
	packJson,
	packText,
	splitImages,
	unpackJson,
	unpackTextSync,
} from './lhrPack';
import { metricsOf, type Row, scoresOf, screenshotFiles, stageSummary, summaryOf, toEntry } from './historyRows';
import type { Artifacts, ResultStore } from './resultStore';
import { scanSummary } from '../scan/siteReport';
import { summarizeInsights } from '../lighthouse/insights';
import type { LhrLike } from '../lighthouse/workerProtocol';
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
	 * Brotli quality for stored JSON, 0..11. Default 9: two reports compress in ~25 ms to ~40 KB; 10 saves
	 * ~4 KB more for ~6x the CPU, which would compete with Lighthouse runs measuring performance.
	 */
	compressionQuality?: number;
	/** What a result's save time is read from, the cache's TTL measured on (tests move a clock of their own). */
	clock?: Clock;
}

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);
const DAY_MS = 24 * 3600_000;
const RETRY_FLUSH_MS = 5_000;
/** Results read from the history per event-loop turn while the cache warms. */
const WARM_SLICE = 20;
const ENTRY_COLUMNS = 'id, url, requested_at, duration_ms, scores, status, error, lighthouse_version';

/** Listens to what changes the cacheable contents of the history. */
type Watcher = Parameters<CacheSource['watch']>[0];

/**
 * The audit history: a sql.js database persisted crash-safely to one file, with every audit whatever
 * its status (ok, partial, failed). One engine owns a file at a time (`<file>.lock`). It is also the
 * source the result cache (../resultCache.ts) falls back to and warms from; the cache itself lives there.
 *
 * A new audit of a cache key replaces the partial and failed audits saved before under that key: a
 * re-run that fixed the problem leaves one row, not a trail of stale failures; `ok` audits are all kept.
 */
export class HistoryStore implements ResultStore, CacheSource {
	private readonly watchers: Watcher[] = [];
	private auditCount = 0;
	private fileBytes = 0;
	private clearedAt = 0;
	private dirty = false;
	private flushTimer: NodeJS.Timeout | undefined;
	private writing: Promise<void> = Promise.resolve();
	private readonly pendingSaves = new Set<Promise<unknown>>();
	private closed = false;

	private constructor(
		private readonly db: Database,
		private readonly file: string | undefined,
		private readonly filesDir: string | undefined,
		private settings: Readonly<EngineSettings>,
		private readonly log: Logger,
		private readonly lock: DbLock | undefined,
		private readonly options: HistoryStoreOptions,
	) {}

	/** Open (or create) the history, set aside an unreadable file and apply retention. */
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
				throw new AuditError(
					'INTERNAL',
					`Cannot create the folder of history database ${file}: ${(err as Error).message}.`,
				);
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
					log.warn(
						`History database ${file} could not be read (${reason}). It was moved to ${aside} and a new, empty history was started.`,
					);
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
		this.clearedAt = Number(this.scalar(`SELECT value FROM meta WHERE key = 'cache_cleared_at'`) ?? 0);
		if (!this.options.readOnly) this.applyRetention();
		this.auditCount = Number(this.scalar('SELECT count(*) FROM audits'));
		if (persistNow) this.scheduleFlush();
	}

	// ── what the result cache reads ────────────────────────────────────────────────────────

	get cacheClearedAt(): number {
		return this.clearedAt;
	}

	watch(watcher: Watcher): void {
		this.watchers.push(watcher);
	}

	async findCached(key: string, since: number): Promise<StoredResult | undefined> {
		this.assertOpen();
		const row = this.row(
			`SELECT saved_at, result FROM audits WHERE cache_key = ? AND status = 'ok' AND saved_at > ? ORDER BY saved_at DESC LIMIT 1`,
			[key, since],
		);
		if (!row) return undefined;
		const text = unpackTextSync(row.result as Uint8Array);
		return { key, result: JSON.parse(text) as AuditResult, savedAt: Number(row.saved_at), bytes: text.length };
	}

	/**
	 * The newest `ok` result of each cache key, newest first. The newest save of each key comes from the
	 * covering index first, then only those rows' results are read: warming never reads the whole table.
	 */
	async *recentCached(since: number, limit: number): AsyncIterable<StoredResult> {
		const newest = this.rows(
			`SELECT cache_key, MAX(saved_at) AS saved_at FROM audits WHERE status = 'ok' AND saved_at > ? GROUP BY cache_key ORDER BY saved_at DESC LIMIT ?`,
			[since, limit],
		);
		let n = 0;
		for (const row of newest) {
			if (++n % WARM_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
			if (this.closed) return;
			try {
				const blob = this.scalar(
					`SELECT result FROM audits WHERE cache_key = ? AND saved_at = ? AND status = 'ok' LIMIT 1`,
					[row.cache_key ?? null, row.saved_at ?? null],
				);
				if (!(blob instanceof Uint8Array)) continue;
				const text = unpackTextSync(blob);
				yield {
					key: String(row.cache_key),
					result: JSON.parse(text) as AuditResult,
					savedAt: Number(row.saved_at),
					bytes: text.length,
				};
			} catch (err) {
				this.log.warn(`Skipped a cached result that could not be read: ${(err as Error).message}`);
			}
		}
	}

	markCacheCleared(at: number): void {
		this.assertOpen();
		this.clearedAt = at;
		if (this.options.readOnly) return;
		this.db.run(`INSERT OR REPLACE INTO meta (key, value) VALUES ('cache_cleared_at', ?)`, [String(at)]);
		this.scheduleFlush();
	}

	/**
	 * Stop every result saved so far from being served as cached (for `auditlens cache clear`, with no
	 * engine running); answers how many cached results that stopped.
	 */
	clearCache(): number {
		this.assertOpen();
		const since = Math.max(Date.now() - this.settings.cacheTtlMs, this.clearedAt);
		const fresh = Number(
			this.scalar(`SELECT count(DISTINCT cache_key) FROM audits WHERE status = 'ok' AND saved_at > ?`, [since]),
		);
		this.markCacheCleared(Date.now());
		return this.settings.cacheTtlMs > 0 && this.settings.cacheMaxEntries > 0
			? Math.min(fresh, this.settings.cacheMaxEntries)
			: 0;
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
		const savedAt = (this.options.clock ?? systemClock).now();
		const stored: AuditResult = { ...result, fromCache: false };
		const resultJson = JSON.stringify(stored);

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
		const [resultBlob, lhrBlob] = await Promise.all([
			packText(resultJson, quality),
			Object.keys(lhrs).length > 0 ? packJson(lhrs, quality) : Promise.resolve(null),
		]);
		const requestedAt = Date.parse(result.requestedAt);
		this.db.run(
			`INSERT OR REPLACE INTO audits (id, url, cache_key, requested_at, saved_at, duration_ms, options, engine_version, lighthouse_version,
				scores, metrics, stages, status, error, summary, files, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
				result.status,
				entryError(result) ? JSON.stringify(entryError(result)) : null,
				summaryOf(result),
				JSON.stringify(files),
				resultBlob,
			],
		);
		if (lhrBlob)
			this.db.run('INSERT OR REPLACE INTO lighthouse_reports (audit_id, data) VALUES (?, ?)', [result.id, lhrBlob]);
		else this.db.run('DELETE FROM lighthouse_reports WHERE audit_id = ?', [result.id]);
		// The partial and failed audits this one supersedes (see the class comment).
		this.deleteRows(
			this.rows(`SELECT id, files FROM audits WHERE cache_key = ? AND status != 'ok' AND id != ?`, [key, result.id]),
		);
		this.applyRetention();
		this.auditCount = Number(this.scalar('SELECT count(*) FROM audits'));
		this.scheduleFlush();
		for (const w of this.watchers) w.saved({ key, result: stored, savedAt, bytes: resultJson.length });
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
		const row = this.row('SELECT result FROM audits WHERE id = ?', [id]);
		return row ? this.withInsights(await unpackJson<AuditResult>(row.result as Uint8Array)) : undefined;
	}

	/**
	 * A result saved before summaries kept performance insights (Lighthouse 12 audits of earlier versions) gets
	 * them from its stored Lighthouse report, so it opens with its opportunities like a new one.
	 */
	private async withInsights(result: AuditResult): Promise<AuditResult> {
		const missing = FORM_FACTORS.filter((ff) => {
			const outcome = result.stages[`lighthouse-${ff}`];
			return outcome?.status === 'ok' && outcome.data.insights === undefined;
		});
		if (missing.length === 0) return result;
		const row = this.row('SELECT data FROM lighthouse_reports WHERE audit_id = ?', [result.id]);
		if (!row) return result;
		try {
			const lhrs = await unpackJson<LhrByFormFactor>(row.data as Uint8Array);
			for (const ff of missing) {
				const outcome = result.stages[`lighthouse-${ff}`];
				const lhr = lhrs[ff];
				if (outcome?.status === 'ok' && lhr) outcome.data.insights = summarizeInsights(lhr as LhrLike);
			}
		} catch (err) {
			this.log.debug(`The Lighthouse reports of audit ${result.id} give no insights: ${(err as Error).message}`);
		}
		return result;
	}

	/** The full Lighthouse JSON of a stored audit, with its images put back when their file still exists. */
	async getLhr(id: string, formFactor: FormFactor): Promise<unknown | undefined> {
		this.assertOpen();
		const row = this.row(
			'SELECT r.data, a.files FROM audits a JOIN lighthouse_reports r ON r.audit_id = a.id WHERE a.id = ?',
			[id],
		);
		if (!row) return undefined;
		const lhrs = await unpackJson<LhrByFormFactor>(row.data as Uint8Array);
		const lhr = lhrs[formFactor];
		if (!lhr) return undefined;
		const imagesFile = (JSON.parse(String(row.files)) as string[]).find(
			(f) => path.basename(f) === `lhr-${formFactor}-images.json.gz`,
		);
		if (imagesFile) {
			try {
				mergeImages(
					lhr,
					JSON.parse((await gunzip(await fs.promises.readFile(imagesFile))).toString('utf8')) as LhrImages,
				);
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
			`SELECT a.id, a.url, a.requested_at, a.duration_ms, a.scores, a.status, a.error, a.lighthouse_version, c.audits
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
		const rows = this.rows(
			`SELECT ${ENTRY_COLUMNS} FROM audits WHERE url = ? ORDER BY requested_at DESC, id DESC LIMIT ?`,
			[lenientUrl(url), clampLimit(limit)],
		);
		return rows.map(toEntry);
	}

	/** Delete one audit, every audit of a URL, or everything; answers how many audits were deleted. */
	async delete(params: DeleteHistoryParams): Promise<number> {
		this.assertWritable();
		let rows: Row[];
		if (params.all === true) rows = this.rows('SELECT id, files FROM audits');
		else if (params.id !== undefined) rows = this.rows('SELECT id, files FROM audits WHERE id = ?', [params.id]);
		else if (params.url !== undefined)
			rows = this.rows('SELECT id, files FROM audits WHERE url = ?', [lenientUrl(params.url)]);
		else
			throw new AuditError('INVALID_PARAMS', 'Say what to delete from the history: an audit id, a url, or all: true.');
		const deleted = this.deleteRows(rows);
		// The site's scans go with the history of the site: everything, or the scans that started at that URL.
		let scans = 0;
		if (params.all === true || params.url !== undefined) {
			this.db.run(
				params.all === true ? 'DELETE FROM scans' : 'DELETE FROM scans WHERE start_url = ?',
				params.all === true ? [] : [lenientUrl(params.url as string)],
			);
			scans = this.db.getRowsModified();
		}
		if (deleted > 0 || scans > 0) this.scheduleFlush();
		return deleted;
	}

	// ── scans ──────────────────────────────────────────────────────────────────────────────

	async saveScan(report: ScanReport): Promise<void> {
		this.assertWritable();
		const blob = await packText(JSON.stringify(report), this.options.compressionQuality ?? 9);
		this.assertWritable();
		const startedAt = Date.parse(report.startedAt);
		this.db.run(
			'INSERT OR REPLACE INTO scans (id, start_url, origin, started_at, duration_ms, status, summary, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
			[
				report.id,
				report.startUrl,
				report.origin,
				Number.isFinite(startedAt) ? startedAt : Date.now(),
				Math.round(report.durationMs),
				report.status,
				JSON.stringify(scanSummary(report)),
				blob,
			],
		);
		this.scheduleFlush();
	}

	async getScan(id: string): Promise<ScanReport | undefined> {
		this.assertOpen();
		const row = this.row('SELECT report FROM scans WHERE id = ?', [id]);
		if (!row) return undefined;
		const report = await unpackJson<ScanReport>(row.report as Uint8Array);
		// Audits deleted since (by id, by retention) no longer open: their routes keep their scores, not the link.
		const ids = report.routes.flatMap((r) => (r.auditId ? [r.auditId] : []));
		const kept = new Set<string>();
		for (let i = 0; i < ids.length; i += 500) {
			const chunk = ids.slice(i, i + 500);
			for (const r of this.rows(`SELECT id FROM audits WHERE id IN (${chunk.map(() => '?').join(', ')})`, chunk))
				kept.add(String(r.id));
		}
		for (const route of report.routes) if (route.auditId && !kept.has(route.auditId)) delete route.auditId;
		return report;
	}

	async listScans(params: ListScansParams = {}): Promise<ScanSummary[]> {
		this.assertOpen();
		const limit = clampLimit(params.limit ?? 100);
		const rows =
			params.url === undefined
				? this.rows('SELECT summary FROM scans ORDER BY started_at DESC, rowid DESC LIMIT ?', [limit])
				: this.rows('SELECT summary FROM scans WHERE start_url = ? ORDER BY started_at DESC, rowid DESC LIMIT ?', [
						lenientUrl(params.url),
						limit,
					]);
		return rows.map((r) => JSON.parse(String(r.summary)) as ScanSummary);
	}

	/** Remove audits older than historyMaxAgeDays and beyond the newest historyMaxCount. */
	private applyRetention(): number {
		const cutoff = Date.now() - this.settings.historyMaxAgeDays * DAY_MS;
		const old = this.rows('SELECT id, files FROM audits WHERE requested_at < ?', [cutoff]);
		const surplus = this.rows('SELECT id, files FROM audits ORDER BY requested_at DESC, id DESC LIMIT -1 OFFSET ?', [
			this.settings.historyMaxCount,
		]);
		const deleted = this.deleteRows([...old, ...surplus]);
		this.db.run('DELETE FROM scans WHERE started_at < ?', [cutoff]);
		if (this.db.getRowsModified() > 0) this.scheduleFlush();
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
		for (const w of this.watchers) w.deleted(ids);
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
		const retentionChanged =
			settings.historyMaxAgeDays !== before.historyMaxAgeDays || settings.historyMaxCount !== before.historyMaxCount;
		if (retentionChanged && !this.closed && !this.options.readOnly) this.applyRetention();
	}

	stats(): { history: EngineStats['history'] } {
		const history: EngineStats['history'] = {
			audits: this.auditCount,
			dbBytes: this.closed ? this.fileBytes : this.dbBytes(),
		};
		if (this.file) history.path = this.file;
		return { history };
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
			this.log.error(
				`Could not save the history to ${this.file}: ${(err as Error).message}. It is kept in memory; retrying in ${RETRY_FLUSH_MS / 1000} s.`,
			);
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
		await Promise.allSettled([...this.pendingSaves]);
		try {
			await this.flush();
		} finally {
			this.db.close();
			this.lock?.release();
		}
	}

	private assertOpen(): void {
		if (this.closed)
			throw new AuditError('SHUTTING_DOWN', 'The audit history is closed (the engine is shutting down).');
	}

	private assertWritable(): void {
		this.assertOpen();
		if (this.options.readOnly)
			throw new AuditError(
				'INTERNAL',
				`History database ${this.file ?? ''} was opened read-only; it cannot be changed.`,
			);
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

/** What a history row says went wrong: the audit's error, or the first stage error of a partial one. */
function entryError(result: AuditResult): AuditResult['error'] {
	if (result.error) return result.error;
	if (result.status === 'ok') return undefined;
	return Object.values(result.stageErrors ?? {})[0];
}
