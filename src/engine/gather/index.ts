import type { AuditOptions, EngineSettings, EngineStats } from '../../protocol';

/** A long-lived part of the engine that stages share (a browser, an API client). */
export interface EngineService {
	/** Apply new settings live (limits, keys). */
	configure(settings: Readonly<EngineSettings>): void;
	/** This service's part of the engine stats. */
	stats(): Partial<EngineStats>;
	/**
	 * Get ready for `count` audits at once (start browsers, load Lighthouse in workers) while the caller does
	 * something else, e.g. a site scan discovering its routes. Never throws: a failure shows in the audit that follows.
	 */
	warm?(count: number, options?: AuditOptions): void;
	/** Release everything it holds (browsers, sockets). Called once on engine shutdown. */
	close(): Promise<void>;
}
