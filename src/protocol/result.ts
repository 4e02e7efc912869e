/** An audit result: its status and the outcome of each stage. */
import type { AiData } from './ai';
import type { AuthSummary } from './auth';
import type { CaptureData } from './capture';
import type { CroData } from './cro';
import type { CruxData } from './crux';
import type { ErrorInfo } from './errors';
import type { LighthouseRun } from './lighthouse';
import type { AuditOptions } from './options';

/**
 * What an audit result is: `ok` every stage that ran succeeded; `partial` some stages failed or timed out
 * but there is something to show (their errors are in `stages` and `stageErrors`); `failed` nothing to
 * show (the page could not be loaded, or every stage failed): `error` says why. Only `ok` results are cached.
 */
export type AuditStatus = 'ok' | 'partial' | 'failed';

/** What each stage produces. */
export interface StageDataMap {
	'lighthouse-mobile': LighthouseRun;
	'lighthouse-desktop': LighthouseRun;
	capture: CaptureData;
	cro: CroData;
	ai: AiData;
	crux: CruxData;
}
export type StageName = keyof StageDataMap;

interface OutcomeBase {
	/** ISO time the stage started (or was skipped). */
	startedAt: string;
	durationMs: number;
}
export type StageOutcome<T> =
	| (OutcomeBase & { status: 'ok'; data: T })
	| (OutcomeBase & { status: 'error'; error: ErrorInfo })
	| (OutcomeBase & { status: 'skipped'; reason: string })
	| (OutcomeBase & { status: 'cancelled' });

export type StageOutcomes = { [K in StageName]?: StageOutcome<StageDataMap[K]> };

export interface AuditResult {
	/** Unique id of this audit (history key). */
	id: string;
	/** The URL as requested, normalised (credentials never included). */
	url: string;
	requestedAt: string;
	/** From admission to the result, the wait in the queue included. */
	durationMs: number;
	/** Of `durationMs`, the time spent waiting in the engine's queue before the audit started. */
	queuedMs: number;
	options: AuditOptions;
	engineVersion: string;
	lighthouseVersion: string;
	/** Version of the Chrome that ran it (e.g. `Chromium 156.0.8078.73`), when known. */
	chromeVersion?: string;
	/** True when this result came from the cache rather than a fresh run. */
	fromCache: boolean;
	status: AuditStatus;
	stages: StageOutcomes;
	/** The error of each stage that failed or timed out (also in `stages`), for a client that lists them. */
	stageErrors?: Partial<Record<StageName, ErrorInfo>>;
	/** Why the audit as a whole failed; set exactly when `status` is `failed`. */
	error?: ErrorInfo;
	/** Set when the audit was signed in (headers, cookies or a login script): their names, never their values. */
	auth?: AuthSummary;
}
