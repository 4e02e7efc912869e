/**
 * End to end, as a person would: the packaged extension (.vsix) installed into a real VS Code
 * (code-server from npm), driven with Playwright and Debian's chromium. Runs "AuditLens: Audit URL"
 * from the command palette against a fixture page, reads the scores inside the result webview,
 * checks the history tree and the panel after a reload. (Audits on save are tested in the suite
 * inside VS Code, test/vscode/suite.) Screenshots go to test-artifacts/.
 *
 *   npx mocha --no-config --timeout 900000 out/test/e2e/vscode.e2e.js
 *   AUDITLENS_VSIX=path/to.vsix to test a given package (otherwise vsce packages the dist/ of `npm run build`)
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { startFixtureServer, type FixtureServer } from '../helpers/fixtureServer';
import {
	CHROMIUM,
	codeServerPaths,
	freePort,
	launchChromium,
	makeWorkspace,
	QUIET_SETTINGS,
	REPO,
	sleep,
	startProcess,
	waitForHttp,
	type Proc,
} from '../vscode/launch';

const ARTIFACTS = path.join(REPO, 'test-artifacts');
/** As in the `package` script of package.json. */
// The README's pictures stay relative: there is no repository URL to rewrite them against.
const VSCE_FLAGS = ['--allow-missing-repository', '--no-rewrite-relative-links', '--skip-license'];

interface GaugeReading {
	category: string;
	formFactor: string;
	score: string;
}

function findFiles(dir: string, pattern: RegExp): string[] {
	if (!fs.existsSync(dir)) return [];
	return fs
		.readdirSync(dir, { recursive: true, encoding: 'utf8' })
		.filter((f) => pattern.test(f))
		.map((f) => path.join(dir, f));
}

