/** The viewport and full-page screenshots, the fold marked on the full page. */
import { FORM_FACTOR_LABEL } from '../../format/scores';
import { FORM_FACTORS } from '../../protocol/options';
import { type Child, fill, h } from '../dom';
import type { PanelState } from '../protocol';
import { heading } from './section';

export function renderScreenshots(el: HTMLElement, s: PanelState): void {
	const o = s.stages.capture;
	if (o?.status !== 'ok') {
		fill(el, s.status === 'running' && !o ? h('p', { class: 'meta' }, 'Screenshots are being taken…') : null);
		return;
	}
	const figures: Child[] = [];
	for (const ff of FORM_FACTORS) {
		const shots = o.data.shots[ff];
		if (!shots) continue;
		for (const [kind, shot] of [
			['viewport', shots.viewport],
			['full page', shots.fullPage],
		] as const) {
			const src = s.images[shot.path];
			if (!src) continue;
			const frame = h(
				'div',
				{ class: 'shot-frame' },
				h('img', {
					attrs: {
						src,
						alt: `${FORM_FACTOR_LABEL[ff]} ${kind} screenshot`,
						loading: 'lazy',
						width: String(shot.width),
						height: String(shot.height),
					},
				}),
			);
			if (kind === 'full page' && shot.foldY < shot.height) {
				const fold = h('div', { class: 'fold', title: 'The fold: what shows without scrolling' });
				fold.style.top = `${(shot.foldY / shot.height) * 100}%`;
				frame.appendChild(fold);
			}
			figures.push(
				h(
					'figure',
					{ class: `shot shot-${kind === 'viewport' ? 'viewport' : 'full'}` },
					frame,
					h('figcaption', {}, `${FORM_FACTOR_LABEL[ff]}, ${kind}`),
				),
			);
		}
	}
	fill(el, heading('Screenshots'), h('div', { class: 'shots' }, ...figures));
}
