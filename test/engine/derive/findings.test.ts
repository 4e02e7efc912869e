import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createEngine } from '../../../src/engine/createEngine';
import { type ImageSizeOf, pageFindings } from '../../../src/engine/derive/findings';
import type { AuditResult, CroFinding, FormFactor, PageFinding } from '../../../src/protocol';
import { FIXTURE_PAGES, type FixtureServer, startFixtureServer } from '../../helpers/fixtureServer';
import { recordingLogger } from '../../helpers/sampleResult';

const LHR_DIR = path.join(FIXTURE_PAGES, '..', 'lhr');
const WORKSPACE = path.join(FIXTURE_PAGES, '..', 'workspaces', 'static-site');
const APP_JS = fs.readFileSync(path.join(FIXTURE_PAGES, 'findings', 'app.js'), 'utf8').split('\n');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const readLhr = (file: string): Json => {
	const raw = fs.readFileSync(path.join(LHR_DIR, file));
	return JSON.parse((file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8')) as Json;
};
/** Real Lighthouse 12.8.2 reports of a small landing page (history fixtures). */
const lh12Landing = () => ({ mobile: readLhr('lhr-mobile.json.gz'), desktop: readLhr('lhr-desktop.json.gz') });
/** Real Lighthouse reports of test/fixtures/pages/findings/ (generateFindings.mjs). */
const findingsPage = (major: 'lh12' | 'lh13') => ({
	mobile: readLhr(`findings-${major}-mobile.json`),
	desktop: readLhr(`findings-${major}-desktop.json`),
});

/** A stored result as far as findings read it: its form factors and its CRO stage. */
function resultOf(formFactors: FormFactor[], cro: CroFinding[] = []): AuditResult {
	const stages: AuditResult['stages'] = cro.length
		? { cro: { status: 'ok', startedAt: '', durationMs: 0, data: { findings: cro } } }
		: {};
	return { options: { formFactors }, stages } as unknown as AuditResult;
}

const noSizes: ImageSizeOf = async () => undefined;
const both = (lhrs: Partial<Record<FormFactor, unknown>>, imageSize: ImageSizeOf = noSizes) =>
	pageFindings(resultOf(['mobile', 'desktop']), lhrs, imageSize);
const ofRule = (findings: PageFinding[], rule: string) =>
	findings.filter((f) => f.rule === rule && f.source === 'lighthouse');
const lineOf = (lines: string[], text: string) => lines.findIndex((l) => l.includes(text)) + 1;

/**
 * A Lighthouse 12 report with just these audits (their shapes as Lighthouse's audits make them), all shown in one
 * category.
 */
function reportWith(audits: Json[]): Json {
	return {
		lighthouseVersion: '12.8.2',
		finalDisplayedUrl: 'https://shop.example/',
		categories: { performance: { score: 0.5, auditRefs: audits.map((a) => ({ id: a.id, weight: 1 })) } },
		audits: Object.fromEntries(audits.map((a) => [a.id, a])),
	};
}

describe('page findings from stored Lighthouse reports', function () {
	it('gives one element finding per node of a failing accessibility audit, with the snippet, the fix and the documentation', async () => {
		const lhrs = lh12Landing();
		const findings = await both(lhrs);
		const nodes = (lhrs.mobile.audits['image-alt'].details.items as Json[]).map((i) => i.node.snippet as string);
		const alt = ofRule(findings, 'image-alt');
		assert.equal(alt.length, nodes.length);
		assert.deepEqual(alt.map((f) => (f.target.kind === 'element' ? f.target.snippet : '')).sort(), [...nodes].sort());
		for (const f of alt) {
			assert.deepEqual(f.fix, { kind: 'add-alt' });
			assert.equal(f.helpUrl, 'https://dequeuniversity.com/rules/axe/4.10/image-alt');
			assert.equal(f.message, 'Element does not have an alt attribute');
		}
	});

	it("takes the severity from axe's impact: critical and serious are errors, moderate a warning", async () => {
		const findings = await both(lh12Landing());
		assert.equal(ofRule(findings, 'image-alt')[0]?.severity, 'error', 'critical');
		assert.equal(ofRule(findings, 'color-contrast')[0]?.severity, 'error', 'serious');
		assert.equal(ofRule(findings, 'heading-order')[0]?.severity, 'warning', 'moderate');
		const ranks = findings.map((f) => ['error', 'warning', 'info'].indexOf(f.severity));
		assert.deepEqual(ranks, [...ranks].sort(), 'errors first, then warnings, then information');
	});

	it('says the measured contrast against the required one', async () => {
		const lhrs = lh12Landing();
		const explanation = lhrs.mobile.audits['color-contrast'].details.items[0].node.explanation as string;
		const ratio = explanation.match(/contrast of ([\d.]+)/)?.[1];
		const [finding] = ofRule(await both(lhrs), 'color-contrast');
		assert.ok(ratio);
		assert.match(
			finding?.message ?? '',
			new RegExp(`^Contrast ${ratio.replace('.', '\\.')}:1 \\(needs 4\\.5:1; #[0-9a-f]+ on #[0-9a-f]+\\)$`),
		);
	});

	it('gives a finding in both form factors once without a form factor, and one in a single run with it', async () => {
		const findings = await both(findingsPage('lh13'));
		const [discovery] = ofRule(findings, 'lcp-discovery-insight');
		assert.equal(discovery?.formFactor, undefined, 'both runs name the same LCP image');
		const [lcpElement] = ofRule(findings, 'lcp-breakdown-insight');
		assert.equal(lcpElement?.formFactor, 'mobile', 'the LCP fails on mobile only');
		const mobileOnly = await pageFindings(resultOf(['mobile']), { mobile: findingsPage('lh13').mobile }, noSizes);
		assert.equal(ofRule(mobileOnly, 'lcp-breakdown-insight')[0]?.formFactor, undefined, 'the only form factor audited');
	});

	for (const major of ['lh13', 'lh12'] as const) {
		it(`puts console errors and deprecations on their script line and column, 1-based (${major})`, async () => {
			const findings = await both(findingsPage(major));
			const script = (rule: string, message: RegExp) => {
				const f = ofRule(findings, rule).find((x) => message.test(x.message));
				assert.ok(f, `${rule} ${message}`);
				assert.equal(f.target.kind, 'script');
				return f.target as Extract<PageFinding['target'], { kind: 'script' }>;
			};
			const logged = script('errors-in-console', /^checkout widget failed to load$/);
			assert.match(logged.url, /\/findings\/app\.js$/);
			assert.equal(logged.line, lineOf(APP_JS, "console.error('checkout"));
			assert.equal(logged.column, APP_JS[logged.line - 1].indexOf('error(') + 1, 'the column of the call');
			assert.equal(script('errors-in-console', /^Error: app\.js exploded$/).line, lineOf(APP_JS, 'throw new Error'));
			assert.equal(
				script('deprecations', /Unload event listeners are deprecated/).line,
				lineOf(APP_JS, "addEventListener('unload'"),
			);
		});

		it(`names the LCP element with the LCP against Lighthouse's threshold when the LCP fails (${major})`, async () => {
			const lhrs = findingsPage(major);
			const rule = major === 'lh13' ? 'lcp-breakdown-insight' : 'largest-contentful-paint-element';
			const [f] = ofRule(await both(lhrs), rule);
			const lcp = lhrs.mobile.audits['largest-contentful-paint'] as Json;
			assert.ok(f?.target.kind === 'element' && f.target.snippet?.startsWith('<img class="hero"'), JSON.stringify(f));
			assert.equal(
				f.message,
				`LCP ${(lcp.numericValue / 1000).toFixed(1)} s (good ≤ ${(lcp.scoringOptions.p10 / 1000).toFixed(1)} s)`,
			);
			assert.equal(f.formFactor, 'mobile');
		});

		it(`gives the layout-shift culprits: the shifted element and the unsized image that moved it (${major})`, async () => {
			const rule = major === 'lh13' ? 'cls-culprits-insight' : 'layout-shifts';
			const shifts = ofRule(await both(findingsPage(major)), rule);
			const shifted = shifts.find(
				(f) => f.target.kind === 'element' && f.target.selector === 'body > main > p.shifted',
			);
			assert.match(shifted?.message ?? '', /^(mobile: )?Layout shift 0\.\d{3} \(CLS 0\.\d{3}, good ≤ 0\.1\)/);
			const culprit = shifts.find((f) => f.target.kind === 'element' && f.target.selector === 'body > main > img.hero');
			assert.match(culprit?.message ?? '', /(Unsized image|lacking an explicit size).*\(layout shift 0\.\d{3}\)/);
			if (major === 'lh13')
				assert.equal(
					ofRule(await both(findingsPage(major)), 'layout-shifts').length,
					0,
					'13.x hides layout-shifts behind the insight',
				);
		});
	}

	it('offers fetchpriority=high on the LCP image the discovery insight says lacks it', async () => {
		const [f] = ofRule(await both(findingsPage('lh13')), 'lcp-discovery-insight');
		assert.deepEqual(f?.fix, { kind: 'fetchpriority-high' });
		assert.match(
			f?.message ?? '',
			/^mobile: LCP element: fetchpriority=high should be applied; LCP \d\.\d s \(good ≤ 2\.5 s\) · desktop: /,
		);
	});

	it("offers add-size with the image's intrinsic size for an unsized image, and no fix when it cannot be read", async () => {
		const asked: string[] = [];
		const sized = await both(findingsPage('lh13'), async (url) => (asked.push(url), { width: 500, height: 400 }));
		const [f] = ofRule(sized, 'unsized-images');
		assert.deepEqual(f?.fix, { kind: 'add-size', width: 500, height: 400 });
		assert.equal(f?.message, 'Image has no explicit width and height (intrinsic size 500×400)');
		assert.deepEqual(asked, ['http://127.0.0.1:4173/noise.png?w=500&h=400'], 'each image read once, for both runs');
		const [unsized] = ofRule(await both(findingsPage('lh13')), 'unsized-images');
		assert.equal(unsized?.fix, undefined);
	});

	it('gives a page finding for a failing audit that names no place', async () => {
		const findings = await both(findingsPage('lh13'));
		const [bfCache] = ofRule(findings, 'bf-cache');
		assert.deepEqual(
			[bfCache?.target, bfCache?.message],
			[{ kind: 'page' }, 'The page has an unload handler in the main frame.'],
		);
		const [lcp] = ofRule(findings, 'largest-contentful-paint');
		assert.match(lcp?.message ?? '', /^Largest Contentful Paint \d\.\d s \(good ≤ 2\.5 s\)$/);
	});

	it('reads script positions Lighthouse source-mapped, unused JavaScript, preconnect origins, labels, offscreen images and meta descriptions', async () => {
		const lhr = reportWith([
			{
				id: 'errors-in-console',
				title: 'Browser errors were logged to the console',
				description:
					'Errors logged to the console indicate unresolved problems. [Learn more about this errors in console diagnostic audit](https://developer.chrome.com/docs/lighthouse/best-practices/errors-in-console/)',
				score: 0,
				scoreDisplayMode: 'binary',
				details: {
					type: 'table',
					items: [
						{
							source: 'exception',
							description: 'TypeError: cart is undefined\n    at checkout (https://shop.example/app.min.js:1:277)',
							sourceLocation: {
								type: 'source-location',
								url: 'https://shop.example/app.min.js',
								urlProvider: 'network',
								line: 0,
								column: 276,
								original: { file: 'src/checkout.ts', line: 41, column: 9 },
							},
						},
						{
							source: 'network',
							description: 'Failed to load resource: the server responded with a status of 404 (Not Found)',
							sourceLocation: {
								type: 'source-location',
								url: 'https://shop.example/favicon.ico',
								urlProvider: 'network',
								line: 0,
								column: 0,
							},
						},
					],
				},
			},
			{
				id: 'unused-javascript',
				title: 'Reduce unused JavaScript',
				score: 0.5,
				scoreDisplayMode: 'metricSavings',
				metricSavings: { FCP: 0, LCP: 300 },
				details: {
					type: 'opportunity',
					items: [
						{ url: 'https://shop.example/vendor.js', totalBytes: 184320, wastedBytes: 120832, wastedPercent: 65.6 },
					],
				},
			},
			{
				id: 'uses-rel-preconnect',
				title: 'Preconnect to required origins',
				score: 0,
				scoreDisplayMode: 'metricSavings',
				details: { type: 'opportunity', items: [{ url: 'https://fonts.example', wastedMs: 310 }] },
			},
			{
				id: 'label',
				title: 'Form elements do not have associated labels',
				score: 0,
				scoreDisplayMode: 'binary',
				details: {
					type: 'table',
					items: [
						{
							node: {
								type: 'node',
								selector: 'form > input',
								snippet: '<input type="text" name="full name">',
								nodeLabel: 'form > input',
								explanation: 'Fix any of the following:\n  Form element does not have an implicit (wrapped) <label>',
							},
						},
						{
							node: {
								type: 'node',
								selector: '#zip',
								snippet: '<input id="zip">',
								explanation: 'Fix any of the following:\n  Form element does not have an explicit <label>',
							},
						},
					],
					debugData: { type: 'debugdata', impact: 'critical' },
				},
			},
			{
				id: 'offscreen-images',
				title: 'Defer offscreen images',
				score: 0.5,
				scoreDisplayMode: 'metricSavings',
				details: {
					type: 'opportunity',
					items: [
						{
							node: { type: 'node', selector: 'footer > img', snippet: '<img src="/team.jpg">' },
							url: 'https://shop.example/team.jpg',
							totalBytes: 90000,
							wastedBytes: 90000,
						},
					],
				},
			},
			{
				id: 'meta-description',
				title: 'Document does not have a meta description',
				description: 'See [the guide](http://insecure.example/meta).',
				score: 0,
				scoreDisplayMode: 'binary',
			},
		]);
		const findings = await pageFindings(resultOf(['mobile']), { mobile: lhr }, noSizes);
		const [error, notFound] = ofRule(findings, 'errors-in-console');
		assert.deepEqual(
			notFound?.target,
			{ kind: 'resource', url: 'https://shop.example/favicon.ico' },
			'a failed request is about its resource',
		);
		assert.deepEqual(error?.target, {
			kind: 'script',
			url: 'https://shop.example/app.min.js',
			line: 1,
			column: 277,
			original: { file: 'src/checkout.ts', line: 42, column: 10 },
		});
		assert.equal(error?.message, 'TypeError: cart is undefined', 'the first line, without the stack');
		assert.equal(error?.helpUrl, 'https://developer.chrome.com/docs/lighthouse/best-practices/errors-in-console/');
		const [unused] = ofRule(findings, 'unused-javascript');
		assert.deepEqual(
			[unused?.target, unused?.message, unused?.severity],
			[{ kind: 'resource', url: 'https://shop.example/vendor.js' }, '118 KiB of 180 KiB unused', 'warning'],
		);
		const [preconnect] = ofRule(findings, 'uses-rel-preconnect');
		assert.deepEqual(
			[preconnect?.target, preconnect?.fix],
			[
				{ kind: 'resource', url: 'https://fonts.example' },
				{ kind: 'preconnect', origin: 'https://fonts.example' },
			],
		);
		assert.deepEqual(
			ofRule(findings, 'label').map((f) => f.fix),
			[
				{ kind: 'label-for', inputId: 'full-name' },
				{ kind: 'label-for', inputId: 'zip' },
			],
		);
		assert.deepEqual(ofRule(findings, 'offscreen-images')[0]?.fix, { kind: 'lazy-load' });
		const [meta] = ofRule(findings, 'meta-description');
		assert.deepEqual(
			[meta?.target, meta?.fix, meta?.helpUrl],
			[{ kind: 'page' }, { kind: 'add-meta-description' }, undefined],
			'an http link is no help URL',
		);
	});

	it('gives CRO findings on their element when they name one, as advice: high is a warning, the rest information', async () => {
		const cro: CroFinding[] = [
			{
				rule: 'low-contrast-cta',
				severity: 'high',
				title: 'Low-contrast call to action "Buy" (2.1:1)',
				element: { selector: 'main > a.buy', text: 'Buy' },
				why: '…',
				fix: 'Raise the contrast.',
			},
			{
				rule: 'unlabeled-inputs',
				severity: 'medium',
				formFactor: 'mobile',
				title: '1 form field without a label',
				element: { selector: 'form > input', text: 'email' },
				why: '…',
				fix: 'Label it.',
			},
			{ rule: 'meta-description', severity: 'medium', title: 'No meta description', why: '…', fix: 'Add one.' },
		];
		const findings = await pageFindings(resultOf(['mobile', 'desktop'], cro), {}, noSizes);
		const byRule = Object.fromEntries(findings.map((f) => [f.rule, f]));
		assert.deepEqual(byRule['low-contrast-cta'], {
			rule: 'low-contrast-cta',
			source: 'cro',
			title: 'Low-contrast call to action "Buy" (2.1:1)',
			message: 'Low-contrast call to action "Buy" (2.1:1): Raise the contrast.',
			severity: 'warning',
			target: { kind: 'element', selector: 'main > a.buy', nodeLabel: 'Buy' },
		});
		assert.deepEqual(
			[byRule['unlabeled-inputs']?.severity, byRule['unlabeled-inputs']?.formFactor, byRule['unlabeled-inputs']?.fix],
			['info', 'mobile', { kind: 'label-for', inputId: 'email' }],
		);
		assert.deepEqual(
			[byRule['meta-description']?.target, byRule['meta-description']?.fix],
			[{ kind: 'page' }, { kind: 'add-meta-description' }],
		);
	});
});

describe('page findings of a real audit of the static-site workspace (real Chromium and Lighthouse)', function () {
	let server: FixtureServer;
	let dir: string;
	before(async () => {
		server = await startFixtureServer({ root: '../workspaces/static-site' });
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-findings-'));
	});
	after(async () => {
		await server?.close();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	/** The line of each planted defect: `<!-- defect: <audit ids> -->` after the element. */
	function defects(file: string): { rules: string[]; element: string }[] {
		return fs
			.readFileSync(path.join(WORKSPACE, file), 'utf8')
			.split('\n')
			.flatMap((line) => {
				const m = line.match(/^\s*(<[^>]*>)[^<]*(?:<\/\w+>)?\s*<!-- defect: ([^>]*?) -->/);
				return m ? [{ element: m[1], rules: m[2].trim().split(/\s+/) }] : [];
			});
	}
	/** The tag and the attributes of an element as Lighthouse's snippet shows them (no self-closing slash). */
	const snippetOf = (element: string) => element.replace(/\s*\/>$/, '>');

	it('finds every planted defect on its element, with its quick fix', async () => {
		const engine = await createEngine({ db: path.join(dir, 'history.sqlite'), log: recordingLogger() });
		try {
			const auditFindings = async (p: string) => {
				const result = await engine.audit({ url: server.url(p), options: { stages: { ai: false, crux: false } } });
				assert.equal(result.status, 'ok', JSON.stringify(result.stageErrors));
				const lhrs: Partial<Record<FormFactor, unknown>> = {};
				for (const ff of result.options.formFactors)
					lhrs[ff] = JSON.parse(await engine.getReport({ id: result.id, formFactor: ff, format: 'json' }));
				return pageFindings(result, lhrs);
			};
			const index = await auditFindings('/');
			const about = await auditFindings('/about.html');
			const on = (findings: PageFinding[], rule: string, element: string) =>
				findings.find(
					(f) =>
						f.rule === rule &&
						f.target.kind === 'element' &&
						(f.target.snippet === snippetOf(element) ||
							(f.source === 'cro' && element.includes(`name="${f.target.nodeLabel}"`))),
				);

			const planted = defects('index.html');
			assert.deepEqual(planted.flatMap((d) => d.rules).sort(), [
				'html-has-lang',
				'image-alt',
				'label',
				'link-name',
				'unsized-images',
			]);
			for (const { rules, element } of planted) {
				for (const rule of rules) {
					// axe accepts a placeholder as a field's name, so Lighthouse's `label` passes: the CRO rule finds the field.
					const f = on(index, rule, element) ?? (rule === 'label' ? on(index, 'unlabeled-inputs', element) : undefined);
					assert.ok(f, `${rule} on ${element}: ${JSON.stringify(index.map((x) => [x.rule, x.target]))}`);
					assert.equal(f.formFactor, undefined, `${rule} holds on mobile and desktop`);
					if (rule === 'image-alt') assert.deepEqual(f.fix, { kind: 'add-alt' });
					if (rule === 'unsized-images') assert.deepEqual(f.fix, { kind: 'add-size', width: 640, height: 360 });
					if (rule === 'html-has-lang') assert.deepEqual(f.fix, { kind: 'add-lang', lang: 'en' });
					if (rule === 'label')
						assert.deepEqual(f.fix, { kind: 'label-for', inputId: element.match(/name="([^"]+)"/)?.[1] });
				}
			}
			const meta = index.find((f) => f.rule === 'meta-description' && f.source === 'lighthouse');
			assert.deepEqual([meta?.target, meta?.fix], [{ kind: 'page' }, { kind: 'add-meta-description' }]);
			assert.match(meta?.helpUrl ?? '', /^https:\/\//);

			const [contrast] = defects('about.html');
			assert.deepEqual(contrast?.rules, ['color-contrast']);
			const f = on(about, 'color-contrast', contrast.element);
			assert.match(f?.message ?? '', /^Contrast \d+(\.\d+)?:1 \(needs 4\.5:1; #aaaaaa on #bbbbbb\)$/);
			assert.equal(f?.severity, 'error');
		} finally {
			await engine.close();
		}
	});
});
