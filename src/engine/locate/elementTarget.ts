import { Parser } from 'htmlparser2';

/** A value from the page; Lighthouse ends a value it shortened with `…` (75 characters at most). */
export interface TargetValue {
	value: string;
	truncated: boolean;
}

/**
 * One compound of a CSS selector as Lighthouse and the CRO capture write them: `tag#id.class[attr="v"]:nth-of-type(n)`.
 */
export interface SelectorPart {
	tag?: string;
	id?: string;
	classes: string[];
	attrs: Map<string, string>;
	nthOfType?: number;
	nthChild?: number;
}

/** What the page says about the element, read from its snippet, selector and label. */
export interface ElementFacts {
	tag?: string;
	/** Lowercase attribute names, class apart. */
	attrs: Map<string, TargetValue>;
	classes: string[];
	/** The start of a class name Lighthouse cut off. */
	classPrefix?: string;
	/** True when the snippet lists every attribute (it drops `title`, and cuts the list past 500 characters). */
	complete: boolean;
	fromSnippet: boolean;
	label?: TargetValue;
	/** The selector's compounds above the element, nearest first. */
	ancestors: SelectorPart[];
	nthOfType?: number;
	nthChild?: number;
}

function targetValue(raw: string): TargetValue {
	return raw.endsWith('…') ? { value: raw.slice(0, -1), truncated: true } : { value: raw, truncated: false };
}

/** The opening tag of a snippet (`<img class="hero" src="/a.png">`), by the same parser the sources go through. */
function parseSnippet(snippet: string): { tag: string; attrs: Record<string, string> } | undefined {
	let found: { tag: string; attrs: Record<string, string> } | undefined;
	const parser = new Parser(
		{
			onopentag(name, attrs, isImplied) {
				if (!found && !isImplied) found = { tag: name, attrs };
			},
		},
		{ decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
	);
	parser.end(snippet);
	return found;
}

/** `\\.` → `.` (hex escapes were made plain escapes by parseSelector). */
const unescapeCss = (s: string): string => s.replace(/\\(.)/gu, '$1');

/** One compound selector; undefined for what this reader does not know (pseudo-elements, `:not(…)`). */
export function parseCompound(compound: string): SelectorPart | undefined {
	const part: SelectorPart = { classes: [], attrs: new Map() };
	const ident = String.raw`(?:\\.|[\w\-\u00a0-\uffff])+`;
	const token = new RegExp(
		String.raw`(${ident})|#(${ident})|\.(${ident})|\[\s*([\w-]+)\s*(?:[~|^$*]?=\s*(?:"([^"]*)"|'([^']*)'|([^\]\s]+)))?\s*\]|:nth-of-type\((\d+)\)|:nth-child\((\d+)\)|:(first-child|first-of-type)|:(?:nth-child|nth-of-type|last-child|last-of-type|nth-last-child|nth-last-of-type)(?:\([^)]*\))?`,
		'y',
	);
	let at = 0;
	while (at < compound.length) {
		token.lastIndex = at;
		const m = token.exec(compound);
		if (!m) return undefined;
		if (m[1] !== undefined) {
			if (at !== 0) return undefined;
			part.tag = m[1].toLowerCase();
		} else if (m[2] !== undefined) part.id = unescapeCss(m[2]);
		else if (m[3] !== undefined) part.classes.push(unescapeCss(m[3]));
		else if (m[4] !== undefined) {
			const v = m[5] ?? m[6] ?? m[7];
			// Only `[name="v"]` states the value; `^=`, `*=` and friends state a part of it.
			if (v !== undefined && new RegExp(String.raw`^\[\s*[\w-]+\s*=`).test(m[0])) part.attrs.set(m[4].toLowerCase(), v);
		} else if (m[8] !== undefined) part.nthOfType = Number(m[8]);
		else if (m[9] !== undefined) part.nthChild = Number(m[9]);
		else if (m[10] === 'first-child') part.nthChild = 1;
		else if (m[10] === 'first-of-type') part.nthOfType = 1;
		at = token.lastIndex;
	}
	return part;
}

/** The compounds of a selector, nearest to the element first; descendant and child combinators read alike. */
export function parseSelector(selector: string): SelectorPart[] | undefined {
	const parts: SelectorPart[] = [];
	// CSS.escape writes an id starting with a digit as `#\31 23`: the space ends the escape, not the compound.
	const plain = selector
		.trim()
		.replace(/\\([0-9a-fA-F]{1,6})\s?/g, (_, hex: string) => '\\' + String.fromCodePoint(parseInt(hex, 16)));
	for (const compound of plain.split(/\s*[>+~]\s*|\s+/)) {
		if (!compound) continue;
		const part = parseCompound(compound);
		if (!part) return undefined;
		parts.unshift(part);
	}
	return parts.length ? parts : undefined;
}

/** One per document; their text is the page's. */
const DOCUMENT_ELEMENTS = new Set(['html', 'head', 'body']);

/** Reads a finding's element target: the snippet when there is one, its selector, its label. */
export function elementFacts(target: { selector?: string; snippet?: string; nodeLabel?: string }): ElementFacts {
	const facts: ElementFacts = { attrs: new Map(), classes: [], complete: false, fromSnippet: false, ancestors: [] };
	const snippet = target.snippet?.trim();
	const parsed = snippet ? parseSnippet(snippet) : undefined;
	if (parsed) {
		facts.fromSnippet = true;
		facts.tag = parsed.tag;
		// Past 500 characters of attributes Lighthouse drops the rest and ends the tag with ` …>`.
		facts.complete = !/\s…>$/.test(snippet!);
		for (const [name, raw] of Object.entries(parsed.attrs)) {
			if (name === '…') continue;
			if (name === 'class') {
				const v = targetValue(raw);
				const words = v.value.split(/\s+/).filter(Boolean);
				if (v.truncated && words.length && !/\s$/.test(v.value)) facts.classPrefix = words.pop();
				facts.classes = words;
			} else facts.attrs.set(name, targetValue(raw));
		}
	}
	const parts = target.selector ? parseSelector(target.selector) : undefined;
	if (parts) {
		const [last, ...ancestors] = parts;
		facts.ancestors = ancestors;
		facts.nthOfType = last.nthOfType;
		facts.nthChild = last.nthChild;
		facts.tag ??= last.tag;
		if (!parsed) {
			if (last.id !== undefined) facts.attrs.set('id', { value: last.id, truncated: false });
			for (const [k, v] of last.attrs) if (k !== 'class') facts.attrs.set(k, { value: v, truncated: false });
			facts.classes = last.classes;
		}
	}
	const label = target.nodeLabel?.trim();
	// Lighthouse labels an element with no text of its own by its tag name (`html`, `img`): no words to compare. The
	// document's own elements have the whole page as their text, which says nothing about where the tag is either.
	if (label && label.toLowerCase() !== facts.tag && !(facts.tag && DOCUMENT_ELEMENTS.has(facts.tag)))
		facts.label = targetValue(label);
	return facts;
}
