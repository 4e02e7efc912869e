import assert from 'node:assert/strict';
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

describe('Lighthouse insights in words (format/insights)', () => {
	it('names a comparison across Lighthouse majors, and the insights section by the version', () => {
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
});
