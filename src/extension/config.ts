/**
 * The extension's settings through one typed accessor. It reads a `ConfigSource` (in the extension,
 * `vscode.workspace.getConfiguration('auditlens')`), so it has no `vscode` import and is unit-tested.
 * Engine settings are checked with the engine's own schema (src/shared/settings.ts: bounds and defaults
 * defined once); the extension's own settings with the schema below. zod/mini is bundled into the
 * extension for this (it tree-shakes): one definition beats a generated copy that has to be kept in step.
 * A unit test keeps package.json's contributes.configuration equal to both.
 */
import * as z from 'zod/mini';
import type { ConfigureParams, EngineSettings, FormFactor, ScanOptionsInput, WorkspaceMapping } from '../protocol';
import { settingSchema } from '../shared/settings';

export interface ConfigSource {
	get<T>(section: string): T | undefined;
}

/** Settings sent to the engine under the same name as in `auditlens.*`. */
export const ENGINE_SETTING_KEYS = [
	'maxConcurrentAudits',
	'maxBrowsers',
	'maxCaptureContexts',
	'maxAiCalls',
	'queueSize',
	'auditTimeoutMs',
	'accuracyMode',
	'traceSlot',
	'runsPerUrl',
	'recycleAfterRuns',
	'browserIdleTimeoutMs',
	'usePool',
	'cacheMaxEntries',
	'historyMaxAgeDays',
	'historyMaxCount',
	'screenshotTargetBytes',
	'aiModel',
	'aiMaxTokens',
	'aiDeep',
] as const satisfies readonly (keyof EngineSettings)[];

