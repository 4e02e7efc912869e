/** The core metrics table, per form factor, with the change since the previous audit. */
import { formatMetric, formatMetricDelta, metricLabel, METRICS } from '../../format/metrics';
import { FORM_FACTOR_LABEL } from '../../format/scores';
import { fill, h } from '../dom';
import type { PanelState } from '../protocol';
import { formFactorsOf, lighthouse } from './panelState';
import { heading } from './section';

export function renderMetrics(el: HTMLElement, s: PanelState): void {
	const ffs = formFactorsOf(s).filter((ff) => lighthouse(s, ff));
	if (!ffs.length) {
		fill(el);
		return;
	}
	const head = h('tr', {}, h('th', {}, 'Metric'), ...ffs.map((ff) => h('th', {}, FORM_FACTOR_LABEL[ff])));
	const rows = METRICS.map((m) =>
		h(
			'tr',
			{ attrs: { 'data-metric': m } },
			h('th', { attrs: { scope: 'row' } }, metricLabel(m)),
			...ffs.map((ff) => {
				const now = lighthouse(s, ff)?.metrics[m];
				const before = s.previous ? lighthouse(s, ff, s.previous.stages)?.metrics[m] : undefined;
				const d = formatMetricDelta(m, now, before);
				return h(
					'td',
					{},
					formatMetric(m, now),
					d.text
						? h('span', { class: `delta ${d.better === undefined ? '' : d.better ? 'up' : 'down'}` }, ` ${d.text}`)
						: null,
				);
			}),
		),
	);
	fill(el, heading('Core metrics'), h('table', { class: 'metrics' }, h('thead', {}, head), h('tbody', {}, ...rows)));
}
