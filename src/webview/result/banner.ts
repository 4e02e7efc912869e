/** The banner of a partial or failed result: which stages failed and why. */
import { explainError } from '../../format/errors';
import { resultBanner } from '../../format/status';
import { fill, h } from '../dom';
import type { PanelState } from '../protocol';
import { lines } from './section';

/** Partial and failed results say so first: which stages failed and why (the engine's `status`). */
export function renderBanner(el: HTMLElement, s: PanelState): void {
	const banner = s.result && s.status !== 'running' ? resultBanner({ ...s.result, stages: s.stages }) : undefined;
	if (!banner) {
		fill(el);
		return;
	}
	fill(
		el,
		h(
			'div',
			{
				class: `banner status-${banner.kind}`,
				attrs: {
					role: banner.kind === 'error' ? 'alert' : 'status',
					'data-testid': 'status-banner',
					'data-status': s.result?.status ?? '',
				},
			},
			h('strong', { class: 'banner-title' }, banner.title),
			h(
				'ul',
				{ class: 'banner-problems' },
				...banner.problems.map((p) =>
					h(
						'li',
						{ attrs: { 'data-stage': p.stage } },
						h('strong', {}, `${p.label}: `),
						...lines(explainError({ code: 'INTERNAL', message: p.message }, s.devServer)),
					),
				),
			),
			h('p', { class: 'meta' }, banner.hint),
		),
	);
}