/** One `auditlens.locate.mappings` entry: a URL path prefix and the folder it is served from. */
const workspaceMappingSchema = z.object({
	urlPath: z.string().check(z.regex(/^\//)),
	dir: z.string().check(z.minLength(1)),
});

/** The extension's own settings (not sent to the engine): type, bounds and default, defined once. */
export const extensionSettingsSchema = z.object({
	devServerUrl: z._default(z.string(), 'http://localhost:3000'),
	auditOnSave: z._default(z.boolean(), false),
	aiOnSave: z._default(z.boolean(), false),
	auditOnSaveDelayMs: z._default(z.int().check(z.minimum(0), z.maximum(60_000)), 500),
	recentUrlCount: z._default(z.int().check(z.minimum(1), z.maximum(50)), 10),
	nodePath: z._default(z.string(), ''),
	loginScript: z._default(z.string(), ''),
	'diagnostics.enabled': z._default(z.boolean(), true),
	'locate.mappings': z._default(z.array(workspaceMappingSchema), []),
});
const EXTENSION_DEFAULTS = extensionSettingsSchema.parse({});

/**
 * The site scan's settings (`auditlens.scan.*`), sent with every Audit Site: type, bounds and default, defined once.
 */
export const scanSettingsSchema = z.object({
	maxRoutes: z._default(z.int().check(z.minimum(1), z.maximum(10_000)), 200),
	maxDepth: z._default(z.int().check(z.minimum(0), z.maximum(20)), 3),
	include: z._default(z.array(z.string()), []),
	exclude: z._default(z.array(z.string()), []),
	samplesPerGroup: z._default(z.int().check(z.minimum(0), z.maximum(1000)), 5),
	useSitemap: z._default(z.boolean(), true),
	crawl: z._default(z.boolean(), true),
	formFactors: z._default(z.array(z.enum(['mobile', 'desktop'])).check(z.minLength(1)), ['mobile']),
});
type ScanSettings = z.infer<typeof scanSettingsSchema>;
const SCAN_DEFAULTS = scanSettingsSchema.parse({});

/** `auditlens.cacheTtlMinutes` is `cacheTtlMs` in minutes: the engine's bounds, divided. */
const MINUTE_MS = 60_000;

export class Config {
	/** @param source where values come from */
	constructor(private readonly source: ConfigSource) {}

	/**
	 * The engine settings the user chose. A value outside its bounds is left out (the engine keeps its
	 * default) and described in `problems`; unset values are left out too.
	 */
	engineSettings(problems: string[] = []): ConfigureParams {
		const out: Record<string, unknown> = {};
		for (const key of ENGINE_SETTING_KEYS) {
			const value = this.source.get<unknown>(key);
			if (value === undefined) continue;
			const problem = checkValue(settingSchema(key), value);
			if (problem)
				problems.push(`auditlens.${key} = ${JSON.stringify(value)}: ${problem}; the engine keeps its default`);
			else out[key] = value;
		}
		const ttl = this.source.get<unknown>('cacheTtlMinutes');
		if (ttl !== undefined) {
			const problem = checkValue(
				settingSchema('cacheTtlMs'),
				typeof ttl === 'number' ? ttl * MINUTE_MS : ttl,
				MINUTE_MS,
			);
			if (problem)
				problems.push(`auditlens.cacheTtlMinutes = ${JSON.stringify(ttl)}: ${problem}; the engine keeps its default`);
			else out.cacheTtlMs = Math.round((ttl as number) * MINUTE_MS);
		}
		const chromePath = this.chromePath;
		if (chromePath) out.chromePath = chromePath;
		return out as ConfigureParams;
	}

	/** A Node 22.19+ binary for the engine when the editor's own Node is older (`auditlens.nodePath`). */
	get nodePath(): string | undefined {
		const v = this.source.get<string>('nodePath');
		return typeof v === 'string' && v.trim() ? v.trim() : undefined;
	}

	get chromePath(): string | undefined {
		const v = this.source.get<string>('chromePath');
		return typeof v === 'string' && v.trim() ? v.trim() : undefined;
	}

	/** Form factors of each audit. */
	get formFactors(): FormFactor[] {
		const v = this.source.get<string[]>('formFactors');
		const valid = Array.isArray(v) ? v.filter((f): f is FormFactor => f === 'mobile' || f === 'desktop') : [];
		return valid.length ? [...new Set(valid)] : ['mobile', 'desktop'];
	}

	/** The dev server to audit on save; '' means find one on the usual ports. */
	get devServerUrl(): string {
		const v = this.source.get<string>('devServerUrl');
		return typeof v === 'string' ? v.trim() : EXTENSION_DEFAULTS.devServerUrl;
	}

	get auditOnSave(): boolean {
		return this.own('auditOnSave');
	}

	/** Audits on save may send the page to Anthropic (off unless opted in: they run at every save). */
	get aiOnSave(): boolean {
		return this.own('aiOnSave');
	}

	/** Quiet time after the last save before auditing. */
	get auditOnSaveDelayMs(): number {
		return this.own('auditOnSaveDelayMs');
	}

	/** The login script as set (relative to the workspace folder), or undefined. */
	get loginScript(): string | undefined {
		return this.own('loginScript').trim() || undefined;
	}

	/** Put the findings of the latest audit of each URL in the Problems panel (`auditlens.diagnostics.enabled`). */
	get diagnosticsEnabled(): boolean {
		return this.own('diagnostics.enabled');
	}

	/**
	 * URL paths served from folders the workspace layout does not suggest (`auditlens.locate.mappings`). Entries
	 * that are not a `{ urlPath: "/…", dir }` are left out, each described in `problems`; the others still apply.
	 */
	locateMappings(problems: string[] = []): WorkspaceMapping[] {
		const raw = this.source.get<unknown>('locate.mappings');
		if (raw === undefined) return [];
		if (!Array.isArray(raw)) {
			problems.push('auditlens.locate.mappings is not a list; no mappings apply');
			return [];
		}
		const out: WorkspaceMapping[] = [];
		for (const entry of raw) {
			const parsed = workspaceMappingSchema.safeParse(entry);
			if (parsed.success) out.push({ urlPath: parsed.data.urlPath, dir: parsed.data.dir.trim() });
			else
				problems.push(
					`auditlens.locate.mappings: ${JSON.stringify(entry)} is left out: each entry is { "urlPath": "/…", "dir": "folder" }`,
				);
		}
		return out;
	}

	/** How many recent URLs the Audit URL input offers. */
	get recentUrlCount(): number {
		return this.own('recentUrlCount');
	}

	/** How Audit Site finds routes (`auditlens.scan.*`), as the scan request takes them. */
	get scanOptions(): ScanOptionsInput {
		return {
			maxRoutes: this.scan('maxRoutes'),
			maxDepth: this.scan('maxDepth'),
			include: globs(this.scan('include')),
			exclude: globs(this.scan('exclude')),
			samplesPerGroup: this.scan('samplesPerGroup'),
			sitemap: this.scan('useSitemap'),
			crawl: this.scan('crawl'),
		};
	}

	/** Form factors of each route of a site scan (mobile only unless set: a scan audits many pages). */
	get scanFormFactors(): FormFactor[] {
		return [...new Set(this.scan('formFactors'))];
	}

	/** One `auditlens.scan.*` setting, or its default when unset or out of bounds. */
	private scan<K extends keyof ScanSettings>(key: K): ScanSettings[K] {
		const parsed = scanSettingsSchema.shape[key].safeParse(this.source.get<unknown>(`scan.${key}`));
		return parsed.success ? (parsed.data as ScanSettings[K]) : SCAN_DEFAULTS[key];
	}

	/** One of the extension's own settings, or its default when unset or out of bounds. */
	private own<K extends keyof typeof EXTENSION_DEFAULTS>(key: K): (typeof EXTENSION_DEFAULTS)[K] {
		const parsed = extensionSettingsSchema.shape[key].safeParse(this.source.get<unknown>(key));
		return parsed.success ? (parsed.data as (typeof EXTENSION_DEFAULTS)[K]) : EXTENSION_DEFAULTS[key];
	}
}

/** Globs on a route's path, trimmed; blank ones dropped (a blank glob in the settings list is a slip). */
function globs(list: string[]): string[] {
	return list.map((g) => g.trim()).filter(Boolean);
}

/**
 * What is wrong with `value` per `schema`, in words for the settings UI, or undefined.
 * `unit` scales bounds back to the unit the user typed (e.g. minutes for a schema in milliseconds).
 */
export function checkValue(schema: z.ZodMiniType, value: unknown, unit = 1): string | undefined {
	const parsed = schema.safeParse(value);
	if (parsed.success) return undefined;
	const issue = parsed.error.issues[0];
	switch (issue?.code) {
		case 'too_big':
			return `above the maximum ${Number(issue.maximum) / unit}`;
		case 'too_small':
			return typeof value === 'string' ? 'empty' : `below the minimum ${Number(issue.minimum) / unit}`;
		case 'invalid_type':
			return issue.expected === 'int'
				? 'not a whole number'
				: issue.expected === 'boolean'
					? 'not true or false'
					: `not a ${issue.expected}`;
		default:
			return issue?.message ?? 'not valid';
	}
}

/** Settings safe to write to a log: secrets replaced by a marker. */
export function redactSettings(params: ConfigureParams): Record<string, unknown> {
	const out: Record<string, unknown> = { ...params };
	for (const key of ['anthropicApiKey', 'cruxApiKey'] as const)
		if (key in out) out[key] = out[key] ? '<set>' : '<unset>';
	return out;
}
