/**
 * The Site view's real webview bundle (dist/siteView.js) in a real Chromium, in the very page the host
 * builds (shared/webviewPage.ts) under its CSP and nonce, driven with site reports built here: the table worst
 * first, sorting by a click on a header, changes and new routes, the failing audits across the site,
 * rows appearing while the scan runs, and route paths and audit titles that try to be markup.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { ScanReport } from '../../src/protocol';
import { webviewPage } from '../../src/shared/webviewPage';
import type { SiteState } from '../../src/webview/siteProtocol';
import { ROOT } from '../helpers/engineProcess';
import { sampleRoute, sampleScan } from '../helpers/sampleScan';
import { useWebviewBrowser } from '../helpers/webviewBrowser';

/** Stands in for the webview's resource origin (`webview.cspSource`). */
const ORIGIN = 'https://webview.test';
const XSS_PATH = "/search?q=<img src=x onerror=\"document.documentElement.setAttribute('data-xss','1')\">";
const XSS_TITLE = '<script>document.documentElement.setAttribute("data-xss","2")</script>Images lack alt';

function doneState(report: ScanReport): SiteState {
	const { routes, ...rest } = report;
	return {
		scanId: report.id,
		startUrl: report.startUrl,
		formFactors: report.formFactors,
		status: report.status,
		routes,
		report: rest,
	};
}

interface Posted {
	method: string;
	params: unknown;
}

