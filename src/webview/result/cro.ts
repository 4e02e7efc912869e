/** The conversion (CRO) findings, worst first. */
import { FORM_FACTOR_LABEL } from '../../format/scores';
import { fill, h } from '../dom';
import type { PanelState } from '../protocol';
import { heading } from './section';

export function renderCro(el: HTMLElement, s: PanelState): void {
	const o = s.stages.cro;
	if (o?.status !== 'ok') {
		fill(el);
		return;
	}
	const findings = [...o.data.findings].sort((a, b) => rank(a.severity) - rank(b.severity));
	fill(
		el,
		heading('Conversion (CRO) findings', h('span', { class: 'count' }, ` ${findings.length}`)),
		findings.length
			? h(
					'ul',
					{ class: 'findings' },
					...findings.map((f) =>
						h(
							'li',
							{ class: `finding severity-${f.severity}`, attrs: { 'data-rule': f.rule } },
							h(
								'div',
								{ class: 'finding-title' },
								h('span', { class: 'badge' }, f.severity),
								' ',
								f.title,
								f.formFactor ? h('span', { class: 'meta' }, ` (${FORM_FACTOR_LABEL[f.formFactor]})`) : null,
							),
							f.element
								? h('code', { class: 'selector' }, f.element.selector, f.element.text ? ` “${f.element.text}”` : '')
								: null,
							h('p', {}, h('strong', {}, 'Why: '), f.why),
							h('p', {}, h('strong', {}, 'Fix: '), f.fix),
						),
					),
				)
			: h('p', {}, 'No CRO findings.'),
	);
}

function rank(severity: string): number {
	return severity === 'high' ? 0 : severity === 'medium' ? 1 : 2;
}
