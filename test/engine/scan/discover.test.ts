import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'mocha';
import { AuditError } from '../../../src/engine/errors';
import { type DiscoverContext, discoverRoutes } from '../../../src/engine/scan/discover';
import { DEFAULT_SCAN_OPTIONS } from '../../../src/engine/scan/scanOptions';
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
