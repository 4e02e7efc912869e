import type { TargetValue } from './elementTarget';
import type { AttrValue } from './tagSites';

/** Attributes whose values are URLs: compared by path when not equal as written. */
export const urlAttrs = new Set(['src', 'href', 'action', 'poster', 'srcset', 'formaction', 'data']);

/** Image optimizers serve a source's image under their own URL: `/_next/image?url=%2Fhero.png&w=640`. */
function unwrapImageUrl(url: string): string {
	const m = /^(?:[a-z][\w+.-]*:\/\/[^/]*)?\/_(?:next|vercel)\/image\/?\?(?:.*&)?url=([^&#]+)/i.exec(url);
	if (!m) return url;
	try {
		return decodeURIComponent(m[1]);
	} catch {
		return url;
	}
}

/** The path of a URL as written in a page or a source: no origin, query, fragment or leading `./`. */
export function urlPath(url: string): string {
	return unwrapImageUrl(url)
		.replace(/^[a-z][\w+.-]*:\/\/[^/]*|^\/\/[^/]*/i, '')
		.replace(/[?#].*$/, '')
		.replace(/^(\.\/)+/, '');
}

/** A page URL's path and its last segment, worked out once per finding. */
export interface PagePath {
	path: string;
	/** The last segment, which any source writing of the same path contains. */
	last: string;
}

export function pagePath(url: string): PagePath {
	const path = urlPath(url);
	return { path, last: path.slice(path.lastIndexOf('/') + 1) };
}

/** Same path: equal, or the source's relative path (`img/a.png`, `../img/a.png`) is the page's path's tail. */
export function samePath(page: PagePath, source: string): boolean {
	if (!page.path || !source.includes(page.last)) return false;
	const s = urlPath(source);
	if (!s) return false;
	if (page.path === s) return true;
	if (s.startsWith('/')) return false;
	return page.path.endsWith('/' + s.replace(/^(\.\.\/)+/, ''));
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Does a page value fit a source value with holes (`/img/{{ name }}.png`)? */
export function fitsPattern(value: TargetValue, parts: string[]): boolean {
	if (value.truncated) return value.value.startsWith(parts[0]) || parts[0].startsWith(value.value);
	if (!value.value.startsWith(parts[0]) || !value.value.endsWith(parts[parts.length - 1])) return false;
	return new RegExp('^' + parts.map(escapeRe).join('[\\s\\S]*?') + '$').test(value.value);
}

export type Match = 'exact' | 'path' | 'pattern' | 'differs' | 'unknown';

/** A page value against the source's; `path` is the page value's path for URL attributes. */
export function compareValue(page: TargetValue, source: AttrValue, path?: PagePath): Match {
	if (source.kind === 'dynamic') return 'unknown';
	if (source.kind === 'pattern') {
		if (fitsPattern(page, source.parts)) return 'pattern';
		return path && fitsPattern({ value: path.path, truncated: page.truncated }, source.parts) ? 'pattern' : 'differs';
	}
	if (page.truncated ? source.value.startsWith(page.value) : source.value === page.value) return 'exact';
	if (path && !page.truncated && samePath(path, source.value)) return 'path';
	return 'differs';
}

/** Text compared the way a reader would: case and spacing aside. */
export const normalizeText = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();

/** Does a normalized label (Lighthouse ends a shortened one with …) equal a normalized text? */
export function labelMatches(label: TargetValue, normalized: string): boolean {
	return label.value !== '' && (label.truncated ? normalized.startsWith(label.value) : normalized === label.value);
}
