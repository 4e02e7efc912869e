import { XMLParser } from 'fast-xml-parser';
import type { Logger } from '../log';
import { ELSEWHERE, type SiteFetch } from './siteFetch';

/** Sitemaps read per scan, index files included: a site with more is sampled by its first 50. */
export const MAX_SITEMAPS = 50;
/**
 * Bytes read of one sitemap, uncompressed. The protocol allows 50 MB (50,000 URLs); 10 MiB holds some
 * 50,000 short URLs and keeps a scan's memory small. A larger file is skipped with a warning.
 */
export const MAX_SITEMAP_BYTES = 10 * 1024 * 1024;

const parser = new XMLParser({
	ignoreAttributes: true,
	removeNSPrefix: true,
	parseTagValue: false,
	isArray: (name) => name === 'url' || name === 'sitemap',
});

interface Parsed {
	urls: string[];
	children: string[];
}

/** The `<loc>`s of a urlset, or the child sitemaps of a sitemap index. Undefined when it is neither. */
export function parseSitemap(xml: string): Parsed | undefined {
	let doc: unknown;
	try {
		doc = parser.parse(xml);
	} catch {
		return undefined;
	}
	const root = doc as { urlset?: { url?: { loc?: unknown }[] }; sitemapindex?: { sitemap?: { loc?: unknown }[] } };
	const locs = (entries: { loc?: unknown }[] | undefined) =>
		(entries ?? []).map((e) => (typeof e.loc === 'string' ? e.loc.trim() : '')).filter((l) => l !== '');
	if (root.urlset && typeof root.urlset === 'object') return { urls: locs(root.urlset.url), children: [] };
	if (root.sitemapindex && typeof root.sitemapindex === 'object')
		return { urls: [], children: locs(root.sitemapindex.sitemap) };
	return undefined;
}

export interface SitemapHandlers {
	/** A page URL a sitemap lists, as written. */
	onUrl(url: string): void;
	/** True once discovery has enough routes: no further sitemap is fetched. */
	enough(): boolean;
}

/**
 * Read the sitemaps breadth-first from `first` (the origin's /sitemap.xml and robots.txt's `Sitemap:` lines),
 * following sitemap indexes, on the site's origin only, at most MAX_SITEMAPS files, until `enough`. Hands each
 * page URL of a file read to `onUrl` (all of them: they are in memory already). Answers the sitemaps read. A missing or
 * broken sitemap is skipped (most sites have none).
 */
export async function readSitemaps(
	first: string[],
	origin: string,
	fetchSite: SiteFetch,
	take: SitemapHandlers,
	log?: Logger,
): Promise<string[]> {
	const queue = [...new Set(first)];
	const queued = new Set(queue);
	const read: string[] = [];
	while (queue.length > 0 && read.length < MAX_SITEMAPS && !take.enough()) {
		const url = queue.shift() as string;
		if (!sameOrigin(url, origin)) continue;
		const res = await fetchSite(url, 'application/xml,text/xml;q=0.9,*/*;q=0.5', MAX_SITEMAP_BYTES);
		if (!res || res === ELSEWHERE || res.status !== 200) continue;
		if (res.truncated) {
			log?.warn(`Sitemap ${url} is larger than ${MAX_SITEMAP_BYTES / 1024 / 1024} MiB; skipped.`);
			continue;
		}
		const parsed = parseSitemap(res.text);
		if (!parsed) continue;
		read.push(url);
		for (const child of parsed.children) {
			if (!queued.has(child)) {
				queued.add(child);
				queue.push(child);
			}
		}
		for (const page of parsed.urls) take.onUrl(page);
	}
	if (queue.length > 0 && !take.enough()) log?.info(`Read ${MAX_SITEMAPS} sitemaps; ${queue.length} more left unread.`);
	return read;
}

function sameOrigin(url: string, origin: string): boolean {
	try {
		return new URL(url).origin === origin;
	} catch {
		return false;
	}
}
