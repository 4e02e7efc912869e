import type { Database, SqlJsStatic } from 'sql.js';
import initSqlJs from 'sql.js';
import { AuditError } from '../errors';

let sqlJs: Promise<SqlJsStatic> | undefined;

/** Load sql.js once per process. The engine bundle keeps sql.js external, so its wasm is found through the package. */
export function loadSqlJs(): Promise<SqlJsStatic> {
	sqlJs ??= initSqlJs({ locateFile: () => require.resolve('sql.js/dist/sql-wasm.wasm') }).catch((err: unknown) => {
		sqlJs = undefined;
		throw err;
	});
	return sqlJs;
}

/**
 * Migrations: entry N takes the schema from version N to N + 1. Append, never edit a shipped one.
 * Times are epoch milliseconds; JSON columns hold the small facts lists need, the blobs the rest.
 */
export const MIGRATIONS: readonly string[] = [
	`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
	CREATE TABLE audits (
		id TEXT PRIMARY KEY,
		url TEXT NOT NULL,
		cache_key TEXT NOT NULL,
		requested_at INTEGER NOT NULL,
		saved_at INTEGER NOT NULL,
		duration_ms INTEGER NOT NULL,
		options TEXT NOT NULL,
		engine_version TEXT NOT NULL,
		lighthouse_version TEXT NOT NULL,
		scores TEXT NOT NULL,
		metrics TEXT NOT NULL,
		stages TEXT NOT NULL,
		error TEXT,
		summary TEXT NOT NULL,
		files TEXT NOT NULL,
		result BLOB NOT NULL
	);
	CREATE INDEX audits_by_url ON audits (url, requested_at DESC);
	CREATE INDEX audits_by_time ON audits (requested_at DESC);
	-- Only successful audits are served from the cache; this partial index covers the cache queries.
	CREATE INDEX audits_by_key ON audits (cache_key, saved_at DESC) WHERE error IS NULL;
	-- The Lighthouse reports of an audit, every form factor compressed together (they share most text).
	-- Kept apart so that scans of audits never walk the big blobs.
	CREATE TABLE lighthouse_reports (audit_id TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;`,
	// Results say what they are (ok, partial, failed); partial and failed audits are kept too. Rows written
	// before this were all successes (failed audits were never saved), so they read as ok.
	`ALTER TABLE audits ADD COLUMN status TEXT NOT NULL DEFAULT 'ok';
	UPDATE audits SET status = 'failed' WHERE error IS NOT NULL;
	DROP INDEX audits_by_key;
	CREATE INDEX audits_by_key ON audits (cache_key, saved_at DESC) WHERE status = 'ok';`,
	// Site scans: the report (routes pointing at their audits by id, failing audits across the site) compressed,
	// and the small summary the list of scans shows. Nothing secret: auth appears in the audits, as names.
	`CREATE TABLE scans (
		id TEXT PRIMARY KEY,
		start_url TEXT NOT NULL,
		origin TEXT NOT NULL,
		started_at INTEGER NOT NULL,
		duration_ms INTEGER NOT NULL,
		status TEXT NOT NULL,
		summary TEXT NOT NULL,
		report BLOB NOT NULL
	);
	CREATE INDEX scans_by_url ON scans (start_url, started_at DESC);
	CREATE INDEX scans_by_time ON scans (started_at DESC);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database): number {
	const table = db.exec(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`);
	if (table.length === 0) {
		// A database with tables but no version table is not ours.
		const other = db.exec(`SELECT count(*) FROM sqlite_master`);
		if (Number(other[0]?.values[0]?.[0] ?? 0) > 0) throw new Error('it holds tables that are not an AuditLens history');
		return 0;
	}
	const rows = db.exec('SELECT version FROM schema_version');
	return Number(rows[0]?.values[0]?.[0] ?? 0);
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * A cheap check that bytes are a whole SQLite file: the magic string, a sane page size, and a
 * length that matches the page count in the header (a truncated or torn file fails here).
 * Throws with the reason. A full integrity check of a 40 MB history costs more than the start-up budget.
 */
export function checkHeader(bytes: Uint8Array): void {
	if (bytes.length < 100) throw new Error(`it is too short to be a database (${bytes.length} bytes)`);
	if (!SQLITE_MAGIC.equals(bytes.subarray(0, 16))) throw new Error('it is not an SQLite database');
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const rawPageSize = view.getUint16(16);
	const pageSize = rawPageSize === 1 ? 65_536 : rawPageSize;
	if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0)
		throw new Error(`its header has an invalid page size (${rawPageSize})`);
	if (bytes.length % pageSize !== 0)
		throw new Error(`its length (${bytes.length} bytes) is not a whole number of ${pageSize}-byte pages`);
	const pages = view.getUint32(28);
	const headerValid = view.getUint32(24) === view.getUint32(92);
	if (headerValid && pages * pageSize !== bytes.length)
		throw new Error(`it is ${bytes.length} bytes long but its header says ${pages * pageSize}`);
}

/** Bring the schema up to date; answers the version it started from. Throws if the file is from a newer AuditLens. */
export function migrate(db: Database, file: string): number {
	const from = schemaVersion(db);
	if (from > SCHEMA_VERSION) {
		// Not damage: leave the file where it is, and say so.
		throw new AuditError(
			'INTERNAL',
			`History database ${file} has schema version ${from}, newer than this AuditLens understands (${SCHEMA_VERSION}). Update AuditLens, or give another file with --db PATH.`,
		);
	}
	if (from === SCHEMA_VERSION) return from;
	db.exec('BEGIN');
	try {
		if (from === 0)
			db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (0);');
		for (let v = from; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v] as string);
		db.run('UPDATE schema_version SET version = ?', [SCHEMA_VERSION]);
		db.exec('COMMIT');
	} catch (err) {
		db.exec('ROLLBACK');
		throw err;
	}
	return from;
}
