import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as z from 'zod/mini';
import {
	Config,
	ENGINE_SETTING_KEYS,
	extensionSettingsSchema,
	redactSettings,
	scanSettingsSchema,
} from '../../src/extension/config';
import { DEFAULT_SETTINGS, engineSettingsSchema, settingsPatchSchema } from '../../src/shared/settings';

/** The parts of a JSON schema that say what a setting's value may be. */
interface JsonSchema {
	type?: string;
	default?: unknown;
	minimum?: number;
	maximum?: number;
	minLength?: number;
}
const CHECKED = ['type', 'default', 'minimum', 'maximum', 'minLength'] as const;
const pick = (s: JsonSchema | undefined) =>
	Object.fromEntries(CHECKED.filter((k) => s?.[k] !== undefined).map((k) => [k, s?.[k]]));
const jsonSchemaOf = (schema: z.ZodMiniType) =>
	(z.toJSONSchema(schema, { io: 'input' }) as { properties: Record<string, JsonSchema> }).properties;

function findPackageJson(): string {
	for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const p = path.join(dir, 'package.json');
		if (fs.existsSync(p) && JSON.parse(fs.readFileSync(p, 'utf8')).name === 'auditlens') return p;
	}
	throw new Error('package.json not found');
}
const pkg = JSON.parse(fs.readFileSync(findPackageJson(), 'utf8')) as {
	contributes: {
		configuration: { properties: Record<string, JsonSchema & { markdownDescription?: string; description?: string }> };
		commands: { command: string }[];
	};
};
const props = pkg.contributes.configuration.properties;

const source = (values: Record<string, unknown>) => ({ get: <T>(k: string) => values[k] as T | undefined });
const accepts = (key: string, value: unknown) => settingsPatchSchema.safeParse({ [key]: value }).success;

