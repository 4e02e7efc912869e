/**
 * Lighthouse measures the machine before every run (its benchmarkIndex: a second of fixed CPU work in the
 * page). Nothing in a result depends on it but the report's environment line and our contention mark, and on
 * two cores that second is a large share of a page's cost and, in the trace slot, of a site scan's critical
 * path. So the engine measures it once, in the trace slot, and gives later runs that figure until it is
 * `maxAgeMs` old; runs that start while it is being measured wait for it rather than measuring too.
 */
export const BENCHMARK_MAX_AGE_MS = 10 * 60_000;

export class MachineBenchmark {
	private value: { index: number; atMs: number } | undefined;
	private measuring: Promise<void> | undefined;
	private settle: (() => void) | undefined;

	constructor(
		private readonly maxAgeMs = BENCHMARK_MAX_AGE_MS,
		private readonly now: () => number = Date.now,
	) {}

	/** The fastest figure measured so far: the baseline of the contention mark. */
	fastest: number | undefined;

	/**
	 * The figure a run should use, or undefined when this caller is to measure it now (and then report
	 * `measured` or `abandoned`).
	 */
	async want(): Promise<number | undefined> {
		while (this.measuring) await this.measuring;
		if (this.value && this.now() - this.value.atMs < this.maxAgeMs) return this.value.index;
		this.measuring = new Promise((resolve) => (this.settle = resolve));
		return undefined;
	}

	/** The measuring run's figure. */
	measured(index: number): void {
		if (Number.isFinite(index) && index > 0) {
			this.value = { index, atMs: this.now() };
			this.observe(index);
		}
		this.done();
	}

	/** A figure some run measured on its own (the Lighthouse CLI fallback): it only raises `fastest`. */
	observe(index: number): void {
		if (Number.isFinite(index) && index > 0) this.fastest = Math.max(this.fastest ?? 0, index);
	}

	/** The measuring run ended without a figure (failed, aborted): the next run to ask measures. */
	abandoned(): void {
		this.done();
	}

	private done(): void {
		const settle = this.settle;
		this.measuring = undefined;
		this.settle = undefined;
		settle?.();
	}
}
