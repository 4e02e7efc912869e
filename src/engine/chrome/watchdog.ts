import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

/**
 * A marker put into every Chrome's user-data-dir so that a watchdog can find the engine's Chromes
 * after the engine itself is gone (even SIGKILLed).
 */
export function chromeMarker(pid = process.pid): string {
	return `auditlens-engine-${pid}-`;
}

/**
 * Starts a tiny detached shell that waits for this process to die and then kills every process
 * whose command line carries this engine's marker, with its whole process group. It covers the
 * one exit path the engine cannot handle itself: SIGKILL. POSIX only; elsewhere a no-op.
 */
export function startOrphanWatchdog(): void {
	if (process.platform === 'win32') return;
	// The marker is assembled inside the shell so that the shell's own command line never matches it.
	// Braces matter: "$m1234" would be an unset variable named m1234, and an empty marker matches everything.
	const script = [
		`m="auditlens-engine-"; m="\${m}${process.pid}-"`,
		`case "$m" in auditlens-engine-[0-9]*-) ;; *) exit 1 ;; esac`,
		`while kill -0 ${process.pid} 2>/dev/null; do sleep 0.5; done`,
		`for p in $(pgrep -f -- "$m"); do kill -9 -- -$p 2>/dev/null; kill -9 $p 2>/dev/null; done`,
		`sleep 1`,
		`pkill -9 -f -- "$m" 2>/dev/null`,
		// The Chrome profiles of this engine, which nobody else will remove now.
		`rm -rf -- ${shellQuote(os.tmpdir())}/"$m"*`,
		`exit 0`,
	].join('\n');
	try {
		const child = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' });
		child.on('error', () => undefined);
		child.unref();
	} catch {
		// no shell: the engine still kills its Chromes on every exit path it sees
	}
}

/** Kill a process and its process group at once, ignoring ones already gone. Synchronous: safe in 'exit'. */
export function killTree(pid: number | undefined): void {
	if (!pid) return;
	for (const target of process.platform === 'win32' ? [pid] : [-pid, pid]) {
		try {
			process.kill(target, 'SIGKILL');
		} catch {
			// already gone
		}
	}
}

/** Remove a Chrome profile folder now (the engine may be about to exit); ignore what cannot be removed. */
export function removeProfileDir(dir: string | undefined): void {
	if (!dir) return;
	try {
		fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
	} catch {
		// Chrome may still be writing into it as it dies; the watchdog sweeps what is left.
	}
}

function shellQuote(s: string): string {
	return `'${s.replace(/'/g, `'\\''`)}'`;
}
