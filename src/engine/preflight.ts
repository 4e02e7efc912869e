import { type AuthPlan, cookieHeaderFor } from './auth/authRequest';
import { abortError, AuditError } from './errors';

const MAX_REDIRECTS = 10;

/** The least time the preflight waits for a page's answer: a stuck server is told of within it. */
export const PREFLIGHT_MIN_MS = 30_000;

/**
 * How long the preflight waits for the page's first answer in an audit of `auditMs`: a quarter of it, at least
 * `minMs` (30 s). A stuck server is told of early with the default timeout (120 s); a first answer that is slow (a dev
 * server compiling on its first request) gets longer when the audit timeout is raised, as the TIMEOUT message
 * advises. Lighthouse's own limits still apply to the browsers' loads (first paint within 30 s).
 */
export function preflightLimitMs(auditMs: number, minMs = PREFLIGHT_MIN_MS): number {
	return Number.isFinite(auditMs) ? Math.max(minMs, Math.round(auditMs / 4)) : minMs;
}

function describeNetworkError(err: unknown, url: URL): AuditError {
	const cause = (err as { cause?: { code?: string; message?: string } }).cause;
	const code = cause?.code ?? '';
	if (/bad port/i.test(cause?.message ?? (err instanceof Error ? err.message : ''))) {
		return new AuditError(
			'UNREACHABLE',
			`${url.host} uses a port that browsers refuse to load (port ${url.port}). Serve the page on another port, such as 3000 or 8080.`,
		);
	}
	if (code === 'ECONNREFUSED')
		return new AuditError(
			'UNREACHABLE',
			`Nothing is listening at ${url.host} (connection refused). Is the server running?`,
		);
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
		return new AuditError('UNREACHABLE', `The host "${url.hostname}" could not be found. Check the URL.`);
	if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET')
		return new AuditError('UNREACHABLE', `${url.host} closed the connection without answering.`);
	return new AuditError(
		'UNREACHABLE',
		`${url.href} could not be reached: ${cause?.message ?? (err instanceof Error ? err.message : String(err))}`,
	);
}

/**
 * Loads the document once, without a browser, so that pages that cannot be audited fail fast with a
 * clear error (unreachable, HTTP error, redirect loop, not HTML, no answer in time) instead of
 * holding a Chrome. Answers the final URL after redirects. A signed-in audit sends its headers, and its cookies
 * to the audited host only; with a login script, 401 and 403 pass: only the browsers can sign in.
 */
export async function preflight(
	href: string,
	timeoutMs: number,
	signal: AbortSignal,
	auth?: AuthPlan,
): Promise<string> {
	const seen = new Set<string>();
	let url = new URL(href);
	const timeout = AbortSignal.timeout(timeoutMs);
	const combined = AbortSignal.any([signal, timeout]);
	for (let hop = 0; ; hop++) {
		if (seen.has(url.href) || hop > MAX_REDIRECTS) {
			throw new AuditError(
				'REDIRECT_LOOP',
				`${href} redirects in a loop (${[...seen].slice(0, 4).join(' → ')} …). Fix the redirects or audit the final URL.`,
			);
		}
		seen.add(url.href);
		let res: Response;
		try {
			const cookie = auth && cookieHeaderFor(auth, href, url);
			const headers = {
				accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8',
				'user-agent': 'AuditLens preflight',
				...auth?.headers,
				...(cookie ? { cookie } : {}),
			};
			res = await fetch(url, { redirect: 'manual', signal: combined, headers });
		} catch (err) {
			if (signal.aborted) throw abortError(signal);
			if (timeout.aborted)
				throw new AuditError(
					'TIMEOUT',
					`${url.href} did not answer within ${Math.round(timeoutMs / 1000)} s. Check that the server is not stuck; if its first answer is slow (a dev server compiling), raise the audit timeout: the first answer is waited for a quarter of it, at least 30 s.`,
				);
			throw describeNetworkError(err, url);
		}
		await res.body?.cancel().catch(() => undefined);
		const location = res.headers.get('location');
		if (res.status >= 300 && res.status < 400 && location) {
			const next = new URL(location, url);
			if (next.protocol !== 'http:' && next.protocol !== 'https:')
				throw new AuditError('INVALID_URL', `${url.href} redirects to a non-http(s) URL (${next.protocol}).`);
			url = next;
			continue;
		}
		if (auth?.loginScript && (res.status === 401 || res.status === 403)) return url.href;
		if (res.status >= 400)
			throw new AuditError(
				'HTTP_ERROR',
				`${url.href} answered HTTP ${res.status} ${res.statusText}. Fix the page or audit another URL.`,
			);
		const type = res.headers.get('content-type') ?? '';
		if (type && !/html/i.test(type))
			throw new AuditError(
				'NOT_HTML',
				`${url.href} is not an HTML page (content-type: ${type}). Audit a URL that serves HTML.`,
			);
		return url.href;
	}
}
