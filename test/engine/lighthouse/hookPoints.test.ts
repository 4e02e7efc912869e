import assert from 'node:assert/strict';
import { hookPoints, importHookModules, missingHookPoints } from '../../../src/engine/lighthouse/hookPoints';

describe('Lighthouse hook points (the internals the worker wraps)', function () {
	it('finds every hook point in the pinned Lighthouse', async () => {
		const modules = await importHookModules();
		assert.deepEqual(missingHookPoints(modules), []);
		const points = hookPoints(modules, 'pinned');
		assert.equal(typeof points.trace.prototype.startSensitiveInstrumentation, 'function');
		assert.equal(typeof points.computeBenchmarkIndex, 'function');
	});

	it('names each hook point a Lighthouse lacks, instead of running without it', async () => {
		const modules = await importHookModules();
		class Trace {
			async startSensitiveInstrumentation(): Promise<void> {}
		}
		const changed = { ...modules, trace: { default: Trace }, pageFunctions: { pageFunctions: {} } };
		assert.deepEqual(missingHookPoints(changed), [
			'core/gather/gatherers/trace.js: default.prototype.stopSensitiveInstrumentation',
			'core/lib/page-functions.js: pageFunctions.computeBenchmarkIndex',
		]);
		assert.throws(
			() => hookPoints(changed, '99.0.0'),
			/Lighthouse 99\.0\.0 lacks .*stopSensitiveInstrumentation.*computeBenchmarkIndex/,
		);
	});
});
