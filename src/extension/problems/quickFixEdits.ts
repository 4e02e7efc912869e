/**
 * The edits of a finding's quick fix, computed over the document's text without `vscode` (so they are
 * unit-tested). Element fixes edit the opening tag at the diagnostic's range, and only when it is the tag the
 * fix is for; page fixes (meta description, preconnect) go into the document's `<head>`. Nothing is edited
 * when the fix is already there. JSX files take the same attributes, `htmlFor` for `for`.
 */
import type { QuickFix } from '../../protocol';
import type { ZeroRange } from './findingDiagnostics';

/** Text to insert at `offset`; `cursor` is where the caret goes in it (a tab stop, with the text it selects). */
export interface TextInsert {
	offset: number;
	text: string;
	cursor?: { at: number; length: number };
}

export interface QuickFixPlan {
	title: string;
	/** The obvious fix for its finding (VS Code offers it first, and on Auto Fix). */
	preferred: boolean;
	inserts: TextInsert[];
}

export interface QuickFixOptions {
	/** JSX or TSX: attribute names of React (`htmlFor`). */
	jsx?: boolean;
}

/** True for files whose markup is JSX (`htmlFor`, `className`). */
export function isJsxFile(file: string): boolean {
	return /\.(jsx|tsx)$/i.test(file);
}

