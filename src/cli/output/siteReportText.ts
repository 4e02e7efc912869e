/**
 * The site report of `auditlens scan` as text, progress lines and CSV. A route's path, its error message and a
 * failing audit's examples come from the site, so every one goes through `safeText` (terminal) or `csvCell`
 * (spreadsheet); colour only through `Paint`. The HTML report is in siteReportHtml.ts.
 */
import { CATEGORY_SHORT, formatDelta, scoreBand, toPercent } from '../../format/scores';
import type { Category, FormFactor, ScanProgressParams, ScanReport, ScanRoute } from '../../protocol';
import { CATEGORIES } from '../../protocol';
import { safeText } from '../../shared/terminalText';
import { NO_COLOR, type Paint } from './text';

/** One score column of the site report: a category of a form factor. */
export interface ScoreColumn {
	formFactor: FormFactor;
	category: Category;
}

/**
 * The columns of a report: each form factor asked for × each category some route was scored on (all four if none was).
 */
export function scoreColumns(report: Pick<ScanReport, 'formFactors' | 'routes'>): ScoreColumn[] {
	const seen = new Set<Category>();
	for (const r of report.routes)
		for (const ff of report.formFactors) for (const c of Object.keys(r.scores[ff] ?? {})) seen.add(c as Category);
	const categories = seen.size ? CATEGORIES.filter((c) => seen.has(c)) : CATEGORIES;
	return report.formFactors.flatMap((formFactor) => categories.map((category) => ({ formFactor, category })));
}

/** Whether a route was not audited to the end: it failed, or its audit did not take place. */
export const routeFailed = (r: ScanRoute): boolean => r.status === 'failed' || r.status === 'error';

/**
 * Routes worst first: those that failed or were never audited (nothing to compare), then by their lowest score,
 * then by path, so that the order does not depend on the order routes finished in.
 */
