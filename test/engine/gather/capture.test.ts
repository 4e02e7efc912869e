import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { CaptureBrowser } from '../../../src/engine/capture/captureBrowser';
import { MAX_FULL_PAGE_HEIGHT } from '../../../src/engine/capture/screenshots';
import { createLogger } from '../../../src/engine/log';
import { DEFAULT_SETTINGS } from '../../../src/engine/settings';
import { createCaptureStage } from '../../../src/engine/gather/capture';
import type { CaptureData, EngineSettings } from '../../../src/protocol';
import { until } from '../../helpers/async';
import { waitFor } from '../../helpers/engineProcess';
import { startFixtureServer, type FixtureServer } from '../../helpers/fixtureServer';
import { StageHarness } from '../../helpers/stageHarness';

/** Chromium processes started by this test process (Playwright launches the browser as our child). */
function ourChromiumPids(): number[] {
	try {
		return execFileSync('pgrep', ['-P', String(process.pid), 'chromium'], { encoding: 'utf8' })
			.trim()
			.split('\n')
			.filter(Boolean)
			.map(Number);
	} catch {
		return [];
	}
}

const isJpeg = (file: string) => {
	const head = fs.readFileSync(file).subarray(0, 3);
	return head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
};

describe('capture stage (real Chromium)', function () {
	this.timeout(60_000);
	let server: FixtureServer;
	let browser: CaptureBrowser;
	// a 20 s audit timeout: anything stuck shows up as a stage error (8 s navigation) rather than a mocha timeout
	const settings: EngineSettings = { ...DEFAULT_SETTINGS, maxCaptureContexts: 2, auditTimeoutMs: 20_000 };

	before(async () => {
		server = await startFixtureServer();
		browser = new CaptureBrowser(settings, createLogger('error'));
	});
	after(async () => {
		await browser.close();
		await server.close();
		assert.deepEqual(ourChromiumPids(), [], 'no Chromium left running');
	});

	async function capture(path: string, over: Partial<EngineSettings> = {}) {
		const ctx = new StageHarness({ url: server.url(path), settings: { ...settings, ...over }, logLevel: 'error' });
		const outcome = await ctx.runStage(createCaptureStage(browser));
		return { ctx, outcome };
	}
	const okData = (outcome: Awaited<ReturnType<typeof capture>>['outcome']): CaptureData => {
		assert.equal(outcome.status, 'ok', JSON.stringify(outcome));
		if (outcome.status !== 'ok') throw new Error('unreachable');
		return outcome.data;
	};

	it('takes viewport and full-page JPEGs for desktop (1920x1080) and mobile, under the target size', async () => {
		const { ctx, outcome } = await capture('/cro/good.html');
		const data = okData(outcome);
		for (const ff of ['desktop', 'mobile'] as const) {
			const shots = data.shots[ff];
			assert.ok(shots, `${ff} shots`);
			for (const shot of [shots.viewport, shots.fullPage]) {
				assert.ok(
					fs.existsSync(shot.path) && shot.path.startsWith(ctx.artifactsDir),
					'written under the artifacts dir',
				);
				assert.ok(isJpeg(shot.path));
				assert.equal(fs.statSync(shot.path).size, shot.bytes);
				assert.ok(shot.bytes <= settings.screenshotTargetBytes, `${ff} ${shot.bytes} <= target`);
			}
			assert.equal(shots.viewport.foldY, shots.viewport.height);
			assert.ok(shots.fullPage.height > shots.viewport.height, 'the full page is taller than the viewport');
		}
		assert.deepEqual([data.shots.desktop?.viewport.width, data.shots.desktop?.viewport.height], [1920, 1080]);
		assert.equal(data.shots.mobile?.viewport.width, 412);
	});

	it('compresses to a small target by lowering quality and scaling down', async () => {
		const target = 25_000;
		const data = okData((await capture('/cro/tall.html', { screenshotTargetBytes: target })).outcome);
		const desktop = data.shots.desktop!;
		assert.ok(
			desktop.viewport.bytes <= target && desktop.fullPage.bytes <= target,
			`${desktop.viewport.bytes} / ${desktop.fullPage.bytes}`,
		);
		assert.ok(desktop.fullPage.width < 1920, 'scaled down');
		assert.equal(desktop.viewport.foldY, desktop.viewport.height, 'fold scaled with the image');
	});

	it('caps the full-page height of a very tall page', async () => {
		const data = okData((await capture('/cro/tall.html')).outcome);
		assert.ok(data.facts.desktop!.documentHeight > 30_000);
		const full = data.shots.desktop!.fullPage;
		assert.ok(full.height <= MAX_FULL_PAGE_HEIGHT, `${full.height}`);
	});

	it('gathers DOM facts on a landing page', async () => {
		const data = okData((await capture('/cro/good.html')).outcome);
		const f = data.facts.desktop!;
		assert.equal(f.title, 'Lensly — landing page audits in your editor');
		assert.match(f.metaDescription ?? '', /^Lensly audits/);
		assert.equal(f.headings[0].level, 1);
		assert.equal(f.viewport.height, 1080);
		assert.ok(f.ctas.some((c) => c.text === 'Start free trial' && c.aboveFold && c.buttonLike));
		assert.ok(!f.ctas.some((c) => c.text === 'Features'), 'plain nav links are not CTAs');
		assert.deepEqual(
			f.forms.map((x) => [x.fieldCount, x.requiredCount, x.unlabeled.length, x.submitText]),
			[[2, 1, 0, 'Create my free account']],
		);
		assert.deepEqual([...new Set(f.trustSignals.map((t) => t.kind))].sort(), [
			'guarantee',
			'logos',
			'rating',
			'testimonial',
		]);
		assert.ok(f.socialProofNumbers.some((n) => /1,200 reviews/.test(n)));
		assert.ok(f.pricing.includes('$19/month'));
		assert.deepEqual([...new Set(f.contact.map((c) => c.kind))].sort(), ['email', 'phone']);
		assert.ok(f.firstScreen.wordCount > 20 && f.firstScreen.readingGrade !== undefined);
		assert.ok((f.pageWeightBytes ?? 0) > 1000);
		assert.ok(f.sections.some((s) => s.name === 'Pricing'));
		assert.ok(data.facts.mobile!.viewport.width === 412);
	});

	it('gives a clear stage error within the timeout for a page that never loads', async () => {
		const t0 = Date.now();
		const { outcome } = await capture('/hang', { auditTimeoutMs: 6_000 });
		assert.equal(outcome.status, 'error');
		if (outcome.status !== 'error') return;
		assert.equal(outcome.error.code, 'CAPTURE_ERROR');
		assert.match(outcome.error.message, /\/hang did not finish loading within \d+ s/);
		assert.ok(Date.now() - t0 < 6_000, `took ${Date.now() - t0} ms`);
		assert.equal(browser.info().openContexts, 0);
	});

	it('reports HTTP errors and non-HTML answers', async () => {
		const e500 = (await capture('/500')).outcome;
		assert.equal(e500.status === 'error' && e500.error.code, 'HTTP_ERROR');
		const json = (await capture('/json')).outcome;
		assert.equal(json.status === 'error' && json.error.code, 'NOT_HTML');
		assert.equal(browser.info().openContexts, 0);
	});

	it('stops promptly and closes its contexts when the audit is cancelled', async () => {
		const ctx = new StageHarness({ url: server.url('/hang'), settings, logLevel: 'error' });
		const hangsBefore = server.hits.get('/hang') ?? 0;
		const running = ctx.runStage(createCaptureStage(browser));
		// Cancel once the browser is surely loading the page (which never answers).
		await waitFor(
			() => (server.hits.get('/hang') ?? 0) > hangsBefore,
			30_000,
			'the capture browser to request the page',
		);
		ctx.abort();
		const t0 = Date.now();
		const outcome = await running;
		assert.equal(outcome.status, 'cancelled', JSON.stringify(outcome));
		assert.ok(Date.now() - t0 < 3_000);
		assert.equal(browser.info().openContexts, 0);
	});

	it('relaunches the browser after it is killed', async () => {
		okData((await capture('/cro/good.html')).outcome);
		const before = browser.info();
		const pids = ourChromiumPids();
		assert.ok(pids.length > 0, 'the capture browser is our child process');
		for (const pid of pids) process.kill(pid, 'SIGKILL');
		await until('the killed browser noticed', () => !browser.info().running, { timeoutMs: 5_000, intervalMs: 100 });
		assert.equal(browser.info().running, false, 'disconnect noticed');
		const data = okData((await capture('/cro/good.html')).outcome);
		assert.equal(data.warm, false, 'a fresh browser was launched');
		const after = browser.info();
		assert.equal(after.launches, before.launches + 1);
		assert.equal(after.disconnects, before.disconnects + 1);
	});

	it('keeps at most maxCaptureContexts open, changeable live', async function () {
		this.timeout(120_000);
		browser.configure({ ...settings, maxCaptureContexts: 1 });
		let maxOpen = 0;
		const poll = setInterval(() => (maxOpen = Math.max(maxOpen, browser.info().openContexts)), 5);
		try {
			// four jobs (2 audits x 2 form factors) through one slot: give the queue time
			const runs = await Promise.all([
				capture('/slow?ms=400', { auditTimeoutMs: 90_000 }),
				capture('/slow?ms=400', { auditTimeoutMs: 90_000 }),
			]);
			for (const r of runs) okData(r.outcome);
		} finally {
			clearInterval(poll);
			browser.configure(settings);
		}
		assert.equal(maxOpen, 1);
		assert.equal(browser.info().openContexts, 0);
	});

	it('closes every context and the browser on close()', async () => {
		const own = new CaptureBrowser(settings, createLogger('error'));
		try {
			const ctx = new StageHarness({ url: server.url('/cro/good.html'), settings, logLevel: 'error' });
			const outcome = await ctx.runStage(createCaptureStage(own));
			assert.equal(outcome.status, 'ok');
			assert.equal(own.info().running, true);
			await own.close();
			assert.deepEqual([own.info().running, own.info().openContexts], [false, 0]);
		} finally {
			// A failed check must not leave its Chrome to the tests after it (they count this process's Chromes).
			await own.close();
		}
	});
});
