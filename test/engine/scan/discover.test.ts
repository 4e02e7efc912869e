import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'mocha';
import { AuditError } from '../../../src/engine/errors';
import { type DiscoverContext, discoverRoutes } from '../../../src/engine/scan/discover';
import { groupKey, sampleGroups } from '../../../src/engine/scan/routeGroups';
import { routeUrl } from '../../../src/engine/scan/routeUrl';
import { DEFAULT_SCAN_OPTIONS, scanOptions } from '../../../src/engine/scan/scanOptions';
import { ELSEWHERE, siteFetcher } from '../../../src/engine/scan/siteFetch';
import type { DiscoveredRoute } from '../../../src/protocol';
import { FIXTURE_TOKEN, type FixtureServer, startFixtureServer } from '../../helpers/fixtureServer';
import { recordingLogger } from '../../helpers/sampleResult';

const ctx = (extra: Partial<DiscoverContext> = {}): DiscoverContext => ({
	signal: new AbortController().signal,
	...extra,
});
const paths = (routes: DiscoveredRoute[]) => routes.map((r) => r.path);
const POSTS = [
	'hello-world',
	'second-post',
	'third-post',
	'fourth-post',
	'fifth-post',
	'sixth-post',
	'seventh-post',
].map((p) => `/blog/${p}.html`);
const PRODUCTS = [101, 102, 103, 104, 105, 106, 107].map((n) => `/products/${n}.html`);

function auditError(code: string, message?: RegExp) {
	return (err: unknown) => err instanceof AuditError && err.code === code && (!message || message.test(err.message));
}

describe('scanOptions', () => {
	it('fills in the defaults', () => {
		assert.deepEqual(scanOptions(undefined), {
			maxRoutes: 200,
			maxDepth: 3,
			include: [],
			exclude: [],
			samplesPerGroup: 5,
			sitemap: true,
			crawl: true,
		});
		assert.deepEqual(scanOptions({}), DEFAULT_SCAN_OPTIONS);
		assert.deepEqual(scanOptions({ maxRoutes: 10, include: ['/blog/**', '/blog/**'], crawl: false }), {
			...DEFAULT_SCAN_OPTIONS,
			maxRoutes: 10,
			include: ['/blog/**'],
			crawl: false,
		});
	});

	it('rejects a bad value with INVALID_PARAMS naming the field', () => {
		assert.throws(
			() => scanOptions({ maxRoutes: 0 }),
			auditError('INVALID_PARAMS', /maxRoutes: maxRoutes must be at least 1/),
		);
		assert.throws(() => scanOptions({ maxDepth: 1.5 }), auditError('INVALID_PARAMS', /maxDepth/));
		assert.throws(
			() => scanOptions({ include: ['blog/**'] }),
			auditError('INVALID_PARAMS', /include\.0: a glob matches a path, so it starts with "\/"/),
		);
		assert.throws(() => scanOptions({ sitemaps: true }), auditError('INVALID_PARAMS', /sitemaps/));
		assert.throws(() => scanOptions('all'), auditError('INVALID_PARAMS'));
	});
});

describe('routeUrl', () => {
	const origin = 'https://example.com';
	const page = 'https://example.com/docs/page';

	it('drops the fragment and tracking parameters and sorts the rest of the query', () => {
		assert.equal(
			routeUrl('/a?utm_source=x&b=2&UTM_Medium=y&a=1&gclid=z&fbclid=f#top', page, origin),
			'https://example.com/a?a=1&b=2',
		);
		assert.equal(routeUrl('/a?ref=hn&msclkid=1&mc_cid=2&mc_eid=3&_ga=4', page, origin), 'https://example.com/a');
		assert.equal(
			routeUrl('/a?b=1&a=2&b=0', page, origin),
			'https://example.com/a?a=2&b=1&b=0',
			'a repeated name keeps its order',
		);
		assert.equal(
			routeUrl('/list?page=2', page, origin),
			'https://example.com/list?page=2',
			'a parameter that may change the page is kept',
		);
	});

	it('resolves relative links, lower-cases the host and drops the default port', () => {
		assert.equal(routeUrl('other', page, origin), 'https://example.com/docs/other');
		assert.equal(routeUrl('HTTPS://EXAMPLE.com:443/x', page, origin), 'https://example.com/x');
	});

	it('keeps /a and /a/ apart (the server may answer them differently)', () => {
		assert.notEqual(routeUrl('/a', page, origin), routeUrl('/a/', page, origin));
	});

	it('answers nothing for other origins, other schemes, credentials and files', () => {
		for (const href of [
			'https://other.example/',
			'http://example.com/',
			'https://example.com:8443/',
			'mailto:a@example.com',
			'tel:+1',
			'javascript:void(0)',
			'https://u:p@example.com/',
			'/report.pdf',
			'/logo.PNG',
			'http://[bad',
		]) {
			assert.equal(routeUrl(href, page, origin), undefined, href);
		}
	});
});

