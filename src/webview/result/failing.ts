/** The failing Lighthouse audits not shown as insights, and Lighthouse’s warnings. */
import { otherFailingAudits } from '../../format/insights';
import { FORM_FACTOR_LABEL, scoreBand, toPercent } from '../../format/scores';
import { type Child, fill, h } from '../dom';
import type { PanelState } from '../protocol';
import { formFactorsOf, lighthouse } from './panelState';
import { heading } from './section';

export function renderFailing(el: HTMLElement, s: PanelState): void {
	const blocks: Child[] = [];
	for (const ff of formFactorsOf(s)) {
		const run = lighthouse(s, ff);
		const failing = run ? otherFailingAudits(run) : [];
		if (!run || (!failing.length && !run.runWarnings.length)) continue;
		blocks.push(
			h('h3', {}, `${FORM_FACTOR_LABEL[ff]} (${failing.length})`),
			h(
				'ul',
				{ class: 'failing' },
				...failing.map((a) =>
					h(
						'li',
						{ attrs: { 'data-audit': a.id } },
						h('span', { class: `badge band-${scoreBand(toPercent(a.score))}` }, String(toPercent(a.score) ?? '–')),
						' ',
						a.title,
						a.displayValue ? h('span', { class: 'meta' }, ` · ${a.displayValue}`) : null,
					),
				),
			),
		);
		if (run.runWarnings.length)
			blocks.push(h('ul', { class: 'warnings' }, ...run.runWarnings.map((w) => h('li', {}, w))));
	}
	fill(el, blocks.length ? heading('Failing audits') : null, ...blocks);
}
