import fs from 'node:fs';
import os from 'node:os';
import { listProcesses, readdir } from '../procfs';

/**
 * Lower the CPU priority of the browser whose command line carries `marker`, with every thread of every
 * process of its process group (zygotes, GPU, renderers). Threads and renderers started later inherit
 * the priority from the threads that start them. Used for the capture browser: capture is background work beside
 * Lighthouse, which measures timing and must not be starved of CPU. Linux only; a no-op elsewhere or on failure.
 */
export function lowerBrowserPriority(marker: string, niceness = 10): number {
	if (process.platform !== 'linux') return 0;
	const processes = listProcesses();
	const groups = new Set<number>();
	for (const p of processes) {
		try {
			if (fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes(marker)) groups.add(p.pgrp);
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
	for (const { pid, pgrp } of processes) {
		if (!groups.has(pgrp) || pgrp === process.pid) continue;
		// Niceness is per thread on Linux, and Chrome renders on worker threads: set it on every one.
		for (const tid of readdir(`/proc/${pid}/task`)) {
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
