/**
 * A site scan as a table and in words: its columns (a score per category per form factor), the order of
 * its rows for any column, score changes as ▲/▼, the failing audits across the site and what discovery
 * found. The one site-report model: the Site view's webview (in VS Code and in `scan --html`), the history tree,
 * the progress notification and the CLI's text table and CSV all take their columns, order and words from here.
 * Pure: no `vscode`, no DOM.
 */
import type {
	Category,
	DiscoverySummary,
	FormFactor,
	ScanReport,
	ScanRoute,
	ScanSummary,
	SiteFailingAudit,
} from '../protocol';
import { CATEGORIES } from '../protocol/options';
import { CATEGORY_SHORT, FORM_FACTOR_LABEL, toPercent } from './scores';

/** A score column: one category of one form factor. */
export interface ScoreColumn {
	key: `${FormFactor}:${Category}`;
	formFactor: FormFactor;
	category: Category;
}

/** What the table can be sorted by: the route's worst score (the default), its path, its status or one score column. */
export type SortKey = 'worst' | 'path' | 'status' | ScoreColumn['key'];
export type SortDir = 'asc' | 'desc';
export interface SortOrder {
	key: SortKey;
	dir: SortDir;
}

/** Worst first: the lowest score of each route ascending, routes without scores (failed, not audited) first. */
export const DEFAULT_SORT: SortOrder = { key: 'worst', dir: 'asc' };

/** The score columns of a scan: every category, for each form factor it asked for. */
export function scoreColumns(formFactors: readonly FormFactor[]): ScoreColumn[] {
	return formFactors.flatMap((formFactor) =>
		CATEGORIES.map((category): ScoreColumn => ({ key: `${formFactor}:${category}`, formFactor, category })),
	);
}

/** `P`, or `P (desktop)` when the scan asked for more than one form factor. */
export function columnLabel(col: ScoreColumn, formFactors: readonly FormFactor[]): string {
	return formFactors.length > 1
		? `${CATEGORY_SHORT[col.category]} ${FORM_FACTOR_LABEL[col.formFactor].toLowerCase()}`
		: CATEGORY_SHORT[col.category];
}

/** The headings of the table's other columns: the route, its status and its lowest score. */
export const COLUMN_LABEL = { path: 'Route', status: 'Status', worst: 'Lowest' } as const;

/** True when `key` names a column of the table (a persisted sort may name a column the scan no longer has). */
export function isSortKey(key: unknown, formFactors: readonly FormFactor[]): key is SortKey {
	return key === 'worst' || key === 'path' || key === 'status' || scoreColumns(formFactors).some((c) => c.key === key);
}

/** Worst first: a route with no audit, then a failed, a partial and a complete one. */
const STATUS_RANK: Record<ScanRoute['status'], number> = { error: 0, failed: 1, partial: 2, ok: 3 };

/** A route's value for `key`; a missing score ranks below every score (it is the worst outcome). */
function sortValue(route: ScanRoute, key: SortKey): number | string {
	if (key === 'path') return route.path;
	if (key === 'status') return STATUS_RANK[route.status];
	// A failed route's scores (if any) are not the page's: it ranks with the routes that have none.
	if (key === 'worst') return route.status === 'failed' || route.status === 'error' ? -1 : (route.worst ?? -1);
	const [ff, category] = key.split(':') as [FormFactor, Category];
	return route.scores[ff]?.[category] ?? -1;
}

/**
 * The routes in the order `sort` asks for; ties keep the path order, so the table does not jump between
 * renders. A new array: `routes` is left as it is.
 */
export function sortRoutes(routes: readonly ScanRoute[], sort: SortOrder = DEFAULT_SORT): ScanRoute[] {
	const sign = sort.dir === 'asc' ? 1 : -1;
	return [...routes].sort((a, b) => {
		const va = sortValue(a, sort.key);
		const vb = sortValue(b, sort.key);
		const c = typeof va === 'string' || typeof vb === 'string' ? String(va).localeCompare(String(vb)) : va - vb;
		return c !== 0 ? sign * c : a.path.localeCompare(b.path);
	});
}

/**
 * The order after a click on the header of `key`: the other direction when it already sorts, else worst (or A–Z) first.
 */
export function nextSort(current: SortOrder, key: SortKey): SortOrder {
	if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
	return { key, dir: 'asc' };
}

/**
 * A score change since the previous scan as `▲3` / `▼12`, and which way it went; undefined when there is none to show.
 */
export function changeMark(change: number | undefined): { text: string; up: boolean } | undefined {
	if (typeof change !== 'number' || !Number.isFinite(change)) return undefined;
	const points = Math.round(change * 100);
	if (points === 0) return undefined;
	return { text: `${points > 0 ? '▲' : '▼'}${Math.abs(points)}`, up: points > 0 };
}

/** A route's score in `col` as 0..100, and its change since the previous scan. */
export function routeScore(
	route: ScanRoute,
	col: ScoreColumn,
): { percent?: number; change?: { text: string; up: boolean } } {
	return {
		percent: toPercent(route.scores[col.formFactor]?.[col.category]),
		change: changeMark(route.changes?.[col.formFactor]?.[col.category]),
	};
}

const ROUTE_STATUS_WORD: Record<ScanRoute['status'], string> = {
	ok: 'ok',
	partial: 'partial',
	failed: 'failed',
	error: 'not audited',
};

/** The status cell of a route. */
export function routeStatusWord(route: Pick<ScanRoute, 'status' | 'fromCache'>): string {
	return `${ROUTE_STATUS_WORD[route.status]}${route.fromCache ? ' (cached)' : ''}`;
}

