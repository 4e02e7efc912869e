/** Validation and memory of the URLs a person audits. Pure: no `vscode`. */

const LOCAL_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0)(:\d+)?(\/|$)/i;

/**
 * The URL to audit for what a person typed, or an error message saying what is wrong.
 * A missing scheme means http:// for local hosts and https:// otherwise; only http(s) is allowed.
 */
export function parseAuditUrl(input: string): { url: string } | { error: string } {
	const text = input.trim();
	if (!text) return { error: 'Enter a URL to audit, e.g. https://example.com or localhost:3000' };
	const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
	const candidate = hasScheme ? text : `${LOCAL_HOST.test(text) ? 'http' : 'https'}://${text}`;
	let url: URL;
	try {
		url = new URL(candidate);
	} catch {
		return { error: `"${text}" is not a valid URL` };
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:')
		return { error: `Only http and https URLs can be audited, not ${url.protocol}` };
	if (!url.hostname) return { error: 'The URL has no host name' };
	if (/\s/.test(text)) return { error: 'A URL cannot contain spaces' };
	return { url: url.href };
}

/**
 * The URLs in a list a person typed or pasted (separated by spaces, commas or lines), without
 * duplicates, or the first problem found.
 */
export function parseAuditUrls(input: string): { urls: string[] } | { error: string } {
	const parts = input.split(/[\s,]+/).filter(Boolean);
	if (!parts.length) return { error: 'Enter one or more URLs, separated by spaces, commas or new lines' };
	const urls: string[] = [];
	for (const part of parts) {
		const parsed = parseAuditUrl(part);
		if ('error' in parsed) return { error: parsed.error };
		if (!urls.includes(parsed.url)) urls.push(parsed.url);
	}
	return { urls };
}

/** A most-recently-used list: `url` first, no duplicates, at most `max` items. */
export function pushRecent(list: readonly string[], url: string, max = 10): string[] {
	if (!Number.isInteger(max) || max < 1) throw new TypeError(`max must be a positive integer, got ${max}`);
	return [url, ...list.filter((u) => u !== url)].slice(0, max);
}
