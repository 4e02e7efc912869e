/** Problems the banner does not list: errors while no banner shows (running, or no audit took place), skips. */
import { explainError } from '../../format/errors';
import { resultBanner } from '../../format/status';
import type { StageName, StageOutcome } from '../../protocol';
import { type Child, fill, h } from '../dom';
import type { PanelState } from '../protocol';
import { STAGE_TITLES } from './panelState';
import { lines } from './section';

export function renderErrors(el: HTMLElement, s: PanelState): void {
	const items: Child[] = [];
	// Once a result is in, the banner lists what failed; the list below keeps the rest (skips, rejections).
	const banner = s.result && s.status !== 'running' ? resultBanner({ ...s.result, stages: s.stages }) : undefined;
	if (s.error && !banner)
		items.push(h('li', { class: 'error' }, h('strong', {}, 'Audit: '), ...lines(explainError(s.error, s.devServer))));
	for (const [name, o] of Object.entries(s.stages) as [StageName, StageOutcome<unknown>][]) {
		if (o.status === 'error' && !banner)
			items.push(
				h(
					'li',
					{ class: 'error' },
					h('strong', {}, `${STAGE_TITLES[name]}: `),
					...lines(explainError(o.error, s.devServer)),
				),
			);
		else if (o.status === 'skipped' && name !== 'crux' && name !== 'ai')
			items.push(h('li', { class: 'skipped' }, h('strong', {}, `${STAGE_TITLES[name]} skipped: `), o.reason));
	}
	fill(el, items.length ? h('ul', { class: 'problems', attrs: { 'data-testid': 'problems' } }, ...items) : null);
}
