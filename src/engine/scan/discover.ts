import pLimit from 'p-limit';
import picomatch from 'picomatch';
import type { DiscoveredRoute, DiscoverySummary, RouteSource, ScanOptions } from '../../protocol';
import type { AuthPlan } from '../auth/authRequest';
import { abortError } from '../errors';
import type { Logger } from '../log';
import { PREFLIGHT_MIN_MS, preflight } from '../preflight';
import { normalizeUrl } from '../request';
import { pageLinks } from './pageLinks';
import { readRobots, type RobotsRules } from './robots';
import { groupKey, sampleGroups } from './routeGroups';
import { routePath, routeUrl } from './routeUrl';
import { ELSEWHERE, type SiteFetch, siteFetcher } from './siteFetch';
import { readSitemaps } from './sitemaps';

/**
 * Step 0 of a scan: the same-origin routes to audit, from a start URL. Order: the start URL, then the
 * sitemaps' URLs in the order they list them, then the crawl's links in breadth-first order (page by page,
 * links in document order), so the same site gives the same routes however fast its pages answer. Then
 * robots.txt Disallow and the include/exclude globs filter, look-alike groups are sampled (routeGroups.ts) and
 * maxRoutes cuts the list. The crawl stops as soon as enough routes to fill maxRoutes are known.
 */

export interface DiscoverContext {
	/** Cancel: stop fetching at once, reject with `signal.reason`. */
	signal: AbortSignal;
	/** Extra request headers (e.g. Authorization) for every fetch; never logged. */
	headers?: Record<string, string>;
	/** Sent as a Cookie header to the site's origin only. */
	cookies?: { name: string; value: string }[];
	/** How long the start URL's preflight waits for its answer (default PREFLIGHT_MIN_MS). */
	startTimeoutMs?: number;
	/** Called as routes are found, with how many distinct routes are known so far (progress). */
	onFound?(found: number): void;
	log?: Logger;
}

export interface Discovery {
	routes: DiscoveredRoute[];
	summary: DiscoverySummary;
}

/** Pages fetched at once while crawling: enough to hide latency, few enough not to load a dev server. */
export const CRAWL_CONCURRENCY = 4;
/** Bytes read of one HTML page: links past 2 MiB are not looked for. */
export const MAX_PAGE_BYTES = 2 * 1024 * 1024;

type Verdict = 'audit' | 'disallowed' | 'excluded' | 'notIncluded' | 'gone';

interface Known {
	url: string;
	source: RouteSource;
	depth: number;
	verdict: Verdict;
}

/**
 * Discover the routes of the site at `startUrl`. Rejects like an audit's preflight when the start URL cannot
 * be audited (INVALID_URL, UNREACHABLE, TIMEOUT, HTTP_ERROR, NOT_HTML, REDIRECT_LOOP), and with the signal's
 * reason when cancelled. Any other page, robots.txt or sitemap that fails is skipped.
 */
export async function discoverRoutes(startUrl: string, options: ScanOptions, ctx: DiscoverContext): Promise<Discovery> {
	const began = Date.now();
	const { signal } = ctx;
	const start = normalizeUrl(startUrl);
	const headers = ctx.headers ?? {};
	const cookies = ctx.cookies ?? [];
	const auth: AuthPlan = { headers, cookies, hash: '' };
	// The preflight's checks and messages, its cookies to the start URL's host only.
	const landed = new URL(await preflight(start, ctx.startTimeoutMs ?? PREFLIGHT_MIN_MS, signal, auth));
	const origin = landed.origin;
	const startHost = new URL(start);
	const sendCookies =
		landed.hostname === startHost.hostname && !(startHost.protocol === 'https:' && landed.protocol !== 'https:');
	// Ends the fetches still under way when discovery answers (pages of a level past "enough"): none outlives it.
	const finished = new AbortController();
	const fetchSite = siteFetcher({
		origin,
		signal: AbortSignal.any([signal, finished.signal]),
		headers,
		...(sendCookies ? { cookies } : {}),
	});
	try {
		return await discoverSite(start, landed, origin, fetchSite, options, ctx, began);
	} finally {
		finished.abort();
	}
}

