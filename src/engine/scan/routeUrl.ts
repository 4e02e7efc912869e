/**
 * One URL per page: how discovery tells routes apart. Two links to the same page written differently
 * (a fragment, a utm_source, parameters in another order, an upper-case host, `:80`) are one route.
 */

/**
 * Query parameters that only say where a visitor came from; the page is the same without them. Exact names,
 * plus every `utm_*` (Google Analytics campaigns). Kept short on purpose: a parameter that may change the page
 * (`page`, `lang`, `id`) is never dropped.
 */
export const TRACKING_PARAMS: ReadonlySet<string> = new Set([
	'gclid', // Google Ads
	'gclsrc',
	'dclid', // Google Display
	'gbraid', // Google Ads (iOS)
	'wbraid',
	'fbclid', // Facebook
	'msclkid', // Microsoft Ads
	'twclid', // X (Twitter) Ads
	'li_fat_id', // LinkedIn
	'ttclid', // TikTok
	'yclid', // Yandex
	'igshid', // Instagram
	'mc_cid', // Mailchimp
	'mc_eid',
	'_ga', // Google Analytics cross-domain
	'_gl',
	'_hsenc', // HubSpot
	'_hsmi',
	'mkt_tok', // Marketo
	'oly_anon_id', // Omeda
	'oly_enc_id',
	'vero_id', // Vero
	'ref', // "?ref=producthunt" and the like
	'ref_src',
	'ref_url',
]);

function isTracking(name: string): boolean {
	const lower = name.toLowerCase();
	return lower.startsWith('utm_') || TRACKING_PARAMS.has(lower);
}

/**
 * Extensions of files that are not pages: a link to them is not a route (Unlighthouse skips them the same way).
 * A URL without one of these is fetched and judged by its content-type.
 */
const FILE_EXTENSION =
	/\.(pdf|zip|gz|tgz|rar|7z|tar|dmg|exe|msi|apk|png|jpe?g|gif|webp|avif|svg|ico|bmp|tiff?|mp[34]|m4[av]|webm|ogg|wav|mov|avi|css|js|mjs|json|xml|rss|atom|txt|csv|xlsx?|docx?|pptx?|odt|woff2?|ttf|otf|eot|wasm)$/i;

/** True when the path names a file that is not a page (`/report.pdf`, `/logo.png`). */
export function isFilePath(pathname: string): boolean {
	return FILE_EXTENSION.test(pathname);
}

/**
 * The route for `href` as written on a page of `base` (its URL, or its `<base href>`): absolute, without
 * fragment or tracking parameters, the rest of the query sorted by name (stable, so repeated names keep
 * their order), host lower-cased, default port dropped (WHATWG URL does both). Undefined for what is not a
 * page on `origin`: another origin, another scheme (mailto:, tel:, javascript:), credentials, a file.
 *
 * `/a` and `/a/` stay two routes: a server may answer them differently, and when one redirects to the other,
 * the crawl resolves the redirect and counts the page once (see discover.ts).
 */
export function routeUrl(href: string, base: string | URL, origin: string): string | undefined {
	let url: URL;
	try {
		url = new URL(href.trim(), base);
	} catch {
		return undefined;
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
	if (url.origin !== origin || url.username !== '' || url.password !== '') return undefined;
	if (isFilePath(url.pathname)) return undefined;
	url.hash = '';
	const kept = [...url.searchParams].filter(([name]) => !isTracking(name));
	kept.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
	url.search = kept.length ? new URLSearchParams(kept).toString() : '';
	return url.href;
}

/** Path and query of a route URL, e.g. `/blog/hello?page=2`. */
export function routePath(url: string): string {
	const u = new URL(url);
	return u.pathname + u.search;
}
