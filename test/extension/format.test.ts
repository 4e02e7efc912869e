import assert from 'node:assert/strict';
import type { AuditResult, HistoryEntry } from '../../src/protocol';
import { explainError } from '../../src/format/errors';
import {
	checkMark,
	crossMajorMark,
	crossMajorNote,
	formatBytes,
	insightSavings,
	insightsTitle,
	itemDetail,
	lighthouseMajor,
	moreItems,
} from '../../src/format/insights';
import { formatMetric, formatMetricDelta } from '../../src/format/metrics';
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

describe('format (extension + webview)', () => {
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
		assert.equal(crossMajorNote('13.5.0', '12.8.2'), 'Lighthouse 12 → 13: scores not directly comparable');
		assert.equal(crossMajorMark('12.8.2', '13.5.0'), 'LH 13→12');
		assert.equal(lighthouseMajor('13.5.0'), 13);
		assert.equal(lighthouseMajor('dev'), undefined);
		assert.equal(insightsTitle('12.8.2'), 'Opportunities');
		assert.equal(insightsTitle('13.5.0'), 'Insights');
	});

	it('writes insight savings per metric, in bytes as Lighthouse does, and rows with their own figures', () => {
		const insight = {
			id: 'x',
			title: 'X',
			score: 0,
			metricSavings: { LCP: 1250, FCP: 750, CLS: 0.05 },
			wastedBytes: 4_769_866,
			items: [],
			itemCount: 7,
		};
		assert.equal(insightSavings(insight), 'FCP 750 ms · LCP 1.3 s · CLS 0.050 · 4.5 MiB');
		assert.equal(
			insightSavings({ ...insight, metricSavings: undefined, wastedMs: 599 }),
			'599 ms · 4.5 MiB',
			'overall ms (Lighthouse 12) only without metric savings',
		);
		assert.equal(insightSavings({ ...insight, metricSavings: undefined, wastedBytes: undefined }), '');
		assert.equal(formatBytes(640), '640 B');
		assert.equal(formatBytes(23_562), '23 KiB');
		assert.equal(itemDetail({ label: 'a', wastedMs: 303.6, wastedBytes: 23_878 }), '304 ms · 23 KiB');
		assert.equal(itemDetail({ label: 'Resource load delay', ms: 1164.4 }), '1.2 s');
		assert.equal(itemDetail({ label: 'check', passed: false }), '');
		assert.equal(checkMark({ label: 'check', passed: false }), '✗');
		assert.equal(checkMark({ label: 'row' }), '');
		assert.equal(moreItems(insight), '+7 more in the Lighthouse report');
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

	it('formats metrics in ms, s and unitless, and deltas where lower is better', () => {
		assert.equal(formatMetric('lcp', 2345), '2.3 s');
		assert.equal(formatMetric('tbt', 180.4), '180 ms');
		assert.equal(formatMetric('cls', 0.0312), '0.031');
		assert.equal(formatMetric('fcp', undefined), '–');
		assert.deepEqual(formatMetricDelta('tbt', 100, 150), { text: '−50 ms', better: true });
		assert.deepEqual(formatMetricDelta('cls', 0.2, 0.1), { text: '+0.100', better: false });
	});

	it('explains NO_FCP on a dev server with steps a person can take', () => {
		const err = { code: 'LIGHTHOUSE_ERROR' as const, message: 'NO_FCP: The page did not paint any content.' };
		const dev = explainError(err, true);
		assert.match(dev, /development server/);
		assert.match(dev, /Open the URL in a browser once/);
		assert.doesNotMatch(explainError(err, false), /development server/);
		assert.equal(explainError({ code: 'TIMEOUT', message: 'took too long' }, true), 'took too long');
	});
});
