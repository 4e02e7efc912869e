import type {
	AuditResult,
	Category,
	DiscoveredRoute,
	DiscoverySummary,
	ErrorInfo,
	FormFactor,
	ScanOptions,
	ScanReport,
	ScanRoute,
	ScanSummary,
	SiteFailingAudit,
} from '../../protocol';
import { FORM_FACTORS } from '../../protocol';

/**
 * The site report: pure functions from the route audits of a scan (and the previous scan of the same start URL)
 * to a `ScanReport`. No browser, no history: the scan (scan.ts) gathers, this derives, like Lighthouse's audits.
 */

/** Example paths kept per failing audit. */
export const FAILING_EXAMPLES = 3;

/** How one route's audit ended: a result (ok, partial or failed), or the error of an audit that never took place. */
export interface RouteOutcome {
	route: DiscoveredRoute;
	result?: AuditResult;
	error?: ErrorInfo;
}

type Scores = ScanRoute['scores'];

/** A route of the report from its audit's result or error. */
export function scanRoute({ route, result, error }: RouteOutcome): ScanRoute {
	const row: ScanRoute = {
		url: route.url,
		path: route.path,
		source: route.source,
		status: result?.status ?? 'error',
		scores: {},
	};
	if (route.group !== undefined) row.group = route.group;
	if (result) {
		row.auditId = result.id;
		row.fromCache = result.fromCache;
		row.durationMs = result.durationMs;
		for (const ff of FORM_FACTORS) {
			const outcome = result.stages[`lighthouse-${ff}`];
			if (outcome?.status === 'ok') row.scores[ff] = { ...outcome.data.scores };
		}
	}
	const worst = worstScore(row.scores);
	if (worst !== undefined) row.worst = worst;
	const why =
		result?.error ??
		(result?.status === 'partial' ? Object.values(result.stageErrors ?? {})[0] : undefined) ??
		(result ? undefined : error);
	if (why) row.error = why;
	return row;
}

/** The lowest category score of any form factor; undefined when nothing was scored. */
export function worstScore(scores: Scores): number | undefined {
	let worst: number | undefined;
	for (const byCategory of Object.values(scores)) {
		for (const score of Object.values(byCategory ?? {}))
			if (typeof score === 'number' && (worst === undefined || score < worst)) worst = score;
	}
	return worst;
}

/** Worst first: routes with no score at all (failed, refused, unscored) lead, then the lowest score; ties by path. */
export function sortRoutes(routes: ScanRoute[]): ScanRoute[] {
	return [...routes].sort((a, b) => {
		const aw = a.worst ?? -1;
		const bw = b.worst ?? -1;
		return aw !== bw ? aw - bw : a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
	});
}

/**
 * The Lighthouse audits that fail across the site, per form factor: on how many of the routes audited with that
 * form factor, with a few example paths; most routes first, then by id.
 */
export function siteFailingAudits(outcomes: RouteOutcome[]): SiteFailingAudit[] {
	const out: SiteFailingAudit[] = [];
	for (const formFactor of FORM_FACTORS) {
		let of = 0;
		const byId = new Map<string, SiteFailingAudit>();
		for (const { route, result } of outcomes) {
			const outcome = result?.stages[`lighthouse-${formFactor}`];
			if (outcome?.status !== 'ok') continue;
			of++;
			for (const audit of outcome.data.failingAudits) {
				const entry = byId.get(audit.id) ?? {
					id: audit.id,
					title: audit.title,
					formFactor,
					routes: 0,
					of: 0,
					examples: [],
				};
				entry.routes++;
				if (entry.examples.length < FAILING_EXAMPLES) entry.examples.push(route.path);
				byId.set(audit.id, entry);
			}
		}
		for (const entry of byId.values()) out.push({ ...entry, of });
	}
	return out.sort(
		(a, b) => b.routes - a.routes || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) || (a.formFactor < b.formFactor ? -1 : 1),
	);
}

