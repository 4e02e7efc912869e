/**
 * Findings in the Problems panel, in a real VS Code against the real engine: the static-site fixture workspace
 * (copied into the open workspace folder, so the test can edit it) is served on 127.0.0.1 and audited; its
 * image-alt defect must land on its line, its quick fix must fix it, and the next audit must take it away.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { AuditLensApi } from '../../../src/extension/extension';
import type { ProblemsUpdate } from '../../../src/extension/problems/problems';
import type { AuditResult } from '../../../src/protocol';
import { startFixtureServer, type FixtureServer } from '../../helpers/fixtureServer';

const EXTENSION_ID = 'auditlens.auditlens';

/** test/fixtures/workspaces/static-site in the repository (this file runs from out/). */
const STATIC_SITE = (() => {
	for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const p = path.join(dir, 'test', 'fixtures', 'workspaces', 'static-site');
		if (fs.existsSync(p) && !dir.endsWith(`${path.sep}out`)) return p;
	}
	throw new Error('test/fixtures/workspaces/static-site not found');
})();

/** The 0-based line of `file` marked `<!-- defect: … id … -->`. */
function defectLine(file: string, id: string): number {
	const line = fs
		.readFileSync(file, 'utf8')
		.split('\n')
		.findIndex((l) => new RegExp(`<!-- defect:[^>]*\\b${id}\\b`).test(l));
	assert.ok(line >= 0, `no line of ${file} is marked ${id}`);
	return line;
}

const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'AuditLens');
const rule = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code));
/** The diagnostics of one audited URL: each names it in its related information. */
const ofUrl = (ds: vscode.Diagnostic[], url: string) =>
	ds.filter((d) => d.relatedInformation?.some((r) => r.message.endsWith(url)));
const describeAll = (ds: vscode.Diagnostic[]) =>
	ds.map((d) => `${rule(d)}@${d.range.start.line + 1}`).join(', ') || 'none';

/**
 * Resolves with the file's AuditLens diagnostics once `pred` holds for them: checked now and at each change (no
 * polling).
 */
function diagnosticsWhen(
	uri: vscode.Uri,
	what: string,
	pred: (ds: vscode.Diagnostic[]) => boolean,
	timeoutMs = 240_000,
): Promise<vscode.Diagnostic[]> {
	return new Promise((resolve, reject) => {
		const check = (): void => {
			const ds = ours(uri);
			if (!pred(ds)) return;
			done();
			resolve(ds);
		};
		const sub = vscode.languages.onDidChangeDiagnostics((e) => {
			if (e.uris.some((u) => u.toString() === uri.toString())) check();
		});
		const timer = setTimeout(() => {
			done();
			reject(
				new Error(`timed out waiting for ${what}; AuditLens diagnostics on ${uri.fsPath}: ${describeAll(ours(uri))}`),
			);
		}, timeoutMs);
		function done(): void {
			sub.dispose();
			clearTimeout(timer);
		}
		check();
	});
}

