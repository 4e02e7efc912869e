import assert from 'node:assert/strict';
import type { CtaFact, DomFacts, LighthouseRun } from '../../../src/protocol';
import { croFindings, domFindings, metricFindings, primaryCta } from '../../../src/engine/derive/croRules';

/** A saved DomFacts of a healthy desktop landing page; tests change one thing each. */
function goodFacts(over: Partial<DomFacts> = {}): DomFacts {
	const cta = (text: string, y: number, extra: Partial<CtaFact> = {}): CtaFact => ({
		selector: `#cta-${text.replace(/\W+/g, '-').toLowerCase()}`,
		text,
		tag: 'a',
		href: 'https://example.com/#signup',
		box: { x: 24, y, width: 180, height: 48 },
		aboveFold: y < 1080,
		contrast: 6.4,
		largeText: false,
		buttonLike: true,
		region: 'main',
		inForm: false,
		...extra,
	});
	return {
		url: 'https://example.com/',
		viewport: { width: 1920, height: 1080 },
		title: 'Lensly — landing page audits',
		metaDescription:
			'Lensly audits your landing pages for speed, accessibility and conversion, and tells you what to fix first.',
		headings: [
			{ level: 1, text: 'Audit every landing page in seconds', selector: '#hero > h1' },
			{ level: 2, text: 'Pricing', selector: '#pricing > h2' },
		],
		ctas: [
			cta('Start free trial', 350),
			cta('Watch the demo', 350, { box: { x: 220, y: 350, width: 200, height: 48 } }),
			cta('Create my account', 1800, { inForm: true, tag: 'button' }),
		],
		forms: [
			{
				selector: '#signup > form',
				fieldCount: 2,
				requiredCount: 1,
				unlabeled: [],
				submitText: 'Create my account',
				aboveFold: false,
				box: { x: 24, y: 1600, width: 400, height: 250 },
			},
		],
		sections: [{ name: 'hero', selector: '#hero', box: { x: 0, y: 80, width: 1920, height: 600 } }],
		trustSignals: [
			{ kind: 'rating', text: '★★★★★ 4.8/5', selector: '#hero > p', box: { x: 24, y: 420, width: 600, height: 24 } },
		],
		socialProofNumbers: ['1,200 reviews'],
		pricing: ['$19/month'],
		contact: [{ kind: 'email', text: 'hello@example.com' }],
		firstScreen: { wordCount: 80, readingGrade: 8 },
		imagesWithoutAlt: [],
		pageWeightBytes: 300_000,
		documentHeight: 2200,
		...over,
	};
}

const rules = (f: DomFacts) => domFindings({ desktop: f }).map((x) => `${x.rule}/${x.severity}`);

