import { z } from 'zod';
import type { AiSuggestion, CroFinding, DomFacts, FormFactor } from '../../protocol';
import type { FactsByFormFactor } from '../derive/croRules';

/** Name of the tool the model must call with its suggestions (structured output through tool use). */
export const SUGGESTION_TOOL = 'report_cro_suggestions';

const level = z.enum(['high', 'medium', 'low']);
/** One suggestion as the model must give it; validated before use. */
export const suggestionSchema = z.object({
	title: z.string().trim().min(3).max(200),
	target: z.string().trim().min(1).max(300),
	detail: z.string().trim().min(3).max(2000),
	impact: level,
	effort: level,
});
/** The tool input: a list whose items are validated one by one (a bad item is dropped, not the whole answer). */
export const toolInputSchema = z.object({ suggestions: z.array(z.unknown()).max(50) });

/** JSON schema of the tool input, sent to the API. */
export function toolDefinition(maxSuggestions: number) {
	return {
		name: SUGGESTION_TOOL,
		description:
			'Report conversion-rate optimisation suggestions for the audited page. Every suggestion must target an element or section that exists on the page.',
		input_schema: {
			type: 'object' as const,
			properties: {
				suggestions: {
					type: 'array',
					maxItems: maxSuggestions,
					items: {
						type: 'object',
						properties: {
							title: {
								type: 'string',
								description: 'Short imperative title, e.g. "Move the trial button into the hero".',
							},
							target: {
								type: 'string',
								description: 'Exactly one selector or section name from the TARGETS list of the page.',
							},
							detail: {
								type: 'string',
								description: 'What to change and why it should lift conversions, concretely, for this page.',
							},
							impact: { type: 'string', enum: ['high', 'medium', 'low'] },
							effort: { type: 'string', enum: ['high', 'medium', 'low'] },
						},
						required: ['title', 'target', 'detail', 'impact', 'effort'],
					},
				},
			},
			required: ['suggestions'],
		},
	};
}

/** Section names that exist on every page. */
const ALWAYS = ['page', 'whole page', 'hero', 'above the fold', 'first screen', 'title', 'meta description'];

/** What suggestions may target on this page: selectors and names gathered in the facts. */
export interface PageTargets {
	selectors: Set<string>;
	names: Set<string>;
}

export function pageTargets(facts: FactsByFormFactor): PageTargets {
	const selectors = new Set<string>();
	const names = new Set<string>(ALWAYS);
	const addName = (n: string | undefined) => {
		const t = norm(n ?? '');
		if (t.length >= 3) names.add(t);
	};
	for (const f of Object.values(facts) as DomFacts[]) {
		for (const h of f.headings) {
			selectors.add(h.selector);
			addName(h.text);
			if (h.level === 1) names.add('headline');
		}
		for (const c of f.ctas) {
			selectors.add(c.selector);
			addName(c.text);
		}
		for (const form of f.forms) {
			selectors.add(form.selector);
			addName(form.submitText);
			names.add('form');
			for (const u of form.unlabeled) selectors.add(u.selector);
		}
		for (const s of f.sections) {
			selectors.add(s.selector);
			addName(s.name);
		}
		for (const t of f.trustSignals) selectors.add(t.selector);
		for (const i of f.imagesWithoutAlt) selectors.add(i.selector);
		if (f.ctas.length > 0) names.add('cta');
		if (f.trustSignals.length > 0) names.add('trust signals');
		if (f.pricing.length > 0) names.add('pricing');
	}
	return { selectors, names };
}

