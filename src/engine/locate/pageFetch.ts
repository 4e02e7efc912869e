import type { FetchedText, FetchText } from './sourceMaps';
import { isLocalHost } from './workspace';

export interface PageFetchLimits {
	/** One fetch gives up after this long (a hanging dev server). */
	perFetchMs: number;
	/** All fetches of one locate call end by then. */
	totalMs: number;
	/** A response larger than this is dropped (a huge bundle or map). */
	maxBytes: number;
}

export const DEFAULT_PAGE_FETCH_LIMITS: PageFetchLimits = {
	perFetchMs: 5_000,
	totalMs: 15_000,
	maxBytes: 32 * 1024 * 1024,
};

/**
 * Whether a locate call for a page at `pageUrl` may fetch `url` (and take it for one of the page's own files): http(s)
 * only, the page's own origin, or another port of the same local machine when the page itself is local (a dev
 * server whose scripts come from another one).
 */
export function mayFetch(pageUrl: string, url: string): boolean {
	let page: URL;
	let target: URL;
	try {
		page = new URL(pageUrl);
		target = new URL(url);
	} catch {
		return false;
	}
	if (!/^https?:$/.test(target.protocol) || target.username || target.password) return false;
	if (target.origin === page.origin) return true;
	return isLocalHost(page.hostname) && isLocalHost(target.hostname);
}

/**
 * The fetch a locate call reads the page's HTML, scripts and source maps with: only what `mayFetch`
 * allows, no redirects (one could lead off the origin), each fetch bounded in time and size, all of them by a total
 * deadline, and never a credential (the audit's headers and cookies are not kept). Failures are undefined, never
 * thrown: a page that cannot be read only leaves its findings without a source line.
 */
export function pageFetch(
	pageUrl: string,
	limits: PageFetchLimits = DEFAULT_PAGE_FETCH_LIMITS,
	signal?: AbortSignal,
): FetchText {
	const deadline = AbortSignal.timeout(limits.totalMs);
	return async (url: string): Promise<FetchedText | undefined> => {
		if (!mayFetch(pageUrl, url)) return undefined;
		const signals = [deadline, AbortSignal.timeout(limits.perFetchMs), ...(signal ? [signal] : [])];
		try {
			const res = await fetch(url, {
				redirect: 'manual',
				signal: AbortSignal.any(signals),
				headers: { 'user-agent': 'AuditLens locate' },
			});
			if (!res.ok || !res.body || Number(res.headers.get('content-length') ?? '0') > limits.maxBytes) {
				await res.body?.cancel().catch(() => undefined);
				return undefined;
			}
			const chunks: Uint8Array[] = [];
			let bytes = 0;
			const reader = res.body.getReader();
			for (let part = await reader.read(); !part.done; part = await reader.read()) {
				bytes += part.value.byteLength;
				if (bytes > limits.maxBytes) {
					await reader.cancel().catch(() => undefined);
					return undefined;
				}
				chunks.push(part.value);
			}
			const text = Buffer.concat(chunks).toString('utf8');
			const sourceMap = res.headers.get('sourcemap') ?? res.headers.get('x-sourcemap') ?? undefined;
			return sourceMap ? { text, sourceMap } : { text };
		} catch {
			return undefined;
		}
	};
}
