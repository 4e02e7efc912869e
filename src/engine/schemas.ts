import { z } from 'zod';
import type { AuditOptions, AuditOptionsInput, EngineSettings } from '../protocol';
import { CATEGORIES, FORM_FACTORS } from '../protocol';
import { AuditError } from './errors';
import { settingsPatchSchema } from './settings';

/** Schemas for everything that crosses the RPC boundary; the engine trusts types inside. */

const formFactor = z.enum(['mobile', 'desktop'] satisfies typeof FORM_FACTORS);
const category = z.enum(['performance', 'accessibility', 'best-practices', 'seo'] satisfies typeof CATEGORIES);

export const auditOptionsSchema = z
	.object({
		formFactors: z.array(formFactor).min(1).max(2),
		categories: z.array(category).min(1).max(4),
		throttling: z.enum(['simulate', 'devtools', 'provided']),
		runs: z.number().int().min(1).max(9),
		stages: z.object({ lighthouse: z.boolean(), capture: z.boolean(), cro: z.boolean(), ai: z.boolean(), crux: z.boolean() }).partial().strict(),
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

const url = z.string().min(1, 'url is empty').max(8192, 'url is longer than 8192 characters');
const id = z.string().min(1).max(200);

export const schemas = {
	audit: z.object({ url, options: auditOptionsSchema.optional(), auditId: id.optional() }).strict(),
	batchAudit: z.object({ urls: z.array(url).min(1, 'urls is empty').max(1000), options: auditOptionsSchema.optional(), batchId: id.optional() }).strict(),
	cancel: z.object({ auditId: id }).strict(),
	getResult: z.object({ id }).strict(),
	getReport: z.object({ id, formFactor, format: z.enum(['html', 'json']) }).strict(),
	listHistory: z.object({ url: url.optional(), limit: z.number().int().min(1).max(100_000).optional() }).strict(),
	deleteHistory: z
		.object({ id: id.optional(), url: url.optional(), all: z.boolean().optional() })
		.strict()
		.refine((p) => [p.id, p.url, p.all].filter((v) => v !== undefined && v !== false).length === 1, 'give exactly one of id, url or all: true'),
	empty: z.union([z.object({}).strict(), z.null(), z.undefined()]),
	configure: settingsPatchSchema,
};

/** Parse RPC params or throw INVALID_PARAMS naming each bad field. */
export function parseParams<S extends z.ZodType>(schema: S, params: unknown, method: string): z.infer<S> {
	const result = schema.safeParse(params);
	if (result.success) return result.data;
	const problems = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'params'}: ${i.message}`).join('; ');
	throw new AuditError('INVALID_PARAMS', `Invalid parameters for ${method}: ${problems}`);
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
