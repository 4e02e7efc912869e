import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { AuditError } from '../../../src/engine/errors';
import { DEFAULT_SCAN_OPTIONS, scanOptions } from '../../../src/engine/scan/scanOptions';

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