export function sortRoutes(routes: readonly ScanRoute[]): ScanRoute[] {
	const rank = (r: ScanRoute) => (routeFailed(r) || r.worst === undefined ? -1 : r.worst);
	return [...routes].sort((a, b) => rank(a) - rank(b) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A column's heading: `PERF`, or `M:PERF` when the report has both form factors. */
export function columnLabel(col: ScoreColumn, report: Pick<ScanReport, 'formFactors'>): string {
	const short = CATEGORY_SHORT[col.category];
	return report.formFactors.length > 1 ? `${col.formFactor === 'mobile' ? 'M' : 'D'}:${short}` : short;
}

/**
 * The status of a route in words: `ok`, `partial`, `failed`, or the code of the error that kept it from being audited.
 */
export function routeStatusLabel(r: ScanRoute): string {
	return r.status === 'error' ? (r.error?.code ?? 'error') : r.status;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** `1 min 05 s`, `42 s`: the time left of a scan. */
export function formatEta(ms: number): string {
	const s = Math.max(0, Math.round(ms / 1000));
	return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

/** The longest route path shown in the table (and the examples): the rest is cut with `…`. */
const PATH_MAX = 60;
/** Failing audits listed in the text report; the JSON, CSV and HTML reports have them all. */
const FAILING_SHOWN = 20;

function padCell(text: string, width: number, right: boolean): string {
	const length = Array.from(text).length;
	const pad = ' '.repeat(Math.max(0, width - length));
	return right ? pad + text : text + pad;
}

/** A change since the previous scan in points, `+5` or `−12`; '' when there is none (or it rounds to none). */
export function changeLabel(change: number | undefined): string {
	const points = change === undefined ? 0 : Math.round(change * 100);
	return points === 0 ? '' : formatDelta(points);
}

/** A score cell: `72`, `72 −12` with a change since the previous scan, `-` when unscored. */
function scoreCell(r: ScanRoute, col: ScoreColumn): { text: string; band: ReturnType<typeof scoreBand> } {
	const p = toPercent(r.scores[col.formFactor]?.[col.category]);
	if (p === undefined) return { text: '-', band: 'none' };
	const change = r.changes?.[col.formFactor]?.[col.category];
	const delta = changeLabel(change);
	return { text: delta ? `${p} ${delta}` : String(p), band: scoreBand(p) };
}

function paintBand(paint: Paint, band: ReturnType<typeof scoreBand>, s: string): string {
	return band === 'pass' ? paint.ok(s) : band === 'average' ? paint.warn(s) : band === 'fail' ? paint.bad(s) : s;
}

/** The routes × scores table, worst first: a route's path, its status, a column per category per form factor. */
export function routesTable(report: ScanReport, paint: Paint = NO_COLOR): string[] {
	const cols = scoreColumns(report);
	const routes = sortRoutes(report.routes);
	const rows = routes.map((r) => {
		const path = `${safeText(r.path, { max: PATH_MAX })}${r.isNew ? ' (new)' : ''}`;
		return { route: r, path, status: routeStatusLabel(r), scores: cols.map((c) => scoreCell(r, c)) };
	});
	const header = ['ROUTE', 'STATUS', ...cols.map((c) => columnLabel(c, report))];
	const widths = header.map((h, i) =>
		Math.max(
			Array.from(h).length,
			...rows.map(
				(row) => Array.from(i === 0 ? row.path : i === 1 ? row.status : (row.scores[i - 2]?.text ?? '')).length,
			),
		),
	);
	const line = (cells: string[], paintCell: (i: number, padded: string) => string = (_i, s) => s) =>
		cells
			.map((c, i) => paintCell(i, padCell(c, widths[i] ?? 0, i >= 2)))
			.join('  ')
			.trimEnd();
	const out = [line(header)];
	for (const row of rows) {
		const cells = [row.path, row.status, ...row.scores.map((s) => s.text)];
		out.push(
			line(cells, (i, padded) => {
				if (i === 1)
					return row.route.status === 'ok' ? padded : routeFailed(row.route) ? paint.bad(padded) : paint.warn(padded);
				if (i >= 2) return paintBand(paint, row.scores[i - 2]?.band ?? 'none', padded);
				return padded;
			}),
		);
	}
	return out;
}

/** `image-alt  on 37 of 120 routes (e.g. /a, /b)  Image elements do not have [alt] attributes`, most routes first. */
export function failingAuditLines(report: ScanReport): string[] {
	if (report.failingAudits.length === 0) return [];
	const audits = [...report.failingAudits].sort((a, b) => b.routes - a.routes || a.id.localeCompare(b.id));
	const shown = audits.slice(0, FAILING_SHOWN);
	const both = report.formFactors.length > 1;
	const labels = shown.map((a) => `${safeText(a.id, { max: 60 })}${both ? ` (${a.formFactor})` : ''}`);
	const width = Math.max(...labels.map((l) => Array.from(l).length));
	const lines = ['Failing audits across the site:'];
	shown.forEach((a, i) => {
		const examples = a.examples.length
			? ` (e.g. ${a.examples.map((p) => safeText(p, { max: PATH_MAX })).join(', ')})`
			: '';
		lines.push(
			`  ${padCell(labels[i] ?? '', width, false)}  on ${a.routes} of ${a.of} route${a.of === 1 ? '' : 's'}${examples}  ${safeText(a.title, { max: 120 })}`,
		);
	});
	if (audits.length > shown.length)
		lines.push(`  +${audits.length - shown.length} more (--json, --csv and --html have them all)`);
	return lines;
}

/** What discovery found and why routes were left out, in one line. */
export function discoveryLine(report: ScanReport): string {
	const d = report.discovery;
	const parts = [`${d.found} found`, `${d.audited} audited`];
	if (d.sampledOut) parts.push(`${d.sampledOut} sampled out (look-alike routes)`);
	if (d.excluded) parts.push(`${d.excluded} excluded by --include/--exclude`);
	if (d.disallowed) parts.push(`${d.disallowed} disallowed by robots.txt`);
	if (d.overLimit) parts.push(`${d.overLimit} over the limit of ${report.scan.maxRoutes}`);
	const sitemaps = d.sitemaps.length ? `; ${d.sitemaps.length} sitemap${d.sitemaps.length === 1 ? '' : 's'} read` : '';
	return `Routes: ${parts.join(', ')}${sitemaps} (discovery took ${seconds(d.durationMs)})`;
}

/**
 * Routes whose audit ended (those that never started, e.g. cancelled or refused, don't count toward the time a page).
 */
const auditedRoutes = (report: ScanReport) => report.routes.filter((r) => r.status !== 'error').length;

/** `Scan took 53.4 s for 13 routes, 4.1 s a page`. */
export function timeLine(report: ScanReport): string {
	const n = auditedRoutes(report);
	const perPage = n ? `, ${seconds(report.durationMs / n)} a page` : '';
	return `Scan took ${seconds(report.durationMs)} for ${n} route${n === 1 ? '' : 's'}${perPage}`;
}

/** The whole text report: heading, table, failing audits, discovery summary, time. */
export function formatScanReport(report: ScanReport, paint: Paint = NO_COLOR): string {
	const failed = report.routes.filter(routeFailed).length;
	const partial = report.routes.filter((r) => r.status === 'partial').length;
	const state =
		report.status === 'cancelled'
			? paint.warn('cancelled: the routes audited so far')
			: failed || partial
				? paint.warn([failed ? `${failed} failed` : '', partial ? `${partial} partial` : ''].filter(Boolean).join(', '))
				: paint.ok('all routes audited');
	const lines = [
		`Site scan of ${safeText(report.startUrl, { max: 200 })} (${report.formFactors.join(' + ')}): ${state}`,
		'',
	];
	if (report.routes.length) lines.push(...routesTable(report, paint));
	else lines.push('No route was audited.');
	if (report.previousScanId) {
		const gone = report.removedRoutes ?? [];
		lines.push(
			'',
			`Changes are against the previous scan ${safeText(report.previousScanId, { max: 60 })}${
				gone.length
					? `; gone since: ${gone
							.slice(0, 10)
							.map((p) => safeText(p, { max: PATH_MAX }))
							.join(', ')}${gone.length > 10 ? ` +${gone.length - 10} more` : ''}`
					: ''
			}.`,
		);
	}
	const errors = sortRoutes(report.routes).filter((r) => r.error);
	if (errors.length) {
		lines.push('', 'Errors:');
		for (const r of errors.slice(0, FAILING_SHOWN))
			lines.push(
				`  ${safeText(r.path, { max: PATH_MAX })}  ${r.error?.code}: ${safeText(r.error?.message, { max: 300 })}`,
			);
		if (errors.length > FAILING_SHOWN) lines.push(`  +${errors.length - FAILING_SHOWN} more`);
	}
	const failing = failingAuditLines(report);
	if (failing.length) lines.push('', ...failing);
	lines.push('', discoveryLine(report), timeLine(report));
	return `${lines.join('\n')}\n`;
}

/**
 * The progress of a scan on stderr. On a terminal, one line redrawn in place: a bar, done/total, the time left and
 * the route just done. Elsewhere (a CI log, a pipe), a plain line per route ended, and nothing redrawn.
 */
export class ScanProgressDisplay {
	private drawn = false;
	private lastPhase: ScanProgressParams['phase'] | undefined;

	constructor(
		private readonly out: NodeJS.WritableStream,
		private readonly tty: boolean,
		private readonly width = 20,
	) {}

	update(p: ScanProgressParams): void {
		if (this.tty) {
			this.out.write(`\r\x1b[2K${this.line(p)}`);
			this.drawn = true;
			return;
		}
		if (p.phase === 'discovering') {
			if (this.lastPhase !== 'discovering') this.out.write('Discovering routes…\n');
		} else if (p.phase === 'auditing' && this.lastPhase !== 'auditing' && !p.route) {
			this.out.write(`Auditing ${p.total} route${p.total === 1 ? '' : 's'}\n`);
		}
		if (p.route)
			this.out.write(
				`[${p.done}/${p.total}] ${routeStatusLabel(p.route)} ${safeText(p.route.path, { max: PATH_MAX })}${p.route.durationMs === undefined ? '' : ` ${seconds(p.route.durationMs)}`}\n`,
			);
		this.lastPhase = p.phase;
	}

	/** The line a terminal shows for `p`. */
	line(p: ScanProgressParams): string {
		if (p.phase === 'discovering') return `Discovering routes: ${p.discovered} found`;
		const ratio = p.total ? Math.min(1, p.done / p.total) : 0;
		const filled = Math.round(ratio * this.width);
		const bar = `[${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}]`;
		const eta = p.etaMs !== undefined && p.done < p.total ? `  ETA ${formatEta(p.etaMs)}` : '';
		const last = p.route ? `  ${routeStatusLabel(p.route)} ${safeText(p.route.path, { max: 40 })}` : '';
		return `${bar} ${p.done}/${p.total}${eta}${last}`;
	}

	/** Clear the redrawn line before the report is printed. */
	done(): void {
		if (this.tty && this.drawn) this.out.write('\r\x1b[2K');
		this.drawn = false;
	}
}

/**
 * A CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled. Text that a
 * spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) gets a leading `'`
 * (OWASP's advice on CSV injection): a route path or an error message comes from the site. Control characters
 * are shown as escapes, as on the terminal, which --csv may well be printed to.
 */
export function csvCell(value: string | number | boolean | undefined | null): string {
	if (value === undefined || value === null) return '';
	if (typeof value !== 'string') return String(value);
	const text = safeText(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value, { max: 100_000, multiline: true });
	return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A 0..1 score or change to two decimals, as a number: a spreadsheet reads `-0.12` as one, and it is ours, not the
 * site's.
 */
const round2 = (n: number | null | undefined) =>
	typeof n === 'number' && Number.isFinite(n) ? Math.round(n * 100) / 100 : undefined;

/**
 * The routes as CSV, worst first: a row per route with its status, a score (0..1) and its change since the previous
 * scan per category per form factor, its error. Lines end in CRLF, as RFC 4180 says.
 */
export function scanCsv(report: ScanReport): string {
	const cols = scoreColumns(report);
	const header = [
		'path',
		'url',
		'status',
		'source',
		'group',
		'new',
		...cols.flatMap((c) => [`${c.formFactor} ${c.category}`, `${c.formFactor} ${c.category} change`]),
		'worst',
		'seconds',
		'cached',
		'audit id',
		'error code',
		'error',
	];
	const rows = sortRoutes(report.routes).map((r) => [
		r.path,
		r.url,
		r.status,
		r.source,
		r.group,
		r.isNew ? 'yes' : '',
		...cols.flatMap((c) => [
			round2(r.scores[c.formFactor]?.[c.category]),
			round2(r.changes?.[c.formFactor]?.[c.category]),
		]),
		round2(r.worst),
		r.durationMs === undefined ? undefined : Math.round(r.durationMs / 100) / 10,
		r.fromCache ? 'yes' : '',
		r.auditId,
		r.error?.code,
		r.error?.message,
	]);
	return [header, ...rows].map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}
