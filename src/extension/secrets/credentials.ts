/**
 * Credentials per URL pattern, for signed-in audits from the editor. Pure (no `vscode`): the patterns, their
 * matching, and the text a person types for headers and cookies. The values live in SecretStorage, one JSON
 * secret per pattern (credentialStore.ts); the engine validates them again at the edge.
 */
import type { AuditAuth } from '../../protocol';
import { COOKIE_VALUE, HEADER_VALUE, splitNameValue, TOKEN } from '../../shared/credentialSyntax';

/** A pattern's credentials as stored (as one JSON secret). */
export interface StoredCredentials {
	pattern: string;
	headers: Record<string, string>;
	cookies: { name: string; value: string }[];
}

/** The SecretStorage key of a pattern's credentials. */
export const credentialKey = (pattern: string): string => `auditlens.credentials:${pattern}`;

/**
 * A URL pattern as typed: an origin (`http://localhost:3000`, every page of it) or a glob over the whole URL where
 * `*` stands for any characters (`http://localhost:3000/admin/*`, `https://*.staging.example.com/*`).
 */
export function parsePattern(input: string): { pattern: string } | { error: string } {
	const text = input.trim();
	if (!/^https?:\/\//i.test(text))
		return {
			error: 'Start the pattern with http:// or https://, e.g. http://localhost:3000 or https://staging.example.com/*',
		};
	if (/\s/.test(text)) return { error: 'A URL pattern has no spaces.' };
	if (text.includes('*')) {
		const host = text.replace(/^https?:\/\//i, '').split('/')[0];
		if (host === '' || host === '*')
			return { error: 'Name the host: a pattern for every site would send these credentials everywhere.' };
		return { pattern: text.replace(/^https?:\/\//i, (s) => s.toLowerCase()) };
	}
	try {
		const url = new URL(text);
		// A pattern without `*` is an origin, or an exact page when it has a path.
		return { pattern: url.pathname === '/' && !text.endsWith('/') ? url.origin : url.href };
	} catch {
		return { error: `"${text}" is not a URL; give an origin such as http://localhost:3000, or a pattern with *.` };
	}
}

/** Whether `url` is covered by `pattern` (see `parsePattern`). */
export function matchesPattern(pattern: string, url: string): boolean {
	let target: URL;
	try {
		target = new URL(url);
	} catch {
		return false;
	}
	if (!pattern.includes('*')) {
		if (/^https?:\/\/[^/]+$/i.test(pattern)) return target.origin === pattern.toLowerCase();
		return target.href === pattern;
	}
	const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
	const re = new RegExp(`^${escaped}$`, 'i');
	// An origin glob (`https://*.example.com`) covers its pages too.
	return re.test(target.href) || re.test(target.origin);
}

/**
 * The most specific pattern that covers `url`, or undefined: an exact page, then the longest glob (an origin counts as
 * `origin/*`).
 */
export function bestPattern(patterns: readonly string[], url: string): string | undefined {
	const specificity = (p: string) =>
		p.includes('*') ? p.length : /^https?:\/\/[^/]+$/i.test(p) ? p.length + 2 : Infinity;
	return patterns.filter((p) => matchesPattern(p, url)).sort((a, b) => specificity(b) - specificity(a))[0];
}

/** One `Name: value` header as typed; the value is never quoted back in an error. */
export function parseHeaderLine(line: string): { name: string; value: string } | { error: string } {
	const { name, value, at } = splitNameValue(line, ':');
	if (at <= 0) return { error: 'Write a header as Name: value (a name, a colon, then the value).' };
	if (!TOKEN.test(name))
		return { error: 'A header name has only letters, digits and - (e.g. Authorization, X-Api-Key).' };
	if (name.toLowerCase() === 'cookie')
		return {
			error: 'Give cookies as cookies (next step): a Cookie header would go to every origin the page loads from.',
		};
	if (!HEADER_VALUE.test(value)) return { error: 'A header value has printable ASCII characters only.' };
	return { name, value };
}

/** One `name=value` cookie as typed; the value is never quoted back in an error. */
export function parseCookieLine(line: string): { name: string; value: string } | { error: string } {
	const { name, value, at } = splitNameValue(line, '=');
	if (at <= 0) return { error: 'Write a cookie as name=value.' };
	if (!TOKEN.test(name)) return { error: 'A cookie name has only letters, digits and - or _.' };
	if (!COOKIE_VALUE.test(value))
		return { error: 'A cookie value has no spaces, quotes, commas, semicolons or backslashes.' };
	return { name, value };
}

/** A stored secret read back, or undefined when it is not one of ours. */
export function parseStored(json: string | undefined): StoredCredentials | undefined {
	if (!json) return undefined;
	try {
		const v = JSON.parse(json) as Partial<StoredCredentials>;
		if (
			typeof v.pattern !== 'string' ||
			typeof v.headers !== 'object' ||
			v.headers === null ||
			!Array.isArray(v.cookies)
		)
			return undefined;
		return { pattern: v.pattern, headers: v.headers, cookies: v.cookies };
	} catch {
		return undefined;
	}
}

/** The `auth` of an audit request: a pattern's headers and cookies and the login script; undefined when none. */
export function toAuditAuth(
	stored: StoredCredentials | undefined,
	loginScript: string | undefined,
): AuditAuth | undefined {
	const headers = stored && Object.keys(stored.headers).length > 0 ? stored.headers : undefined;
	const cookies = stored && stored.cookies.length > 0 ? stored.cookies : undefined;
	if (!headers && !cookies && !loginScript) return undefined;
	return { ...(headers ? { headers } : {}), ...(cookies ? { cookies } : {}), ...(loginScript ? { loginScript } : {}) };
}
