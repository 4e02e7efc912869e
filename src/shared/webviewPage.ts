/**
 * The page every AuditLens webview loads (result panel, Site view), and the same page as one self-contained file
 * (`auditlens scan --html`). A CSP lets only the bundle run (by a fresh nonce) and loads nothing remote; the page
 * itself is built by the bundle, from the host's messages or from the data inlined in the file. Pure: no `vscode`.
 */
import { randomBytes } from 'node:crypto';
import { escapeHtml, scriptJson, STATIC_DATA_ID } from './html';

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

function page(csp: string[], title: string, head: string, body: string): string {
	return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp.join('; '))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${head}
<title>${escapeHtml(title)}</title>
</head>
<body>
<main id="app" aria-live="polite"><p class="loading">Loading…</p></main>
${body}
</body>
</html>`;
}

/** The HTML of a webview page; every value is escaped for the attribute or text it goes into. */
export function webviewPage(opts: WebviewPageOptions): string {
	const nonce = opts.nonce ?? newNonce();
	const src = opts.cspSource;
	return page(
		[
			`default-src 'none'`,
			`img-src ${src} data:`,
			`style-src ${src}`,
			`font-src ${src}`,
			`script-src 'nonce-${nonce}'`,
		],
		opts.title,
		`<link href="${escapeHtml(opts.css)}" rel="stylesheet">`,
		`<script nonce="${escapeHtml(nonce)}" src="${escapeHtml(opts.script)}"></script>`,
	);
}

export interface StaticPageOptions {
	/** The stylesheets' text, inlined. */
	css: string[];
	/** The bundle's text, inlined. */
	script: string;
	/** What the bundle renders, inlined as JSON in `<script type="application/json" id="data">`. */
	data: unknown;
	title: string;
	nonce?: string;
}

/**
 * A webview page as one file that needs nothing else: its CSS and bundle inline, allowed by one nonce; nothing is
 * fetched, no form goes anywhere, no base URL changes links. The data block is JSON with `<` escaped, so no text
 * in it ends the block.
 */
export function staticWebviewPage(opts: StaticPageOptions): string {
	const nonce = escapeHtml(opts.nonce ?? newNonce());
	// A bundle holding `</script` would end its element early; in JavaScript source `<\/script` means the same.
	const script = opts.script.replace(/<\/(script)/gi, '<\\/$1');
	const css = opts.css.map((c) => c.replace(/<\/(style)/gi, '<\\/$1'));
	return page(
		[
			`default-src 'none'`,
			`img-src data:`,
			`style-src 'nonce-${nonce}'`,
			`script-src 'nonce-${nonce}'`,
			`base-uri 'none'`,
			`form-action 'none'`,
		],
		opts.title,
		`<meta name="referrer" content="no-referrer">\n${css.map((c) => `<style nonce="${nonce}">${c}</style>`).join('\n')}`,
		`<script type="application/json" id="${STATIC_DATA_ID}">${scriptJson(opts.data)}</script>\n<script nonce="${nonce}">${script}</script>`,
	);
}
