import type { FindingTarget, SourceLocation } from '../../protocol';
import { devHint, isAddedAttribute, isAddedClass } from './devHints';
import { elementFacts, type ElementFacts, type TargetValue } from './elementTarget';
import { lineOffset, positionOf, tagsFor, tagsOf } from './fileTags';
import { elementText } from './elementText';
import { flavourOf, type FileTags, type TagSite } from './tagSites';
import {
	compareValue,
	fitsPattern,
	labelMatches,
	normalizeText,
	pagePath,
	samePath,
	urlAttrs,
	type PagePath,
} from './valueMatch';

/** A candidate source file and its text. */
export interface SourceText {
	file: string;
	text: string;
}

export type ElementTarget = Extract<FindingTarget, { kind: 'element' }>;

/*
 * How a placement is scored: each opening tag of the element's name in the sources is a candidate, scored by evidence
 * for it (equal ids and URLs most, then the attributes of `mediumAttrs`, classes, the label, the snippet, the
 * ancestors) and against it (a value the source states otherwise; an attribute only one side has counts less).
 * What frameworks and dev builds add, and expressions, count neither way. Evidence shared by n candidates counts 1/√n.
 * Confidence is the best candidate's share of e^score against the others and "in none of these sources"
 * (NONE_OF_THESE), so a unique id or URL is sure and two equal candidates never reach LOCATE_MIN_CONFIDENCE.
 */
const W = { id: 6, url: 5, medium: 2, other: 0.5, class: 3, classesMax: 5, label: 3 };
const DIFFERS = { id: -8, url: -5, medium: -2.5, other: -1 };
const SOURCE_ONLY = { id: -3, url: -3, medium: -2, other: -1, class: -1 };
const PAGE_ONLY = { id: -2, url: -2, medium: -1, other: -0.3, class: -0.4 };
const PATH_ONLY = 0.85;
/** A label found on an element inside (an image's alt in a link) counts this share of a label. */
const CHILD_LABEL = 0.7;
/** A value with holes says as much as its literal part: `/img/{{ slug }}.png` (9 characters) more than `{{ a }}-x`. */
const patternShare = (parts: string[]) => Math.min(0.7, Math.max(0.2, parts.join('').trim().length / 12));
const SNIPPET_BONUS = 1.5;
/** Source text that states other words than the page's label: as much against as a differing `alt`. */
const TEXT_DIFFERS = -2.5;
const SINGLETON = 4;
const NONE_OF_THESE = 2.5;

type Group = 'id' | 'url' | 'medium' | 'other';
const mediumAttrs = new Set([
	'name',
	'alt',
	'type',
	'placeholder',
	'aria-label',
	'for',
	'role',
	'lang',
	'content',
	'rel',
	'aria-labelledby',
]);
const groupOf = (name: string): Group =>
	name === 'id' ? 'id' : urlAttrs.has(name) ? 'url' : mediumAttrs.has(name) ? 'medium' : 'other';
// Where a label may come from besides the text: Lighthouse's alt/aria-label, a CRO field's name, a meta's content.
const labelAttrs = ['alt', 'aria-label', 'placeholder', 'value', 'name', 'content'];

/** What the page says about the element, worked out once per finding for the candidates to be compared with. */
interface Page {
	facts: ElementFacts;
	/** With the keys their shared evidence is counted under. */
	attrs: { name: string; value: TargetValue; group: Group; path?: PagePath; key: string; patternKey: string }[];
	classes: string[];
	classKeys: string[];
	/** The label, normalized; absent when the snippet's attributes already carry it (an image's alt). */
	label?: TargetValue;
}

function pageOf(facts: ElementFacts): Page {
	const attrs = [...facts.attrs]
		.filter(([name]) => !isAddedAttribute(name))
		.map(([name, value]) => ({
			name,
			value,
			group: groupOf(name),
			key: `a:${name}`,
			patternKey: `pa:${name}`,
			...(urlAttrs.has(name) ? { path: pagePath(value.value) } : {}),
		}));
	const label = facts.label;
	const carried = label && facts.fromSnippet && labelAttrs.some((a) => facts.attrs.get(a)?.value === label.value);
	const classes = facts.classes.filter((k) => !isAddedClass(k));
	return {
		facts,
		attrs,
		classes,
		classKeys: classes.map((k) => `c:${k}`),
		...(label && !carried ? { label: { value: normalizeText(label.value), truncated: label.truncated } } : {}),
	};
}

interface Candidate {
	source: SourceText;
	tags: FileTags;
	site: TagSite;
	/** Points not divided by how many candidates share them. */
	fixed: number;
	/** Evidence divided by √(candidates sharing it), flat: key, points, key, points… Classes are capped apart. */
	shared?: (string | number)[];
	exactSnippet: boolean;
	score: number;
}

function share(c: Candidate, key: string, points: number): void {
	(c.shared ??= []).push(key, points);
}

