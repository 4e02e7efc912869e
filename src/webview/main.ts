/**
 * The result panel, inside the webview. The page is built once as sections; each message from the
 * host re-renders only the sections it affects. All page-derived text goes through textContent (dom.ts).
 */
import { CRUX_METRICS, cruxPeriod, cruxRows } from '../format/crux';
import { authLabel } from '../format/auth';
import { DEV_BUILD_NOTE, explainError } from '../format/errors';
import {
	checkMark,
	crossMajorNote,
	insightSavings,
	runsLighthouseVersion,
	insightsTitle,
	itemDetail,
	moreItems,
	otherFailingAudits,
} from '../format/insights';
import { formatMetric, formatMetricDelta, METRICS, metricLabel } from '../format/metrics';
import { CATEGORY_LABEL, FORM_FACTOR_LABEL, formatDelta, scoreBand, scoreDelta, toPercent } from '../format/scores';
import { cacheLabel, resultBanner } from '../format/status';
import type {
	Category,
	FormFactor,
	LighthouseRun,
	ProgressState,
	StageName,
	StageOutcome,
	StageOutcomes,
} from '../protocol';
import { CATEGORIES, FORM_FACTORS } from '../protocol/options';
import { fill, h, layoutSections, svg, type Child } from './dom';
import {
	DoneMessage,
	ExportCommand,
	InitMessage,
	OpenReportCommand,
	ProgressMessage,
	ReadyCommand,
	RerunCommand,
	StagesMessage,
	type IpcMessage,
	type PanelState,
	type PersistedState,
} from './protocol';

