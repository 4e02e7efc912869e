import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BreakerOpenError, CircuitBreaker } from '../../../src/engine/ai/breaker';
import { fetchWithRetry } from '../../../src/engine/ai/retry';

/** A server on 127.0.0.1 that answers each request with the next of `replies` and notes when it came. */
async function replyServer(replies: { status: number; headers?: Record<string, string> }[]) {
	const arrivals: number[] = [];
	let onRequest: () => void = () => undefined;
	const server = http.createServer((req, res) => {
		arrivals.push(Date.now());
		onRequest();
		const reply = replies.shift() ?? { status: 200 };
		res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
		res.end('{}');
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
		arrivals,
		nextRequest: () => new Promise<void>((resolve) => (onRequest = resolve)),
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

describe('retry and circuit breaker (cockatiel)', function () {
	this.timeout(20_000);

	it('waits as long as Retry-After says before retrying a 429', async () => {
		const server = await replyServer([{ status: 429, headers: { 'retry-after': '1' } }, { status: 200 }]);
		try {
			const response = await fetchWithRetry(server.url, {});
			assert.equal(response.status, 200);
			assert.equal(server.arrivals.length, 2);
			assert.ok(
				server.arrivals[1] - server.arrivals[0] >= 950,
				`retried after ${server.arrivals[1] - server.arrivals[0]} ms`,
			);
		} finally {
			await server.close();
		}
	});

	it('gives back the last error response once the retries are spent', async () => {
		const busy = { status: 503, headers: { 'retry-after-ms': '10' } };
		const server = await replyServer([busy, busy, busy, { status: 200 }]);
		try {
			const response = await fetchWithRetry(server.url, {}, { maxRetries: 2 });
			assert.equal(response.status, 503);
			assert.equal(server.arrivals.length, 3);
		} finally {
			await server.close();
		}
	});

	it('stops at once when cancelled while waiting for Retry-After', async () => {
		const server = await replyServer([{ status: 429, headers: { 'retry-after': '20' } }]);
		try {
			const controller = new AbortController();
			const first = server.nextRequest();
			const running = fetchWithRetry(server.url, {}, { signal: controller.signal });
			await first;
			const t0 = Date.now();
			controller.abort(new Error('cancelled by the test'));
			await assert.rejects(running, /cancelled by the test/);
			assert.ok(Date.now() - t0 < 1_000);
			assert.equal(server.arrivals.length, 1);
		} finally {
			await server.close();
		}
	});

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
