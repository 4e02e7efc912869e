/**
 * The result panel's real webview bundle (dist/webview.js) in a real Chromium, under the panel's CSP,
 * driven with results built here: the banner of partial and failed results, the age of a cached one
 * and its Re-run button, CrUX field data, and page text that tries to be markup. The same bundle runs
 * inside VS Code (test/e2e checks it there too).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { summarizeLhr } from '../../src/engine/lighthouse/summarize';
import type { LhrLike } from '../../src/engine/lighthouse/workerProtocol';
import type { AuditResult, LighthouseRun } from '../../src/protocol';
import type { PanelState } from '../../src/webview/protocol';
import { ROOT } from '../helpers/engineProcess';
import { loadInsightsLhr, sampleResult } from '../helpers/sampleResult';
import { useWebviewBrowser } from '../helpers/webviewBrowser';

const XSS_TITLE = "<img src=x onerror=\"document.documentElement.setAttribute('data-xss','1')\">";
const XSS_CTA = '<script>document.documentElement.setAttribute("data-xss","2")</script>Buy';

/** The panel's page as resultPanel.ts builds it: a CSP with a nonce, the bundle, a stub of the VS Code API. */
function panelHtml(): string {
	const nonce = 'dGVzdC1ub25jZQ==';
	const bundle = fs.readFileSync(path.join(ROOT, 'dist', 'webview.js'), 'utf8');
	const css = fs.readFileSync(path.join(ROOT, 'media', 'panel.css'), 'utf8');
	return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'">
<style nonce="${nonce}">${css}</style></head>
<body><main id="app" aria-live="polite"></main>
<script nonce="${nonce}">window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} });</script>
<script nonce="${nonce}">${bundle.replace(/<\/script/gi, '<\\/script')}</script>
</body></html>`;
}

/** A mobile-only result whose Lighthouse run is the summary of a real report by Lighthouse `major`. */
function resultBy(major: 12 | 13, requestedAt?: Date): { result: AuditResult; run: LighthouseRun } {
	const run = summarizeLhr(loadInsightsLhr(major) as unknown as LhrLike, 'mobile', []);
	const result = sampleResult({ requestedAt });
	result.options.formFactors = ['mobile'];
	delete result.stages['lighthouse-desktop'];
	result.stages['lighthouse-mobile'] = { status: 'ok', startedAt: result.requestedAt, durationMs: 6000, data: run };
	result.lighthouseVersion = run.lighthouseVersion;
	return { result, run };
}

function doneState(result: AuditResult): PanelState {
	const { stages, ...rest } = result;
	return {
		url: result.url,
		resultId: result.id,
		devServer: false,
		status: result.status === 'failed' ? 'failed' : 'done',
		progress: {},
		stages,
		result: rest,
		error: result.error,
		images: {},
	};
}

describe('Result panel webview (real bundle, real Chromium)', function () {
	this.timeout(60_000);
	const browser = useWebviewBrowser('webview.js');
	let page: Page;

	beforeEach(async () => {
		page = await browser().newPage();
		await page.setContent(panelHtml());
	});

	afterEach(async () => {
		await page?.close();
	});

	async function show(state: PanelState): Promise<void> {
		await page.evaluate((s) => window.postMessage({ method: 'init', params: { state: s } }, '*'), state);
		await page.locator('.section-header h1').waitFor();
	}

	it('shows no banner for a complete result', async () => {
		await show(doneState(sampleResult()));
		assert.equal(await page.locator('[data-testid=status-banner]').count(), 0);
		assert.ok(await page.locator('.gauge[data-score]').count());
	});

	it('puts a banner at the top of a partial result naming each failed stage and its message', async () => {
		const r = sampleResult();
		r.status = 'partial';
		r.stages['lighthouse-desktop'] = {
			status: 'error',
			startedAt: r.requestedAt,
			durationMs: 60_000,
			error: { code: 'TIMEOUT', message: 'The desktop Lighthouse run timed out after 60 s.' },
		};
		r.stageErrors = {
			'lighthouse-desktop': { code: 'TIMEOUT', message: 'The desktop Lighthouse run timed out after 60 s.' },
		};
		await show(doneState(r));
		const banner = page.locator('[data-testid=status-banner]');
		assert.equal(await banner.getAttribute('data-status'), 'partial');
		assert.equal(await banner.locator('.banner-title').textContent(), 'Partial result: 1 stage failed');
		assert.equal(
			await banner.locator('li[data-stage="lighthouse-desktop"]').textContent(),
			'Lighthouse (desktop): The desktop Lighthouse run timed out after 60 s.',
		);
		const order = await page.$$eval('main > section:not(:empty)', (els) =>
			els.map((e) => e.getAttribute('data-section')),
		);
		assert.deepEqual(order.slice(0, 2), ['header', 'banner'], 'the banner comes right after the title');
		assert.match((await page.locator('.section-header .meta').textContent()) ?? '', / · partial/);
		assert.equal(
			await page.locator('.gauge[data-form-factor=mobile][data-score]').count(),
			4,
			'what did succeed is still shown',
		);
	});

	it('says why a failed result failed, as an alert', async () => {
		const r = sampleResult({ failed: true });
		r.status = 'failed';
		r.error = { code: 'HTTP_ERROR', message: 'https://example.com/ answered HTTP 500 Internal Server Error.' };
		await show(doneState(r));
		const banner = page.locator('[data-testid=status-banner]');
		assert.equal(await banner.getAttribute('role'), 'alert');
		assert.equal(await banner.locator('.banner-title').textContent(), 'The audit failed');
		assert.match((await banner.textContent()) ?? '', /Audit: https:\/\/example\.com\/ answered HTTP 500/);
	});

	it('labels a cached result with its age and offers Re-run first, which asks the host for a fresh run', async () => {
		const r = sampleResult({ requestedAt: new Date(Date.now() - 12 * 60_000 - 5_000) });
		r.fromCache = true;
		await show(doneState(r));
		assert.equal(await page.locator('[data-testid=cache-age]').textContent(), ' · cached, 12 min ago');
		const first = page.locator('.actions button').first();
		assert.equal(await first.getAttribute('data-action'), 'rerun');
		assert.doesNotMatch(
			(await first.getAttribute('class')) ?? '',
			/secondary/,
			'the primary button, not a secondary one',
		);
		await first.click();
		assert.deepEqual(await page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted.at(-1)), {
			method: 'rerun',
			params: {},
		});
	});

	it('says a signed-in result was signed in, with header and cookie names only', async () => {
		const r = sampleResult();
		r.auth = { headers: ['Authorization'], cookies: ['session', 'csrf'], loginScript: '/work/app/login.mjs' };
		await show(doneState(r));
		assert.equal(
			await page.locator('[data-testid=signed-in]').textContent(),
			' · signed in: header Authorization · cookies session, csrf · login script login.mjs',
		);
		await show(doneState(sampleResult()));
		assert.equal(await page.locator('[data-testid=signed-in]').count(), 0, 'a signed-out result says nothing');
	});

	it('marks the form factor whose run was made under CPU contention, with the figures, and not the other', async () => {
		const r = sampleResult();
		const mobile = r.stages['lighthouse-mobile'];
		if (mobile?.status !== 'ok') throw new Error('the sample has a mobile run');
		mobile.data = {
			...mobile.data,
			benchmarkIndex: 812,
			traceCpu: { waitRatio: 0.62, besideCores: 1.4, cores: 2 },
			contention: true,
		};
		await show(doneState(r));
		const mark = page.locator('.gauge-row[data-form-factor=mobile] [data-testid=contention]');
		assert.equal(await mark.textContent(), 'under contention');
		assert.match(
			(await mark.getAttribute('title')) ?? '',
			/other work used 1\.4 of 2 cores\. Lighthouse benchmarkIndex 812\./,
		);
		assert.equal(await page.locator('.gauge-row[data-form-factor=desktop] [data-testid=contention]').count(), 0);
	});

	it('labels an audit of the dev server as a development build, and no other', async () => {
		await show({ ...doneState(sampleResult()), devServer: true });
		assert.equal(await page.locator('[data-testid=dev-build]').count(), 1);
		await page.setContent(panelHtml());
		await show(doneState(sampleResult()));
		assert.equal(await page.locator('[data-testid=dev-build]').count(), 0);
	});

	it('does not label a fresh result as cached', async () => {
		await show(doneState(sampleResult()));
		assert.equal(await page.locator('[data-testid=cache-age]').count(), 0);
		assert.equal(await page.locator('.actions button').last().getAttribute('data-action'), 'rerun');
	});

	it('shows CrUX field data of the URL and the origin with the collection period', async () => {
		const r = sampleResult();
		r.stages.crux = {
			status: 'ok',
			startedAt: r.requestedAt,
			durationMs: 300,
			data: {
				url: { lcp: 2100, cls: 0.02 },
				origin: { lcp: 4600, inp: 240, cls: 0.12, fcp: 1500, ttfb: 700 },
				formFactor: 'PHONE',
				collectionPeriod: { firstDate: '2026-10-20', lastDate: '2026-11-16' },
			},
		};
		await show(doneState(r));
		const table = page.locator('[data-testid=crux]');
		assert.deepEqual(await table.locator('thead th').allTextContents(), ['p75', 'This URL', 'Whole origin']);
		const lcp = table.locator('tr[data-crux-metric=lcp] td');
		assert.deepEqual(await lcp.allTextContents(), ['2.1 s', '4.6 s']);
		assert.deepEqual(await lcp.evaluateAll((tds) => tds.map((t) => t.className)), ['crux-good', 'crux-poor']);
		assert.equal(await table.locator('tr[data-crux-metric=inp] td').first().textContent(), '–');
		assert.match(
			(await page.locator('.section-field').textContent()) ?? '',
			/Real Chrome users on phones, 20 Oct 2026 to 16 Nov 2026/,
		);
	});

	it('says when CrUX has no field data, and how to get some when no key is set', async () => {
		const r = sampleResult();
		r.stages.crux = {
			status: 'ok',
			startedAt: r.requestedAt,
			durationMs: 300,
			data: { note: 'CrUX has no field data for this URL or its origin (too little traffic).' },
		};
		await show(doneState(r));
		assert.equal(
			await page.locator('[data-testid=crux-note]').textContent(),
			'CrUX has no field data for this URL or its origin (too little traffic).',
		);
		assert.equal(await page.locator('[data-testid=crux]').count(), 0);

		const noKey = sampleResult();
		noKey.stages.crux = {
			status: 'skipped',
			startedAt: noKey.requestedAt,
			durationMs: 0,
			reason: 'no CrUX API key set',
		};
		await show(doneState(noKey));
		assert.match((await page.locator('.section-field').textContent()) ?? '', /Set CrUX API Key/);
	});

	it('shows Lighthouse 13 insights worst first with their savings and rows, once, and which Lighthouse made the result', async () => {
		const { result, run } = resultBy(13);
		await show(doneState(result));
		assert.equal(
			await page.locator('[data-testid=lighthouse-version]').textContent(),
			` · Lighthouse ${run.lighthouseVersion}`,
		);
		assert.match((await page.locator('.section-insights h2').textContent()) ?? '', /^Insights · Lighthouse 13\./);
		const ids = await page.$$eval('.section-insights li.insight', (els) =>
			els.map((e) => e.getAttribute('data-insight')),
		);
		assert.deepEqual(
			ids,
			run.insights?.map((i) => i.id),
		);
		const blocking = page.locator('li.insight[data-insight="render-blocking-insight"]');
		assert.match((await blocking.locator('[data-testid=savings]').textContent()) ?? '', /^Est\. savings: FCP \d+ ms$/);
		assert.deepEqual((await blocking.locator('.insight-items code').allTextContents()).sort(), [
			'/insights/blocking.css',
			'/insights/blocking.js',
		]);
		assert.match((await blocking.locator('.insight-items li').first().textContent()) ?? '', /\d+ ms$/);
		const images = page.locator('li.insight[data-insight="image-delivery-insight"]');
		assert.match((await images.textContent()) ?? '', /\/noise\.png\?w=1600&h=1000 [\d.]+ MiB/);
		assert.equal(
			await page.locator('.section-failing li[data-audit="render-blocking-insight"]').count(),
			0,
			'an insight is not listed again as a failing audit',
		);

		const { performance: _notAudited, ...others } = run.scores;
		const withoutPerformance = resultBy(13).result;
		withoutPerformance.stages['lighthouse-mobile'] = {
			status: 'ok',
			startedAt: result.requestedAt,
			durationMs: 1,
			data: { ...run, scores: others, insights: [] },
		};
		await show(doneState(withoutPerformance));
		assert.equal(
			await page.locator('.section-insights').textContent(),
			'',
			'no insights section when performance was not audited',
		);
	});

	it('shows a Lighthouse 12 result’s opportunities, and marks the comparison with it across majors', async () => {
		const old = resultBy(12, new Date(Date.now() - 86_400_000));
		await show(doneState(old.result));
		assert.match(
			(await page.locator('.section-insights h2').textContent()) ?? '',
			/^Opportunities · Lighthouse 12\.8\.2/,
		);
		assert.ok(await page.locator('li.insight[data-insight="render-blocking-resources"]').count());
		assert.equal(await page.locator('[data-testid=lighthouse-version]').textContent(), ' · Lighthouse 12.8.2');

		const now = resultBy(13);
		await show({
			...doneState(now.result),
			previous: { id: old.result.id, requestedAt: old.result.requestedAt, stages: old.result.stages },
		});
		assert.equal(
			await page.locator('[data-testid=comparison-cross-major]').textContent(),
			'Lighthouse 12 → 13: scores not directly comparable: Lighthouse changed its audits and scoring between these two.',
		);
		assert.match(
			(await page.locator('[data-testid=cross-major]').textContent()) ?? '',
			/Lighthouse 12 → 13: scores not directly comparable/,
		);
		assert.match((await page.locator('.section-comparison').textContent()) ?? '', /\(Lighthouse 12\.8\.2\)/);

		const same = resultBy(13, new Date(Date.now() - 3_600_000));
		await show({
			...doneState(now.result),
			previous: { id: same.result.id, requestedAt: same.result.requestedAt, stages: same.result.stages },
		});
		assert.equal(await page.locator('[data-testid=comparison-cross-major]').count(), 0, 'one major: no mark');
	});

	it('shows page text that looks like markup as text, and runs none of it', async () => {
		const r = sampleResult();
		r.stages.cro = {
			status: 'ok',
			startedAt: r.requestedAt,
			durationMs: 5,
			data: {
				findings: [
					{
						rule: 'h1-value-prop',
						severity: 'medium',
						title: `The H1 "${XSS_TITLE}" does not state a value proposition`,
						element: { selector: 'h1', text: XSS_TITLE },
						why: XSS_TITLE,
						fix: XSS_CTA,
					},
					{
						rule: 'weak-cta-text',
						severity: 'low',
						title: `Weak call-to-action text "${XSS_CTA}"`,
						element: { selector: 'button', text: XSS_CTA },
						why: 'x',
						fix: 'y',
					},
				],
			},
		};
		const mobile = r.stages['lighthouse-mobile'];
		assert.ok(mobile?.status === 'ok');
		mobile.data.insights = [
			{
				id: 'render-blocking-insight',
				title: 'Render-blocking requests',
				score: 0,
				metricSavings: { FCP: 300 },
				items: [{ label: XSS_TITLE, wastedMs: 300 }],
				itemCount: 1,
			},
		];
		r.status = 'partial';
		r.stageErrors = { capture: { code: 'CAPTURE_ERROR', message: XSS_TITLE } };
		await show(doneState(r));
		const cro = (await page.locator('.section-cro').textContent()) ?? '';
		assert.ok(cro.includes(`The H1 "${XSS_TITLE}" does not state a value proposition`), cro);
		assert.ok(cro.includes(`Weak call-to-action text "${XSS_CTA}"`), cro);
		assert.ok(((await page.locator('[data-testid=status-banner]').textContent()) ?? '').includes(XSS_TITLE));
		assert.equal(await page.locator('.section-insights .insight-items code').textContent(), XSS_TITLE);
		assert.equal(await page.locator('img[src="x"]').count(), 0, 'no element was made from page text');
		assert.equal(await page.locator('main script').count(), 0);
		assert.equal(
			await page.evaluate(() => document.documentElement.getAttribute('data-xss')),
			null,
			'no script from page text ran',
		);
	});
});
