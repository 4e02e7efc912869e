import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { routeUrl } from '../../../src/engine/scan/routeUrl';

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
