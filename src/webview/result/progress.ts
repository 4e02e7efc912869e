/** The stages of a running audit and their states. */
import type { StageName } from '../../protocol';
import { fill, h } from '../dom';
import type { PanelState } from '../protocol';
import { STAGE_TITLES } from './panelState';

export function renderProgress(el: HTMLElement, s: PanelState): void {
	const names = Object.keys(s.progress) as StageName[];
	if (!names.length || s.status !== 'running') {
		fill(el);
		return;
	}
	fill(
		el,
		h(
			'ul',
			{ class: 'stages' },
			...names.map((n) =>
				h(
					'li',
					{ class: `stage state-${s.progress[n] ?? 'queued'}`, attrs: { 'data-stage': n } },
					`${STAGE_TITLES[n]}: ${s.progress[n] ?? ''}`,
				),
			),
		),
	);
}
