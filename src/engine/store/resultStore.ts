import type { AuditResult, DeleteHistoryParams, EngineSettings, EngineStats, FormFactor, HistoryEntry, UrlSummary } from '../../protocol';

/** Large artifacts kept beside a result (see StageContext.keep), e.g. `lhr:mobile` → Lighthouse JSON. */
export type Artifacts = ReadonlyMap<string, unknown>;

/**
 * The seam between the engine's queue and its stages: a cache in front of the audit history.
 * The engine asks `lookup` before running and `save`s every finished audit.
 */
export interface ResultStore {
	/** A fresh cached result for this cache key, or undefined. */
	lookup(key: string): Promise<AuditResult | undefined>;
	/** Record a finished audit in the cache and in the history. */
	save(key: string, result: AuditResult, artifacts: Artifacts): Promise<void>;
	get(id: string): Promise<AuditResult | undefined>;
	/** The full Lighthouse JSON of a stored audit. */
	getLhr(id: string, formFactor: FormFactor): Promise<unknown | undefined>;
	listUrls(limit?: number): Promise<UrlSummary[]>;
	listAudits(url: string, limit?: number): Promise<HistoryEntry[]>;
	delete(params: DeleteHistoryParams): Promise<number>;
	/** Drop the in-memory cache; answers how many entries were dropped. */
	clearCache(): number;
	configure(settings: Readonly<EngineSettings>): void;
	stats(): { cache: EngineStats['cache']; history: EngineStats['history'] };
	/** Flush pending writes and release the file. */
	close(): Promise<void>;
}
