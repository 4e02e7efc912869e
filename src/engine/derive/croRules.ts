import type { CroFinding, CtaFact, DomFacts, FormFactor, LighthouseRun } from '../../protocol';

/**
 * CRO rules: pure functions from gathered facts (DomFacts per form factor, Lighthouse metrics) to findings.
 * No browser, no network: saved facts can be re-audited in tests. Thresholds are named constants below.
 */

/** Facts per form factor, as the capture stage gathers them. */
export type FactsByFormFactor = Partial<Record<FormFactor, DomFacts>>;
/** Lighthouse summaries per form factor. */
export type RunsByFormFactor = Partial<Record<FormFactor, LighthouseRun>>;

export const THRESHOLDS = {
	/** Distinct button-styled CTAs in the first screen (outside the header/nav) before they compete. */
	competingCtas: 3,
	/** Visible form fields: above `longForm` is medium, above `veryLongForm` is high. */
	longForm: 6,
	veryLongForm: 10,
	/** WCAG AA: 4.5:1 for normal text, 3:1 for large text; below 3:1 is high for any CTA. */
	contrastNormal: 4.5,
	contrastLarge: 3,
	/** Trust signals "near" the primary CTA: within this many viewport heights of it. */
	trustNearViewports: 1.5,
	/** Words an H1 needs to state a value proposition. */
	h1MinWords: 3,
	/** Core Web Vitals "good"/"poor" limits (ms). */
	lcpGood: 2500,
	lcpPoor: 4000,
	tbtGood: 200,
	tbtPoor: 600,
	metaMin: 50,
	metaMax: 160,
	/** Page weight (bytes) that is heavy for a landing page on mobile. */
	heavyPage: 3_000_000,
} as const;

const WEAK_CTA =
	/^(click( here)?|here|submit|send|go|ok|enter|more|read more|learn more|continue|next|details|link|button|this)[.!]?$/i;
const GENERIC_H1 =
	/^(welcome( to .*)?|home( ?page)?|hello|hi there|untitled|index|about( us)?|main page|coming soon)[.!]?$/i;

/** CTAs that can be the page's main call to action: button-styled, not in the nav or footer. */
export function primaryCandidates(facts: DomFacts): CtaFact[] {
	return facts.ctas.filter((c) => c.buttonLike && c.region !== 'nav' && c.region !== 'footer' && c.region !== 'aside');
}

/** The page's primary CTA: the first button-styled main-content CTA, else one in the header. Undefined if none. */
export function primaryCta(facts: DomFacts): CtaFact | undefined {
	const candidates = primaryCandidates(facts);
	const byPosition = (a: CtaFact, b: CtaFact) => a.box.y - b.box.y || a.box.x - b.box.x;
	const main = candidates.filter((c) => c.region === 'main' && !c.inForm).sort(byPosition);
	return (
		main[0] ?? candidates.filter((c) => c.region === 'header').sort(byPosition)[0] ?? candidates.sort(byPosition)[0]
	);
}

const el = (c: { selector: string; text?: string }) => ({ selector: c.selector, ...(c.text ? { text: c.text } : {}) });
const label = (f: FormFactor) => (f === 'mobile' ? 'on mobile' : 'on desktop');

// --- per-form-factor rules ---

export function ctaAboveFold(facts: DomFacts, formFactor: FormFactor): CroFinding[] {
	const candidates = primaryCandidates(facts);
	if (candidates.length === 0 && facts.ctas.length === 0) {
		return [
			{
				rule: 'cta-above-fold',
				severity: 'high',
				formFactor,
				title: 'No call to action on the page',
				why: 'Visitors who are ready to act have nothing to click: every conversion depends on a clear next step.',
				fix: 'Add one button-styled call to action with a specific action ("Start free trial") in the first screen and repeat it after key sections.',
			},
		];
	}
	if (candidates.some((c) => c.aboveFold)) return [];
	const first = [...(candidates.length > 0 ? candidates : facts.ctas)].sort((a, b) => a.box.y - b.box.y)[0];
	return [
		{
			rule: 'cta-above-fold',
			severity: 'high',
			formFactor,
			title: `No primary call to action above the fold ${label(formFactor)}`,
			element: el(first),
			why: `The first screen (${facts.viewport.width}x${facts.viewport.height}) has no button-styled call to action; the first one starts at ${first.box.y}px. Many visitors never scroll, so they never see the offer's next step.`,
			fix: 'Place the primary CTA in the hero, next to the headline, so it is visible without scrolling on both phones and desktops.',
		},
	];
}

