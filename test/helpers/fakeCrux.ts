import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeReply } from './fakeAnthropic';

export interface CruxRequest {
	key: string | null;
	body: { origin?: string; url?: string; formFactor?: string };
}

export interface FakeCrux {
	/** Base URL for CruxClient's `baseUrl` option (or AUDITLENS_CRUX_BASE_URL). */
	url: string;
	requests: CruxRequest[];
	/** Queue answers; when empty, `answer` decides. */
	enqueue(...replies: FakeReply[]): void;
	/** Default answer for a request (after key checks): a record, or 404 no data. */
	answer: (body: CruxRequest['body']) => FakeReply;
	close(): Promise<void>;
}

/** A CrUX `record` in the API's wire shape with the given p75 values. */
export function cruxRecord(
	key: { origin?: string; url?: string; formFactor?: string },
	p75: { lcp?: number; inp?: number; cls?: number; fcp?: number; ttfb?: number },
): FakeReply {
	const metric = (v: number | string) => ({
		histogram: [
			{ start: 0, end: 1, density: 0.8 },
			{ start: 1, density: 0.2 },
		],
		percentiles: { p75: v },
	});
	const metrics: Record<string, unknown> = {};
	if (p75.lcp !== undefined) metrics.largest_contentful_paint = metric(p75.lcp);
	if (p75.inp !== undefined) metrics.interaction_to_next_paint = metric(p75.inp);
	if (p75.cls !== undefined) metrics.cumulative_layout_shift = metric(p75.cls.toFixed(2));
	if (p75.fcp !== undefined) metrics.first_contentful_paint = metric(p75.fcp);
	if (p75.ttfb !== undefined) metrics.experimental_time_to_first_byte = metric(p75.ttfb);
	return {
		status: 200,
		body: {
			record: {
				key,
				metrics,
				collectionPeriod: {
					firstDate: { year: 2026, month: 10, day: 20 },
					lastDate: { year: 2026, month: 11, day: 16 },
				},
			},
			urlNormalizationDetails: key.url ? { originalUrl: key.url, normalizedUrl: key.url } : undefined,
		},
	};
}

/** A Google API error in the wire shape CrUX uses. */
export function cruxError(
	status: number,
	statusText: string,
	message: string,
	headers: Record<string, string> = {},
): FakeReply {
	return { status, headers, body: { error: { code: status, message, status: statusText } } };
}

export const noData = () => cruxError(404, 'NOT_FOUND', 'chrome ux report data not found');

/** A fake Chrome UX Report API: POST /v1/records:queryRecord?key=… on 127.0.0.1. */
export async function startFakeCrux(opts: { apiKey: string }): Promise<FakeCrux> {
	const queue: FakeReply[] = [];
	const requests: CruxRequest[] = [];
	const fake: FakeCrux = {
		url: '',
		requests,
		enqueue: (...r) => void queue.push(...r),
		answer: (body) =>
			cruxRecord(
				{ ...(body.origin ? { origin: body.origin } : { url: body.url }) },
				{ lcp: 2100, inp: 180, cls: 0.05, fcp: 1400, ttfb: 600 },
			),
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const u = new URL(req.url ?? '/', 'http://x');
			let body: CruxRequest['body'] = {};
			try {
				body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as CruxRequest['body'];
			} catch {
				body = {};
			}
			const key = u.searchParams.get('key');
			requests.push({ key, body });
			const reply =
				req.method !== 'POST' || u.pathname !== '/v1/records:queryRecord'
					? cruxError(404, 'NOT_FOUND', 'Method not found.')
					: key !== opts.apiKey
						? cruxError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.')
						: !body.origin === !body.url
							? cruxError(400, 'INVALID_ARGUMENT', 'Exactly one of origin or url must be set.')
							: (queue.shift() ?? fake.answer(body));
			const write = () => {
				res.writeHead(reply.status, { 'content-type': 'application/json; charset=UTF-8', ...reply.headers });
				res.end(JSON.stringify(reply.body));
			};
			if (reply.delayMs) setTimeout(write, reply.delayMs);
			else write();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return fake;
}
