/** Rows of the audit history lists. */
import type { ErrorInfo } from './errors';
import type { Category, FormFactor } from './options';
import type { AuditStatus } from './result';

/** A compact row for history lists. */
export interface HistoryEntry {
	id: string;
	url: string;
	requestedAt: string;
	durationMs: number;
	status: AuditStatus;
	scores: Partial<Record<FormFactor, Partial<Record<Category, number | null>>>>;
	/**
	 * The Lighthouse that made it (e.g. `13.5.0`), when known: scores of different majors are not directly comparable.
	 */
	lighthouseVersion?: string;
	/** Why it failed (`failed`), or the first stage error (`partial`). */
	error?: ErrorInfo;
}

export interface UrlSummary {
	url: string;
	audits: number;
	latest: HistoryEntry;
}
