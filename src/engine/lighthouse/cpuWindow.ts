import fs from 'node:fs';
import os from 'node:os';
import { listProcesses, statFields } from '../procfs';

/** Linux's USER_HZ: /proc reports CPU time in ticks of 1/100 s on every architecture Node runs on. */
export const TICKS_PER_SECOND = 100;

/** CPU time used so far, in ticks: by the whole machine, by the Chrome under trace, by the calling thread. */
export interface CpuSample {
	atMs: number;
	machine: number;
	chrome: number;
	thread: number;
	/** Nanoseconds the Chrome's renderer main threads have run, and waited runnable for a CPU (the scheduler's /proc/<pid>/schedstat). */
	chromeRunNs: number;
	chromeWaitNs: number;
}

/** What happened on the CPU while a page loaded under trace. */
export interface CpuWindow {
	ms: number;
	/** Cores' worth of CPU that other work used meanwhile: everything but the Chrome under trace and its Lighthouse thread. */
	besideCores: number;
	/** Time the page's main thread waited for a CPU while runnable, per unit of time it ran: how much it was held back. */
	waitRatio: number;
	/** The machine's cores. */
	cores: number;
}

/**
 * CPU ticks the whole machine has been busy so far, from /proc/stat (Linux); without `niced`, less the time of
 * processes at a lowered priority (the capture browser), which yield their CPU to the rest.
 */
export function machineBusyTicks(niced = true): number {
	return (
		fs
			.readFileSync('/proc/stat', 'utf8')
			.split('\n', 1)[0]
			.split(/\s+/)
			.slice(1, 9)
			// user nice system idle iowait irq softirq steal: busy is all but idle and iowait (and nice, when asked).
			.reduce((sum, v, i) => (i === 3 || i === 4 || (i === 1 && !niced) ? sum : sum + Number(v)), 0)
	);
}

/**
 * A sample for the Chrome whose process group `chromePid` leads (it is started detached, so its renderers
 * share the group), read from the calling thread. Undefined where /proc cannot tell (other systems).
 */
export function sampleCpu(chromePid: number): CpuSample | undefined {
	if (process.platform !== 'linux') return undefined;
	try {
		const machine = machineBusyTicks();
		let chrome = 0;
		let chromeRunNs = 0;
		let chromeWaitNs = 0;
		for (const p of listProcesses()) {
			if (p.pgrp !== chromePid) continue;
			chrome += p.cpuTicks;
			try {
				// The renderer's main thread (its tid is the process id) runs the page's tasks the metrics time.
				if (!fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
				const [run, wait] = fs.readFileSync(`/proc/${p.pid}/schedstat`, 'utf8').split(' ').map(Number);
				chromeRunNs += run;
				chromeWaitNs += wait;
			} catch {
				// gone meanwhile, or no schedstat in this kernel
			}
		}
		const own = statFields(fs.readFileSync('/proc/thread-self/stat', 'utf8'));
		const thread = Number(own[11]) + Number(own[12]);
		return { atMs: Date.now(), machine, chrome, thread, chromeRunNs, chromeWaitNs };
	} catch {
		return undefined;
	}
}

/** The other work between two samples, in cores. Pure. */
export function cpuWindow(start: CpuSample, end: CpuSample): CpuWindow {
	const ms = Math.max(1, end.atMs - start.atMs);
	const other = end.machine - start.machine - (end.chrome - start.chrome) - (end.thread - start.thread);
	const run = end.chromeRunNs - start.chromeRunNs;
	return {
		ms,
		besideCores: Math.max(0, other / TICKS_PER_SECOND / (ms / 1000)),
		waitRatio: run > 0 ? Math.max(0, (end.chromeWaitNs - start.chromeWaitNs) / run) : 0,
		cores: os.availableParallelism(),
	};
}
