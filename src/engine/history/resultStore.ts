import type {
	AuditResult,
	DeleteHistoryParams,
	EngineSettings,
	EngineStats,
	FormFactor,
	HistoryEntry,
	ListScansParams,
	ScanReport,
	ScanSummary,
	UrlSummary,
} from '../../protocol';

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
	/** Delete audits; answers how many. Deleting all, or a URL, deletes the scans of it too (see HistoryStore.delete). */
	delete(params: DeleteHistoryParams): Promise<number>;
	/** Record a site scan's report (its routes point at their audits by id). */
	saveScan(report: ScanReport): Promise<void>;
	/** A stored scan; routes whose audit has since been deleted lose their `auditId`. */
	getScan(id: string): Promise<ScanReport | undefined>;
	/** Scans, newest first; `url` keeps those of one start URL (normalised). */
	listScans(params: ListScansParams): Promise<ScanSummary[]>;
	configure(settings: Readonly<EngineSettings>): void;
	stats(): { history: EngineStats['history'] };
	/** Flush pending writes and release the file. */
	close(): Promise<void>;
}
