import assert from 'node:assert/strict';
import type { AuditResult, HistoryEntry } from '../../src/protocol';
import {
	entryLine,
	formatDelta,
	primaryFormFactor,
	scoreBand,
	scoreDelta,
	scoresLine,
	scoresOfResult,
	toPercent,
} from '../../src/format/scores';

describe('Scores in words (format/scores)', () => {
	it('turns 0..1 scores into 0..100 and leaves unscored ones out', () => {
		assert.equal(toPercent(0.915), 92);
		assert.equal(toPercent(0), 0);
		assert.equal(toPercent(null), undefined);
		assert.equal(toPercent(undefined), undefined);
	});

	it('computes deltas in points and writes them with a sign', () => {
		assert.equal(scoreDelta(0.95, 0.9), 5);
		assert.equal(scoreDelta(0.8, null), undefined);
		assert.equal(formatDelta(3), '+3');
		assert.equal(formatDelta(-2), '−2');
		assert.equal(formatDelta(0), '±0');
		assert.equal(formatDelta(undefined), '');
	});

	it('uses Lighthouse colour bands', () => {
		assert.equal(scoreBand(90), 'pass');
		assert.equal(scoreBand(89), 'average');
		assert.equal(scoreBand(49), 'fail');
		assert.equal(scoreBand(undefined), 'none');
	});

	it('labels scores with deltas only where they changed', () => {
		const line = scoresLine(
			{ performance: 0.92, accessibility: 1, 'best-practices': 0.96, seo: 0.9 },
			{ performance: 0.89, accessibility: 1, seo: 0.9 },
		);
		assert.equal(line, 'P 92 (+3) · A 100 · BP 96 · SEO 90');
	});

	it('labels a history entry by its mobile scores, a failed one by its error', () => {
		const e = (id: string, perf: number): HistoryEntry => ({
			id,
			url: 'https://a.test/',
			requestedAt: '2026-01-01T00:00:00Z',
			durationMs: 1,
			status: 'ok',
			scores: { mobile: { performance: perf } },
		});
		assert.equal(entryLine(e('b', 0.5), e('a', 0.7)), 'P 50 (−20)');
		assert.equal(
			entryLine({ ...e('c', 1), status: 'failed', error: { code: 'UNREACHABLE', message: 'x' } }),
			'failed: UNREACHABLE',
		);
		assert.equal(entryLine({ ...e('d', 1), scores: { desktop: { seo: 1 } } }), 'SEO 100 (desktop)');
	});

	it('marks a history entry compared across Lighthouse majors, and only then', () => {
		const e = (id: string, perf: number, lighthouseVersion?: string): HistoryEntry => ({
			id,
			url: 'https://a.test/',
			requestedAt: '2026-01-01T00:00:00Z',
			durationMs: 1,
			status: 'ok',
			scores: { mobile: { performance: perf } },
			lighthouseVersion,
		});
		assert.equal(entryLine(e('b', 0.9, '13.5.0'), e('a', 0.7, '12.8.2')), 'P 90 (+20) · LH 12→13');
		assert.equal(entryLine(e('b', 0.9, '13.5.0'), e('a', 0.7, '13.0.0')), 'P 90 (+20)');
		assert.equal(
			entryLine(e('b', 0.9, '13.5.0'), e('a', 0.7)),
			'P 90 (+20)',
			'an unknown version is not called another major',
		);
	});

	it('marks partial and failed audits in history labels', () => {
		const e: HistoryEntry = {
			id: 'a',
			url: 'https://a.test/',
			requestedAt: '2026-01-01T00:00:00Z',
			durationMs: 1,
			status: 'partial',
			scores: { mobile: { performance: 0.9 } },
			error: { code: 'TIMEOUT', message: 'x' },
		};
		assert.equal(entryLine(e), 'P 90 · partial: TIMEOUT');
		assert.equal(entryLine({ ...e, scores: {} }), 'partial: TIMEOUT');
		assert.equal(
			entryLine({ ...e, status: 'failed', error: { code: 'HTTP_ERROR', message: 'x' } }),
			'failed: HTTP_ERROR',
		);
	});

	it('reads category scores per form factor from a result', () => {
		const run = {
			formFactor: 'desktop',
			lighthouseVersion: '12',
			finalUrl: '',
			fetchTime: '',
			scores: { seo: 0.5 },
			metrics: {},
			failingAudits: [],
			runWarnings: [],
			performanceScores: [],
			lighthouseMs: 1,
		} as const;
		const result = {
			stages: {
				'lighthouse-desktop': { status: 'ok', startedAt: '', durationMs: 1, data: run },
				'lighthouse-mobile': {
					status: 'error',
					startedAt: '',
					durationMs: 1,
					error: { code: 'LIGHTHOUSE_ERROR', message: 'x' },
				},
			},
		} as unknown as AuditResult;
		const scores = scoresOfResult(result);
		assert.deepEqual(scores, { desktop: { seo: 0.5 } });
		assert.equal(primaryFormFactor(scores), 'desktop');
	});
});
