/**
 * The Site view, inside the webview: a site scan's routes as a sortable table (a score per category per
 * form factor, changes since the previous scan, new routes marked), the audits that fail across the site
 * and what discovery found. Rows appear as routes finish while the scan runs. Every route path, title and
 * message is page-derived: all of it goes through textContent (dom.ts).
 *
 * The same bundle is the page of `auditlens scan --html`: there is no VS Code API then, the state is read from the
 * page's inlined JSON, and a route links to its Lighthouse report files written beside the page.
 */
import {
	columnLabel,
	DEFAULT_SORT,
	COLUMN_LABEL,
	discoveryLine,
	examplesText,
	failingAuditLine,
	isSortKey,
	nextSort,
	routeScore,
	routeStatusWord,
	scanProgressLine,
	scanStatusWord,
	scoreColumns,
	sortFailingAudits,
	sortRoutes,
	type SortKey,
	type SortOrder,
	upsertRoute,
} from '../format/scanTable';
import { CATEGORY_LABEL, FORM_FACTOR_LABEL, scoreBand, toPercent } from '../format/scores';
import type { FormFactor } from '../protocol';
import { STATIC_DATA_ID } from '../shared/html';
import type { IpcMessage } from './protocol';
import { fill, h, layoutSections, type Child } from './dom';
import {
	OpenRouteCommand,
	RescanCommand,
	SiteInitMessage,
	SiteProgressMessage,
	SiteReadyCommand,
	type SitePersistedState,
	type SiteState,
} from './siteProtocol';

