import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'mocha';
import { ELSEWHERE, siteFetcher } from '../../../src/engine/scan/siteFetch';
import { type FixtureServer, startFixtureServer } from '../../helpers/fixtureServer';

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
