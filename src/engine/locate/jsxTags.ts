import { markupTags } from './markupTags';
import { isVoidTag, SiteAttrs, SiteSink, valueWithHoles, type AttrValue, type Flavour } from './tagSites';

// Where the scanner is: script code, an element's children (markup), or a template literal.
const JS = 0;
const CHILDREN = 1;
const TEMPLATE = 2;

interface Frame {
	kind: typeof JS | typeof CHILDREN | typeof TEMPLATE;
	/** JS: open braces; TEMPLATE: the literal's start offset. */
	depth: number;
	/** CHILDREN: the element's site (-1 for components and the file's root), and its name for closing tags. */
	site: number;
	name: string;
}

/** Words after which `<` starts an expression (so JSX), not a comparison or a type argument. */
const keywordsBeforeExpression = new Set([
	'return',
	'yield',
	'await',
	'case',
	'default',
	'else',
	'do',
	'in',
	'of',
	'typeof',
	'void',
	'delete',
	'throw',
	'new',
]);
const punctuationBeforeExpression = new Set('([{,;:=?!&|>}+-*%~^');
const attrNamePattern = /^[A-Za-z_$:@][\w$:.\-|]*$/;
// Sticky patterns, read at a position by setting lastIndex (made once: a regex literal in a loop is a new object).
const tagName = /[A-Za-z][\w.:-]*/y;
const attrName = /[^\s"'<>/=`{}]+/y;
const unquotedValue = /[^\s>]+/y;
const closingTag = /<\/\s*([\w.:-]*)\s*>/y;

function isIdentChar(code: number): boolean {
	return (
		(code >= 48 && code <= 57) ||
		(code >= 65 && code <= 90) ||
		(code >= 97 && code <= 122) ||
		code === 95 ||
		code === 36
	);
}

function isSpace(code: number): boolean {
	return code === 32 || code === 9 || code === 10 || code === 13 || code === 12;
}

function isLetter(code: number): boolean {
	return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/**
 * The opening tags of JSX/TSX and of Svelte and Astro components, by a small scanner that follows script code,
 * markup children and template literals (no parser of TypeScript is shipped). In script code, `<` starts an
 * element only where an expression can start (after `(`, `=`, `return`, `=>`, …) and when a well-formed tag
 * follows, so `a < b`, `i<n` and `useState<string>()` are no tags; a capitalised tag followed by `(` is a generic
 * arrow function. HTML in strings and template literals (innerHTML, lit) is read as markup. Tolerant: a
 * malformed tag is skipped, not an error. `from`/`to` scan a part of the text (an HTML page's inline script).
 */
export function jsxTags(text: string, flavour: Flavour, sink: SiteSink, from = 0, to = text.length): void {
	const n = to;
	const jsx = flavour !== 'script';
	const markupRoot = flavour === 'svelte' || flavour === 'astro';
	let i = from;
	if (flavour === 'astro' && from === 0) {
		// The frontmatter is script code that renders nothing.
		const fence = /^\s*---\r?\n[\s\S]*?\r?\n---[^\n]*/.exec(text);
		if (fence) i = fence[0].length;
	}
	const root: Frame = { kind: markupRoot ? CHILDREN : JS, depth: 0, site: -1, name: '' };
	const stack: Frame[] = [root];

	const fragment = (start: number, end: number): void => {
		if (/<[A-Za-z]/.test(text.slice(start, end))) markupTags(text.slice(start, end), 'html', start, sink);
	};
	const parentSite = (): number => {
		for (let k = stack.length - 1; k >= 0; k--) if (stack[k].kind === CHILDREN) return stack[k].site;
		return -1;
	};

	/** Offset after the `}` that closes the `{` at `from` (strings, template literals and comments skipped), or -1. */
	const skipBraces = (from: number): number => {
		let depth = 0;
		for (let k = from; k < n; k++) {
			const c = text.charCodeAt(k);
			if (c === 123) depth++;
			else if (c === 125) {
				if (--depth === 0) return k + 1;
			} else if (c === 34 || c === 39 || c === 96) {
				k = skipString(k);
				if (k < 0) return -1;
			} else if (c === 47 && text.charCodeAt(k + 1) === 42) {
				const e = text.indexOf('*/', k + 2);
				if (e < 0) return -1;
				k = e + 1;
			}
		}
		return -1;
	};
	/** Offset of the quote that closes the string or template literal opened at `from` (nested `${}` skipped), or -1. */
	const skipString = (from: number): number => {
		const q = text.charCodeAt(from);
		for (let k = from + 1; k < n; k++) {
			const c = text.charCodeAt(k);
			if (c === 92) k++;
			else if (c === q) return k;
			else if (q === 96 && c === 36 && text.charCodeAt(k + 1) === 123) {
				k = skipBraces(k + 1) - 1;
				if (k < 0) return -1;
			} else if (c === 10 && q !== 96) return -1;
		}
		return -1;
	};

	/** May `<` at `at` start an element here in script code? Looks at the token before it. */
	const expressionCanStart = (at: number): boolean => {
		let k = at - 1;
		while (k >= 0 && isSpace(text.charCodeAt(k))) k--;
		if (k < 0) return true;
		const c = text.charCodeAt(k);
		if (isIdentChar(c)) {
			let s = k;
			while (s > 0 && isIdentChar(text.charCodeAt(s - 1))) s--;
			return keywordsBeforeExpression.has(text.slice(s, k + 1));
		}
		return punctuationBeforeExpression.has(text[k]);
	};

	/** An attribute value in braces: a string or template literal is a value, anything else an expression. */
	const braceValue = (inner: string): AttrValue => {
		const s = inner.trim();
		const lit = /^(["'])([^"'\\]*)\1$/.exec(s);
		if (lit) return { kind: 'static', value: lit[2] };
		if (/^`[^`]*`$/.test(s)) return valueWithHoles(s.slice(1, -1), false);
		return { kind: 'dynamic' };
	};

	/** Reads the tag at `at` (`<name …>`); undefined when it is not one. */
	const readTag = (at: number): { name: string; end: number; selfClosing: boolean; attrs: SiteAttrs } | undefined => {
		tagName.lastIndex = at + 1;
		const m = tagName.exec(text);
		if (!m) return undefined;
		const name = m[0];
		let j = at + 1 + name.length;
		const after = text.charCodeAt(j);
		if (!(isSpace(after) || after === 62 || after === 47 || after === 123)) return undefined;
		const attrs = new SiteAttrs(flavour);
		for (;;) {
			while (j < n && isSpace(text.charCodeAt(j))) j++;
			if (j >= n) return undefined;
			const c = text.charCodeAt(j);
			if (c === 62) return { name, end: j + 1, selfClosing: false, attrs };
			if (c === 47 && text.charCodeAt(j + 1) === 62) return { name, end: j + 2, selfClosing: true, attrs };
			if (c === 47 && text.charCodeAt(j + 1) === 42 && flavour === 'jsx') {
				const e = text.indexOf('*/', j + 2);
				if (e < 0) return undefined;
				j = e + 2;
				continue;
			}
			if (c === 123) {
				const e = skipBraces(j);
				if (e < 0) return undefined;
				const inner = text.slice(j + 1, e - 1).trim();
				if (inner.startsWith('...')) attrs.spread();
				// Svelte's shorthand `{src}` is `src={src}`.
				else if (/^[A-Za-z_$][\w$]*$/.test(inner)) attrs.add(inner, { kind: 'dynamic' });
				else return undefined;
				j = e;
				continue;
			}
			attrName.lastIndex = j;
			const a = attrName.exec(text);
			if (!a || !attrNamePattern.test(a[0])) return undefined;
			j += a[0].length;
			let k = j;
			while (k < n && isSpace(text.charCodeAt(k))) k++;
			if (text.charCodeAt(k) !== 61) {
				attrs.add(a[0], { kind: 'static', value: '' });
				continue;
			}
			k++;
			while (k < n && isSpace(text.charCodeAt(k))) k++;
			const v = text.charCodeAt(k);
			if (v === 34 || v === 39) {
				const e = text.indexOf(text[k], k + 1);
				if (e < 0) return undefined;
				const raw = text.slice(k + 1, e);
				// JSX strings are literal; Svelte and Astro quoted values may hold `{expr}` holes.
				attrs.add(
					a[0],
					flavour === 'jsx' ? { kind: 'static', value: decodeBasicEntities(raw) } : valueWithHoles(raw, true),
				);
				j = e + 1;
			} else if (v === 123) {
				const e = skipBraces(k);
				if (e < 0) return undefined;
				attrs.add(a[0], braceValue(text.slice(k + 1, e - 1)));
				j = e;
			} else if (jsx && flavour !== 'jsx') {
				unquotedValue.lastIndex = k;
				const u = unquotedValue.exec(text);
				if (!u) return undefined;
				attrs.add(a[0], valueWithHoles(u[0], true));
				j = k + u[0].length;
			} else return undefined;
		}
	};

	while (i < n) {
		const top = stack[stack.length - 1];
		const c = text.charCodeAt(i);
		if (top.kind === TEMPLATE) {
			if (c === 92) i += 2;
			else if (c === 96) {
				stack.pop();
				fragment(top.depth, i);
				i++;
			} else if (c === 36 && text.charCodeAt(i + 1) === 123) {
				stack.push({ kind: JS, depth: 0, site: -1, name: '' });
				i += 2;
			} else i++;
			continue;
		}
		if (top.kind === JS) {
			if (c === 47 && text.charCodeAt(i + 1) === 47) {
				const e = text.indexOf('\n', i);
				i = e < 0 ? n : e;
			} else if (c === 47 && text.charCodeAt(i + 1) === 42) {
				const e = text.indexOf('*/', i + 2);
				i = e < 0 ? n : e + 2;
			} else if (c === 34 || c === 39) {
				const e = skipString(i);
				if (e < 0) i++;
				else {
					fragment(i + 1, e);
					i = e + 1;
				}
			} else if (c === 96) {
				stack.push({ kind: TEMPLATE, depth: i + 1, site: -1, name: '' });
				i++;
			} else if (c === 123) {
				top.depth++;
				i++;
			} else if (c === 125) {
				if (top.depth > 0) top.depth--;
				else if (stack.length > 1) stack.pop();
				i++;
			} else if (c === 60 && jsx && expressionCanStart(i)) i = element(i);
			else i++;
			continue;
		}
		// Markup children.
		if (c === 123) {
			stack.push({ kind: JS, depth: 0, site: -1, name: '' });
			i++;
		} else if (c === 60) {
			if (text.startsWith('<!--', i)) {
				const e = text.indexOf('-->', i + 4);
				i = e < 0 ? n : e + 3;
			} else if (text.charCodeAt(i + 1) === 47) i = closing(i);
			else i = element(i);
		} else i++;
	}

	/** Handles `</name>`: closes the innermost open element of that name among the markup frames on top. */
	function closing(at: number): number {
		closingTag.lastIndex = at;
		const r = closingTag.exec(text);
		if (!r) return at + 1;
		const name = r[1] || '#fragment';
		for (let k = stack.length - 1; k > 0 && stack[k].kind === CHILDREN; k--) {
			if (stack[k].name !== name) continue;
			const site = sink.sites[stack[k].site];
			if (site) site.contentEnd = at;
			stack.length = k;
			break;
		}
		return at + r[0].length;
	}

	/** Handles `<` that may open an element (or a fragment `<>`); returns where to go on. */
	function element(at: number): number {
		if (text.charCodeAt(at + 1) === 62) {
			stack.push({ kind: CHILDREN, depth: 0, site: -1, name: '#fragment' });
			return at + 2;
		}
		if (!isLetter(text.charCodeAt(at + 1))) return at + 1;
		const tag = readTag(at);
		if (!tag) return at + 1;
		const inScript = stack[stack.length - 1].kind === JS;
		if (inScript && !tag.selfClosing && /^[A-Z]/.test(tag.name)) {
			// `<T extends X>(x: T) => …` in a .tsx file: a generic arrow function, not an element.
			let k = tag.end;
			while (k < n && isSpace(text.charCodeAt(k))) k++;
			if (text.charCodeAt(k) === 40) return at + 1;
		}
		const site = sink.add(tag.name, at, tag.end, tag.attrs, parentSite());
		const lower = tag.name.toLowerCase();
		if (tag.selfClosing || isVoidTag(lower)) return tag.end;
		if ((lower === 'script' || lower === 'style') && flavour !== 'jsx') {
			// Svelte's and Astro's scripts and styles are not markup.
			const close = new RegExp(`</${lower}`, 'ig');
			close.lastIndex = tag.end;
			return close.exec(text)?.index ?? n;
		}
		stack.push({ kind: CHILDREN, depth: 0, site, name: tag.name });
		return tag.end;
	}
}

/** The few entities JSX text and strings use. */
export function decodeBasicEntities(s: string): string {
	if (!s.includes('&')) return s;
	return s.replace(/&(amp|lt|gt|quot|apos|nbsp|#39|#x27);/g, (_, e: string) =>
		e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'nbsp' ? '\u00a0' : "'",
	);
}
