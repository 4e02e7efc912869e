/** Lighthouse core metrics: labels, values with units, and changes. Pure: no `vscode`, no DOM. */
import type { CoreMetrics } from '../protocol';

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
export function formatMetricDelta(
	metric: keyof CoreMetrics,
	now: number | undefined,
	before: number | undefined,
): { text: string; better?: boolean } {
	if (now === undefined || before === undefined) return { text: '' };
	const d = now - before;
	if (METRIC_INFO[metric].unit === 'unitless' ? Math.abs(d) < 0.0005 : Math.abs(d) < 1) return { text: '±0' };
	const magnitude =
		METRIC_INFO[metric].unit === 'unitless' ? Math.abs(d).toFixed(3) : formatMetric(metric, Math.abs(d));
	return { text: `${d > 0 ? '+' : '−'}${magnitude}`, better: d < 0 };
}
