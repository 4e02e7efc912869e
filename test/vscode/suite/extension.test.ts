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
import type { HistoryNode } from '../../../src/extension/historyTree';
import { auditRequest, statsRequest, type StageResultParams } from '../../../src/protocol/messages';
import type { AuditResult } from '../../../src/protocol/types';
import { startFixtureServer, type FixtureServer } from '../../helpers/fixtureServer';

const EXTENSION_ID = 'auditlens.auditlens';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const v = await fn();
		if (v !== undefined && v !== false) return v;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(200);
	}
}

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

	before(async () => {
		const ext = vscode.extensions.getExtension<AuditLensApi>(EXTENSION_ID);
		assert.ok(ext, `${EXTENSION_ID} is not installed`);
		api = await ext.activate();
		fixture = await startFixtureServer();
	});

	after(async () => {
		await fixture?.close();
	});

	it('activates without starting the engine', () => {
		assert.equal(api.ctx.client.state, 'stopped');
		assert.equal(api.ctx.client.pid, undefined);
	});

	it('registers every contributed command', async () => {
		const ext = vscode.extensions.getExtension(EXTENSION_ID);
		const declared = (ext?.packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands.map((c) => c.command);
		const registered = new Set(await vscode.commands.getCommands(true));
		for (const id of declared) assert.ok(registered.has(id), `${id} is not registered`);
	});

	let result: AuditResult;
	it('audits a URL with "AuditLens: Audit URL", showing stages as they finish', async () => {
		const stagesSeen: { at: number; p: StageResultParams }[] = [];
		const sub = api.ctx.client.onStageResult((p) => stagesSeen.push({ at: Date.now(), p }));
		try {
			const r = await vscode.commands.executeCommand<AuditResult | undefined>('auditlens.auditUrl', fixture.url('/'));
			assert.ok(r, 'the audit failed: see the AuditLens log above');
			result = r;
		} finally {
			sub.dispose();
		}
		const finishedAt = Date.now();
		assert.equal(result.error, undefined, JSON.stringify(result.error));
		const lh = result.stages['lighthouse-mobile'];
		assert.equal(lh?.status, 'ok', JSON.stringify(lh));
		if (lh?.status === 'ok') assert.ok(typeof lh.data.scores.performance === 'number');
		assert.equal(api.ctx.client.state, 'running');
		assert.ok(stagesSeen.length > 0, 'stage results arrive as notifications');
		assert.ok(stagesSeen[0].at < finishedAt, 'the first stage arrived before the audit finished');
		assert.equal(api.ctx.statusBar.resultId, result.id);
	});

	it('lists the audit in the history tree, newest first, with scores', async () => {
		const roots = await api.ctx.history.getChildren();
		const urlNode = roots.find((n): n is Extract<HistoryNode, { kind: 'url' }> => n.kind === 'url' && n.summary.url === result.url);
		assert.ok(urlNode, `history has ${JSON.stringify(roots)}`);
		const audits = await api.ctx.history.getChildren(urlNode);
		assert.equal(audits[0].kind, 'audit');
		if (audits[0].kind === 'audit') assert.equal(audits[0].entry.id, result.id);
		const item = api.ctx.history.getTreeItem(audits[0]);
		assert.match(String(item.description), /^P \d+/);
		assert.equal(item.contextValue, 'auditlens.audit');
	});

	it('re-runs, opens and deletes audits from the history tree', async () => {
		const roots = await api.ctx.history.getChildren();
		const urlNode = roots.find((n) => n.kind === 'url' && n.summary.url === result.url);
		assert.ok(urlNode);
		const again = await vscode.commands.executeCommand<AuditResult | undefined>('auditlens.history.rerun', urlNode);
		assert.ok(again && again.id !== result.id, 'the re-run made a new audit');
		const audits = await api.ctx.history.getChildren(urlNode);
		assert.deepEqual(
			audits.slice(0, 2).map((a) => (a.kind === 'audit' ? a.entry.id : '')),
			[again.id, result.id],
			'newest first',
		);
		await vscode.commands.executeCommand('auditlens.history.open', audits[1]);
		await vscode.commands.executeCommand('auditlens.history.delete', audits[0]);
		const left = await api.ctx.history.getChildren(urlNode);
		assert.ok(!left.some((a) => a.kind === 'audit' && a.entry.id === again.id), 'the deleted audit is gone');
		assert.ok(left.some((a) => a.kind === 'audit' && a.entry.id === result.id));
	});

	it('applies a changed setting to the running engine without a restart', async () => {
		const pid = api.ctx.client.pid;
		await config().update('maxBrowsers', 3, vscode.ConfigurationTarget.Workspace);
		await until('maxBrowsers = 3 in the engine', async () => (await api.ctx.client.request(statsRequest, {})).settings.maxBrowsers === 3 || undefined, 10_000);
		assert.equal(api.ctx.client.pid, pid);
		await config().update('maxBrowsers', undefined, vscode.ConfigurationTarget.Workspace);
	});

	it('hands the Anthropic API key from SecretStorage to the engine, and takes it back', async () => {
		const KEY = 'auditlens.anthropicApiKey';
		const keySet = async () => (await api.ctx.client.request(statsRequest, {})).settings.anthropicApiKeySet;
		await api.ctx.extension.secrets.store(KEY, 'sk-ant-test-not-a-real-key');
		await until('the key in the engine', async () => (await keySet()) || undefined, 10_000);
		await api.ctx.extension.secrets.delete(KEY);
		await until('the key gone from the engine', async () => !(await keySet()) || undefined, 10_000);
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
			devServer = spawn(process.execPath, [path.join(workspaceDir(), 'server.js'), '--port', String(port), '--root', workspaceDir()], { stdio: 'ignore' });
			await until(
				'the dev server',
				async () =>
					(await fetch(devUrl)
						.then((r) => r.ok)
						.catch(() => false)) || undefined,
				15_000,
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

		it('re-audits the dev server when a workspace file is saved, labelled as a development build', async () => {
			const before = finished.length;
			const saved = Date.now();
			await saveEdit();
			await saveEdit(); // a burst of saves is one audit
			const r = await until('an audit on save', () => finished.slice(before).find((x) => x.url === devUrl), 180_000);
			assert.equal(r.options.devServer, true);
			assert.ok(Date.now() - saved > 0);
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
			devServer?.kill();
			await until(
				'the dev server to stop',
				async () =>
					(await fetch(devUrl)
						.then(() => false)
						.catch(() => true)) || undefined,
				10_000,
			);
			const before = finished.length;
			await saveEdit();
			await sleep(1500);
			await api.auditOnSave.idle();
			assert.equal(finished.length, before);
		});
	});

	it('fails the request in flight with a clear message when the engine dies, then restarts it', async () => {
		const pid = await until('a running engine', () => api.ctx.client.pid);
		const hangs = fixture.hits.get('/hang') ?? 0;
		const inFlight = api.ctx.client.request(auditRequest, { url: fixture.url('/hang'), options: { formFactors: ['desktop'], noCache: true } }, `audit ${fixture.url('/hang')}`);
		const outcome = inFlight.then(
			() => undefined,
			(e: unknown) => e as Error & { code?: string },
		);
		// The engine is surely running the audit once it asks for the page (which never answers).
		await until('the engine to request the page', () => (fixture.hits.get('/hang') ?? 0) > hangs || undefined);
		process.kill(pid, 'SIGKILL');
		const err = await outcome;
		assert.ok(err, 'the request should fail');
		assert.equal(err.code, 'ENGINE_STOPPED', `${err.name}: ${err.message}`);
		assert.match(err.message, /stopped unexpectedly .* while running "audit http:\/\/127\.0\.0\.1:\d+\/hang"\. It is being restarted/);
		const newPid = await until('the restarted engine', () => (api.ctx.client.state === 'running' && api.ctx.client.pid !== pid ? api.ctx.client.pid : undefined), 30_000);
		assert.notEqual(newPid, pid);
		const stats = await api.ctx.client.request(statsRequest, {});
		assert.equal(stats.pid, newPid);
	});

	it('shuts the engine down when asked (as on deactivate)', async () => {
		const pid = await until('a running engine', () => api.ctx.client.pid);
		await api.ctx.client.stop();
		assert.equal(api.ctx.client.state, 'stopped');
		assert.throws(() => process.kill(pid, 0), 'the engine process is gone');
	});

	it('keeps its artifacts for people to look at', () => {
		const dir = process.env.AUDITLENS_TEST_ARTIFACTS;
		if (!dir) return;
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(path.join(dir, 'vscode-suite-result.json'), JSON.stringify(result, null, '\t'));
	});
});