/** Score changes of each route since `previous` (new minus old, rounded to 0.01), `isNew`, and the routes gone. */
export function compareWithPrevious(
	routes: ScanRoute[],
	previous: ScanReport,
): { routes: ScanRoute[]; removedRoutes: string[] } {
	const before = new Map(previous.routes.map((r) => [r.url, r]));
	const now = new Set(routes.map((r) => r.url));
	const compared = routes.map((route) => {
		const old = before.get(route.url);
		if (!old) return { ...route, isNew: true };
		const changes: NonNullable<ScanRoute['changes']> = {};
		for (const [ff, scores] of Object.entries(route.scores) as [
			FormFactor,
			Partial<Record<Category, number | null>>,
		][]) {
			for (const [category, score] of Object.entries(scores) as [Category, number | null][]) {
				const was = old.scores[ff]?.[category];
				if (typeof score !== 'number' || typeof was !== 'number') continue;
				(changes[ff] ??= {})[category] = Math.round((score - was) * 100) / 100;
			}
		}
		return Object.keys(changes).length > 0 ? { ...route, isNew: false, changes } : { ...route, isNew: false };
	});
	return { routes: compared, removedRoutes: previous.routes.filter((r) => !now.has(r.url)).map((r) => r.path) };
}

export interface SiteReportInput {
	id: string;
	startUrl: string;
	startedAt: number;
	durationMs: number;
	cancelled: boolean;
	formFactors: FormFactor[];
	scan: ScanOptions;
	discovery: DiscoverySummary;
	/** The routes whose audit ended (a cancelled scan leaves out the ones it stopped). */
	outcomes: RouteOutcome[];
	/** The previous scan of the same start URL to compare with. */
	previous?: ScanReport;
}

/** The site report of a scan. */
export function siteReport(input: SiteReportInput): ScanReport {
	let routes = input.outcomes.map(scanRoute);
	let removedRoutes: string[] | undefined;
	if (input.previous) {
		const compared = compareWithPrevious(routes, input.previous);
		routes = compared.routes;
		// A stopped scan did not look at every route: it cannot say which are gone.
		if (!input.cancelled) removedRoutes = compared.removedRoutes;
	}
	const report: ScanReport = {
		id: input.id,
		startUrl: input.startUrl,
		origin: new URL(input.startUrl).origin,
		startedAt: new Date(input.startedAt).toISOString(),
		durationMs: input.durationMs,
		status: input.cancelled ? 'cancelled' : routes.every((r) => r.status === 'ok') ? 'ok' : 'partial',
		formFactors: input.formFactors,
		scan: input.scan,
		discovery: input.discovery,
		routes: sortRoutes(routes),
		failingAudits: siteFailingAudits(input.outcomes),
	};
	if (input.previous) report.previousScanId = input.previous.id;
	if (removedRoutes) report.removedRoutes = removedRoutes;
	return report;
}

/** The row of a scan in the list of scans: counts and the mean score per category per form factor. */
export function scanSummary(report: ScanReport): ScanSummary {
	const sums: Partial<Record<FormFactor, Partial<Record<Category, { total: number; n: number }>>>> = {};
	for (const route of report.routes) {
		for (const [ff, scores] of Object.entries(route.scores) as [
			FormFactor,
			Partial<Record<Category, number | null>>,
		][]) {
			for (const [category, score] of Object.entries(scores) as [Category, number | null][]) {
				if (typeof score !== 'number') continue;
				const sum = ((sums[ff] ??= {})[category] ??= { total: 0, n: 0 });
				sum.total += score;
				sum.n++;
			}
		}
	}
	const mean: ScanSummary['mean'] = {};
	for (const [ff, byCategory] of Object.entries(sums) as [
		FormFactor,
		Partial<Record<Category, { total: number; n: number }>>,
	][]) {
		for (const [category, { total, n }] of Object.entries(byCategory) as [Category, { total: number; n: number }][])
			(mean[ff] ??= {})[category] = Math.round((total / n) * 100) / 100;
	}
	return {
		id: report.id,
		startUrl: report.startUrl,
		startedAt: report.startedAt,
		durationMs: report.durationMs,
		status: report.status,
		routes: report.routes.length,
		failed: report.routes.filter((r) => r.status === 'failed' || r.status === 'error').length,
		mean,
	};
}
