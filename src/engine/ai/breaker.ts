import {
	circuitBreaker,
	CircuitState,
	ConsecutiveBreaker,
	handleWhen,
	isBrokenCircuitError,
	type CircuitBreakerPolicy,
} from 'cockatiel';
import { type Clock, systemClock } from '../clock';

/** State of a circuit breaker, as engine stats report it. */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
	/** Consecutive failures that open the breaker. */
	failureThreshold?: number;
	/** How long it stays open before one trial call is let through. */
	cooldownMs?: number;
	/** What the cooldown is measured on (tests move a clock of their own). */
	clock?: Clock;
}

/** Thrown instead of calling while the breaker is open. */
export class BreakerOpenError extends Error {
	constructor(
		readonly service: string,
		/** Epoch ms when a trial call will be allowed again. */
		readonly retryAt: number,
		readonly lastError: string | undefined,
		now = Date.now(),
	) {
		const seconds = Math.max(0, Math.ceil((retryAt - now) / 1000));
		super(`${service} calls are paused after repeated failures; the next try is allowed in ${seconds} s.`);
		this.name = 'BreakerOpenError';
	}
}

/** An error the caller said not to count (e.g. a cancelled audit): carried through cockatiel unhandled. */
class Uncounted {
	constructor(readonly error: unknown) {}
}

/**
 * A circuit breaker for an external API (Anthropic, CrUX), on cockatiel's: after `failureThreshold` consecutive
 * failures it opens and rejects calls at once for `cooldownMs`; then one trial call goes through (half-open),
 * which closes it on success or opens it again on failure. This adds what the engine needs around it: a
 * BreakerOpenError that says when to try again and why, errors that do not count, `reset()`, and a state
 * that reads 'half-open' once the cooldown is over (cockatiel moves there only on the next call).
 */
export class CircuitBreaker {
	private policy!: CircuitBreakerPolicy;
	private openedAt = 0;
	private lastError: string | undefined;
	private readonly threshold: number;
	private readonly cooldownMs: number;
	private readonly clock: Clock;

	constructor(
		readonly service: string,
		opts: BreakerOptions = {},
	) {
		this.threshold = opts.failureThreshold ?? 3;
		this.cooldownMs = opts.cooldownMs ?? 60_000;
		this.clock = opts.clock ?? systemClock;
		if (!Number.isInteger(this.threshold) || this.threshold < 1)
			throw new TypeError('failureThreshold must be a positive integer');
		if (!(this.cooldownMs >= 0)) throw new TypeError('cooldownMs must be a non-negative number');
		this.reset();
	}

	get state(): BreakerState {
		switch (this.policy.state) {
			case CircuitState.Closed:
				return 'closed';
			case CircuitState.HalfOpen:
				return 'half-open';
			default:
				return this.cooled() ? 'half-open' : 'open';
		}
	}

	/**
	 * Run `fn` through the breaker. Errors for which `counts(err)` is false (e.g. a cancelled audit)
	 * pass through without counting as a failure.
	 */
	async run<T>(fn: () => Promise<T>, counts: (err: unknown) => boolean = () => true): Promise<T> {
		if (this.policy.state === CircuitState.Open && !this.cooled()) throw this.openError();
		try {
			return await this.policy.execute(async () => {
				try {
					return await fn();
				} catch (err) {
					if (!counts(err)) throw new Uncounted(err);
					this.lastError = err instanceof Error ? err.message : String(err);
					throw err;
				}
			});
		} catch (err) {
			if (err instanceof Uncounted) throw err.error;
			if (isBrokenCircuitError(err)) throw this.openError();
			throw err;
		}
	}

	/** Close the breaker and forget failures (e.g. after the API key changed). cockatiel has no reset: a new policy. */
	reset(): void {
		this.policy = circuitBreaker(
			handleWhen((err) => !(err instanceof Uncounted)),
			// The cooldown is timed here, on `clock` (cockatiel reads Date.now() itself); cockatiel lets the trial through.
			{ halfOpenAfter: 0, breaker: new ConsecutiveBreaker(this.threshold) },
		);
		this.policy.onBreak(() => (this.openedAt = this.clock.now()));
		this.lastError = undefined;
	}

	private cooled(): boolean {
		return this.clock.now() - this.openedAt >= this.cooldownMs;
	}

	private openError(): BreakerOpenError {
		return new BreakerOpenError(this.service, this.openedAt + this.cooldownMs, this.lastError, this.clock.now());
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
