import type { LighthouseRun } from '../../protocol';
import type { TraceWindow } from './workerProtocol';

/**
 * The traced Chrome's run-queue wait per unit of its run time at which a page load counts as made under
 * contention: its main thread was ready but held back, so its tasks look longer in the trace.
 */
export const CONTENTION_WAIT_RATIO = 0.25;

/** The CPU figures and the contention mark a LighthouseRun carries, from the trace window of its kept run. Pure. */
export function contentionOf(trace: TraceWindow | undefined): Pick<LighthouseRun, 'traceCpu' | 'contention'> {
	if (trace?.waitRatio === undefined || trace.besideCores === undefined) return {};
	return { traceCpu: { waitRatio: trace.waitRatio, besideCores: trace.besideCores }, contention: trace.waitRatio >= CONTENTION_WAIT_RATIO };
}
