/**
 * `scan --html`'s index.html opened as a file in a real Chromium, with nothing else: the Site view's bundle runs
 * from the page itself under its CSP, renders the routes worst first from the inlined data, sorts on a header
 * click, links a route to its Lighthouse report beside the page, and shows hostile route text as text.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { lighthouseReportName, scanHtml } from '../../../src/cli/output/siteReportHtml';
import { sampleRoute, sampleScan } from '../../helpers/sampleScan';
import { useWebviewBrowser } from '../../helpers/webviewBrowser';

const XSS_PATH = "/q=</script><script>document.documentElement.setAttribute('data-xss','1')</script>";
const XSS_TITLE = "<img src=x onerror=\"document.documentElement.setAttribute('data-xss','2')\">Images lack alt";

describe('scan --html report (the Site view inline, opened as a file in real Chromium)', function () {
	this.timeout(60_000);
	const browser = useWebviewBrowser('siteView.js');
	let dir: string;
	let page: Page;
	let refused: string[];

	beforeEach(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-site-html-'));
		page = await browser().newPage();
		refused = [];
		page.on('console', (m) => {
			if (/Content Security Policy|Refused/i.test(m.text())) refused.push(m.text());
		});
		page.on('pageerror', (e) => refused.push(e.message));
	});

	afterEach(async () => {
		await page?.close();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	const rowPaths = () =>
		page.$$eval('[data-testid=routes] tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-path')));

	it('renders the routes worst first from the file alone, sorts on a header click, links Lighthouse reports', async () => {
		const report = sampleScan();
		const pricing = report.routes.findIndex((r) => r.path === '/pricing');
		const name = lighthouseReportName(pricing, report.routes[pricing] ?? { path: '' }, 'mobile');
		fs.writeFileSync(path.join(dir, name), '<!doctype html><title>Lighthouse</title>');
		const reports = new Map([[report.routes[pricing] ?? sampleRoute('/', {}), { mobile: name }]]);
		fs.writeFileSync(path.join(dir, 'index.html'), scanHtml(report, reports));

		await page.goto(pathToFileURL(path.join(dir, 'index.html')).href);
		await page.locator('[data-testid=routes]').waitFor();
		assert.deepEqual(await rowPaths(), ['/broken', '/pricing', '/']);
		assert.equal(
			await page
				.locator('tr[data-path="/pricing"] td[data-col="mobile:performance"] [data-testid=change]')
				.textContent(),
			' ▼12',
		);
		assert.match((await page.locator('[data-testid=discovery]').textContent()) ?? '', /^Found 5 routes, audited 3/);
		assert.equal(await page.locator('button[data-action=rescan]').count(), 0, 'no host to scan again');

		await page.click('th[data-sort=path] button');
		assert.deepEqual(await rowPaths(), ['/', '/broken', '/pricing']);
		assert.equal(await page.locator('th[data-sort=path]').getAttribute('aria-sort'), 'ascending');
		await page.click('th[data-sort=path] button');
		assert.deepEqual(await rowPaths(), ['/pricing', '/broken', '/']);

		const link = page.locator('tr[data-path="/pricing"] a.route-link');
		assert.equal(await link.getAttribute('href'), name);
		assert.equal(await page.locator('tr[data-path="/"] a').count(), 0, 'no report file, no link');
		await link.click();
		await page.waitForURL(/lighthouse-\d+-pricing-mobile\.html$/);
		assert.deepEqual(refused, []);
	});

	it('shows route paths and audit titles that look like markup as text, and runs none of it', async () => {
		const report = sampleScan([
			sampleRoute(XSS_PATH, { performance: 0.5 }),
			sampleRoute('/x', {}, { status: 'failed', error: { code: 'HTTP_ERROR', message: XSS_TITLE } }),
		]);
		report.startUrl = `https://example.com${XSS_PATH}`;
		report.failingAudits = [
			{ id: 'image-alt', title: XSS_TITLE, formFactor: 'mobile', routes: 1, of: 2, examples: [XSS_PATH] },
		];
		// A report file name that is not one the CLI writes: not linked.
		const reports = new Map([[report.routes[0] ?? sampleRoute('/', {}), { mobile: 'javascript:alert(1)//.html' }]]);
		fs.writeFileSync(path.join(dir, 'index.html'), scanHtml(report, reports));

		await page.goto(pathToFileURL(path.join(dir, 'index.html')).href);
		await page.locator('[data-testid=routes]').waitFor();
		assert.equal(await page.locator('.section-header h1').textContent(), `https://example.com${XSS_PATH}`);
		assert.deepEqual(await rowPaths(), ['/x', XSS_PATH]);
		assert.equal(await page.locator('tr[data-status=ok] .route-path').textContent(), XSS_PATH);
		assert.equal(await page.locator('tr[data-status=ok] a').count(), 0);
		assert.equal(await page.locator('tr[data-status=failed] .route-status').getAttribute('title'), XSS_TITLE);
		assert.equal(await page.locator('.section-failing .failing-title').textContent(), XSS_TITLE);
		assert.equal(await page.locator('img').count(), 0, 'no element was made from page text');
		assert.equal(await page.locator('body > script').count(), 2, 'the data block and the bundle, nothing more');
		assert.equal(await page.evaluate(() => document.documentElement.getAttribute('data-xss')), null);
		assert.deepEqual(refused, []);
	});
});
