import type { Clock } from '../../src/engine/clock';

/** A clock the test moves: TTLs and cooldowns pass at once, not after a real wait. */
export interface ManualClock extends Clock {
	/** Move the time on by `ms`. */
	advance(ms: number): void;
}

/** A clock that starts at the system's time (so results saved now are fresh) and moves only when told. */
export function manualClock(start = Date.now()): ManualClock {
	let now = start;
	return {
		now: () => now,
		advance: (ms) => {
			now += ms;
		},
	};
}
