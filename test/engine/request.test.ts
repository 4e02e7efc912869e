import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'mocha';
import { resolveAuth } from '../../src/engine/auth/authRequest';
import { AuditError } from '../../src/engine/errors';
import { maskCredentials, redact } from '../../src/engine/log';
import { normalizeUrl, toAuditRequest } from '../../src/engine/request';
import { DEFAULT_SETTINGS } from '../../src/engine/settings';
import { cacheKey } from '../../src/engine/resultCache';
import { sampleOptions } from '../helpers/sampleResult';

function invalidUrl(pattern: RegExp) {
	return (err: unknown) => err instanceof AuditError && err.code === 'INVALID_URL' && pattern.test(err.message);
}

describe('normalizeUrl', () => {
	it('lower-cases the scheme and the host but not the path or query', () => {
		assert.equal(normalizeUrl('HTTPS://Example.COM/Path/Page?Q=Value'), 'https://example.com/Path/Page?Q=Value');
	});

	it('drops default ports and keeps others', () => {
		assert.equal(normalizeUrl('http://example.com:80/'), 'http://example.com/');
		assert.equal(normalizeUrl('https://example.com:443/a'), 'https://example.com/a');
		assert.equal(normalizeUrl('https://example.com:8443/a'), 'https://example.com:8443/a');
		assert.equal(normalizeUrl('http://127.0.0.1:8080'), 'http://127.0.0.1:8080/');
	});

	it('drops the fragment and an empty query, keeps the query in its order', () => {
		assert.equal(normalizeUrl('https://example.com/a?b=2&a=1#section'), 'https://example.com/a?b=2&a=1');
		assert.equal(normalizeUrl('https://example.com/a?#'), 'https://example.com/a');
	});

	it('adds the root path and trims surrounding space', () => {
		assert.equal(normalizeUrl('  https://example.com  '), 'https://example.com/');
	});

	it('rejects other schemes with INVALID_URL naming the scheme', () => {
		assert.throws(() => normalizeUrl('ftp://example.com/file'), invalidUrl(/only http and https.*ftp:/i));
		assert.throws(() => normalizeUrl('file:///etc/passwd'), invalidUrl(/file:/));
		assert.throws(() => normalizeUrl('javascript:alert(1)'), invalidUrl(/javascript:/));
	});

	it('rejects malformed and empty input with a hint', () => {
		assert.throws(
			() => normalizeUrl('example.com/pricing'),
			invalidUrl(/Did you mean https:\/\/example\.com\/pricing\?/),
		);
		assert.throws(() => normalizeUrl('http://'), invalidUrl(/not a valid URL/));
		assert.throws(() => normalizeUrl(''), invalidUrl(/empty/));
		assert.throws(() => normalizeUrl('not a url'), invalidUrl(/full address/));
	});
});

describe('toAuditRequest', () => {
	const code = (c: string, pattern: RegExp) => (err: unknown) =>
		err instanceof AuditError && err.code === c && pattern.test(err.message);

	it('normalises the URL and resolves the options against the settings', () => {
		const request = toAuditRequest(
			{ url: 'HTTPS://Example.com/a#x', options: { formFactors: ['desktop', 'desktop'], noCache: true } },
			'id-1',
			{ ...DEFAULT_SETTINGS, runsPerUrl: 3 },
		);
		assert.deepEqual(
			[
				request.auditId,
				request.url,
				request.options.formFactors,
				request.options.runs,
				request.noCache,
				request.timeoutMs,
			],
			['id-1', 'https://example.com/a', ['desktop'], 3, true, DEFAULT_SETTINGS.auditTimeoutMs],
		);
	});

	it('checks every caller with the same schema, not only RPC clients', () => {
		assert.throws(
			() => toAuditRequest({ url: `https://example.com/${'a'.repeat(9000)}` }, 'id', DEFAULT_SETTINGS),
			code('INVALID_PARAMS', /url: url is longer than 8192/),
		);
		assert.throws(
			() => toAuditRequest({ url: 'https://example.com/', options: { timeoutMs: 10 } }, 'id', DEFAULT_SETTINGS),
			code('INVALID_PARAMS', /options\.timeoutMs/),
		);
	});
});

