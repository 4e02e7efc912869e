/**
 * Audits many URLs without losing any to BUSY: the engine takes at most `maxConcurrentAudits +
 * queueSize` audits at once and answers BUSY past that. The runner sends no more than the engine has
 * room for (a slice as large as its free capacity), sends the next URL when one of its audits ends,
 * and puts a URL that was still answered BUSY (another client took the room) back at the front, to be
 * sent again when a slot frees. Pure: no `vscode`; the engine is reached through the functions given.
 */

/** How many more audits the engine takes now, from its stats. */
export function freeCapacity(stats: {
	audits: { active: number; queued: number };
	settings: { maxConcurrentAudits: number; queueSize: number };
}): number {
	const room =
		stats.settings.maxConcurrentAudits + stats.settings.queueSize - stats.audits.active - stats.audits.queued;
	return Math.max(0, room);
}

/**
 * The first slice of a batch: at most `free` items (at least one, so a batch always makes progress:
 * a BUSY answer to it only means waiting for a slot).
 */
export function firstSlice<T>(items: readonly T[], free: number): T[] {
	if (!Number.isInteger(free) || free < 0)
		throw new TypeError(`firstSlice: free must be a whole number >= 0, got ${free}`);
	return items.slice(0, Math.max(1, free));
}

export interface BatchRunnerOptions<T, R> {
	/** The engine's free capacity before the batch starts. */
	capacity(): Promise<number>;
	/** Audit one item; resolves with its outcome or rejects. */
	run(item: T, index: number): Promise<R>;
	/** True when `err` is the engine's BUSY answer. */
	isBusy(err: unknown): boolean;
	/**
	 * Resolves when the engine may have room again although none of this batch's audits ended (another
	 * client's audit ended). Used only when the batch has nothing in flight and was answered BUSY.
	 */
	slotFreed(): Promise<void>;
	/** Stop sending new items (a cancelled batch); items not sent are answered with `cancelled`. */
	signal?: AbortSignal;
}

export type BatchOutcome<R> =
	{ status: 'done'; value: R } | { status: 'error'; error: unknown } | { status: 'cancelled' };

/** Run every item; outcomes in item order. Never more in flight than the engine said it had room for. */
export async function runBatch<T, R>(items: readonly T[], opts: BatchRunnerOptions<T, R>): Promise<BatchOutcome<R>[]> {
	const outcomes: (BatchOutcome<R> | undefined)[] = new Array(items.length);
	const waiting = items.map((_, i) => i);
	let inFlight = 0;
	// The engine had no room (a BUSY answer, or no free capacity): send nothing until a slot frees.
	let full = false;
	let wakeUp: (() => void) | undefined;
	const wake = (): void => {
		const w = wakeUp;
		wakeUp = undefined;
		w?.();
	};
	opts.signal?.addEventListener('abort', wake, { once: true });

	const send = (i: number): void => {
		inFlight++;
		opts
			.run(items[i], i)
			.then(
				(value) => {
					outcomes[i] = { status: 'done', value };
					full = false;
				},
				(error: unknown) => {
					if (!opts.isBusy(error)) {
						outcomes[i] = { status: 'error', error };
						full = false;
						return;
					}
					// Another client took the room between our look and our send: back to the front.
					waiting.unshift(i);
					full = true;
				},
			)
			.finally(() => {
				inFlight--;
				wake();
			});
	};

	while (waiting.length || inFlight) {
		if (opts.signal?.aborted) for (const i of waiting.splice(0)) outcomes[i] = { status: 'cancelled' };
		if (waiting.length && !full) {
			const free = Math.max(0, Math.floor(await opts.capacity()));
			// With nothing of ours in flight one URL goes anyway: at worst the engine answers BUSY.
			if (free > 0 || inFlight === 0) for (const i of waiting.splice(0, firstSlice(waiting, free).length)) send(i);
		}
		if (!waiting.length && !inFlight) break;
		const next = new Promise<void>((resolve) => (wakeUp = resolve));
		if (full && inFlight === 0 && waiting.length) {
			// Nothing of ours will end to free a slot: wait for the engine to have room.
			void opts.slotFreed().then(() => {
				full = false;
				wake();
			});
		}
		await next;
	}
	return outcomes.map((o) => o ?? { status: 'cancelled' });
}