interface VsCodeApi {
	postMessage(msg: IpcMessage<unknown>): void;
	getState(): PersistedState | undefined;
	setState(state: PersistedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

const STAGE_TITLES: Record<StageName, string> = {
	'lighthouse-mobile': 'Lighthouse mobile',
	'lighthouse-desktop': 'Lighthouse desktop',
	capture: 'Screenshots',
	cro: 'CRO',
	ai: 'AI',
	crux: 'CrUX',
};

type SectionName =
	| 'header'
	| 'banner'
	| 'progress'
	| 'errors'
	| 'gauges'
	| 'metrics'
	| 'insights'
	| 'field'
	| 'comparison'
	| 'screenshots'
	| 'cro'
	| 'ai'
	| 'failing';
const SECTION_ORDER: SectionName[] = [
	'header',
	'banner',
	'progress',
	'errors',
	'gauges',
	'metrics',
	'insights',
	'field',
	'comparison',
	'screenshots',
	'cro',
	'ai',
	'failing',
];

let state: PanelState | undefined;
const app = document.getElementById('app') as HTMLElement;
const sections = {} as Record<SectionName, HTMLElement>;

const RENDER: Record<SectionName, (s: PanelState) => void> = {
	header: renderHeader,
	banner: renderBanner,
	progress: renderProgress,
	errors: renderErrors,
	gauges: renderGauges,
	metrics: renderMetrics,
	insights: renderInsights,
	field: renderField,
	comparison: renderComparison,
	screenshots: renderScreenshots,
	cro: renderCro,
	ai: renderAi,
	failing: renderFailing,
};

/** Sections that show a stage's data. */
function sectionsFor(stage: StageName): SectionName[] {
	switch (stage) {
		case 'lighthouse-mobile':
		case 'lighthouse-desktop':
			return ['gauges', 'metrics', 'insights', 'comparison', 'failing', 'errors', 'progress', 'header'];
		case 'capture':
			return ['screenshots', 'errors', 'progress'];
		case 'cro':
			return ['cro', 'errors', 'progress'];
		case 'ai':
			return ['ai', 'errors', 'progress'];
		case 'crux':
			return ['field', 'errors', 'progress'];
	}
}

function render(names: Iterable<SectionName>): void {
	if (!state) return;
	for (const name of new Set(names)) RENDER[name](state);
}

window.addEventListener('message', (ev: MessageEvent<unknown>) => {
	const msg = ev.data;
	if (InitMessage.is(msg)) {
		state = msg.params.state;
		layoutSections(app, SECTION_ORDER, sections);
		render(SECTION_ORDER);
		persist();
	} else if (!state) {
		return;
	} else if (StagesMessage.is(msg)) {
		Object.assign(state.stages, msg.params.stages);
		Object.assign(state.images, msg.params.images);
		for (const k of Object.keys(msg.params.stages) as StageName[])
			state.progress[k] = outcomeState(msg.params.stages[k]);
		render((Object.keys(msg.params.stages) as StageName[]).flatMap(sectionsFor));
	} else if (ProgressMessage.is(msg)) {
		state.progress[msg.params.stage] = msg.params.state;
		render(['progress']);
	} else if (DoneMessage.is(msg)) {
		const p = msg.params;
		Object.assign(state.stages, p.stages);
		Object.assign(state.images, p.images);
		state.result = p.result ?? state.result;
		state.resultId = p.result?.id ?? state.resultId;
		state.previous = p.previous;
		state.error = p.error;
		state.status = p.error ? 'failed' : 'done';
		if (p.result) state.devServer = p.result.options.devServer;
		render(SECTION_ORDER);
		persist();
	}
});

/** What a reload restores: this panel's result, or while a new audit of the same URL runs, the last one. */
function persist(): void {
	if (!state) return;
	const old = vscode.getState();
	vscode.setState({
		url: state.url,
		resultId: state.resultId ?? (old?.url === state.url ? old.resultId : undefined),
		followsLatest: state.followsLatest,
	});
}

function outcomeState(o: StageOutcome<unknown> | undefined): ProgressState {
	switch (o?.status) {
		case 'ok':
			return 'done';
		case 'error':
			return 'error';
		case 'skipped':
			return 'skipped';
		case 'cancelled':
			return 'cancelled';
		default:
			return 'started';
	}
}

function lighthouse(s: PanelState, ff: FormFactor, stages: StageOutcomes = s.stages): LighthouseRun | undefined {
	const o = stages[`lighthouse-${ff}`];
	return o?.status === 'ok' ? o.data : undefined;
}

function formFactorsOf(s: PanelState): FormFactor[] {
	const wanted = s.result?.options.formFactors;
	if (wanted?.length) return wanted;
	const seen = FORM_FACTORS.filter((ff) => s.stages[`lighthouse-${ff}`] || s.progress[`lighthouse-${ff}`]);
	return seen.length ? seen : [...FORM_FACTORS];
}

/** The Lighthouse that made this result: the runs' own version (the engine's while none has finished). */
function lighthouseVersion(s: PanelState, stages: StageOutcomes = s.stages): string | undefined {
	return runsLighthouseVersion(stages, stages === s.stages ? s.result?.lighthouseVersion : undefined);
}

/** `Lighthouse 12 → 13: scores not directly comparable` when the previous audit was made by another major. */
function crossMajor(s: PanelState): string | undefined {
	return s.previous ? crossMajorNote(lighthouseVersion(s), lighthouseVersion(s, s.previous.stages)) : undefined;
}

function heading(text: string, ...rest: Child[]): HTMLElement {
	return h('h2', {}, text, ...rest);
}

function renderHeader(s: PanelState): void {
	const when = s.result ? new Date(s.result.requestedAt).toLocaleString() : '';
	const buttons: Child[] = [];
	if (s.resultId) {
		for (const ff of formFactorsOf(s)) {
			if (!lighthouse(s, ff)) continue;
			buttons.push(
				h(
					'button',
					{
						attrs: { type: 'button', 'data-action': `report-${ff}` },
						on: { click: () => vscode.postMessage(OpenReportCommand.create({ formFactor: ff })) },
					},
					`Lighthouse report (${FORM_FACTOR_LABEL[ff]})`,
				),
			);
		}
		buttons.push(
			h(
				'button',
				{
					class: 'secondary',
					attrs: { type: 'button', 'data-action': 'export' },
					on: { click: () => vscode.postMessage(ExportCommand.create({})) },
				},
				'Export…',
			),
		);
	}
	if (s.status !== 'running') {
		// A cached result is the one place where a fresh run is what a person most likely wants next.
		const fresh = s.result?.fromCache
			? { class: '', title: 'Run the audit again now, bypassing the cache' }
			: { class: 'secondary', title: 'Run the audit again' };
		const rerun = h(
			'button',
			{
				class: fresh.class,
				title: fresh.title,
				attrs: { type: 'button', 'data-action': 'rerun' },
				on: { click: () => vscode.postMessage(RerunCommand.create({})) },
			},
			'Re-run',
		);
		if (s.result?.fromCache) buttons.unshift(rerun);
		else buttons.push(rerun);
	}
	if (s.resultId) sections.header.setAttribute('data-result-id', s.resultId);
	else sections.header.removeAttribute('data-result-id');
	fill(
		sections.header,
		h('h1', { class: 'url' }, s.url || 'Audit'),
		h(
			'p',
			{ class: 'meta' },
			s.status === 'running'
				? 'Auditing…'
				: s.status === 'failed'
					? s.error?.code === 'CANCELLED'
						? 'Audit cancelled'
						: 'Audit failed'
					: `Audited ${when}`,
			s.result?.status === 'partial' ? ' · partial' : '',
			s.result ? ` · ${(s.result.durationMs / 1000).toFixed(1)} s` : '',
			s.result?.fromCache
				? h(
						'span',
						{ class: 'cache-age', attrs: { 'data-testid': 'cache-age' } },
						` · ${cacheLabel(s.result, Date.now())}`,
					)
				: null,
			lighthouseVersion(s)
				? h('span', { attrs: { 'data-testid': 'lighthouse-version' } }, ` · Lighthouse ${lighthouseVersion(s)}`)
				: null,
			// A signed-in audit says so (header and cookie names, never values): its scores are of the signed-in page.
			s.result?.auth
				? h('span', { class: 'signed-in', attrs: { 'data-testid': 'signed-in' } }, ` · ${authLabel(s.result.auth)}`)
				: null,
		),
		s.devServer
			? h('p', { class: 'banner dev-build', attrs: { role: 'note', 'data-testid': 'dev-build' } }, DEV_BUILD_NOTE)
			: null,
		buttons.length ? h('div', { class: 'actions' }, ...buttons) : null,
	);
}

function renderProgress(s: PanelState): void {
	const names = Object.keys(s.progress) as StageName[];
	if (!names.length || s.status !== 'running') {
		fill(sections.progress);
		return;
	}
	fill(
		sections.progress,
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

/** Partial and failed results say so first: which stages failed and why (the engine's `status`). */
function renderBanner(s: PanelState): void {
	const banner = s.result && s.status !== 'running' ? resultBanner({ ...s.result, stages: s.stages }) : undefined;
	if (!banner) {
		fill(sections.banner);
		return;
	}
	fill(
		sections.banner,
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

function renderErrors(s: PanelState): void {
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
	fill(
		sections.errors,
		items.length ? h('ul', { class: 'problems', attrs: { 'data-testid': 'problems' } }, ...items) : null,
	);
}

function lines(text: string): Child[] {
	return text.split('\n\n').flatMap((t, i) => (i ? [h('br'), h('br'), t] : [t]));
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

function renderGauges(s: PanelState): void {
	if (s.status !== 'running' && !FORM_FACTORS.some((ff) => s.stages[`lighthouse-${ff}`])) {
		fill(sections.gauges);
		return;
	}
	const note = s.status === 'running' ? undefined : crossMajor(s);
	fill(
		sections.gauges,
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

function renderMetrics(s: PanelState): void {
	const ffs = formFactorsOf(s).filter((ff) => lighthouse(s, ff));
	if (!ffs.length) {
		fill(sections.metrics);
		return;
	}
	const head = h('tr', {}, h('th', {}, 'Metric'), ...ffs.map((ff) => h('th', {}, FORM_FACTOR_LABEL[ff])));
	const rows = METRICS.map((m) =>
		h(
			'tr',
			{ attrs: { 'data-metric': m } },
			h('th', { attrs: { scope: 'row' } }, metricLabel(m)),
			...ffs.map((ff) => {
				const now = lighthouse(s, ff)?.metrics[m];
				const before = s.previous ? lighthouse(s, ff, s.previous.stages)?.metrics[m] : undefined;
				const d = formatMetricDelta(m, now, before);
				return h(
					'td',
					{},
					formatMetric(m, now),
					d.text
						? h('span', { class: `delta ${d.better === undefined ? '' : d.better ? 'up' : 'down'}` }, ` ${d.text}`)
						: null,
				);
			}),
		),
	);
	fill(
		sections.metrics,
		heading('Core metrics'),
		h('table', { class: 'metrics' }, h('thead', {}, head), h('tbody', {}, ...rows)),
	);
}

/** CrUX: what real Chrome users saw (p75), for the URL and its origin, or why there is none. */
function renderField(s: PanelState): void {
	const o = s.stages.crux;
	if (!o || o.status === 'cancelled' || o.status === 'error') {
		fill(sections.field);
		return;
	}
	if (o.status === 'skipped') {
		// Off for this audit or a local host: nothing to say. No key: say how to get field data.
		if (!/API key/i.test(o.reason) || isLocal(s.url)) fill(sections.field);
		else
			fill(
				sections.field,
				heading('Field data (CrUX)'),
				h(
					'p',
					{ class: 'meta' },
					`No field data: ${o.reason}. Run “AuditLens: Set CrUX API Key” to see what real Chrome users experience.`,
				),
			);
		return;
	}
	const d = o.data;
	const rows = cruxRows(d);
	const hasUrl = d.url !== undefined;
	const hasOrigin = d.origin !== undefined;
	fill(
		sections.field,
		heading('Field data (CrUX)'),
		rows.length
			? h(
					'table',
					{ class: 'metrics crux', attrs: { 'data-testid': 'crux' } },
					h(
						'thead',
						{},
						h(
							'tr',
							{},
							h('th', {}, 'p75'),
							hasUrl ? h('th', {}, 'This URL') : null,
							hasOrigin ? h('th', {}, 'Whole origin') : null,
						),
					),
					h(
						'tbody',
						{},
						...rows.map((r) =>
							h(
								'tr',
								{ attrs: { 'data-crux-metric': r.metric } },
								h('th', { attrs: { scope: 'row' } }, r.label),
								hasUrl ? h('td', { class: `crux-${r.urlBand}` }, r.url) : null,
								hasOrigin ? h('td', { class: `crux-${r.originBand}` }, r.origin) : null,
							),
						),
					),
				)
			: null,
		cruxPeriod(d) ? h('p', { class: 'meta' }, cruxPeriod(d)) : null,
		d.note || !rows.length
			? h(
					'p',
					{ class: 'meta', attrs: { 'data-testid': 'crux-note' } },
					d.note ?? 'CrUX has no field data for this page or its origin.',
				)
			: null,
		rows.length && CRUX_METRICS.some((m) => !rows.some((r) => r.metric === m))
			? h('p', { class: 'meta' }, 'Metrics left out have too few samples in CrUX.')
			: null,
	);
}

/** CrUX knows only public pages: a local or private host never has field data. */
function isLocal(url: string): boolean {
	try {
		return (
			/^(localhost|127\.|10\.|192\.168\.|\[::1\]|0\.0\.0\.0)/.test(new URL(url).hostname) ||
			new URL(url).hostname.endsWith('.local')
		);
	} catch {
		return true;
	}
}

function renderComparison(s: PanelState): void {
	const prev = s.previous;
	if (!prev || s.status === 'running') {
		fill(sections.comparison);
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
		sections.comparison,
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

function renderScreenshots(s: PanelState): void {
	const o = s.stages.capture;
	if (o?.status !== 'ok') {
		fill(
			sections.screenshots,
			s.status === 'running' && !o ? h('p', { class: 'meta' }, 'Screenshots are being taken…') : null,
		);
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
	fill(sections.screenshots, heading('Screenshots'), h('div', { class: 'shots' }, ...figures));
}

function renderCro(s: PanelState): void {
	const o = s.stages.cro;
	if (o?.status !== 'ok') {
		fill(sections.cro);
		return;
	}
	const findings = [...o.data.findings].sort((a, b) => rank(a.severity) - rank(b.severity));
	fill(
		sections.cro,
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

function renderAi(s: PanelState): void {
	const o = s.stages.ai;
	if (!o) {
		fill(sections.ai);
		return;
	}
	if (o.status !== 'ok') {
		fill(
			sections.ai,
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
		sections.ai,
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

function renderFailing(s: PanelState): void {
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
	fill(sections.failing, blocks.length ? heading('Failing audits') : null, ...blocks);
}

/** Lighthouse 13's insights (12's opportunities) per form factor, worst first: title, estimated savings, first rows. */
function renderInsights(s: PanelState): void {
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
									// Lighthouse's "Est savings of 760 ms" says less than the savings line below; kept when there is none.
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
		sections.insights,
		blocks.length
			? heading(insightsTitle(version), version ? h('span', { class: 'meta' }, ` · Lighthouse ${version}`) : null)
			: null,
		...blocks,
	);
}

// Restored after a reload before the host answers: show what we know; the host sends the state on `ready`.
const saved = vscode.getState();
if (saved?.url) fill(app, h('p', { class: 'loading' }, `Loading ${saved.url}…`));
vscode.postMessage(ReadyCommand.create({}));
