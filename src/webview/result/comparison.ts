/** The scores beside those of the previous audit of the same URL. */
import { CATEGORY_LABEL, FORM_FACTOR_LABEL, formatDelta, scoreDelta, toPercent } from '../../format/scores';
import { CATEGORIES } from '../../protocol/options';
import { type Child, fill, h } from '../dom';
import type { PanelState } from '../protocol';
import { crossMajor, formFactorsOf, lighthouse, lighthouseVersion } from './panelState';
import { heading } from './section';

export function renderComparison(el: HTMLElement, s: PanelState): void {
	const prev = s.previous;
	if (!prev || s.status === 'running') {
		fill(el);
		return;
	}
	const rows: Child[] = [];
	for (const ff of formFactorsOf(s)) {
		const now = lighthouse(s, ff);
		const before = lighthouse(s, ff, prev.stages);
		if (!now || !before) continue;
		for (const c of CATEGORIES) {
			const d = scoreDelta(now.scores[c], before.scores[c]);
			rows.push(
				h(
					'tr',
					{},
					h('th', { attrs: { scope: 'row' } }, `${CATEGORY_LABEL[c]} (${FORM_FACTOR_LABEL[ff]})`),
					h('td', {}, String(toPercent(before.scores[c]) ?? '–')),
					h('td', {}, String(toPercent(now.scores[c]) ?? '–')),
					h('td', { class: `delta ${d === undefined || d === 0 ? '' : d > 0 ? 'up' : 'down'}` }, formatDelta(d)),
				),
			);
		}
	}
	const before = lighthouseVersion(s, prev.stages);
	const note = crossMajor(s);
	fill(
		el,
		heading('Compared with the previous audit'),
		h(
			'p',
			{ class: 'meta' },
			`Previous audit: ${new Date(prev.requestedAt).toLocaleString()}${before ? ` (Lighthouse ${before})` : ''}`,
		),
		note
			? h(
					'p',
					{ class: 'banner cross-major', attrs: { role: 'note', 'data-testid': 'comparison-cross-major' } },
					`${note}: Lighthouse changed its audits and scoring between these two.`,
				)
			: null,
		rows.length
			? h(
					'table',
					{ class: 'comparison' },
					h(
						'thead',
						{},
						h('tr', {}, h('th', {}, ''), h('th', {}, 'Before'), h('th', {}, 'Now'), h('th', {}, 'Change')),
					),
					h('tbody', {}, ...rows),
				)
			: h('p', {}, 'No scores to compare.'),
	);
}
