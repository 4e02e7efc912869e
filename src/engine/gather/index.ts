import type { EngineSettings, EngineStats } from '../../protocol';

/** A long-lived part of the engine that stages share (a browser, an API client). */
export interface EngineService {
	/** Apply new settings live (limits, keys). */
	configure(settings: Readonly<EngineSettings>): void;
	/** This service's part of the engine stats. */
	stats(): Partial<EngineStats>;
	/**
	 * Get ready for `count` audits at once (start Chromes, Lighthouse workers) without waiting: a scan calls it
	 * before discovery so the browsers start while it runs. Optional: services with nothing to start skip it.
	 */
	warm?(count: number): void;
	/** Release everything it holds (browsers, sockets). Called once on engine shutdown. */
	close(): Promise<void>;
}
