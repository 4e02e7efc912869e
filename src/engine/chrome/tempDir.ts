import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The prefix of this engine's temp folder. Every Chrome the engine starts has its profile inside that folder,
 * so the prefix is in each Chrome's command line: the orphan watchdog finds them by it after the engine is
 * gone (even SIGKILLed). The trailing dash keeps engine 12 from matching engine 123.
 */
export function chromeMarker(pid = process.pid): string {
	return `auditlens-engine-${pid}-`;
}

let dir: string | undefined;
/** The temp folder the process had before `adoptEngineTempDir`. */
let systemTmp = os.tmpdir();

/**
 * Chrome makes a Unix socket in its TMPDIR (`org.chromium.Chromium.XXXXXX/SingletonSocket`), and a socket path
 * may have at most 103 bytes on macOS (107 on Linux): Chrome does not start when it is longer.
 */
const CHROME_SOCKET_SUFFIX = '/org.chromium.Chromium.XXXXXX/SingletonSocket'.length;
const SOCKET_PATH_MAX = 103;

/**
 * The one temp folder this engine process owns (`$TMPDIR/auditlens-engine-<pid>-XXXXXX`, private to the
 * user): Chrome profiles, Chrome's own temp files, Playwright's and the Lighthouse CLI's. Created on first
 * use; removed when the process exits, and by the orphan watchdog after a SIGKILL.
 */
export function engineTempDir(): string {
	if (dir) return dir;
	systemTmp = os.tmpdir();
	dir = fs.mkdtempSync(path.join(systemTmp, chromeMarker()));
	removeAtExit();
	return dir;
}

/**
 * Remove the folder in 'exit', after the handlers that kill the Chromes still writing into it: those are
 * registered before the first Chrome starts, so each start moves this handler to the end of the list.
 */
function removeAtExit(): void {
	process.removeListener('exit', removeEngineTempDir);
	process.on('exit', removeEngineTempDir);
}

/**
 * For a library that registers its own 'exit' handler to kill a Chrome it started: keep the folder's removal after it.
 */
export const removeEngineTempDirLast = removeAtExit;

/**
 * Make the engine's folder this process's TMPDIR (TMP and TEMP on Windows), so that whatever a library puts
 * in the temp folder lands there too: Playwright makes its browser profile with `os.tmpdir()` and takes no
 * option for it. For the engine's entry points (the engine process and the CLI), not for code in a host process.
 */
export function adoptEngineTempDir(): string {
	const own = engineTempDir();
	process.env.TMPDIR = own;
	if (process.platform === 'win32') process.env.TMP = process.env.TEMP = own;
	return own;
}

/** A new, empty Chrome profile folder inside the engine's folder. */
export function newProfileDir(kind: string): string {
	const folder = fs.mkdtempSync(path.join(engineTempDir(), `${kind}-`));
	removeAtExit();
	return folder;
}

/**
 * The environment for a Chrome (or a process that starts one): its own temp files (which a killed Chrome leaves
 * behind) go into the engine's folder, unless that path is too long for Chrome's socket (a long TMPDIR, as on
 * macOS): then they stay in the system's temp folder.
 */
export function chromeTempEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
	const own = engineTempDir();
	removeAtExit();
	const tmp = Buffer.byteLength(own) + CHROME_SOCKET_SUFFIX <= SOCKET_PATH_MAX ? own : systemTmp;
	return { ...base, TMPDIR: tmp, TMP: tmp, TEMP: tmp };
}

/** Remove a folder now (the engine may be about to exit); ignore what cannot be removed. */
export function removeProfileDir(folder: string | undefined): void {
	if (!folder) return;
	try {
		fs.rmSync(folder, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
	} catch {
		// Chrome may still be writing into it as it dies; the watchdog sweeps what is left.
	}
}

/** Remove the engine's folder with everything in it. Synchronous: runs in 'exit'. */
export function removeEngineTempDir(): void {
	removeProfileDir(dir);
}
