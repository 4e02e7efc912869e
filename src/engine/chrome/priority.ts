import fs from 'node:fs';
import os from 'node:os';

/**
 * Lower the CPU priority of the browser whose command line carries `marker`, with every process of
 * its process group (zygotes, GPU, renderers). Renderers it starts later are forked from those and
 * inherit the priority. Used for the capture browser: capture is background work beside Lighthouse,
 * which measures timing and must not be starved of CPU. Linux only; a no-op elsewhere or on failure.
 */
export function lowerBrowserPriority(marker: string, niceness = 5): number {
	if (process.platform !== 'linux') return 0;
	const groups = new Set<number>();
	const stats = new Map<number, number>();
	for (const entry of safeReaddir('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const pid = Number(entry);
		try {
			const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
			const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
			stats.set(pid, pgrp);
			if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) groups.add(pgrp);
		} catch {
			// gone meanwhile
		}
	}
	let changed = 0;
	for (const [pid, pgrp] of stats) {
		if (!groups.has(pgrp) || pgrp === process.pid) continue;
		try {
			os.setPriority(pid, niceness);
			changed++;
		} catch {
			// gone, or not ours
		}
	}
	return changed;
}

function safeReaddir(dir: string): string[] {
	try {
		return fs.readdirSync(dir);
	} catch {
		return [];
	}
}
