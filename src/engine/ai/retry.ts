/** Options of `fetchWithRetry`. */
export interface RetryOptions {
	/** Retries after the first attempt (like the Anthropic SDK's `maxRetries`). */
	maxRetries?: number;
	/** Timeout of each attempt. */
	timeoutMs?: number;
	/** Aborts waiting and the request in flight. */
	signal?: AbortSignal;
	/** Longest wait honoured from a Retry-After header. */
	maxRetryAfterMs?: number;
}

/** HTTP statuses worth retrying, as the Anthropic SDK retries them: timeouts, lock conflicts, rate limits, server errors. */
export function isRetryableStatus(status: number): boolean {
	return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * `fetch` with the same retry policy as the Anthropic SDK, for APIs without an SDK (CrUX): retry on
 * 408/409/429/5xx and network errors, waiting for Retry-After when given, else exponential backoff from
 * 0.5 s (at most 8 s) with jitter. Returns the last response (which may be an error status).
 */
export async function fetchWithRetry(url: string, init: RequestInit, opts: RetryOptions = {}): Promise<Response> {
	const maxRetries = opts.maxRetries ?? 2;
	for (let attempt = 0; ; attempt++) {
		const signals = [AbortSignal.timeout(opts.timeoutMs ?? 15_000)];
		if (opts.signal) signals.push(opts.signal);
		let response: Response | undefined;
		try {
			response = await fetch(url, { ...init, signal: AbortSignal.any(signals) });
		} catch (err) {
			if (opts.signal?.aborted || attempt >= maxRetries) throw err;
		}
		if (response && (!isRetryableStatus(response.status) || attempt >= maxRetries)) return response;
		const wait = retryDelayMs(response?.headers, attempt, opts.maxRetryAfterMs ?? 30_000);
		await response?.body?.cancel().catch(() => undefined);
		await sleep(wait, opts.signal);
	}
}

/** Wait before retry number `attempt` (0-based): Retry-After(-Ms) when sane, else backoff with jitter. */
export function retryDelayMs(headers: Headers | undefined, attempt: number, maxRetryAfterMs: number): number {
	const ms = Number(headers?.get('retry-after-ms'));
	if (ms > 0 && ms <= maxRetryAfterMs) return ms;
	const after = headers?.get('retry-after');
	if (after) {
		const seconds = Number(after);
		const fromHeader = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(after) - Date.now();
		if (fromHeader > 0 && fromHeader <= maxRetryAfterMs) return fromHeader;
	}
	return Math.min(500 * 2 ** attempt, 8_000) * (1 - Math.random() * 0.25);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) return reject(signal.reason);
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(timer);
			reject(signal?.reason);
		};
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}
