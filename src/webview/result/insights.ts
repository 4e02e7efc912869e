/** Lighthouse insights and opportunities, with their estimated savings and first rows. */
import { checkMark, insightSavings, insightsTitle, itemDetail, moreItems } from '../../format/insights';
import { FORM_FACTOR_LABEL, scoreBand, toPercent } from '../../format/scores';
import { type Child, fill, h } from '../dom';
import type { PanelState } from '../protocol';
import { formFactorsOf, lighthouse } from './panelState';
import { heading } from './section';

/** Lighthouse 13's insights (12's opportunities) per form factor, worst first: title, estimated savings, first rows. */
export function renderInsights(el: HTMLElement, s: PanelState): void {
	const blocks: Child[] = [];
	let version: string | undefined;
	for (const ff of formFactorsOf(s)) {
		const run = lighthouse(s, ff);
		// No insights kept (an older summary without its report), or performance was not audited.
		if (!run?.insights || !('performance' in run.scores)) continue;
		version ??= run.lighthouseVersion;
		blocks.push(
			h('h3', {}, `${FORM_FACTOR_LABEL[ff]} (${run.insights.length})`),
			run.insights.length
				? h(
						'ul',
						{ class: 'insights', attrs: { 'data-form-factor': ff } },
						...run.insights.map((i) => {
							const savings = insightSavings(i);
							const more = moreItems(i);
							const pct = toPercent(i.score);
							return h(
								'li',
								{ class: 'insight', attrs: { 'data-insight': i.id } },
								h(
									'div',
									{ class: 'finding-title' },
									h(
										'span',
										{
											class: `badge band-${pct === undefined ? 'none' : scoreBand(pct)}`,
											title: pct === undefined ? 'Informative' : `Score ${pct}`,
										},
										pct === undefined ? 'i' : String(pct),
									),
									' ',
									i.title,
									// Lighthouse's "Est savings of 760 ms" says less than the savings line below; kept when there is
									// none.
									i.displayValue && !savings ? h('span', { class: 'meta' }, ` · ${i.displayValue}`) : null,
								),
								savings
									? h('p', { class: 'savings', attrs: { 'data-testid': 'savings' } }, `Est. savings: ${savings}`)
									: null,
								i.items.length
									? h(
											'ul',
											{ class: 'insight-items' },
											...i.items.map((item) => {
												const detail = itemDetail(item);
												const mark = checkMark(item);
												return h(
													'li',
													{},
													mark
														? h(
																'span',
																{
																	class: item.passed ? 'check-passed' : 'check-failed',
																	title: item.passed ? 'Passed' : 'Failed',
																},
																mark,
															)
														: null,
													h('code', { class: 'selector' }, item.label),
													detail ? h('span', { class: 'meta' }, ` ${detail}`) : null,
												);
											}),
										)
									: null,
								more ? h('p', { class: 'meta' }, more) : null,
							);
						}),
					)
				: h('p', { class: 'meta' }, 'Nothing to improve here.'),
		);
	}
	fill(
		el,
		blocks.length
			? heading(insightsTitle(version), version ? h('span', { class: 'meta' }, ` · Lighthouse ${version}`) : null)
			: null,
		...blocks,
	);
}
