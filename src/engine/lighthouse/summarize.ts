import type { Category, CoreMetrics, ErrorCode, FailingAudit, FormFactor, LighthouseRun } from '../../protocol';
import { CATEGORIES } from '../../protocol';
import { AuditError } from '../errors';
import { summarizeInsights } from './insights';
import type { LhrLike } from './workerProtocol';

const METRIC_AUDITS: Record<keyof CoreMetrics, string> = {
	fcp: 'first-contentful-paint',
	lcp: 'largest-contentful-paint',
	tbt: 'total-blocking-time',
	cls: 'cumulative-layout-shift',
	speedIndex: 'speed-index',
	tti: 'interactive',
};

/** Lighthouse runtime errors mapped to our codes, with what a person can do about them. */
const RUNTIME_ERRORS: Record<string, { code: ErrorCode; hint: string }> = {
	FAILED_DOCUMENT_REQUEST: { code: 'UNREACHABLE', hint: 'Check that the server is running and the URL is right.' },
	ERRORED_DOCUMENT_REQUEST: {
		code: 'HTTP_ERROR',
		hint: 'The server answered with an error status; fix the page or audit another URL.',
	},
	NOT_HTML: { code: 'NOT_HTML', hint: 'Audit a URL that serves an HTML page.' },
	PAGE_HUNG: { code: 'TIMEOUT', hint: 'The page stopped responding; check it for endless scripts.' },
	NO_FCP: {
		code: 'LIGHTHOUSE_ERROR',
		hint: 'The page painted no content. Check that it renders without errors in a browser (a blank page, or a dev server still compiling).',
	},
};

/** Throws a clear AuditError when Lighthouse could not audit the page at all. */
export function assertNoRuntimeError(lhr: LhrLike, url: string): void {
	const rt = lhr.runtimeError;
	if (!rt) return;
	const known = RUNTIME_ERRORS[rt.code] ?? { code: 'LIGHTHOUSE_ERROR' as const, hint: '' };
	throw new AuditError(
		known.code,
		`Lighthouse could not audit ${url} (${rt.code}): ${rt.message} ${known.hint}`.trim(),
	);
}

/** The compact summary of one Lighthouse result that results and history carry. Pure. */
export function summarizeLhr(lhr: LhrLike, formFactor: FormFactor, performanceScores: number[]): LighthouseRun {
	const scores: Partial<Record<Category, number | null>> = {};
	const categoriesOfAudit = new Map<string, Category[]>();
	for (const cat of CATEGORIES) {
		const c = lhr.categories[cat];
		if (!c) continue;
		scores[cat] = c.score;
		for (const ref of c.auditRefs) {
			const list = categoriesOfAudit.get(ref.id) ?? [];
			list.push(cat);
			categoriesOfAudit.set(ref.id, list);
		}
	}
	const metrics: CoreMetrics = {};
	for (const [key, id] of Object.entries(METRIC_AUDITS) as [keyof CoreMetrics, string][]) {
		const v = lhr.audits[id]?.numericValue;
		if (typeof v === 'number' && Number.isFinite(v)) metrics[key] = v;
	}
	const failingAudits: FailingAudit[] = [];
	for (const audit of Object.values(lhr.audits)) {
		const cats = categoriesOfAudit.get(audit.id);
		if (!cats) continue;
		const scored =
			audit.scoreDisplayMode === 'binary' ||
			audit.scoreDisplayMode === 'numeric' ||
			audit.scoreDisplayMode === 'metricSavings';
		if (!scored || audit.score === null || audit.score >= 0.9) continue;
		failingAudits.push({
			id: audit.id,
			title: audit.title,
			score: audit.score,
			displayValue: audit.displayValue,
			categories: cats,
		});
	}
	failingAudits.sort((a, b) => (a.score ?? 0) - (b.score ?? 0));
	return {
		formFactor,
		lighthouseVersion: lhr.lighthouseVersion,
		finalUrl: lhr.finalDisplayedUrl ?? lhr.mainDocumentUrl ?? lhr.requestedUrl ?? '',
		fetchTime: lhr.fetchTime,
		scores,
		metrics,
		failingAudits,
		insights: summarizeInsights(lhr),
		runWarnings: lhr.runWarnings ?? [],
		performanceScores,
		lighthouseMs: lhr.timing?.total ?? 0,
		benchmarkIndex: lhr.environment?.benchmarkIndex,
	};
}

type MedianRunModule = { computeMedianRun: (runs: LhrLike[]) => LhrLike };
let medianModule: Promise<MedianRunModule> | undefined;

/** Lighthouse's own choice of the median run (by FCP and TTI); one run is returned as is. */
export async function medianRun(runs: LhrLike[]): Promise<LhrLike> {
	if (runs.length === 1) return runs[0];
	medianModule ??= import('lighthouse/core/lib/median-run.js') as Promise<MedianRunModule>;
	return (await medianModule).computeMedianRun(runs);
}
