import assert from 'node:assert/strict';
import { DEFAULT_PAGE_FETCH_LIMITS, mayFetch, pageFetch } from '../../../src/engine/locate/pageFetch';
import { type FixtureServer, startFixtureServer } from '../../helpers/fixtureServer';

describe('pageFetch (bounded fetches of a locate call, real HTTP)', function () {
	this.timeout(60_000);
	let server: FixtureServer;
	beforeEach(async () => (server = await startFixtureServer()));
	afterEach(() => server.close());

	it("fetches only http(s) from the page's origin, or another local port for a local page", () => {
		assert.equal(mayFetch('http://127.0.0.1:3000/', 'http://127.0.0.1:3000/a.js'), true);
		assert.equal(mayFetch('http://localhost:3000/', 'http://localhost:5173/@vite/client'), true);
		assert.equal(mayFetch('https://shop.example/', 'https://cdn.example/a.js'), false);
		assert.equal(mayFetch('https://shop.example/', 'http://localhost:3000/a.js'), false);
		assert.equal(mayFetch('http://localhost:3000/', 'file:///etc/passwd'), false);
		assert.equal(mayFetch('http://localhost:3000/', 'http://user:pw@localhost:3000/a.js'), false);
	});

	it('gives up on a hanging server, a redirect and a response over the size cap, and never asks another origin', async () => {
		const text = pageFetch(server.url('/'), { ...DEFAULT_PAGE_FETCH_LIMITS, perFetchMs: 300, maxBytes: 10_000 });
		assert.equal(await text(server.url('/hang')), undefined);
		assert.equal(await text(server.url('/redirect?to=/json')), undefined);
		assert.equal(await text(server.url('/noise.png?w=256&h=256')), undefined);
		assert.equal(await text('http://example.invalid/a.js'), undefined);
		assert.deepEqual(await text(server.url('/json')), { text: '{"not":"html"}' });
		assert.equal(server.hits.get('/noise.png'), 1);
	});
});