describe('credentials in a URL', () => {
	it('are refused as INVALID_URL with the password masked and another way suggested', () => {
		for (const url of ['http://user:pa55w0rd@example.com/', 'https://user:pa55w0rd@example.com:8443/app?x=1']) {
			assert.throws(
				() => normalizeUrl(url),
				(err: unknown) =>
					err instanceof AuditError &&
					err.code === 'INVALID_URL' &&
					err.message.includes('user:***@') &&
					!err.message.includes('pa55w0rd') &&
					/not sent/.test(err.message) &&
					/--header, --cookie/.test(err.message),
			);
		}
		assert.throws(() => normalizeUrl('http://justuser@example.com/'), invalidUrl(/justuser@example\.com/));
	});

	it('are masked in the message of a URL that is invalid for another reason', () => {
		assert.throws(
			() => normalizeUrl('ftp://user:pa55w0rd@example.com/'),
			(err: unknown) =>
				err instanceof AuditError && !err.message.includes('pa55w0rd') && err.message.includes('user:***@'),
		);
	});

	it('are masked in log lines', () => {
		assert.equal(
			maskCredentials('GET http://bob:secret@host/x and https://a:b@c/'),
			'GET http://bob:***@host/x and https://a:***@c/',
		);
		assert.equal(redact('loading http://bob:secret@host/'), 'loading http://bob:***@host/');
	});
});
describe('signed-in requests', () => {
	it('stand in the cache key as a hash of their credentials, the same whatever their order or header case', () => {
		const a = resolveAuth({
			headers: { 'X-A': 'one', Authorization: 'Bearer s3cret-value' },
			cookies: [
				{ name: 'b', value: '2' },
				{ name: 'a', value: '1' },
			],
		});
		const b = resolveAuth({
			headers: { authorization: 'Bearer s3cret-value', 'x-a': 'one' },
			cookies: [
				{ name: 'a', value: '1' },
				{ name: 'b', value: '2' },
			],
		});
		const c = resolveAuth({ headers: { Authorization: 'Bearer another-value' } });
		assert.equal(a?.hash, b?.hash);
		const key = (authHash?: string) => cacheKey('https://example.com/', sampleOptions(), { authHash });
		assert.notEqual(key(a?.hash), key(undefined), 'signed in is not signed out');
		assert.notEqual(key(a?.hash), key(c?.hash), 'other credentials, another key');
		assert.doesNotMatch(key(a?.hash), /s3cret/);
		// Keyed: a short cookie value can't be found by hashing guesses against a key read from the history file.
		const guessable = resolveAuth({ cookies: [{ name: 'pin', value: '1234' }] });
		const plain = createHash('sha256')
			.update(JSON.stringify({ cookies: [['pin', '1234']], headers: [], loginScript: null }))
			.digest('hex');
		assert.match(guessable?.hash ?? '', /^[0-9a-f]{64}$/);
		assert.notEqual(guessable?.hash, plain);
		assert.equal(resolveAuth({ headers: {}, cookies: [] }), undefined, 'asking for nothing is a plain audit');
	});

	it('hash a login script by its path and content: an edited script is another audit', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-login-'));
		try {
			const file = path.join(dir, 'login.mjs');
			fs.writeFileSync(file, 'export default async () => {};\n');
			const before = resolveAuth({ loginScript: file });
			fs.writeFileSync(file, 'export default async ({ page }) => { await page.goto("about:blank"); };\n');
			const after = resolveAuth({ loginScript: file });
			assert.ok(before && after && before.hash !== after.hash);
			assert.equal(after.loginScript?.path, file);
			assert.throws(
				() => resolveAuth({ loginScript: dir }),
				(err: unknown) =>
					err instanceof AuditError && err.code === 'INVALID_PARAMS' && /is not a file/.test(err.message),
			);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});
