import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { AuditOptions, AuditResult, DomFacts, FormFactor, LighthouseRun } from '../../src/protocol';
import { DEFAULT_SETTINGS } from '../../src/engine/settings';
import type { EngineSettings } from '../../src/protocol';
import { createLogger, type Logger, type LogLevel } from '../../src/engine/log';

/** test/fixtures/lhr, found from either the source tree or the compiled out/ tree. */
export const LHR_FIXTURES = (() => {
	for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const candidate = path.join(dir, 'test', 'fixtures', 'lhr');
		if (fs.existsSync(candidate) && !dir.endsWith(`${path.sep}out`)) return candidate;
	}
	throw new Error('test/fixtures/lhr not found');
})();

/** A real Lighthouse 12 report (see test/fixtures/lhr/generate.mjs), parsed afresh on each call. */
export function loadLhr(formFactor: FormFactor = 'mobile'): Record<string, unknown> {
	const gz = fs.readFileSync(path.join(LHR_FIXTURES, `lhr-${formFactor}.json.gz`));
	return JSON.parse(zlib.gunzipSync(gz).toString('utf8')) as Record<string, unknown>;
}

/**
 * A real report of test/fixtures/pages/insights/ by Lighthouse 12.8.2 or 13 (mobile), trimmed (see
 * test/fixtures/lhr/generateInsights.mjs), parsed afresh on each call.
 */
export function loadInsightsLhr(major: 12 | 13): Record<string, unknown> {
	return JSON.parse(fs.readFileSync(path.join(LHR_FIXTURES, `insights-lh${major}-mobile.json`), 'utf8')) as Record<
		string,
		unknown
	>;
}

export const sampleOptions = (over: Partial<AuditOptions> = {}): AuditOptions => ({
	formFactors: ['mobile', 'desktop'],
	categories: ['performance', 'accessibility', 'best-practices', 'seo'],
	throttling: 'simulate',
	runs: 1,
	stages: { lighthouse: true, capture: true, cro: true, ai: false, crux: false },
	devServer: false,
	...over,
});

let counter = 0;

function lighthouseRun(formFactor: FormFactor, url: string, perf: number): LighthouseRun {
	return {
		formFactor,
		lighthouseVersion: '12.8.2',
		finalUrl: url,
		fetchTime: new Date().toISOString(),
		scores: { performance: perf, accessibility: 0.95, 'best-practices': 1, seo: 0.91 },
		metrics: { fcp: 1210, lcp: 2380, tbt: 140, cls: 0.02, speedIndex: 1900, tti: 3100 },
		failingAudits: [
			{
				id: 'render-blocking-resources',
				title: 'Eliminate render-blocking resources',
				score: 0.5,
				displayValue: 'Potential savings of 300 ms',
				categories: ['performance'],
			},
			{
				id: 'color-contrast',
				title: 'Background and foreground colors do not have a sufficient contrast ratio.',
				score: 0,
				categories: ['accessibility'],
			},
			{ id: 'meta-description', title: 'Document does not have a meta description', score: 0, categories: ['seo'] },
		],
		runWarnings: [],
		performanceScores: [perf],
		lighthouseMs: 6400,
	};
}

export interface SampleResultInput {
	url?: string;
	id?: string;
	requestedAt?: Date;
	options?: AuditOptions;
	perf?: number;
	/** Absolute paths the capture stage would have written. */
	screenshotDir?: string;
	failed?: boolean;
	/** The desktop Lighthouse run failed, the rest succeeded. */
	partial?: boolean;
}

