import fs from 'node:fs';
import os from 'node:os';

/**
 * Lower the CPU priority of the browser whose command line carries `marker`, with every thread of every
 * process of its process group (zygotes, GPU, renderers). Threads and renderers started later inherit
 * the priority from the threads that start them. Used for the capture browser: capture is background work beside Lighthouse,
 * which measures timing and must not be starved of CPU. Linux only; a no-op elsewhere or on failure.
 */
export function lowerBrowserPriority(marker: string, niceness = 10): number {
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
	// With the scheduler's autogroups on (most desktop kernels), CPU is shared fairly between sessions
	// first, and the browser has a session of its own: its autogroup's niceness is what counts.
	for (const leader of groups) {
		try {
			fs.writeFileSync(`/proc/${leader}/autogroup`, String(niceness));
		} catch {
			// no autogroups here: the per-thread niceness below is what counts
		}
	}
	for (const [pid, pgrp] of stats) {
		if (!groups.has(pgrp) || pgrp === process.pid) continue;
		// Niceness is per thread on Linux, and Chrome renders on worker threads: set it on every one.
		for (const tid of safeReaddir(`/proc/${pid}/task`)) {
			try {
				os.setPriority(Number(tid), niceness);
				changed++;
			} catch {
				// gone, or not ours
			}
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
