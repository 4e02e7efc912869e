import type { Category, FormFactor, Throttling } from '../../protocol';
import type { NavigationCapture, NavigationCaptureRequest } from './navigationCapture';

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
	/** Ask the main thread for the trace slot (`slot-wanted`) and wait for it (`slot`) before Lighthouse starts. */
	traceSlot: boolean;
	/**
	 * Keep the trace slot until the trace stops instead of freeing it when the load goes quiet: the run again of a page
	 * that worked after it had gone quiet while another page's load was traced (LighthouseService, `LATE_WORK_MS`).
	 */
	slotUntilTraceEnd?: boolean;
	/** The Chrome's pid (it leads its process group): the CPU it uses under trace is not counted as contention. */
	chromePid: number;
	/** Take the capture stage's screenshots and DOM facts in the loaded page (navigationCapture.ts). */
	capture?: NavigationCaptureRequest;
}

/**
 * Main thread → worker: the run that asked may start; it holds the trace slot until `trace-end` (its load went quiet or
 * its trace stopped; with `slotUntilTraceEnd` the latter).
 */
export interface WorkerSlotMessage {
	type: 'slot';
	id: number;
}

/** Main thread → worker: the machine's benchmark figure for the run to use, or none: the run measures it. */
export interface WorkerBenchmarkMessage {
	type: 'benchmark';
	id: number;
	index?: number;
}

/** Main thread → worker: the run may stop and collect its trace (no other run's page is loading). */
export interface WorkerStopMessage {
	type: 'stop';
	id: number;
}

export type WorkerMessage = WorkerRunMessage | WorkerSlotMessage | WorkerBenchmarkMessage | WorkerStopMessage;

/**
 * The page load under trace, as the worker saw it: wall-clock times (ms since the epoch) and other CPU work meanwhile.
 */
export interface TraceWindow {
	startMs: number;
	endMs: number;
	/** Cores' worth of CPU other work used meanwhile (undefined where /proc cannot tell). */
	besideCores?: number;
	/** The page's main thread's run-queue wait per unit of its run time meanwhile (undefined where /proc cannot tell). */
	waitRatio?: number;
	/** The machine's cores (with the figures above). */
	cores?: number;
	/** The window ended when the load went quiet (loadQuiet.ts), before Lighthouse stopped the trace. */
	quiet?: boolean;
}

export type WorkerReply =
	| { type: 'ready'; lighthouseVersion: string }
	| { type: 'slot-wanted'; id: number }
	| { type: 'benchmark-wanted'; id: number }
	| { type: 'stop-wanted'; id: number }
	/** `lateWorkMs`: the page's late work from its quiet until its trace stop was granted (loadQuiet.ts, LateWork). */
	| { type: 'trace-collected'; id: number; lateWorkMs?: number }
	| { type: 'benchmark-measured'; id: number; index: number }
	| { type: 'trace-end'; id: number; window: TraceWindow }
	| { type: 'capture'; id: number; capture: NavigationCapture }
	| { type: 'result'; id: number; lhr: LhrLike }
	| { type: 'error'; id: number; message: string };

/** The parts of a Lighthouse result (LHR) the engine reads; the rest is carried as is. */
export interface LhrLike {
	lighthouseVersion: string;
	requestedUrl?: string;
	finalDisplayedUrl?: string;
	mainDocumentUrl?: string;
	fetchTime: string;
	runtimeError?: { code: string; message: string };
	runWarnings: string[];
	categories: Record<
		string,
		{ score: number | null; auditRefs: { id: string; weight: number; group?: string; acronym?: string }[] }
	>;
	audits: Record<string, LhrAudit>;
	timing?: { total: number };
	/** Lighthouse's measure of this machine's speed while it ran (higher is faster); see summarize.ts. */
	environment?: { benchmarkIndex?: number };
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
