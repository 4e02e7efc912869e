import assert from 'node:assert/strict';
import { escapeHtml } from '../../src/shared/html';
import { webviewPage } from '../../src/shared/webviewPage';

/** Stands in for the webview's resource origin (`webview.cspSource`). */
const ORIGIN = 'https://webview.test';

describe('Webview page (the HTML every AuditLens webview loads)', () => {
	it('builds its page with a CSP that runs only the script carrying a fresh nonce', () => {
		const a = webviewPage({ cspSource: ORIGIN, css: 'c.css', script: 's.js', title: 'T' });
		const b = webviewPage({ cspSource: ORIGIN, css: 'c.css', script: 's.js', title: 'T' });
		// The CSP sits in an attribute, its quotes escaped as entities (the browser reads them back).
		const nonceOf = (html: string) => /script-src &#39;nonce-([^&]+)&#39;/.exec(html)?.[1];
		assert.ok(nonceOf(a) && nonceOf(a) !== nonceOf(b), 'a new nonce per page');
		assert.ok(a.includes(`<script nonce="${nonceOf(a)}" src="s.js"></script>`), a);
		assert.doesNotMatch(a, /unsafe-inline|unsafe-eval/);
		assert.ok(a.includes('default-src &#39;none&#39;'), a);
		assert.equal((a.match(/<script/g) ?? []).length, 1, 'one script: the bundle');
		const hostile = webviewPage({
			cspSource: ORIGIN,
			css: '"><script>x</script>',
			script: 's.js',
			title: '</title><script>',
			nonce: 'n',
		});
		assert.equal((hostile.match(/<script/g) ?? []).length, 1, 'values are escaped, not markup');
		assert.equal(escapeHtml(`<a href="x" title='y'>&`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;');
	});
});
