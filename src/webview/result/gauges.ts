/** The score gauges: a gauge per category per form factor, with the change since the previous audit. */
import { CATEGORY_LABEL, FORM_FACTOR_LABEL, formatDelta, scoreBand, scoreDelta, toPercent } from '../../format/scores';
import type { Category, FormFactor, LighthouseRun } from '../../protocol';
import { CATEGORIES, FORM_FACTORS } from '../../protocol/options';
import { fill, h, svg } from '../dom';
import type { PanelState } from '../protocol';
import { crossMajor, formFactorsOf, lighthouse } from './panelState';
import { heading } from './section';

export function renderGauges(el: HTMLElement, s: PanelState): void {
	if (s.status !== 'running' && !FORM_FACTORS.some((ff) => s.stages[`lighthouse-${ff}`])) {
		fill(el);
		return;
	}
	const note = s.status === 'running' ? undefined : crossMajor(s);
	fill(
		el,
		heading('Scores'),
		note
			? h(
					'p',
					{ class: 'meta cross-major', attrs: { 'data-testid': 'cross-major' } },
					`Changes are against the previous audit. ${note}.`,
				)
			: null,
		...formFactorsOf(s).map((ff) =>
			h(
				'div',
				{ class: 'gauge-row', attrs: { 'data-form-factor': ff } },
				h('h3', {}, FORM_FACTOR_LABEL[ff], contentionMark(lighthouse(s, ff))),
				h('div', { class: 'gauges' }, ...CATEGORIES.map((c) => gauge(c, ff, s))),
			),
		),
	);
}

function gauge(category: Category, ff: FormFactor, s: PanelState): HTMLElement {
	const outcome = s.stages[`lighthouse-${ff}`];
	const score = outcome?.status === 'ok' ? outcome.data.scores[category] : undefined;
	const pct = toPercent(score);
	const before = s.previous ? lighthouse(s, ff, s.previous.stages)?.scores[category] : undefined;
	const delta = formatDelta(scoreDelta(score, before));
	const pending = !outcome && s.status === 'running';
	const band = pending ? 'pending' : scoreBand(pct);
	const r = 52;
	const circumference = 2 * Math.PI * r;
	const arc = svg('circle', {
		class: 'arc',
		r,
		cx: 60,
		cy: 60,
		'stroke-dasharray': `${((pct ?? 0) / 100) * circumference} ${circumference}`,
		transform: 'rotate(-90 60 60)',
	});
	const title =
		outcome?.status === 'error' ? outcome.error.message : `${CATEGORY_LABEL[category]} (${FORM_FACTOR_LABEL[ff]})`;
	return h(
		'div',
		{
			class: `gauge band-${band}`,
			title,
			attrs: { 'data-category': category, 'data-form-factor': ff, 'data-score': pct === undefined ? '' : String(pct) },
		},
		svg(
			'svg',
			{ viewBox: '0 0 120 120', 'aria-hidden': 'true' },
			svg('circle', { class: 'track', r, cx: 60, cy: 60 }),
			arc,
		),
		h('span', { class: 'gauge-value' }, pending ? '…' : pct === undefined ? '–' : String(pct)),
		h('span', { class: 'gauge-label' }, CATEGORY_LABEL[category]),
		delta
			? h('span', { class: `gauge-delta ${delta.startsWith('+') ? 'up' : delta.startsWith('−') ? 'down' : ''}` }, delta)
			: null,
	);
}

/** A short mark beside the form factor when its page load was traced while other work held the CPU. */
function contentionMark(run: LighthouseRun | undefined): HTMLElement | null {
	if (!run?.contention) return null;
	const why = run.traceCpu
		? ` While the page loaded, other work used ${run.traceCpu.besideCores.toFixed(1)} of ${run.traceCpu.cores} cores.`
		: '';
	const bench = run.benchmarkIndex ? ` Lighthouse benchmarkIndex ${Math.round(run.benchmarkIndex)}.` : '';
	return h(
		'span',
		{
			class: 'contention',
			title: `Measured under CPU contention: the performance score may read lower than on a quiet machine.${why}${bench} Audit again when the machine is quieter.`,
			attrs: { 'data-testid': 'contention' },
		},
		'under contention',
	);
}
