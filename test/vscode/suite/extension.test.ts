/**
 * Runs inside the extension host of a real VS Code (see ../runTests.ts), against the real engine
 * (dist/engine.js) with a real Chromium, on fixture pages served on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import * as vscode from 'vscode';
import type { AuditLensApi } from '../../../src/extension/extension';
import type { HistoryNode } from '../../../src/extension/views/historyTree';
import {
	auditRequest,
	type AuditResult,
	type ProgressParams,
	type ScanProgressParams,
	type ScanReport,
	type StageName,
	type StageResultParams,
	statsRequest,
} from '../../../src/protocol';
import { until } from '../../helpers/async';
import { startFakeAnthropic, toolUseReply, type FakeAnthropic } from '../../helpers/fakeAnthropic';
import { FIXTURE_TOKEN, startFixtureServer, type FixtureServer } from '../../helpers/fixtureServer';

const EXTENSION_ID = 'auditlens.auditlens';
const ANTHROPIC_KEY = 'auditlens.anthropicApiKey';
const AI_CONSENT = 'auditlens.aiConsent';
const FAKE_KEY = 'sk-ant-test-not-a-real-key';

function freePort(): Promise<number> {
	return new Promise((resolve) => {
		const s = net.createServer().listen(0, '127.0.0.1', () => {
			const { port } = s.address() as net.AddressInfo;
			s.close(() => resolve(port));
		});
	});
}

describe('AuditLens in VS Code', () => {
	let api: AuditLensApi;
	let fixture: FixtureServer;
	const config = () => vscode.workspace.getConfiguration('auditlens');
	const workspaceDir = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';

	let anthropic: FakeAnthropic;

	before(async () => {
		// The engine starts on first use and inherits this environment: AI calls go to a fake on 127.0.0.1.
		anthropic = await startFakeAnthropic({ apiKey: FAKE_KEY });
		anthropic.fallback = toolUseReply('report_cro_suggestions', { suggestions: [] });
		process.env.ANTHROPIC_BASE_URL = anthropic.url;
		const ext = vscode.extensions.getExtension<AuditLensApi>(EXTENSION_ID);
		assert.ok(ext, `${EXTENSION_ID} is not installed`);
		api = await ext.activate();
		fixture = await startFixtureServer();
	});

	after(async () => {
		await fixture?.close();
		await anthropic?.close();
		// Kept for people to look at (not a test).
		const dir = process.env.AUDITLENS_TEST_ARTIFACTS;
		if (dir && result) {
			fs.mkdirSync(dir, { recursive: true });
			fs.writeFileSync(path.join(dir, 'vscode-suite-result.json'), JSON.stringify(result, null, '\t'));
		}
	});

	/** Run `fn` with an Anthropic key set and the AI question answered `answer`; both undone after. */
	async function withAiKey<T>(answer: 'allow' | 'deny', fn: () => Promise<T>): Promise<T> {
		await api.ctx.extension.globalState.update(AI_CONSENT, answer);
		await api.ctx.extension.secrets.store(ANTHROPIC_KEY, FAKE_KEY);
		await until(
			'the key in the engine',
			async () => (await api.ctx.client.request(statsRequest, {})).settings.anthropicApiKeySet || undefined,
			{ timeoutMs: 10_000 },
		);
		try {
			return await fn();
		} finally {
			await api.ctx.extension.secrets.delete(ANTHROPIC_KEY);
			await api.ctx.extension.globalState.update(AI_CONSENT, undefined);
			await until(
				'the key gone from the engine',
				async () => !(await api.ctx.client.request(statsRequest, {})).settings.anthropicApiKeySet || undefined,
				{ timeoutMs: 10_000 },
			);
		}
	}

	it('activates without starting the engine', () => {
		assert.equal(api.ctx.client.state, 'stopped');
		assert.equal(api.ctx.client.pid, undefined);
	});

	it('registers every contributed command', async () => {
		const ext = vscode.extensions.getExtension(EXTENSION_ID);
		const declared = (
			ext?.packageJSON as { contributes: { commands: { command: string }[] } }
		).contributes.commands.map((c) => c.command);
		const registered = new Set(await vscode.commands.getCommands(true));
		for (const id of declared) assert.ok(registered.has(id), `${id} is not registered`);
	});

	let result: AuditResult | undefined;
	it('audits a URL with "AuditLens: Audit URL", showing stages as they finish; the next one shows the cached result at once, labelled as cached; Re-run runs afresh', async () => {
		const url = fixture.url('/site/page1.html');
		// This audit runs afresh whatever ran before, so its stages really run here.
		await vscode.commands.executeCommand('auditlens.clearCache');
		const stagesSeen: StageResultParams[] = [];
		const sub = api.ctx.client.onStageResult((p) => stagesSeen.push(p));
		let first: AuditResult | undefined;
		try {
			first = await vscode.commands.executeCommand<AuditResult | undefined>('auditlens.auditUrl', url);
			assert.ok(first, 'the audit failed: see the AuditLens log above');
			result = first;
		} finally {
			sub.dispose();
		}
		const r = first;
		assert.equal(r.status, 'ok', JSON.stringify(r.stageErrors ?? r.error));
		assert.equal(r.fromCache, false);
		const lh = r.stages['lighthouse-mobile'];
		assert.equal(lh?.status, 'ok', JSON.stringify(lh));
		if (lh?.status === 'ok') assert.ok(typeof lh.data.scores.performance === 'number');
		assert.equal(api.ctx.client.state, 'running');
		// Each stage arrives on its own, the moment it is ready, with what the final result says of it.
		const mine = stagesSeen.filter((p) => p.url === r.url);
		for (const p of mine)
			assert.equal(Object.keys(p.stages).length, 1, `one stage per notification: ${Object.keys(p.stages).join(', ')}`);
		const notified = Object.fromEntries(mine.map((p) => Object.entries(p.stages)[0]));
		const ran = (Object.keys(r.stages) as StageName[]).filter((n) => r.stages[n]?.status !== 'skipped');
		// What the panel showed as the stage arrived is what the result keeps (timings aside: a derived stage
		// such as CRO is re-run as artifacts arrive, and its last run's timing may differ).
		const content = (o: unknown) => {
			const { durationMs: _d, startedAt: _s, ...rest } = (o ?? {}) as Record<string, unknown>;
			return rest;
		};
		for (const name of ran)
			assert.deepEqual(content(notified[name]), content(r.stages[name]), `${name} was notified as the result has it`);
		assert.equal(api.ctx.statusBar.resultId, r.id);
		const panel = api.panel(r.id);
		assert.ok(panel, 'its result panel is open');
		assert.equal(panel.status, 'done');
		assert.deepEqual(Object.keys(panel.stages).sort(), Object.keys(r.stages).sort(), 'the panel shows every stage');

		// Loads of the page by an audit (preflight, Lighthouse, capture); the engine also reads it to place the
		// findings in the workspace after each audit, cached or not ('AuditLens locate'), which is no audit.
		const pageLoads = () =>
			fixture.seen.filter((r) => r.path === '/site/page1.html' && r.userAgent !== 'AuditLens locate').length;
		const hitsBefore = pageLoads();
		const again = await vscode.commands.executeCommand<AuditResult | undefined>('auditlens.auditUrl', url);
		assert.ok(again);
		assert.equal(again.fromCache, true, 'the second Audit URL within the TTL answers from the cache');
		assert.equal(again.id, first.id);
		assert.equal(pageLoads(), hitsBefore, 'the page was not loaded again');
		assert.equal(api.panel(again.id)?.result?.fromCache, true, 'the panel knows it shows a cached result');
		assert.match(api.ctx.statusBar.text, / · cached$/);
		const fresh = await vscode.commands.executeCommand<AuditResult | undefined>('auditlens.history.rerun', url);
		assert.ok(fresh);
		assert.equal(fresh.fromCache, false, 'Re-run bypasses the cache');
		assert.notEqual(fresh.id, first.id);
		assert.ok(pageLoads() > hitsBefore, 'the page was loaded again');
		// "Clear Cache" now has something to clear: the next Audit URL runs afresh.
		await vscode.commands.executeCommand('auditlens.clearCache');
		const afterClear = await vscode.commands.executeCommand<AuditResult | undefined>('auditlens.auditUrl', url);
		assert.equal(afterClear?.fromCache, false, 'after Clear Cache, Audit URL runs afresh');
	});

	it('gives partial and failed audits a warning and an error icon, and says why, in the history and the status bar', () => {
		const entry = (status: 'partial' | 'failed'): HistoryNode => ({
			kind: 'audit',
			entry: {
				id: `constructed-${status}`,
				url: 'https://example.com/',
				requestedAt: new Date().toISOString(),
				durationMs: 1,
				status,
				scores: status === 'partial' ? { mobile: { performance: 0.8 } } : {},
				error:
					status === 'partial'
						? { code: 'TIMEOUT', message: 'The desktop Lighthouse run timed out.' }
						: { code: 'HTTP_ERROR', message: 'answered HTTP 500' },
			},
		});
		const partial = api.ctx.history.getTreeItem(entry('partial'));
		assert.equal((partial.iconPath as vscode.ThemeIcon).id, 'warning');
		assert.equal(partial.description, 'P 80 · partial: TIMEOUT');
		assert.match(String(partial.tooltip), /Partial: some stages failed: The desktop Lighthouse run timed out\./);
		const failed = api.ctx.history.getTreeItem(entry('failed'));
		assert.equal((failed.iconPath as vscode.ThemeIcon).id, 'error');
		assert.match(String(failed.tooltip), /Failed: answered HTTP 500/);

		const shown = api.ctx.statusBar.resultId;
		const base = {
			url: 'https://example.com/',
			requestedAt: new Date().toISOString(),
			durationMs: 1,
			queuedMs: 0,
			engineVersion: '0',
			lighthouseVersion: '12.8.2',
			fromCache: false,
		};
		const options = {
			formFactors: ['mobile' as const],
			categories: [],
			throttling: 'simulate' as const,
			runs: 1,
			devServer: false,
			stages: { lighthouse: true, capture: true, cro: true, ai: false, crux: false },
		};
		const lighthouseOk = {
			status: 'ok' as const,
			startedAt: base.requestedAt,
			durationMs: 1,
			data: {
				formFactor: 'mobile' as const,
				lighthouseVersion: '12.8.2',
				finalUrl: base.url,
				fetchTime: base.requestedAt,
				scores: { performance: 0.8 },
				metrics: {},
				failingAudits: [],
				runWarnings: [],
				performanceScores: [0.8],
				lighthouseMs: 1,
			},
		};
		api.ctx.statusBar.showResult('constructed', {
			...base,
			id: 'constructed-partial',
			options,
			status: 'partial',
			stages: {
				'lighthouse-mobile': lighthouseOk,
				capture: {
					status: 'error',
					startedAt: base.requestedAt,
					durationMs: 1,
					error: { code: 'CAPTURE_ERROR', message: 'the capture browser crashed' },
				},
			},
			stageErrors: { capture: { code: 'CAPTURE_ERROR', message: 'the capture browser crashed' } },
		});
		assert.equal(api.ctx.statusBar.text, '$(warning) P 80 · partial');
		api.ctx.statusBar.showResult('constructed', {
			...base,
			id: 'constructed-failed',
			options,
			status: 'failed',
			stages: {},
			error: { code: 'HTTP_ERROR', message: 'answered HTTP 500' },
		});
		assert.equal(api.ctx.statusBar.text, '$(error) AuditLens: failed: HTTP_ERROR');
		assert.notEqual(api.ctx.statusBar.resultId, shown);
	});

	it('marks a failed audit with the error icon in the history (needs the pipeline branch: failed results resolve)', async () => {
		const url = fixture.url('/500');
		const failed = await vscode.commands.executeCommand<AuditResult | undefined>('auditlens.history.rerun', url);
		assert.ok(failed, 'a page that answers 500 resolves as a failed result (protocol contract), it does not reject');
		assert.equal(failed.status, 'failed');
		assert.match(api.ctx.statusBar.text, /failed: HTTP_ERROR/);
		assert.equal(api.panel(failed.id)?.status, 'failed');
		const roots = await api.ctx.history.getChildren();
		const urlNode = roots.find((n) => n.kind === 'url' && n.summary.url === failed.url);
		assert.ok(urlNode, 'a failed audit is in the history');
		const [latest] = await api.ctx.history.getChildren(urlNode);
		const item = api.ctx.history.getTreeItem(latest);
		assert.equal((item.iconPath as vscode.ThemeIcon).id, 'error');
		assert.match(String(item.description), /^failed: HTTP_ERROR/);
	});

	it('lists audits in the history tree, newest first, with scores; re-runs, opens and deletes them from it', async () => {
		const result = await vscode.commands.executeCommand<AuditResult | undefined>(
			'auditlens.history.rerun',
			fixture.url('/site/page3.html'),
		);
		assert.ok(result);
		const roots = await api.ctx.history.getChildren();
		const urlNode = roots.find(
			(n): n is Extract<HistoryNode, { kind: 'url' }> => n.kind === 'url' && n.summary.url === result.url,
		);
		assert.ok(urlNode, `history has ${JSON.stringify(roots)}`);
		const listed = await api.ctx.history.getChildren(urlNode);
		assert.equal(listed[0].kind, 'audit');
		if (listed[0].kind === 'audit') assert.equal(listed[0].entry.id, result.id);
		const item = api.ctx.history.getTreeItem(listed[0]);
		assert.match(String(item.description), /^P \d+/);
		assert.equal(item.contextValue, 'auditlens.audit');
		assert.equal((item.iconPath as vscode.ThemeIcon).id, 'pass', 'a complete audit has the pass icon');
		const again = await vscode.commands.executeCommand<AuditResult | undefined>('auditlens.history.rerun', urlNode);
		assert.ok(again && again.id !== result.id, 'the re-run made a new audit');
		const audits = await api.ctx.history.getChildren(urlNode);
		assert.deepEqual(
			audits.slice(0, 2).map((a) => (a.kind === 'audit' ? a.entry.id : '')),
			[again.id, result.id],
			'newest first',
		);
		// Open the older one: its own panel, loaded from the history, in front.
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		assert.equal(api.panel(result.id), undefined, 'no panel of the older audit before it is opened');
		await vscode.commands.executeCommand('auditlens.history.open', audits[1]);
		const opened = api.panel(result.id);
		assert.ok(opened, 'Open Result opened a panel of that audit');
		assert.equal(opened.status, 'done');
		assert.equal(opened.result?.id, result.id);
		assert.equal(opened.visible, true);
		assert.equal(opened.previous, undefined, 'the first audit of a URL has nothing to compare with');
		await vscode.commands.executeCommand('auditlens.history.delete', audits[0]);
		const left = await api.ctx.history.getChildren(urlNode);
		assert.ok(!left.some((a) => a.kind === 'audit' && a.entry.id === again.id), 'the deleted audit is gone');
		assert.ok(left.some((a) => a.kind === 'audit' && a.entry.id === result.id));
	});

	it('applies a changed setting to the running engine without a restart', async () => {
		const pid = api.ctx.client.pid;
		await config().update('maxBrowsers', 3, vscode.ConfigurationTarget.Workspace);
		await until(
			'maxBrowsers = 3 in the engine',
			async () => (await api.ctx.client.request(statsRequest, {})).settings.maxBrowsers === 3 || undefined,
			{ timeoutMs: 10_000 },
		);
		assert.equal(api.ctx.client.pid, pid);
		await config().update('maxBrowsers', undefined, vscode.ConfigurationTarget.Workspace);
	});

	for (const [name, key, flag] of [
		['Anthropic', ANTHROPIC_KEY, 'anthropicApiKeySet'],
		['CrUX', 'auditlens.cruxApiKey', 'cruxApiKeySet'],
	] as const) {
		it(`hands the ${name} API key from SecretStorage to the engine, and takes it back`, async () => {
			const keySet = async () => (await api.ctx.client.request(statsRequest, {})).settings[flag];
			assert.equal(await keySet(), false);
			await api.ctx.extension.secrets.store(key, `${name.toLowerCase()}-test-not-a-real-key`);
			await until('the key in the engine', async () => (await keySet()) || undefined, { timeoutMs: 10_000 });
			await api.ctx.extension.secrets.delete(key);
			await until('the key gone from the engine', async () => !(await keySet()) || undefined, { timeoutMs: 10_000 });
		});
	}

	it('audits a page behind a cookie with the credentials stored in SecretStorage for a pattern covering its URL', async () => {
		const pattern = `${fixture.origin}/protected*`;
		await api.ctx.credentials.set({ pattern, headers: {}, cookies: [{ name: 'session', value: FIXTURE_TOKEN }] });
		try {
			assert.match(
				(await api.ctx.extension.secrets.get(`auditlens.credentials:${pattern}`)) ?? '',
				/"session"/,
				'kept as one secret for the pattern',
			);
			const r = await vscode.commands.executeCommand<AuditResult | undefined>(
				'auditlens.history.rerun',
				fixture.url('/protected?case=vscode'),
			);
			assert.equal(r?.status, 'ok', JSON.stringify(r?.stageErrors ?? r?.error));
			assert.deepEqual(r?.auth, { headers: [], cookies: ['session'] }, 'the result says it was signed in, by name');
		} finally {
			await api.ctx.credentials.clear(pattern);
		}
		assert.equal(await api.ctx.extension.secrets.get(`auditlens.credentials:${pattern}`), undefined);
		assert.deepEqual(api.ctx.credentials.patterns(), []);
	});

	it('sends the page to the AI only after the person allowed it', async () => {
		const url = fixture.url('/site/page4.html');
		const declined = await withAiKey('deny', async () => {
			const before = anthropic.requests.length;
			const r = await vscode.commands.executeCommand<AuditResult | undefined>('auditlens.history.rerun', url);
			assert.equal(anthropic.requests.length, before, 'nothing went to Anthropic');
			return r;
		});
		assert.ok(declined);
		assert.equal(declined.options.stages.ai, false);
		const allowed = await withAiKey('allow', async () => {
			const before = anthropic.requests.length;
			const r = await vscode.commands.executeCommand<AuditResult | undefined>('auditlens.history.rerun', url);
			assert.equal(anthropic.requests.length, before + 1, 'one AI call');
			return r;
		});
		assert.ok(allowed);
		assert.equal(allowed.options.stages.ai, true);
		assert.equal(allowed.stages.ai?.status, 'ok');
	});

	it('audits more URLs than the engine queue holds, every one getting a result and none a BUSY answer', async () => {
		await config().update('maxConcurrentAudits', 1, vscode.ConfigurationTarget.Workspace);
		await config().update('queueSize', 0, vscode.ConfigurationTarget.Workspace);
		await config().update('formFactors', ['mobile'], vscode.ConfigurationTarget.Workspace);
		try {
			await until('room for one audit in the engine', async () => {
				const s = await api.ctx.client.request(statsRequest, {});
				return (s.settings.queueSize === 0 && s.settings.maxConcurrentAudits === 1) || undefined;
			});
			const busyBefore = (await api.ctx.client.request(statsRequest, {})).audits.rejectedBusy;
			const urls = ['/site/page5.html', '/site/page6.html', '/site/page7.html'].map((p) => fixture.url(p));
			const items = await vscode.commands.executeCommand<
				{ url: string; result?: AuditResult; error?: { code: string } }[] | undefined
			>('auditlens.auditUrls', urls);
			assert.ok(items);
			assert.deepEqual(
				items.map((i) => [i.url, i.error?.code, i.result?.url]),
				urls.map((u) => [u, undefined, u]),
			);
			assert.equal(
				(await api.ctx.client.request(statsRequest, {})).audits.rejectedBusy,
				busyBefore,
				'the batch never went past the room the engine had',
			);
		} finally {
			for (const key of ['maxConcurrentAudits', 'queueSize', 'formFactors'])
				await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
		}
	});

	it('scans a site with "AuditLens: Audit Site": progress per route, the Site view with its routes, the scan in the history', async () => {
		const settings: [string, unknown][] = [
			['scan.maxDepth', 1],
			['scan.maxRoutes', 3],
			['scan.useSitemap', false],
			['scan.formFactors', ['mobile']],
		];
		for (const [key, value] of settings) await config().update(key, value, vscode.ConfigurationTarget.Workspace);
		const seen: ScanProgressParams[] = [];
		const sub = api.ctx.client.onScanProgress((p) => seen.push(p));
		let report: ScanReport | undefined;
		try {
			// page1 links to page2, page2 to page3: one link deep is two routes.
			report = await vscode.commands.executeCommand<ScanReport | undefined>(
				'auditlens.auditSite',
				fixture.url('/site/page1.html'),
			);
		} finally {
			sub.dispose();
			for (const [key] of settings) await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
		}
		assert.ok(report, 'the scan failed: see the AuditLens log above');
		assert.equal(report.status, 'ok', JSON.stringify(report.routes.map((r) => r.error)));
		assert.deepEqual(report.formFactors, ['mobile']);
		// page1 and, found by the crawl, page2 (page3 is two links deep).
		assert.deepEqual(report.routes.map((r) => r.path).sort(), ['/site/page1.html', '/site/page2.html']);
		const routed = seen.filter((p) => p.scanId === report.id && p.route);
		assert.equal(routed.length, report.routes.length, 'a progress notification as each route ended');
		assert.ok(
			routed.every((p) => p.total === report.routes.length && p.phase !== 'discovering'),
			JSON.stringify(routed.map(({ route: _r, ...p }) => p)),
		);

		const view = api.sitePanel(report.id);
		assert.ok(view, 'the Site view of the scan is open');
		assert.equal(view.status, 'ok');
		assert.equal(view.visible, true);
		assert.deepEqual(
			view.routes.map((r) => [r.path, r.auditId]),
			report.routes.map((r) => [r.path, r.auditId]),
			'the view shows the report’s routes',
		);

		const roots = await api.ctx.history.getChildren();
		assert.equal(roots[0]?.kind, 'scans', 'site scans come first in the history');
		const scans = await api.ctx.history.getChildren(roots[0]);
		const node = scans.find((n) => n.kind === 'scan' && n.summary.id === report.id);
		assert.ok(node, `the scan is listed: ${JSON.stringify(scans)}`);
		assert.equal(scans[0], node, 'newest first');
		const item = api.ctx.history.getTreeItem(node);
		assert.match(String(item.description), new RegExp(`^${report.routes.length} routes? · P \\d+`));
		assert.equal(item.command?.command, 'auditlens.scans.open');

		// From the history: the Site view again, loaded from the engine's stored report.
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		assert.equal(api.sitePanel(report.id), undefined);
		await vscode.commands.executeCommand(item.command.command, ...(item.command.arguments ?? []));
		const reopened = await until('the reopened Site view', () => api.sitePanel(report.id));
		assert.deepEqual(
			reopened.routes.map((r) => r.path),
			report.routes.map((r) => r.path),
		);

		// A route's row opens its audit (the webview asks for this command with the route's audit id).
		const route = report.routes[0];
		assert.ok(route.auditId, 'each audited route has its audit in the history');
		await vscode.commands.executeCommand('auditlens.history.open', route.auditId);
		const panel = api.panel(route.auditId);
		assert.ok(panel, 'the route’s result panel is open');
		assert.equal(panel.result?.url, route.url);
		assert.equal(panel.status, 'done');
	});

	it('shows the engine stats in an editor', async () => {
		await vscode.commands.executeCommand('auditlens.showStats');
		const text = await until('the stats editor', () => vscode.window.activeTextEditor?.document.getText());
		const stats = JSON.parse(text) as { pid: number; engineVersion: string };
		assert.equal(stats.pid, api.ctx.client.pid);
		assert.ok(stats.engineVersion);
		await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
	});

	describe('audit on save', () => {
		let devServer: ChildProcess | undefined;
		let devUrl: string;
		const finished: AuditResult[] = [];

		before(async () => {
			const port = await freePort();
			devUrl = `http://127.0.0.1:${port}/`;
			devServer = spawn(
				process.execPath,
				[path.join(workspaceDir(), 'server.js'), '--port', String(port), '--root', workspaceDir()],
				{ stdio: 'ignore' },
			);
			await until(
				'the dev server',
				async () =>
					(await fetch(devUrl)
						.then((r) => r.ok)
						.catch(() => false)) || undefined,
				{ timeoutMs: 15_000 },
			);
			api.ctx.pushExtCleanup(api.ctx.onDidFinishAudit((r) => finished.push(r)));
			await config().update('devServerUrl', devUrl, vscode.ConfigurationTarget.Workspace);
			await config().update('auditOnSave', true, vscode.ConfigurationTarget.Workspace);
		});

		after(async () => {
			devServer?.kill();
			await config().update('auditOnSave', undefined, vscode.ConfigurationTarget.Workspace);
			await config().update('devServerUrl', undefined, vscode.ConfigurationTarget.Workspace);
		});

		async function saveEdit(): Promise<void> {
			const doc = await vscode.workspace.openTextDocument(path.join(workspaceDir(), 'src', 'app.css'));
			const edit = new vscode.WorkspaceEdit();
			edit.insert(doc.uri, new vscode.Position(doc.lineCount, 0), `/* edit ${Date.now()} */\n`);
			assert.ok(await vscode.workspace.applyEdit(edit));
			assert.ok(await doc.save());
		}

		it('re-audits the dev server when a workspace file is saved: fresh, a development build, nothing sent to the AI', async () => {
			const delayMs = api.ctx.config.auditOnSaveDelayMs;
			const before = finished.length;
			const r = await withAiKey('allow', async () => {
				const aiCalls = anthropic.requests.length;
				const run = new Promise<AuditResult | undefined>((resolve) => {
					const sub = api.auditOnSave.onDidRun((x) => {
						sub.dispose();
						resolve(x.result);
					});
				});
				await saveEdit();
				const lastSave = Date.now();
				await saveEdit(); // a burst of saves is one audit, started a quiet time after the last one
				const done = await run;
				assert.equal(
					anthropic.requests.length,
					aiCalls,
					'an audit on save sends nothing to Anthropic, even with a key and consent',
				);
				assert.ok(done, 'the audit on save produced a result');
				assert.ok(
					Date.parse(done.requestedAt) >= lastSave + delayMs - 5,
					`started ${Date.parse(done.requestedAt) - lastSave} ms after the last save (debounce ${delayMs} ms)`,
				);
				return done;
			});
			assert.equal(r.url, devUrl);
			assert.equal(r.options.devServer, true);
			assert.equal(r.options.stages.ai, false);
			assert.equal(r.fromCache, false, 'audits on save are always fresh');
			// Scored for both form factors, in a panel labelled as a development build (the webview test renders the label).
			for (const formFactor of ['mobile', 'desktop'] as const) {
				const run = r.stages[`lighthouse-${formFactor}`];
				assert.equal(run?.status, 'ok', JSON.stringify(run));
				if (run?.status === 'ok')
					assert.deepEqual(
						Object.entries(run.data.scores)
							.filter(([, score]) => typeof score === 'number')
							.map(([category]) => category)
							.sort(),
						['accessibility', 'best-practices', 'performance', 'seo'],
						`every category of ${formFactor} has a score`,
					);
			}
			assert.equal(api.panel(r.id)?.devServer, true, 'its panel is labelled as a development build');
			await api.auditOnSave.idle();
			assert.equal(finished.slice(before).filter((x) => x.url === devUrl).length, 1, 'two quick saves make one audit');
		});

		it('audits the dev server on "AuditLens: Audit Dev Server Now"', async () => {
			const r = await vscode.commands.executeCommand<AuditResult | undefined>('auditlens.auditDevServer');
			assert.ok(r);
			assert.equal(r.url, devUrl);
			assert.equal(r.options.devServer, true);
		});

		it('skips quietly when the dev server is not up', async () => {
			const server = devServer;
			assert.ok(server, 'the dev server was started');
			if (server.exitCode === null && server.signalCode === null) {
				const exited = new Promise((resolve) => server.once('exit', resolve));
				server.kill();
				await exited;
			}
			const before = finished.length;
			const run = new Promise<{ url?: string }>((resolve) => {
				const sub = api.auditOnSave.onDidRun((x) => {
					sub.dispose();
					resolve(x);
				});
			});
			await saveEdit();
			const skipped = await run;
			assert.equal(skipped.url, undefined, 'no dev server to audit');
			assert.equal(finished.length, before);
		});
	});

	it('fails the request in flight when the engine is SIGKILLed, restarts it, audits again, and leaves no Chromium of the dead engine', async () => {
		const pid = await until('a running engine', () => api.ctx.client.pid);
		const url = fixture.url('/hang-subresource.html');
		const auditId = `vscode-suite-kill-${Date.now()}`;
		// The page's subresources never arrive: Lighthouse holds its Chrome until the kill.
		const lighthouseStarted = new Promise<void>((resolve) => {
			const sub = api.ctx.client.onProgress((p: ProgressParams) => {
				if (p.auditId === auditId && p.stage === 'lighthouse-desktop' && p.state === 'started') {
					sub.dispose();
					resolve();
				}
			});
		});
		const outcome = api.ctx.client
			.request(auditRequest, { url, auditId, options: { formFactors: ['desktop'], noCache: true } }, `audit ${url}`)
			.then(
				() => undefined,
				(e: unknown) => e as Error & { code?: string },
			);
		await lighthouseStarted;
		const chromes = await until('the Chrome of the held audit in the stats', async () => {
			const stats = await api.ctx.client.request(statsRequest, {});
			return stats.browsers.busy > 0 && stats.browsers.pids.length ? stats.browsers.pids : undefined;
		});
		const marked = processesMarked(pid);
		assert.ok(marked.length > 0, 'the engine marks its Chromes (the watchdog finds them by it)');
		process.kill(pid, 'SIGKILL');
		const err = await outcome;
		assert.ok(err, 'the request should fail');
		assert.equal(err.code, 'ENGINE_STOPPED', `${err.name}: ${err.message}`);
		assert.match(
			err.message,
			/stopped unexpectedly .* while running "audit http:\/\/127\.0\.0\.1:\d+\/hang-subresource\.html"\. It is being restarted/,
		);
		const newPid = await until(
			'the restarted engine',
			() => (api.ctx.client.state === 'running' && api.ctx.client.pid !== pid ? api.ctx.client.pid : undefined),
			{ timeoutMs: 30_000 },
		);
		assert.equal((await api.ctx.client.request(statsRequest, {})).pid, newPid);
		const next = await api.ctx.client.request(auditRequest, {
			url: fixture.url('/'),
			options: { formFactors: ['mobile'], noCache: true, stages: { lighthouse: false } },
		});
		assert.equal(next.status, 'ok', JSON.stringify(next.stageErrors ?? next.error));
		assert.equal(next.stages.capture?.status, 'ok', 'the restarted engine audits');
		await until(
			'the Chromes of the killed engine to be gone',
			() => (chromes.every((p) => !alive(p)) && processesMarked(pid).length === 0) || undefined,
			{ timeoutMs: 30_000 },
		);
		for (const p of [...chromes, ...marked]) assert.equal(alive(p), false, `Chrome ${p} of the killed engine is gone`);
	});

	it('shuts the engine down when asked (as on deactivate)', async () => {
		const pid = await until('a running engine', () => api.ctx.client.pid);
		await api.ctx.client.stop();
		assert.equal(api.ctx.client.state, 'stopped');
		assert.throws(() => process.kill(pid, 0), 'the engine process is gone');
	});
});

/** True while process `pid` runs (a zombie waiting to be reaped has already died). */
function alive(pid: number): boolean {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
	} catch {
		return false;
	}
}

/** Processes whose command line carries the marker the engine `enginePid` puts into every Chrome it starts. */
function processesMarked(enginePid: number): number[] {
	const marker = `auditlens-engine-${enginePid}-`;
	const out: number[] = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) out.push(Number(entry));
		} catch {
			// gone meanwhile
		}
	}
	return out;
}
