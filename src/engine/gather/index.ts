import type { EngineSettings, EngineStats } from '../../protocol';
import type { Stage } from './stage';

/** A long-lived part of the engine that stages share (a browser, an API client). */
export interface EngineService {
	/** Apply new settings live (limits, keys). */
	configure(settings: Readonly<EngineSettings>): void;
	/** This service's part of the engine stats. */
	stats(): Partial<EngineStats>;
	/** Release everything it holds (browsers, sockets). Called once on engine shutdown. */
	close(): Promise<void>;
}

/** The stages an engine runs and the services they share. */
export interface StageKit {
	stages: Stage[];
	services: EngineService[];
}
