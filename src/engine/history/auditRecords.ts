import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { AuditResult, DeleteHistoryParams, FormFactor, HistoryEntry, UrlSummary } from '../../protocol';
import { FORM_FACTORS } from '../../protocol';
import { AuditError } from '../errors';
import { summarizeInsights } from '../lighthouse/insights';
import type { LhrLike } from '../lighthouse/workerProtocol';
import type { Logger } from '../log';
import type { StoredResult } from '../resultCache';
import type { HistoryDb } from './historyDb';
import { clampLimit, lenientUrl } from './historyParams';
import { metricsOf, type Row, scoresOf, screenshotFiles, stageSummary, summaryOf, toEntry } from './historyRows';
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
import type { Artifacts } from './resultStore';
import type { Clock } from '../clock';

export interface AuditRecordsOptions {
	/** Folder for the images split off Lighthouse reports; undefined keeps them inline in the database. */
	filesDir: string | undefined;
	log: Logger;
	/** Brotli quality for stored JSON, 0..11. */
	compressionQuality: number;
	/** Audits left the history (replaced, deleted, past retention). */
	onDeleted: (ids: string[]) => void;
	/** What a result's save time is read from. */
	clock: Clock;
}

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);
/** Results read from the history per event-loop turn while the cache warms. */
const WARM_SLICE = 20;
const ENTRY_COLUMNS = 'id, url, requested_at, duration_ms, scores, status, error, lighthouse_version';

/**
 * The audits table and its Lighthouse reports: every audit whatever its status (ok, partial, failed), the
 * images split off its reports kept in files beside the database. Changes are the caller's to flush.
 */
export class AuditRecords {
	private audits = 0;

	constructor(
		private readonly db: HistoryDb,
		private readonly options: AuditRecordsOptions,
	) {
		this.audits = this.countRows();
	}

	/** Audits in the history (kept after close, for stats). */
	get count(): number {
		return this.audits;
	}

	/**
	 * Insert a finished audit under its cache key, replacing the partial and failed audits saved before under
	 * that key (a re-run that fixed the problem leaves one row, not a trail of stale failures). Answers what
	 * the result cache keeps of it.
	 */
	async save(key: string, result: AuditResult, artifacts: Artifacts): Promise<StoredResult> {
		const savedAt = this.options.clock.now();
		const stored: AuditResult = { ...result, fromCache: false };
		const resultJson = JSON.stringify(stored);

		const files = screenshotFiles(result);
		const lhrs: LhrByFormFactor = {};
		for (const formFactor of FORM_FACTORS) {
			const lhr = asLhr(artifacts.get(`lhr:${formFactor}`));
			if (!lhr) continue;
			if (!this.options.filesDir) {
				lhrs[formFactor] = lhr;
				continue;
			}
			const { lean, images } = splitImages(lhr);
			lhrs[formFactor] = lean;
			if (images) files.push(await this.writeImages(result.id, formFactor, images));
		}
		const quality = this.options.compressionQuality;
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
		this.deleteRows(
			this.db.rows(`SELECT id, files FROM audits WHERE cache_key = ? AND status != 'ok' AND id != ?`, [key, result.id]),
		);
		this.audits = this.countRows();
		return { key, result: stored, savedAt, bytes: resultJson.length };
	}

	private async writeImages(id: string, formFactor: FormFactor, images: LhrImages): Promise<string> {
		const dir = path.join(this.options.filesDir as string, safeName(id));
		await fs.promises.mkdir(dir, { recursive: true });
		const file = path.join(dir, `lhr-${formFactor}-images.json.gz`);
		// Base64 images gzip back to about their binary size (and blank filmstrip frames to far less).
		await fs.promises.writeFile(file, await gzip(JSON.stringify(images)));
		return file;
	}

	async get(id: string): Promise<AuditResult | undefined> {
		const row = this.db.row('SELECT result FROM audits WHERE id = ?', [id]);
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
		const row = this.db.row('SELECT data FROM lighthouse_reports WHERE audit_id = ?', [result.id]);
		if (!row) return result;
		try {
			const lhrs = await unpackJson<LhrByFormFactor>(row.data as Uint8Array);
			for (const ff of missing) {
				const outcome = result.stages[`lighthouse-${ff}`];
				const lhr = lhrs[ff];
				if (outcome?.status === 'ok' && lhr) outcome.data.insights = summarizeInsights(lhr as LhrLike);
			}
		} catch (err) {
			this.options.log.debug(
				`The Lighthouse reports of audit ${result.id} give no insights: ${(err as Error).message}`,
			);
		}
		return result;
	}

