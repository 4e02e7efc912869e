/**
 * The plumbing every AuditLens webview panel shares (result panel, Site view): its options and page, the
 * handshake (the webview says it is ready, the host answers with the whole state), posting only while the
 * webview listens, and disposal. The panel classes keep their state and say what to send.
 */
import * as vscode from 'vscode';
import type { IpcMessage, IpcMessageType } from '../../webview/protocol';
import type { Ctx } from '../ctx';
import { webviewPage } from '../../shared/webviewPage';

export interface WebviewHostOptions {
	/** The script in dist/ the page runs. */
	bundle: string;
	/** The message the webview sends once it listens. */
	ready: IpcMessageType<Record<string, never>>;
	/** The whole state, sent in answer to `ready`. */
	init(): IpcMessage<unknown>;
	/** Any other message from the webview. */
	onMessage(msg: unknown): void;
	/** The panel was closed. */
	onDispose(): void;
}

export class WebviewHost {
	private readonly disposables: vscode.Disposable[] = [];
	private ready = false;
	private disposedValue = false;

	constructor(
		ctx: Ctx,
		readonly panel: vscode.WebviewPanel,
		private readonly opts: WebviewHostOptions,
	) {
		const root = ctx.extension.extensionUri;
		panel.webview.options = webviewOptions(ctx);
		panel.webview.html = webviewPage({
			cspSource: panel.webview.cspSource,
			css: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'media', 'panel.css')).toString(),
			script: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', opts.bundle)).toString(),
			title: 'AuditLens',
		});
		panel.iconPath = vscode.Uri.joinPath(root, 'media', 'auditlens.svg');
		this.disposables.push(
			panel.onDidDispose(() => this.dispose()),
			panel.webview.onDidReceiveMessage((msg: unknown) => {
				if (!opts.ready.is(msg)) return opts.onMessage(msg);
				this.ready = true;
				void panel.webview.postMessage(opts.init());
			}),
		);
	}

	get disposed(): boolean {
		return this.disposedValue;
	}

	/**
	 * Send `msg` if the webview listens; a panel closed (or a window reloading) meanwhile misses nothing it needs later.
	 */
	post(msg: IpcMessage<unknown>): void {
		if (this.ready && !this.disposedValue) void this.panel.webview.postMessage(msg).then(undefined, () => undefined);
	}

	setTitle(title: string): void {
		if (!this.disposedValue) this.panel.title = title;
	}

	private dispose(): void {
		this.disposedValue = true;
		this.opts.onDispose();
		for (const d of this.disposables.splice(0)) d.dispose();
	}
}

/** Scripts on; local resources only from media/, dist/ and the screenshots folder. */
export function webviewOptions(ctx: Ctx): vscode.WebviewOptions & vscode.WebviewPanelOptions {
	const root = ctx.extension.extensionUri;
	return {
		enableScripts: true,
		localResourceRoots: [
			vscode.Uri.joinPath(root, 'media'),
			vscode.Uri.joinPath(root, 'dist'),
			vscode.Uri.file(ctx.artifactsDir),
		],
	};
}
