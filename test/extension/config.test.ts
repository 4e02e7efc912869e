import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Config, ENGINE_SETTING_KEYS, redactSettings, type SettingSchema } from '../../src/extension/config';
import { DEFAULT_SETTINGS, settingsPatchSchema } from '../../src/engine/settings';

function findPackageJson(): string {
	for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const p = path.join(dir, 'package.json');
		if (fs.existsSync(p) && JSON.parse(fs.readFileSync(p, 'utf8')).name === 'auditlens') return p;
	}
	throw new Error('package.json not found');
}
const pkg = JSON.parse(fs.readFileSync(findPackageJson(), 'utf8')) as {
	contributes: { configuration: { properties: Record<string, SettingSchema & { default: unknown; markdownDescription?: string; description?: string }> }; commands: { command: string }[] };
};
const props = pkg.contributes.configuration.properties;

const source = (values: Record<string, unknown>) => ({ get: <T>(k: string) => values[k] as T | undefined });
const accepts = (key: string, value: unknown) => settingsPatchSchema.safeParse({ [key]: value }).success;

describe('Settings (contributes.configuration)', () => {
	it('has a description for every setting', () => {
		for (const [key, p] of Object.entries(props)) assert.ok(p.markdownDescription || p.description, `${key} has no description`);
	});

	it('mirrors every engine limit with the engine default', () => {
		for (const key of ENGINE_SETTING_KEYS) {
			const p = props[`auditlens.${key}`];
			assert.ok(p, `auditlens.${key} is missing`);
			assert.deepEqual(p.default, DEFAULT_SETTINGS[key], `default of auditlens.${key}`);
		}
		assert.equal(props['auditlens.cacheTtlMinutes'].default, DEFAULT_SETTINGS.cacheTtlMs / 60_000);
		for (const key of ['chromePath', 'formFactors', 'devServerUrl', 'auditOnSave']) assert.ok(props[`auditlens.${key}`], key);
	});

	it('has the same bounds as the engine schema', () => {
		for (const key of ENGINE_SETTING_KEYS) {
			const p = props[`auditlens.${key}`];
			if (p.type !== 'integer') continue;
			assert.ok(p.minimum !== undefined && p.maximum !== undefined, `auditlens.${key} has bounds`);
			assert.ok(accepts(key, p.minimum) && accepts(key, p.maximum), `engine accepts the bounds of ${key}`);
			assert.ok(!accepts(key, p.minimum - 1) && !accepts(key, p.maximum + 1), `engine rejects values past the bounds of ${key}`);
		}
		const ttl = props['auditlens.cacheTtlMinutes'];
		assert.ok(accepts('cacheTtlMs', (ttl.maximum ?? 0) * 60_000) && !accepts('cacheTtlMs', ((ttl.maximum ?? 0) + 1) * 60_000));
	});

	it('produces engine settings the engine schema accepts, in the engine units', () => {
		const values: Record<string, unknown> = {};
		for (const [key, p] of Object.entries(props)) values[key.replace(/^auditlens\./, '')] = p.default;
		values.chromePath = ' /usr/bin/chromium ';
		const settings = new Config(source(values), props).engineSettings();
		assert.equal(settingsPatchSchema.safeParse(settings).success, true, JSON.stringify(settingsPatchSchema.safeParse(settings).error));
		assert.equal(settings.cacheTtlMs, DEFAULT_SETTINGS.cacheTtlMs);
		assert.equal(settings.chromePath, '/usr/bin/chromium');
	});

	it('leaves out values past their bounds and says which', () => {
		const problems: string[] = [];
		const settings = new Config(source({ maxBrowsers: 99, queueSize: 10, accuracyMode: 'yes' }), props).engineSettings(problems);
		assert.deepEqual(settings, { queueSize: 10 });
		assert.equal(problems.length, 2);
		assert.match(problems[0], /maxBrowsers = 99: above the maximum 16/);
	});

	it('reads form factors, dev server and audit on save with safe fallbacks', () => {
		const c = new Config(source({ formFactors: ['desktop', 'tablet', 'desktop'], devServerUrl: ' http://localhost:5173 ', auditOnSave: true }));
		assert.deepEqual(c.formFactors, ['desktop']);
		assert.equal(c.devServerUrl, 'http://localhost:5173');
		assert.equal(c.auditOnSave, true);
		const d = new Config(source({}));
		assert.deepEqual(d.formFactors, ['mobile', 'desktop']);
		assert.equal(d.devServerUrl, 'http://localhost:3000');
		assert.equal(d.auditOnSave, false);
		assert.equal(d.chromePath, undefined);
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
