import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { groupKey, sampleGroups } from '../../../src/engine/scan/routeGroups';

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
