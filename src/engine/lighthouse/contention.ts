import type { LighthouseRun } from '../../protocol';
import type { TraceWindow } from './workerProtocol';

/**
 * The page's main thread's run-queue wait per unit of its run time at which a page load counts as made
 * under contention: it was ready to run but held back for at least half as long again as it ran, so its
 * tasks look that much longer in the trace, and simulated throttling multiplies them (4x on mobile).
 */
export const CONTENTION_WAIT_RATIO = 0.5;

/** The CPU figures and the contention mark a LighthouseRun carries, from the trace window of its kept run. Pure. */
export function contentionOf(trace: TraceWindow | undefined): Pick<LighthouseRun, 'traceCpu' | 'contention'> {
	if (trace?.waitRatio === undefined || trace.besideCores === undefined) return {};
	return { traceCpu: { waitRatio: trace.waitRatio, besideCores: trace.besideCores }, contention: trace.waitRatio >= CONTENTION_WAIT_RATIO };
}
