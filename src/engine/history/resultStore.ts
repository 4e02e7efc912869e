import type { AuditResult, DeleteHistoryParams, EngineSettings, EngineStats, FormFactor, HistoryEntry, UrlSummary } from '../../protocol';

/** Large artifacts kept beside a result (see StageContext.keep), e.g. `lhr:mobile` → Lighthouse JSON. */
export type Artifacts = ReadonlyMap<string, unknown>;

/**
 * The audit history as the engine sees it: every finished audit is saved, whatever its status.
 * (The result cache in front of it is ../resultCache.ts.)
 */
export interface ResultStore {
	/** Record a finished audit (ok, partial or failed) under its cache key. */
	save(key: string, result: AuditResult, artifacts: Artifacts): Promise<void>;
	get(id: string): Promise<AuditResult | undefined>;
	/** The full Lighthouse JSON of a stored audit. */
	getLhr(id: string, formFactor: FormFactor): Promise<unknown | undefined>;
	listUrls(limit?: number): Promise<UrlSummary[]>;
	listAudits(url: string, limit?: number): Promise<HistoryEntry[]>;
	delete(params: DeleteHistoryParams): Promise<number>;
	configure(settings: Readonly<EngineSettings>): void;
	stats(): { history: EngineStats['history'] };
	/** Flush pending writes and release the file. */
	close(): Promise<void>;
}
