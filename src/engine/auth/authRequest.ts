import { createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { AuditAuth, AuthSummary } from '../../protocol';
import { COOKIE_VALUE, HEADER_VALUE, TOKEN } from '../../shared/credentialSyntax';
import { AuditError } from '../errors';

/**
 * The `auth` part of an audit request: validated at the edge (names are tokens, values have no CR/LF, no header
 * that the browser owns, bounded sizes), then resolved into an `AuthPlan` the stages use. Error messages name the
 * header or cookie and never quote a value.
 */

const MAX_HEADERS = 32;
const MAX_COOKIES = 64;
const MAX_NAME = 256;
const MAX_VALUE = 8_192;
const MAX_TOTAL_BYTES = 32 * 1024;
/** A login script is a small module; a bigger file is most likely the wrong one. */
const MAX_SCRIPT_BYTES = 1024 * 1024;

/** Headers the browser sets itself, or that would change the request's framing or target. */
const FORBIDDEN_HEADERS = new Set([
	'host',
	'content-length',
	'transfer-encoding',
	'connection',
	'keep-alive',
	'upgrade',
	'te',
	'trailer',
	'expect',
	'proxy-connection',
	'accept-encoding',
	'origin',
	'referer',
]);

const headerName = z
	.string()
	.min(1, 'a header name is empty')
	.max(MAX_NAME, `a header name is longer than ${MAX_NAME} characters`)
	.regex(TOKEN, "a header name may only have letters, digits and !#$%&'*+-.^_`|~")
	.refine(
		(n) => !FORBIDDEN_HEADERS.has(n.toLowerCase()) && !/^(proxy|sec)-/i.test(n),
		'this header is set by the browser and cannot be given',
	)
	.refine(
		(n) => n.toLowerCase() !== 'cookie',
		'give cookies as cookies (--cookie name=value), not as a Cookie header: a header would go to every origin the page loads from',
	);
const headerValue = z
	.string()
	.max(MAX_VALUE, `a header value is longer than ${MAX_VALUE} characters`)
	.regex(HEADER_VALUE, 'a header value may only have printable ASCII characters (no line breaks)');
const cookieName = z
	.string()
	.min(1, 'a cookie name is empty')
	.max(MAX_NAME, `a cookie name is longer than ${MAX_NAME} characters`)
	.regex(TOKEN, "a cookie name may only have letters, digits and !#$%&'*+-.^_`|~");
const cookieValue = z
	.string()
	.max(MAX_VALUE, `a cookie value is longer than ${MAX_VALUE} characters`)
	.regex(
		COOKIE_VALUE,
		'a cookie value may not have spaces, quotes, commas, semicolons, backslashes or control characters',
	);

export const auditAuthSchema = z
	.object({
		headers: z
			.record(z.string(), headerValue)
			// Names checked here rather than as the record's key schema, whose failure says only "Invalid key in record".
			.superRefine((h, ctx) => {
				for (const name of Object.keys(h)) {
					const issue = headerName.safeParse(name).error?.issues[0];
					if (issue) ctx.addIssue({ code: 'custom', path: [name], message: issue.message });
				}
			})
			.refine((h) => Object.keys(h).length <= MAX_HEADERS, `at most ${MAX_HEADERS} headers`)
			.refine(
				(h) => new Set(Object.keys(h).map((n) => n.toLowerCase())).size === Object.keys(h).length,
				'a header is given twice (names are case-insensitive)',
			),
		cookies: z
			.array(z.object({ name: cookieName, value: cookieValue }).strict())
			.max(MAX_COOKIES, `at most ${MAX_COOKIES} cookies`)
			.refine((c) => new Set(c.map((x) => x.name)).size === c.length, 'a cookie is given twice'),
		loginScript: z
			.string()
			.min(1, 'the login script path is empty')
			.max(4096)
			.refine((p) => path.isAbsolute(p), 'the login script path must be absolute'),
	})
	.partial()
	.strict()
	.refine(
		(a) => size(a) <= MAX_TOTAL_BYTES,
		`the headers and cookies together are longer than ${MAX_TOTAL_BYTES / 1024} KiB`,
	);

function size(a: AuditAuth): number {
	let n = 0;
	for (const [k, v] of Object.entries(a.headers ?? {})) n += k.length + v.length;
	for (const c of a.cookies ?? []) n += c.name.length + c.value.length;
	return n;
}

/** Credentials as the stages use them. `hash` stands for them in the cache key. */
export interface AuthPlan {
	headers: Record<string, string>;
	cookies: { name: string; value: string }[];
	loginScript?: { path: string; sha256: string };
	/**
	 * HMAC-SHA256 of the canonical form of everything above (the script by path and content), keyed with
	 * this process's random key: the cache key in the history file then tells nothing of the values, even
	 * of a short or guessable cookie, and a signed-in result is reused only by the engine that made it.
	 */
	hash: string;
}

/**
 * The plan for validated `auth` params, or undefined when they ask for nothing. Reads the login script to hash
 * it (a changed script is a different audit); a script that can't be read is INVALID_PARAMS. `hashKey` keys the
 * hash: this process's own by default; the queue's (queue/submit.ts) for a job id that submitters sharing the
 * queue's passphrase agree on.
 */
export function resolveAuth(auth: AuditAuth | undefined, hashKey: Buffer = PROCESS_KEY): AuthPlan | undefined {
	if (!auth) return undefined;
	const headers = auth.headers ?? {};
	const cookies = auth.cookies ?? [];
	let loginScript: AuthPlan['loginScript'];
	if (auth.loginScript !== undefined)
		loginScript = { path: auth.loginScript, sha256: sha256(readScript(auth.loginScript)) };
	if (Object.keys(headers).length === 0 && cookies.length === 0 && !loginScript) return undefined;
	const canonical = {
		cookies: cookies.map((c) => [c.name, c.value]).sort((a, b) => (a[0] < b[0] ? -1 : 1)),
		headers: Object.entries(headers)
			.map(([k, v]) => [k.toLowerCase(), v])
			.sort((a, b) => (a[0] < b[0] ? -1 : 1)),
		loginScript: loginScript ? [loginScript.path, loginScript.sha256] : null,
	};
	return {
		headers,
		cookies,
		...(loginScript ? { loginScript } : {}),
		hash: createHmac('sha256', hashKey).update(JSON.stringify(canonical)).digest('hex'),
	};
}

function readScript(file: string): Buffer {
	let stat: fs.Stats;
	try {
		stat = fs.statSync(file);
	} catch (err) {
		const code = (err as NodeJS.ErrnoException).code;
		throw new AuditError(
			'INVALID_PARAMS',
			`The login script ${file} cannot be read (${code === 'ENOENT' ? 'no such file' : (code ?? 'error')}).`,
		);
	}
	if (!stat.isFile()) throw new AuditError('INVALID_PARAMS', `The login script ${file} is not a file.`);
	if (stat.size > MAX_SCRIPT_BYTES)
		throw new AuditError(
			'INVALID_PARAMS',
			`The login script ${file} is larger than 1 MiB; give the module that signs in.`,
		);
	return fs.readFileSync(file);
}

/** Never leaves the process: see `AuthPlan.hash`. */
const PROCESS_KEY = randomBytes(32);

function sha256(data: string | Buffer): string {
	return createHash('sha256').update(data).digest('hex');
}

/** What a result records of the credentials: names only. */
export function authSummary(plan: AuthPlan): AuthSummary {
	return {
		headers: Object.keys(plan.headers),
		cookies: plan.cookies.map((c) => c.name),
		...(plan.loginScript ? { loginScript: plan.loginScript.path } : {}),
	};
}

/** Every secret value of a plan (for log redaction). */
export function authSecrets(plan: AuthPlan): string[] {
	return [...Object.values(plan.headers), ...plan.cookies.map((c) => c.value)];
}

/**
 * The plan's cookies as Playwright cookies for `url`'s origin: given with a URL and no domain, each is a host-only
 * cookie for that host with path `/`, secure on https, so no other origin (a CDN, an analytics host) gets it.
 */
export function originCookies(plan: AuthPlan, url: string): { name: string; value: string; url: string }[] {
	const origin = `${new URL(url).origin}/`;
	return plan.cookies.map((c) => ({ name: c.name, value: c.value, url: origin }));
}

/** The Cookie header the preflight sends to `url` when it is on the audited URL's host (host-only cookies). */
export function cookieHeaderFor(plan: AuthPlan, auditedUrl: string, url: URL): string | undefined {
	const audited = new URL(auditedUrl);
	if (
		plan.cookies.length === 0 ||
		url.hostname !== audited.hostname ||
		(audited.protocol === 'https:' && url.protocol !== 'https:')
	)
		return undefined;
	return plan.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}
