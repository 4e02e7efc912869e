/** Waiting in tests: on an event the test holds (a deferred), or on a condition polled until a deadline. */

/** A promise the test settles itself, to hold work until it says so. */
export interface Deferred<T> {
	readonly promise: Promise<T>;
	resolve(value: T): void;
	reject(reason: unknown): void;
}

/** A promise with its resolve and reject, for holding work until the test opens the gate. */
export function deferred<T = void>(): Deferred<T> {
	let resolve!: (value: T) => void;
	let reject!: (reason: unknown) => void;
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

/** Resolves after `ms` milliseconds; only for polling intervals, never as a wait for work to finish. */
export function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` every `intervalMs` until it returns a value other than `undefined` or `false`, and resolves with
 * it; rejects naming `what` once `timeoutMs` has passed. A deadline generous for a slow machine: the event
 * ends the wait, not the clock.
 */
export async function until<T>(
	what: string,
	check: () => T | undefined | false | Promise<T | undefined | false>,
	{ timeoutMs = 30_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined && value !== false) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await delay(intervalMs);
	}
}
