/** State of a circuit breaker, as engine stats report it. */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
	/** Consecutive failures that open the breaker. */
	failureThreshold?: number;
	/** How long it stays open before one trial call is let through. */
	cooldownMs?: number;
	/** Clock, for tests. */
	now?: () => number;
}

/** Thrown instead of calling while the breaker is open. */
export class BreakerOpenError extends Error {
	constructor(
		readonly service: string,
		/** Epoch ms when a trial call will be allowed again. */
		readonly retryAt: number,
		readonly lastError: string | undefined,
	) {
		super(`${service} calls are paused after repeated failures; the next try is allowed in ${Math.max(0, Math.ceil((retryAt - Date.now()) / 1000))} s.`);
		this.name = 'BreakerOpenError';
	}
}

/**
 * A circuit breaker for an external API (Anthropic, CrUX): after `failureThreshold` consecutive failures
 * it opens and rejects calls at once for `cooldownMs`; then it lets one trial call through (half-open),
 * which closes it on success or opens it again on failure. Each API has its own breaker instance.
 */
export class CircuitBreaker {
	private failures = 0;
	private openedAt: number | undefined;
	private trialRunning = false;
	private lastError: string | undefined;
	private readonly threshold: number;
	private readonly cooldownMs: number;
	private readonly now: () => number;

	constructor(
		readonly service: string,
		opts: BreakerOptions = {},
	) {
		this.threshold = opts.failureThreshold ?? 3;
		this.cooldownMs = opts.cooldownMs ?? 60_000;
		this.now = opts.now ?? Date.now;
		if (!Number.isInteger(this.threshold) || this.threshold < 1) throw new TypeError('failureThreshold must be a positive integer');
		if (!(this.cooldownMs >= 0)) throw new TypeError('cooldownMs must be a non-negative number');
	}

	get state(): BreakerState {
		if (this.openedAt === undefined) return 'closed';
		return this.now() - this.openedAt >= this.cooldownMs ? 'half-open' : 'open';
	}

	/**
	 * Run `fn` through the breaker. Errors for which `counts(err)` is false (e.g. a cancelled audit)
	 * pass through without counting as a failure.
	 */
	async run<T>(fn: () => Promise<T>, counts: (err: unknown) => boolean = () => true): Promise<T> {
		const state = this.state;
		if (state === 'open' || (state === 'half-open' && this.trialRunning)) {
			throw new BreakerOpenError(this.service, (this.openedAt ?? this.now()) + this.cooldownMs, this.lastError);
		}
		const trial = state === 'half-open';
		if (trial) this.trialRunning = true;
		try {
			const value = await fn();
			this.failures = 0;
			this.openedAt = undefined;
			return value;
		} catch (err) {
			if (counts(err)) {
				this.failures++;
				this.lastError = err instanceof Error ? err.message : String(err);
				if (trial || this.failures >= this.threshold) this.openedAt = this.now();
			}
			throw err;
		} finally {
			if (trial) this.trialRunning = false;
		}
	}

	/** Close the breaker and forget failures (e.g. after the API key changed). */
	reset(): void {
		this.failures = 0;
		this.openedAt = undefined;
		this.lastError = undefined;
	}
}

/** Latency samples of an API client: a small ring buffer with a median. */
export class LatencyWindow {
	private readonly samples: number[] = [];
	constructor(private readonly size = 100) {}

	add(ms: number): void {
		this.samples.push(ms);
		if (this.samples.length > this.size) this.samples.shift();
	}

	p50(): number {
		if (this.samples.length === 0) return 0;
		const sorted = [...this.samples].sort((a, b) => a - b);
		return Math.round(sorted[Math.floor((sorted.length - 1) / 2)]);
	}
}