/** `image-alt on 37 of 120 routes`, with the form factor when the scan asked for more than one. */
export function failingAuditLine(audit: SiteFailingAudit, formFactors: readonly FormFactor[]): string {
	const ff = formFactors.length > 1 ? ` (${FORM_FACTOR_LABEL[audit.formFactor].toLowerCase()})` : '';
	return `${audit.id} on ${audit.routes} of ${audit.of} route${audit.of === 1 ? '' : 's'}${ff}`;
}

/** The failing audits across the site, those on most routes first. A new array. */
export function sortFailingAudits(audits: readonly SiteFailingAudit[]): SiteFailingAudit[] {
	return [...audits].sort((a, b) => b.routes - a.routes || a.id.localeCompare(b.id));
}

/** A failing audit's example routes: `e.g. /a, /b`; '' when it has none. */
export function examplesText(examples: readonly string[]): string {
	return examples.length ? `e.g. ${examples.join(', ')}` : '';
}

/** Discovery in one sentence: found, audited, and why the others were not (with the route limit when given). */
export function discoveryLine(d: DiscoverySummary, maxRoutes?: number): string {
	const left = [
		d.sampledOut ? `${d.sampledOut} sampled out of look-alike groups` : '',
		d.excluded ? `${d.excluded} excluded by include/exclude` : '',
		d.disallowed ? `${d.disallowed} disallowed by robots.txt` : '',
		d.overLimit ? `${d.overLimit} over the route limit${maxRoutes === undefined ? '' : ` of ${maxRoutes}`}` : '',
	].filter(Boolean);
	const found = `Found ${d.found} route${d.found === 1 ? '' : 's'}, audited ${d.audited}`;
	const sitemaps = d.sitemaps.length
		? `${d.sitemaps.length} sitemap${d.sitemaps.length === 1 ? '' : 's'} read`
		: 'no sitemap';
	return `${found}${left.length ? ` (${left.join(', ')})` : ''}; ${sitemaps}; discovery took ${seconds(d.durationMs)}.`;
}

/** `3 of 12 routes · about 1 min left`, or what discovery has found so far. */
export function scanProgressLine(p: {
	phase: 'discovering' | 'auditing' | 'done';
	discovered: number;
	done: number;
	total: number;
	etaMs?: number;
}): string {
	if (p.phase === 'discovering') return `Discovering routes… ${p.discovered} found`;
	const eta = p.phase === 'auditing' && p.etaMs !== undefined && p.done < p.total ? ` · ${etaLabel(p.etaMs)}` : '';
	return `${p.done} of ${p.total} routes${eta}`;
}

/** `about 40 s left`, `about 3 min left`. */
export function etaLabel(ms: number): string {
	if (!Number.isFinite(ms) || ms < 0) throw new TypeError(`etaLabel: not a duration: ${ms}`);
	const s = Math.max(1, Math.round(ms / 1000));
	return s < 60 ? `about ${s} s left` : `about ${Math.round(s / 60)} min left`;
}

function seconds(ms: number): string {
	return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** One line for a scan in the history: status, routes, failed ones, and the mean scores of its first form factor. */
export function scanSummaryLine(s: ScanSummary): string {
	const ff = (['mobile', 'desktop'] as const).find((f) => s.mean[f] && Object.keys(s.mean[f]).length > 0);
	const means = ff
		? CATEGORIES.flatMap((c) => {
				const p = toPercent(s.mean[ff]?.[c]);
				return p === undefined ? [] : [`${CATEGORY_SHORT[c]} ${p}`];
			}).join(' · ')
		: '';
	const head = [
		s.status === 'ok' ? '' : s.status,
		`${s.routes} route${s.routes === 1 ? '' : 's'}`,
		s.failed ? `${s.failed} failed` : '',
	]
		.filter(Boolean)
		.join(', ');
	return [head, means && (ff === 'mobile' ? means : `${means} (${ff})`)].filter(Boolean).join(' · ');
}

/** The report's status in words, for the Site view's header. */
export function scanStatusWord(status: ScanReport['status'] | 'running'): string {
	return {
		running: 'running',
		ok: 'complete',
		partial: 'some routes failed',
		cancelled: 'cancelled: the routes audited before the cancel',
	}[status];
}

/** Put a route that just ended into `routes` (in place): replacing the row of the same URL, else added. */
export function upsertRoute(routes: ScanRoute[], route: ScanRoute): void {
	const i = routes.findIndex((r) => r.url === route.url);
	if (i >= 0) routes[i] = route;
	else routes.push(route);
}

/** The end of a scan in one sentence: `Scanned 12 routes of example.com: 10 complete, 1 partial, 1 failed.` */
export function scanOutcomeLine(report: Pick<ScanReport, 'status' | 'origin' | 'routes'>): string {
	const count = (...statuses: ScanRoute['status'][]) => report.routes.filter((r) => statuses.includes(r.status)).length;
	const [partial, failed] = [count('partial'), count('failed', 'error')];
	const parts = [`${count('ok')} complete`, partial ? `${partial} partial` : '', failed ? `${failed} failed` : '']
		.filter(Boolean)
		.join(', ');
	const head = report.status === 'cancelled' ? 'Scan cancelled: audited' : 'Scanned';
	const n = report.routes.length;
	return `${head} ${n} route${n === 1 ? '' : 's'} of ${new URL(report.origin).host}: ${parts}.`;
}
