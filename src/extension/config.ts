/**
 * The extension's settings through one typed accessor. It reads a `ConfigSource` (in the extension,
 * `vscode.workspace.getConfiguration('auditlens')`), so it has no `vscode` import and is unit-tested.
 * Bounds come from the extension's own package.json (contributes.configuration), which a unit test
 * keeps equal to the engine's settings schema; importing that schema here would bundle zod into the
 * extension for nothing.
 */
import type { ConfigureParams } from '../protocol/messages';
import type { EngineSettings, FormFactor } from '../protocol/types';

export interface ConfigSource {
	get<T>(section: string): T | undefined;
}

/** The JSON-schema fragment of one setting in package.json. */
export interface SettingSchema {
	type?: string;
	minimum?: number;
	maximum?: number;
	minLength?: number;
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

export const DEFAULT_DEV_SERVER_URL = 'http://localhost:3000';

export class Config {
	/**
	 * @param source where values come from
	 * @param schema `contributes.configuration.properties` of package.json (keys `auditlens.*`), for bounds
	 */
	constructor(
		private readonly source: ConfigSource,
		private readonly schema: Record<string, SettingSchema> = {},
	) {}

	/**
	 * The engine settings the user chose. A value outside its bounds is left out (the engine keeps its
	 * default) and described in `problems`; unset values are left out too.
	 */
	engineSettings(problems: string[] = []): ConfigureParams {
		const out: Record<string, unknown> = {};
		for (const key of ENGINE_SETTING_KEYS) {
			const value = this.source.get<unknown>(key);
			if (value === undefined) continue;
			const problem = checkValue(value, this.schema[`auditlens.${key}`]);
			if (problem) problems.push(`auditlens.${key} = ${JSON.stringify(value)}: ${problem}; the engine keeps its default`);
			else out[key] = value;
		}
		const ttl = this.source.get<number>('cacheTtlMinutes');
		if (ttl !== undefined) {
			const problem = checkValue(ttl, this.schema['auditlens.cacheTtlMinutes']);
			if (problem) problems.push(`auditlens.cacheTtlMinutes = ${JSON.stringify(ttl)}: ${problem}; the engine keeps its default`);
			else out.cacheTtlMs = Math.round(ttl * 60_000);
		}
		const chromePath = this.chromePath;
		if (chromePath) out.chromePath = chromePath;
		return out as ConfigureParams;
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
		return typeof v === 'string' ? v.trim() : DEFAULT_DEV_SERVER_URL;
	}

	get auditOnSave(): boolean {
		return this.source.get<boolean>('auditOnSave') === true;
	}

	/** Audits on save may send the page to Anthropic (off unless opted in: they run at every save). */
	get aiOnSave(): boolean {
		return this.source.get<boolean>('aiOnSave') === true;
	}

	/** Quiet time after the last save before auditing. */
	get auditOnSaveDelayMs(): number {
		const v = this.source.get<number>('auditOnSaveDelayMs');
		return typeof v === 'number' && v >= 0 && v <= 60_000 ? v : 500;
	}

	/** How many recent URLs the Audit URL input offers. */
	get recentUrlCount(): number {
		const v = this.source.get<number>('recentUrlCount');
		return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 50 ? v : 10;
	}
}

/** What is wrong with `value` per its schema, or undefined. */
export function checkValue(value: unknown, schema: SettingSchema | undefined): string | undefined {
	if (!schema) return undefined;
	switch (schema.type) {
		case 'integer':
		case 'number':
			if (typeof value !== 'number' || !Number.isFinite(value)) return 'not a number';
			if (schema.type === 'integer' && !Number.isInteger(value)) return 'not a whole number';
			if (schema.minimum !== undefined && value < schema.minimum) return `below the minimum ${schema.minimum}`;
			if (schema.maximum !== undefined && value > schema.maximum) return `above the maximum ${schema.maximum}`;
			return undefined;
		case 'boolean':
			return typeof value === 'boolean' ? undefined : 'not true or false';
		case 'string':
			if (typeof value !== 'string') return 'not a string';
			return schema.minLength !== undefined && value.length < schema.minLength ? 'empty' : undefined;
		default:
			return undefined;
	}
}

/** Settings safe to write to a log: secrets replaced by a marker. */
export function redactSettings(params: ConfigureParams): Record<string, unknown> {
	const out: Record<string, unknown> = { ...params };
	for (const key of ['anthropicApiKey', 'cruxApiKey'] as const) if (key in out) out[key] = out[key] ? '<set>' : '<unset>';
	return out;
}
