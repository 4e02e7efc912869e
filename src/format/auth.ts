/** How a result says it was signed in, shared by the CLI, the panel and the history. Pure; names only. */
import type { AuthSummary } from '../protocol';

/** E.g. `signed in: header Authorization · cookies session, csrf · login script login.mjs`; '' when not signed in. */
export function authLabel(auth: AuthSummary | undefined): string {
	if (!auth) return '';
	const parts: string[] = [];
	if (auth.headers.length) parts.push(`${auth.headers.length === 1 ? 'header' : 'headers'} ${auth.headers.join(', ')}`);
	if (auth.cookies.length) parts.push(`${auth.cookies.length === 1 ? 'cookie' : 'cookies'} ${auth.cookies.join(', ')}`);
	if (auth.loginScript) parts.push(`login script ${auth.loginScript.split(/[\\/]/).pop() ?? auth.loginScript}`);
	return `signed in: ${parts.join(' · ')}`;
}