async function discoverSite(
	start: string,
	landed: URL,
	origin: string,
	fetchSite: SiteFetch,
	options: ScanOptions,
	ctx: DiscoverContext,
	began: number,
): Promise<Discovery> {
	const { signal, log } = ctx;

	const robots: RobotsRules =
		options.sitemap || options.crawl ? await readRobots(origin, fetchSite) : { isAllowed: () => true, sitemaps: [] };
	const routes = new RouteList(options, robots, ctx.onFound);
	routes.addStart(start, routeUrl(start, start, new URL(start).origin), routeUrl(landed.href, landed, origin));

	let sitemaps: string[] = [];
	if (options.sitemap) {
		const first = [`${origin}/sitemap.xml`, ...robots.sitemaps];
		let elsewhere = 0;
		const onUrl = (loc: string) => {
			const url = routeUrl(loc, origin, origin);
			if (url) routes.add(url, 'sitemap', 0);
			else if (URL.canParse(loc) && new URL(loc).origin !== origin) elsewhere++;
		};
		sitemaps = await readSitemaps(first, origin, fetchSite, { onUrl, enough: () => routes.enough() }, log);
		// Most often www. against no www., or http against https: say so, or the sitemap seems ignored for no reason.
		if (elsewhere > 0)
			log?.warn(
				`Left out ${elsewhere} sitemap URL(s) of another origin than ${origin}; scan that origin to audit them.`,
			);
	}
	if (options.crawl && options.maxDepth > 0 && !routes.enough())
		await crawl(routes, fetchSite, options.maxDepth, landed.href, origin, signal);
	if (signal.aborted) throw abortError(signal, 'The scan was cancelled.');

	const { picked, summary } = routes.pick();
	const result = { routes: picked, summary: { ...summary, sitemaps, durationMs: Date.now() - began } };
	ctx.onFound?.(summary.found);
	log?.info(
		`Discovered ${summary.found} routes on ${origin} in ${result.summary.durationMs} ms: ${summary.audited} to audit, ${summary.sampledOut} sampled out, ` +
			`${summary.excluded} excluded, ${summary.disallowed} disallowed by robots.txt, ${summary.overLimit} over the limit; ${sitemaps.length} sitemaps read.`,
	);
	return result;
}

/**
 * Breadth-first over the links of HTML pages, one level of depth at a time. Pages of a level are fetched
 * CRAWL_CONCURRENCY at a time but their links are taken in page order (every link of a page read: they cost
 * nothing more, and tell `found` and `overLimit` what was left), and no further page is read once enough
 * routes are known.
 */
