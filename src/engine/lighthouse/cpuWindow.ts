import fs from 'node:fs';
import os from 'node:os';
import { listProcesses, type ProcessInfo, statFields } from '../procfs';

/** Linux's USER_HZ: /proc reports CPU time in ticks of 1/100 s on every architecture Node runs on. */
export const TICKS_PER_SECOND = 100;

/** CPU time used so far, in ticks: by the whole machine, by the Chrome under trace, by the calling thread. */
export interface CpuSample {
	atMs: number;
	machine: number;
	chrome: number;
	thread: number;
	/**
	 * Nanoseconds the Chrome's renderer main threads have run, and waited runnable for a CPU (the scheduler's
	 * /proc/<pid>/schedstat).
	 */
	chromeRunNs: number;
	chromeWaitNs: number;
}

/** What happened on the CPU while a page loaded under trace. */
export interface CpuWindow {
	ms: number;
	/**
	 * Cores' worth of CPU that other work used meanwhile: everything but the Chrome under trace and its Lighthouse
	 * thread.
	 */
	besideCores: number;
	/**
	 * Time the page's main thread waited for a CPU while runnable, per unit of time it ran: how much it was held back.
	 */
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
		const group = listProcesses().filter((p) => p.pgrp === chromePid);
		const chrome = group.reduce((sum, p) => sum + p.cpuTicks, 0);
		const { runNs: chromeRunNs, waitNs: chromeWaitNs } = rendererSched(group);
		const own = statFields(fs.readFileSync('/proc/thread-self/stat', 'utf8'));
		const thread = Number(own[11]) + Number(own[12]);
		return { atMs: Date.now(), machine, chrome, thread, chromeRunNs, chromeWaitNs };
	} catch {
		return undefined;
	}
}

/**
 * How long the renderers' main threads among `processes` (one Chrome's group) have run and waited runnable
 * for a CPU so far, in nanoseconds (/proc/<pid>/schedstat: a renderer's main thread has the process's id
 * and runs the page's tasks the metrics time).
 */
export function rendererSched(processes: readonly ProcessInfo[]): { runNs: number; waitNs: number } {
	let runNs = 0;
	let waitNs = 0;
	for (const p of processes) {
		try {
			if (!fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
			const [run, wait] = fs.readFileSync(`/proc/${p.pid}/schedstat`, 'utf8').split(' ').map(Number);
			runNs += run;
			waitNs += wait;
		} catch {
			// gone meanwhile, or no schedstat in this kernel
		}
	}
	return { runNs, waitNs };
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
