/**
 * The JSON-RPC contract between the engine and its clients. Each message is declared once here,
 * with its parameter and result types, and both sides import it.
 */
import { NotificationType, RequestType } from 'vscode-jsonrpc';
import type { AuditAuth } from './auth';
import type { ErrorInfo } from './errors';
import type { LocatedFinding, WorkspaceMapping } from './findings';
import type { HistoryEntry, UrlSummary } from './history';
import type { AuditOptionsInput, FormFactor } from './options';
import type { AuditResult, StageName, StageOutcomes } from './result';
import type { ScanOptionsInput, ScanReport, ScanRoute, ScanSummary } from './scan';
import type { EngineSettings } from './settings';
import type { EngineStats } from './stats';

export interface AuditParams {
	url: string;
	options?: AuditOptionsInput;
	/** Client-chosen id used for progress notifications and `cancel`; the engine makes one if absent. */
	auditId?: string;
	/** Credentials for a signed-in audit; part of the cache key as a hash, never stored or echoed. */
	auth?: AuditAuth;
}
export type AuditResponse = AuditResult;
/**
 * Client → engine: audit one URL. Resolves with the full result, whose `status` says whether it is `ok`,
 * `partial` or `failed` (a page that answers 500, never loads, or whose every stage failed resolves as
 * `failed` with `error`, and is recorded in the history). Rejects only when no audit took place: an invalid
 * request (INVALID_URL, INVALID_PARAMS), BUSY, CANCELLED or SHUTTING_DOWN. Stage results also arrive as
 * `stageResult` notifications while it runs.
 */
export const auditRequest = new RequestType<AuditParams, AuditResponse, ErrorInfo>('auditlens/audit');

export interface BatchAuditParams {
	urls: string[];
	options?: AuditOptionsInput;
	/** Prefix for the per-URL audit ids (`<batchId>:<index>`), so a client can cancel the batch. */
	batchId?: string;
	/** Credentials for every URL of the batch (cookies each for its own URL's origin). */
	auth?: AuditAuth;
}
export interface BatchItem {
	url: string;
	result?: AuditResult;
	error?: ErrorInfo;
}
export interface BatchAuditResult {
	items: BatchItem[];
}
/** Client → engine: audit many URLs under the same limits; one failure never sinks the batch. */
export const batchAuditRequest = new RequestType<BatchAuditParams, BatchAuditResult, ErrorInfo>('auditlens/batchAudit');

export interface ScanParams {
	/** The start URL: its origin is the site; routes come from its robots.txt, sitemaps and links. */
	url: string;
	scan?: ScanOptionsInput;
	/** Options of every route's audit (a scan defaults to mobile only). */
	options?: AuditOptionsInput;
	/**
	 * Client-chosen id for progress and `cancel` (route audits are `<scanId>:<index>`); the engine makes one if absent.
	 */
	scanId?: string;
	/** Credentials for every route (cookies for the site's origin). */
	auth?: AuditAuth;
}
export type ScanResponse = ScanReport;
/**
 * Client → engine: discover a site's routes and audit them through the same pool, limits, cache and history.
 * Resolves with the site report, kept in the history; a route's failure stays on that route. Cancelling the
 * scan id resolves with status `cancelled` and the routes audited so far. Rejects for INVALID_URL,
 * INVALID_PARAMS, an unreachable start URL (with its error code) and SHUTTING_DOWN.
 */
export const scanRequest = new RequestType<ScanParams, ScanResponse, ErrorInfo>('auditlens/scan');

export type ScanPhase = 'discovering' | 'auditing' | 'done';
export interface ScanProgressParams {
	scanId: string;
	phase: ScanPhase;
	/** Routes found so far (discovering) or chosen (auditing). */
	discovered: number;
	/** Routes whose audit ended. */
	done: number;
	/** Routes to audit (0 while discovering). */
	total: number;
	/** Estimated time left, once a route has ended. */
	etaMs?: number;
	/** The route that just ended. */
	route?: ScanRoute;
}
/** Engine → client: a scan moved on (a route found, a route audited). */
export const scanProgressNotification = new NotificationType<ScanProgressParams>('auditlens/scanProgress');

export interface ListScansParams {
	/** Only scans of this start URL. */
	url?: string;
	limit?: number;
}
export interface ListScansResult {
	scans: ScanSummary[];
}
/** Client → engine: the scans in the history, newest first. */
export const listScansRequest = new RequestType<ListScansParams, ListScansResult, ErrorInfo>('auditlens/listScans');

export interface GetScanParams {
	id: string;
}
/** Client → engine: one stored site report, or null. */
export const getScanRequest = new RequestType<GetScanParams, ScanReport | null, ErrorInfo>('auditlens/getScan');