describe('CRO rules (pure, on saved DomFacts)', () => {
	it('raise nothing high or medium on a healthy page', () => {
		assert.deepEqual(
			domFindings({ desktop: goodFacts(), mobile: goodFacts({ viewport: { width: 412, height: 839 } }) }).filter(
				(f) => f.severity !== 'low',
			),
			[],
		);
	});

	it('pick the first main-content button as the primary CTA', () => {
		assert.equal(primaryCta(goodFacts())?.text, 'Start free trial');
	});

	it('flag no primary CTA above the fold, per form factor', () => {
		const below = goodFacts();
		below.ctas = below.ctas.map((c) => ({ ...c, aboveFold: false, box: { ...c.box, y: 1500 } }));
		const findings = domFindings({ mobile: below, desktop: goodFacts() });
		const hit = findings.filter((f) => f.rule === 'cta-above-fold');
		assert.equal(hit.length, 1);
		assert.equal(hit[0].formFactor, 'mobile');
		assert.equal(hit[0].severity, 'high');
	});

	it('flag a page with no call to action at all', () => {
		assert.ok(rules(goodFacts({ ctas: [] })).includes('cta-above-fold/high'));
	});

	it('do not count nav links or a header-only plain link as the primary CTA', () => {
		const f = goodFacts();
		f.ctas = [{ ...f.ctas[0], region: 'nav' }];
		assert.ok(rules(f).includes('cta-above-fold/high'));
	});

	it('flag competing CTAs in the first screen', () => {
		const f = goodFacts();
		f.ctas.push(
			{ ...f.ctas[0], selector: '#a', text: 'Book a demo' },
			{ ...f.ctas[0], selector: '#b', text: 'Download the app' },
		);
		assert.ok(rules(f).includes('competing-ctas/medium'));
	});

	it('flag weak CTA text such as "Click here"', () => {
		const f = goodFacts();
		f.ctas[0] = { ...f.ctas[0], text: 'Click here' };
		const hit = domFindings({ desktop: f }).find((x) => x.rule === 'weak-cta-text');
		assert.equal(hit?.severity, 'medium');
		assert.equal(hit?.element?.text, 'Click here');
	});

	it('flag long forms: medium above 6 fields, high above 10', () => {
		const f = (n: number) => goodFacts({ forms: [{ ...goodFacts().forms[0], fieldCount: n, requiredCount: n }] });
		assert.ok(!rules(f(6)).some((r) => r.startsWith('long-form')));
		assert.ok(rules(f(8)).includes('long-form/medium'));
		assert.ok(rules(f(12)).includes('long-form/high'));
	});

	it('flag unlabeled inputs and name the fields', () => {
		const f = goodFacts({
			forms: [{ ...goodFacts().forms[0], unlabeled: [{ selector: '#signup input', name: 'email', type: 'email' }] }],
		});
		const hit = domFindings({ desktop: f }).find((x) => x.rule === 'unlabeled-inputs');
		assert.equal(hit?.severity, 'medium');
		assert.match(hit?.fix ?? '', /email/);
	});

	it('flag a low-contrast primary CTA as high, and accept 3:1 for large text', () => {
		const low = goodFacts();
		low.ctas[0] = { ...low.ctas[0], contrast: 1.6 };
		assert.ok(rules(low).includes('low-contrast-cta/high'));
		const large = goodFacts();
		large.ctas[0] = { ...large.ctas[0], contrast: 3.4, largeText: true };
		assert.ok(!rules(large).some((r) => r.startsWith('low-contrast-cta')));
		const mid = goodFacts();
		mid.ctas[0] = { ...mid.ctas[0], contrast: 3.4 };
		assert.ok(rules(mid).includes('low-contrast-cta/medium'));
	});

	it('flag no trust signals (medium) and trust far from the CTA (low)', () => {
		assert.ok(rules(goodFacts({ trustSignals: [] })).includes('trust-near-cta/medium'));
		const far = goodFacts({
			trustSignals: [
				{ kind: 'testimonial', text: 'Great', selector: '#t', box: { x: 0, y: 5000, width: 10, height: 10 } },
			],
		});
		assert.ok(rules(far).includes('trust-near-cta/low'));
	});

	it('flag a missing or generic H1', () => {
		assert.ok(rules(goodFacts({ headings: [] })).includes('h1-value-prop/high'));
		assert.ok(
			rules(goodFacts({ headings: [{ level: 1, text: 'Welcome', selector: 'h1' }] })).includes('h1-value-prop/medium'),
		);
		assert.ok(
			rules(goodFacts({ headings: [{ level: 1, text: 'Lensly', selector: 'h1' }] })).includes('h1-value-prop/medium'),
		);
	});

	it('flag a missing meta description (medium) and a short one (low)', () => {
		assert.ok(rules(goodFacts({ metaDescription: undefined })).includes('meta-description/medium'));
		assert.ok(rules(goodFacts({ metaDescription: 'Audits.' })).includes('meta-description/low'));
	});

	it('merge the same finding on both form factors into one', () => {
		const f = goodFacts({ forms: [{ ...goodFacts().forms[0], fieldCount: 12 }] });
		const hits = domFindings({ desktop: f, mobile: f }).filter((x) => x.rule === 'long-form');
		assert.equal(hits.length, 1);
		assert.equal(hits[0].formFactor, undefined);
	});

	it('keep a missing above-the-fold CTA per form factor', () => {
		const below = goodFacts();
		below.ctas = below.ctas.map((c) => ({ ...c, aboveFold: false, box: { ...c.box, y: 1500 } }));
		const hits = domFindings({ desktop: below, mobile: below }).filter((x) => x.rule === 'cta-above-fold');
		assert.deepEqual(hits.map((h) => h.formFactor).sort(), ['desktop', 'mobile']);
	});

	describe('metric rules', () => {
		const run = (lcp: number, tbt: number, formFactor: 'mobile' | 'desktop' = 'mobile'): LighthouseRun => ({
			formFactor,
			lighthouseVersion: '12.8.2',
			finalUrl: 'https://example.com/',
			fetchTime: '2026-11-24T00:00:00Z',
			scores: { performance: 0.5 },
			metrics: { lcp, tbt },
			failingAudits: [],
			runWarnings: [],
			performanceScores: [0.5],
			lighthouseMs: 9000,
		});

		it('flag slow LCP and heavy TBT with severities from the Web Vitals limits', () => {
			const ids = metricFindings({ mobile: run(5200, 450) }).map((f) => `${f.rule}/${f.severity}`);
			assert.deepEqual(ids.sort(), ['heavy-tbt/medium', 'slow-lcp/high']);
			assert.deepEqual(metricFindings({ desktop: run(1200, 50, 'desktop') }), []);
		});

		it('come beside the DOM findings in croFindings, once each', () => {
			const dom = domFindings({ desktop: goodFacts() });
			const all = croFindings({ desktop: goodFacts() }, { mobile: run(3000, 100) });
			assert.equal(all.filter((f) => f.rule === 'slow-lcp').length, 1);
			for (const f of dom)
				assert.ok(
					all.some((g) => JSON.stringify(g) === JSON.stringify(f)),
					f.rule,
				);
		});
	});
});
