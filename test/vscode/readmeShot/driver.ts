/**
 * Runs in the extension host for readmeShot.ts: audits the workspace's index.html (served by the fixture server),
 * opens it on the image-alt diagnostic with the Problems panel showing, opens the light bulb's menu, and says
 * AUDITLENS_SHOT_READY; returns once the picture is taken.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { AuditLensApi } from '../../../src/extension/extension';
import type { AuditResult } from '../../../src/protocol';
import { startFixtureServer } from '../../helpers/fixtureServer';

const rule = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code));

/** The AuditLens image-alt diagnostic of `uri`, once there is one. */
function imageAlt(uri: vscode.Uri): Promise<vscode.Diagnostic> {
	return new Promise((resolve) => {
		const check = (): boolean => {
			const d = vscode.languages.getDiagnostics(uri).find((x) => x.source === 'AuditLens' && rule(x) === 'image-alt');
			if (d) resolve(d);
			return d !== undefined;
		};
		if (check()) return;
		const sub = vscode.languages.onDidChangeDiagnostics(() => {
			if (check()) sub.dispose();
		});
	});
}

export async function run(): Promise<void> {
	const api = await vscode.extensions.getExtension<AuditLensApi>('auditlens.auditlens')?.activate();
	const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
	if (!api || !root) throw new Error('the extension and a workspace folder are needed');
	const fixture = await startFixtureServer({ root: '../workspaces/static-site' });
	try {
		const result = await vscode.commands.executeCommand<AuditResult | undefined>(
			'auditlens.history.rerun',
			fixture.url('/index.html'),
		);
		if (!result || result.status === 'failed') throw new Error(`the audit failed: ${JSON.stringify(result?.error)}`);
		const uri = vscode.Uri.file(path.join(root, 'index.html'));
		const diagnostic = await imageAlt(uri);
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		await vscode.commands.executeCommand('workbench.actions.view.problems');
		const editor = await vscode.window.showTextDocument(uri);
		editor.selection = new vscode.Selection(diagnostic.range.start, diagnostic.range.start);
		editor.revealRange(diagnostic.range, vscode.TextEditorRevealType.InCenter);
		await vscode.commands.executeCommand('editor.action.quickFix');
		console.log('AUDITLENS_SHOT_READY');
		const flag = process.env.AUDITLENS_SHOT_FLAG ?? '';
		// A tool, not a test: wait for the picture the outer script takes.
		for (let i = 0; i < 300 && !fs.existsSync(flag); i++) await new Promise((r) => setTimeout(r, 200));
	} finally {
		await fixture.close();
	}
}
