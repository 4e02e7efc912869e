/**
 * The page every AuditLens webview loads (result panel, Site view): a CSP that lets only its own bundle run
 * (by a fresh nonce) and loads styles, images and fonts only from the extension's folders, then the bundle.
 * The page itself is built by the bundle from the host's messages. Pure: no `vscode`, so it is unit-tested.
 */
import { randomBytes } from 'node:crypto';

export interface WebviewPageOptions {
	/** `webview.cspSource`: the origin of the extension's local resources. */
	cspSource: string;
	/** Webview URIs (`asWebviewUri`) of the stylesheet and the script bundle. */
	css: string;
	script: string;
	title: string;
	/** A fresh one is made when absent; tests give their own. */
	nonce?: string;
}

/** A nonce for one page load: 128 random bits. */
export function newNonce(): string {
	return randomBytes(16).toString('base64');
}

/** The HTML of a webview page; every value is escaped for the attribute or text it goes into. */
export function webviewPage(opts: WebviewPageOptions): string {
	const nonce = opts.nonce ?? newNonce();
	const src = opts.cspSource;
	const csp = [
		`default-src 'none'`,
		`img-src ${src} data:`,
		`style-src ${src}`,
		`font-src ${src}`,
		`script-src 'nonce-${nonce}'`,
	].join('; ');
	return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${escapeHtml(opts.css)}" rel="stylesheet">
<title>${escapeHtml(opts.title)}</title>
</head>
<body>
<main id="app" aria-live="polite"><p class="loading">Loading…</p></main>
<script nonce="${escapeHtml(nonce)}" src="${escapeHtml(opts.script)}"></script>
</body>
</html>`;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside HTML text and double- or single-quoted attributes. */
export function escapeHtml(s: string): string {
	return s.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
