import assert from 'node:assert/strict';
import { MachineBenchmark } from '../../../src/engine/lighthouse/machineBenchmark';

describe("the machine's benchmark, measured once (pure)", () => {
	it('asks the first run to measure, makes the runs that ask meanwhile wait, then gives every run its figure', async () => {
		const b = new MachineBenchmark(60_000, () => 0);
		assert.equal(await b.want(), undefined, 'the first run measures');
		let second: number | undefined | 'pending' = 'pending';
		const waiting = b.want().then((v) => (second = v));
		await Promise.resolve();
		assert.equal(second, 'pending', 'a run that asks while it is measured waits');
		b.measured(2975);
		await waiting;
		assert.equal(second, 2975);
		assert.equal(await b.want(), 2975);
		assert.equal(b.fastest, 2975);
	});

	it('lets the next run measure when the measuring run gave up, and measures again once the figure is old', async () => {
		let now = 0;
		const b = new MachineBenchmark(60_000, () => now);
		assert.equal(await b.want(), undefined);
		const next = b.want();
		b.abandoned();
		assert.equal(await next, undefined, 'the waiting run measures instead');
		b.measured(1500);
		now = 59_999;
		assert.equal(await b.want(), 1500);
		now = 60_000;
		assert.equal(await b.want(), undefined, 'too old: measure again');
		b.measured(3000);
		b.observe(4000);
		assert.equal(await b.want(), 3000, 'a figure the CLI measured on its own only raises the fastest');
		assert.equal(b.fastest, 4000);
	});
});
