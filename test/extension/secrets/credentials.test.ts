import assert from 'node:assert/strict';
import {
	bestPattern,
	matchesPattern,
	parseCookieLine,
	parseHeaderLine,
	parsePattern,
	parseStored,
	toAuditAuth,
} from '../../../src/extension/secrets/credentials';

describe('Credentials per URL pattern (pure)', () => {
	it('takes an origin or a glob as a pattern, and refuses one that names no host', () => {
		assert.deepEqual(parsePattern(' http://localhost:3000 '), { pattern: 'http://localhost:3000' });
		assert.deepEqual(parsePattern('HTTP://LocalHost:3000/admin/*'), { pattern: 'http://LocalHost:3000/admin/*' });
		assert.deepEqual(parsePattern('https://staging.example.com/account'), {
			pattern: 'https://staging.example.com/account',
		});
		assert.ok('error' in parsePattern('localhost:3000'));
		assert.ok('error' in parsePattern('https://*/*'));
		assert.ok('error' in parsePattern('http://a b'));
	});

	it('matches an origin to its pages only, a glob across paths and subdomains, an exact page to itself', () => {
		assert.ok(matchesPattern('http://localhost:3000', 'http://localhost:3000/signup?x=1'));
		assert.ok(!matchesPattern('http://localhost:3000', 'http://localhost:3001/'));
		assert.ok(!matchesPattern('http://localhost:3000', 'https://localhost:3000/'));
		assert.ok(matchesPattern('http://localhost:3000/admin/*', 'http://localhost:3000/admin/users'));
		assert.ok(!matchesPattern('http://localhost:3000/admin/*', 'http://localhost:3000/pricing'));
		assert.ok(matchesPattern('https://*.example.com/*', 'https://staging.example.com/a'));
		assert.ok(
			!matchesPattern('https://*.example.com/*', 'https://example.com.evil.test/a'),
			'a dot in the pattern is a dot',
		);
		assert.ok(matchesPattern('https://staging.example.com/account', 'https://staging.example.com/account'));
		assert.ok(!matchesPattern('https://staging.example.com/account', 'https://staging.example.com/account/x'));
	});

	it('picks the most specific pattern: an exact page, then the longest glob', () => {
		const patterns = ['http://localhost:3000/admin/*', 'http://localhost:3000/admin/users', 'http://localhost:3000'];
		assert.equal(bestPattern(patterns, 'http://localhost:3000/admin/users'), 'http://localhost:3000/admin/users');
		assert.equal(bestPattern(patterns, 'http://localhost:3000/admin/roles'), 'http://localhost:3000/admin/*');
		assert.equal(bestPattern(patterns, 'http://localhost:3000/'), 'http://localhost:3000');
		assert.equal(bestPattern(patterns, 'http://127.0.0.1:3000/'), undefined);
	});

	it('reads header and cookie lines, and never quotes a value in an error', () => {
		assert.deepEqual(parseHeaderLine('Authorization:  Bearer abc.def '), {
			name: 'Authorization',
			value: 'Bearer abc.def',
		});
		assert.deepEqual(parseCookieLine('session=abc=def'), { name: 'session', value: 'abc=def' });
		for (const r of [
			parseHeaderLine('just-a-secret-value'),
			parseHeaderLine('Cookie: a=secret'),
			parseHeaderLine('Bad Name: secret'),
			parseCookieLine('session=has secret space'),
		]) {
			assert.ok('error' in r);
			assert.doesNotMatch(r.error, /secret/);
		}
	});

	it('turns a stored secret and the login script into an audit’s auth, or nothing', () => {
		const stored = parseStored(
			JSON.stringify({ pattern: 'http://localhost:3000', headers: { 'X-Token': 't' }, cookies: [] }),
		);
		assert.deepEqual(toAuditAuth(stored, undefined), { headers: { 'X-Token': 't' } });
		assert.deepEqual(toAuditAuth(undefined, '/w/login.mjs'), { loginScript: '/w/login.mjs' });
		assert.equal(toAuditAuth(undefined, undefined), undefined);
		assert.equal(parseStored('not json'), undefined);
		assert.equal(parseStored(JSON.stringify({ pattern: 1 })), undefined);
	});
});
