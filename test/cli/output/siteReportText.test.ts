import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { HistoryStore } from '../../../src/engine/history/historyStore';
import { historyCommand } from '../../../src/cli/commands/history';
import { recordingLogger, testSettings } from '../../helpers/sampleResult';
import { CONTROL, ESC } from '../../helpers/terminalChars';
import type { ScanReport, ScanRoute } from '../../../src/protocol';
import { COLOR } from '../../../src/cli/output/text';
import {
	csvCell,
	discoveryLine,
	failingAuditLines,
	formatScanReport,
	scanCsv,
	ScanProgressDisplay,
} from '../../../src/cli/output/siteReportText';
import { lighthouseReportName, scanHtml } from '../../../src/cli/output/siteReportHtml';
import { sortRoutes } from '../../../src/format/scanTable';
import { escapeHtml } from '../../../src/shared/html';

const HOSTILE_PATH = `/<script>alert(1)</script>${ESC}[2K${ESC}]0;pwned\x07`;

function route(path: string, over: Partial<ScanRoute> = {}): ScanRoute {
	return { url: `https://site.example${path}`, path, source: 'link', status: 'ok', scores: {}, ...over };
}

/** A report of both form factors: a route per kind of row the report must show. */
function sampleReport(over: Partial<ScanReport> = {}): ScanReport {
	const routes: ScanRoute[] = [
		route('/', {
			source: 'start',
			auditId: 'a1',
			scores: {
				mobile: { performance: 0.91, accessibility: 1, 'best-practices': 0.96, seo: 1 },
				desktop: { performance: 0.99, accessibility: 1, 'best-practices': 0.96, seo: 1 },
			},
			worst: 0.91,
			changes: { mobile: { performance: 0.05 } },
			durationMs: 4100,
		}),
		route('/blog/slow', {
			group: '/blog/:slug',
			auditId: 'a2',
			scores: {
				mobile: { performance: 0.42, accessibility: 0.88, 'best-practices': 0.96, seo: 0.9 },
				desktop: { performance: 0.7, accessibility: 0.88, 'best-practices': 0.96, seo: 0.9 },
			},
			worst: 0.42,
			changes: { mobile: { performance: -0.12 } },
			durationMs: 6200,
		}),
		route('/new-page', {
			auditId: 'a3',
			isNew: true,
			scores: { mobile: { performance: 0.75, accessibility: 0.95, 'best-practices': 1, seo: 1 } },
			worst: 0.75,
			status: 'partial',
		}),
		route('/broken', { status: 'failed', error: { code: 'HTTP_ERROR', message: 'The page answered 500.' } }),
		route(HOSTILE_PATH, { status: 'error', error: { code: 'CANCELLED', message: `=cmd() said ${ESC}[1A` } }),
	];
	return {
		id: 'scan-1',
		startUrl: 'https://site.example/',
		origin: 'https://site.example',
		startedAt: '2026-11-24T22:00:00.000Z',
		durationMs: 40_000,
		status: 'partial',
		formFactors: ['mobile', 'desktop'],
		scan: { maxRoutes: 200, maxDepth: 3, include: [], exclude: [], samplesPerGroup: 5, sitemap: true, crawl: true },
		discovery: {
			found: 140,
			audited: 5,
			sampledOut: 12,
			excluded: 5,
			disallowed: 2,
			overLimit: 1,
			sitemaps: ['https://site.example/sitemap.xml'],
			durationMs: 1500,
		},
		routes,
		failingAudits: [
			{
				id: 'color-contrast',
				title: 'Background and foreground colors do not have a sufficient contrast ratio.',
				formFactor: 'mobile',
				routes: 2,
				of: 3,
				examples: ['/blog/slow', '/new-page'],
			},
			{
				id: 'image-alt',
				title: 'Image elements do not have [alt] attributes',
				formFactor: 'mobile',
				routes: 37,
				of: 120,
				examples: ['/a', HOSTILE_PATH],
			},
		],
		previousScanId: 'scan-0',
		removedRoutes: ['/gone'],
		...over,
	};
}

