import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditError } from '../errors';

/** Lock files this process holds, so a second store in the same process is refused too. */
const heldLocks = new Set<string>();

function pidAlive(pid: number): boolean {
	if (!Number.isInteger(pid) || pid <= 0) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (err) {
		// EPERM: the process exists but belongs to someone else.
		return (err as NodeJS.ErrnoException).code === 'EPERM';
	}
}

function readPid(lockPath: string): number | undefined {
	try {
		const pid = Number.parseInt(fs.readFileSync(lockPath, 'utf8').trim(), 10);
		return Number.isInteger(pid) ? pid : undefined;
	} catch {
		return undefined;
	}
}

/** Another live engine holds the history database. */
export class DbInUseError extends AuditError {
	constructor(
		readonly dbPath: string,
		readonly holderPid: number | undefined,
	) {
		const who = holderPid === undefined ? 'another engine' : `engine pid ${holderPid}`;
		super(
			'INTERNAL',
			`History database ${dbPath} is in use by ${who}. Stop that engine, or give this one another file with --db PATH.`,
		);
	}
}

function inUse(dbPath: string, pid: number | undefined): AuditError {
	return new DbInUseError(dbPath, pid);
}

/** An exclusive hold on `<db>.lock`, holding our pid. A lock left by a dead process is taken over. */
export class DbLock {
	private released = false;

	private constructor(readonly lockPath: string) {}

	static acquire(dbPath: string): DbLock {
		const lockPath = `${dbPath}.lock`;
		if (heldLocks.has(lockPath)) throw inUse(dbPath, process.pid);
		for (let attempt = 0; attempt < 3; attempt++) {
			try {
				fs.writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx' });
				heldLocks.add(lockPath);
				return new DbLock(lockPath);
			} catch (err) {
				if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
					throw new AuditError(
						'INTERNAL',
						`Cannot create the lock file ${lockPath}: ${(err as Error).message}. Check that its folder is writable.`,
					);
				}
			}
			const pid = readPid(lockPath);
			// Our own pid in a lock we do not hold is a leftover of an earlier process that had our pid.
			if (pid !== undefined && pid !== process.pid && pidAlive(pid)) throw inUse(dbPath, pid);
			// Stale: move it aside atomically, so of two engines taking over only one wins the rename.
			const aside = `${lockPath}.stale-${process.pid}`;
			try {
				fs.renameSync(lockPath, aside);
			} catch {
				continue;
			}
			const movedPid = readPid(aside);
			if (movedPid !== pid && movedPid !== undefined && pidAlive(movedPid)) {
				// We moved a fresh lock someone else just took: give it back and step down.
				try {
					fs.linkSync(aside, lockPath);
				} catch {
					/* they will notice the missing lock at their close; nothing better to do */
				}
				fs.rmSync(aside, { force: true });
				throw inUse(dbPath, movedPid);
			}
			fs.rmSync(aside, { force: true });
		}
		throw inUse(dbPath, readPid(lockPath));
	}

	release(): void {
		if (this.released) return;
		this.released = true;
		heldLocks.delete(this.lockPath);
		if (readPid(this.lockPath) === process.pid) fs.rmSync(this.lockPath, { force: true });
	}
}

/**
 * Replace `file` with `bytes` so that a crash at any moment leaves either the old or the new file:
 * write a temp file in the same folder, fsync it, rename it over, then fsync the folder.
 */
export async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
	const tmp = `${file}.tmp-${process.pid}`;
	const handle = await fs.promises.open(tmp, 'w');
	try {
		await handle.writeFile(bytes);
		await handle.sync();
	} finally {
		await handle.close();
	}
	await fs.promises.rename(tmp, file);
	try {
		const dir = await fs.promises.open(path.dirname(file), 'r');
		try {
			await dir.sync();
		} finally {
			await dir.close();
		}
	} catch {
		// Some platforms (Windows) cannot fsync a folder; the rename is still atomic there.
	}
}

