import assert from 'node:assert/strict';
import {
	CONTENTION_BENCHMARK_SHARE,
	CONTENTION_CORES_SHARE,
	contentionOf,
} from '../../../src/engine/lighthouse/contention';

describe('the contention mark (pure)', () => {
	const w = (besideCores: number, cores = 2) => ({ startMs: 0, endMs: 2000, waitRatio: 0.3, besideCores, cores });

	it("marks a run traced while other work used at least the threshold share of the machine's cores", () => {
		assert.deepEqual(contentionOf(w(1.1), 3000, 3000), {
			traceCpu: { waitRatio: 0.3, besideCores: 1.1, cores: 2 },
			contention: true,
		});
		assert.equal(contentionOf(w(CONTENTION_CORES_SHARE * 2), 3000, 3000).contention, true);
		assert.equal(contentionOf(w(CONTENTION_CORES_SHARE * 2 - 0.01), 3000, 3000).contention, false);
		assert.equal(contentionOf(w(1.1, 8), 3000, 3000).contention, false, 'a core of other work on 8 cores');
	});

	it("marks a run whose benchmarkIndex fell below the share of this machine's fastest", () => {
		assert.equal(contentionOf(w(0.05), 3000 * CONTENTION_BENCHMARK_SHARE - 1, 3000).contention, true);
		assert.equal(contentionOf(w(0.05), 3000 * CONTENTION_BENCHMARK_SHARE, 3000).contention, false);
		assert.deepEqual(
			contentionOf(undefined, 900, 3000),
			{ contention: true },
			'without /proc figures, the benchmark alone decides',
		);
	});

	it('says nothing where nothing could be measured', () => {
		assert.deepEqual(contentionOf({ startMs: 0, endMs: 2000 }, undefined, undefined), {});
		assert.deepEqual(contentionOf(undefined, undefined, 3000), {});
	});
});
