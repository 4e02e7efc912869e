/**
 * One webview panel per audit result. The host keeps the panel's state and sends it whole when the
 * webview loads (or reloads), then only what changed: stages as they finish, progress, the end.
 * Restored after a window reload by the WebviewPanelSerializer.
 */
import * as vscode from 'vscode';
import { getResultRequest, listHistoryRequest, type ProgressParams } from '../../protocol';
import type { AuditResult, ErrorInfo, StageOutcomes } from '../../protocol';
import {
	DoneMessage,
	ExportCommand,
	InitMessage,
	OpenReportCommand,
	ProgressMessage,
	ReadyCommand,
	RerunCommand,
	StagesMessage,
	type IpcMessage,
	type PanelState,
	type PersistedState,
} from '../../webview/protocol';
import type { Ctx } from '../ctx';
import { errorMessage } from '../engine/engineClient';
import { shortUrl } from './statusBar';
import { WebviewHost, webviewOptions } from './webviewHost';

export const RESULT_VIEW_TYPE = 'auditlens.result';

export type PreviousAudit = NonNullable<PanelState['previous']>;

export class ResultPanel {
	private static readonly open = new Set<ResultPanel>();
	private readonly host: WebviewHost;

	private constructor(
		private readonly ctx: Ctx,
		panel: vscode.WebviewPanel,
		private state: PanelState,
	) {
		ResultPanel.open.add(this);
		this.host = new WebviewHost(ctx, panel, {
			bundle: 'webview.js',
			ready: ReadyCommand,
			init: () => InitMessage.create({ state: this.state }),
			onMessage: (msg) => this.onMessage(msg),
			onDispose: () => ResultPanel.open.delete(this),
		});
		this.updateTitle();
	}

	get panel(): vscode.WebviewPanel {
		return this.host.panel;
	}

	/** A panel for a new audit: a fresh one, or (audit on save) the one already showing that URL. */
	static forAudit(
		ctx: Ctx,
		url: string,
		auditId: string,
		devServer: boolean,
		opts: { reuseForUrl: boolean; preserveFocus: boolean },
	): ResultPanel {
		const state: PanelState = {
			url,
			auditId,
			devServer,
			status: 'running',
			progress: {},
			stages: {},
			images: {},
			followsLatest: opts.reuseForUrl,
		};
		const existing = opts.reuseForUrl
			? [...ResultPanel.open].find((p) => p.state.url === url && p.state.devServer === devServer)
			: undefined;
		if (existing) {
			existing.reset(state);
			existing.panel.reveal(undefined, opts.preserveFocus);
			return existing;
		}
		const panel = vscode.window.createWebviewPanel(
			RESULT_VIEW_TYPE,
			'AuditLens',
			{ viewColumn: vscode.ViewColumn.Beside, preserveFocus: opts.preserveFocus },
			webviewOptions(ctx),
		);
		return new ResultPanel(ctx, panel, state);
	}

	/** Show a stored result: reveal its panel, or open one and load it from the engine. */
	static async show(ctx: Ctx, resultId: string): Promise<ResultPanel> {
		const existing = ResultPanel.find(resultId);
		if (existing) {
			existing.panel.reveal();
			return existing;
		}
		const panel = vscode.window.createWebviewPanel(
			RESULT_VIEW_TYPE,
			'AuditLens',
			vscode.ViewColumn.Active,
			webviewOptions(ctx),
		);
		const rp = new ResultPanel(ctx, panel, {
			url: '',
			resultId,
			devServer: false,
			status: 'running',
			progress: {},
			stages: {},
			images: {},
		});
		await rp.load(resultId);
		return rp;
	}

	/** Rebuild a panel VS Code restored after a reload. */
	static async revive(ctx: Ctx, panel: vscode.WebviewPanel, persisted: PersistedState | undefined): Promise<void> {
		const followsLatest = persisted?.followsLatest === true;
		const rp = new ResultPanel(ctx, panel, {
			url: persisted?.url ?? '',
			resultId: persisted?.resultId,
			devServer: false,
			status: 'running',
			progress: {},
			stages: {},
			images: {},
			followsLatest,
		});
		// The webview's state may predate the end of its audit (the web workbench saves it lazily): then
		// show the latest stored audit of the same URL. An audit-on-save panel always shows the latest.
		const latest =
			persisted?.url && (followsLatest || !persisted.resultId) ? await latestAuditId(ctx, persisted.url) : undefined;
		const resultId = latest ?? persisted?.resultId;
		if (resultId) await rp.load(resultId);
		else
			rp.fail({ code: 'CANCELLED', message: 'This audit was still running when the window reloaded. Run it again.' });
	}

	/** The newest panel showing `resultId` (a cached result can be shown again in a new panel). */
	static find(resultId: string): ResultPanel | undefined {
		return [...ResultPanel.open].reverse().find((p) => p.state.resultId === resultId);
	}

	/** The panel in front, if any (for Export Result without arguments). */
	static get active(): ResultPanel | undefined {
		return [...ResultPanel.open].find((p) => p.panel.active);
	}

	static disposeAll(): void {
		ResultPanel.disposeWhere(() => true);
	}

	/** Close the panels `pred` selects (e.g. of audits just deleted). */
	static disposeWhere(pred: (p: ResultPanel) => boolean): void {
		for (const p of [...ResultPanel.open]) if (pred(p)) p.panel.dispose();
	}

	get resultId(): string | undefined {
		return this.state.resultId;
	}

	get url(): string {
		return this.state.url;
	}

