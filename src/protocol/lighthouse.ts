/** What one Lighthouse run leaves in a result: scores, metrics, failing audits, insights. */
import type { Category, FormFactor } from './options';

export interface CoreMetrics {
	/** Milliseconds unless noted; undefined when Lighthouse did not measure it. */
	fcp?: number;
	lcp?: number;
	tbt?: number;
	/** Unitless. */
	cls?: number;
	speedIndex?: number;
	tti?: number;
}

export interface FailingAudit {
	id: string;
	title: string;
	score: number | null;
	displayValue?: string;
	/** Categories this audit belongs to. */
	categories: Category[];
}

/** Metrics an insight's savings are estimated on, by Lighthouse's acronyms (ms, CLS unitless). */
export type InsightMetric = 'FCP' | 'LCP' | 'TBT' | 'CLS' | 'INP';

/** One row of an insight: a resource, an element, a check or a part of a breakdown. */
export interface InsightItem {
	/**
	 * What the row is about: a URL (without the page's own origin), an element's selector, or Lighthouse's label.
	 * Shortened.
	 */
	label: string;
	/** Estimated time this row wastes (e.g. a render-blocking request). */
	wastedMs?: number;
	/** Estimated bytes this row wastes (e.g. an oversized image). */
	wastedBytes?: number;
	/** A time the row measures that is not a saving (a part of the LCP breakdown, a request chain's end). */
	ms?: number;
	/** For checklists (document latency, LCP discovery): whether the check passed. */
	passed?: boolean;
	/** A count the row measures, for statistics tables (DOM size: its elements, depth, most children). */
	count?: number;
}

/**
 * A performance insight (Lighthouse 13) or opportunity (Lighthouse 12: an audit with `opportunity`
 * details) that did not pass, with what fixing it is estimated to save.
 */
export interface Insight {
	/** The Lighthouse audit id, e.g. `render-blocking-insight` (13) or `render-blocking-resources` (12). */
	id: string;
	title: string;
	/** 0..1; null when Lighthouse gives it no score (informative, e.g. the LCP breakdown). */
	score: number | null;
	/** Lighthouse's own summary, e.g. `Est savings of 760 ms`. */
	displayValue?: string;
	/** Estimated savings per metric (ms; CLS unitless); only metrics with a saving above 0. */
	metricSavings?: Partial<Record<InsightMetric, number>>;
	/** Estimated time saved overall (Lighthouse 12's `overallSavingsMs`). */
	wastedMs?: number;
	/** Estimated bytes saved overall. */
	wastedBytes?: number;
	/** The first rows (at most 5), in Lighthouse's order. */
	items: InsightItem[];
	/** How many rows Lighthouse listed in all. */
	itemCount: number;
}

/** The summary of one form factor's Lighthouse run (the median one when runs > 1). */
export interface LighthouseRun {
	formFactor: FormFactor;
	lighthouseVersion: string;
	finalUrl: string;
	fetchTime: string;
	/** Category scores 0..1, null when Lighthouse could not score it. */
	scores: Partial<Record<Category, number | null>>;
	metrics: CoreMetrics;
	failingAudits: FailingAudit[];
	/**
	 * Performance insights and opportunities that did not pass, worst first. Absent in summaries made before
	 * they were kept (the history fills them in from the stored report when it has one).
	 */
	insights?: Insight[];
	/** Lighthouse's own warnings (e.g. a redirect, or a page that loaded slowly). */
	runWarnings: string[];
	/** Performance score of every run when runs > 1, in run order. */
	performanceScores: number[];
	/** Milliseconds Lighthouse itself took (the kept run). */
	lighthouseMs: number;
	/**
	 * Lighthouse's benchmarkIndex of the kept run: how fast this machine ran a fixed task just before it (higher is
	 * faster). Absent in results made before it was recorded.
	 */
	benchmarkIndex?: number;
	/** The CPU while the kept run's page load was traced (Linux; absent elsewhere and in older results). */
	traceCpu?: TraceCpu;
	/**
	 * The page load was traced under contention (see TraceCpu): its performance score may be lower than on a quiet
	 * machine.
	 */
	contention?: boolean;
}

/** The CPU while a page load was under trace, measured by the engine from /proc. */
export interface TraceCpu {
	/**
	 * Time the page's main thread waited for a CPU while ready to run, per unit of time it ran (for the record:
	 * short-lived pages wait relatively long for small absolute times even on a quiet machine).
	 */
	waitRatio: number;
	/** Cores' worth of CPU other work (other runs, other programs) used meanwhile. */
	besideCores: number;
	/** The machine's cores. */
	cores: number;
}
