import assert from 'node:assert/strict';
import { BreakerOpenError, CircuitBreaker } from '../../../src/engine/ai/breaker';

describe('circuit breaker (cockatiel)', () => {
	it('opens after the threshold, says when to try again and why, and ignores errors that do not count', async () => {
		const breaker = new CircuitBreaker('Test API', { failureThreshold: 2, cooldownMs: 60_000 });
		const fail = (message: string) => () => Promise.reject(new Error(message));
		for (let i = 0; i < 3; i++)
			await assert.rejects(
				breaker.run(fail('cancelled'), () => false),
				/cancelled/,
			);
		assert.equal(breaker.state, 'closed', 'uncounted errors leave it closed');
		await assert.rejects(breaker.run(fail('HTTP 500')), /HTTP 500/);
		assert.equal(breaker.state, 'closed');
		await assert.rejects(breaker.run(fail('HTTP 502')), /HTTP 502/);
		assert.equal(breaker.state, 'open');
		let called = false;
		const paused = await breaker.run(() => ((called = true), Promise.resolve(1))).catch((err: unknown) => err);
		assert.ok(paused instanceof BreakerOpenError);
		assert.equal(called, false);
		assert.equal(paused.lastError, 'HTTP 502');
		assert.ok(Math.abs(paused.retryAt - (Date.now() + 60_000)) < 2_000);
		assert.match(
			paused.message,
			/Test API calls are paused after repeated failures; the next try is allowed in (59|60) s/,
		);
		breaker.reset();
		assert.equal(breaker.state, 'closed');
		assert.equal(await breaker.run(() => Promise.resolve(42)), 42);
	});
});