describe('look-alike groups', () => {
	it('names a last segment that looks like a slug or an id', () => {
		assert.equal(groupKey('/blog/hello-world'), '/blog/:slug');
		assert.equal(groupKey('/blog/hello_world/'), '/blog/:slug/');
		assert.equal(groupKey('/posts/my-post.html'), '/posts/:slug');
		assert.equal(groupKey('/product/123'), '/product/:id');
		assert.equal(groupKey('/u/3f2504e0-4f89-11d3-9a0c-0305e82c3301'), '/u/:id');
		assert.equal(groupKey('/shop/shoes/sku12345'), '/shop/shoes/:id');
		assert.equal(groupKey('/search?q=shoes'), '/search?q=:value');
		assert.equal(groupKey('/blog/a-post?page=2&sort=new'), '/blog/:slug?page=:value&sort=:value');
	});

	it('leaves alone one-word names, top-level pages and the home page', () => {
		for (const p of ['/', '/docs/install', '/site/page1.html', '/hello-world', '/123', '/blog/'])
			assert.equal(groupKey(p), undefined, p);
	});

	it('keeps the first samplesPerGroup of a larger group, in order, and marks them', () => {
		const routes = ['/', '/blog/a-1', '/about', '/blog/a-2', '/blog/a-3', '/product/1', '/product/2'].map((path) => ({
			path,
			source: path === '/' ? 'start' : 'link',
		}));
		const { kept, sampledOut } = sampleGroups(routes, 2);
		assert.deepEqual(
			kept.map((r) => [r.path, r.group]),
			[
				['/', undefined],
				['/blog/a-1', '/blog/:slug'],
				['/about', undefined],
				['/blog/a-2', '/blog/:slug'],
				['/product/1', undefined],
				['/product/2', undefined],
			],
		);
		assert.equal(sampledOut, 1);
		assert.equal(sampleGroups(routes, 0).kept.length, routes.length, '0 keeps them all');
	});
});

describe('siteFetcher', () => {
	let server: FixtureServer;
	beforeEach(async () => (server = await startFixtureServer({ root: 'scan-site' })));
	afterEach(() => server.close());
	const fetcher = (timeoutMs?: number) =>
		siteFetcher({ origin: server.origin, signal: new AbortController().signal, ...(timeoutMs ? { timeoutMs } : {}) });

	it('never fetches another origin, nor follows a redirect to one', async () => {
		assert.equal(await fetcher()(`http://localhost:${server.port}/about.html`, '*/*', 1000), undefined);
		assert.equal(await fetcher()(server.url('/redirect?to=https://example.com/'), '*/*', 1000), ELSEWHERE);
		assert.deepEqual(
			server.seen.map((r) => r.path),
			['/redirect?to=https://example.com/'],
		);
	});

	it('cuts a body at the byte cap and gunzips a .gz sitemap within it', async () => {
		const page = await fetcher()(server.url('/blog/'), '*/*', 100);
		assert.ok(page && page !== ELSEWHERE && page.truncated && page.text.length === 100);
		const gz = await fetcher()(server.url('/sitemap-products.xml.gz'), '*/*', 100_000);
		assert.ok(
			gz && gz !== ELSEWHERE && !gz.truncated && gz.text.includes(`<loc>${server.url('/products/107.html')}</loc>`),
		);
		const bomb = await fetcher()(server.url('/sitemap-products.xml.gz'), '*/*', 200);
		assert.ok(
			bomb && bomb !== ELSEWHERE && bomb.truncated && bomb.text === '',
			'more than the cap once inflated: nothing',
		);
	});

	it('gives up on a page that does not answer in time', async () => {
		assert.equal(await fetcher(300)(server.url('/hang'), '*/*', 1000), undefined);
	});
});

