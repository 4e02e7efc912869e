import type { EngineSettings, EngineStats } from '../../protocol';

/** A long-lived part of the engine that stages share (a browser, an API client). */
export interface EngineService {
	/** Apply new settings live (limits, keys). */
	configure(settings: Readonly<EngineSettings>): void;
	/** This service's part of the engine stats. */
	stats(): Partial<EngineStats>;
	/** Release everything it holds (browsers, sockets). Called once on engine shutdown. */
	close(): Promise<void>;
}
