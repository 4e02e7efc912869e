import fs from 'node:fs';

/** One process as /proc tells it. */
export interface ProcessInfo {
	pid: number;
	/** Process group id: a Chrome started detached leads the group of its renderers, GPU and utility processes. */
	pgrp: number;
	/** Resident pages (field 24 of /proc/<pid>/stat). */
	rssPages: number;
	/** CPU time used so far, user + system, in clock ticks (fields 14 and 15). */
	cpuTicks: number;
}

/** The fields of a /proc/<pid>/stat line after the command name in parentheses: state ppid pgrp ... (field 3 on). */
export function statFields(stat: string): string[] {
	return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Every process on the machine, from /proc (Linux only; empty elsewhere or when /proc is unreadable). */
export function listProcesses(): ProcessInfo[] {
	if (process.platform !== 'linux') return [];
	const out: ProcessInfo[] = [];
	for (const entry of readdir('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const rest = statFields(fs.readFileSync(`/proc/${entry}/stat`, 'utf8'));
			out.push({
				pid: Number(entry),
				pgrp: Number(rest[2]),
				rssPages: Number(rest[21]),
				cpuTicks: Number(rest[11]) + Number(rest[12]),
			});
		} catch {
			// gone meanwhile
		}
	}
	return out;
}

/**
 * Whether a child process has died though Node may not have reaped it yet (a zombie, state Z), from /proc.
 * False where /proc cannot tell (other systems): callers also check the ChildProcess's own exit fields.
 */
export function hasDied(pid: number): boolean {
	if (process.platform !== 'linux') return false;
	try {
		return statFields(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))[0] === 'Z';
	} catch {
		return fs.existsSync('/proc/self');
	}
}

/** A folder's entries, or none when it cannot be read. */
export function readdir(dir: string): string[] {
	try {
		return fs.readdirSync(dir);
	} catch {
		return [];
	}
}