describe('Site view webview (real bundle, real Chromium, the host’s page and CSP)', function () {
	this.timeout(60_000);
	const browser = useWebviewBrowser('siteView.js');
	let page: Page;

	beforeEach(async () => {
		page = await browser().newPage();
		const html = webviewPage({
			cspSource: ORIGIN,
			css: `${ORIGIN}/media/panel.css`,
			script: `${ORIGIN}/dist/siteView.js`,
			title: 'AuditLens',
		});
		await page.route(`${ORIGIN}/**`, (route) => {
			const p = new URL(route.request().url()).pathname;
			if (p === '/index.html') return route.fulfill({ contentType: 'text/html', body: html });
			const file = path.join(ROOT, p);
			if (!/^\/(dist|media)\//.test(p) || !fs.existsSync(file)) return route.fulfill({ status: 404 });
			return route.fulfill({
				contentType: p.endsWith('.css') ? 'text/css' : 'text/javascript',
				body: fs.readFileSync(file),
			});
		});
		// What VS Code gives a webview; an init script, so the page's own CSP still governs every script it has.
		await page.addInitScript(() => {
			const w = window as unknown as { __posted: unknown[]; __state: unknown; acquireVsCodeApi: () => unknown };
			w.__posted = [];
			w.acquireVsCodeApi = () => ({
				postMessage: (m: unknown) => w.__posted.push(m),
				getState: () => w.__state,
				setState: (s: unknown) => (w.__state = s),
			});
		});
		await page.goto(`${ORIGIN}/index.html`);
		await page.waitForFunction(() =>
			(window as unknown as { __posted: { method: string }[] }).__posted.some((m) => m.method === 'siteReady'),
		);
	});

	afterEach(async () => {
		await page?.close();
	});

	const posted = () => page.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted);
	const rowPaths = () =>
		page.$$eval('[data-testid=routes] tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-path')));

	async function show(state: SiteState): Promise<void> {
		await page.evaluate((s) => window.postMessage({ method: 'siteInit', params: { state: s } }, '*'), state);
		await page.locator('.section-header h1').waitFor();
	}

	it('shows the routes worst first with their scores, changes since the last scan and new routes', async () => {
		await show(doneState(sampleScan()));
		assert.deepEqual(await rowPaths(), ['/broken', '/pricing', '/']);
		assert.equal(await page.locator('th[data-sort=worst]').getAttribute('aria-sort'), 'ascending');
		const pricing = page.locator('tr[data-path="/pricing"]');
		assert.equal(await pricing.locator('td[data-col="mobile:performance"]').getAttribute('data-score'), '42');
		assert.equal(await pricing.locator('td[data-col="mobile:performance"] [data-testid=change]').textContent(), ' ▼12');
		assert.equal(
			await pricing.locator('td[data-col="mobile:seo"] [data-testid=change]').count(),
			0,
			'no mark for no change',
		);
		assert.equal(
			await page.locator('tr[data-path="/"] td[data-col="mobile:performance"] .delta.up').textContent(),
			' ▲3',
		);
		assert.equal(await page.locator('tr[data-path="/broken"] [data-testid=new]').textContent(), 'new');
		assert.equal(
			await page.locator('tr[data-path="/broken"] .route-status').getAttribute('title'),
			'https://example.com/broken answered HTTP 500.',
		);
		assert.deepEqual(await page.locator('[data-testid=routes] thead th').allTextContents(), [
			'Route',
			'Status',
			'P',
			'A',
			'BP',
			'SEO',
			'Lowest ↑',
		]);
		assert.match(
			(await page.locator('.section-failing li[data-audit=image-alt]').textContent()) ?? '',
			/image-alt on 2 of 2 routes · e\.g\. \/, \/pricing$/,
		);
		assert.match((await page.locator('[data-testid=discovery]').textContent()) ?? '', /^Found 5 routes, audited 3/);
		assert.equal(await page.locator('[data-testid=removed]').textContent(), 'Gone since the previous scan: /old');
		assert.match(
			(await page.locator('[data-testid=scan-meta]').textContent()) ?? '',
			/some routes failed · 42\.0 s · Mobile · changes against the previous scan/,
		);
	});

	it('sorts by the column whose header is clicked, then the other way, and keeps the order for a reload', async () => {
		await show(doneState(sampleScan()));
		await page.locator('th[data-sort="mobile:seo"] button').click();
		assert.deepEqual(await rowPaths(), ['/broken', '/', '/pricing']);
		assert.equal(await page.locator('th[data-sort="mobile:seo"]').getAttribute('aria-sort'), 'ascending');
		assert.equal(await page.locator('th[data-sort=worst]').getAttribute('aria-sort'), 'none');
		await page.locator('th[data-sort="mobile:seo"] button').click();
		assert.deepEqual(await rowPaths(), ['/pricing', '/', '/broken']);
		await page.locator('th[data-sort=path] button').click();
		assert.deepEqual(await rowPaths(), ['/', '/broken', '/pricing']);
		assert.deepEqual(await page.evaluate(() => (window as unknown as { __state: unknown }).__state), {
			scanId: 'scan-1',
			startUrl: 'https://example.com/',
			sort: { key: 'path', dir: 'asc' },
		});
	});

	it('asks the host to open a route’s audit when its path is clicked (a route without an audit is not a link), and to scan again', async () => {
		await show(
			doneState(
				sampleScan([
					sampleRoute('/a', { seo: 1 }),
					sampleRoute(
						'/queued',
						{},
						{ status: 'error', auditId: undefined, error: { code: 'CANCELLED', message: 'The scan was cancelled.' } },
					),
				]),
			),
		);
		await page.locator('tr[data-path="/a"] button.route-link').click();
		assert.deepEqual((await posted()).at(-1), { method: 'openRoute', params: { auditId: 'audit-/a' } });
		assert.equal(await page.locator('tr[data-path="/queued"] button').count(), 0);
		await page.locator('button[data-action=rescan]').click();
		assert.deepEqual((await posted()).at(-1), { method: 'rescan', params: {} });
		assert.equal(await page.locator('tr[data-path="/queued"] .route-status').textContent(), 'not audited');
	});

	it('adds rows as routes finish while the scan runs, with how far it is', async () => {
		await show({
			scanId: 'scan-live',
			startUrl: 'https://example.com/',
			formFactors: ['mobile'],
			status: 'running',
			routes: [],
		});
		assert.match(
			(await page.locator('.section-routes').textContent()) ?? '',
			/Routes appear here as their audits finish/,
		);
		const progress = async (done: number, route?: ReturnType<typeof sampleRoute>) =>
			page.evaluate(
				([d, r]) =>
					window.postMessage(
						{
							method: 'siteProgress',
							params: { progress: { phase: 'auditing', discovered: 3, done: d, total: 3, etaMs: 20_000 }, route: r },
						},
						'*',
					),
				[done, route] as const,
			);
		await progress(1, sampleRoute('/b', { performance: 0.8 }));
		await progress(2, sampleRoute('/a', { performance: 0.3 }));
		await page.locator('tr[data-path="/a"]').waitFor();
		assert.deepEqual(await rowPaths(), ['/a', '/b'], 'worst first as they arrive');
		assert.equal(await page.locator('[data-testid=scan-progress]').textContent(), '2 of 3 routes · about 20 s left');
		assert.equal(await page.locator('.section-progress progress').getAttribute('value'), '2');
		assert.equal(await page.locator('[data-testid=scan-meta]').getAttribute('data-status'), 'running');
	});

	it('says it is loading a stored scan rather than scanning, then shows it', async () => {
		await show({ scanId: 'scan-1', startUrl: '', formFactors: [], status: 'loading', routes: [] });
		assert.equal(await page.locator('[data-testid=scan-meta]').textContent(), 'Loading the scan…');
		assert.equal(await page.locator('.section-routes').textContent(), '');
		assert.equal(await page.locator('.section-progress').textContent(), '');
		await show(doneState(sampleScan()));
		assert.equal(await page.locator('[data-testid=routes] tbody tr').count(), 3);
	});

	it('shows route paths, audit titles and messages that look like markup as text, and runs none of it', async () => {
		const report = sampleScan([
			sampleRoute(XSS_PATH, { performance: 0.5 }, { group: XSS_TITLE }),
			sampleRoute('/x', {}, { status: 'failed', error: { code: 'HTTP_ERROR', message: XSS_TITLE } }),
		]);
		report.startUrl = `https://example.com${XSS_PATH}`;
		report.failingAudits = [
			{ id: 'image-alt', title: XSS_TITLE, formFactor: 'mobile', routes: 1, of: 2, examples: [XSS_PATH] },
		];
		report.removedRoutes = [XSS_PATH];
		await show(doneState(report));
		assert.equal(await page.locator('.section-header h1').textContent(), `https://example.com${XSS_PATH}`);
		assert.equal(await page.locator('tr[data-status=ok] button.route-link').textContent(), XSS_PATH);
		assert.equal(await page.locator('tr[data-status=failed] .route-status').getAttribute('title'), XSS_TITLE);
		assert.equal(await page.locator('.section-failing .failing-title').textContent(), XSS_TITLE);
		assert.ok(((await page.locator('.section-failing').textContent()) ?? '').includes(`e.g. ${XSS_PATH}`));
		assert.equal(await page.locator('img').count(), 0, 'no element was made from page text');
		assert.equal(await page.locator('main script').count(), 0);
		assert.equal(
			await page.evaluate(() => document.documentElement.getAttribute('data-xss')),
			null,
			'no script from page text ran',
		);
	});
});
