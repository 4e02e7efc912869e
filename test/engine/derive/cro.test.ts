import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { CaptureData, CroFinding } from '../../../src/protocol';
import { CaptureBrowser } from '../../../src/engine/capture/captureBrowser';
import { createLogger } from '../../../src/engine/log';
import { DEFAULT_SETTINGS } from '../../../src/engine/settings';
import { createCaptureStage } from '../../../src/engine/gather/capture';
import { deriveCro } from '../../../src/engine/derive/cro';
import { startFixtureServer, type FixtureServer } from '../../helpers/fixtureServer';
import { StageHarness } from '../../helpers/stageHarness';

/** Each defect page and the rule (and worst severity at least) it must raise. */
const DEFECTS: { page: string; rule: string; severity: 'high' | 'medium' }[] = [
	{ page: 'no-cta-above-fold.html', rule: 'cta-above-fold', severity: 'high' },
	{ page: 'weak-cta.html', rule: 'weak-cta-text', severity: 'medium' },
	{ page: 'long-form.html', rule: 'long-form', severity: 'high' },
	{ page: 'unlabeled-inputs.html', rule: 'unlabeled-inputs', severity: 'medium' },
	{ page: 'low-contrast-cta.html', rule: 'low-contrast-cta', severity: 'high' },
	{ page: 'no-meta-description.html', rule: 'meta-description', severity: 'medium' },
	{ page: 'no-value-prop.html', rule: 'h1-value-prop', severity: 'medium' },
	{ page: 'competing-ctas.html', rule: 'competing-ctas', severity: 'medium' },
	{ page: 'no-trust-signals.html', rule: 'trust-near-cta', severity: 'medium' },
];

const RANK = { high: 0, medium: 1, low: 2 } as const;
const serious = (findings: CroFinding[]) => findings.filter((f) => f.severity !== 'low');

describe('CRO rules on real captures of fixture pages', function () {
	this.timeout(60_000);
	let server: FixtureServer;
	let browser: CaptureBrowser;
	const results = new Map<string, { capture: CaptureData; findings: CroFinding[] }>();

	before(async () => {
		server = await startFixtureServer();
		browser = new CaptureBrowser({ ...DEFAULT_SETTINGS, maxCaptureContexts: 2 }, createLogger('error'));
	});
	after(async () => {
		await browser.close();
		await server.close();
	});

	async function audit(page: string) {
		const cached = results.get(page);
		if (cached) return cached;
		const ctx = new StageHarness({ url: server.url(`/cro/${page}`), logLevel: 'error' });
		const capture = await ctx.runStage(createCaptureStage(browser));
		assert.equal(capture.status, 'ok', JSON.stringify(capture));
		const cro = deriveCro(ctx.options, { capture });
		assert.equal(cro?.status, 'ok', JSON.stringify(cro));
		if (capture.status !== 'ok' || cro?.status !== 'ok') throw new Error('unreachable');
		const out = { capture: capture.data, findings: cro.data.findings };
		results.set(page, out);
		if (process.env.CRO_DUMP)
			fs.writeFileSync(path.join(process.env.CRO_DUMP, page.replace('.html', '.json')), JSON.stringify(out, null, 1));
		return out;
	}

	it('the good landing page raises no high or medium finding', async () => {
		const { findings } = await audit('good.html');
		assert.deepEqual(serious(findings), [], JSON.stringify(findings, null, 1));
	});

	for (const { page, rule, severity } of DEFECTS) {
		it(`${page} raises ${rule} (${severity} or worse)`, async () => {
			const { findings } = await audit(page);
			const hit = findings.filter((f) => f.rule === rule);
			assert.ok(
				hit.length > 0,
				`expected ${rule}, got ${JSON.stringify(findings.map((f) => `${f.rule}/${f.severity}`))}`,
			);
			assert.ok(
				hit.some((f) => RANK[f.severity] <= RANK[severity]),
				`expected ${rule} at ${severity} or worse, got ${hit.map((f) => f.severity).join(',')}`,
			);
			for (const f of hit) {
				assert.ok(f.why.length > 20 && f.fix.length > 20, 'each finding says why it matters and what to do');
			}
		});
	}

	it('each defect page raises no unrelated high or medium finding', async () => {
		const extra: string[] = [];
		for (const { page, rule } of DEFECTS) {
			const { findings } = await audit(page);
			for (const f of serious(findings)) if (f.rule !== rule) extra.push(`${page}: ${f.rule}/${f.severity} ${f.title}`);
		}
		assert.deepEqual(extra, []);
	});

	it('reports a missing above-the-fold CTA separately for mobile and desktop', async () => {
		const { findings } = await audit('no-cta-above-fold.html');
		assert.deepEqual(
			findings
				.filter((f) => f.rule === 'cta-above-fold')
				.map((f) => f.formFactor)
				.sort(),
			['desktop', 'mobile'],
		);
	});

	it('finds the planted CTA on the good page above the fold on mobile and desktop', async () => {
		const { capture } = await audit('good.html');
		for (const ff of ['mobile', 'desktop'] as const) {
			const facts = capture.facts[ff];
			assert.ok(facts);
			const hero = facts.ctas.find((c) => c.text === 'Start free trial' && c.region === 'main');
			assert.ok(hero, `${ff}: hero CTA found`);
			assert.equal(hero.aboveFold, true);
			assert.equal(hero.buttonLike, true);
			assert.ok((hero.contrast ?? 0) > 4.5);
		}
	});
});
