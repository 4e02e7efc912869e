import type { LighthouseRun } from '../../protocol';
import type { TraceWindow } from './workerProtocol';

/**
 * A run is marked as made under contention when either held:
 * - other work (other runs, other programs) used at least this share of the machine's cores while its
 *   page load was traced. Measured on 2 cores (bench/accuracy.mjs): with the trace slot, 0.01–0.11 cores on
 *   a quiet machine, about 1 with a core kept busy beside it; without the slot, 0.6–0.9 from the other runs;
 * - on the run that measured it (once per engine: machineBenchmark.ts, in the trace slot), Lighthouse's
 *   benchmarkIndex (a second of fixed CPU work in the page) came out below this share of the fastest this
 *   engine has measured on this machine.
 */
export const CONTENTION_CORES_SHARE = 0.25;
export const CONTENTION_BENCHMARK_SHARE = 0.7;

/**
 * The CPU figures and the contention mark of a LighthouseRun: from its trace window, its benchmarkIndex
 * and the fastest benchmarkIndex this engine has seen (this run's included). Pure.
 */
export function contentionOf(
	trace: TraceWindow | undefined,
	benchmarkIndex: number | undefined,
	fastestBenchmarkIndex: number | undefined,
): Pick<LighthouseRun, 'traceCpu' | 'contention'> {
	const slowBenchmark =
		benchmarkIndex !== undefined &&
		fastestBenchmarkIndex !== undefined &&
		benchmarkIndex < CONTENTION_BENCHMARK_SHARE * fastestBenchmarkIndex;
	if (trace?.waitRatio === undefined || trace.besideCores === undefined || !trace.cores)
		return benchmarkIndex === undefined ? {} : { contention: slowBenchmark };
	const traceCpu = { waitRatio: trace.waitRatio, besideCores: trace.besideCores, cores: trace.cores };
	return { traceCpu, contention: slowBenchmark || trace.besideCores >= CONTENTION_CORES_SHARE * trace.cores };
}