export function competingCtas(facts: DomFacts, formFactor: FormFactor): CroFinding[] {
	const inHero = primaryCandidates(facts).filter((c) => c.aboveFold && c.region === 'main' && !c.inForm);
	const distinct = new Map<string, CtaFact>();
	for (const c of inHero) distinct.set(c.text.toLowerCase(), c);
	if (distinct.size < THRESHOLDS.competingCtas) return [];
	const texts = [...distinct.keys()].map((t) => `"${t}"`).join(', ');
	return [
		{
			rule: 'competing-ctas',
			severity: 'medium',
			formFactor,
			title: `${distinct.size} calls to action compete in the first screen ${label(formFactor)}`,
			element: el([...distinct.values()][0]),
			why: `Several equally prominent buttons (${texts}) split attention; choice overload lowers the click rate of the action that matters.`,
			fix: 'Keep one primary CTA in the hero, make at most one secondary action visually quieter (outline or text link), and move the rest further down.',
		},
	];
}

export function weakCtaText(facts: DomFacts, formFactor: FormFactor): CroFinding[] {
	const primary = primaryCta(facts);
	const seen = new Set<string>();
	const out: CroFinding[] = [];
	for (const c of facts.ctas) {
		if (!c.buttonLike && !c.inForm) continue;
		const text = c.text.trim();
		const weak = text === '' || WEAK_CTA.test(text);
		if (!weak || seen.has(c.selector)) continue;
		seen.add(c.selector);
		const important = c === primary || c.inForm || c.aboveFold;
		out.push({
			rule: 'weak-cta-text',
			severity: important ? 'medium' : 'low',
			formFactor,
			title: text ? `Weak call-to-action text "${text}"` : 'Call to action with no text',
			element: el(c),
			why: text
				? `"${text}" says nothing about what the visitor gets; specific, benefit-led wording ("Start my free trial") gets more clicks and reads better in screen readers.`
				: 'A button with no accessible text tells neither visitors nor screen readers what it does.',
			fix: 'Name the outcome in the button: a verb plus what they get, e.g. "Get my audit", "Start free trial", "Book a 15-minute demo".',
		});
	}
	return out;
}

export function longForms(facts: DomFacts, formFactor: FormFactor): CroFinding[] {
	return facts.forms
		.filter((f) => f.fieldCount > THRESHOLDS.longForm)
		.map((f) => ({
			rule: 'long-form',
			severity: f.fieldCount > THRESHOLDS.veryLongForm ? 'high' : 'medium',
			formFactor,
			title: `Long form: ${f.fieldCount} fields (${f.requiredCount} required)`,
			element: { selector: f.selector, ...(f.submitText ? { text: f.submitText } : {}) },
			why: 'Every extra field adds effort and doubt; form completion drops noticeably as fields are added, most of all on phones.',
			fix: 'Ask only for what the next step needs (often just email); collect the rest later, or split the form into short steps.',
		}));
}

export function unlabeledInputs(facts: DomFacts, formFactor: FormFactor): CroFinding[] {
	return facts.forms
		.filter((f) => f.unlabeled.length > 0)
		.map((f) => ({
			rule: 'unlabeled-inputs',
			severity: 'medium',
			formFactor,
			title: `${f.unlabeled.length} form field${f.unlabeled.length === 1 ? '' : 's'} without a label`,
			element: { selector: f.unlabeled[0].selector, ...(f.unlabeled[0].name ? { text: f.unlabeled[0].name } : {}) },
			why: 'A placeholder is not a label: it vanishes while typing, is often low contrast and is not reliably announced by screen readers, so people abandon or make errors.',
			fix: `Give each field a visible <label for> (fields: ${f.unlabeled.map((u) => u.name ?? u.type).join(', ')}).`,
		}));
}

export function lowContrastCta(facts: DomFacts, formFactor: FormFactor): CroFinding[] {
	const primary = primaryCta(facts);
	const out: CroFinding[] = [];
	for (const c of primaryCandidates(facts)) {
		if (c.contrast === undefined) continue;
		const needed = c.largeText ? THRESHOLDS.contrastLarge : THRESHOLDS.contrastNormal;
		if (c.contrast >= needed) continue;
		const severity = c.contrast < THRESHOLDS.contrastLarge && (c === primary || c.aboveFold) ? 'high' : 'medium';
		out.push({
			rule: 'low-contrast-cta',
			severity,
			formFactor,
			title: `Low-contrast call to action "${c.text}" (${c.contrast.toFixed(2)}:1)`,
			element: el(c),
			why: `Its text contrast is ${c.contrast.toFixed(2)}:1, below the ${needed}:1 WCAG minimum: the button looks disabled and is hard to read, in sunlight on phones most of all.`,
			fix: 'Use a saturated button colour with white or near-black text that reaches at least 4.5:1 (check it with a contrast checker).',
		});
	}
	return out;
}