describe('discoverRoutes', function () {
	this.timeout(60_000);
	let server: FixtureServer;
	beforeEach(async () => (server = await startFixtureServer({ root: 'scan-site' })));
	afterEach(() => server.close());

	it('finds the start URL, the sitemaps (index, gzip, robots.txt Sitemap line) and the links, breadth first', async () => {
		const log = recordingLogger();
		const { routes, summary } = await discoverRoutes(server.url('/'), DEFAULT_SCAN_OPTIONS, ctx({ log }));
		assert.ok(
			log.lines.some(
				(l) =>
					l.level === 'warn' &&
					l.message.startsWith(`Left out 1 sitemap URL(s) of another origin than ${server.origin};`),
			),
		);
		assert.deepEqual(paths(routes), [
			'/',
			...['/landing.html', '/about.html', '/pricing.html', ...PRODUCTS.slice(0, 5)],
			...['/blog/', '/docs/', '/contact.html', '/search.html?a=1&b=2', '/admin/', '/500'],
			...['/team.html', ...POSTS.slice(0, 5), '/docs/guide.html'],
			'/docs/sub/advanced.html',
		]);
		const by = new Map(routes.map((r) => [r.path, r]));
		assert.deepEqual(by.get('/'), { url: server.url('/'), path: '/', source: 'start', depth: 0 });
		assert.deepEqual(by.get('/about.html'), {
			url: server.url('/about.html'),
			path: '/about.html',
			source: 'sitemap',
			depth: 0,
		});
		assert.equal(by.get('/blog/hello-world.html')?.group, '/blog/:slug');
		assert.equal(by.get('/products/101.html')?.group, '/products/:id');
		assert.equal(by.get('/docs/sub/advanced.html')?.depth, 3, 'resolved against <base href>, three links deep');
		assert.equal(by.get('/team.html')?.group, undefined);
		assert.deepEqual(
			{ ...summary, durationMs: 0 },
			{
				found: 28,
				audited: 23,
				sampledOut: 4,
				excluded: 0,
				disallowed: 1,
				overLimit: 0,
				sitemaps: ['/sitemap.xml', '/sitemap-extra.xml', '/sitemap-pages.xml', '/sitemap-products.xml.gz'].map((p) =>
					server.url(p),
				),
				durationMs: 0,
			},
		);
		const fetched = new Set(server.seen.map((s) => s.path));
		for (const p of [
			'/private/secret.html',
			'/logout.html',
			'/report.pdf',
			'/docs/sub/expert.html',
			'/docs/sub/advanced.html',
		])
			assert.ok(!fetched.has(p), `${p} was fetched`);
		assert.ok(fetched.has('/json'), 'the link without an extension was fetched, then left out for its content-type');
	});

	it('stops at maxDepth', async () => {
		const { routes } = await discoverRoutes(
			server.url('/'),
			{ ...DEFAULT_SCAN_OPTIONS, maxDepth: 1, sitemap: false },
			ctx(),
		);
		// /json is not fetched at the last depth, so nothing tells it is not a page: its audit will say so.
		assert.deepEqual(paths(routes), [
			'/',
			'/about.html',
			'/blog/',
			'/docs/',
			'/contact.html',
			'/search.html?a=1&b=2',
			'/json',
			'/admin/',
			'/500',
		]);
		assert.ok(routes.every((r) => r.depth <= 1));
		assert.equal(server.hits.get('/blog/'), undefined, 'pages at the last depth are not fetched');
		assert.equal(server.hits.get('/sitemap.xml'), undefined);
		assert.equal(server.hits.get('/robots.txt'), 1, 'robots.txt is still honoured without sitemaps');
	});

	it('reads only the sitemaps without crawl, and only the start URL with neither', async () => {
		const sitemapOnly = await discoverRoutes(server.url('/'), { ...DEFAULT_SCAN_OPTIONS, crawl: false }, ctx());
		assert.deepEqual(paths(sitemapOnly.routes), [
			'/',
			'/landing.html',
			'/about.html',
			'/pricing.html',
			...PRODUCTS.slice(0, 5),
		]);
		const none = await discoverRoutes(
			server.url('/about.html'),
			{ ...DEFAULT_SCAN_OPTIONS, crawl: false, sitemap: false },
			ctx(),
		);
		assert.deepEqual(paths(none.routes), ['/about.html']);
		assert.equal(none.summary.found, 1);
	});

	it('caps the routes at maxRoutes and stops discovering once it has enough', async () => {
		const { routes, summary } = await discoverRoutes(server.url('/'), { ...DEFAULT_SCAN_OPTIONS, maxRoutes: 5 }, ctx());
		assert.deepEqual(paths(routes), ['/', '/landing.html', '/about.html', '/pricing.html', '/products/101.html']);
		assert.deepEqual([summary.found, summary.audited, summary.sampledOut, summary.overLimit], [11, 5, 2, 4]);
		assert.equal(server.hits.get('/'), 1, 'only the preflight loaded the start page: no crawl was needed');
		assert.equal(server.hits.get('/about.html'), undefined);
	});

	it('answers once it has enough routes, without waiting for a page it no longer needs', async () => {
		const gate = server.gate('/docs/');
		// 1 + 8 routes from the home page's links, the 10th from /about.html, fetched beside /docs/: had discovery
		// waited for /docs/ too, it would wait for ever.
		const { routes, summary } = await discoverRoutes(
			server.url('/'),
			{ ...DEFAULT_SCAN_OPTIONS, maxRoutes: 10, sitemap: false },
			ctx(),
		);
		assert.equal(routes.at(-1)?.path, '/team.html');
		assert.equal(summary.audited, 10);
		gate.open();
	});

	it('audits only what include matches, leaves out what exclude matches, and keeps the start URL', async () => {
		const options = {
			...DEFAULT_SCAN_OPTIONS,
			sitemap: false,
			include: ['/blog/**'],
			exclude: ['/admin/**', '/blog/second-post.html'],
		};
		const { routes, summary } = await discoverRoutes(server.url('/'), options, ctx());
		assert.deepEqual(paths(routes), [
			'/',
			'/blog/',
			...POSTS.filter((p) => p !== '/blog/second-post.html').slice(0, 5),
		]);
		assert.deepEqual(
			[summary.found, summary.audited, summary.excluded, summary.disallowed, summary.sampledOut],
			[19, 7, 10, 1, 1],
		);
		assert.equal(server.hits.get('/admin/'), undefined, 'an excluded page is not fetched');
		assert.equal(server.hits.get('/about.html'), 1, 'pages outside include are crawled through');
	});

	it('audits every look-alike with samplesPerGroup 0', async () => {
		const { routes, summary } = await discoverRoutes(
			server.url('/blog/'),
			{ ...DEFAULT_SCAN_OPTIONS, samplesPerGroup: 0, sitemap: false, maxDepth: 1 },
			ctx(),
		);
		assert.deepEqual(paths(routes), ['/blog/', ...POSTS]);
		assert.ok(routes.every((r) => r.group === undefined));
		assert.equal(summary.sampledOut, 0);
	});

	it('counts a page reached through a same-origin redirect once, and drops redirects to another origin', async () => {
		const { routes, summary } = await discoverRoutes(
			server.url('/redirects.html'),
			{ ...DEFAULT_SCAN_OPTIONS, sitemap: false, maxDepth: 2 },
			ctx(),
		);
		assert.deepEqual(paths(routes), ['/redirects.html', '/about.html', '/contact.html', '/team.html']);
		assert.deepEqual(routes[2], { url: server.url('/contact.html'), path: '/contact.html', source: 'link', depth: 1 });
		assert.equal(summary.found, 4);
	});

	it('knows the start URL by where it redirects', async () => {
		const { routes } = await discoverRoutes(
			server.url('/redirect?to=/about.html'),
			{ ...DEFAULT_SCAN_OPTIONS, maxDepth: 2 },
			ctx(),
		);
		assert.equal(routes[0].url, server.url('/redirect?to=/about.html'));
		assert.ok(!paths(routes).includes('/about.html'), 'the sitemap lists the page the start URL lands on: one route');
		assert.ok(paths(routes).includes('/team.html'), 'the links of the page it lands on are followed');
	});

	it('honours robots.txt Disallow and counts it', async () => {
		const { routes, summary } = await discoverRoutes(
			server.url('/'),
			{ ...DEFAULT_SCAN_OPTIONS, maxDepth: 1, sitemap: false },
			ctx(),
		);
		assert.ok(!paths(routes).includes('/private/secret.html'));
		assert.equal(summary.disallowed, 1);
		assert.equal(server.hits.get('/private/secret.html'), undefined);
		const started = await discoverRoutes(
			server.url('/private/secret.html'),
			{ ...DEFAULT_SCAN_OPTIONS, maxDepth: 1 },
			ctx(),
		);
		assert.deepEqual(
			paths(started.routes).slice(0, 1),
			['/private/secret.html'],
			'the start URL is kept even where robots.txt disallows it',
		);
	});

	it('stops at once when cancelled mid-crawl and rejects with the reason', async () => {
		const gate = server.gate('/blog/');
		const controller = new AbortController();
		const counts: number[] = [];
		const discovery = discoverRoutes(
			server.url('/'),
			{ ...DEFAULT_SCAN_OPTIONS, sitemap: false },
			ctx({ signal: controller.signal, onFound: (n) => counts.push(n) }),
		);
		const settled = discovery.then(
			() => undefined,
			(err: unknown) => err,
		);
		await gate.reached;
		const reason = new AuditError('CANCELLED', 'The scan was cancelled by the test.');
		controller.abort(reason);
		assert.equal(await settled, reason);
		gate.open();
		assert.ok(counts.length > 0 && counts.at(-1)! >= 9, 'routes were reported as they were found');
		for (const post of POSTS) assert.equal(server.hits.get(post), undefined, `${post} was fetched after the cancel`);
		assert.equal(server.hits.get('/team.html'), undefined);
	});

	it('sends the headers and cookies with every request and never logs them', async () => {
		const log = recordingLogger();
		const cookies = [{ name: 'session', value: 'cookie-secret-91d2e7' }];
		await discoverRoutes(
			server.url('/'),
			{ ...DEFAULT_SCAN_OPTIONS, maxDepth: 2 },
			ctx({ headers: { 'X-Fixture-Token': FIXTURE_TOKEN }, cookies, log }),
		);
		assert.ok(server.seen.length > 10);
		for (const req of server.seen) {
			assert.equal(req.token, FIXTURE_TOKEN, req.path);
			assert.equal(req.cookie, 'session=cookie-secret-91d2e7', req.path);
		}
		assert.ok(log.lines.some((l) => /Discovered \d+ routes/.test(l.message)));
		for (const line of log.lines)
			assert.ok(!line.message.includes(FIXTURE_TOKEN) && !line.message.includes('cookie-secret'), line.message);
	});

	it('reports progress as routes are found', async () => {
		const counts: number[] = [];
		const { summary } = await discoverRoutes(
			server.url('/'),
			DEFAULT_SCAN_OPTIONS,
			ctx({ onFound: (n) => counts.push(n) }),
		);
		assert.equal(counts[0], 1);
		assert.equal(counts.at(-1), summary.found);
		assert.ok(counts.length >= summary.found);
	});

	it('rejects a start URL that cannot be audited as the preflight does', async () => {
		const closed = http.createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const { port } = closed.address() as AddressInfo;
		await new Promise<void>((resolve) => closed.close(() => resolve()));
		await assert.rejects(
			discoverRoutes(`http://127.0.0.1:${port}/`, DEFAULT_SCAN_OPTIONS, ctx()),
			auditError('UNREACHABLE', /connection refused/),
		);
		await assert.rejects(
			discoverRoutes(server.url('/500'), DEFAULT_SCAN_OPTIONS, ctx()),
			auditError('HTTP_ERROR', /HTTP 500/),
		);
		await assert.rejects(discoverRoutes(server.url('/json'), DEFAULT_SCAN_OPTIONS, ctx()), auditError('NOT_HTML'));
		await assert.rejects(discoverRoutes(server.url('/loop'), DEFAULT_SCAN_OPTIONS, ctx()), auditError('REDIRECT_LOOP'));
		await assert.rejects(discoverRoutes('ftp://example.com/', DEFAULT_SCAN_OPTIONS, ctx()), auditError('INVALID_URL'));
		assert.equal(server.hits.get('/robots.txt'), undefined, 'nothing else is fetched when the start URL fails');
	});
});
