/**
 * Runs a task after a burst of triggers has settled (debounce), never more than one run at a time
 * and at most one waiting: triggers during a run collapse into a single run after it.
 */

/** Calls `callback` after `ms` milliseconds and returns what cancels it; tests pass a fake to drive the time. */
export type Schedule = (callback: () => void, ms: number) => () => void;

/** The real clock: `setTimeout`. */
const realSchedule: Schedule = (callback, ms) => {
	const timer = setTimeout(callback, ms);
	return () => clearTimeout(timer);
};

export class SaveScheduler {
	private cancelTimer: (() => void) | undefined;
	private running: Promise<void> | undefined;
	private pending = false;
	private disposed = false;

	constructor(
		private readonly task: () => Promise<void>,
		private readonly debounceMs: () => number,
		private readonly onError: (err: unknown) => void = () => {},
		private readonly schedule: Schedule = realSchedule,
	) {
		if (typeof task !== 'function') throw new TypeError('SaveScheduler: task must be a function');
	}

	/** A save happened. */
	trigger(): void {
		if (this.disposed) return;
		this.cancelTimer?.();
		this.cancelTimer = this.schedule(
			() => {
				this.cancelTimer = undefined;
				this.fire();
			},
			Math.max(0, this.debounceMs()),
		);
	}

	/** True while a run is in progress. */
	get isRunning(): boolean {
		return this.running !== undefined;
	}

	/** True when a run waits for the current one. */
	get isPending(): boolean {
		return this.pending;
	}

	/** Resolves when no run is in progress or waiting (for tests and shutdown). */
	async idle(): Promise<void> {
		while (this.running) await this.running;
	}

	dispose(): void {
		this.disposed = true;
		this.cancelTimer?.();
		this.cancelTimer = undefined;
		this.pending = false;
	}

	private fire(): void {
		if (this.running) {
			this.pending = true;
			return;
		}
		this.running = (async () => {
			try {
				do {
					this.pending = false;
					try {
						await this.task();
					} catch (err) {
						this.onError(err);
					}
				} while (this.pending && !this.disposed);
			} finally {
				this.running = undefined;
			}
		})();
	}
}
