import assert from 'node:assert/strict';
import { formatMetric, formatMetricDelta } from '../../src/format/metrics';

describe('Metrics in words (format/metrics)', () => {
	it('formats metrics in ms, s and unitless, and deltas where lower is better', () => {
		assert.equal(formatMetric('lcp', 2345), '2.3 s');
		assert.equal(formatMetric('tbt', 180.4), '180 ms');
		assert.equal(formatMetric('cls', 0.0312), '0.031');
		assert.equal(formatMetric('fcp', undefined), '–');
		assert.deepEqual(formatMetricDelta('tbt', 100, 150), { text: '−50 ms', better: true });
		assert.deepEqual(formatMetricDelta('cls', 0.2, 0.1), { text: '+0.100', better: false });
	});
});
