import robotsParser from 'robots-parser';
import { ELSEWHERE, type SiteFetch, USER_AGENT } from './siteFetch';

/** robots.txt is a small file; Google reads the first 500 KiB of one. */
const MAX_ROBOTS_BYTES = 500 * 1024;

/** What robots.txt tells discovery: which paths to leave alone, and where the sitemaps are. */
export interface RobotsRules {
	/** False when robots.txt disallows the URL for AuditLens (or for every crawler). */
	isAllowed(url: string): boolean;
	/** Absolute URLs from its `Sitemap:` lines (any origin: the caller keeps the site's own). */
	sitemaps: string[];
}

const ALLOW_ALL: RobotsRules = { isAllowed: () => true, sitemaps: [] };

/**
 * Read `origin`/robots.txt with robots-parser (Google's matching rules: longest match wins, `*` and `$`).
 * No robots.txt (404, not text, an error) allows everything, as it does for every crawler.
 */
export async function readRobots(origin: string, fetchSite: SiteFetch): Promise<RobotsRules> {
	const robotsUrl = `${origin}/robots.txt`;
	const res = await fetchSite(robotsUrl, 'text/plain,*/*;q=0.5', MAX_ROBOTS_BYTES);
	if (!res || res === ELSEWHERE || res.status !== 200 || /html/i.test(res.contentType)) return ALLOW_ALL;
	const robots = robotsParser(robotsUrl, res.text);
	return {
		// robots-parser answers undefined for a URL of another origin; discovery only asks about its own.
		isAllowed: (url) => robots.isAllowed(url, USER_AGENT) !== false,
		sitemaps: robots.getSitemaps(),
	};
}
