import assert from 'node:assert/strict';
import { parseAuditUrl, parseAuditUrls, pushRecent } from '../../../src/extension/audits/urls';

describe('Audit URL input', () => {
	it('accepts http(s) URLs and adds a scheme when missing', () => {
		assert.deepEqual(parseAuditUrl('https://example.com'), { url: 'https://example.com/' });
		assert.deepEqual(parseAuditUrl('example.com/pricing'), { url: 'https://example.com/pricing' });
		assert.deepEqual(parseAuditUrl('localhost:3000'), { url: 'http://localhost:3000/' });
		assert.deepEqual(parseAuditUrl(' 127.0.0.1:5173/app '), { url: 'http://127.0.0.1:5173/app' });
	});

	it('rejects what cannot be audited, saying why', () => {
		for (const bad of ['', 'ftp://example.com', 'file:///etc/passwd', 'http://exa mple.com', 'https://']) {
			const r = parseAuditUrl(bad);
			assert.ok('error' in r, `${bad} should be rejected`);
		}
		assert.match((parseAuditUrl('javascript://x') as { error: string }).error, /Only http and https/);
	});

	it('keeps recent URLs most recent first, without duplicates, bounded', () => {
		assert.deepEqual(pushRecent(['b', 'a', 'c'], 'a', 3), ['a', 'b', 'c']);
		assert.deepEqual(pushRecent(['a', 'b', 'c'], 'd', 3), ['d', 'a', 'b']);
		assert.throws(() => pushRecent([], 'a', 0), TypeError);
	});

	it('reads a pasted list of URLs, one problem at a time', () => {
		assert.deepEqual(parseAuditUrls('example.com, localhost:3000/a\nhttps://example.com/'), {
			urls: ['https://example.com/', 'http://localhost:3000/a'],
		});
		assert.deepEqual(parseAuditUrls('  '), {
			error: 'Enter one or more URLs, separated by spaces, commas or new lines',
		});
		assert.ok('error' in parseAuditUrls('example.com ftp://x.test/'));
	});
});
