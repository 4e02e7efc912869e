import { abortError, AuditError } from './errors';

interface Waiting {
	start(): void;
	drop(err: Error): void;
}

export interface AuditQueueOptions {
	/** Tasks running at once (≥ 1). */
	concurrency: number;
	/** Tasks waiting beyond the running ones; one more is refused with BUSY (≥ 0). */
	queueSize: number;
}

/**
 * Bounded, abort-aware admission of audits. At most `concurrency` tasks run; at most `queueSize` wait,
 * and past that `run` refuses at once with BUSY. A waiting task whose signal aborts (cancel, timeout)
 * leaves the queue at once and frees its place, so a cancelled audit never holds a slot (p-limit cannot
 * take a task out of its queue, hence this small queue). `clear` settles every waiting promise.
 */
export class AuditQueue {
	private readonly waiting: Waiting[] = [];
	private running = 0;
	private limits: AuditQueueOptions;

	constructor(limits: AuditQueueOptions) {
		this.limits = checked(limits);
	}

	get activeCount(): number {
		return this.running;
	}

	get pendingCount(): number {
		return this.waiting.length;
	}

	/** Change the limits live; more concurrency starts waiting tasks at once. */
	configure(limits: AuditQueueOptions): void {
		this.limits = checked(limits);
		this.drain();
	}

	/**
	 * Run `fn` when a place is free. Rejects with BUSY when the queue is full, and with the signal's reason
	 * when it aborts while waiting (the task never starts). `onQueued` hears the 1-based position when it has to wait.
	 */
	run<T>(fn: () => Promise<T>, signal?: AbortSignal, onQueued?: (position: number) => void): Promise<T> {
		if (typeof fn !== 'function') throw new TypeError(`Expected fn to be a function, got ${typeof fn}`);
		if (signal?.aborted) return Promise.reject(abortError(signal));
		if (this.running < this.limits.concurrency && this.waiting.length === 0) return this.start(fn);
		if (this.waiting.length >= this.limits.queueSize) {
			return Promise.reject(
				new AuditError(
					'BUSY',
					`The engine is busy (${this.running} audits running, ${this.waiting.length} queued; queue size ${this.limits.queueSize}).`,
				),
			);
		}
		return new Promise<T>((resolve, reject) => {
			const onAbort = () => {
				this.remove(entry);
				reject(abortError(signal as AbortSignal));
			};
			const entry: Waiting = {
				start: () => {
					signal?.removeEventListener('abort', onAbort);
					this.start(fn).then(resolve, reject);
				},
				drop: (err) => {
					signal?.removeEventListener('abort', onAbort);
					reject(err);
				},
			};
			signal?.addEventListener('abort', onAbort, { once: true });
			this.waiting.push(entry);
			onQueued?.(this.waiting.length);
		});
	}

	/** Reject every waiting task with `err` (running ones go on); answers how many were dropped. */
	clear(err: Error = new AuditError('CANCELLED', 'The audit was cancelled.')): number {
		const dropped = this.waiting.splice(0);
		for (const entry of dropped) entry.drop(err);
		return dropped.length;
	}

	private async start<T>(fn: () => Promise<T>): Promise<T> {
		this.running++;
		try {
			return await fn();
		} finally {
			this.running--;
			this.drain();
		}
	}

	private remove(entry: Waiting): void {
		const i = this.waiting.indexOf(entry);
		if (i >= 0) this.waiting.splice(i, 1);
	}

	private drain(): void {
		while (this.running < this.limits.concurrency && this.waiting.length > 0) this.waiting.shift()?.start();
	}
}

function checked(limits: AuditQueueOptions): AuditQueueOptions {
	if (!Number.isInteger(limits.concurrency) || limits.concurrency < 1)
		throw new TypeError(`Expected concurrency to be an integer ≥ 1, got ${limits.concurrency}`);
	if (!Number.isInteger(limits.queueSize) || limits.queueSize < 0)
		throw new TypeError(`Expected queueSize to be an integer ≥ 0, got ${limits.queueSize}`);
	return { ...limits };
}
