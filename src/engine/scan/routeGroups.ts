/**
 * Look-alike sampling, after Unlighthouse's "dynamic sampling": pages made from one template (blog posts,
 * products) mostly score alike, so a few of them stand for all. Unlighthouse names every path of two or more
 * segments after its parent (`/blog/anything` → `blog-slug`) and keeps `dynamicSampling` (default 8) of each
 * name: a random sample of the sitemap's routes, and the first ones for crawled routes. We group more narrowly
 * and deterministically:
 * - only the last segment varies, and only when it looks generated: an id (digits, a UUID, a long hex or
 *   digit-bearing token) or a slug (words joined by `-` or `_`). `/docs/install` and `/docs/config` stay
 *   apart: one-word names are usually distinct pages, not records of one template;
 * - at least one segment above it (`/hello-world` at the root is not grouped: top-level pages are distinct);
 * - routes with a query group by the parameter names (`/search?q=:value`);
 * - a group is sampled only when it has more members than the sample, and the kept ones are the first found.
 */

const ID =
	/^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{12,}|(?=[a-z0-9]*\d)[a-z0-9]{8,})$/i;
const SLUG = /^[\p{L}\p{N}]+([-_][\p{L}\p{N}]+)+$/u;
/** A page's extension says nothing of its name: `/posts/my-post.html` is a slug, `/site/page1.html` is not. */
const PAGE_EXTENSION = /\.(html?|php|aspx?|jsp)$/i;

/**
 * The look-alike group of a route's path (with its query), e.g. `/blog/:slug`, `/product/:id`,
 * `/search?q=:value`; undefined when the path has nothing generated in it.
 */
export function groupKey(path: string): string | undefined {
	const q = path.indexOf('?');
	const pathname = q < 0 ? path : path.slice(0, q);
	const query = q < 0 ? '' : path.slice(q + 1);
	const trailing = pathname.length > 1 && pathname.endsWith('/') ? '/' : '';
	const segments = pathname.split('/').filter((s) => s !== '');
	let pattern = pathname;
	if (segments.length >= 2) {
		const last = safeDecode(segments[segments.length - 1]).replace(PAGE_EXTENSION, '');
		const kind = ID.test(last) ? ':id' : SLUG.test(last) ? ':slug' : undefined;
		if (kind) pattern = `/${[...segments.slice(0, -1), kind].join('/')}${trailing}`;
	}
	if (query !== '') {
		const names = [...new Set([...new URLSearchParams(query).keys()])];
		return `${pattern}?${names.map((n) => `${n}=:value`).join('&')}`;
	}
	return pattern === pathname ? undefined : pattern;
}

function safeDecode(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}

/** A route as sampling sees it: its path (with query); the start route is never sampled out. */
export interface Sampleable {
	path: string;
	source: string;
}

/**
 * Keep the first `samplesPerGroup` routes of each look-alike group that has more members than that, in the
 * order given, and every route outside such groups. 0 keeps everything. Answers the kept routes, each with its
 * group when it stands for a sampled group, and how many were left out.
 */
export function sampleGroups<R extends Sampleable>(
	routes: readonly R[],
	samplesPerGroup: number,
): { kept: (R & { group?: string })[]; sampledOut: number } {
	if (samplesPerGroup <= 0) return { kept: [...routes], sampledOut: 0 };
	const keys = routes.map((r) => (r.source === 'start' ? undefined : groupKey(r.path)));
	const sizes = new Map<string, number>();
	for (const key of keys) if (key) sizes.set(key, (sizes.get(key) ?? 0) + 1);
	const taken = new Map<string, number>();
	const kept: (R & { group?: string })[] = [];
	let sampledOut = 0;
	routes.forEach((route, i) => {
		const key = keys[i];
		if (!key || (sizes.get(key) ?? 0) <= samplesPerGroup) {
			kept.push(route);
			return;
		}
		const n = taken.get(key) ?? 0;
		if (n >= samplesPerGroup) {
			sampledOut++;
			return;
		}
		taken.set(key, n + 1);
		kept.push({ ...route, group: key });
	});
	return { kept, sampledOut };
}
