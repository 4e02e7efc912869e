import fs from 'node:fs';
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
		super('INTERNAL', `History database ${dbPath} is in use by ${who}. Stop that engine, or give this one another file with --db PATH.`);
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
					throw new AuditError('INTERNAL', `Cannot create the lock file ${lockPath}: ${(err as Error).message}. Check that its folder is writable.`);
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

/** Move an unreadable database out of the way; answers the new name. */
export function setAside(file: string, now: Date = new Date()): string {
	const stamp = now.toISOString().replace(/[:.]/g, '-');
	const aside = `${file}.corrupt-${stamp}`;
	fs.renameSync(file, aside);
	return aside;
}