export function trustNearCta(facts: DomFacts, formFactor: FormFactor): CroFinding[] {
	if (facts.trustSignals.length === 0) {
		return [
			{
				rule: 'trust-near-cta',
				severity: 'medium',
				formFactor,
				title: 'No trust signals on the page',
				why: 'No testimonials, ratings, customer logos, guarantees or security notes were found; visitors deciding whether to act have nothing that lowers the risk.',
				fix: 'Add proof next to the main CTA: a short testimonial with a name, a rating, customer logos, or a guarantee such as "No credit card required".',
			},
		];
	}
	const primary = primaryCta(facts);
	if (!primary) return [];
	const reach = facts.viewport.height * THRESHOLDS.trustNearViewports;
	const near = facts.trustSignals.some(
		(t) =>
			t.box === undefined || Math.abs(t.box.y + t.box.height / 2 - (primary.box.y + primary.box.height / 2)) <= reach,
	);
	if (near) return [];
	return [
		{
			rule: 'trust-near-cta',
			severity: 'low',
			formFactor,
			title: 'Trust signals are far from the primary call to action',
			element: el(primary),
			why: 'Proof works best where the decision is made; here the testimonials or guarantees are more than a screen away from the main button.',
			fix: 'Put a rating, a short quote or a guarantee line right under the primary CTA.',
		},
	];
}

// --- page-level rules (run once, on the desktop facts when present) ---

export function valuePropositionH1(facts: DomFacts): CroFinding[] {
	const h1s = facts.headings.filter((h) => h.level === 1);
	if (h1s.length === 0) {
		return [
			{
				rule: 'h1-value-prop',
				severity: 'high',
				title: 'No H1 headline',
				why: 'Visitors decide in seconds whether a page is for them; without a headline the value proposition is missing (and search engines lose the main topic).',
				fix: 'Add one H1 in the hero that says what the visitor gets, for whom, e.g. "Audit every landing page in seconds, right from your editor".',
			},
		];
	}
	const h1 = h1s[0];
	const words = h1.text.split(/\s+/).filter(Boolean).length;
	const generic =
		GENERIC_H1.test(h1.text.trim()) ||
		words < THRESHOLDS.h1MinWords ||
		h1.text.trim().toLowerCase() ===
			facts.title
				.trim()
				.toLowerCase()
				.split(/[|—–-]/)[0]
				.trim();
	const out: CroFinding[] = [];
	if (generic) {
		out.push({
			rule: 'h1-value-prop',
			severity: 'medium',
			title: `The H1 "${h1.text}" does not state a value proposition`,
			element: el(h1),
			why: 'The headline is the first thing read; a greeting or a brand name does not tell visitors what they get or why it matters.',
			fix: 'Rewrite the H1 as the outcome for the visitor ("Cut your page load time in half") and support it with one line of detail.',
		});
	}
	if (h1s.length > 1) {
		out.push({
			rule: 'h1-value-prop',
			severity: 'low',
			title: `${h1s.length} H1 headlines`,
			element: el(h1s[1]),
			why: 'Several H1s dilute the main message and the page outline.',
			fix: 'Keep one H1 for the value proposition; make the others H2.',
		});
	}
	return out;
}

export function metaDescription(facts: DomFacts): CroFinding[] {
	const meta = facts.metaDescription?.trim();
	if (!meta) {
		return [
			{
				rule: 'meta-description',
				severity: 'medium',
				title: 'No meta description',
				why: 'Search engines then pick arbitrary page text for the snippet; a written description is the ad copy that earns the click from search results.',
				fix: 'Add <meta name="description"> with 50–160 characters that state the offer and a reason to click.',
			},
		];
	}
	if (meta.length < THRESHOLDS.metaMin || meta.length > THRESHOLDS.metaMax) {
		return [
			{
				rule: 'meta-description',
				severity: 'low',
				title: `Meta description is ${meta.length} characters`,
				element: { selector: 'meta[name="description"]', text: meta },
				why:
					meta.length < THRESHOLDS.metaMin
						? 'A very short description wastes the search snippet.'
						: 'Search results cut long descriptions mid-sentence.',
				fix: 'Aim for 50–160 characters.',
			},
		];
	}
	return [];
}