function norm(text: string): string {
	return text
		.toLowerCase()
		.replace(/[“”"'`‘’]/g, '')
		.replace(/\s+/g, ' ')
		.trim();
}

/**
 * Whether a suggestion's target names something on the page: an exact known selector, or a known section,
 * heading or CTA name (also inside a longer phrase such as `the "Start free trial" button`). A target that
 * looks like a CSS selector must be one the page has.
 */
export function targetExists(target: string, targets: PageTargets): boolean {
	const raw = target.trim();
	if (targets.selectors.has(raw)) return true;
	if (/^[#.[]|[>:[\]]/.test(raw)) return false;
	const t = norm(raw);
	if (t.length === 0) return false;
	for (const n of targets.names) {
		if (t === n) return true;
		if (n.length >= 4 && t.includes(n)) return true;
	}
	return false;
}

/** Split raw tool items into valid suggestions on real targets and a count of the rest. */
export function validateSuggestions(
	items: unknown[],
	facts: FactsByFormFactor,
): { suggestions: AiSuggestion[]; dropped: number } {
	const targets = pageTargets(facts);
	const suggestions: AiSuggestion[] = [];
	let dropped = 0;
	for (const item of items) {
		const parsed = suggestionSchema.safeParse(item);
		if (parsed.success && targetExists(parsed.data.target, targets)) suggestions.push(parsed.data);
		else dropped++;
	}
	return { suggestions, dropped };
}

/** A compact, JSON-friendly view of the facts for the prompt (long lists cut). */
export function compactFacts(facts: DomFacts) {
	return {
		url: facts.url,
		viewport: facts.viewport,
		title: facts.title,
		metaDescription: facts.metaDescription ?? null,
		headings: facts.headings.slice(0, 25).map((h) => ({ level: h.level, text: h.text, selector: h.selector })),
		ctas: facts.ctas.slice(0, 25).map((c) => ({
			selector: c.selector,
			text: c.text,
			aboveFold: c.aboveFold,
			buttonLike: c.buttonLike,
			region: c.region,
			contrast: c.contrast,
			y: c.box.y,
		})),
		forms: facts.forms.map((f) => ({
			selector: f.selector,
			fields: f.fieldCount,
			required: f.requiredCount,
			unlabeled: f.unlabeled.length,
			submitText: f.submitText,
			aboveFold: f.aboveFold,
		})),
		sections: facts.sections.slice(0, 30).map((s) => ({ name: s.name, selector: s.selector, y: s.box.y })),
		trustSignals: facts.trustSignals
			.slice(0, 15)
			.map((t) => ({ kind: t.kind, text: t.text, selector: t.selector, y: t.box?.y })),
		socialProofNumbers: facts.socialProofNumbers,
		pricing: facts.pricing,
		contact: facts.contact.map((c) => c.kind),
		firstScreen: facts.firstScreen,
		imagesWithoutAlt: facts.imagesWithoutAlt.length,
		pageWeightBytes: facts.pageWeightBytes ?? null,
		documentHeight: facts.documentHeight,
	};
}

export interface PromptImage {
	label: string;
	mime: 'image/jpeg' | 'image/webp';
	base64: string;
}

/** The user message: screenshots as image blocks, then the facts, findings and allowed targets as text. */
export function buildUserContent(
	url: string,
	facts: FactsByFormFactor,
	findings: CroFinding[],
	images: PromptImage[],
	maxSuggestions: number,
	deep: boolean,
) {
	const targets = pageTargets(facts);
	const blocks: (
		| { type: 'text'; text: string }
		| { type: 'image'; source: { type: 'base64'; media_type: 'image/jpeg' | 'image/webp'; data: string } }
	)[] = [];
	for (const img of images) {
		blocks.push({ type: 'text', text: `Screenshot: ${img.label}` });
		blocks.push({ type: 'image', source: { type: 'base64', media_type: img.mime, data: img.base64 } });
	}
	const compact: Partial<Record<FormFactor, ReturnType<typeof compactFacts>>> = {};
	for (const [ff, f] of Object.entries(facts) as [FormFactor, DomFacts][]) compact[ff] = compactFacts(f);
	blocks.push({
		type: 'text',
		text: [
			`Page: ${url}`,
			`DOM facts per form factor (CSS px; the fold is the viewport height):\n${JSON.stringify(compact)}`,
			`Heuristic findings already reported (do not repeat them; go beyond them):\n${JSON.stringify(findings.map((f) => ({ rule: f.rule, severity: f.severity, title: f.title, target: f.element?.selector })))}`,
			`TARGETS (each suggestion's target must be exactly one of these selectors or section names):\n${JSON.stringify([...targets.selectors].slice(0, 150))}\n${JSON.stringify([...targets.names].slice(0, 100))}`,
			`Give at most ${maxSuggestions} suggestions, most impactful first${deep ? ', each with a detailed, page-specific rationale covering copy, layout, and trust' : ', each in one or two sentences'}. Call the ${SUGGESTION_TOOL} tool.`,
		].join('\n\n'),
	});
	return blocks;
}

export const SYSTEM_PROMPT =
	'You are a senior conversion-rate optimisation (CRO) consultant reviewing a landing page from its screenshots and facts gathered from its DOM. ' +
	'Suggest concrete changes that would raise conversions, tied to real elements of this page. Never invent elements: every target must come from the TARGETS list. ' +
	'Rate impact and effort honestly. Answer only by calling the tool.';
