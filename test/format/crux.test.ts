import assert from 'node:assert/strict';
import { cruxPeriod, cruxRows, formatCrux } from '../../src/format/crux';

describe('CrUX field data in words', () => {
	it('formats p75 values with units and Core Web Vitals bands, URL and origin side by side', () => {
		const rows = cruxRows({ url: { lcp: 2400, cls: 0.31 }, origin: { lcp: 4100, inp: 180, cls: 0.05, ttfb: 900 } });
		assert.deepEqual(
			rows.map((r) => [r.metric, r.url, r.urlBand, r.origin, r.originBand]),
			[
				['lcp', '2.4 s', 'good', '4.1 s', 'poor'],
				['inp', '–', 'none', '180 ms', 'good'],
				['cls', '0.31', 'poor', '0.05', 'good'],
				['ttfb', '–', 'none', '900 ms', 'needs-improvement'],
			],
		);
		assert.equal(formatCrux('fcp', undefined), '–');
	});

	it('has no rows when CrUX has no data, and names the period and devices when it has', () => {
		assert.deepEqual(cruxRows({ note: 'CrUX has no field data for this page.' }), []);
		assert.equal(
			cruxPeriod({ formFactor: 'PHONE', collectionPeriod: { firstDate: '2026-10-20', lastDate: '2026-11-16' } }),
			'Real Chrome users on phones, 20 Oct 2026 to 16 Nov 2026 (75th percentile).',
		);
		assert.equal(cruxPeriod({}), '');
	});
});
