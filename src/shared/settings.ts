/**
 * Every engine setting's type, bounds and default, defined once. The engine validates `configure` with it
 * and fills in defaults from it; the extension checks `auditlens.*` values with the same field schemas;
 * a unit test keeps package.json's `contributes.configuration` equal to it.
 * Imports zod and the protocol's types only, so both the engine and the extension can bundle it.
 */
// zod/mini: it tree-shakes to a small part of the extension's bundle, where zod's full API would not.
import * as z from 'zod/mini';
import type { EngineSettings } from '../protocol';

const int = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));
const text = () => z.string().check(z.minLength(1));
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

const fields = {
	maxConcurrentAudits: z._default(int(1, 16), 2),
	maxBrowsers: z._default(int(1, 16), 2),
	maxCaptureContexts: z._default(int(1, 16), 2),
	maxAiCalls: z._default(int(1, 8), 1),
	queueSize: z._default(int(0, 10_000), 50),
	auditTimeoutMs: z._default(int(5_000, 30 * MINUTE_MS), 2 * MINUTE_MS),
	accuracyMode: z._default(z.boolean(), false),
	traceSlot: z._default(z.boolean(), true),
	runsPerUrl: z._default(int(1, 9), 1),
	recycleAfterRuns: z._default(int(1, 100), 50),
	browserIdleTimeoutMs: z._default(int(1_000, DAY_MS), 2 * MINUTE_MS),
	usePool: z._default(z.boolean(), true),
	chromePath: z.optional(text()),
	cacheTtlMs: z._default(int(0, 365 * DAY_MS), DAY_MS),
	cacheMaxEntries: z._default(int(0, 100_000), 200),
	historyMaxAgeDays: z._default(int(1, 3650), 30),
	historyMaxCount: z._default(int(1, 1_000_000), 1000),
	screenshotTargetBytes: z._default(int(20_000, 5_000_000), 200_000),
	aiModel: z._default(text(), 'claude-sonnet-4-6'),
	aiMaxTokens: z._default(int(256, 64_000), 2048),
	aiDeep: z._default(z.boolean(), false),
	anthropicApiKey: z.optional(z.string()),
	cruxApiKey: z.optional(z.string()),
};
type Fields = typeof fields;

/** All settings, defaults filled in: `engineSettingsSchema.parse({})` is the defaults. */
export const engineSettingsSchema = z.strictObject(fields);

/** The engine's defaults, from the schema. */
export const DEFAULT_SETTINGS: EngineSettings = engineSettingsSchema.parse({});

type Bare<S> = S extends z.ZodMiniDefault<infer T> ? T : S;
type PatchShape = { [K in keyof Fields]: z.ZodMiniOptional<Bare<Fields[K]>> };

/** The schema of one setting without its default: what a value must be. */
export function settingSchema<K extends keyof Fields>(key: K): Bare<Fields[K]> {
	const s: z.ZodMiniType = fields[key];
	return (s instanceof z.ZodMiniDefault ? s._zod.def.innerType : s) as Bare<Fields[K]>;
}

/**
 * `configure` params (and the CLI's and extension's settings): partial, strict, bounded. No defaults here:
 * zod would fill every missing field in, and a patch of one setting would reset all the others.
 */
export const settingsPatchSchema = z.strictObject(
	Object.fromEntries(
		(Object.keys(fields) as (keyof Fields)[]).map((k) => [k, z.optional(settingSchema(k))]),
	) as PatchShape,
);

// The schema and the protocol's type describe the same thing; a change to one must reach the other.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameAsProtocol: Same<z.output<typeof engineSettingsSchema>, EngineSettings> = true;
void sameAsProtocol;