/** A fake but realistically shaped AuditResult: both Lighthouse runs, capture facts and CRO findings. */
export function sampleResult(input: SampleResultInput = {}): AuditResult {
	const url = input.url ?? 'https://example.com/';
	const id = input.id ?? `audit-${Date.now().toString(36)}-${(counter++).toString(36)}`;
	const requestedAt = (input.requestedAt ?? new Date()).toISOString();
	const perf = input.perf ?? 0.87;
	const startedAt = requestedAt;
	const shotDir = input.screenshotDir ?? path.join('/tmp', 'auditlens-shots', id);
	const shot = (ff: FormFactor, kind: string) => ({
		path: path.join(shotDir, `${ff}-${kind}.webp`),
		mime: 'image/webp' as const,
		width: ff === 'mobile' ? 412 : 1350,
		height: kind === 'full' ? 4200 : ff === 'mobile' ? 823 : 940,
		bytes: 96_000,
		foldY: ff === 'mobile' ? 823 : 940,
	});
	const facts = (ff: FormFactor): DomFacts => ({
		url,
		viewport: { width: ff === 'mobile' ? 412 : 1350, height: ff === 'mobile' ? 823 : 940 },
		title: 'Acme Widgets: the fastest widgets',
		metaDescription: 'Acme widgets ship in a day.',
		headings: [
			{ level: 1, text: 'Widgets that ship in a day', selector: 'main > h1' },
			{ level: 2, text: 'Why teams choose Acme', selector: 'section.why > h2' },
		],
		ctas: [
			{
				selector: 'a.cta',
				text: 'Start free trial',
				tag: 'a',
				href: '/signup',
				box: { x: 16, y: 420, width: 180, height: 48 },
				aboveFold: true,
				contrast: 4.8,
				largeText: false,
				buttonLike: true,
				region: 'main',
				inForm: false,
			},
			{
				selector: 'form button',
				text: 'Subscribe',
				tag: 'button',
				box: { x: 16, y: 2100, width: 120, height: 40 },
				aboveFold: false,
				contrast: 3.1,
				largeText: false,
				buttonLike: true,
				region: 'main',
				inForm: true,
			},
		],
		forms: [
			{
				selector: 'form',
				fieldCount: 1,
				requiredCount: 0,
				unlabeled: [{ selector: 'input[name=email]', name: 'email', type: 'email' }],
				submitText: 'Subscribe',
				aboveFold: false,
				box: { x: 0, y: 2050, width: 400, height: 120 },
			},
		],
		sections: [
			{ name: 'hero', selector: 'main > section.hero', box: { x: 0, y: 0, width: 412, height: 700 } },
			{ name: 'features', selector: 'main > ul', box: { x: 0, y: 700, width: 412, height: 1300 } },
		],
		trustSignals: [
			{ kind: 'testimonial', text: '"Acme cut our build time in half." — Jane, CTO', selector: 'blockquote' },
		],
		socialProofNumbers: ['12,000 teams'],
		pricing: [],
		contact: [{ kind: 'email', text: 'hello@acme.test' }],
		firstScreen: { wordCount: 42, readingGrade: 7.5 },
		imagesWithoutAlt: [{ selector: 'li:nth-child(3) img', src: '/img2.svg' }],
		pageWeightBytes: 48_213,
		documentHeight: 4200,
	});
	const ok = <T>(data: T, durationMs: number) => ({ status: 'ok' as const, startedAt, durationMs, data });
	const result: AuditResult = {
		id,
		url,
		requestedAt,
		durationMs: 9120,
		queuedMs: 0,
		status: 'ok',
		options: input.options ?? sampleOptions(),
		engineVersion: '0.1.0',
		lighthouseVersion: '12.8.2',
		fromCache: false,
		stages: input.failed
			? {}
			: {
					'lighthouse-mobile': ok(lighthouseRun('mobile', url, perf), 6400),
					'lighthouse-desktop': ok(lighthouseRun('desktop', url, Math.min(1, perf + 0.1)), 5200),
					capture: ok(
						{
							shots: {
								mobile: { viewport: shot('mobile', 'viewport'), fullPage: shot('mobile', 'full') },
								desktop: { viewport: shot('desktop', 'viewport'), fullPage: shot('desktop', 'full') },
							},
							facts: { mobile: facts('mobile'), desktop: facts('desktop') },
							warm: true,
						},
						1800,
					),
					cro: ok(
						{
							findings: [
								{
									rule: 'form-labels',
									severity: 'medium' as const,
									title: 'A form field has no label',
									element: { selector: 'input[name=email]' },
									why: 'Placeholders vanish as people type.',
									fix: 'Add a visible <label> to the email field.',
								},
								{
									rule: 'cta-contrast',
									severity: 'low' as const,
									title: 'A call to action has low contrast',
									element: { selector: 'form button', text: 'Subscribe' },
									formFactor: 'mobile' as const,
									why: 'Contrast 3.1:1 is below 4.5:1.',
									fix: 'Darken the button background.',
								},
							],
						},
						12,
					),
					ai: { status: 'skipped', startedAt, durationMs: 0, reason: 'AI suggestions are off.' },
					crux: { status: 'skipped', startedAt, durationMs: 0, reason: 'No CrUX API key.' },
				},
	};
	// As the engine makes them: a page that could not be loaded has no stages and says why.
	if (input.failed)
		Object.assign(result, {
			status: 'failed',
			error: {
				code: 'UNREACHABLE',
				message: `Nothing is listening at ${new URL(url).host} (connection refused). Is the server running?`,
			},
		});
	if (input.partial) {
		const error = { code: 'LIGHTHOUSE_ERROR' as const, message: `Lighthouse (desktop) could not load ${url}.` };
		result.stages['lighthouse-desktop'] = { status: 'error', error, startedAt, durationMs: 5200 };
		Object.assign(result, { status: 'partial', stageErrors: { 'lighthouse-desktop': error } });
	}
	return result;
}

/** Settings with overrides, for stores under test. */
export function testSettings(over: Partial<EngineSettings> = {}): EngineSettings {
	return { ...DEFAULT_SETTINGS, ...over };
}

/** A logger that records its lines; it prints them only when AUDITLENS_TEST_LOG is set. */
export function recordingLogger(): Logger & { lines: { level: LogLevel; message: string }[] } {
	const lines: { level: LogLevel; message: string }[] = [];
	const print = process.env.AUDITLENS_TEST_LOG ? createLogger('debug') : undefined;
	const at = (level: LogLevel) => (message: string) => {
		lines.push({ level, message });
		print?.[level](message);
	};
	const logger = {
		error: at('error'),
		warn: at('warn'),
		info: at('info'),
		debug: at('debug'),
		child: () => logger,
		lines,
	};
	return logger;
}
