import assert from 'node:assert/strict';
import { Scope } from '../../src/extension/scope';

describe('Scope', () => {
	it('disposes newest first, keeps going after a failure, and can be reused', () => {
		const order: number[] = [];
		const scope = new Scope();
		scope.push({ dispose: () => order.push(1) });
		scope.push({
			dispose: () => {
				throw new Error('x');
			},
		});
		scope.push({ dispose: () => order.push(3) });
		assert.throws(() => scope.dispose(), AggregateError);
		assert.deepEqual(order, [3, 1]);
		assert.equal(scope.size, 0);
		scope.push({ dispose: () => order.push(4) });
		scope.dispose();
		assert.deepEqual(order, [3, 1, 4]);
	});
});
