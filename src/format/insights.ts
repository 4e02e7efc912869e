/**
 * Performance insights (Lighthouse 13) and opportunities (Lighthouse 12), and which Lighthouse made a
 * result: the wording the panel and the CLI share. Pure: no `vscode`, no DOM. Labels come from the page
 * (URLs, selectors): the caller shows them as text (webview) or through safeText (terminal).
 */
import type { FailingAudit, Insight, InsightItem, InsightMetric, LighthouseRun, StageOutcomes } from '../protocol';
import { FORM_FACTORS } from '../protocol/options';

const METRIC_ORDER: readonly InsightMetric[] = ['FCP', 'LCP', 'TBT', 'CLS', 'INP'];

/** `180 ms`, `1.2 s`. */
export function formatMs(ms: number): string {
	return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** Sizes as Lighthouse writes them (binary units): `640 B`, `23 KiB`, `4.5 MiB`. */
export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${Math.round(bytes)} B`;
	if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KiB`;
	return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * What fixing an insight is estimated to save: `FCP 750 ms · LCP 1.2 s · 4.5 MiB`, or '' when Lighthouse gives no
 * estimate.
 */
export function insightSavings(insight: Insight): string {
	const parts: string[] = [];
	for (const m of METRIC_ORDER) {
		const v = insight.metricSavings?.[m];
		if (v !== undefined) parts.push(`${m} ${m === 'CLS' ? v.toFixed(3) : formatMs(v)}`);
	}
	if (parts.length === 0 && insight.wastedMs !== undefined) parts.push(formatMs(insight.wastedMs));
	if (insight.wastedBytes !== undefined) parts.push(formatBytes(insight.wastedBytes));
	return parts.join(' · ');
}

/**
 * What a row says beside its label: its savings (`304 ms`, `4.5 MiB`), a time or a count it measures; '' for a check.
 */
export function itemDetail(item: InsightItem): string {
	const parts: string[] = [];
	if (item.wastedMs !== undefined) parts.push(formatMs(item.wastedMs));
	if (item.wastedBytes !== undefined) parts.push(formatBytes(item.wastedBytes));
	if (item.ms !== undefined) parts.push(formatMs(item.ms));
	if (item.count !== undefined) parts.push(item.count.toLocaleString('en-US'));
	return parts.join(' · ');
}

/** A checklist row's outcome as a mark: `✓` passed, `✗` failed; '' for other rows. */
export function checkMark(item: InsightItem): string {
	return item.passed === undefined ? '' : item.passed ? '✓' : '✗';
}

/** Rows Lighthouse listed beyond those kept: `+3 more in the Lighthouse report`, or ''. */
export function moreItems(insight: Insight): string {
	const more = insight.itemCount - insight.items.length;
	return more > 0 ? `+${more} more in the Lighthouse report` : '';
}

/** The major version of a Lighthouse version string (`13.5.0` → 13), undefined when it has none. */
export function lighthouseMajor(version: string | undefined): number | undefined {
	const m = /^(\d+)\./.exec(version ?? '');
	return m ? Number(m[1]) : undefined;
}

/**
 * The Lighthouse that made a result: its runs' own version, else `fallback` (the engine's, while no run has finished).
 */
export function runsLighthouseVersion(stages: StageOutcomes, fallback?: string): string | undefined {
	for (const ff of FORM_FACTORS) {
		const outcome = stages[`lighthouse-${ff}`];
		if (outcome?.status === 'ok' && outcome.data.lighthouseVersion) return outcome.data.lighthouseVersion;
	}
	return fallback;
}

/** Lighthouse 13 calls them insights; Lighthouse 12 and earlier, opportunities. */
export function insightsTitle(version: string | undefined): 'Insights' | 'Opportunities' {
	const major = lighthouseMajor(version);
	return major !== undefined && major < 13 ? 'Opportunities' : 'Insights';
}

/**
 * When two results come from different Lighthouse majors: `Lighthouse 12 → 13: scores not directly comparable`
 * (audits and scoring change between majors). Undefined when they are of one major or a version is unknown.
 */
export function crossMajorNote(now: string | undefined, before: string | undefined): string | undefined {
	const a = lighthouseMajor(before);
	const b = lighthouseMajor(now);
	return a === undefined || b === undefined || a === b
		? undefined
		: `Lighthouse ${a} → ${b}: scores not directly comparable`;
}

/** The short form of `crossMajorNote` for labels: `LH 12→13`, or ''. */
export function crossMajorMark(now: string | undefined, before: string | undefined): string {
	return crossMajorNote(now, before) ? `LH ${lighthouseMajor(before)}→${lighthouseMajor(now)}` : '';
}

/** The failing audits a run lists besides its insights (an insight that fails is shown once, as an insight). */
export function otherFailingAudits(run: LighthouseRun): FailingAudit[] {
	const shown = new Set((run.insights ?? []).map((i) => i.id));
	return run.failingAudits.filter((a) => !shown.has(a.id));
}