export function imagesWithoutAlt(facts: DomFacts): CroFinding[] {
	if (facts.imagesWithoutAlt.length === 0) return [];
	return [
		{
			rule: 'images-alt',
			severity: 'low',
			title: `${facts.imagesWithoutAlt.length} image${facts.imagesWithoutAlt.length === 1 ? '' : 's'} without alt text`,
			element: { selector: facts.imagesWithoutAlt[0].selector },
			why: 'Screen-reader users miss what the images show, and product images lose search traffic.',
			fix: 'Add alt text describing each informative image; use alt="" for decorative ones.',
		},
	];
}

export function pageWeight(facts: DomFacts): CroFinding[] {
	if (facts.pageWeightBytes === undefined || facts.pageWeightBytes <= THRESHOLDS.heavyPage) return [];
	const mb = (facts.pageWeightBytes / 1_000_000).toFixed(1);
	return [
		{
			rule: 'page-weight',
			severity: 'low',
			title: `Heavy page: ${mb} MB transferred`,
			why: 'Heavy pages load slowly on mobile networks, and slower pages convert less.',
			fix: 'Compress and resize images (AVIF/WebP), lazy-load below-the-fold media and drop unused scripts.',
		},
	];
}

// --- metric rules (Lighthouse) ---

/**
 * Causes of a slow metric as Lighthouse names them in a run's insights, with what to do about each. The
 * Lighthouse 13 insight id comes first, then the Lighthouse 12 opportunities it replaced (history entries and
 * results of an engine still on 12 carry those).
 */
interface Cause {
	ids: readonly string[];
	fix: string;
}
const LCP_CAUSES: readonly Cause[] = [
	{
		ids: ['render-blocking-insight', 'render-blocking-resources'],
		fix: 'defer or inline the render-blocking CSS and scripts',
	},
	{
		ids: ['lcp-discovery-insight', 'prioritize-lcp-image'],
		fix: 'let the browser find the main image early (no loading="lazy", add fetchpriority="high")',
	},
	{
		ids: [
			'image-delivery-insight',
			'uses-optimized-images',
			'modern-image-formats',
			'uses-responsive-images',
			'efficient-animated-content',
		],
		fix: 'serve images in modern formats at the size they are shown',
	},
	{
		ids: ['document-latency-insight', 'server-response-time', 'redirects'],
		fix: 'answer the document faster (server time, no redirects, compression)',
	},
	{ ids: ['uses-text-compression'], fix: 'compress text responses (gzip or brotli)' },
	{ ids: ['network-dependency-tree-insight', 'uses-rel-preconnect'], fix: 'shorten chains of critical requests' },
	{ ids: ['font-display-insight'], fix: 'show text while web fonts load (font-display: swap)' },
	{ ids: ['unused-css-rules', 'unminified-css'], fix: 'drop unused CSS' },
];
const TBT_CAUSES: readonly Cause[] = [
	{ ids: ['third-parties-insight'], fix: 'cut or defer third-party scripts' },
	{
		ids: ['legacy-javascript-insight', 'legacy-javascript'],
		fix: 'stop shipping polyfills modern browsers do not need',
	},
	{ ids: ['duplicated-javascript-insight', 'duplicated-javascript'], fix: 'remove modules bundled twice' },
	{ ids: ['forced-reflow-insight'], fix: 'avoid reading layout right after changing the DOM' },
	{ ids: ['unused-javascript', 'unminified-javascript'], fix: 'drop unused JavaScript' },
];

/** Causes named in one finding; the panel and the CLI list every insight anyway. */
const MAX_CAUSES = 3;

/**
 * What the run's insights say to fix, worst first (the insights' order), each once: `defer or inline the
 * render-blocking CSS and scripts (/app.css); …`. Undefined when the run has no matching insight (or none kept).
 */
function causesOf(run: LighthouseRun, causes: readonly Cause[]): string | undefined {
	const out: string[] = [];
	const seen = new Set<Cause>();
	for (const insight of run.insights ?? []) {
		const cause = causes.find((c) => c.ids.includes(insight.id));
		if (!cause || seen.has(cause)) continue;
		seen.add(cause);
		const first = insight.items.find(
			(i) => i.passed === undefined && (i.wastedMs !== undefined || i.wastedBytes !== undefined),
		);
		out.push(first ? `${cause.fix} (${first.label})` : cause.fix);
		if (out.length === MAX_CAUSES) break;
	}
	return out.length ? out.join('; ') : undefined;
}