describe('Settings (contributes.configuration)', () => {
	it('has a description for every setting', () => {
		for (const [key, p] of Object.entries(props))
			assert.ok(p.markdownDescription || p.description, `${key} has no description`);
	});

	it('declares every engine setting with the type, default and bounds of the one schema', () => {
		const engine = jsonSchemaOf(engineSettingsSchema);
		for (const key of ENGINE_SETTING_KEYS) {
			assert.ok(props[`auditlens.${key}`], `auditlens.${key} is missing`);
			assert.deepEqual(pick(props[`auditlens.${key}`]), pick(engine[key]), `auditlens.${key}`);
		}
		// The cache TTL is set in minutes and sent in milliseconds.
		const ttl = engine.cacheTtlMs;
		const minutes = (v: unknown) => Number(v) / 60_000;
		assert.deepEqual(pick(props['auditlens.cacheTtlMinutes']), {
			type: 'integer',
			default: minutes(ttl.default),
			minimum: minutes(ttl.minimum),
			maximum: minutes(ttl.maximum),
		});
		assert.equal(props['auditlens.chromePath'].type, engine.chromePath.type);
	});

	it("declares the extension's own settings as its schema says", () => {
		const own = jsonSchemaOf(extensionSettingsSchema);
		for (const [key, schema] of Object.entries(own))
			assert.deepEqual(pick(props[`auditlens.${key}`]), pick(schema), `auditlens.${key}`);
		assert.ok(props['auditlens.formFactors']);
	});

	it('declares the site scan settings (auditlens.scan.*) as their schema says', () => {
		const scan = jsonSchemaOf(scanSettingsSchema);
		assert.ok(Object.keys(scan).length >= 8);
		for (const [key, schema] of Object.entries(scan))
			assert.deepEqual(pick(props[`auditlens.scan.${key}`]), pick(schema), `auditlens.scan.${key}`);
		const declared = Object.keys(props).filter((k) => k.startsWith('auditlens.scan.'));
		assert.deepEqual(
			declared.sort(),
			Object.keys(scan)
				.map((k) => `auditlens.scan.${k}`)
				.sort(),
			'no scan setting without a schema',
		);
	});

	it('turns the scan settings into the scan request’s options, with defaults for values out of bounds', () => {
		const d = new Config(source({}));
		assert.deepEqual(d.scanOptions, {
			maxRoutes: 200,
			maxDepth: 3,
			include: [],
			exclude: [],
			samplesPerGroup: 5,
			sitemap: true,
			crawl: true,
		});
		assert.deepEqual(d.scanFormFactors, ['mobile']);
		const c = new Config(
			source({
				'scan.maxRoutes': 3,
				'scan.maxDepth': 99,
				'scan.include': [' /blog/** ', ''],
				'scan.exclude': 'not a list',
				'scan.useSitemap': false,
				'scan.crawl': false,
				'scan.formFactors': ['desktop', 'mobile'],
			}),
		);
		assert.deepEqual(c.scanOptions, {
			maxRoutes: 3,
			maxDepth: 3,
			include: ['/blog/**'],
			exclude: [],
			samplesPerGroup: 5,
			sitemap: false,
			crawl: false,
		});
		assert.deepEqual(c.scanFormFactors, ['desktop', 'mobile']);
		assert.deepEqual(
			new Config(source({ 'scan.formFactors': [] })).scanFormFactors,
			['mobile'],
			'at least one form factor',
		);
	});

	it('fills in every default from the schema, and a patch of one setting leaves the others unset', () => {
		assert.equal(DEFAULT_SETTINGS.maxConcurrentAudits, 2);
		assert.equal(DEFAULT_SETTINGS.cacheTtlMs, 24 * 3600_000);
		assert.equal(DEFAULT_SETTINGS.chromePath, undefined);
		assert.deepEqual(settingsPatchSchema.parse({ maxBrowsers: 4 }), { maxBrowsers: 4 });
		assert.ok(!accepts('maxBrowsers', 17) && !accepts('maxBrowsers', 1.5) && !accepts('bogus', 1));
	});

	it('produces engine settings the engine schema accepts, in the engine units', () => {
		const values: Record<string, unknown> = {};
		for (const [key, p] of Object.entries(props)) values[key.replace(/^auditlens\./, '')] = p.default;
		values.chromePath = ' /usr/bin/chromium ';
		const settings = new Config(source(values)).engineSettings();
		assert.equal(
			settingsPatchSchema.safeParse(settings).success,
			true,
			JSON.stringify(settingsPatchSchema.safeParse(settings).error),
		);
		assert.equal(settings.cacheTtlMs, DEFAULT_SETTINGS.cacheTtlMs);
		assert.equal(settings.chromePath, '/usr/bin/chromium');
	});

	it('leaves out values past their bounds and says which', () => {
		const problems: string[] = [];
		const settings = new Config(
			source({ maxBrowsers: 99, queueSize: 10, accuracyMode: 'yes', cacheTtlMinutes: 600_000, runsPerUrl: 2.5 }),
		).engineSettings(problems);
		assert.deepEqual(settings, { queueSize: 10 });
		assert.equal(problems.length, 4, problems.join('\n'));
		assert.match(problems[0], /maxBrowsers = 99: above the maximum 16/);
		assert.match(problems.join('\n'), /accuracyMode = "yes": not true or false/);
		assert.match(problems.join('\n'), /runsPerUrl = 2.5: not a whole number/);
		assert.match(problems.join('\n'), /cacheTtlMinutes = 600000: above the maximum 525600/);
	});

	it('reads form factors, dev server and audit on save with safe fallbacks', () => {
		const c = new Config(
			source({
				formFactors: ['desktop', 'tablet', 'desktop'],
				devServerUrl: ' http://localhost:5173 ',
				auditOnSave: true,
			}),
		);
		assert.deepEqual(c.formFactors, ['desktop']);
		assert.equal(c.devServerUrl, 'http://localhost:5173');
		assert.equal(c.auditOnSave, true);
		const d = new Config(source({}));
		assert.deepEqual(d.formFactors, ['mobile', 'desktop']);
		assert.equal(d.devServerUrl, 'http://localhost:3000');
		assert.equal(d.auditOnSave, false);
		assert.equal(d.chromePath, undefined);
		assert.equal(d.auditOnSaveDelayMs, 500);
		assert.equal(new Config(source({ auditOnSaveDelayMs: -1, recentUrlCount: 51 })).recentUrlCount, 10);
		assert.equal(new Config(source({ auditOnSaveDelayMs: 250 })).auditOnSaveDelayMs, 250);
	});

	it('reads the Problems panel settings: on by default, mappings kept entry by entry', () => {
		assert.equal(new Config(source({})).diagnosticsEnabled, true);
		assert.equal(new Config(source({ 'diagnostics.enabled': false })).diagnosticsEnabled, false);
		assert.equal(
			new Config(source({ 'diagnostics.enabled': 'no' })).diagnosticsEnabled,
			true,
			'not a boolean: the default',
		);
		assert.deepEqual(new Config(source({})).locateMappings(), []);
		const problems: string[] = [];
		const mappings = new Config(
			source({
				'locate.mappings': [
					{ urlPath: '/static/', dir: ' assets ' },
					{ urlPath: 'static', dir: 'x' },
					{ dir: 'y' },
					{ urlPath: '/', dir: '/abs/site' },
				],
			}),
		).locateMappings(problems);
		assert.deepEqual(mappings, [
			{ urlPath: '/static/', dir: 'assets' },
			{ urlPath: '/', dir: '/abs/site' },
		]);
		assert.equal(problems.length, 2, problems.join('\n'));
		assert.match(problems[0], /"urlPath":"static".*left out/);
		const notAList: string[] = [];
		assert.deepEqual(new Config(source({ 'locate.mappings': { urlPath: '/' } })).locateMappings(notAList), []);
		assert.match(notAList[0], /not a list/);
	});

	it('never logs an API key', () => {
		const shown = JSON.stringify(redactSettings({ anthropicApiKey: 'sk-ant-secret', maxBrowsers: 2 }));
		assert.doesNotMatch(shown, /secret/);
		assert.match(shown, /<set>/);
	});

	it('contributes every command the extension registers', () => {
		const declared = new Set(pkg.contributes.commands.map((c) => c.command));
		const src = fs.readFileSync(path.join(path.dirname(findPackageJson()), 'src', 'extension', 'commands.ts'), 'utf8');
		const registered = [...src.matchAll(/^\t'(auditlens\.[\w.]+)':/gm)].map((m) => m[1]);
		assert.ok(registered.length >= 10);
		for (const id of registered) assert.ok(declared.has(id), `${id} is not in contributes.commands`);
	});
});
