import zlib from 'node:zlib';
import { abortError } from '../errors';

/**
 * The one way discovery reads the site: GET on the site's origin only (a redirect elsewhere is not
 * followed), the caller's headers and cookies, a time limit and a size cap per fetch. Never throws for what a
 * site may do (404, a reset connection, a slow answer, too many bytes): the caller gets `undefined` or a
 * truncated body and moves on. Throws only the cancel signal's reason.
 */

/** Time limit of one fetch: a page or sitemap that takes longer is skipped, the scan goes on. */
export const FETCH_TIMEOUT_MS = 15_000;
const MAX_REDIRECTS = 5;
/** robots.txt and Sitemap lines identify us by this; the Disallow rules for it (or for `*`) apply. */
export const USER_AGENT = 'AuditLens';

export interface SiteFetchOptions {
	/** The only origin fetched (`https://example.com`). */
	origin: string;
	signal: AbortSignal;
	headers?: Record<string, string>;
	cookies?: { name: string; value: string }[];
	timeoutMs?: number;
}

export interface FetchedText {
	/** Where the answer came from, after same-origin redirects. */
	url: string;
	status: number;
	contentType: string;
	text: string;
	/** The body was longer than the cap and was cut there. */
	truncated: boolean;
}

/** A redirect to another origin, which is not followed: what it points to is not on the site. */
export const ELSEWHERE = 'elsewhere';

/** The answer, `ELSEWHERE`, or undefined when there was none (network error, timeout, a redirect loop). */
export type SiteFetch = (
	url: string,
	accept: string,
	maxBytes: number,
) => Promise<FetchedText | typeof ELSEWHERE | undefined>;

/** A fetcher bound to one site and one scan. */
export function siteFetcher(opts: SiteFetchOptions): SiteFetch {
	const cookie = opts.cookies?.length ? opts.cookies.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
	const timeoutMs = opts.timeoutMs ?? FETCH_TIMEOUT_MS;
	return async (href, accept, maxBytes) => {
		let url = new URL(href);
		if (url.origin !== opts.origin) return undefined;
		const timeout = AbortSignal.timeout(timeoutMs);
		const signal = AbortSignal.any([opts.signal, timeout]);
		try {
			for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
				const headers = { accept, 'user-agent': `${USER_AGENT} scan`, ...opts.headers, ...(cookie ? { cookie } : {}) };
				const res = await fetch(url, { redirect: 'manual', signal, headers });
				const location = res.headers.get('location');
				if (res.status >= 300 && res.status < 400) {
					await res.body?.cancel().catch(() => undefined);
					if (!location) return undefined;
					const next = new URL(location, url);
					// Another origin (or scheme) is not the site: its page is not a route, and its server never sees our headers.
					if (next.origin !== opts.origin) return ELSEWHERE;
					url = next;
					continue;
				}
				const { text, truncated } = await readCapped(res, url, maxBytes);
				return {
					url: url.href,
					status: res.status,
					contentType: res.headers.get('content-type') ?? '',
					text,
					truncated,
				};
			}
			return undefined;
		} catch {
			if (opts.signal.aborted) throw abortError(opts.signal, 'The scan was cancelled.');
			return undefined;
		}
	};
}

/** The body up to `maxBytes`, gunzipped when it is a gzip file (a `.xml.gz` sitemap) rather than gzip encoding. */
async function readCapped(res: Response, url: URL, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
	const chunks: Uint8Array[] = [];
	let size = 0;
	let truncated = false;
	if (res.body) {
		const reader = res.body.getReader();
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			chunks.push(value);
			size += value.byteLength;
			if (size > maxBytes) {
				truncated = true;
				await reader.cancel().catch(() => undefined);
				break;
			}
		}
	}
	let body = Buffer.concat(chunks);
	const gzipped =
		body[0] === 0x1f &&
		body[1] === 0x8b &&
		(url.pathname.endsWith('.gz') || /gzip/i.test(res.headers.get('content-type') ?? ''));
	if (gzipped) {
		if (truncated) return { text: '', truncated };
		try {
			body = zlib.gunzipSync(body, { maxOutputLength: maxBytes });
		} catch {
			// Larger than the cap once inflated, or not gzip after all: nothing usable.
			return { text: '', truncated: true };
		}
	} else if (body.length > maxBytes) body = body.subarray(0, maxBytes);
	return { text: body.toString('utf8'), truncated };
}
