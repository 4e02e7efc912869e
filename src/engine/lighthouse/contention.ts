import type { LighthouseRun } from '../../protocol';
import type { TraceWindow } from './workerProtocol';

/**
 * A run is marked as made under contention when either held:
 * - Lighthouse's benchmarkIndex (a second of fixed CPU work in the page, run in the trace slot just before
 *   the page load) came out below this share of the fastest this engine has measured on this machine;
 * - the page's main thread waited for a CPU, while ready to run, at least this share of its run time
 *   during the traced load: its tasks then look that much longer, and simulated throttling multiplies them.
 */
export const CONTENTION_BENCHMARK_SHARE = 0.7;
export const CONTENTION_WAIT_RATIO = 0.5;

/**
 * The CPU figures and the contention mark of a LighthouseRun: from its trace window, its benchmarkIndex
 * and the fastest benchmarkIndex this engine has seen (this run's included). Pure.
 */
export function contentionOf(trace: TraceWindow | undefined, benchmarkIndex: number | undefined, fastestBenchmarkIndex: number | undefined): Pick<LighthouseRun, 'traceCpu' | 'contention'> {
	const slowBenchmark = benchmarkIndex !== undefined && fastestBenchmarkIndex !== undefined && benchmarkIndex < CONTENTION_BENCHMARK_SHARE * fastestBenchmarkIndex;
	if (trace?.waitRatio === undefined || trace.besideCores === undefined) return benchmarkIndex === undefined ? {} : { contention: slowBenchmark };
	return { traceCpu: { waitRatio: trace.waitRatio, besideCores: trace.besideCores }, contention: slowBenchmark || trace.waitRatio >= CONTENTION_WAIT_RATIO };
}
