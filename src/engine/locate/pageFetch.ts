import { imageSize } from 'image-size';
import type { ImageSizeOf } from '../derive/findings';
import type { FetchedText, FetchText } from './sourceMaps';

export interface PageFetchLimits {
	/** One fetch gives up after this long (a hanging dev server). */
	perFetchMs: number;
	/** All fetches of one locate call end by then. */
	totalMs: number;
	/** A response larger than this is dropped (a huge bundle or map). */
	maxBytes: number;
	/** An image larger than this is not read for its size. */
	maxImageBytes: number;
}

export const DEFAULT_PAGE_FETCH_LIMITS: PageFetchLimits = { perFetchMs: 5_000, totalMs: 15_000, maxBytes: 32 * 1024 * 1024, maxImageBytes: 8 * 1024 * 1024 };

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

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
	return LOCAL_HOSTS.has(page.hostname) && LOCAL_HOSTS.has(target.hostname);
}

/** The fetches of one locate call: text (HTML, scripts, maps) and image sizes, under one deadline. */
export interface PageFetch {
	text: FetchText;
	imageSize: ImageSizeOf;
}

/**
 * The fetches a locate call reads the page's HTML, scripts, source maps and images with: only what `mayFetch`
 * allows, no redirects (one could lead off the origin), each fetch bounded in time and size, all of them by a total
 * deadline, and never a credential (the audit's headers and cookies are not kept). Failures are undefined, never
 * thrown: a page that cannot be read only leaves its findings without a source line.
 */
export function pageFetch(pageUrl: string, limits: PageFetchLimits = DEFAULT_PAGE_FETCH_LIMITS, signal?: AbortSignal): PageFetch {
	const deadline = AbortSignal.timeout(limits.totalMs);
	const get = async (url: string, maxBytes: number): Promise<{ body: Buffer; headers: Headers } | undefined> => {
		if (!mayFetch(pageUrl, url)) return undefined;
		const signals = [deadline, AbortSignal.timeout(limits.perFetchMs), ...(signal ? [signal] : [])];
		try {
			const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.any(signals), headers: { 'user-agent': 'AuditLens locate' } });
			if (!res.ok || !res.body || Number(res.headers.get('content-length') ?? '0') > maxBytes) {
				await res.body?.cancel().catch(() => undefined);
				return undefined;
			}
			const chunks: Uint8Array[] = [];
			let bytes = 0;
			const reader = res.body.getReader();
			for (let part = await reader.read(); !part.done; part = await reader.read()) {
				bytes += part.value.byteLength;
				if (bytes > maxBytes) {
					await reader.cancel().catch(() => undefined);
					return undefined;
				}
				chunks.push(part.value);
			}
			return { body: Buffer.concat(chunks), headers: res.headers };
		} catch {
			return undefined;
		}
	};
	return {
		text: async (url): Promise<FetchedText | undefined> => {
			const got = await get(url, limits.maxBytes);
			if (!got) return undefined;
			const text = got.body.toString('utf8');
			const sourceMap = got.headers.get('sourcemap') ?? got.headers.get('x-sourcemap') ?? undefined;
			return sourceMap ? { text, sourceMap } : { text };
		},
		imageSize: async (url) => {
			const got = await get(url, limits.maxImageBytes);
			if (!got) return undefined;
			try {
				const size = imageSize(got.body);
				if (!size.width || !size.height) return undefined;
				// EXIF orientations 5–8 turn the picture a quarter: the browser lays it out with the sides swapped.
				return (size.orientation ?? 1) >= 5 ? { width: size.height, height: size.width } : { width: size.width, height: size.height };
			} catch {
				// Not an image it knows (or a broken one): no size, so no `add-size` fix.
				return undefined;
			}
		},
	};
}