	/** The full Lighthouse JSON of a stored audit, with its images put back when their file still exists. */
	async getLhr(id: string, formFactor: FormFactor): Promise<unknown | undefined> {
		const row = this.db.row(
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
				this.options.log.debug(
					`Lighthouse images of audit ${id} (${formFactor}) are not available: ${(err as Error).message}`,
				);
			}
		}
		return lhr;
	}

	/** One summary per URL, most recently audited first. */
	listUrls(limit = 100): UrlSummary[] {
		const rows = this.db.rows(
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
	listAudits(url: string, limit = 100): HistoryEntry[] {
		const rows = this.db.rows(
			`SELECT ${ENTRY_COLUMNS} FROM audits WHERE url = ? ORDER BY requested_at DESC, id DESC LIMIT ?`,
			[lenientUrl(url), clampLimit(limit)],
		);
		return rows.map(toEntry);
	}

	/** Which of `ids` are still in the history. */
	existing(ids: string[]): Set<string> {
		const kept = new Set<string>();
		for (let i = 0; i < ids.length; i += 500) {
			const chunk = ids.slice(i, i + 500);
			for (const r of this.db.rows(`SELECT id FROM audits WHERE id IN (${chunk.map(() => '?').join(', ')})`, chunk))
				kept.add(String(r.id));
		}
		return kept;
	}

	// ── what the result cache reads ────────────────────────────────────────────────────────

	/** The newest `ok` result of a cache key saved after `since`. */
	findCached(key: string, since: number): StoredResult | undefined {
		const row = this.db.row(
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
		const newest = this.db.rows(
			`SELECT cache_key, MAX(saved_at) AS saved_at FROM audits WHERE status = 'ok' AND saved_at > ? GROUP BY cache_key ORDER BY saved_at DESC LIMIT ?`,
			[since, limit],
		);
		let n = 0;
		for (const row of newest) {
			if (++n % WARM_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
			if (this.db.closed) return;
			try {
				const blob = this.db.scalar(
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
				this.options.log.warn(`Skipped a cached result that could not be read: ${(err as Error).message}`);
			}
		}
	}

	/** Cache keys with an `ok` result saved after `since`. */
	cachedKeys(since: number): number {
		return Number(
			this.db.scalar(`SELECT count(DISTINCT cache_key) FROM audits WHERE status = 'ok' AND saved_at > ?`, [since]),
		);
	}

	// ── deleting ───────────────────────────────────────────────────────────────────────────

	/** Delete one audit, every audit of a URL, or everything; answers how many audits were deleted. */
	delete(params: DeleteHistoryParams): number {
		let rows: Row[];
		if (params.all === true) rows = this.db.rows('SELECT id, files FROM audits');
		else if (params.id !== undefined) rows = this.db.rows('SELECT id, files FROM audits WHERE id = ?', [params.id]);
		else if (params.url !== undefined)
			rows = this.db.rows('SELECT id, files FROM audits WHERE url = ?', [lenientUrl(params.url)]);
		else
			throw new AuditError('INVALID_PARAMS', 'Say what to delete from the history: an audit id, a url, or all: true.');
		return this.deleteRows(rows);
	}

	/** Delete audits requested before `cutoff`, and those beyond the newest `keep`; answers how many. */
	deleteOutside(cutoff: number, keep: number): number {
		const old = this.db.rows('SELECT id, files FROM audits WHERE requested_at < ?', [cutoff]);
		const surplus = this.db.rows('SELECT id, files FROM audits ORDER BY requested_at DESC, id DESC LIMIT -1 OFFSET ?', [
			keep,
		]);
		return this.deleteRows([...old, ...surplus]);
	}

	/** Delete the audits of `rows` (their id and files) with their reports and image files. */
	private deleteRows(rows: Row[]): number {
		const ids = [...new Set(rows.map((r) => String(r.id)))];
		if (ids.length === 0) return 0;
		this.db.transaction(() => {
			for (let i = 0; i < ids.length; i += 500) {
				const chunk = ids.slice(i, i + 500);
				const marks = chunk.map(() => '?').join(', ');
				this.db.run(`DELETE FROM audits WHERE id IN (${marks})`, chunk);
				this.db.run(`DELETE FROM lighthouse_reports WHERE audit_id IN (${marks})`, chunk);
			}
		});
		this.options.onDeleted(ids);
		const files = rows.flatMap((r) => JSON.parse(String(r.files)) as string[]);
		if (files.length > 0) void this.removeFiles(files);
		this.audits = this.countRows();
		return ids.length;
	}

	private async removeFiles(files: string[]): Promise<void> {
		const dirs = new Set<string>();
		for (const file of files) {
			try {
				await fs.promises.rm(file, { force: true });
				dirs.add(path.dirname(file));
			} catch (err) {
				this.options.log.warn(`Could not delete ${file} of a removed audit: ${(err as Error).message}`);
			}
		}
		// The folder of one audit goes when it is empty; a folder that still holds files is left alone.
		for (const dir of dirs) await fs.promises.rmdir(dir).catch(() => undefined);
	}

	private countRows(): number {
		return Number(this.db.scalar('SELECT count(*) FROM audits'));
	}
}

function safeName(id: string): string {
	return id.replace(/[^\w.-]/g, '_');
}

/** What a history row says went wrong: the audit's error, or the first stage error of a partial one. */
function entryError(result: AuditResult): AuditResult['error'] {
	if (result.error) return result.error;
	if (result.status === 'ok') return undefined;
	return Object.values(result.stageErrors ?? {})[0];
}