/** Remove temp files left by a writer that was killed mid-write. */
export function removeStaleTemps(file: string): void {
	const dir = path.dirname(file);
	const prefix = `${path.basename(file)}.tmp-`;
	let names: string[];
	try {
		names = fs.readdirSync(dir);
	} catch {
		return;
	}
	for (const name of names) {
		if (!name.startsWith(prefix)) continue;
		const pid = Number.parseInt(name.slice(prefix.length), 10);
		if (pid === process.pid || !pidAlive(pid)) fs.rmSync(path.join(dir, name), { force: true });
	}
}

/** The first 16 bytes of every SQLite database file. */
export const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** The path named for a history database is something the store must not use or touch. */
export class DbPathError extends AuditError {
	constructor(
		readonly dbPath: string,
		what: string,
	) {
		super(
			'INVALID_PARAMS',
			`${dbPath} ${what}. AuditLens leaves it as it is: give --db the path of a history database, or of a file to create.`,
		);
	}
}

/**
 * Refuse, touching nothing, a path the history store must neither use nor set aside: a folder or another
 * non-file, or a file that isn't an SQLite database. A missing or empty file is fine (a new history),
 * and so is anything at the default history path (or one `claimHistoryFile` names), which is the store's own
 * to set aside when unreadable.
 * Only a file with SQLite's header whose pages are damaged is ever set aside from a path a person named.
 */
export function checkDbPath(file: string): void {
	let stat: fs.Stats;
	try {
		stat = fs.statSync(file);
	} catch (err) {
		const code = (err as NodeJS.ErrnoException).code;
		if (code === 'ENOENT') return;
		if (code === 'ENOTDIR') throw new DbPathError(file, 'is inside something that is not a folder');
		throw new DbPathError(file, `cannot be read (${(err as Error).message})`);
	}
	if (stat.isDirectory()) throw new DbPathError(file, 'is a folder, not a history database');
	if (!stat.isFile()) throw new DbPathError(file, 'is not a regular file');
	if (stat.size === 0 || isDefaultHistoryFile(file)) return;
	const head = Buffer.alloc(SQLITE_HEADER.length);
	let read = 0;
	try {
		const fd = fs.openSync(file, 'r');
		try {
			read = fs.readSync(fd, head, 0, head.length, 0);
		} finally {
			fs.closeSync(fd);
		}
	} catch (err) {
		throw new DbPathError(file, `cannot be read (${(err as Error).message})`);
	}
	if (read < head.length || !head.equals(SQLITE_HEADER))
		throw new DbPathError(file, 'is not an SQLite database (an AuditLens history is one)');
}

/** Move an unreadable database out of the way; answers the new name. Refuses what `checkDbPath` refuses. */
export function setAside(file: string, now: Date = new Date()): string {
	checkDbPath(file);
	const stamp = now.toISOString().replace(/[:.]/g, '-');
	const aside = `${file}.corrupt-${stamp}`;
	fs.renameSync(file, aside);
	return aside;
}

/** History files this process chose itself rather than a person naming them (see `claimHistoryFile`). */
const ownFiles = new Set<string>();

/**
 * Treat `file` as the store's own, like the default history file: anything unreadable there is set aside.
 * For the engine process, whose `--db` its client (the editor) picks in its own storage; never for a path
 * a person typed. A folder is refused all the same.
 */
export function claimHistoryFile(file: string): void {
	ownFiles.add(path.resolve(file));
}

function isDefaultHistoryFile(file: string): boolean {
	const resolved = path.resolve(file);
	return resolved === path.resolve(defaultHistoryPath()) || ownFiles.has(resolved);
}

/** The history file used when none is named: `~/.auditlens/history.sqlite`. */
export function defaultHistoryPath(): string {
	return path.join(os.homedir(), '.auditlens', 'history.sqlite');
}