describe('Findings in the Problems panel', () => {
	let api: AuditLensApi;
	let fixture: FixtureServer;
	let siteDir: string;
	const config = () => vscode.workspace.getConfiguration('auditlens');
	const settings: [string, unknown][] = [
		// The copy is a folder of the workspace folder: its URL paths start at that folder.
		['locate.mappings', [{ urlPath: '/', dir: 'static-site' }]],
		['formFactors', ['mobile']],
		['auditOnSave', false],
	];

	before(async () => {
		const ext = vscode.extensions.getExtension<AuditLensApi>(EXTENSION_ID);
		assert.ok(ext, `${EXTENSION_ID} is not installed`);
		api = await ext.activate();
		const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
		assert.ok(root, 'a workspace folder is open');
		siteDir = path.join(root, 'static-site');
		fs.cpSync(STATIC_SITE, siteDir, { recursive: true });
		fixture = await startFixtureServer({ root: siteDir });
		for (const [key, value] of settings) await config().update(key, value, vscode.ConfigurationTarget.Workspace);
	});

	after(async () => {
		for (const [key] of settings) await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		await fixture?.close();
		if (siteDir) fs.rmSync(siteDir, { recursive: true, force: true });
	});

	/** Re-run (always fresh) and resolve once the Problems panel shows that audit's findings. */
	async function audit(url: string): Promise<AuditResult> {
		const updates: ProblemsUpdate[] = [];
		let seen = (): void => undefined;
		const sub = api.ctx.problems.onDidUpdate((u) => {
			updates.push(u);
			seen();
		});
		try {
			const result = await vscode.commands.executeCommand<AuditResult | undefined>('auditlens.history.rerun', url);
			assert.ok(result, 'the audit failed: see the AuditLens log above');
			assert.notEqual(result.status, 'failed', JSON.stringify(result.error));
			const update = await new Promise<ProblemsUpdate>((resolve) => {
				seen = () => {
					const u = updates.find((x) => x.auditId === result.id);
					if (u) resolve(u);
				};
				seen();
			});
			assert.equal(update.error, undefined, `the engine placed the findings of ${result.url}`);
			return result;
		} finally {
			sub.dispose();
		}
	}

	it('puts image-alt on its line; its quick fix, saved and re-audited, takes it away', async () => {
		const file = path.join(siteDir, 'index.html');
		const uri = vscode.Uri.file(file);
		const altLine = defectLine(file, 'image-alt');
		const linkLine = defectLine(file, 'link-name');
		const url = fixture.url('/index.html');

		const first = await audit(url);
		const before = await diagnosticsWhen(uri, `image-alt on line ${altLine + 1}`, (ds) =>
			ds.some((d) => rule(d) === 'image-alt'),
		);
		const alt = before.find((d) => rule(d) === 'image-alt');
		assert.ok(alt);
		assert.equal(alt.range.start.line, altLine, `image-alt is on the marked line (all: ${describeAll(before)})`);
		assert.ok(
			typeof alt.code === 'object' && alt.code.target.scheme === 'https',
			'the rule links to its documentation',
		);
		// The audited URL (and the form factor, when the finding is not the same in every one audited).
		assert.ok(alt.relatedInformation?.[0]?.message.endsWith(first.url), `related information names ${first.url}`);
		assert.ok(
			before.some((d) => rule(d) === 'link-name' && d.range.start.line === linkLine),
			`link-name is on its line too (all: ${describeAll(before)})`,
		);

		// The quick fix, as the light bulb offers it on that line.
		const editor = await vscode.window.showTextDocument(uri);
		const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
			'vscode.executeCodeActionProvider',
			uri,
			alt.range,
			vscode.CodeActionKind.QuickFix.value,
		);
		const addAlt = actions.find((a) => a.title === 'Add alt text to the image');
		assert.ok(
			addAlt?.edit,
			`an "Add alt text" quick fix is offered (offered: ${actions.map((a) => a.title).join(', ') || 'none'})`,
		);
		assert.equal(addAlt.isPreferred, true);
		assert.ok(await vscode.workspace.applyEdit(addAlt.edit));
		assert.match(editor.document.lineAt(altLine).text, /<img class="hero-image" src="\/img\/hero.png" alt="" \/>/);
		assert.ok(await editor.document.save());

		const second = await audit(url);
		const after = ofUrl(ours(uri), second.url);
		// The image js/late.js adds has no alt either; no source has it, so its finding is on no line (line 1).
		assert.ok(
			!after.some((d) => rule(d) === 'image-alt' && d.range.start.line === altLine),
			`image-alt is gone from its line after the fix (left: ${describeAll(after)})`,
		);
		assert.ok(
			after.some((d) => rule(d) === 'link-name' && d.range.start.line === linkLine),
			`the defects not fixed are still shown, so this is the new audit's placement (left: ${describeAll(after)})`,
		);
	});

	it('clears them when auditlens.diagnostics.enabled is turned off, and shows the latest audit again when it is turned on', async () => {
		const uri = vscode.Uri.file(path.join(siteDir, 'index.html'));
		await audit(fixture.url('/index.html'));
		const shown = ours(uri).length;
		assert.ok(shown > 0, 'the audit put findings on index.html');
		try {
			await config().update('diagnostics.enabled', false, vscode.ConfigurationTarget.Workspace);
			await diagnosticsWhen(uri, 'no AuditLens diagnostics with the setting off', (ds) => ds.length === 0, 30_000);
		} finally {
			await config().update('diagnostics.enabled', undefined, vscode.ConfigurationTarget.Workspace);
		}
		await diagnosticsWhen(uri, 'the diagnostics back with the setting on', (ds) => ds.length === shown, 60_000);
	});

	it('clears the diagnostics when the audit they come from is deleted from the history', async () => {
		const uri = vscode.Uri.file(path.join(siteDir, 'index.html'));
		const result = await audit(fixture.url('/index.html'));
		assert.ok(ofUrl(ours(uri), result.url).length > 0, 'the audit put findings on index.html');
		const roots = await api.ctx.history.getChildren();
		const urlNode = roots.find((n) => n.kind === 'url' && n.summary.url === result.url);
		assert.ok(urlNode, 'the URL is in the history');
		const auditNode = (await api.ctx.history.getChildren(urlNode)).find(
			(n) => n.kind === 'audit' && n.entry.id === result.id,
		);
		assert.ok(auditNode, 'the audit is in the history');
		await vscode.commands.executeCommand('auditlens.history.delete', auditNode);
		// Other audits of other URLs may place findings on the same file (a mapping is by path, on any port); those stay.
		await diagnosticsWhen(
			uri,
			`no AuditLens diagnostics of ${result.url} after the delete`,
			(ds) => ofUrl(ds, result.url).length === 0,
			30_000,
		);
	});
});