	get auditId(): string | undefined {
		return this.state.auditId;
	}

	/** A copy of what the panel shows (the state its webview renders), for tests. */
	snapshot(): PanelState & { visible: boolean } {
		return { ...structuredClone(this.state), visible: this.panel.visible };
	}

	onProgress(p: ProgressParams): void {
		if (p.stage === 'audit') return;
		this.state.progress[p.stage] = p.state;
		this.post(ProgressMessage.create({ stage: p.stage, state: p.state }));
	}

	onStages(stages: StageOutcomes): void {
		Object.assign(this.state.stages, stages);
		const images = this.imagesOf(stages);
		Object.assign(this.state.images, images);
		this.post(StagesMessage.create({ stages, images }));
	}

	finish(result: AuditResult, previous?: PreviousAudit): void {
		const { stages, ...rest } = result;
		Object.assign(this.state, {
			status: result.error ? 'failed' : 'done',
			resultId: result.id,
			result: rest,
			previous,
			error: result.error,
			devServer: result.options.devServer,
		});
		this.state.stages = { ...this.state.stages, ...stages };
		Object.assign(this.state.images, this.imagesOf(stages));
		this.updateTitle();
		this.post(DoneMessage.create({ result: rest, stages, previous, error: result.error, images: this.state.images }));
	}

	fail(error: ErrorInfo): void {
		this.state.status = 'failed';
		this.state.error = error;
		this.post(DoneMessage.create({ stages: {}, error, images: {} }));
	}

	private reset(state: PanelState): void {
		this.state = state;
		this.updateTitle();
		this.post(InitMessage.create({ state }));
	}

	private async load(resultId: string): Promise<void> {
		try {
			const result = await this.ctx.client.request(getResultRequest, { id: resultId }, 'open result');
			if (!result) {
				this.fail({
					code: 'NOT_FOUND',
					message: 'This audit is no longer in the history (deleted or past retention).',
				});
				return;
			}
			this.state = {
				url: result.url,
				devServer: result.options.devServer,
				status: 'running',
				progress: {},
				stages: {},
				images: {},
				followsLatest: this.state.followsLatest,
			};
			const previous = await previousAudit(this.ctx, result);
			this.finish(result, previous);
			this.post(InitMessage.create({ state: this.state }));
		} catch (err) {
			this.fail({ code: 'INTERNAL', message: `Could not load the audit: ${errorMessage(err)}` });
		}
	}

	private post(msg: IpcMessage<unknown>): void {
		// A panel closed (or a window reloading) while its audit runs: the audit goes on, unseen here.
		this.host.post(msg);
	}

	private onMessage(msg: unknown): void {
		if (OpenReportCommand.is(msg)) {
			if (this.state.resultId)
				void vscode.commands.executeCommand(
					'auditlens.openLighthouseReport',
					this.state.resultId,
					msg.params.formFactor,
				);
		} else if (ExportCommand.is(msg)) {
			if (this.state.resultId) void vscode.commands.executeCommand('auditlens.exportResult', this.state.resultId);
		} else if (RerunCommand.is(msg)) {
			void vscode.commands.executeCommand('auditlens.history.rerun', this.state.url);
		} else {
			this.ctx.log.warn(`result panel: unknown message ${JSON.stringify(msg).slice(0, 200)}`);
		}
	}

	private imagesOf(stages: StageOutcomes): Record<string, string> {
		const out: Record<string, string> = {};
		const capture = stages.capture;
		if (capture?.status !== 'ok') return out;
		for (const shots of Object.values(capture.data.shots)) {
			for (const shot of [shots?.viewport, shots?.fullPage]) {
				if (shot) out[shot.path] = this.panel.webview.asWebviewUri(vscode.Uri.file(shot.path)).toString();
			}
		}
		return out;
	}

	private updateTitle(): void {
		this.host.setTitle(this.state.url ? `AuditLens: ${shortUrl(this.state.url)}` : 'AuditLens');
	}
}

/** The audit of the same URL before `result`, with its stages for the comparison. */
export async function previousAudit(ctx: Ctx, result: AuditResult): Promise<PreviousAudit | undefined> {
	try {
		const { entries = [] } = await ctx.client.request(
			listHistoryRequest,
			{ url: result.url, limit: 10 },
			'list history',
		);
		const before = entries
			.filter((e) => e.id !== result.id && e.status !== 'failed' && e.requestedAt <= result.requestedAt)
			.sort((a, b) => b.requestedAt.localeCompare(a.requestedAt))[0];
		if (!before) return undefined;
		const prev = await ctx.client.request(getResultRequest, { id: before.id }, 'load previous audit');
		return prev ? { id: prev.id, requestedAt: prev.requestedAt, stages: prev.stages } : undefined;
	} catch (err) {
		ctx.log.warn(`previous audit of ${result.url}: ${errorMessage(err)}`);
		return undefined;
	}
}

async function latestAuditId(ctx: Ctx, url: string): Promise<string | undefined> {
	try {
		const { entries = [] } = await ctx.client.request(listHistoryRequest, { url, limit: 1 }, 'list history');
		return entries[0]?.id;
	} catch (err) {
		ctx.log.warn(`restoring the panel of ${url}: ${errorMessage(err)}`);
		return undefined;
	}
}

export class ResultPanelSerializer implements vscode.WebviewPanelSerializer<PersistedState> {
	constructor(private readonly ctx: Ctx) {}

	async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: PersistedState | undefined): Promise<void> {
		await ResultPanel.revive(this.ctx, panel, state);
	}
}