async function crawl(
	routes: RouteList,
	fetchSite: SiteFetch,
	maxDepth: number,
	landedHref: string,
	origin: string,
	signal: AbortSignal,
): Promise<void> {
	const limit = pLimit(CRAWL_CONCURRENCY);
	const crawled = new Set<string>();
	let level: { url: string; href: string }[] = [{ url: routes.startKey, href: landedHref }];
	for (let depth = 0; depth < maxDepth && level.length > 0 && !routes.enough(); depth++) {
		for (const page of level) crawled.add(page.url);
		const fetched = level.map((page) =>
			limit(() =>
				routes.enough()
					? Promise.resolve(undefined)
					: fetchSite(page.href, 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5', MAX_PAGE_BYTES),
			),
		);
		// Rejections are read in order below; these handlers keep the ones never awaited from going unhandled.
		for (const f of fetched) f.catch(() => undefined);
		const next: { url: string; href: string }[] = [];
		try {
			for (let i = 0; i < level.length && !routes.enough(); i++) {
				const res = await fetched[i];
				const page = level[i];
				if (res === ELSEWHERE) {
					routes.drop(page.url);
					continue;
				}
				if (!res) continue;
				const landed = routeUrl(res.url, res.url, origin);
				if (landed && landed !== page.url) {
					// Read once: a page reached through a redirect is the page it lands on.
					if (!routes.alias(page.url, landed) || crawled.has(landed)) continue;
					crawled.add(landed);
				}
				if (!/html/i.test(res.contentType)) {
					if (depth > 0) routes.drop(page.url);
					continue;
				}
				if (res.status >= 400) continue;
				const { hrefs, base } = pageLinks(res.text, res.url);
				for (const href of hrefs) {
					const url = routeUrl(href, base, origin);
					if (!url) continue;
					const route = routes.add(url, 'link', depth + 1);
					if (
						route.verdict !== 'disallowed' &&
						route.verdict !== 'excluded' &&
						!crawled.has(url) &&
						depth + 1 < maxDepth
					) {
						crawled.add(url);
						next.push({ url, href: url });
					}
				}
			}
		} finally {
			limit.clearQueue();
		}
		if (signal.aborted) throw abortError(signal, 'The scan was cancelled.');
		level = next;
	}
}

/** The routes known so far, each once, in the order found, with why each is (not) audited. */
class RouteList {
	private readonly byUrl = new Map<string, Known>();
	private readonly order: Known[] = [];
	private readonly excluded: (path: string) => boolean;
	private readonly included: (path: string) => boolean;
	/** Routes that will be audited as things stand (sampling counted), to stop discovery once there are enough. */
	private expected = 0;
	private readonly taken = new Map<string, number>();
	private gone = 0;
	startKey = '';

	constructor(
		private readonly options: ScanOptions,
		private readonly robots: RobotsRules,
		private readonly onFound?: (found: number) => void,
	) {
		this.excluded = options.exclude.length ? picomatch(options.exclude, { dot: true }) : () => false;
		this.included = options.include.length ? picomatch(options.include, { dot: true }) : () => true;
	}

	/** The start route: audited whatever the filters say, known by its URL as given and as where it landed. */
	addStart(start: string, ...keys: (string | undefined)[]): void {
		const known: Known = { url: start, source: 'start', depth: 0, verdict: 'audit' };
		this.order.push(known);
		this.expected++;
		this.startKey = keys.find((k) => k !== undefined) ?? start;
		for (const key of [start, ...keys]) if (key) this.byUrl.set(key, known);
		this.onFound?.(this.found());
	}

	add(url: string, source: RouteSource, depth: number): Known {
		const existing = this.byUrl.get(url);
		if (existing) return existing;
		const pathname = new URL(url).pathname;
		const verdict: Verdict = !this.robots.isAllowed(url)
			? 'disallowed'
			: this.excluded(pathname)
				? 'excluded'
				: !this.included(pathname)
					? 'notIncluded'
					: 'audit';
		const known: Known = { url, source, depth, verdict };
		this.byUrl.set(url, known);
		this.order.push(known);
		if (verdict === 'audit') this.count(known, 1);
		this.onFound?.(this.found());
		return known;
	}

	/**
	 * `from` redirected to `to` on the same origin: the route is the page it lands on. False when that page is
	 * already a route of its own (then `from` is the same page, found twice, and is dropped).
	 */
	alias(from: string, to: string): boolean {
		const route = this.byUrl.get(from);
		const target = this.byUrl.get(to);
		if (!route || target === route) return true;
		if (target) {
			this.drop(from);
			return false;
		}
		this.byUrl.set(to, route);
		if (route.source !== 'start') route.url = to;
		return true;
	}

	/** Not a page of the site after all (a file, a redirect to another origin). */
	drop(url: string): void {
		const route = this.byUrl.get(url);
		if (!route || route.source === 'start' || route.verdict === 'gone') return;
		if (route.verdict === 'audit') this.count(route, -1);
		route.verdict = 'gone';
		this.gone++;
	}

	enough(): boolean {
		return this.expected >= this.options.maxRoutes;
	}

	found(): number {
		return this.order.length - this.gone;
	}

	private count(route: Known, delta: 1 | -1): void {
		const key = this.options.samplesPerGroup > 0 ? groupKey(routePath(route.url)) : undefined;
		if (!key) {
			this.expected += delta;
			return;
		}
		// The first samplesPerGroup of a group are audited whatever its size; later ones never are.
		const n = (this.taken.get(key) ?? 0) + delta;
		this.taken.set(key, n);
		if ((delta > 0 && n <= this.options.samplesPerGroup) || (delta < 0 && n < this.options.samplesPerGroup))
			this.expected += delta;
	}

	/**
	 * The routes to audit and the summary's counts (found = audited + sampledOut + excluded + disallowed + overLimit).
	 */
	pick(): { picked: DiscoveredRoute[]; summary: Omit<DiscoverySummary, 'sitemaps' | 'durationMs'> } {
		const live = this.order.filter((r) => r.verdict !== 'gone');
		const candidates = live
			.filter((r) => r.verdict === 'audit')
			.map((r) => ({ url: r.url, path: routePath(r.url), source: r.source, depth: r.depth }));
		const { kept, sampledOut } = sampleGroups(candidates, this.options.samplesPerGroup);
		const picked = kept.slice(0, this.options.maxRoutes);
		return {
			picked,
			summary: {
				found: live.length,
				audited: picked.length,
				sampledOut,
				excluded: live.filter((r) => r.verdict === 'excluded' || r.verdict === 'notIncluded').length,
				disallowed: live.filter((r) => r.verdict === 'disallowed').length,
				overLimit: kept.length - picked.length,
			},
		};
	}
}
