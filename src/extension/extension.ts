/** Activation only wires; the engine starts on first use. */
import * as vscode from 'vscode';
import { AuditOnSave } from './audits/auditOnSave';
import { registerCommands } from './commands';
import { Ctx } from './ctx';
import { errorMessage } from './engine/engineClient';
import { HISTORY_VIEW_ID } from './views/historyTree';
import { FindingQuickFixes } from './problems/problems';
import { RESULT_VIEW_TYPE, ResultPanel, ResultPanelSerializer } from './views/resultPanel';
import { SECRETS } from './secrets/secrets';
import { SITE_VIEW_TYPE, SitePanel, SitePanelSerializer } from './views/sitePanel';

/** What activate() returns: used by the in-VS-Code tests. */
export interface AuditLensApi {
	ctx: Ctx;
	auditOnSave: AuditOnSave;
	/** What the result panel of an audit shows, if one is open. */
	panel(resultId: string): ReturnType<ResultPanel['snapshot']> | undefined;
	/** What the Site view of a scan shows, if one is open. */
	sitePanel(scanId: string): ReturnType<SitePanel['snapshot']> | undefined;
}

let ctx: Ctx | undefined;

export function activate(extension: vscode.ExtensionContext): AuditLensApi {
	const c = (ctx = new Ctx(extension));
	registerCommands(c);
	c.pushExtCleanup(
		vscode.window.createTreeView(HISTORY_VIEW_ID, { treeDataProvider: c.history, showCollapseAll: true }),
	);
	c.pushExtCleanup(vscode.window.registerWebviewPanelSerializer(RESULT_VIEW_TYPE, new ResultPanelSerializer(c)));
	c.pushExtCleanup(vscode.window.registerWebviewPanelSerializer(SITE_VIEW_TYPE, new SitePanelSerializer(c)));
	const auditOnSave = c.pushExtCleanup(new AuditOnSave(c));
	c.pushExtCleanup(
		vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, new FindingQuickFixes(c.problems), {
			providedCodeActionKinds: FindingQuickFixes.kinds,
		}),
	);
	c.pushExtCleanup(
		vscode.workspace.onDidChangeConfiguration((e) => {
			if (!e.affectsConfiguration('auditlens')) return;
			if (e.affectsConfiguration('auditlens.diagnostics') || e.affectsConfiguration('auditlens.locate'))
				c.problems.settingsChanged();
			// A partial configure cannot unset the Chrome path; a fresh engine starts without it.
			if (e.affectsConfiguration('auditlens.chromePath') && !c.config.chromePath && c.client.state === 'running') {
				c.client.restart().catch((err: unknown) => c.log.error(`engine restart: ${errorMessage(err)}`));
				return;
			}
			c.engineSettings()
				.then((s) => c.client.configure(s))
				.catch((err: unknown) => {
					c.log.error(`applying settings: ${errorMessage(err)}`);
					void vscode.window.showWarningMessage(
						`AuditLens: the engine did not accept the new settings: ${errorMessage(err)}`,
					);
				});
		}),
	);
	c.pushExtCleanup(
		extension.secrets.onDidChange((e) => {
			const secret = SECRETS.find((s) => s.key === e.key);
			if (!secret) return;
			// An empty string unsets the key in the engine.
			c.engineSettings()
				.then((s) => c.client.configure({ [secret.setting]: s[secret.setting] ?? '' }))
				.catch((err: unknown) => c.log.error(`applying the ${secret.name}: ${errorMessage(err)}`));
		}),
	);
	c.log.info(
		`AuditLens activated (${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'} UI, extension host ${process.execPath})`,
	);
	return {
		ctx: c,
		auditOnSave,
		panel: (id) => ResultPanel.find(id)?.snapshot(),
		sitePanel: (id) => SitePanel.find(id)?.snapshot(),
	};
}

export async function deactivate(): Promise<void> {
	ResultPanel.disposeAll();
	SitePanel.disposeAll();
	await ctx?.dispose();
	ctx = undefined;
}
