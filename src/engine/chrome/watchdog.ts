import { spawn } from 'node:child_process';
import { adoptEngineTempDir } from './tempDir';

/** `$0` of the watchdog shell, which shows in its command line (tests find it by this). */
export const WATCHDOG_NAME = 'auditlens-watchdog';

/**
 * The engine's Chrome housekeeping, called once by the engine's entry points (engine process, CLI): makes the
 * engine's own folder the process's TMPDIR (see `adoptEngineTempDir`) and starts a tiny detached shell that
 * waits for this process to die, then kills every process whose command line carries this engine's marker,
 * with its whole process group, and removes the engine's folder. It covers the exit path the engine cannot
 * handle itself, SIGKILL, and sweeps whatever a dying Chrome wrote after the engine's own cleanup.
 * POSIX only; elsewhere only the folder is set up. Returns the watchdog's pid.
 */
export function startOrphanWatchdog(): number | undefined {
	const folder = adoptEngineTempDir();
	if (process.platform === 'win32') return undefined;
	// The marker is assembled inside the shell, and the folder (which contains it) comes in the environment, so
	// that the shell's own command line never matches the marker. Braces matter: "$m1234" would be an unset
	// variable named m1234, and an empty marker matches everything.
	const script = [
		`m="auditlens-engine-"; m="\${m}${process.pid}-"`,
		`case "$m" in auditlens-engine-[0-9]*-) ;; *) exit 1 ;; esac`,
		`d="$AUDITLENS_ENGINE_TMP"`,
		// Only a folder named after this engine is ever removed.
		`case "$d" in /*/"$m"*) ;; *) d="" ;; esac`,
		`while kill -0 ${process.pid} 2>/dev/null; do sleep 0.5; done`,
		`for p in $(pgrep -f -- "$m"); do kill -9 -- -$p 2>/dev/null; kill -9 $p 2>/dev/null; done`,
		`sleep 1`,
		`pkill -9 -f -- "$m" 2>/dev/null`,
		`if [ -n "$d" ]; then rm -rf -- "$d"; fi`,
		`exit 0`,
	].join('\n');
	try {
		const child = spawn('/bin/sh', ['-c', script, WATCHDOG_NAME], {
			detached: true,
			stdio: 'ignore',
			env: { ...process.env, AUDITLENS_ENGINE_TMP: folder },
		});
		child.on('error', () => undefined);
		child.unref();
		return child.pid;
	} catch {
		// no shell: the engine still kills its Chromes and removes its folder on every exit path it sees
		return undefined;
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
