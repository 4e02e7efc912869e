import { AuditError } from '../errors';

interface Flight<T> {
	readonly controller: AbortController;
	readonly promise: Promise<T>;
	waiters: number;
	settled: boolean;
}

function waiterCancelled(signal: AbortSignal): AuditError {
	const reason: unknown = signal.reason;
	return reason instanceof AuditError ? reason : new AuditError('CANCELLED', 'The audit was cancelled.');
}

/**
 * Identical work that is asked for while it is already running is shared: every caller with the
 * same key gets the result of one run. A caller that aborts its own signal stops waiting (and gets
 * `AuditError('CANCELLED')`, or its signal's AuditError reason); the shared run itself is aborted
 * only when every caller has given up.
 */
export class SingleFlight<T> {
	private readonly flights = new Map<string, Flight<T>>();

	/** Runs in progress (one per distinct key). */
	get inFlight(): number {
		return this.flights.size;
	}

	/** How many callers are waiting on the run for this key (0 when none runs). */
	waiters(key: string): number {
		return this.flights.get(key)?.waiters ?? 0;
	}

	/**
	 * Run `fn` for `key`, or join the run already in flight for it.
	 * `fn` gets a signal that aborts only when every waiter has aborted.
	 */
	run(key: string, fn: (signal: AbortSignal) => Promise<T>, waiterSignal?: AbortSignal): Promise<T> {
		if (typeof key !== 'string') throw new TypeError(`Expected key to be a string, got ${typeof key}`);
		if (typeof fn !== 'function') throw new TypeError(`Expected fn to be a function, got ${typeof fn}`);
		if (waiterSignal?.aborted) return Promise.reject(waiterCancelled(waiterSignal));

		const flight = this.flights.get(key) ?? this.start(key, fn);
		flight.waiters++;
		return new Promise<T>((resolve, reject) => {
			let done = false;
			const onAbort = () => {
				if (done) return;
				done = true;
				reject(waiterCancelled(waiterSignal as AbortSignal));
				this.leave(key, flight);
			};
			waiterSignal?.addEventListener('abort', onAbort, { once: true });
			flight.promise.then(
				(value) => {
					waiterSignal?.removeEventListener('abort', onAbort);
					if (done) return;
					done = true;
					resolve(value);
				},
				(err: unknown) => {
					waiterSignal?.removeEventListener('abort', onAbort);
					if (done) return;
					done = true;
					reject(err);
				},
			);
		});
	}

	private start(key: string, fn: (signal: AbortSignal) => Promise<T>): Flight<T> {
		const controller = new AbortController();
		const promise = Promise.resolve().then(() => fn(controller.signal));
		const flight: Flight<T> = { controller, promise, waiters: 0, settled: false };
		const finish = () => {
			flight.settled = true;
			if (this.flights.get(key) === flight) this.flights.delete(key);
		};
		// Every waiter handles the outcome; this branch only tidies up and must not leave a rejection unhandled.
		promise.then(finish, finish);
		this.flights.set(key, flight);
		return flight;
	}

	private leave(key: string, flight: Flight<T>): void {
		flight.waiters--;
		if (flight.waiters > 0 || flight.settled) return;
		// Nobody wants this result any more: stop the work, and let the next caller start afresh.
		if (this.flights.get(key) === flight) this.flights.delete(key);
		flight.controller.abort(new AuditError('CANCELLED', 'The audit was cancelled by every caller waiting for it.'));
	}
}
