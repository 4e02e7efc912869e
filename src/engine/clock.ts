/** Where a module reads the time (epoch ms): the system's, or one a test moves instead of waiting. */
export interface Clock {
	now(): number;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };
