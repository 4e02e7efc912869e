import fs from 'node:fs';
import path from 'node:path';
import type { Database, SqlValue } from 'sql.js';
import { AuditError } from '../errors';
import type { Logger } from '../log';
import { checkDbPath, DbLock, removeStaleTemps, setAside, writeFileAtomic } from './dbFile';
import type { Row } from './historyRows';
import { checkHeader, loadSqlJs, migrate } from './historySchema';

export interface HistoryDbOptions {
	/** The database file; undefined keeps the database in memory only (nothing is written). */
	path?: string;
	log: Logger;
	/** Open without the lock, never write: for `auditlens history` while an engine owns the file. */
	readOnly?: boolean;
	/** Wait this long after a change before writing the file, so bursts cost one write (default 200 ms). */
	flushDelayMs?: number;
}

const RETRY_FLUSH_MS = 5_000;

/**
 * The history's sql.js database and the one file it is kept in: opened under a lock (`<file>.lock`, one
 * engine at a time), an unreadable file set aside for a new database, every change written back whole and
 * crash-safely (debounced, one writer at a time, retried when the write fails).
 */
export class HistoryDb {
	private fileBytes = 0;
	private dirty = false;
	private flushTimer: NodeJS.Timeout | undefined;
	private writing: Promise<void> = Promise.resolve();
	private isClosed = false;

	private constructor(
		private readonly db: Database,
		/** The absolute path of the file; undefined for a database in memory. */
		readonly file: string | undefined,
		/** True when the database was made here (no file, an empty one, or one set aside), not read. */
		readonly fresh: boolean,
		private readonly lock: DbLock | undefined,
		private readonly options: HistoryDbOptions,
	) {}

	/** Open (or create) the database, setting aside a file that cannot be read as one. */
	static async open(options: HistoryDbOptions): Promise<HistoryDb> {
		const { log } = options;
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
			const opened = new HistoryDb(db, file, fresh, lock, options);
			opened.fileBytes = fileBytes;
			return opened;
		} catch (err) {
			lock?.release();
			throw err;
		}
	}

	get readOnly(): boolean {
		return this.options.readOnly === true;
	}

	get closed(): boolean {
		return this.isClosed;
	}

	// ── reading and changing ───────────────────────────────────────────────────────────────

	rows(sql: string, params: SqlValue[] = []): Row[] {
		const stmt = this.db.prepare(sql, params);
		try {
			const out: Row[] = [];
			while (stmt.step()) out.push(stmt.getAsObject());
			return out;
		} finally {
			stmt.free();
		}
	}

	row(sql: string, params: SqlValue[] = []): Row | undefined {
		return this.rows(sql, params)[0];
	}

	scalar(sql: string, params: SqlValue[] = []): SqlValue | undefined {
		const row = this.row(sql, params);
		return row ? Object.values(row)[0] : undefined;
	}

	/** Run a statement; answers how many rows it changed. The caller says `changed()` when the file should follow. */
	run(sql: string, params: SqlValue[] = []): number {
		this.db.run(sql, params);
		return this.db.getRowsModified();
	}

	/** Run `work` in one transaction: all of its statements or none. */
	transaction<T>(work: () => T): T {
		this.db.exec('BEGIN');
		try {
			const out = work();
			this.db.exec('COMMIT');
			return out;
		} catch (err) {
			this.db.exec('ROLLBACK');
			throw err;
		}
	}

	/** The database's size: of its pages while open, of the file last written once closed. */
	bytes(): number {
		if (this.isClosed) return this.fileBytes;
		return Number(this.scalar('PRAGMA page_count')) * Number(this.scalar('PRAGMA page_size'));
	}

	assertOpen(): void {
		if (this.isClosed)
			throw new AuditError('SHUTTING_DOWN', 'The audit history is closed (the engine is shutting down).');
	}

	assertWritable(): void {
		this.assertOpen();
		if (this.readOnly)
			throw new AuditError(
				'INTERNAL',
				`History database ${this.file ?? ''} was opened read-only; it cannot be changed.`,
			);
	}

	// ── the file ───────────────────────────────────────────────────────────────────────────

	/** The database changed: write the file after `delay` (nothing for a database in memory or read-only). */
	changed(delay = this.options.flushDelayMs ?? 200): void {
		if (!this.file || this.readOnly) return;
		this.dirty = true;
		if (this.flushTimer || this.isClosed) return;
		this.flushTimer = setTimeout(() => {
			this.flushTimer = undefined;
			void this.flush();
		}, delay);
	}

	/** Write the file now (after a write in progress). Writes are normally debounced; close() flushes. */
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
		if (!this.dirty || !this.file || this.readOnly) return;
		this.dirty = false;
		const bytes = this.db.export();
		try {
			await writeFileAtomic(this.file, bytes);
			this.fileBytes = bytes.length;
		} catch (err) {
			this.dirty = true;
			this.options.log.error(
				`Could not save the history to ${this.file}: ${(err as Error).message}. It is kept in memory; retrying in ${RETRY_FLUSH_MS / 1000} s.`,
			);
			if (!this.isClosed) this.changed(RETRY_FLUSH_MS);
		}
	}

	/**
	 * Refuse new work from now on, wait for `drain` (work already under way, which may still change the
	 * database), write the file a last time, then release it.
	 */
	async close(drain?: () => Promise<unknown>): Promise<void> {
		if (this.isClosed) return;
		this.isClosed = true;
		await drain?.();
		try {
			await this.flush();
		} finally {
			this.db.close();
			this.lock?.release();
		}
	}
}
