import { z } from 'zod';
import type { AuditAuth, AuditOptions, AuditOptionsInput, EngineSettings } from '../protocol';
import { auditAuthSchema, type AuthPlan, resolveAuth } from './auth/authRequest';
import { CATEGORIES, FORM_FACTORS } from '../protocol';
import { AuditError } from './errors';
import { maskCredentials } from './log';
import { MAX_URL_LENGTH } from '../shared/limits';

/**
 * Step 1 of the pipeline: an audit request as a client sent it becomes a validated, normalised
 * `AuditRequest` (one zod schema): the URL normalised, the options resolved against the settings.
 */

export const formFactorSchema = z.enum(['mobile', 'desktop'] satisfies typeof FORM_FACTORS);
const category = z.enum(['performance', 'accessibility', 'best-practices', 'seo'] satisfies typeof CATEGORIES);

export const auditOptionsSchema = z
	.object({
		formFactors: z.array(formFactorSchema).min(1).max(2),
		categories: z.array(category).min(1).max(4),
		throttling: z.enum(['simulate', 'devtools', 'provided']),
		runs: z.number().int().min(1).max(9),
		stages: z
			.object({ lighthouse: z.boolean(), capture: z.boolean(), cro: z.boolean(), ai: z.boolean(), crux: z.boolean() })
			.partial()
			.strict(),
		noCache: z.boolean(),
		timeoutMs: z
			.number()
			.int()
			.min(5_000)
			.max(30 * 60_000),
		devServer: z.boolean(),
	})
	.partial()
	.strict();

export const urlSchema = z
	.string()
	.min(1, 'url is empty')
	.max(MAX_URL_LENGTH, `url is longer than ${MAX_URL_LENGTH} characters`);
export const idSchema = z.string().min(1).max(200);

/** The `audit` request's params as they cross the RPC boundary. */
export const auditParamsSchema = z
	.object({
		url: urlSchema,
		options: auditOptionsSchema.optional(),
		auditId: idSchema.optional(),
		auth: auditAuthSchema.optional(),
	})
	.strict();

/** Parse params or throw INVALID_PARAMS naming each bad field. */
export function parseParams<S extends z.ZodType>(schema: S, params: unknown, method: string): z.infer<S> {
	const result = schema.safeParse(params);
	if (result.success) return result.data;
	const problems = result.error.issues
		.map((i) => `${i.path.length ? i.path.join('.') : 'params'}: ${i.message}`)
		.join('; ');
	throw new AuditError('INVALID_PARAMS', `Invalid parameters for ${method}: ${problems}`);
}

/** A request the rest of the pipeline can trust. */
export interface AuditRequest {
	auditId: string;
	/** Normalised: see `normalizeUrl`. */
	url: string;
	options: AuditOptions;
	/** Skip the cache lookup (the fresh result still updates the cache). */
	noCache: boolean;
	/** This caller's deadline, counted from admission (the wait in the queue included). */
	timeoutMs: number;
	/** Credentials of a signed-in audit; their hash is part of the cache key. */
	auth?: AuthPlan;
}

/**
 * Validate and normalise one audit request (from the RPC, the CLI or a test alike): INVALID_PARAMS naming
 * each bad field, INVALID_URL for a URL that cannot be audited.
 */
export function toAuditRequest(
	raw: { url: string; options?: AuditOptionsInput; auditId?: string; auth?: AuditAuth },
	auditId: string,
	settings: Readonly<EngineSettings>,
): AuditRequest {
	const params = parseParams(auditParamsSchema, raw, 'auditlens/audit');
	const auth = resolveAuth(params.auth);
	return {
		...(auth ? { auth } : {}),
		auditId,
		url: normalizeUrl(params.url),
		options: resolveOptions(params.options, settings),
		noCache: params.options?.noCache === true,
		timeoutMs: params.options?.timeoutMs ?? settings.auditTimeoutMs,
	};
}

/** Apply defaults to a client's audit options. */
export function resolveOptions(input: AuditOptionsInput | undefined, settings: Readonly<EngineSettings>): AuditOptions {
	const stages = input?.stages ?? {};
	return {
		formFactors: input?.formFactors?.length ? [...new Set(input.formFactors)] : ['mobile', 'desktop'],
		categories: input?.categories?.length ? [...new Set(input.categories)] : [...CATEGORIES],
		throttling: input?.throttling ?? 'simulate',
		runs: input?.runs ?? settings.runsPerUrl,
		stages: {
			lighthouse: stages.lighthouse ?? true,
			capture: stages.capture ?? true,
			cro: stages.cro ?? true,
			ai: stages.ai ?? true,
			crux: stages.crux ?? true,
		},
		devServer: input?.devServer ?? false,
	};
}

/**
 * The URL as the cache and the history know it: scheme and host lower-cased, default port,
 * fragment and an empty `?` dropped, path and query kept as given (their order can matter to a server).
 * Throws `AuditError('INVALID_URL')` for anything that is not an absolute http(s) URL, and for a URL with
 * credentials in it (never echoing the password).
 */
export function normalizeUrl(url: string): string {
	if (typeof url !== 'string') throw new TypeError(`Expected the URL to be a string, got ${typeof url}`);
	const input = url.trim();
	if (input === '')
		throw new AuditError('INVALID_URL', 'The URL is empty: give a full address such as https://example.com/.');
	const shown = maskCredentials(input);
	let parsed: URL;
	try {
		parsed = new URL(input);
	} catch {
		const hint = /^[\w-]+(\.[\w-]+)+(:\d+)?(\/.*)?$/.test(input)
			? ` Did you mean https://${input}?`
			: ' Give a full address such as https://example.com/.';
		throw new AuditError('INVALID_URL', `“${shown}” is not a valid URL.${hint}`);
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		throw new AuditError(
			'INVALID_URL',
			`Only http and https pages can be audited; “${shown}” uses ${parsed.protocol}.`,
		);
	}
	if (parsed.hostname === '')
		throw new AuditError(
			'INVALID_URL',
			`“${shown}” has no host name. Give a full address such as https://example.com/.`,
		);
	if (parsed.username !== '' || parsed.password !== '') {
		// Chrome drops credentials in URLs for subresources and Lighthouse would store them in its report.
		const masked = `${parsed.protocol}//${parsed.username}${parsed.password === '' ? '' : ':***'}@${parsed.host}${parsed.pathname}`;
		throw new AuditError(
			'INVALID_URL',
			`${masked} has credentials in it; they are not sent, and the page was not audited. Audit a URL without "user:password@" ` +
				'and sign in with a header, a cookie or a login script instead (CLI --header, --cookie, --login-script; in VS Code "AuditLens: Set Credentials for URL…").',
		);
	}
	// WHATWG URL already lower-cases the scheme and host and drops a default port.
	parsed.hash = '';
	if (parsed.search === '') parsed.search = '';
	return parsed.href;
}
