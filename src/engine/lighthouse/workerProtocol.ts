import type { Category, FormFactor, Throttling } from '../../protocol';

/** Main thread → Lighthouse worker: run Lighthouse once against the Chrome on `port`. */
export interface WorkerRunMessage {
	type: 'run';
	id: number;
	url: string;
	port: number;
	formFactor: FormFactor;
	categories: Category[];
	throttling: Throttling;
	/** Lighthouse's own page-load cap, kept under the audit timeout. */
	maxWaitForLoadMs: number;
	/** A signed-in audit's headers (Lighthouse's `extraHeaders`: every request of the page). */
	extraHeaders?: Record<string, string>;
}

export type WorkerReply = { type: 'ready'; lighthouseVersion: string } | { type: 'result'; id: number; lhr: LhrLike } | { type: 'error'; id: number; message: string };

/** The parts of a Lighthouse result (LHR) the engine reads; the rest is carried as is. */
export interface LhrLike {
	lighthouseVersion: string;
	requestedUrl?: string;
	finalDisplayedUrl?: string;
	mainDocumentUrl?: string;
	fetchTime: string;
	runtimeError?: { code: string; message: string };
	runWarnings: string[];
	categories: Record<string, { score: number | null; auditRefs: { id: string; weight: number; group?: string; acronym?: string }[] }>;
	audits: Record<string, LhrAudit>;
	timing?: { total: number };
	[key: string]: unknown;
}

/** One audit of a Lighthouse result, as far as the engine reads it. */
export interface LhrAudit {
	id: string;
	title: string;
	score: number | null;
	scoreDisplayMode: string;
	displayValue?: string;
	numericValue?: number;
	/** Estimated savings per metric acronym (Lighthouse 10.4 and later). */
	metricSavings?: Record<string, number | undefined>;
	/** Lighthouse's details (a table, an opportunity, a list, a checklist, …); read defensively. */
	details?: unknown;
}
