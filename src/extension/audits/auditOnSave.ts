/**
 * Audit on save: when a workspace file is saved, re-audit the dev server, debounced, never more than
 * one audit running plus one waiting, skipped quietly when the server is not up. Without a configured
 * URL (or when it is down), a dev server found on the usual ports is offered once.
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { discoverDevServers, isUp } from './devServer';
import { errorMessage } from '../engine/engineClient';
import type { AuditResult } from '../../protocol';
import { runAudit } from './audits';
import { SaveScheduler } from './saveScheduler';

/** How one run of audit on save ended: with an audit, or skipped (the server was not up, none chosen). */
export interface SaveRun {
	url?: string;
	result?: AuditResult;
}

export class AuditOnSave implements vscode.Disposable {
	private readonly scheduler: SaveScheduler;
	private readonly subscription: vscode.Disposable;
	private readonly runEmitter = new vscode.EventEmitter<SaveRun>();
	private offered = false;
	/** A run after a save ended (for tests: wait for it instead of sleeping). */
	readonly onDidRun = this.runEmitter.event;

	constructor(private readonly ctx: Ctx) {
		this.scheduler = new SaveScheduler(
			() => this.auditOnce(),
			() => ctx.config.auditOnSaveDelayMs,
			(err) => ctx.log.error(`audit on save: ${errorMessage(err)}`),
		);
		this.subscription = vscode.workspace.onDidSaveTextDocument((doc) => {
			if (!ctx.config.auditOnSave) return;
			if (doc.uri.scheme !== 'file' || !vscode.workspace.getWorkspaceFolder(doc.uri)) return;
			// Editor settings change nothing the dev server serves (and VS Code itself writes them at times).
			if (/(^|\/)\.vscode\//.test(vscode.workspace.asRelativePath(doc.uri, false))) return;
			ctx.log.info(`audit on save: ${vscode.workspace.asRelativePath(doc.uri)} saved`);
			this.scheduler.trigger();
		});
	}

	/** For tests: resolves when no audit on save is running or waiting. */
	idle(): Promise<void> {
		return this.scheduler.idle();
	}

	dispose(): void {
		this.subscription.dispose();
		this.scheduler.dispose();
		this.runEmitter.dispose();
	}

	private async auditOnce(): Promise<void> {
		const run: SaveRun = {};
		try {
			run.url = await resolveDevServer(this.ctx, {
				interactive: false,
				offer: !this.offered,
				onOffer: () => (this.offered = true),
			});
			// Always fresh: the point is to see what the save changed.
			if (run.url) run.result = await runAudit(this.ctx, run.url, { devServer: true, quiet: true, noCache: true });
		} finally {
			this.runEmitter.fire(run);
		}
	}
}

/**
 * The dev server to audit: the configured URL when it answers; otherwise one found on the usual ports,
 * offered to the person (and saved to the workspace settings if they accept). Undefined when none is up
 * (said quietly in the status bar, or with a message when `interactive`).
 */
export async function resolveDevServer(
	ctx: Ctx,
	opts: { interactive: boolean; offer?: boolean; onOffer?: () => void },
): Promise<string | undefined> {
	const configured = ctx.config.devServerUrl;
	if (configured && (await isUp(configured))) return configured;
	const found = await discoverDevServers();
	const candidates = found.filter((u) => u !== configured);
	const down = configured ? `The dev server ${configured} is not up` : 'No dev server URL is set';
	if (!candidates.length) {
		if (opts.interactive)
			void vscode.window.showWarningMessage(
				`AuditLens: ${down}, and none answers on the usual ports (3000, 5173, 4200, 8080, 8000, …). Start it, or set auditlens.devServerUrl.`,
			);
		else ctx.statusBar.flash(`$(debug-disconnect) AuditLens: ${down}; audit on save skipped`);
		return undefined;
	}
	if (!opts.interactive && opts.offer === false) {
		ctx.statusBar.flash(`$(debug-disconnect) AuditLens: ${down}; audit on save skipped`);
		return undefined;
	}
	opts.onOffer?.();
	const pick =
		candidates.length === 1
			? candidates[0]
			: await vscode.window.showQuickPick(candidates, {
					title: 'AuditLens: dev servers found',
					placeHolder: 'Which dev server should AuditLens audit?',
				});
	if (!pick) return undefined;
	const choice = await vscode.window.showInformationMessage(
		`AuditLens: ${down}. A dev server answers at ${pick}. Audit it${opts.interactive ? '' : ' on save'}?`,
		'Use It',
		'Not Now',
	);
	if (choice !== 'Use It') return undefined;
	const target = vscode.workspace.workspaceFolders?.length
		? vscode.ConfigurationTarget.Workspace
		: vscode.ConfigurationTarget.Global;
	await vscode.workspace.getConfiguration('auditlens').update('devServerUrl', pick, target);
	return pick;
}
