/**
 * CrUX field data in words: p75 metrics with units and Google's good / needs improvement / poor bands,
 * and the collection period. Pure: no `vscode`, no DOM.
 */
import type { CruxData, CruxMetricSet } from '../protocol';

export type CruxMetric = keyof CruxMetricSet;

/** Core Web Vitals thresholds (web.dev): at or below `good` is good, above `poor` is poor. */
const CRUX_INFO: Record<CruxMetric, { label: string; unit: 'ms' | 'unitless'; good: number; poor: number }> = {
	lcp: { label: 'Largest Contentful Paint', unit: 'ms', good: 2500, poor: 4000 },
	inp: { label: 'Interaction to Next Paint', unit: 'ms', good: 200, poor: 500 },
	cls: { label: 'Cumulative Layout Shift', unit: 'unitless', good: 0.1, poor: 0.25 },
	fcp: { label: 'First Contentful Paint', unit: 'ms', good: 1800, poor: 3000 },
	ttfb: { label: 'Time to First Byte', unit: 'ms', good: 800, poor: 1800 },
};

export const CRUX_METRICS = Object.keys(CRUX_INFO) as CruxMetric[];

export function cruxLabel(metric: CruxMetric): string {
	return CRUX_INFO[metric].label;
}

/** `2.1 s`, `180 ms`, `0.05`, or `–` when CrUX has no value. */
export function formatCrux(metric: CruxMetric, value: number | undefined): string {
	if (value === undefined || !Number.isFinite(value)) return '–';
	if (CRUX_INFO[metric].unit === 'unitless') return value.toFixed(2);
	return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

export function cruxBand(
	metric: CruxMetric,
	value: number | undefined,
): 'good' | 'needs-improvement' | 'poor' | 'none' {
	if (value === undefined || !Number.isFinite(value)) return 'none';
	const { good, poor } = CRUX_INFO[metric];
	return value <= good ? 'good' : value <= poor ? 'needs-improvement' : 'poor';
}

export interface CruxRow {
	metric: CruxMetric;
	label: string;
	url: string;
	origin: string;
	urlBand: ReturnType<typeof cruxBand>;
	originBand: ReturnType<typeof cruxBand>;
}

/** One row per metric with a value for the URL or the origin. */
export function cruxRows(data: CruxData): CruxRow[] {
	return CRUX_METRICS.filter((m) => data.url?.[m] !== undefined || data.origin?.[m] !== undefined).map((m) => ({
		metric: m,
		label: cruxLabel(m),
		url: formatCrux(m, data.url?.[m]),
		origin: formatCrux(m, data.origin?.[m]),
		urlBand: cruxBand(m, data.url?.[m]),
		originBand: cruxBand(m, data.origin?.[m]),
	}));
}

/** Who and when the field data is about, for a line under the table; '' when CrUX gave no period. */
export function cruxPeriod(data: CruxData): string {
	const p = data.collectionPeriod;
	const ff = data.formFactor === 'PHONE' ? 'phones' : data.formFactor === 'DESKTOP' ? 'desktops' : 'all devices';
	if (!p) return '';
	return `Real Chrome users on ${ff}, ${formatDay(p.firstDate)} to ${formatDay(p.lastDate)} (75th percentile).`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-11-16` → `16 Nov 2026`; other text is returned as is. */
function formatDay(iso: string): string {
	const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
	if (!m) return iso;
	return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
}
