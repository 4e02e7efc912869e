import {
	ExponentialBackoff,
	handleWhen,
	retry,
	type IBackoff,
	type IBackoffFactory,
	type IRetryBackoffContext,
} from 'cockatiel';

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

/**
 * HTTP statuses worth retrying, as the Anthropic SDK retries them: timeouts, lock conflicts, rate limits, server
 * errors.
 */
export function isRetryableStatus(status: number): boolean {
	return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** The wait a Retry-After-Ms or Retry-After header asks for (seconds or an HTTP date), when it is sane. */
export function retryAfterMs(headers: Headers | undefined, maxMs: number): number | undefined {
	const ms = Number(headers?.get('retry-after-ms'));
	if (ms > 0 && ms <= maxMs) return ms;
	const after = headers?.get('retry-after');
	if (!after) return undefined;
	const seconds = Number(after);
	const fromHeader = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(after) - Date.now();
	return fromHeader > 0 && fromHeader <= maxMs ? fromHeader : undefined;
}

type Context = IRetryBackoffContext<unknown>;

/** cockatiel's exponential backoff, except that a response's Retry-After wins when it gives one. */
function honouringRetryAfter(fallback: IBackoffFactory<Context>, maxMs: number): IBackoffFactory<Context> {
	const step = (inner: IBackoff<Context>, ctx: Context): IBackoff<Context> => {
		const response = 'value' in ctx.result && ctx.result.value instanceof Response ? ctx.result.value : undefined;
		return {
			duration: retryAfterMs(response?.headers, maxMs) ?? inner.duration,
			next: (next) => step(inner.next(next), next),
		};
	};
	return { next: (ctx) => step(fallback.next(ctx), ctx) };
}

/**
 * `fetch` with the same retry policy as the Anthropic SDK, for APIs without an SDK (CrUX), on cockatiel's retry:
 * retry on 408/409/429/5xx and network errors, waiting for Retry-After when given, else exponential backoff
 * from 0.5 s (at most 8 s) with jitter. Returns the last response (which may be an error status). Cancelling
 * `signal` rejects at once, also while waiting between attempts.
 */
export async function fetchWithRetry(url: string, init: RequestInit, opts: RetryOptions = {}): Promise<Response> {
	const signal = opts.signal ?? new AbortController().signal;
	const policy = retry(
		handleWhen(() => !signal.aborted).orWhenResult((r) => r instanceof Response && isRetryableStatus(r.status)),
		{
			maxAttempts: opts.maxRetries ?? 2,
			backoff: honouringRetryAfter(
				new ExponentialBackoff({ initialDelay: 500, maxDelay: 8_000 }),
				opts.maxRetryAfterMs ?? 30_000,
			),
		},
	);
	// A retried response's body is never read: free its connection.
	policy.onRetry(
		(reason) =>
			void ('value' in reason && reason.value instanceof Response
				? reason.value.body?.cancel().catch(() => undefined)
				: undefined),
	);
	const attempts = policy.execute(() => {
		signal.throwIfAborted();
		return fetch(url, { ...init, signal: AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs ?? 15_000)]) });
	}, signal);
	// cockatiel's wait between attempts does not listen to the signal: stop waiting for it when cancelled.
	return new Promise<Response>((resolve, reject) => {
		const onAbort = () => reject(signal.reason);
		if (signal.aborted) return onAbort();
		signal.addEventListener('abort', onAbort, { once: true });
		attempts.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
	});
}