/** Scores the candidate's attributes and classes against the page's (the weights above). */
function scoreAttributes(page: Page, c: Candidate): void {
	const { site } = c;
	const { facts } = page;
	let allMatch = true;
	for (const a of page.attrs) {
		const source = site.attrs.get(a.name);
		let match = source ? compareValue(a.value, source, a.path) : 'unknown';
		// An image whose page `src` is one of the source's `srcset` candidates.
		if (match === 'differs' && a.name === 'src' && a.path) {
			const set = site.attrs.get('srcset');
			if (set?.kind === 'static' && set.value.split(',').some((s) => samePath(a.path!, s.trim().split(/\s+/)[0])))
				match = 'path';
		}
		if (!source) {
			allMatch = false;
			if (!site.openAttrs) c.fixed += PAGE_ONLY[a.group];
		} else if (match === 'exact') share(c, a.key, W[a.group]);
		else if (match === 'path') share(c, a.key, W[a.group] * PATH_ONLY);
		else {
			allMatch = false;
			if (match === 'pattern' && source.kind === 'pattern')
				share(c, a.patternKey, W[a.group] * patternShare(source.parts));
			else if (match === 'differs') c.fixed += DIFFERS[a.group];
		}
	}
	let extra = false;
	if (facts.complete) {
		for (const [name, source] of site.attrs) {
			if (facts.attrs.has(name) || isAddedAttribute(name)) continue;
			extra = true;
			const group = groupOf(name);
			if (source.kind !== 'dynamic') c.fixed += SOURCE_ONLY[group];
			// A bound value renders too, unless it is null or false.
			else if (group !== 'other') c.fixed += PAGE_ONLY.other;
		}
	}
	let classesMatch = true;
	for (let i = 0; i < page.classes.length; i++) {
		if (site.classes.has(page.classes[i])) share(c, page.classKeys[i], W.class);
		else {
			classesMatch = false;
			if (!site.openClasses) c.fixed += PAGE_ONLY.class;
		}
	}
	if (facts.complete && site.classes.size) {
		let against = 0;
		for (const k of site.classes) {
			if (page.classes.includes(k) || (facts.classPrefix && k.startsWith(facts.classPrefix))) continue;
			classesMatch = false;
			against += SOURCE_ONLY.class;
		}
		c.fixed += Math.max(against, 3 * SOURCE_ONLY.class);
	}
	c.exactSnippet =
		facts.fromSnippet && facts.complete && allMatch && !extra && classesMatch && !site.openAttrs && !site.openClasses;
	if (c.exactSnippet) share(c, 's', page.attrs.length + page.classes.length > 0 ? SNIPPET_BONUS : SNIPPET_BONUS / 3);
}

/** Does an element inside the candidate carry the label as an attribute value (`alt="Acme Tools"`)? */
function childLabels(c: Candidate, label: TargetValue): boolean {
	const { site } = c;
	const content = c.source.text.slice(site.end, Math.min(site.contentEnd, site.end + 2000)).toLowerCase();
	return content.includes(`="${label.value}${label.truncated ? '' : '"'}`);
}

/** The label against the source's text and label attributes. */
function scoreLabel(page: Page, c: Candidate): void {
	const label = page.label;
	if (!label) return;
	for (const a of labelAttrs) {
		const v = c.site.attrs.get(a);
		if (v?.kind === 'static' && labelMatches(label, normalizeText(v.value))) return share(c, 'l', W.label);
	}
	const text = elementText(c.source.text, c.site, c.tags.flavour);
	if (text === undefined) return;
	if (!text.includes('\u0001')) {
		if (labelMatches(label, text)) share(c, 'l', W.label);
		// Lighthouse labels a link that holds only an image by the image's alt.
		else if (childLabels(c, label)) share(c, 'l', W.label * CHILD_LABEL);
		else if (text) c.fixed += TEXT_DIFFERS;
		return;
	}
	const parts = text.split('\u0001');
	// Text that is all expressions (`{t('cta')}`) says nothing.
	if (parts.every((p) => !p.trim())) return;
	if (fitsPattern(label, parts)) share(c, 'pl', W.label * patternShare(parts));
}

/** The selector's ancestors and position against the source's enclosing elements. */
function scoreStructure(facts: ElementFacts, c: Candidate): void {
	const { sites } = c.tags;
	let points = 0;
	let p = c.site.parent;
	for (const part of facts.ancestors) {
		if (p < 0) break;
		const a = sites[p];
		if (part.tag && part.tag !== a.tag) {
			points -= 1;
			break;
		}
		points += 0.3;
		if (part.id !== undefined) {
			const id = a.attrs.get('id');
			if (id?.kind === 'static') points += id.value === part.id ? 0.5 : -1;
		}
		if (part.classes.length) {
			if (part.classes.every((k) => a.classes.has(k))) points += 0.5;
			else if (!a.openClasses) points -= 0.5;
		}
		p = a.parent;
	}
	c.fixed += Math.min(points, 1.5);
	if (facts.nthOfType && c.site.nthOfType) c.fixed += facts.nthOfType === c.site.nthOfType ? 0.3 : -0.3;
	if (facts.nthChild && c.site.nthChild) c.fixed += facts.nthChild === c.site.nthChild ? 0.3 : -0.3;
	if (c.site.tag === 'html' || c.site.tag === 'head' || c.site.tag === 'body') c.fixed += SINGLETON;
	if (c.site.alias) c.fixed -= 0.5;
}

