import assert from 'node:assert/strict';
import { ageLabel, cacheLabel, resultBanner, stageProblems } from '../../src/format/status';

const MIN = 60_000;
const at = Date.parse('2026-11-24T12:00:00Z');

describe('Cached results: age labels', () => {
	it('says how long ago, in the largest whole unit', () => {
		assert.equal(ageLabel(at - 20_000, at), 'just now');
		assert.equal(ageLabel(at - 12 * MIN - 59_000, at), '12 min ago');
		assert.equal(ageLabel(new Date(at - 3 * 60 * MIN).toISOString(), at), '3 h ago');
		assert.equal(ageLabel(at - 24 * 60 * MIN, at), '1 day ago');
		assert.equal(ageLabel(at - 50 * 60 * MIN, at), '2 days ago');
		assert.equal(ageLabel(at + 5 * MIN, at), 'just now', 'a clock a little ahead is not "-5 min ago"');
		assert.throws(() => ageLabel('yesterday', at), TypeError);
	});

	it('labels only results that came from the cache', () => {
		const requestedAt = new Date(at - 12 * MIN).toISOString();
		assert.equal(cacheLabel({ fromCache: true, requestedAt }, at), 'cached, 12 min ago');
		assert.equal(cacheLabel({ fromCache: false, requestedAt }, at), '');
	});
});

describe('Partial and failed results: the banner', () => {
	const err = (code: 'LIGHTHOUSE_ERROR' | 'TIMEOUT', message: string) => ({
		status: 'error' as const,
		startedAt: '',
		durationMs: 1,
		error: { code, message },
	});

	it('has no banner for a complete result', () => {
		assert.equal(resultBanner({ status: 'ok', stages: {} }), undefined);
	});

	it('lists every failed stage of a partial result, in reading order, with its message', () => {
		const banner = resultBanner({
			status: 'partial',
			stageErrors: { crux: { code: 'CRUX_ERROR', message: 'CrUX answered 403' } },
			stages: {
				'lighthouse-desktop': err('TIMEOUT', 'desktop run timed out after 60 s'),
				capture: { status: 'ok', startedAt: '', durationMs: 1, data: { shots: {}, facts: {}, warm: true } },
			},
		});
		assert.ok(banner);
		assert.equal(banner.kind, 'warning');
		assert.equal(banner.title, 'Partial result: 2 stages failed');
		assert.deepEqual(
			banner.problems.map((p) => `${p.label}: ${p.message}`),
			['Lighthouse (desktop): desktop run timed out after 60 s', 'Field data (CrUX): CrUX answered 403'],
		);
		assert.match(banner.hint, /not cached/);
	});

	it('says why a failed result failed, without repeating the same error for a stage', () => {
		const banner = resultBanner({
			status: 'failed',
			error: { code: 'HTTP_ERROR', message: 'http://x.test/ answered HTTP 500' },
			stages: {
				'lighthouse-mobile': err('LIGHTHOUSE_ERROR', 'http://x.test/ answered HTTP 500'),
				capture: err('LIGHTHOUSE_ERROR', 'capture: page crashed'),
			},
		});
		assert.ok(banner);
		assert.equal(banner.kind, 'error');
		assert.equal(banner.title, 'The audit failed');
		assert.deepEqual(
			banner.problems.map((p) => `${p.label}: ${p.message}`),
			['Audit: http://x.test/ answered HTTP 500', 'Screenshots and page facts: capture: page crashed'],
		);
	});

	it('trusts the status: an ok result has no banner (a stage error, if any, is listed with the others)', () => {
		const banner = resultBanner({ status: 'ok', stages: { 'lighthouse-mobile': err('LIGHTHOUSE_ERROR', 'NO_FCP') } });
		assert.equal(banner, undefined, 'ok is ok: the contract says every stage that ran succeeded');
		assert.equal(stageProblems({ stages: { 'lighthouse-mobile': err('LIGHTHOUSE_ERROR', 'NO_FCP') } }).length, 1);
	});
});
