import os from 'node:os';
import { abortError } from '../errors';
import { machineBusyTicks, TICKS_PER_SECOND } from './cpuWindow';

/**
 * Before a traced page load starts, wait until a core is free for it. The trace slot keeps page loads from
 * overlapping, but the runs beside it still compute: collecting a trace, running axe in their page, computing
 * audits. On two cores those can take both, and the page's main thread, whose task times the simulated
 * metrics scale up, then waits for a CPU. So the slot is given once the machine has had at least one core idle
 * over the last `windowMs` (niced work, such as the capture browser and the Lighthouse workers, does not count: it
 * yields), or after `maxWaitMs` at most (a machine kept busy by other programs must still make progress; the run's
 * contention mark tells). Where /proc cannot tell (other systems) it does not wait.
 */
export interface RoomRule {
	windowMs: number;
	maxWaitMs: number;
	pollMs: number;
}

export const CPU_ROOM: RoomRule = { windowMs: 300, maxWaitMs: 1500, pollMs: 50 };

/** Resolves with the milliseconds it waited. */
export async function waitForCpuRoom(
	signal: AbortSignal,
	rule: RoomRule = CPU_ROOM,
	cores = os.availableParallelism(),
): Promise<number> {
	if (process.platform !== 'linux') return 0;
	const started = Date.now();
	const samples: { atMs: number; busy: number }[] = [];
	for (;;) {
		if (signal.aborted) throw abortError(signal);
		let busy: number;
		try {
			busy = machineBusyTicks(false);
		} catch {
			return 0;
		}
		const now = Date.now();
		samples.push({ atMs: now, busy });
		while (samples.length > 2 && samples[1].atMs <= now - rule.windowMs) samples.shift();
		const first = samples[0];
		const spanMs = now - first.atMs;
		if (spanMs >= rule.windowMs) {
			const busyCores = (busy - first.busy) / TICKS_PER_SECOND / (spanMs / 1000);
			if (busyCores <= cores - 1) return now - started;
		}
		if (now - started >= rule.maxWaitMs) return now - started;
		await new Promise((resolve) => setTimeout(resolve, rule.pollMs));
	}
}