interface VsCodeApi {
	postMessage(msg: IpcMessage<unknown>): void;
	getState(): SitePersistedState | undefined;
	setState(state: SitePersistedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** In a static page (`scan --html`) there is no host: messages go nowhere and the state lives as long as the page. */
function staticApi(): VsCodeApi {
	let saved: SitePersistedState | undefined;
	return {
		postMessage: () => undefined,
		getState: () => saved,
		setState: (s) => (saved = s),
	};
}

const inVsCode = typeof acquireVsCodeApi === 'function';
const vscode: VsCodeApi = inVsCode ? acquireVsCodeApi() : staticApi();

type SectionName = 'header' | 'progress' | 'errors' | 'routes' | 'failing' | 'discovery';
const SECTION_ORDER: SectionName[] = ['header', 'progress', 'errors', 'routes', 'failing', 'discovery'];

let state: SiteState | undefined;
let sort: SortOrder = vscode.getState()?.sort ?? DEFAULT_SORT;
const app = document.getElementById('app') as HTMLElement;
const sections = {} as Record<SectionName, HTMLElement>;

const RENDER: Record<SectionName, (s: SiteState) => void> = {
	header: renderHeader,
	progress: renderProgress,
	errors: renderErrors,
	routes: renderRoutes,
	failing: renderFailing,
	discovery: renderDiscovery,
};

function render(names: Iterable<SectionName>): void {
	if (!state) return;
	for (const name of new Set(names)) RENDER[name](state);
}

window.addEventListener('message', (ev: MessageEvent<unknown>) => onMessage(ev.data));

function onMessage(msg: unknown): void {
	if (SiteInitMessage.is(msg)) {
		state = msg.params.state;
		if (!isSortKey(sort.key, state.formFactors)) sort = DEFAULT_SORT;
		layoutSections(app, SECTION_ORDER, sections);
		render(SECTION_ORDER);
		persist();
	} else if (state && SiteProgressMessage.is(msg)) {
		state.progress = msg.params.progress;
		const route = msg.params.route;
		if (route) upsertRoute(state.routes, route);
		render(route ? ['progress', 'routes'] : ['progress']);
	}
}

function persist(): void {
	if (state) vscode.setState({ scanId: state.scanId, startUrl: state.startUrl, sort });
}

function heading(text: string, ...rest: Child[]): HTMLElement {
	return h('h2', {}, text, ...rest);
}

function renderHeader(s: SiteState): void {
	const r = s.report;
	const when = r ? new Date(r.startedAt).toLocaleString() : '';
	const compared = r?.previousScanId
		? ' · changes against the previous scan of this site'
		: r
			? ' · the first scan of this site'
			: '';
	fill(
		sections.header,
		h('h1', { class: 'url' }, s.startUrl || 'Site scan'),
		h(
			'p',
			{ class: 'meta', attrs: { 'data-testid': 'scan-meta', 'data-status': s.status } },
			s.status === 'loading'
				? 'Loading the scan…'
				: s.status === 'running'
					? 'Scanning…'
					: s.status === 'failed'
						? 'The scan failed'
						: `Scanned ${when} · ${scanStatusWord(s.status)}`,
			r ? ` · ${(r.durationMs / 1000).toFixed(1)} s` : '',
			s.formFactors.length ? ` · ${s.formFactors.map((ff) => FORM_FACTOR_LABEL[ff]).join(' + ')}` : '',
			compared,
		),
		r && inVsCode
			? h(
					'div',
					{ class: 'actions' },
					h(
						'button',
						{
							title: 'Scan the site again, afresh, and compare with this scan',
							attrs: { type: 'button', 'data-action': 'rescan' },
							on: { click: () => vscode.postMessage(RescanCommand.create({})) },
						},
						'Scan Again',
					),
				)
			: null,
	);
}

function renderProgress(s: SiteState): void {
	if (s.status !== 'running' || !s.progress) {
		fill(sections.progress, s.status === 'running' ? h('p', { class: 'meta' }, 'Starting the scan…') : null);
		return;
	}
	const p = s.progress;
	fill(
		sections.progress,
		h('p', { class: 'meta', attrs: { 'data-testid': 'scan-progress' } }, scanProgressLine(p)),
		p.total ? h('progress', { attrs: { max: String(p.total), value: String(p.done) } }) : null,
	);
}

function renderErrors(s: SiteState): void {
	fill(
		sections.errors,
		s.error
			? h(
					'div',
					{ class: 'banner status-error', attrs: { role: 'alert', 'data-testid': 'scan-error' } },
					s.error.message,
				)
			: null,
	);
}

function renderRoutes(s: SiteState): void {
	const cols = scoreColumns(s.formFactors);
	const header = (key: SortKey, label: string, title: string): HTMLElement => {
		const active = sort.key === key;
		return h(
			'th',
			{
				attrs: {
					scope: 'col',
					'data-sort': key,
					'aria-sort': active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none',
				},
			},
			h(
				'button',
				{ class: 'sort', title: `Sort by ${title}`, attrs: { type: 'button' }, on: { click: () => sortBy(key) } },
				label,
				active ? (sort.dir === 'asc' ? ' ↑' : ' ↓') : '',
			),
		);
	};
	const rows = sortRoutes(s.routes, sort).map((route) => {
		const files = reportFiles(s, route.url);
		const path = files.length
			? h(
					'a',
					{
						class: 'route-link',
						title: `The ${files[0]?.formFactor} Lighthouse report of ${route.url}`,
						attrs: { href: files[0]?.file },
					},
					route.path,
				)
			: route.auditId && inVsCode
				? h(
						'button',
						{
							class: 'link route-link',
							title: `Open the audit of ${route.url}`,
							attrs: { type: 'button' },
							on: { click: () => openRoute(route.auditId) },
						},
						route.path,
					)
				: h('span', { class: 'route-path' }, route.path);
		return h(
			'tr',
			{ attrs: { 'data-path': route.path, 'data-status': route.status, 'data-audit-id': route.auditId } },
			h(
				'td',
				{ title: route.group ? `Stands for the look-alike routes ${route.group}` : undefined },
				path,
				...files.slice(1).map((f) =>
					h(
						'a',
						{
							class: 'badge',
							title: `The ${f.formFactor} Lighthouse report of ${route.url}`,
							attrs: { href: f.file },
						},
						f.formFactor,
					),
				),
				route.isNew
					? h(
							'span',
							{
								class: 'badge route-new',
								title: 'Not in the previous scan of this site',
								attrs: { 'data-testid': 'new' },
							},
							'new',
						)
					: null,
			),
			h('td', { class: `route-status status-${route.status}`, title: route.error?.message }, routeStatusWord(route)),
			...cols.map((col) => {
				const { percent, change } = routeScore(route, col);
				return h(
					'td',
					{ attrs: { 'data-col': col.key, 'data-score': percent === undefined ? '' : String(percent) } },
					h('span', { class: `badge band-${scoreBand(percent)}` }, percent === undefined ? '–' : String(percent)),
					change
						? h(
								'span',
								{ class: `delta ${change.up ? 'up' : 'down'}`, attrs: { 'data-testid': 'change' } },
								` ${change.text}`,
							)
						: null,
				);
			}),
			h('td', { attrs: { 'data-col': 'worst' } }, String(toPercent(route.worst) ?? '–')),
		);
	});
	if (s.status === 'loading') {
		fill(sections.routes);
		return;
	}
	fill(
		sections.routes,
		heading(
			`Routes`,
			h(
				'span',
				{ class: 'meta' },
				` · ${s.routes.length}${s.progress?.total && s.status === 'running' ? ` of ${s.progress.total}` : ''}`,
			),
		),
		s.routes.length
			? h(
					'table',
					{ class: 'routes', attrs: { 'data-testid': 'routes' } },
					h(
						'thead',
						{},
						h(
							'tr',
							{},
							header('path', COLUMN_LABEL.path, 'route path'),
							header('status', COLUMN_LABEL.status, 'status'),
							...cols.map((c) =>
								header(
									c.key,
									columnLabel(c, s.formFactors),
									`${CATEGORY_LABEL[c.category]} (${FORM_FACTOR_LABEL[c.formFactor]})`,
								),
							),
							header('worst', COLUMN_LABEL.worst, 'lowest score (worst first)'),
						),
					),
					h('tbody', {}, ...rows),
				)
			: h(
					'p',
					{ class: 'meta' },
					s.status === 'running' ? 'Routes appear here as their audits finish.' : 'No route was audited.',
				),
	);
}

function renderFailing(s: SiteState): void {
	const failing = sortFailingAudits(s.report?.failingAudits ?? []);
	fill(
		sections.failing,
		failing.length ? heading('Failing audits across the site') : null,
		failing.length
			? h(
					'ul',
					{ class: 'failing site-failing' },
					...failing.map((a) =>
						h(
							'li',
							{ attrs: { 'data-audit': a.id, 'data-form-factor': a.formFactor } },
							h('span', { class: 'failing-title' }, a.title),
							h('span', { class: 'meta' }, ` · ${failingAuditLine(a, s.formFactors)}`),
							a.examples.length ? h('span', { class: 'meta examples' }, ` · ${examplesText(a.examples)}`) : null,
						),
					),
				)
			: null,
	);
}

function renderDiscovery(s: SiteState): void {
	const r = s.report;
	if (!r) {
		fill(sections.discovery);
		return;
	}
	const removed = r.removedRoutes ?? [];
	fill(
		sections.discovery,
		heading('Discovery'),
		h('p', { attrs: { 'data-testid': 'discovery' } }, discoveryLine(r.discovery, r.scan.maxRoutes)),
		r.discovery.sitemaps.length
			? h('ul', { class: 'sitemaps' }, ...r.discovery.sitemaps.map((u) => h('li', {}, h('code', {}, u))))
			: null,
		removed.length
			? h('p', { attrs: { 'data-testid': 'removed' } }, `Gone since the previous scan: ${removed.join(', ')}`)
			: null,
	);
}

function sortBy(key: SortKey): void {
	sort = nextSort(sort, key);
	render(['routes']);
	persist();
}

/**
 * The Lighthouse report files of a route in a static page, by form factor: only plain file names (those the CLI
 * writes beside the page), so that no link leaves the report's folder or runs a script.
 */
function reportFiles(s: SiteState, url: string): { formFactor: FormFactor; file: string }[] {
	const files = s.lighthouseReports?.[url] ?? {};
	return s.formFactors.flatMap((formFactor) => {
		const file = files[formFactor];
		return file && /^[\w.-]+\.html$/.test(file) && !file.startsWith('.') ? [{ formFactor, file }] : [];
	});
}

function openRoute(auditId: string | undefined): void {
	if (auditId) vscode.postMessage(OpenRouteCommand.create({ auditId }));
}

const inlined = document.getElementById(STATIC_DATA_ID)?.textContent;
if (inlined) {
	// A static page: the state is the page's own data.
	onMessage(SiteInitMessage.create({ state: JSON.parse(inlined) as SiteState }));
} else {
	// Restored after a reload before the host answers: show what we know; the host sends the state on `siteReady`.
	const saved = vscode.getState();
	if (saved?.startUrl) fill(app, h('p', { class: 'loading' }, `Loading the scan of ${saved.startUrl}…`));
	vscode.postMessage(SiteReadyCommand.create({}));
}