/** Each candidate's score: its fixed points plus its shared evidence divided by √(candidates sharing it). */
function totalScores(candidates: Candidate[]): void {
	const sharing = new Map<string, number>();
	for (const c of candidates) {
		const e = c.shared;
		if (e) for (let i = 0; i < e.length; i += 2) sharing.set(e[i] as string, (sharing.get(e[i] as string) ?? 0) + 1);
	}
	for (const c of candidates) {
		let points = 0;
		let classes = 0;
		const e = c.shared;
		if (e) {
			for (let i = 0; i < e.length; i += 2) {
				const key = e[i] as string;
				const p = (e[i + 1] as number) / Math.sqrt(sharing.get(key)!);
				if (key.startsWith('c:')) classes += p;
				else points += p;
			}
		}
		c.score = c.fixed + points + Math.min(classes, W.classesMax);
	}
}

function locationOf(c: Candidate, confidence: number, via: SourceLocation['via']): SourceLocation {
	const start = positionOf(c.tags, c.site.start);
	const end = positionOf(c.tags, c.site.end);
	return {
		file: c.source.file,
		line: start.line,
		column: start.column,
		endLine: end.line,
		endColumn: end.column,
		confidence: Math.round(confidence * 1000) / 1000,
		via,
	};
}

/**
 * Where an element is in its source: the best match of its snippet and its distinctive attributes (id,
 * classes, src/href, name, alt, text) in HTML, JSX/TSX, Vue, Svelte, Astro and template files, with a
 * confidence (0..1) that says how sure the match is (a unique id match is sure; one class among many is not).
 * Undefined when nothing matches. The caller gives a line only at or above LOCATE_MIN_CONFIDENCE. Pure.
 * The end position (`endLine`/`endColumn`) is just after the opening tag's `>` (exclusive, 1-based).
 *
 * Issue 11, owner: the element-placement helper. The signature is the contract the others build on.
 */
export function placeElement(target: ElementTarget, sources: readonly SourceText[]): SourceLocation | undefined {
	const facts = elementFacts(target);
	// One candidate per place: the same file given twice must not look like two equal matches.
	const byFile = new Map<string, SourceText>();
	for (const s of sources) if (flavourOf(s.file) && !byFile.has(s.file)) byFile.set(s.file, s);
	let pool = [...byFile.values()];

	const hint = devHint(facts.attrs, [...byFile.keys()]);
	if (hint) {
		const source = byFile.get(hint.file)!;
		const located = hint.line ? hintLocation(source, hint.line, hint.column, facts.tag) : undefined;
		if (located) return located;
		pool = [source];
	}

	const candidates: Candidate[] = [];
	const id = facts.attrs.get('id');
	if (!facts.tag && !id) return undefined;
	for (const source of pool) {
		const tags = facts.tag ? tagsFor(source.file, source.text, facts.tag) : tagsOf(source.file, source.text);
		if (!tags) continue;
		const indices = facts.tag
			? tags.byTag.get(facts.tag)
			: tags.sites.flatMap((s, i) => (s.attrs.has('id') ? [i] : []));
		for (const i of indices ?? [])
			candidates.push({ source, tags, site: tags.sites[i], fixed: 0, exactSnippet: false, score: 0 });
	}
	const page = pageOf(facts);
	for (const c of candidates) {
		scoreAttributes(page, c);
		scoreLabel(page, c);
		scoreStructure(facts, c);
	}
	totalScores(candidates);

	let best: Candidate | undefined;
	for (const c of candidates) if (c.score > 0 && (!best || c.score > best.score)) best = c;
	if (!best) return undefined;
	// Candidates with more against them than for them are not the element: only the others share the confidence.
	const top = Math.max(best.score, NONE_OF_THESE);
	let total = Math.exp(NONE_OF_THESE - top);
	for (const c of candidates) if (c.score > 0) total += Math.exp(c.score - top);
	return locationOf(best, Math.exp(best.score - top) / total, best.exactSnippet ? 'snippet' : 'attributes');
}

/** A dev-build hint's line: the tag written there when there is one, else the line itself. */
function hintLocation(
	source: SourceText,
	line: number,
	column: number | undefined,
	tag: string | undefined,
): SourceLocation | undefined {
	const tags = tagsOf(source.file, source.text);
	const from = lineOffset(tags, line);
	if (from < 0) return undefined;
	const to = lineOffset(tags, line + 1) < 0 ? source.text.length : lineOffset(tags, line + 1);
	const onLine = tags.sites.filter((s) => s.start >= from && s.start < to && (!tag || s.tag === tag));
	const site = onLine.find((s) => column === undefined || s.start - from + 1 === column) ?? onLine[0];
	if (site) {
		const c = { source, tags, site } as Candidate;
		return locationOf(c, 0.97, 'dev-hint');
	}
	return { file: source.file, line, column: column ?? 1, confidence: 0.9, via: 'dev-hint' };
}
