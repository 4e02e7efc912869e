import pLimit from 'p-limit';
import { abortError } from '../errors';
import { waitForCpuRoom } from './cpuRoom';

/** How long a page load waits for traces being collected before it starts anyway. */
export const COLLECT_WAIT_MAX_MS = 5_000;

/**
 * The order of the CPU-heavy moments of concurrent Lighthouse runs around the page loads they trace:
 * - one page load under trace at a time (the trace slot), from the start of its trace until it has gone quiet
 *   (loadQuiet.ts) or its trace stopped;
 * - a run stops and collects its trace (Chrome serialises it, the worker parses it: the heaviest second of a run)
 *   only while no other run's page is loading, and a page load waits until the traces being collected are in
 *   (at most COLLECT_WAIT_MAX_MS), then for a free core (cpuRoom.ts).
 * Gathering the other artifacts and computing the audits still overlap the loads, as they always have.
 */
export class TraceSchedule {
	private readonly turns = pLimit(1);
	private loading = false;
	private collecting = 0;
	private stopsWaiting = 0;
	private waiters: (() => void)[] = [];
	/** Page loads given their turn so far. */
	loadsGiven = 0;

	/** `cpuRoom`: how a page load waits for a free core (the tests give one that does not wait). */
	constructor(private readonly cpuRoom: (signal: AbortSignal) => Promise<unknown> = waitForCpuRoom) {}

	/** A page load's turn: resolves with the function that ends it (the load went quiet, or the run ended). */
	load(signal: AbortSignal): Promise<() => void> {
		return new Promise((resolve, reject) => {
			// A run cancelled while it waits for its turn hears of it at once; its turn, when it comes, passes on.
			const onAbort = () => reject(abortError(signal));
			signal.addEventListener('abort', onAbort, { once: true });
			void this.turns(
				() =>
					new Promise<void>((endTurn) => {
						const fail = (err: unknown) => {
							endTurn();
							reject(err instanceof Error ? err : abortError(signal));
						};
						if (signal.aborted) return fail(abortError(signal));
						// Stops that were waiting for the last load go first; then their collection is waited for.
						this.until(() => this.collecting === 0 && this.stopsWaiting === 0, signal, COLLECT_WAIT_MAX_MS)
							.then(() => this.cpuRoom(signal))
							.then(() => {
								signal.removeEventListener('abort', onAbort);
								this.loading = true;
								this.loadsGiven++;
								let ended = false;
								resolve(() => {
									if (ended) return;
									ended = true;
									this.loading = false;
									endTurn();
									this.wake();
								});
							}, fail);
					}),
			);
		});
	}

	/**
	 * A run's trace stop: waits while another run's page is loading (`ownLoad`: this run's own load still holds
	 * the slot, which the stop ends). Resolves with the function to call once the trace is collected.
	 */
	async stop(signal: AbortSignal, ownLoad: boolean): Promise<() => void> {
		if (!ownLoad) {
			this.stopsWaiting++;
			try {
				await this.until(() => !this.loading, signal);
			} finally {
				this.stopsWaiting--;
			}
		}
		this.collecting++;
		let done = false;
		return () => {
			if (done) return;
			done = true;
			this.collecting--;
			this.wake();
		};
	}

	/** Resolves once `ready` holds (checked whenever the schedule changes), or after `maxMs`. */
	private until(ready: () => boolean, signal: AbortSignal, maxMs = Infinity): Promise<void> {
		return new Promise((resolve, reject) => {
			let settled = false;
			const timer = Number.isFinite(maxMs) ? setTimeout(() => finish(), maxMs) : undefined;
			const onAbort = () => finish(abortError(signal));
			const check = () => (ready() ? finish() : this.waiters.push(check));
			const finish = (err?: Error) => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				signal.removeEventListener('abort', onAbort);
				this.waiters = this.waiters.filter((w) => w !== check);
				if (err) reject(err);
				else resolve();
			};
			if (signal.aborted) return onAbort();
			signal.addEventListener('abort', onAbort, { once: true });
			check();
		});
	}

	private wake(): void {
		const waiters = this.waiters;
		this.waiters = [];
		for (const check of waiters) check();
	}
}
