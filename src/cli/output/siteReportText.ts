/**
 * The site report of `auditlens scan` as text, progress lines and CSV: the columns, order and words of the site
 * report model (format/scanTable.ts), laid out for a terminal. A route's path, its error message and a failing
 * audit's examples come from the site, so every one goes through `safeText` (terminal) or `csvCell`
 * (spreadsheet); colour only through `Paint`. The HTML report is in siteReportHtml.ts.
 */
import {
	COLUMN_LABEL,
	columnLabel,
	discoveryLine as discoverySentence,
	examplesText,
	failingAuditLine,
	routeScore,
	routeStatusWord,
	scanProgressLine,
	scanStatusWord,
	scoreColumns,
	type ScoreColumn,
	sortFailingAudits,
	sortRoutes,
} from '../../format/scanTable';
import { FORM_FACTOR_LABEL, scoreBand, toPercent } from '../../format/scores';
import type { ScanProgressParams, ScanReport, ScanRoute } from '../../protocol';
import { safeText } from '../../shared/terminalText';
import { NO_COLOR, type Paint } from './text';

/** Whether a route was not audited to the end: it failed, or its audit did not take place. */
const routeFailed = (r: ScanRoute): boolean => r.status === 'failed' || r.status === 'error';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The longest route path shown in the table (and the examples): the rest is cut with `…`. */
const PATH_MAX = 60;
/** Failing audits listed in the text report; the JSON, CSV and HTML reports have them all. */
const FAILING_SHOWN = 20;

function padCell(text: string, width: number, right: boolean): string {
	const length = Array.from(text).length;
	const pad = ' '.repeat(Math.max(0, width - length));
	return right ? pad + text : text + pad;
}

/** A score cell: `72`, `72 ▼12` with a change since the previous scan, `–` when unscored (as in the Site view). */
function scoreCell(r: ScanRoute, col: ScoreColumn): { text: string; band: ReturnType<typeof scoreBand> } {
	const { percent, change } = routeScore(r, col);
	if (percent === undefined) return { text: '–', band: 'none' };
	return { text: change ? `${percent} ${change.text}` : String(percent), band: scoreBand(percent) };
}

function paintBand(paint: Paint, band: ReturnType<typeof scoreBand>, s: string): string {
	return band === 'pass' ? paint.ok(s) : band === 'average' ? paint.warn(s) : band === 'fail' ? paint.bad(s) : s;
}

/**
 * The routes × scores table, worst first: a route's path, its status, a column per category per form factor and
 * its lowest score, under the Site view's headings.
 */
export function routesTable(report: ScanReport, paint: Paint = NO_COLOR): string[] {
	const cols = scoreColumns(report.formFactors);
	const routes = sortRoutes(report.routes);
	const rows = routes.map((r) => {
		const path = `${safeText(r.path, { max: PATH_MAX })}${r.isNew ? ' (new)' : ''}`;
		const worst = toPercent(r.worst);
		const scores = [
			...cols.map((c) => scoreCell(r, c)),
			{ text: worst === undefined ? '–' : String(worst), band: scoreBand(worst) },
		];
		return { route: r, path, status: routeStatusWord(r), scores };
	});
	const header = [
		COLUMN_LABEL.path,
		COLUMN_LABEL.status,
		...cols.map((c) => columnLabel(c, report.formFactors)),
		COLUMN_LABEL.worst,
	];
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

/**
 * `image-alt on 37 of 120 routes · e.g. /a, /b · Image elements do not have [alt] attributes`, most routes first:
 * the Site view's words, the audit's id first so that a terminal's reader finds it.
 */
export function failingAuditLines(report: ScanReport): string[] {
	if (report.failingAudits.length === 0) return [];
	const audits = sortFailingAudits(report.failingAudits);
	const shown = audits.slice(0, FAILING_SHOWN);
	const lines = ['Failing audits across the site:'];
	for (const a of shown) {
		const line = failingAuditLine({ ...a, id: safeText(a.id, { max: 60 }) }, report.formFactors);
		const examples = examplesText(a.examples.map((p) => safeText(p, { max: PATH_MAX })));
		lines.push(`  ${[line, examples, safeText(a.title, { max: 120 })].filter(Boolean).join(' · ')}`);
	}
	if (audits.length > shown.length)
		lines.push(`  +${audits.length - shown.length} more (--json, --csv and --html have them all)`);
	return lines;
}

/** What discovery found and why routes were left out, in the Site view's sentence. */
export function discoveryLine(report: ScanReport): string {
	return discoverySentence(report.discovery, report.scan.maxRoutes);
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
	const word = scanStatusWord(report.status);
	const counts = [failed ? `${failed} failed` : '', partial ? `${partial} partial` : ''].filter(Boolean).join(', ');
	const state =
		report.status === 'ok' ? paint.ok(word) : paint.warn(report.status === 'cancelled' || !counts ? word : counts);
	const lines = [
		`Site scan of ${safeText(report.startUrl, { max: 200 })} · ${report.formFactors.map((f) => FORM_FACTOR_LABEL[f]).join(' + ')} · ${state}`,
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
				`[${p.done}/${p.total}] ${routeStatusWord(p.route)} ${safeText(p.route.path, { max: PATH_MAX })}${p.route.durationMs === undefined ? '' : ` ${seconds(p.route.durationMs)}`}\n`,
			);
		this.lastPhase = p.phase;
	}

	/** The line a terminal shows for `p`: a bar before the Site view's progress line. */
	line(p: ScanProgressParams): string {
		if (p.phase === 'discovering') return scanProgressLine(p);
		const ratio = p.total ? Math.min(1, p.done / p.total) : 0;
		const filled = Math.round(ratio * this.width);
		const bar = `[${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}]`;
		const last = p.route ? ` · ${routeStatusWord(p.route)} ${safeText(p.route.path, { max: 40 })}` : '';
		return `${bar} ${scanProgressLine(p)}${last}`;
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
	const cols = scoreColumns(report.formFactors);
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