export function slowLcp(run: LighthouseRun): CroFinding[] {
	const lcp = run.metrics.lcp;
	if (lcp === undefined || lcp <= THRESHOLDS.lcpGood) return [];
	return [
		{
			rule: 'slow-lcp',
			severity: lcp > THRESHOLDS.lcpPoor ? 'high' : 'medium',
			formFactor: run.formFactor,
			title: `Slow main content: LCP ${(lcp / 1000).toFixed(1)} s ${label(run.formFactor)}`,
			why: `The largest element appears after ${(lcp / 1000).toFixed(1)} s (good is under 2.5 s); visitors who wait leave before they see the offer, and each extra second lowers conversion.`,
			fix: causeFix(
				run,
				LCP_CAUSES,
				'Serve the hero image small and early (preload, modern formats, correct size), cut render-blocking CSS/JS and speed up the server response.',
			),
		},
	];
}

export function heavyTbt(run: LighthouseRun): CroFinding[] {
	const tbt = run.metrics.tbt;
	if (tbt === undefined || tbt <= THRESHOLDS.tbtGood) return [];
	return [
		{
			rule: 'heavy-tbt',
			severity: tbt > THRESHOLDS.tbtPoor ? 'high' : 'medium',
			formFactor: run.formFactor,
			title: `Busy main thread: TBT ${Math.round(tbt)} ms ${label(run.formFactor)}`,
			why: 'Long JavaScript tasks make buttons and forms unresponsive just when visitors try to use them.',
			fix: causeFix(
				run,
				TBT_CAUSES,
				'Split and defer scripts, remove unused third-party tags, and move heavy work off the main thread.',
			),
		},
	];
}

/** The fixes the run's insights point at, else the general advice. */
function causeFix(run: LighthouseRun, causes: readonly Cause[], general: string): string {
	const found = causesOf(run, causes);
	return found ? `Start where Lighthouse points: ${found}.` : general;
}

const PER_FORM_FACTOR = [
	ctaAboveFold,
	competingCtas,
	weakCtaText,
	longForms,
	unlabeledInputs,
	lowContrastCta,
	trustNearCta,
];
const PER_PAGE = [valuePropositionH1, metaDescription, imagesWithoutAlt, pageWeight];
const PER_RUN = [slowLcp, heavyTbt];

const SEVERITY_ORDER = { high: 0, medium: 1, low: 2 } as const;
/** Rules whose findings differ per form factor in substance (fold position, timings): never merged. */
const KEEP_PER_FORM_FACTOR = new Set(['cta-above-fold', 'slow-lcp', 'heavy-tbt']);

/** Sort high first, then by rule; findings about the same element and rule on both form factors are merged. */
function tidy(findings: CroFinding[]): CroFinding[] {
	const merged = new Map<string, CroFinding>();
	for (const f of findings) {
		const key = `${f.rule}|${f.element?.selector ?? ''}|${f.title.replace(/ on (mobile|desktop)$/, '')}`;
		const prev = merged.get(key);
		if (!prev) merged.set(key, f);
		else if (KEEP_PER_FORM_FACTOR.has(f.rule)) merged.set(`${key}|${f.formFactor ?? ''}`, f);
		else if (prev.formFactor !== f.formFactor && f.formFactor && prev.formFactor) {
			// same issue on both form factors: keep one, the worse severity, without a form factor
			const worse = SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[prev.severity] ? f : prev;
			const { formFactor: _drop, ...rest } = worse;
			merged.set(key, { ...rest, title: rest.title.replace(/ on (mobile|desktop)$/, '') });
		}
	}
	return [...merged.values()].sort(
		(a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.rule.localeCompare(b.rule),
	);
}

/** Findings from the DOM facts only (no Lighthouse needed). */
export function domFindings(facts: FactsByFormFactor): CroFinding[] {
	const out: CroFinding[] = [];
	for (const [formFactor, f] of Object.entries(facts) as [FormFactor, DomFacts][]) {
		for (const rule of PER_FORM_FACTOR) out.push(...rule(f, formFactor));
	}
	const pageFacts = facts.desktop ?? facts.mobile;
	if (pageFacts) for (const rule of PER_PAGE) out.push(...rule(pageFacts));
	return tidy(out);
}

/** Findings from Lighthouse metrics only. */
export function metricFindings(runs: RunsByFormFactor): CroFinding[] {
	const out: CroFinding[] = [];
	for (const run of Object.values(runs)) if (run) for (const rule of PER_RUN) out.push(...rule(run));
	return tidy(out);
}

/** All findings: DOM rules plus metric rules for the Lighthouse runs given. */
export function croFindings(facts: FactsByFormFactor, runs: RunsByFormFactor = {}): CroFinding[] {
	return tidy([...domFindings(facts), ...metricFindings(runs)]);
}
