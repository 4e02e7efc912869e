/**
 * When to restart an engine that died: exponential backoff, giving up after too many crashes in a
 * short window (a crash loop helps nobody). Pure: time is passed in.
 */
export class RestartPolicy {
	private crashes: number[] = [];

	constructor(
		private readonly baseDelayMs = 500,
		private readonly maxDelayMs = 30_000,
		private readonly maxCrashes = 5,
		private readonly windowMs = 3 * 60_000,
	) {
		if (baseDelayMs < 0 || maxDelayMs < baseDelayMs)
			throw new TypeError('RestartPolicy: need 0 <= baseDelayMs <= maxDelayMs');
		if (!Number.isInteger(maxCrashes) || maxCrashes < 1)
			throw new TypeError('RestartPolicy: maxCrashes must be a positive integer');
	}

	/** Record a crash at `now`; the delay before restarting, or undefined to give up. */
	onCrash(now: number): number | undefined {
		this.crashes = this.crashes.filter((t) => now - t < this.windowMs);
		this.crashes.push(now);
		if (this.crashes.length > this.maxCrashes) return undefined;
		return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (this.crashes.length - 1));
	}

	/** Forget past crashes (a person restarted the engine by hand). */
	reset(): void {
		this.crashes = [];
	}
}
