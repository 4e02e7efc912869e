/** Field data from CrUX. */
import { CRUX_METRICS, cruxPeriod, cruxRows } from '../../format/crux';
import { fill, h } from '../dom';
import type { PanelState } from '../protocol';
import { heading } from './section';

/** CrUX: what real Chrome users saw (p75), for the URL and its origin, or why there is none. */
export function renderField(el: HTMLElement, s: PanelState): void {
	const o = s.stages.crux;
	if (!o || o.status === 'cancelled' || o.status === 'error') {
		fill(el);
		return;
	}
	if (o.status === 'skipped') {
		// Off for this audit or a local host: nothing to say. No key: say how to get field data.
		if (!/API key/i.test(o.reason) || isLocal(s.url)) fill(el);
		else
			fill(
				el,
				heading('Field data (CrUX)'),
				h(
					'p',
					{ class: 'meta' },
					`No field data: ${o.reason}. Run “AuditLens: Set CrUX API Key” to see what real Chrome users experience.`,
				),
			);
		return;
	}
	const d = o.data;
	const rows = cruxRows(d);
	const hasUrl = d.url !== undefined;
	const hasOrigin = d.origin !== undefined;
	fill(
		el,
		heading('Field data (CrUX)'),
		rows.length
			? h(
					'table',
					{ class: 'metrics crux', attrs: { 'data-testid': 'crux' } },
					h(
						'thead',
						{},
						h(
							'tr',
							{},
							h('th', {}, 'p75'),
							hasUrl ? h('th', {}, 'This URL') : null,
							hasOrigin ? h('th', {}, 'Whole origin') : null,
						),
					),
					h(
						'tbody',
						{},
						...rows.map((r) =>
							h(
								'tr',
								{ attrs: { 'data-crux-metric': r.metric } },
								h('th', { attrs: { scope: 'row' } }, r.label),
								hasUrl ? h('td', { class: `crux-${r.urlBand}` }, r.url) : null,
								hasOrigin ? h('td', { class: `crux-${r.originBand}` }, r.origin) : null,
							),
						),
					),
				)
			: null,
		cruxPeriod(d) ? h('p', { class: 'meta' }, cruxPeriod(d)) : null,
		d.note || !rows.length
			? h(
					'p',
					{ class: 'meta', attrs: { 'data-testid': 'crux-note' } },
					d.note ?? 'CrUX has no field data for this page or its origin.',
				)
			: null,
		rows.length && CRUX_METRICS.some((m) => !rows.some((r) => r.metric === m))
			? h('p', { class: 'meta' }, 'Metrics left out have too few samples in CrUX.')
			: null,
	);
}

/** CrUX knows only public pages: a local or private host never has field data. */
function isLocal(url: string): boolean {
	try {
		return (
			/^(localhost|127\.|10\.|192\.168\.|\[::1\]|0\.0\.0\.0)/.test(new URL(url).hostname) ||
			new URL(url).hostname.endsWith('.local')
		);
	} catch {
		return true;
	}
}