describe('scan report formats (pure)', () => {
	it('sorts routes worst first: failed and unaudited routes, then by the lowest score, then by path', () => {
		const sorted = sortRoutes(sampleReport().routes).map((r) => r.path);
		assert.deepEqual(sorted, [HOSTILE_PATH, '/broken', '/blog/slow', '/new-page', '/']);
		assert.deepEqual(
			sortRoutes([...sampleReport().routes].reverse()),
			sortRoutes(sampleReport().routes),
			'whatever order they finished in',
		);
	});

	it('prints a table of routes × scores per form factor, worst first, with changes and new routes marked', () => {
		const text = formatScanReport(sampleReport());
		const lines = text.split('\n');
		const header = lines.find((l) => l.startsWith('Route'));
		assert.ok(header, text);
		assert.match(
			header,
			/Route +Status +P mobile +A mobile +BP mobile +SEO mobile +P desktop +A desktop +BP desktop +SEO desktop +Lowest$/,
		);
		const rows = lines.slice(lines.indexOf(header) + 1, lines.indexOf(header) + 6);
		assert.match(rows[2] ?? '', /^\/blog\/slow +ok +42 ▼12 +88 +96 +90 +70 /);
		assert.match(rows[3] ?? '', /^\/new-page \(new\) +partial +75 +95 +100 +100 +– +– +– +– +75$/);
		assert.match(rows[4] ?? '', /^\/ +ok +91 ▲5 +100 /);
		assert.match(rows[0] ?? '', /not audited/);
		assert.match(text, /^Site scan of https:\/\/site\.example\/ · Mobile \+ Desktop · 2 failed, 1 partial$/m);
		assert.match(text, /Changes are against the previous scan scan-0; gone since: \/gone\./);
		assert.match(text, /^Scan took 40\.0 s for 4 routes, 10\.0 s a page$/m);
	});

	it('shows one form factor without its name in the headings, and no table when nothing was audited', () => {
		const r = sampleReport({ formFactors: ['mobile'] });
		assert.match(formatScanReport(r), /^Route +Status +P +A +BP +SEO +Lowest$/m);
		assert.match(
			formatScanReport(sampleReport({ routes: [], status: 'cancelled' })),
			/cancelled: the routes audited before the cancel\n\nNo route was audited\./,
		);
	});

	it('lists the failing audits across the site, most routes first, with examples', () => {
		const lines = failingAuditLines(sampleReport({ formFactors: ['mobile'] }));
		assert.equal(lines[0], 'Failing audits across the site:');
		assert.match(
			lines[1] ?? '',
			/^ {2}image-alt on 37 of 120 routes · e\.g\. \/a, \/<script>alert\(1\)<\/script>\\x1b\[2K\\x1b\]0;pwned\\x07 · Image elements/,
		);
		assert.match(lines[2] ?? '', /^ {2}color-contrast on 2 of 3 routes · e\.g\. \/blog\/slow, \/new-page · /);
		assert.match(
			failingAuditLines(sampleReport()).join('\n'),
			/image-alt on 37 of 120 routes \(mobile\)/,
			'the form factor is named when the scan has both',
		);
	});

	it('sums up discovery: found, audited, and why the rest were left out', () => {
		assert.equal(
			discoveryLine(sampleReport()),
			'Found 140 routes, audited 5 (12 sampled out of look-alike groups, 5 excluded by include/exclude, 2 disallowed by robots.txt, 1 over the route limit of 200); 1 sitemap read; discovery took 1.5 s.',
		);
	});

	it('prints hostile paths and error messages as visible escapes, in colour too', () => {
		const text = formatScanReport(sampleReport(), COLOR);
		// Only our own colour codes (ESC[3xm) may reach the terminal.
		assert.doesNotMatch(text.replace(/\x1b\[3\dm/g, ''), CONTROL);
		assert.match(text, /\/<script>alert\(1\)<\/script>\\x1b\[2K/);
		assert.match(text, /CANCELLED: =cmd\(\) said \\x1b\[1A/);
	});

	it('redraws one progress line on a terminal: a bar, done/total, the time left, the route just done', () => {
		const out = new PassThrough();
		let written = '';
		out.on('data', (c: Buffer) => (written += c.toString()));
		const display = new ScanProgressDisplay(out, true, 10);
		display.update({ scanId: 's', phase: 'discovering', discovered: 7, done: 0, total: 0 });
		display.update({
			scanId: 's',
			phase: 'auditing',
			discovered: 8,
			done: 2,
			total: 8,
			etaMs: 65_000,
			route: route(HOSTILE_PATH),
		});
		display.done();
		const frames = written.split('\r\x1b[2K');
		assert.deepEqual(frames.slice(1, 3), [
			'Discovering routes… 7 found',
			'[###-------] 2 of 8 routes · about 1 min left · ok /<script>alert(1)</script>\\x1b[2K\\x1b]0;pwned\\x07',
		]);
		assert.equal(frames.at(-1), '', 'the line is cleared before the report');
		assert.doesNotMatch(written.replaceAll('\r\x1b[2K', ''), CONTROL);
	});

	it('prints a plain line per route when not on a terminal', () => {
		const out = new PassThrough();
		let written = '';
		out.on('data', (c: Buffer) => (written += c.toString()));
		const display = new ScanProgressDisplay(out, false);
		display.update({ scanId: 's', phase: 'discovering', discovered: 1, done: 0, total: 0 });
		display.update({ scanId: 's', phase: 'discovering', discovered: 2, done: 0, total: 0 });
		display.update({ scanId: 's', phase: 'auditing', discovered: 2, done: 0, total: 2 });
		display.update({
			scanId: 's',
			phase: 'auditing',
			discovered: 2,
			done: 1,
			total: 2,
			route: route('/a', { durationMs: 4100 }),
		});
		display.update({
			scanId: 's',
			phase: 'auditing',
			discovered: 2,
			done: 2,
			total: 2,
			route: route('/b', { status: 'failed' }),
		});
		display.done();
		assert.equal(written, 'Discovering routes…\nAuditing 2 routes\n[1/2] ok /a 4.1 s\n[2/2] failed /b\n');
	});

	it('quotes CSV cells as RFC 4180 says and defuses formulas in text from the site', () => {
		assert.equal(csvCell('plain'), 'plain');
		assert.equal(csvCell('a,b'), '"a,b"');
		assert.equal(csvCell('say "hi"'), '"say ""hi"""');
		assert.equal(csvCell('two\nlines'), '"two\nlines"');
		assert.equal(csvCell('=cmd()'), "'=cmd()");
		assert.equal(csvCell('+1+1'), "'+1+1");
		assert.equal(csvCell('-2'), "'-2");
		assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
		assert.equal(csvCell('\t=x'), "' =x");
		assert.equal(csvCell(`${ESC}]0;x\x07`), '\\x1b]0;x\\x07', 'no control character reaches a terminal');
		assert.equal(csvCell('=HYPERLINK("http://evil","x")'), '"\'=HYPERLINK(""http://evil"",""x"")"');
		assert.equal(csvCell(-0.12), '-0.12', 'our own numbers stay numbers');
		assert.equal(csvCell(undefined), '');
	});

	it('writes the routes as CSV, worst first, a score and a change per column, CRLF lines', () => {
		const csv = scanCsv(sampleReport({ formFactors: ['mobile'] }));
		assert.ok(csv.endsWith('\r\n'));
		const lines = csv.split('\r\n').slice(0, -1);
		assert.equal(lines.length, 6);
		assert.equal(
			lines[0],
			'path,url,status,source,group,new,mobile performance,mobile performance change,mobile accessibility,mobile accessibility change,mobile best-practices,mobile best-practices change,mobile seo,mobile seo change,worst,seconds,cached,audit id,error code,error',
		);
		const blog = lines.find((l) => l.startsWith('/blog/slow,'));
		assert.equal(
			blog,
			'/blog/slow,https://site.example/blog/slow,ok,link,/blog/:slug,,0.42,-0.12,0.88,,0.96,,0.9,,0.42,6.2,,a2,,',
		);
		assert.ok(lines.indexOf(blog ?? '') < lines.findIndex((l) => l.startsWith('/,')), 'worst first');
		const hostile = lines.find((l) => l.includes('CANCELLED')) ?? '';
		assert.match(
			hostile,
			/,'=cmd\(\) said \\x1b\[1A$/,
			'a message from the site that could run as a formula is defused',
		);
		assert.ok(!/(^|,)=/.test(csv), 'no cell starts with =');
	});

	it('writes a self-contained HTML page: the Site view inline under a strict CSP, one nonce for its style and script, nothing remote', () => {
		const html = scanHtml(sampleReport());
		const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/
			.exec(html)?.[1]
			?.replaceAll('&#39;', "'");
		const nonce = /script-src 'nonce-([^']+)'/.exec(csp ?? '')?.[1] ?? '';
		assert.ok(nonce.length >= 16, csp);
		assert.equal(
			csp,
			`default-src 'none'; img-src data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'`,
		);
		const styles = [...html.matchAll(/<style( nonce="[^"]*")?>/g)];
		assert.ok(styles.length >= 1 && styles.every((m) => m[1] === ` nonce="${nonce}"`), 'the styles run under the CSP');
		const scripts = [...html.matchAll(/<script( [^>]*)?>/g)].map((m) => m[1] ?? '');
		assert.deepEqual(
			scripts,
			[' type="application/json" id="data"', ` nonce="${nonce}"`],
			'one script, ours; one data block',
		);
		assert.ok(
			html.includes(fs.readFileSync(path.join(__dirname, '../../../../dist/siteView.js'), 'utf8').slice(0, 200)),
		);
		assert.doesNotMatch(html, /<(link|img|iframe|object|embed)\b/);
		assert.doesNotMatch(html, /<script[^>]*\bsrc=/);
	});

	it('inlines the report as JSON that no text from the site can break out of, with the Lighthouse reports by route', () => {
		const report = sampleReport();
		report.routes.push(
			route('/js', { url: 'javascript:alert(1)', status: 'ok', scores: { mobile: { performance: 1 } }, worst: 1 }),
		);
		const blog = report.routes[1];
		assert.ok(blog);
		const name = lighthouseReportName(1, blog, 'mobile');
		assert.equal(name, 'lighthouse-002-blog-slow-mobile.html');
		assert.equal(
			lighthouseReportName(0, route(HOSTILE_PATH), 'desktop'),
			'lighthouse-001-script-alert-1-script-2K-0-pwned-desktop.html',
		);
		assert.equal(lighthouseReportName(9, route('/'), 'mobile'), 'lighthouse-010-home-mobile.html');
		const html = scanHtml(report, new Map([[blog, { mobile: name }]]));
		const data = /<script type="application\/json" id="data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
		assert.ok(!data.includes('<') && !data.includes('>'), 'the hostile path is not markup');
		assert.ok(data.includes('\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\u001b[2K'), 'kept as text in the data');
		assert.ok(!html.includes('\x1b'), 'no raw escape character either');
		assert.ok(!html.includes('href="javascript:'));
		const state = JSON.parse(data) as { routes: ScanRoute[]; lighthouseReports: Record<string, unknown> };
		assert.equal(state.routes.find((r) => r.path.startsWith('/<'))?.path, HOSTILE_PATH, 'JSON.parse reads it back');
		assert.deepEqual(state.lighthouseReports, { 'https://site.example/blog/slow': { mobile: name } });
		assert.equal(escapeHtml(`"'<>&`), '&quot;&#39;&lt;&gt;&amp;');
	});
});

describe('auditlens history --scans (real sql.js file)', () => {
	it('lists the scans newest first with their routes, failures and mean scores, a hostile start URL made safe', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-scan-history-'));
		try {
			const db = path.join(dir, 'h.sqlite');
			const store = await HistoryStore.open({
				path: db,
				settings: testSettings(),
				log: recordingLogger(),
				flushDelayMs: 0,
			});
			await store.saveScan(sampleReport({ id: 'older', startedAt: '2026-11-24T21:00:00.000Z' }));
			await store.saveScan(
				sampleReport({
					id: 'newer',
					startUrl: `https://site.example/${ESC}]0;pwned\x07`,
					startedAt: '2026-11-24T22:00:00.000Z',
				}),
			);
			await store.close();
			const out = new PassThrough();
			let text = '';
			out.on('data', (d: Buffer) => (text += d.toString()));
			assert.equal(await historyCommand({ db, json: false, scans: true, out }), 0);
			const lines = text.split('\n');
			assert.match(lines[0] ?? '', /^ID +STARTED \(UTC\) +TOOK +STATUS +ROUTES +FAILED +MOBILE +DESKTOP +START URL$/);
			assert.match(
				lines[1] ?? '',
				/^newer +2026-11-24 22:00 +40\.0 s +partial +5 +2 +\d+\/\d+\/\d+\/\d+ +\d+\/\d+\/\d+\/\d+ +https:\/\/site\.example\/\\x1b\]0;pwned\\x07$/,
			);
			assert.match(lines[2] ?? '', /^older +2026-11-24 21:00 /);
			assert.doesNotMatch(text, CONTROL);
			const json = new PassThrough();
			let doc = '';
			json.on('data', (d: Buffer) => (doc += d.toString()));
			assert.equal(await historyCommand({ db, json: true, scans: true, url: 'https://site.example/', out: json }), 0);
			assert.deepEqual(
				(JSON.parse(doc) as { scans: { id: string }[] }).scans.map((s) => s.id),
				['older'],
			);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});
