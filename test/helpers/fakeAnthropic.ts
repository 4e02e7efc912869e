import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake received. */
export interface RecordedRequest {
	method: string;
	path: string;
	headers: http.IncomingHttpHeaders;
	body: Record<string, unknown>;
}

/** One programmed answer: status, JSON body and headers. */
export interface FakeReply {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
	/** Wait this long before answering. */
	delayMs?: number;
}

export interface FakeAnthropic {
	/** Base URL for the SDK's `baseURL`, e.g. http://127.0.0.1:PORT */
	url: string;
	requests: RecordedRequest[];
	/** Most requests the fake was answering at once. */
	maxInFlight: number;
	/** Queue answers; each request takes the next one. When the queue is empty `fallback` answers. */
	enqueue(...replies: FakeReply[]): void;
	fallback: FakeReply;
	close(): Promise<void>;
}

let ids = 0;

/** The API key a request presents, from `x-api-key` or `Authorization: Bearer`. */
export function presentedKey(headers: http.IncomingHttpHeaders): string | undefined {
	const direct = headers['x-api-key'];
	if (typeof direct === 'string') return direct;
	const auth = headers.authorization;
	return auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
}

/** A successful Messages API answer whose content is one `tool_use` block calling `tool` with `input`. */
export function toolUseReply(tool: string, input: unknown, model = 'claude-sonnet-4-6'): FakeReply {
	ids++;
	return {
		status: 200,
		headers: { 'request-id': `req_fake_${ids}` },
		body: {
			id: `msg_fake_${ids}`,
			type: 'message',
			role: 'assistant',
			model,
			content: [{ type: 'tool_use', id: `toolu_fake_${ids}`, name: tool, input }],
			stop_reason: 'tool_use',
			stop_sequence: null,
			usage: { input_tokens: 1234, output_tokens: 321, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
		},
	};
}

/** A successful answer with only text (no tool call). */
export function textReply(text: string, model = 'claude-sonnet-4-6'): FakeReply {
	ids++;
	return {
		status: 200,
		body: {
			id: `msg_fake_${ids}`,
			type: 'message',
			role: 'assistant',
			model,
			content: [{ type: 'text', text }],
			stop_reason: 'end_turn',
			stop_sequence: null,
			usage: { input_tokens: 10, output_tokens: 5 },
		},
	};
}

/** An API error in the real wire shape: `{type:'error', error:{type, message}, request_id}`. */
export function errorReply(
	status: number,
	type: string,
	message: string,
	headers: Record<string, string> = {},
): FakeReply {
	ids++;
	return {
		status,
		headers: { 'request-id': `req_fake_${ids}`, ...headers },
		body: { type: 'error', error: { type, message }, request_id: `req_fake_${ids}` },
	};
}

export const rateLimited = (retryAfterSeconds = 0) =>
	errorReply(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit.', {
		'retry-after': String(retryAfterSeconds),
	});
export const serverError = () => errorReply(500, 'api_error', 'Internal server error');
export const overloaded = () => errorReply(529, 'overloaded_error', 'Overloaded');

/**
 * A fake Anthropic Messages API on 127.0.0.1: POST /v1/messages with the API key (x-api-key or
 * Authorization: Bearer) and anthropic-version headers checked like the real API
 * (401 authentication_error / 400 invalid_request_error otherwise).
 */
export async function startFakeAnthropic(opts: { apiKey: string }): Promise<FakeAnthropic> {
	const queue: FakeReply[] = [];
	const requests: RecordedRequest[] = [];
	const fake: FakeAnthropic = {
		url: '',
		requests,
		maxInFlight: 0,
		enqueue: (...replies) => void queue.push(...replies),
		fallback: errorReply(500, 'api_error', 'No reply programmed in the fake.'),
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
	let inFlight = 0;
	const send = (res: http.ServerResponse, reply: FakeReply) => {
		inFlight++;
		fake.maxInFlight = Math.max(fake.maxInFlight, inFlight);
		const write = () => {
			inFlight--;
			if (res.destroyed) return;
			res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
			res.end(JSON.stringify(reply.body));
		};
		if (reply.delayMs) setTimeout(write, reply.delayMs);
		else write();
	};
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			let body: Record<string, unknown> = {};
			try {
				body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
			} catch {
				send(res, errorReply(400, 'invalid_request_error', 'The request body is not valid JSON.'));
				return;
			}
			const path = (req.url ?? '/').split('?')[0];
			requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
			if (req.method !== 'POST' || path !== '/v1/messages')
				return send(res, errorReply(404, 'not_found_error', `Not found: ${req.method} ${path}`));
			// SDK 1.x sends the key as `Authorization: Bearer`; older clients send `x-api-key`. The API takes both.
			if (presentedKey(req.headers) !== opts.apiKey)
				return send(res, errorReply(401, 'authentication_error', 'invalid x-api-key'));
			if (!/^\d{4}-\d{2}-\d{2}$/.test(String(req.headers['anthropic-version'] ?? '')))
				return send(res, errorReply(400, 'invalid_request_error', 'anthropic-version: header is required'));
			if (typeof body.model !== 'string' || typeof body.max_tokens !== 'number' || !Array.isArray(body.messages)) {
				return send(res, errorReply(400, 'invalid_request_error', 'model, max_tokens and messages are required'));
			}
			send(res, queue.shift() ?? fake.fallback);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return fake;
}
