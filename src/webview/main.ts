/**
 * The result panel, inside the webview: the message loop. The page is built once as sections (one module
 * each under result/); each message from the host re-renders only the sections it affects. All page-derived
 * text goes through textContent (dom.ts).
 */
import type { ProgressState, StageName, StageOutcome } from '../protocol';
import { fill, h, layoutSections } from './dom';
import {
	DoneMessage,
	InitMessage,
	ProgressMessage,
	ReadyCommand,
	StagesMessage,
	type IpcMessage,
	type PanelState,
	type PersistedState,
} from './protocol';
import { renderAi } from './result/ai';
import { renderBanner } from './result/banner';
import { renderComparison } from './result/comparison';
import { renderCro } from './result/cro';
import { renderErrors } from './result/errors';
import { renderFailing } from './result/failing';
import { renderField } from './result/field';
import { renderGauges } from './result/gauges';
import { renderHeader } from './result/header';
import { renderInsights } from './result/insights';
import { renderMetrics } from './result/metrics';
import { renderProgress } from './result/progress';
import { renderScreenshots } from './result/screenshots';
import type { Section } from './result/section';

interface VsCodeApi {
	postMessage(msg: IpcMessage<unknown>): void;
	getState(): PersistedState | undefined;
	setState(state: PersistedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

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

const RENDER: Record<SectionName, Section> = {
	header: (el, s) => renderHeader(el, s, (msg) => vscode.postMessage(msg)),
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
	for (const name of new Set(names)) RENDER[name](sections[name], state);
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

// Restored after a reload before the host answers: show what we know; the host sends the state on `ready`.
const saved = vscode.getState();
if (saved?.url) fill(app, h('p', { class: 'loading' }, `Loading ${saved.url}…`));
vscode.postMessage(ReadyCommand.create({}));
