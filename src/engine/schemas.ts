import { z } from 'zod';
import { auditAuthSchema } from './auth/authRequest';
import {
	auditOptionsSchema,
	auditParamsSchema,
	formFactorSchema as formFactor,
	idSchema as id,
	urlSchema as url,
} from './request';
import { scanParamsSchema } from './scan/scan';
import { settingsPatchSchema } from './settings';

/** Schemas for everything that crosses the RPC boundary; the engine trusts types inside. */

export const schemas = {
	audit: auditParamsSchema,
	batchAudit: z
		.object({
			urls: z.array(url).min(1, 'urls is empty').max(1000),
			options: auditOptionsSchema.optional(),
			batchId: id.optional(),
			auth: auditAuthSchema.optional(),
		})
		.strict(),
	scan: scanParamsSchema,
	listScans: z.object({ url: url.optional(), limit: z.number().int().min(1).max(100_000).optional() }).strict(),
	getScan: z.object({ id }).strict(),
	cancel: z.object({ auditId: id }).strict(),
	getResult: z.object({ id }).strict(),
	getReport: z.object({ id, formFactor, format: z.enum(['html', 'json']) }).strict(),
	listHistory: z.object({ url: url.optional(), limit: z.number().int().min(1).max(100_000).optional() }).strict(),
	deleteHistory: z
		.object({ id: id.optional(), url: url.optional(), all: z.boolean().optional() })
		.strict()
		.refine(
			(p) => [p.id, p.url, p.all].filter((v) => v !== undefined && v !== false).length === 1,
			'give exactly one of id, url or all: true',
		),
	empty: z.union([z.object({}).strict(), z.null(), z.undefined()]),
	configure: settingsPatchSchema,
	locate: z
		.object({
			id,
			roots: z
				.array(z.string().min(1).max(4096))
				.min(1, 'roots is empty: give the workspace folders (absolute paths)')
				.max(64),
			mappings: z
				.array(z.object({ urlPath: z.string().min(1).max(1024), dir: z.string().min(1).max(4096) }).strict())
				.max(256)
				.optional(),
		})
		.strict(),
};

export { parseParams } from './request';