/** The edits of `fix` for the diagnostic at `range` of `text`, or undefined when it does not apply there. */
export function quickFixPlan(
	text: string,
	range: ZeroRange,
	fix: QuickFix,
	opts: QuickFixOptions = {},
): QuickFixPlan | undefined {
	const start = offsetAt(text, range.startLine, range.startCharacter);
	const end = Math.max(start, offsetAt(text, range.endLine, range.endCharacter));
	const at = (names: readonly string[]): Tag | undefined => {
		const tag = tagAtRange(text, start, end);
		return tag && names.includes(tag.name.toLowerCase()) ? tag : undefined;
	};
	switch (fix.kind) {
		case 'add-alt': {
			const tag = at(['img']);
			if (!tag || tag.attrs.has('alt')) return undefined;
			// Empty alt marks the image decorative; the caret lands between the quotes to describe it instead.
			return { title: 'Add alt text to the image', preferred: true, inserts: [attributeInsert(tag, 'alt', '', true)] };
		}
		case 'add-lang': {
			if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(fix.lang)) return undefined;
			// A page has one <html>: when the finding is not on its line, the document's own is the one.
			const tag = at(['html']) ?? firstTag(text, 'html');
			if (!tag || tag.attrs.has('lang')) return undefined;
			return {
				title: `Add lang="${fix.lang}" to <html>`,
				preferred: true,
				inserts: [attributeInsert(tag, 'lang', fix.lang)],
			};
		}
		case 'add-size': {
			if (!isSize(fix.width) || !isSize(fix.height)) return undefined;
			const tag = at(['img']);
			if (!tag) return undefined;
			const missing = (['width', 'height'] as const).filter((a) => !tag.attrs.has(a));
			if (!missing.length) return undefined;
			const attrs = missing.map((a) => `${a}="${a === 'width' ? fix.width : fix.height}"`).join(' ');
			return {
				title: `Add ${attrs} to the image`,
				preferred: true,
				inserts: [{ offset: tag.insertAt, text: ` ${attrs}` }],
			};
		}
		case 'lazy-load': {
			const tag = at(['img', 'iframe']);
			if (!tag || tag.attrs.has('loading')) return undefined;
			return {
				title: 'Load the image lazily (loading="lazy")',
				preferred: false,
				inserts: [attributeInsert(tag, 'loading', 'lazy')],
			};
		}
		case 'fetchpriority-high': {
			const tag = at(['img']);
			if (!tag || tag.attrs.has('fetchpriority')) return undefined;
			return {
				title: 'Fetch the image first (fetchpriority="high")',
				preferred: true,
				inserts: [attributeInsert(tag, 'fetchpriority', 'high')],
			};
		}
		case 'label-for':
			return labelFor(text, at(['input', 'select', 'textarea']), fix.inputId, opts);
		case 'add-meta-description': {
			if (/<meta\b[^>]*\bname\s*=\s*["']?description\b/i.test(text)) return undefined;
			const insert = headInsert(text, '<meta name="description" content="" />', 'content="');
			return insert && { title: 'Add a meta description', preferred: true, inserts: [insert] };
		}
		case 'preconnect': {
			let origin: string;
			try {
				const u = new URL(fix.origin);
				if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
				origin = u.origin;
			} catch {
				return undefined;
			}
			const links = text.match(/<link\b[^>]*>/gi) ?? [];
			if (links.some((l) => /\brel\s*=\s*["']?preconnect\b/i.test(l) && l.includes(origin))) return undefined;
			const insert = headInsert(text, `<link rel="preconnect" href="${origin}" />`);
			return insert && { title: `Preconnect to ${origin}`, preferred: false, inserts: [insert] };
		}
	}
}

function isSize(n: number): boolean {
	return Number.isInteger(n) && n > 0 && n < 100_000;
}

/** ` name="value"` after the tag's last attribute; with the caret inside the quotes when `cursor`. */
function attributeInsert(tag: Tag, name: string, value: string, cursor = false): TextInsert {
	const text = ` ${name}="${value}"`;
	return {
		offset: tag.insertAt,
		text,
		...(cursor ? { cursor: { at: text.length - 1 - value.length, length: value.length } } : {}),
	};
}

/** A `<label for>` before the field, and an id on the field when it has none. */
function labelFor(
	text: string,
	tag: Tag | undefined,
	suggestedId: string,
	opts: QuickFixOptions,
): QuickFixPlan | undefined {
	if (!tag) return undefined;
	const own = tag.attrs.get('id');
	// An id that is not a plain name: an expression (JSX), or nothing to point at.
	if (own !== undefined && !/^[A-Za-z][\w:.-]*$/.test(own)) return undefined;
	const id = own ?? suggestedId;
	if (!/^[A-Za-z][\w:.-]*$/.test(id)) return undefined;
	const forAttr = opts.jsx ? 'htmlFor' : 'for';
	const inserts: TextInsert[] = [];
	const labelled = new RegExp(`<label\\b[^>]*\\b(for|htmlFor)\\s*=\\s*["']${id.replace(/[.:]/g, '\\$&')}["']`).test(
		text,
	);
	if (!labelled) {
		const words = (tag.attrs.get('name') ?? id).replace(/[-_]+/g, ' ').trim();
		const caption = words.charAt(0).toUpperCase() + words.slice(1);
		const open = `<label ${forAttr}="${id}">`;
		const lineStart = text.lastIndexOf('\n', tag.start - 1) + 1;
		const indent = text.slice(lineStart, tag.start);
		// On a line of its own when the field is, else just before it.
		const before = /^[ \t]*$/.test(indent)
			? { offset: lineStart, prefix: indent, suffix: '\n' }
			: { offset: tag.start, prefix: '', suffix: ' ' };
		const label = `${before.prefix}${open}${caption}</label>${before.suffix}`;
		inserts.push({
			offset: before.offset,
			text: label,
			cursor: { at: before.prefix.length + open.length, length: caption.length },
		});
	}
	if (own === undefined) inserts.push({ offset: tag.insertAt, text: ` id="${id}"` });
	if (!inserts.length) return undefined;
	return { title: `Add a label for the field (${forAttr}="${id}")`, preferred: true, inserts };
}

/**
 * `element` on a line of its own right after `<head>`, indented like the head's contents; the caret after `caretAfter`.
 */
function headInsert(text: string, element: string, caretAfter?: string): TextInsert | undefined {
	const head = firstTag(text, 'head');
	if (!head) return undefined;
	const headLineStart = text.lastIndexOf('\n', head.start - 1) + 1;
	const headIndent = /^[ \t]*/.exec(text.slice(headLineStart))?.[0] ?? '';
	const next = /\n([ \t]*)\S/.exec(text.slice(head.end));
	const indent = next && next[1].length > headIndent.length ? next[1] : `${headIndent}\t`;
	const insert = `\n${indent}${element}`;
	const caret = caretAfter ? insert.indexOf(caretAfter) : -1;
	return {
		offset: head.end,
		text: insert,
		...(caret >= 0 ? { cursor: { at: caret + caretAfter!.length, length: 0 } } : {}),
	};
}

/**
 * An opening tag: where it starts and ends, where new attributes go, and its attributes (lower-cased names; value
 * undefined for an expression).
 */
export interface Tag {
	name: string;
	start: number;
	/** Just past its `>`. */
	end: number;
	/** Just past its last attribute (before `/>` or `>`). */
	insertAt: number;
	attrs: Map<string, string | undefined>;
}

/** The opening tag that holds `start`, else the first that begins in [start, end), else undefined. */
export function tagAtRange(text: string, start: number, end: number): Tag | undefined {
	const lt = text.lastIndexOf('<', start);
	if (lt >= 0) {
		const tag = parseTag(text, lt);
		if (tag && tag.end > start) return tag;
	}
	const re = /<[A-Za-z]/g;
	re.lastIndex = start;
	const m = re.exec(text);
	return m && m.index < Math.max(end, start + 1) ? parseTag(text, m.index) : undefined;
}

/** The document's first `<name …>` opening tag. */
function firstTag(text: string, name: string): Tag | undefined {
	const re = new RegExp(`<${name}(?=[\\s/>])`, 'gi');
	for (let m = re.exec(text); m; m = re.exec(text)) {
		const tag = parseTag(text, m.index);
		if (tag) return tag;
	}
	return undefined;
}

/** Parse the opening tag at `lt` (a `<`): HTML attributes, and JSX's `{…}` values and spreads. */
export function parseTag(text: string, lt: number): Tag | undefined {
	const nameMatch = /^<([A-Za-z][\w:.-]*)/.exec(text.slice(lt, lt + 256));
	if (!nameMatch) return undefined;
	const attrs = new Map<string, string | undefined>();
	let i = lt + nameMatch[0].length;
	let insertAt = i;
	for (;;) {
		while (i < text.length && /\s/.test(text[i])) i++;
		if (i >= text.length) return undefined;
		const c = text[i];
		if (c === '>' || (c === '/' && text[i + 1] === '>')) {
			const end = c === '>' ? i + 1 : i + 2;
			return { name: nameMatch[1], start: lt, end, insertAt, attrs };
		}
		if (c === '<') return undefined;
		if (c === '{') {
			i = skipBraces(text, i);
			if (i < 0) return undefined;
			insertAt = i;
			continue;
		}
		const name = /^[^\s"'<>/=]+/.exec(text.slice(i, i + 256))?.[0];
		if (!name) return undefined;
		i += name.length;
		let value: string | undefined = '';
		let j = i;
		while (j < text.length && /\s/.test(text[j])) j++;
		if (text[j] === '=') {
			j++;
			while (j < text.length && /\s/.test(text[j])) j++;
			const q = text[j];
			if (q === '"' || q === "'") {
				const close = text.indexOf(q, j + 1);
				if (close < 0) return undefined;
				value = text.slice(j + 1, close);
				i = close + 1;
			} else if (q === '{') {
				i = skipBraces(text, j);
				if (i < 0) return undefined;
				value = undefined;
			} else {
				const raw = /^[^\s>]+/.exec(text.slice(j, j + 4096))?.[0] ?? '';
				value = raw;
				i = j + raw.length;
			}
		}
		attrs.set(name.toLowerCase(), value);
		insertAt = i;
	}
}

/** Past the `}` that closes the `{` at `i` (strings and nesting respected), or -1. */
function skipBraces(text: string, i: number): number {
	let depth = 0;
	for (let k = i; k < text.length; k++) {
		const c = text[k];
		if (c === '"' || c === "'" || c === '`') {
			const close = text.indexOf(c, k + 1);
			if (close < 0) return -1;
			k = close;
		} else if (c === '{') depth++;
		else if (c === '}' && --depth === 0) return k + 1;
	}
	return -1;
}

/** The offset of a 0-based line and character, clamped to the line and the text. */
export function offsetAt(text: string, line: number, character: number): number {
	let offset = 0;
	for (let l = 0; l < line; l++) {
		const nl = text.indexOf('\n', offset);
		if (nl < 0) return text.length;
		offset = nl + 1;
	}
	const nl = text.indexOf('\n', offset);
	const lineEnd = nl < 0 ? text.length : nl > 0 && text[nl - 1] === '\r' ? nl - 1 : nl;
	return Math.min(offset + Math.max(0, character), lineEnd);
}
