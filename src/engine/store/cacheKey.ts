import type { AuditOptions, StageSwitches } from '../../protocol';
import { AuditError } from '../errors';

const STAGE_NAMES: readonly (keyof StageSwitches)[] = ['ai', 'capture', 'crux', 'lighthouse', 'cro'];

/**
 * The URL as the cache and the history know it: scheme and host lower-cased, default port,
 * fragment and an empty `?` dropped, path and query kept as given (their order can matter to a server).
 * Throws `AuditError('INVALID_URL')` for anything that is not an absolute http(s) URL.
 */
export function normalizeUrl(url: string): string {
	if (typeof url !== 'string') throw new TypeError(`Expected the URL to be a string, got ${typeof url}`);
	const input = url.trim();
	if (input === '') throw new AuditError('INVALID_URL', 'The URL is empty: give a full address such as https://example.com/.');
	let parsed: URL;
	try {
		parsed = new URL(input);
	} catch {
		const hint = /^[\w-]+(\.[\w-]+)+(:\d+)?(\/.*)?$/.test(input) ? ` Did you mean https://${input}?` : ' Give a full address such as https://example.com/.';
		throw new AuditError('INVALID_URL', `“${input}” is not a valid URL.${hint}`);
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		throw new AuditError('INVALID_URL', `Only http and https pages can be audited; “${input}” uses ${parsed.protocol}.`);
	}
	if (parsed.hostname === '') throw new AuditError('INVALID_URL', `“${input}” has no host name. Give a full address such as https://example.com/.`);
	// WHATWG URL already lower-cases the scheme and host and drops a default port.
	parsed.hash = '';
	if (parsed.search === '') parsed.search = '';
	return parsed.href;
}

/**
 * The cache key of an audit: the normalised URL plus every option that changes the result.
 * Stable: arrays are sorted and de-duplicated, object keys sorted, unknown fields ignored.
 */
export function cacheKey(url: string, options: AuditOptions): string {
	const stages: Record<string, boolean> = {};
	for (const name of [...STAGE_NAMES].sort()) stages[name] = options.stages?.[name] === true;
	const canonical = {
		categories: [...new Set(options.categories)].sort(),
		devServer: options.devServer === true,
		formFactors: [...new Set(options.formFactors)].sort(),
		runs: options.runs,
		stages,
		throttling: options.throttling,
	};
	return `${normalizeUrl(url)} ${JSON.stringify(canonical)}`;
}
