/**
 * The site report as one self-contained HTML page (`auditlens scan --html DIR`): inline CSS, a small inline
 * script that sorts the tables, a Content-Security-Policy that allows exactly those two (by their hashes) and
 * nothing remote. Every string from the site (paths, URLs, error messages, examples) is HTML-escaped; a route
 * links to its Lighthouse reports written beside the page.
 */
import { createHash } from 'node:crypto';
import { CATEGORY_LABEL, FORM_FACTOR_LABEL, scoreBand, toPercent } from '../../format/scores';
import type { FormFactor, ScanReport, ScanRoute } from '../../protocol';
import { safeText } from '../../shared/terminalText';
import {
	changeLabel,
	columnLabel,
	discoveryLine,
	routeStatusLabel,
	scoreColumns,
	sortRoutes,
	timeLine,
} from './siteReportText';

/** Text or an attribute value made inert in HTML. */
export function escapeHtml(text: unknown): string {
	return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Text from the site: inert, and its control characters and bidirectional overrides shown, not acted on. */
const siteText = (text: unknown) => escapeHtml(safeText(text, { max: 2000 }));

/** The Lighthouse HTML reports of a route, by form factor: file names relative to the site report. */
export type RouteReports = ReadonlyMap<ScanRoute, Partial<Record<FormFactor, string>>>;

/** The file name of a route's Lighthouse report: its place in the report and its path, made a safe file name. */
export function lighthouseReportName(index: number, route: Pick<ScanRoute, 'path'>, formFactor: FormFactor): string {
	const slug =
		route.path
			.replace(/[^a-z0-9]+/gi, '-')
			.replace(/^-|-$/g, '')
			.slice(0, 60) || 'home';
	return `lighthouse-${String(index + 1).padStart(3, '0')}-${slug}-${formFactor}.html`;
}

const CSS = `
:root { color-scheme: light dark; --fg: #1b1b1b; --bg: #fff; --muted: #666; --line: #ddd; --pass: #0c7d3c; --average: #b35c00; --fail: #c5221f; }
@media (prefers-color-scheme: dark) { :root { --fg: #e8e8e8; --bg: #1b1b1b; --muted: #aaa; --line: #3a3a3a; --pass: #4cc27a; --average: #f0a24b; --fail: #ff6b61; } }
body { font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 2rem; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; } h2 { font-size: 1.1rem; margin: 2rem 0 .5rem; }
p.meta { color: var(--muted); margin: .2rem 0; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: .3rem .5rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; color: inherit; cursor: pointer; }
th[aria-sort=ascending] button::after { content: ' ▲'; } th[aria-sort=descending] button::after { content: ' ▼'; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.path { word-break: break-all; }
.pass { color: var(--pass); } .average { color: var(--average); } .fail, .bad { color: var(--fail); font-weight: 600; }
.delta { color: var(--muted); font-size: .85em; margin-left: .3em; } .new { color: var(--muted); font-size: .85em; }
`;

const SCRIPT = `
for (const table of document.querySelectorAll('table.sortable')) {
	const heads = Array.from(table.tHead.rows[0].cells);
	heads.forEach((th, i) => {
		const button = th.querySelector('button');
		if (!button) return;
		button.addEventListener('click', () => {
			const ascending = th.getAttribute('aria-sort') !== 'ascending';
			for (const h of heads) h.removeAttribute('aria-sort');
			th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
			const body = table.tBodies[0];
			const key = (row) => row.cells[i].dataset.v ?? row.cells[i].textContent;
			const rows = Array.from(body.rows).sort((a, b) => {
				const x = key(a), y = key(b), nx = Number(x), ny = Number(y);
				const c = x !== '' && y !== '' && !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : x.localeCompare(y);
				return ascending ? c : -c;
			});
			body.append(...rows);
		});
	});
}
`;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** Only the inline style and script above run; nothing is fetched, no form goes anywhere, no base URL changes links. */
export const REPORT_CSP = `default-src 'none'; style-src ${hash(CSS)}; script-src ${hash(SCRIPT)}; img-src 'none'; base-uri 'none'; form-action 'none'`;

function scoreTd(route: ScanRoute, formFactor: FormFactor, category: keyof typeof CATEGORY_LABEL): string {
	const p = toPercent(route.scores[formFactor]?.[category]);
	if (p === undefined) return `<td class="num" data-v="-1">–</td>`;
	const change = route.changes?.[formFactor]?.[category];
	const delta = changeLabel(change);
	return `<td class="num ${scoreBand(p)}" data-v="${p}">${p}${delta ? `<span class="delta">${escapeHtml(delta)}</span>` : ''}</td>`;
}

/** A link to the route itself, for http(s) URLs only (never a `javascript:` one, whatever the report holds). */
function routeLink(route: ScanRoute): string {
	const path = siteText(route.path);
	let href: URL;
	try {
		// Parsed again: the href is percent-encoded, whatever the report holds.
		href = new URL(route.url);
	} catch {
		return path;
	}
	return href.protocol === 'http:' || href.protocol === 'https:'
		? `<a href="${escapeHtml(href.href)}" rel="noopener noreferrer">${path}</a>`
		: path;
}

function routesSection(report: ScanReport, reports: RouteReports): string {
	const cols = scoreColumns(report);
	const head = [
		'<th><button type="button">Route</button></th>',
		'<th><button type="button">Status</button></th>',
		...cols.map(
			(c) =>
				`<th class="num" title="${escapeHtml(`${CATEGORY_LABEL[c.category]}, ${FORM_FACTOR_LABEL[c.formFactor]}`)}"><button type="button">${escapeHtml(columnLabel(c, report))}</button></th>`,
		),
		'<th class="num"><button type="button">Seconds</button></th>',
		'<th>Lighthouse reports</th>',
	].join('');
	const rows = sortRoutes(report.routes).map((r) => {
		const files = reports.get(r) ?? {};
		const links = report.formFactors
			.filter((ff) => files[ff])
			.map((ff) => `<a href="${escapeHtml(files[ff])}">${escapeHtml(ff)}</a>`)
			.join(' ');
		const status = routeStatusLabel(r);
		const statusClass = r.status === 'ok' ? '' : ' class="bad"';
		const error = r.error ? ` title="${siteText(`${r.error.code}: ${r.error.message}`)}"` : '';
		return (
			`<tr><td class="path" data-v="${siteText(r.path)}">${routeLink(r)}${r.isNew ? ' <span class="new">new</span>' : ''}</td>` +
			`<td${statusClass}${error}>${escapeHtml(status)}</td>` +
			cols.map((c) => scoreTd(r, c.formFactor, c.category)).join('') +
			`<td class="num" data-v="${r.durationMs ?? -1}">${r.durationMs === undefined ? '' : (r.durationMs / 1000).toFixed(1)}</td>` +
			`<td>${links}</td></tr>`
		);
	});
	return `<h2>Routes, worst first</h2>\n<table class="sortable"><thead><tr>${head}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

function failingSection(report: ScanReport): string {
	if (report.failingAudits.length === 0) return '';
	const rows = [...report.failingAudits]
		.sort((a, b) => b.routes - a.routes || a.id.localeCompare(b.id))
		.map(
			(a) =>
				`<tr><td>${escapeHtml(a.id)}</td><td>${escapeHtml(a.title)}</td><td>${escapeHtml(a.formFactor)}</td>` +
				`<td class="num" data-v="${a.routes}">${a.routes} of ${a.of}</td><td class="path">${a.examples.map(siteText).join(', ')}</td></tr>`,
		);
	const head =
		['Audit', 'Title', 'Form factor'].map((h) => `<th><button type="button">${h}</button></th>`).join('') +
		'<th class="num"><button type="button">Routes</button></th><th>For example</th>';
	return `<h2>Failing audits across the site</h2>\n<table class="sortable"><thead><tr>${head}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

function errorsSection(report: ScanReport): string {
	const errors = sortRoutes(report.routes).filter((r) => r.error);
	if (errors.length === 0) return '';
	const items = errors.map(
		(r) =>
			`<li><span class="path">${siteText(r.path)}</span>: ${escapeHtml(r.error?.code)}: ${siteText(r.error?.message)}</li>`,
	);
	return `<h2>Errors</h2>\n<ul>${items.join('\n')}</ul>`;
}

/** The site report page. `reports` gives the Lighthouse report files of each route (relative to the page). */
export function scanHtml(report: ScanReport, reports: RouteReports = new Map()): string {
	const status =
		report.status === 'cancelled'
			? 'Cancelled: the routes audited so far.'
			: report.status === 'partial'
				? 'Some routes failed or are partial.'
				: 'All routes audited.';
	const gone = report.removedRoutes?.length
		? `<p class="meta">Gone since the previous scan: ${report.removedRoutes.map(siteText).join(', ')}</p>`
		: '';
	const previous = report.previousScanId
		? `<p class="meta">Changes (small grey numbers) are against the previous scan ${escapeHtml(report.previousScanId)}.</p>`
		: '';
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>AuditLens site report: ${siteText(report.origin)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>Site report: ${siteText(report.startUrl)}</h1>
<p class="meta">${escapeHtml(status)} ${escapeHtml(report.formFactors.map((f) => FORM_FACTOR_LABEL[f]).join(' and '))}, started ${escapeHtml(report.startedAt)} (scan ${escapeHtml(report.id)}).</p>
<p class="meta">${escapeHtml(discoveryLine(report))}</p>
<p class="meta">${escapeHtml(timeLine(report))}.</p>
${previous}${gone}
${routesSection(report, reports)}
${failingSection(report)}
${errorsSection(report)}
<script>${SCRIPT}</script>
</body>
</html>
`;
}