describe('AuditLens in code-server (e2e)', function () {
	this.timeout(15 * 60_000);

	let tmp: string;
	let codeServer: Proc | undefined;
	let fixture: FixtureServer;
	let browser: Browser;
	let page: Page;

	async function shot(name: string): Promise<void> {
		fs.mkdirSync(ARTIFACTS, { recursive: true });
		await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
	}

	async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const v = await fn().catch(() => undefined);
			if (v !== undefined) return v;
			if (Date.now() > deadline) {
				await shot(`timeout-${what.replace(/\W+/g, '-')}`).catch(() => undefined);
				throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
			}
			await sleep(500);
		}
	}

	async function quickInput(): Promise<void> {
		await page.locator('.quick-input-widget input').first().waitFor({ state: 'visible', timeout: 20_000 });
	}

	async function runCommand(title: string): Promise<void> {
		await page.keyboard.press('F1');
		await quickInput();
		await page.keyboard.type(title, { delay: 10 });
		await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 20_000 });
		await page.keyboard.press('Enter');
	}

	/** The frames of result panels (a webview's document sits in nested iframes). */
	async function resultFrames(): Promise<Frame[]> {
		const out: Frame[] = [];
		for (const f of page.frames()) {
			if (await f.$('main#app .section-gauges').catch(() => null)) out.push(f);
		}
		return out;
	}

	async function gauges(frame: Frame): Promise<GaugeReading[]> {
		return frame.$$eval('.gauge', (els) =>
			els.map((e) => ({
				category: e.getAttribute('data-category') ?? '',
				formFactor: e.getAttribute('data-form-factor') ?? '',
				score: e.getAttribute('data-score') ?? '',
			})),
		);
	}

	/** A result panel whose every gauge has a score, not one labelled as a development build. */
	async function scoredPanel(): Promise<{ frame: Frame; readings: GaugeReading[]; resultId: string }> {
		for (const frame of await resultFrames()) {
			if ((await frame.$('[data-testid=dev-build]')) !== null) continue;
			const resultId = (await frame.$eval('.section-header', (e) => e.getAttribute('data-result-id'))) ?? '';
			if (!resultId) continue;
			const readings = await gauges(frame);
			if (readings.length === 8 && readings.every((r) => /^\d+$/.test(r.score))) return { frame, readings, resultId };
		}
		throw new Error('not yet');
	}

	before(async () => {
		const paths = codeServerPaths();
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-e2e-'));
		const vsix = process.env.AUDITLENS_VSIX ?? path.join(tmp, 'auditlens.vsix');
		if (!process.env.AUDITLENS_VSIX) {
			// What `npm run package` does, into the temp folder, with the bundles as `npm run build` made them: rebuilding
			// dist/ here would change under the other tests the build they run.
			if (!fs.existsSync(path.join(REPO, 'dist', 'extension.js')))
				throw new Error('dist/extension.js is missing: run `npm run build` first');
			try {
				execFileSync(
					process.execPath,
					[path.join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', ...VSCE_FLAGS, '--out', vsix],
					{ cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] },
				);
			} catch (err) {
				// vsce lists production dependencies with `npm list --production`, which fails on any invalid
				// dependency (e.g. a "latest" spec inside Lighthouse's tree) until package.json overrides it.
				throw new Error(
					`vsce package failed (see above); if \`npm list --production\` reports invalid dependencies, fix those first, or set AUDITLENS_VSIX. ${String(err)}`,
				);
			}
		}
		const ext = path.join(tmp, 'extensions');
		const data = path.join(tmp, 'data');
		fs.mkdirSync(path.join(data, 'User'), { recursive: true });
		fs.writeFileSync(
			path.join(data, 'User', 'settings.json'),
			JSON.stringify({ ...QUIET_SETTINGS, 'auditlens.formFactors': ['mobile', 'desktop'] }, null, '\t'),
		);
		execFileSync(
			paths.node,
			[paths.codeServer, '--install-extension', vsix, '--extensions-dir', ext, '--user-data-dir', data],
			{ stdio: ['ignore', 'ignore', 'inherit'] },
		);

		const workspace = makeWorkspace(path.join(tmp, 'workspace'), {});
		fixture = await startFixtureServer();

		const port = await freePort();
		codeServer = startProcess(
			paths.node,
			[
				paths.codeServer,
				'--bind-addr',
				`127.0.0.1:${port}`,
				'--auth',
				'none',
				'--disable-telemetry',
				'--disable-update-check',
				'--disable-workspace-trust',
				'--extensions-dir',
				ext,
				'--user-data-dir',
				data,
				workspace,
			],
			{
				name: 'code-server',
				env: { ...process.env, CHROME_PATH: CHROMIUM },
				verbose: process.env.AUDITLENS_VERBOSE === '1',
			},
		);
		await waitForHttp(`http://127.0.0.1:${port}/healthz`);
		browser = await launchChromium();
		page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
		await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
		await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
		// The extension activates on startup; give the workbench a moment to settle its focus.
		await page.locator('.statusbar-item', { hasText: 'AuditLens' }).first().waitFor({ timeout: 60_000 });
	});

	afterEach(async function () {
		if (this.currentTest?.state === 'failed' && page)
			await shot(`failed-${(this.currentTest.title ?? '').replace(/\W+/g, '-').slice(0, 60)}`).catch(() => undefined);
	});

	after(async () => {
		await browser?.close().catch(() => undefined);
		await codeServer?.stop();
		// Keep the extension's log (its LogOutputChannel) beside the screenshots.
		const logs = tmp ? findFiles(path.join(tmp, 'data', 'logs'), /AuditLens\.log$/) : [];
		for (const [i, f] of logs.entries())
			fs.copyFileSync(f, path.join(ARTIFACTS, `e2e-auditlens${i ? `-${i}` : ''}.log`));
		await fixture?.close();
		if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
	});

	it('runs "AuditLens: Audit URL" from the command palette with a URL typed in', async () => {
		await runCommand('AuditLens: Audit URL');
		await quickInput();
		await page.locator('.quick-input-widget', { hasText: 'AuditLens: Audit URL' }).first().waitFor({ timeout: 20_000 });
		await page.keyboard.type('not a url at all', { delay: 5 });
		await page
			.locator('.quick-input-widget .monaco-list-row', { hasText: 'not a valid URL' })
			.first()
			.waitFor({ timeout: 10_000 });
		await page.keyboard.press('Enter'); // refused: the picker stays open
		await page.locator('.quick-input-widget input').first().fill(fixture.url('/'));
		await page
			.locator('.quick-input-widget .monaco-list-row', { hasText: 'Audit this URL' })
			.first()
			.waitFor({ timeout: 10_000 });
		await page.keyboard.press('Enter');
		await page
			.locator('.notifications-toasts', { hasText: 'AuditLens: auditing' })
			.first()
			.waitFor({ timeout: 30_000 });
		await shot('e2e-1-progress');
	});

	let resultId = '';
	it('shows the scores of both form factors in the result panel', async () => {
		const scored = await until('scores in the result panel', () => scoredPanel(), 5 * 60_000);
		const { frame, readings } = scored;
		resultId = scored.resultId;
		assert.deepEqual(new Set(readings.map((r) => r.formFactor)), new Set(['mobile', 'desktop']));
		for (const r of readings) assert.ok(Number(r.score) >= 0 && Number(r.score) <= 100, JSON.stringify(r));
		const url = await frame.$eval('h1.url', (e) => e.textContent);
		assert.equal(url, fixture.url('/'));
		assert.ok(await frame.$('table.metrics'), 'core metrics are shown');
		// The page screenshots load through asWebviewUri from the engine's artifacts folder.
		const images = await until(
			'the page screenshots to load in the panel',
			async () => {
				const loaded = await frame.$$eval('img[alt$="screenshot"]', (imgs) =>
					imgs.map((i) => {
						(i as HTMLImageElement).loading = 'eager';
						return (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0;
					}),
				);
				return loaded.length === 4 && loaded.every(Boolean) ? loaded : undefined;
			},
			30_000,
		);
		assert.equal(images.length, 4, 'viewport and full-page screenshots for mobile and desktop');
		console.log(`      scores: ${readings.map((r) => `${r.formFactor}/${r.category}=${r.score}`).join(' ')}`);
		await sleep(1000);
		await shot('e2e-2-result-panel');
	});

	it('restores the result panel after a window reload', async () => {
		await page.reload();
		await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
		const restored = await until('the restored result panel', () => scoredPanel(), 60_000);
		assert.equal(restored.resultId, resultId);
		await shot('e2e-5-after-reload');
	});

	it('opens the full Lighthouse HTML report from the panel', async () => {
		const [frame] = await resultFrames();
		await frame.click('button[data-action="report-mobile"]');
		await until(
			'the Lighthouse report',
			async () => {
				for (const f of page.frames()) if (await f.$('.lh-root, .lh-vars').catch(() => null)) return true;
				return undefined;
			},
			60_000,
		);
		await shot('e2e-2b-lighthouse-report');
	});

	it('cancels a running audit from the Cancel button of its progress notification', async () => {
		// The page is held until the audit is cancelled: the Cancel surely hits a running audit.
		const gate = fixture.gate('/gated/e2e-cancel');
		try {
			await runCommand('AuditLens: Audit URL');
			await page
				.locator('.quick-input-widget', { hasText: 'AuditLens: Audit URL' })
				.first()
				.waitFor({ timeout: 20_000 });
			await page.locator('.quick-input-widget input').first().fill(fixture.url('/gated/e2e-cancel'));
			await page
				.locator('.quick-input-widget .monaco-list-row', { hasText: 'Audit this URL' })
				.first()
				.waitFor({ timeout: 10_000 });
			await page.keyboard.press('Enter');
			const toast = page.locator('.notification-toast', { hasText: 'AuditLens: auditing' }).first();
			await toast.waitFor({ timeout: 30_000 });
			await gate.reached;
			await toast.hover();
			await toast.locator('a.monaco-button, .monaco-button', { hasText: 'Cancel' }).first().click();
			await until(
				'the cancelled panel',
				async () => {
					for (const f of await resultFrames())
						if (/cancelled/i.test((await f.$eval('.section-errors', (e) => e.textContent ?? '').catch(() => '')) ?? ''))
							return true;
					return undefined;
				},
				60_000,
			);
			await shot('e2e-2c-cancelled');
		} finally {
			gate.open();
		}
	});

	it('lists the audit in the history tree, with its scores', async () => {
		await runCommand('AuditLens: Focus on History View');
		const host = new URL(fixture.origin).host;
		const urlRow = page.locator('.monaco-list-row', { hasText: host }).first();
		await urlRow.waitFor({ timeout: 30_000 });
		await urlRow.click();
		await page.keyboard.press('ArrowRight'); // expand: its audits, newest first
		const auditRow = page.locator('.monaco-list-row[aria-level="2"]', { hasText: /P \d+/ }).first();
		await auditRow.waitFor({ timeout: 30_000 });
		await shot('e2e-3-history');
	});

	it('shows page text that is markup as text in the result panel, and runs none of it', async () => {
		const url = fixture.url('/xss.html');
		const payload = `<img src=x onerror="document.documentElement.setAttribute('xss','page')">`;
		await runCommand('AuditLens: Audit URL');
		await page.locator('.quick-input-widget', { hasText: 'AuditLens: Audit URL' }).first().waitFor({ timeout: 20_000 });
		await page.locator('.quick-input-widget input').first().fill(url);
		await page
			.locator('.quick-input-widget .monaco-list-row', { hasText: 'Audit this URL' })
			.first()
			.waitFor({ timeout: 10_000 });
		await page.keyboard.press('Enter');
		// The CRO findings quote the page's H1 (which equals its title) and its call to action.
		const frame = await until(
			'the CRO findings of the markup page',
			async () => {
				for (const f of await resultFrames()) {
					if ((await f.$eval('h1.url', (e) => e.textContent)) !== url) continue;
					const cro = await f.$eval('.section-cro', (e) => e.textContent ?? '');
					if (cro.includes(payload) && cro.includes('<script>')) return f;
				}
				return undefined;
			},
			5 * 60_000,
		);
		assert.equal(await frame.$$eval('img[src="x"]', (els) => els.length), 0, 'no element was made from page text');
		assert.equal(await frame.$$eval('main script', (els) => els.length), 0);
		for (const f of page.frames()) {
			const marker = await f.evaluate(() => document.documentElement.getAttribute('xss')).catch(() => null);
			assert.equal(marker, null, `no script from page text ran (frame ${f.url().slice(0, 80)})`);
		}
		await shot('e2e-6-markup-as-text');
	});
});
