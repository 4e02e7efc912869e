import assert from 'node:assert/strict';
import { percentile } from '../../src/engine/stats';

describe('percentile', () => {
	it('percentile uses the nearest rank', () => {
		assert.equal(percentile([], 50), 0);
		assert.equal(percentile([5], 95), 5);
		assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50), 5);
		assert.equal(percentile([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 95), 10);
	});
});
