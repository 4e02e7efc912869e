import { AuditError } from './errors';

/** One caller of a shared run. */
export interface FlightWaiter {
	/** Aborting it stops this caller waiting (it gets CANCELLED, or the signal's AuditError reason). */
	signal?: AbortSignal;
	/** Epoch ms after which this caller stops waiting; undefined waits as long as the run takes. */
	deadline?: number;
	/** The error for this caller's deadline (e.g. a TIMEOUT that says what was still running). */
	timeoutError?: () => Error;
}

interface LiveWaiter {
	deadline: number;
	timeoutError: () => Error;
	/** Stop waiting with this error (the run goes on for the others). */
	leave(err: Error): void;
}

interface Flight<T> {
	readonly controller: AbortController;
	readonly promise: Promise<T>;
	readonly waiters: Set<LiveWaiter>;
	settled: boolean;
}

function waiterCancelled(signal: AbortSignal): AuditError {
	const reason: unknown = signal.reason;
	return reason instanceof AuditError ? reason : new AuditError('CANCELLED', 'The audit was cancelled.');
}

const defaultTimeout = () => new AuditError('TIMEOUT', 'The audit did not finish in time.');

/**
 * Identical work that is asked for while it is already running is shared: every caller with the
 * same key gets the result of one run. Each caller has its own abort signal and its own deadline:
 * - a caller that aborts its signal stops waiting; the run is aborted (CANCELLED) only when every caller has gone;
 * - a caller whose deadline passes while another still wants the run (a later deadline) stops waiting with
 *   its timeout error, and the run goes on;
 * - when the deadline of the last caller who wants the run passes, the run's signal is aborted with that
 *   caller's timeout error, so the run can wind down and answer what it has (that caller keeps waiting for it).
 */
export class SingleFlight<T> {
	private readonly flights = new Map<string, Flight<T>>();

	/** Runs in progress (one per distinct key). */
	get inFlight(): number {
		return this.flights.size;
	}

	/** How many callers are waiting on the run for this key (0 when none runs). */
	waiters(key: string): number {
		return this.flights.get(key)?.waiters.size ?? 0;
	}

	/**
	 * The latest deadline of the callers waiting on the run for `key` (Infinity if one has none; undefined when none
	 * runs).
	 */
	deadline(key: string): number | undefined {
		const flight = this.flights.get(key);
		if (!flight || flight.waiters.size === 0) return undefined;
		return Math.max(...[...flight.waiters].map((w) => w.deadline));
	}

	/**
	 * Run `fn` for `key`, or join the run already in flight for it.
	 * `fn` gets a signal that aborts when every caller has gone or the last caller's deadline has passed.
	 */
	run(key: string, fn: (signal: AbortSignal) => Promise<T>, waiter: FlightWaiter | AbortSignal = {}): Promise<T> {
		if (typeof key !== 'string') throw new TypeError(`Expected key to be a string, got ${typeof key}`);
		if (typeof fn !== 'function') throw new TypeError(`Expected fn to be a function, got ${typeof fn}`);
		const { signal, deadline, timeoutError } =
			waiter instanceof AbortSignal ? { signal: waiter, deadline: undefined, timeoutError: undefined } : waiter;
		if (deadline !== undefined && !Number.isFinite(deadline))
			throw new TypeError(`Expected deadline to be a finite number, got ${deadline}`);
		if (signal?.aborted) return Promise.reject(waiterCancelled(signal));

		const flight = this.flights.get(key) ?? this.start(key, fn);
		return new Promise<T>((resolve, reject) => {
			let done = false;
			let timer: NodeJS.Timeout | undefined;
			const finish = () => {
				done = true;
				clearTimeout(timer);
				signal?.removeEventListener('abort', onAbort);
				flight.waiters.delete(live);
			};
			const live: LiveWaiter = {
				deadline: deadline ?? Infinity,
				timeoutError: timeoutError ?? defaultTimeout,
				leave: (err) => {
					if (done) return;
					finish();
					reject(err);
					this.afterLeave(key, flight);
				},
			};
			const onAbort = () => live.leave(waiterCancelled(signal as AbortSignal));
			flight.waiters.add(live);
			signal?.addEventListener('abort', onAbort, { once: true });
			if (deadline !== undefined)
				timer = setTimeout(() => this.deadlinePassed(key, flight, live), Math.max(0, deadline - Date.now()));
			flight.promise.then(
				(value) => {
					if (done) return;
					finish();
					resolve(value);
				},
				(err: unknown) => {
					if (done) return;
					finish();
					reject(err);
				},
			);
		});
	}

	private start(key: string, fn: (signal: AbortSignal) => Promise<T>): Flight<T> {
		const controller = new AbortController();
		const promise = Promise.resolve().then(() => fn(controller.signal));
		const flight: Flight<T> = { controller, promise, waiters: new Set(), settled: false };
		const finish = () => {
			flight.settled = true;
			if (this.flights.get(key) === flight) this.flights.delete(key);
		};
		// Every waiter handles the outcome; this branch only tidies up and must not leave a rejection unhandled.
		promise.then(finish, finish);
		this.flights.set(key, flight);
		return flight;
	}

	private deadlinePassed(key: string, flight: Flight<T>, waiter: LiveWaiter): void {
		if (flight.settled || !flight.waiters.has(waiter)) return;
		const later = [...flight.waiters].some((w) => w !== waiter && w.deadline > waiter.deadline);
		if (later) {
			waiter.leave(waiter.timeoutError());
			return;
		}
		// Nobody wants the run any longer than this: stop it; it answers with what it has. A caller that
		// comes now starts a new run rather than joining one that is winding down.
		if (this.flights.get(key) === flight) this.flights.delete(key);
		if (!flight.controller.signal.aborted) flight.controller.abort(waiter.timeoutError());
	}

	private afterLeave(key: string, flight: Flight<T>): void {
		if (flight.waiters.size > 0 || flight.settled) return;
		// Nobody wants this result any more: stop the work, and let the next caller start afresh.
		if (this.flights.get(key) === flight) this.flights.delete(key);
		if (!flight.controller.signal.aborted)
			flight.controller.abort(new AuditError('CANCELLED', 'The audit was cancelled by every caller waiting for it.'));
	}
}
