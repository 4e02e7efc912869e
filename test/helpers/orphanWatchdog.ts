import fs from 'node:fs';
import { WATCHDOG_NAME } from '../../src/engine/chrome/watchdog';

/** Whether process `pid` exists. */
export function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** The pid of the orphan watchdog shell of engine `enginePid`, found by its `$0` and the pid it waits for. */
export function watchdogOf(enginePid: number): number | undefined {
	for (const e of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(e)) continue;
		try {
			const argv = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
			if (argv[0] === '/bin/sh' && argv[3] === WATCHDOG_NAME && argv[2].includes(`kill -0 ${enginePid} `))
				return Number(e);
		} catch {
			// gone
		}
	}
	return undefined;
}
