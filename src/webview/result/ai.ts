/** The AI suggestions, or why there are none. */
import { fill, h } from '../dom';
import type { PanelState } from '../protocol';
import { heading } from './section';

export function renderAi(el: HTMLElement, s: PanelState): void {
	const o = s.stages.ai;
	if (!o) {
		fill(el);
		return;
	}
	if (o.status !== 'ok') {
		fill(
			el,
			heading('AI suggestions'),
			h(
				'p',
				{ class: 'meta' },
				o.status === 'skipped' ? o.reason : o.status === 'error' ? o.error.message : 'Cancelled.',
			),
		);
		return;
	}
	const d = o.data;
	fill(
		el,
		heading('AI suggestions', h('span', { class: 'meta' }, ` ${d.model}`)),
		d.note ? h('p', { class: 'meta' }, d.note) : null,
		h(
			'ul',
			{ class: 'suggestions' },
			...d.suggestions.map((sg) =>
				h(
					'li',
					{ class: 'suggestion' },
					h('div', { class: 'finding-title' }, sg.title),
					h('code', { class: 'selector' }, sg.target),
					h('p', {}, sg.detail),
					h('p', { class: 'meta' }, `Impact ${sg.impact} · effort ${sg.effort}`),
				),
			),
		),
		d.dropped
			? h('p', { class: 'meta' }, `${d.dropped} suggestion(s) named nothing on the page and were dropped.`)
			: null,
	);
}
