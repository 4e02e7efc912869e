import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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

describe('retry (cockatiel)', function () {
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
});