export interface CancelParams {
	/** An audit id, or a batch or scan id (cancels every audit of the batch or scan, and a scan's discovery). */
	auditId: string;
}
export interface CancelResult {
	cancelled: number;
}
/** Client → engine: cancel a queued or running audit; its Chrome is freed (killed and replaced if it hangs). */
export const cancelRequest = new RequestType<CancelParams, CancelResult, ErrorInfo>('auditlens/cancel');

export interface GetResultParams {
	id: string;
}
/** Client → engine: one stored result by id, or null. */
export const getResultRequest = new RequestType<GetResultParams, AuditResult | null, ErrorInfo>('auditlens/getResult');

export interface GetReportParams {
	id: string;
	formFactor: FormFactor;
	format: 'html' | 'json';
}
export interface GetReportResult {
	content: string;
}
/** Client → engine: the full Lighthouse report (HTML or JSON) of a stored audit. */
export const getReportRequest = new RequestType<GetReportParams, GetReportResult, ErrorInfo>('auditlens/getReport');

export interface LocateParams {
	/** A stored audit's id. */
	id: string;
	/** Workspace folders (absolute paths) the page's files are searched in. */
	roots: string[];
	mappings?: WorkspaceMapping[];
}
export interface LocateResult {
	auditId: string;
	url: string;
	/** Every finding of the audit, each with its place in the workspace when it has one. */
	findings: LocatedFinding[];
	/** The workspace files the page came from, its entry file (the HTML, or the component that renders it) first. */
	files: string[];
	/** Time the engine spent placing them. */
	ms: number;
}
/**
 * Client → engine: the findings of a stored audit (its Lighthouse reports and CRO findings), placed on their
 * workspace files and lines: static files by URL path, dev-server bundles through their source maps. Rejects with
 * NOT_FOUND for an unknown id.
 */
export const locateRequest = new RequestType<LocateParams, LocateResult, ErrorInfo>('auditlens/locate');

export interface ListHistoryParams {
	/** Omit for one summary per URL; give a URL for its audits, newest first. */
	url?: string;
	limit?: number;
}
export interface ListHistoryResult {
	urls?: UrlSummary[];
	entries?: HistoryEntry[];
}
/** Client → engine: audit history. */
export const listHistoryRequest = new RequestType<ListHistoryParams, ListHistoryResult, ErrorInfo>(
	'auditlens/listHistory',
);

export interface DeleteHistoryParams {
	id?: string;
	url?: string;
	all?: boolean;
}
export interface DeleteHistoryResult {
	deleted: number;
}
/** Client → engine: delete one audit, all audits of a URL, or everything. */
export const deleteHistoryRequest = new RequestType<DeleteHistoryParams, DeleteHistoryResult, ErrorInfo>(
	'auditlens/deleteHistory',
);

export type StatsParams = Record<string, never>;
/** Client → engine: live engine statistics. */
export const statsRequest = new RequestType<StatsParams, EngineStats, ErrorInfo>('auditlens/stats');

export type ConfigureParams = Partial<EngineSettings>;
export type ConfigureResult = EngineStats['settings'];
/** Client → engine: change limits and settings live; answers the settings now in force. */
export const configureRequest = new RequestType<ConfigureParams, ConfigureResult, ErrorInfo>('auditlens/configure');

export type ClearCacheParams = Record<string, never>;
export interface ClearCacheResult {
	cleared: number;
}
/** Client → engine: drop the in-memory result cache (history stays). */
export const clearCacheRequest = new RequestType<ClearCacheParams, ClearCacheResult, ErrorInfo>('auditlens/clearCache');

export type ShutdownParams = Record<string, never>;
/** Client → engine: finish, close every Chrome, flush the history, then exit. */
export const shutdownRequest = new RequestType<ShutdownParams, null, ErrorInfo>('auditlens/shutdown');

export type ProgressState = 'queued' | 'started' | 'done' | 'error' | 'skipped' | 'cancelled';
export interface ProgressParams {
	auditId: string;
	url: string;
	/** `audit` for the audit as a whole. */
	stage: StageName | 'audit';
	state: ProgressState;
	message?: string;
	/** Position in the queue when state is `queued`. */
	position?: number;
}
/** Engine → client: an audit or one of its stages changed state. */
export const progressNotification = new NotificationType<ProgressParams>('auditlens/progress');

export interface StageResultParams {
	auditId: string;
	url: string;
	/** The outcome of this one stage, the moment it is ready. */
	stages: StageOutcomes;
}
/** Engine → client: one stage finished; lets a client show fast stages while Lighthouse runs. */
export const stageResultNotification = new NotificationType<StageResultParams>('auditlens/stageResult');

export interface LogParams {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
}
/** Engine → client: a log line (never contains secrets). */
export const logNotification = new NotificationType<LogParams>('auditlens/log');

/** JSON-RPC error codes the engine uses in ResponseError; `data` is an ErrorInfo. */
export const RpcErrorCodes = {
	invalidParams: -32602,
	auditFailed: -32001,
	busy: -32002,
	cancelled: -32800,
	notFound: -32004,
	shuttingDown: -32005,
} as const;
