/**
 * The site report as one self-contained HTML page (`auditlens scan --html DIR`): the Site view itself, its built
 * bundle (dist/siteView.js) and its CSS inlined, with the report inlined as JSON data (shared/webviewPage.ts).
 * The bundle renders every string from the site as text; a route links to its Lighthouse reports written beside
 * the page.
 */
import fs from 'node:fs';
import path from 'node:path';
import { scanStatusWord } from '../../format/scanTable';
import type { FormFactor, ScanReport, ScanRoute } from '../../protocol';
import { fileSlug } from '../../shared/fileName';
import { staticWebviewPage } from '../../shared/webviewPage';
import { type SiteState, siteStateOf } from '../../webview/siteProtocol';

/** The Lighthouse HTML reports of a route, by form factor: file names relative to the site report. */
export type RouteReports = ReadonlyMap<ScanRoute, Partial<Record<FormFactor, string>>>;

/** The file name of a route's Lighthouse report: its place in the report and its path, made a safe file name. */
export function lighthouseReportName(index: number, route: Pick<ScanRoute, 'path'>, formFactor: FormFactor): string {
	return `lighthouse-${String(index + 1).padStart(3, '0')}-${fileSlug(route.path, 60, 'home')}-${formFactor}.html`;
}

/**
 * A file of the package, found from this module upward: `dist/cli.js` has its bundles beside it and media/ one
 * folder up; the compiled tests (out/src/cli/output) find them at the repository's root.
 */
function packageFile(...parts: string[]): string {
	for (let dir = __dirname; ; dir = path.dirname(dir)) {
		for (const base of [dir, path.dirname(dir)]) {
			const file = path.join(base, ...parts);
			if (fs.existsSync(file)) return file;
		}
		if (path.dirname(dir) === dir) throw new Error(`${parts.join('/')} is missing from the package: rebuild it`);
	}
}

/** The Site view's state for a finished report, with each route's Lighthouse report files. */
export function siteState(report: ScanReport, reports: RouteReports = new Map()): SiteState {
	const lighthouseReports: NonNullable<SiteState['lighthouseReports']> = {};
	for (const [route, files] of reports) lighthouseReports[route.url] = { ...files };
	return { ...siteStateOf(report), lighthouseReports };
}

/** The site report page. `reports` gives the Lighthouse report files of each route (relative to the page). */
export function scanHtml(report: ScanReport, reports: RouteReports = new Map()): string {
	const read = (...parts: string[]) => fs.readFileSync(packageFile(...parts), 'utf8');
	return staticWebviewPage({
		css: [read('media', 'staticPage.css'), read('media', 'panel.css')],
		script: read('dist', 'siteView.js').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'),
		data: siteState(report, reports),
		title: `AuditLens site report: ${new URL(report.origin).host} · ${scanStatusWord(report.status)}`,
	});
}
