/**
 * Formatting of scores, deltas, metrics and errors, shared by the extension host and the webview.
 * Pure: no `vscode`, no DOM.
 */
import type { AuditResult, Category, CoreMetrics, ErrorInfo, FormFactor, HistoryEntry } from '../protocol/types';
import { CATEGORIES, FORM_FACTORS } from '../protocol/types';

export type Scores = Partial<Record<Category, number | null>>;
export type ScoresByFormFactor = Partial<Record<FormFactor, Scores>>;

export const CATEGORY_LABEL: Record<Category, string> = {
	performance: 'Performance',
	accessibility: 'Accessibility',
	'best-practices': 'Best Practices',
	seo: 'SEO',
};

export const CATEGORY_SHORT: Record<Category, string> = {
	performance: 'P',
	accessibility: 'A',
	'best-practices': 'BP',
	seo: 'SEO',
};

export const FORM_FACTOR_LABEL: Record<FormFactor, string> = { mobile: 'Mobile', desktop: 'Desktop' };

/** A 0..1 Lighthouse score as a 0..100 integer; undefined when absent or unscored. */
export function toPercent(score: number | null | undefined): number | undefined {
	return typeof score === 'number' && Number.isFinite(score) ? Math.round(score * 100) : undefined;
}

/** Change in points between two 0..1 scores; undefined when either side is missing. */
export function scoreDelta(now: number | null | undefined, before: number | null | undefined): number | undefined {
	const a = toPercent(now);
	const b = toPercent(before);
	return a === undefined || b === undefined ? undefined : a - b;
}

/** `+3`, `−2`, `±0`, or '' when there is nothing to compare. */
export function formatDelta(delta: number | undefined): string {
	if (delta === undefined) return '';
	if (delta === 0) return '±0';
	return delta > 0 ? `+${delta}` : `−${Math.abs(delta)}`;
}

/** Lighthouse's colour bands: 90+ pass, 50..89 average, below 50 fail. */
export function scoreBand(percent: number | undefined): 'pass' | 'average' | 'fail' | 'none' {
	if (percent === undefined) return 'none';
	return percent >= 90 ? 'pass' : percent >= 50 ? 'average' : 'fail';
}

/** Category scores per form factor of a result, from its Lighthouse stages. */
export function scoresOfResult(result: AuditResult): ScoresByFormFactor {
	const out: ScoresByFormFactor = {};
	for (const ff of FORM_FACTORS) {
		const outcome = result.stages[`lighthouse-${ff}`];
		if (outcome?.status === 'ok') out[ff] = outcome.data.scores;
	}
	return out;
}

/** The form factor to summarise with: mobile first (Lighthouse's default), else whichever has scores. */
export function primaryFormFactor(scores: ScoresByFormFactor): FormFactor | undefined {
	return FORM_FACTORS.find((ff) => scores[ff] && Object.keys(scores[ff]).length > 0);
}

/**
 * One line of scores for labels: `P 92 (+3) · A 100 · BP 96 · SEO 90`. Deltas are shown when a
 * previous set is given and differs.
 */
export function scoresLine(scores: Scores | undefined, previous?: Scores): string {
	if (!scores) return '';
	const parts: string[] = [];
	for (const c of CATEGORIES) {
		const p = toPercent(scores[c]);
		if (p === undefined) continue;
		const d = previous ? scoreDelta(scores[c], previous[c]) : undefined;
		parts.push(d ? `${CATEGORY_SHORT[c]} ${p} (${formatDelta(d)})` : `${CATEGORY_SHORT[c]} ${p}`);
	}
	return parts.join(' · ');
}

/** Scores line of a history entry (primary form factor), with deltas against an older entry. */
export function entryLine(entry: HistoryEntry, previous?: HistoryEntry): string {
	if (entry.error) return `failed: ${entry.error.code}`;
	const ff = primaryFormFactor(entry.scores);
	if (!ff) return 'no scores';
	const line = scoresLine(entry.scores[ff], previous?.scores[ff]);
	return ff === 'mobile' ? line : `${line} (${ff})`;
}

const METRIC_INFO: Record<keyof CoreMetrics, { label: string; unit: 'ms' | 'unitless' }> = {
	fcp: { label: 'First Contentful Paint', unit: 'ms' },
	lcp: { label: 'Largest Contentful Paint', unit: 'ms' },
	tbt: { label: 'Total Blocking Time', unit: 'ms' },
	cls: { label: 'Cumulative Layout Shift', unit: 'unitless' },
	speedIndex: { label: 'Speed Index', unit: 'ms' },
	tti: { label: 'Time to Interactive', unit: 'ms' },
};
export const METRICS = Object.keys(METRIC_INFO) as (keyof CoreMetrics)[];

export function metricLabel(metric: keyof CoreMetrics): string {
	return METRIC_INFO[metric].label;
}

/** `1.2 s`, `180 ms`, `0.031`, or `–` when not measured. */
export function formatMetric(metric: keyof CoreMetrics, value: number | undefined): string {
	if (value === undefined || !Number.isFinite(value)) return '–';
	if (METRIC_INFO[metric].unit === 'unitless') return value.toFixed(3);
	return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

/** Change of a metric; for all core metrics lower is better, so a negative change is an improvement. */
export function formatMetricDelta(metric: keyof CoreMetrics, now: number | undefined, before: number | undefined): { text: string; better?: boolean } {
	if (now === undefined || before === undefined) return { text: '' };
	const d = now - before;
	if (METRIC_INFO[metric].unit === 'unitless' ? Math.abs(d) < 0.0005 : Math.abs(d) < 1) return { text: '±0' };
	const magnitude = METRIC_INFO[metric].unit === 'unitless' ? Math.abs(d).toFixed(3) : formatMetric(metric, Math.abs(d));
	return { text: `${d > 0 ? '+' : '−'}${magnitude}`, better: d < 0 };
}

/**
 * A message a person can act on for an error of an audit or stage. On a development server,
 * Lighthouse's NO_FCP ("the page did not paint any content") usually has a dev-server cause.
 */
export function explainError(error: ErrorInfo, devServer: boolean): string {
	const noFcp = /NO_FCP|did not paint any content/i.test(error.message);
	if (noFcp && devServer) {
		return (
			`${error.message}\n\nThis is common on a development server: the page paints nothing until its ` +
			'unminified bundle has been compiled and loaded (the first request after a restart or a save can take ' +
			'seconds), or the app renders only after a client-side error overlay or a blank loading state. ' +
			'Open the URL in a browser once so the dev server finishes compiling, check the browser console for errors, ' +
			'then save again; if it persists, raise auditlens.auditTimeoutMs or point auditlens.devServerUrl at a page that renders content.'
		);
	}
	if (noFcp) {
		return `${error.message}\n\nLighthouse saw no content painted. Check that the page renders without user interaction and without errors in the browser console.`;
	}
	return error.message;
}

/** The label shown on results of a dev server. */
export const DEV_BUILD_NOTE =
	'Development build: unminified code and dev tooling (hot reload, source maps) make these scores lower than production’s. Compare dev runs with each other, not with production.';
