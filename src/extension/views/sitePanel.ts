/**
 * The Site view: one webview panel per site scan. While the scan runs it shows progress and a row per
 * route as each audit ends; when the report arrives it shows the whole of it. A route opens its result
 * panel. Restored after a window reload by the WebviewPanelSerializer (from the history).
 */
import * as vscode from 'vscode';
import { upsertRoute } from '../../format/scanTable';
import { getScanRequest, type ScanProgressParams } from '../../protocol';
import type { ErrorInfo, FormFactor, ScanReport } from '../../protocol';
import type { IpcMessage } from '../../webview/protocol';
import {
	OpenRouteCommand,
	RescanCommand,
	SiteInitMessage,
	SiteProgressMessage,
	SiteReadyCommand,
	type SitePersistedState,
	type SiteState,
	siteStateOf,
} from '../../webview/siteProtocol';
import type { Ctx } from '../ctx';
import { errorMessage } from '../engine/engineClient';
import { WebviewHost, webviewOptions } from './webviewHost';
import { shortUrl } from './statusBar';

export const SITE_VIEW_TYPE = 'auditlens.site';

export class SitePanel {
	private static readonly open = new Set<SitePanel>();
	private readonly host: WebviewHost;

	private constructor(
		private readonly ctx: Ctx,
		panel: vscode.WebviewPanel,
		private state: SiteState,
	) {
		SitePanel.open.add(this);
		this.host = new WebviewHost(ctx, panel, {
			bundle: 'siteView.js',
			ready: SiteReadyCommand,
			init: () => SiteInitMessage.create({ state: this.state }),
			onMessage: (msg) => this.onMessage(msg),
			onDispose: () => SitePanel.open.delete(this),
		});
		this.updateTitle();
	}

	get panel(): vscode.WebviewPanel {
		return this.host.panel;
	}

	/** A Site view for a scan about to start: progress, then rows as routes finish. */
	static forScan(ctx: Ctx, scan: { scanId: string; startUrl: string; formFactors: FormFactor[] }): SitePanel {
		const panel = vscode.window.createWebviewPanel(
			SITE_VIEW_TYPE,
			'AuditLens',
			vscode.ViewColumn.Active,
			webviewOptions(ctx),
		);
		return new SitePanel(ctx, panel, { ...scan, status: 'running', routes: [] });
	}

	/** Show a stored scan: reveal its view, or open one and load the report from the engine. */
	static async show(ctx: Ctx, scanId: string): Promise<SitePanel> {
		const existing = SitePanel.find(scanId);
		if (existing) {
			existing.panel.reveal();
			return existing;
		}
		const panel = vscode.window.createWebviewPanel(
			SITE_VIEW_TYPE,
			'AuditLens',
			vscode.ViewColumn.Active,
			webviewOptions(ctx),
		);
		const sp = new SitePanel(ctx, panel, { scanId, startUrl: '', formFactors: [], status: 'loading', routes: [] });
		await sp.load(scanId);
		return sp;
	}

	/** Rebuild a view VS Code restored after a reload. */
	static async revive(ctx: Ctx, panel: vscode.WebviewPanel, persisted: SitePersistedState | undefined): Promise<void> {
		const sp = new SitePanel(ctx, panel, {
			scanId: persisted?.scanId ?? '',
			startUrl: persisted?.startUrl ?? '',
			formFactors: [],
			status: 'loading',
			routes: [],
		});
		if (persisted?.scanId) await sp.load(persisted.scanId);
		else sp.fail({ code: 'NOT_FOUND', message: 'This scan is not in the history. Run Audit Site again.' });
	}

	/** The newest view of scan `scanId`. */
	static find(scanId: string): SitePanel | undefined {
		return [...SitePanel.open].reverse().find((p) => p.state.scanId === scanId);
	}

	static disposeAll(): void {
		SitePanel.disposeWhere(() => true);
	}

	/** Close the views `pred` selects (e.g. of scans just deleted). */
	static disposeWhere(pred: (p: SitePanel) => boolean): void {
		for (const p of [...SitePanel.open]) if (pred(p)) p.panel.dispose();
	}

	get scanId(): string {
		return this.state.scanId;
	}

	get startUrl(): string {
		return this.state.startUrl;
	}

	/** True once the view shows a finished scan (not one running, loading or failed). */
	get finished(): boolean {
		return this.state.report !== undefined;
	}

	/** A copy of what the view shows, for tests. */
	snapshot(): SiteState & { visible: boolean } {
		return { ...structuredClone(this.state), visible: this.panel.visible };
	}

	/** The scan moved on: keep the progress, add the route that ended. */
	onProgress(p: ScanProgressParams): void {
		const progress = { phase: p.phase, discovered: p.discovered, done: p.done, total: p.total, etaMs: p.etaMs };
		this.state.progress = progress;
		if (p.route) upsertRoute(this.state.routes, p.route);
		this.post(SiteProgressMessage.create({ progress, ...(p.route ? { route: p.route } : {}) }));
	}

	/** The report arrived: it replaces what the progress built. */
	finish(report: ScanReport): void {
		this.state = siteStateOf(report);
		this.updateTitle();
		this.post(SiteInitMessage.create({ state: this.state }));
	}

	/** No report came: the routes audited so far stay, with why. */
	fail(error: ErrorInfo): void {
		this.state = { ...this.state, status: 'failed', error };
		this.post(SiteInitMessage.create({ state: this.state }));
	}

	private async load(scanId: string): Promise<void> {
		try {
			const report = await this.ctx.client.request(getScanRequest, { id: scanId }, 'open site scan');
			if (report) this.finish(report);
			else
				this.fail({
					code: 'NOT_FOUND',
					message:
						'This scan is no longer in the history (deleted, past retention, or it was still running when the window reloaded).',
				});
		} catch (err) {
			this.fail({ code: 'INTERNAL', message: `Could not load the scan: ${errorMessage(err)}` });
		}
	}

	private post(msg: IpcMessage<unknown>): void {
		// A view closed while its scan runs: the scan goes on, unseen here.
		this.host.post(msg);
	}

	private onMessage(msg: unknown): void {
		if (OpenRouteCommand.is(msg)) {
			// The route's audit is in the history under its id: the same command as the history tree's Open Result.
			void vscode.commands.executeCommand('auditlens.history.open', msg.params.auditId);
		} else if (RescanCommand.is(msg)) {
			void vscode.commands.executeCommand('auditlens.auditSite', this.state.startUrl, { noCache: true });
		} else {
			this.ctx.log.warn(`site view: unknown message ${JSON.stringify(msg).slice(0, 200)}`);
		}
	}

	private updateTitle(): void {
		this.host.setTitle(this.state.startUrl ? `Site: ${shortUrl(this.state.startUrl)}` : 'AuditLens Site');
	}
}

export class SitePanelSerializer implements vscode.WebviewPanelSerializer<SitePersistedState> {
	constructor(private readonly ctx: Ctx) {}

	async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: SitePersistedState | undefined): Promise<void> {
		await SitePanel.revive(this.ctx, panel, state);
	}
}
