import { z } from 'zod';
import type { ScanOptions } from '../../protocol';
import { parseParams } from '../request';

/** What a scan discovers when the client says nothing (the shape of Unlighthouse's defaults, a smaller sample). */
export const DEFAULT_SCAN_OPTIONS: ScanOptions = Object.freeze({
	maxRoutes: 200,
	maxDepth: 3,
	include: [],
	exclude: [],
	samplesPerGroup: 5,
	sitemap: true,
	crawl: true,
}) as ScanOptions;

/** Globs are short patterns on a path; a long one, or very many, is a mistake rather than a wish. */
const glob = z
	.string()
	.min(1, 'a glob is empty')
	.max(500, 'a glob is longer than 500 characters')
	.startsWith('/', 'a glob matches a path, so it starts with "/" (e.g. /blog/**)');
const globs = z.array(glob).max(100, 'at most 100 globs');

export const scanOptionsSchema = z
	.object({
		maxRoutes: z
			.number()
			.int('maxRoutes must be a whole number')
			.min(1, 'maxRoutes must be at least 1')
			.max(10_000, 'maxRoutes must be at most 10000'),
		maxDepth: z
			.number()
			.int('maxDepth must be a whole number')
			.min(0, 'maxDepth must be 0 or more')
			.max(20, 'maxDepth must be at most 20'),
		include: globs,
		exclude: globs,
		samplesPerGroup: z
			.number()
			.int('samplesPerGroup must be a whole number')
			.min(0, 'samplesPerGroup must be 0 (audit all) or more')
			.max(10_000),
		sitemap: z.boolean(),
		crawl: z.boolean(),
	})
	.partial()
	.strict();

/**
 * The client's scan options (`ScanOptionsInput`, possibly absent) validated and completed with the defaults.
 * A bad value throws `AuditError('INVALID_PARAMS')` naming the field and what it accepts.
 */
export function scanOptions(input: unknown): ScanOptions {
	const given = parseParams(scanOptionsSchema, input ?? {}, 'the scan options');
	return {
		maxRoutes: given.maxRoutes ?? DEFAULT_SCAN_OPTIONS.maxRoutes,
		maxDepth: given.maxDepth ?? DEFAULT_SCAN_OPTIONS.maxDepth,
		include: [...new Set(given.include ?? [])],
		exclude: [...new Set(given.exclude ?? [])],
		samplesPerGroup: given.samplesPerGroup ?? DEFAULT_SCAN_OPTIONS.samplesPerGroup,
		sitemap: given.sitemap ?? DEFAULT_SCAN_OPTIONS.sitemap,
		crawl: given.crawl ?? DEFAULT_SCAN_OPTIONS.crawl,
	};
}
