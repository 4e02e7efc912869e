/** Error texts a person can act on, shared by the extension host and the webview. Pure: no `vscode`, no DOM. */
import type { ErrorInfo } from '../protocol';

/**
 * A message a person can act on for an error of an audit or stage. On a development server,
 * Lighthouse's NO_FCP ("the page did not paint any content") usually has a dev-server cause.
 */
export function explainError(error: ErrorInfo, devServer: boolean): string {
	const noFcp = /NO_FCP|did not paint any content/i.test(error.message);
	if (noFcp && devServer) {
		return (
			`${error.message}\n\nThis is common on a development server: the page paints nothing until its ` +
			'unminified bundle has been compiled and loaded (the first request after a restart or a save can take ' +
			'seconds), or the app renders only after a client-side error overlay or a blank loading state. ' +
			'Open the URL in a browser once so the dev server finishes compiling, check the browser console for errors, ' +
			'then save again; if it persists, raise auditlens.auditTimeoutMs or point auditlens.devServerUrl at a page that renders content.'
		);
	}
	if (noFcp) {
		return `${error.message}\n\nLighthouse saw no content painted. Check that the page renders without user interaction and without errors in the browser console.`;
	}
	return error.message;
}

/** The label shown on results of a dev server. */
export const DEV_BUILD_NOTE =
	'Development build: unminified code and dev tooling (hot reload, source maps) make these scores lower than production’s. Compare dev runs with each other, not with production.';
