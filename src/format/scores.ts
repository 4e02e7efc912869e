/**
 * Scores: labels, 0..100 percentages, deltas and one-line summaries, shared by the extension host and
 * the webview. Pure: no `vscode`, no DOM.
 */
import type { AuditResult, Category, FormFactor, HistoryEntry } from '../protocol';
import { CATEGORIES, FORM_FACTORS } from '../protocol/options';
import { crossMajorMark } from './insights';

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

/**
 * Scores line of a history entry (primary form factor), with deltas against an older entry; marked `LH 12→13`
 * when the two were made by different Lighthouse majors.
 */
export function entryLine(entry: HistoryEntry, previous?: HistoryEntry): string {
	if (entry.status === 'failed') return `failed: ${entry.error?.code ?? 'unknown error'}`;
	const ff = primaryFormFactor(entry.scores);
	const partial = entry.status === 'partial' ? `partial${entry.error ? `: ${entry.error.code}` : ''}` : '';
	if (!ff) return partial || 'no scores';
	const line = scoresLine(entry.scores[ff], previous?.scores[ff]);
	const mark = previous ? crossMajorMark(entry.lighthouseVersion, previous.lighthouseVersion) : '';
	const scored = `${ff === 'mobile' ? line : `${line} (${ff})`}${mark ? ` · ${mark}` : ''}`;
	return partial ? `${scored} · ${partial}` : scored;
}
