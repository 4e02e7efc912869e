/**
 * An attribute value as the source writes it: a literal, a literal with template holes (`/img/{{ name }}.png`,
 * `` `btn ${x}` ``, `src="/a/{id}.png"`), or an expression whose value only the running page knows.
 */
export type AttrValue = { kind: 'static'; value: string } | { kind: 'pattern'; parts: string[] } | { kind: 'dynamic' };

/** One opening tag in a source file, with what the source says about the element it renders. */
export interface TagSite {
	/** Lowercase HTML tag name (a few link/image components are read as the tag they render). */
	tag: string;
	/** True for a component read as its tag (`<Image>` as `img`, `<Link>` as `a`): a little less sure. */
	alias: boolean;
	/** Offsets of `<` and just after the opening tag's `>`. */
	start: number;
	end: number;
	/** Lowercase DOM attribute names (`className` → `class`); framework directives and event handlers left out. */
	attrs: Map<string, AttrValue>;
	/** A spread (`{...props}`, `v-bind="obj"`): any attribute may be on the element. */
	openAttrs: boolean;
	/** The classes the source states literally. */
	classes: Set<string>;
	/** A class binding or a hole in the class attribute: the element may have classes beyond `classes`. */
	openClasses: boolean;
	/** Index of the enclosing HTML element in the same file, -1 when it is not known there (a component's root). */
	parent: number;
	/** 1-based position among the parent's children of the same tag in the source, 0 when unknown. */
	nthOfType: number;
	/** 1-based position among the parent's element children in the source, 0 when unknown. */
	nthChild: number;
	/** Offset of the closing tag, -1 for void or self-closing elements and unclosed ones. */
	contentEnd: number;
	/** The element's text content as far as the source states it, lowercase (computed on demand). */
	text?: string;
}

/** The opening tags of one source text, indexed by tag name, with its line starts for positions. */
export interface FileTags {
	flavour: Flavour;
	sites: TagSite[];
	byTag: Map<string, number[]>;
	lineStarts: number[];
}

/** How a file's markup is written, which decides its tokenizer and what its attribute syntax means. */
export type Flavour = 'html' | 'vue' | 'jsx' | 'svelte' | 'astro' | 'script';

const flavourByExtension: Record<string, Flavour> = {
	html: 'html',
	htm: 'html',
	xhtml: 'html',
	hbs: 'html',
	handlebars: 'html',
	mustache: 'html',
	njk: 'html',
	nunjucks: 'html',
	ejs: 'html',
	liquid: 'html',
	php: 'html',
	erb: 'html',
	twig: 'html',
	jinja: 'html',
	j2: 'html',
	vue: 'vue',
	svelte: 'svelte',
	astro: 'astro',
	// MDX is markdown with JSX: markup from the start, like an Astro component's template.
	mdx: 'astro',
	md: 'html',
	markdown: 'html',
	jsx: 'jsx',
	tsx: 'jsx',
	js: 'jsx',
	mjs: 'jsx',
	cjs: 'jsx',
	// TypeScript without JSX: `<T>x` is a type assertion, so only HTML in its strings and template literals counts.
	ts: 'script',
	mts: 'script',
	cts: 'script',
};

/** The flavour of a file by its extension, or undefined for files that hold no markup. */
export function flavourOf(file: string): Flavour | undefined {
	const dot = file.lastIndexOf('.');
	return dot < 0 ? undefined : flavourByExtension[file.slice(dot + 1).toLowerCase()];
}

/** Components that render one HTML element, read as that element (next/image, next/link, Vue and Nuxt routers). */
const componentAliases: Record<string, string> = {
	Image: 'img',
	Img: 'img',
	NuxtImg: 'img',
	Link: 'a',
	NavLink: 'a',
	NuxtLink: 'a',
	RouterLink: 'a',
	'nuxt-link': 'a',
	'router-link': 'a',
	'nuxt-img': 'img',
};

/** What a source must contain to hold a tag of this name: `<img`, `<IMG`, or a component read as it (`<Image`). */
export function tagOpeners(tag: string): string[] {
	const aliases = Object.keys(componentAliases).filter((name) => componentAliases[name] === tag);
	return [`<${tag}`, `<${tag.toUpperCase()}`, ...aliases.map((name) => `<${name}`)];
}

const voidTags = new Set([
	'area',
	'base',
	'br',
	'col',
	'embed',
	'hr',
	'img',
	'input',
	'link',
	'meta',
	'source',
	'track',
	'wbr',
]);

export function isVoidTag(tag: string): boolean {
	return voidTags.has(tag);
}

/** The HTML tag a source tag name renders: lowercase names and all-caps HTML as is, components only by alias. */
export function htmlTagOf(name: string): { tag: string; alias: boolean } | undefined {
	const aliased = componentAliases[name];
	if (aliased) return { tag: aliased, alias: true };
	if (/^[A-Z]/.test(name) && /[a-z]/.test(name)) return undefined;
	if (/[.:]/.test(name)) return undefined;
	return { tag: name.toLowerCase(), alias: false };
}

// Template holes in attribute values and text: Handlebars/Vue/Angular/Nunjucks/Liquid `{{ }}`, `{% %}`, EJS/ERB
// `<% %>`, PHP `<? ?>`, template literals `${ }`, and Svelte's `{ }` inside quoted values.
const holePattern = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|<%[\s\S]*?%>|<\?[\s\S]*?\?>|\$\{[^}]*\}/g;
const holePatternWithBraces = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|<%[\s\S]*?%>|<\?[\s\S]*?\?>|\$\{[^}]*\}|\{[^{}]*\}/g;

/** A written value with its template holes found: a literal, a pattern, or nothing known when it is all holes. */
export function valueWithHoles(raw: string, braces: boolean): AttrValue {
	const pattern = braces ? holePatternWithBraces : holePattern;
	pattern.lastIndex = 0;
	if (!pattern.test(raw)) return { kind: 'static', value: raw };
	pattern.lastIndex = 0;
	const parts = raw.split(pattern);
	return parts.every((p) => p.trim() === '') ? { kind: 'dynamic' } : { kind: 'pattern', parts };
}

const dynamic: AttrValue = { kind: 'dynamic' };
const plainName = /^[a-z][a-z0-9-]*$/;
/** Lowercase JSX and Vue props that never reach the DOM. */
const notRendered = new Set(['key', 'ref', 'children']);

/** Collects one tag's attributes into a site, reading each framework's syntax for what the DOM will carry. */
export class SiteAttrs {
	readonly attrs = new Map<string, AttrValue>();
	readonly classes = new Set<string>();
	openAttrs = false;
	openClasses = false;

	constructor(private readonly flavour: Flavour) {}

	spread(): void {
		this.openAttrs = true;
		this.openClasses = true;
	}

	add(rawName: string, value: AttrValue): void {
		const name = this.domName(rawName);
		if (name === undefined) return;
		if (name === '#open') return this.spread();
		if (name === '#classes') {
			this.openClasses = true;
			return;
		}
		// A bound attribute (`:src`, `v-bind:src`, `[src]`, `bind:value`) holds a value only the page knows.
		const v = name.startsWith('=') ? dynamic : value;
		const dom = name.startsWith('=') ? name.slice(1) : name;
		if (dom === 'class') return this.addClass(v);
		// A static attribute next to its bound twin (`class` with `:class` is handled above; `src` with `:src`): unknown.
		const had = this.attrs.get(dom);
		this.attrs.set(dom, had && had.kind !== v.kind ? dynamic : v);
	}

	private addClass(v: AttrValue): void {
		if (v.kind === 'dynamic') {
			this.openClasses = true;
			return;
		}
		if (v.kind === 'static') {
			for (const c of v.value.split(/\s+/)) if (c) this.classes.add(c);
			return;
		}
		// Only whole words away from the holes are known classes (`btn ${x}` states `btn`; `btn-${x}` states none).
		this.openClasses = true;
		v.parts.forEach((part, i) => {
			const words = part.split(/\s+/);
			words.forEach((w, j) => {
				const touchesHoleBefore = j === 0 && i > 0;
				const touchesHoleAfter = j === words.length - 1 && i < v.parts.length - 1;
				if (w && !touchesHoleBefore && !touchesHoleAfter) this.classes.add(w);
			});
		});
	}

	/**
	 * The DOM attribute a source attribute becomes: its lowercase name, `=name` for a bound value, `#open` for a
	 * spread, `#classes` for a class toggle, undefined for what never reaches the DOM (directives, handlers, keys).
	 */
	private domName(raw: string): string | undefined {
		// Most attributes are plain HTML names (`src`, `aria-label`), the same in every flavour.
		if (plainName.test(raw) && !raw.startsWith('v-') && !notRendered.has(raw)) return raw;
		if (raw.startsWith('...')) return '#open';
		switch (this.flavour) {
			case 'vue':
			case 'html': {
				if (raw === 'v-bind') return '#open';
				if (this.flavour === 'vue' && notRendered.has(raw)) return undefined;
				const bound = /^(?::|v-bind:)([^.]+)/.exec(raw);
				if (bound) return '=' + bound[1].toLowerCase();
				// Lit: `?hidden=${x}` binds, `.value=${x}` sets a property, `@click` listens.
				if (raw.startsWith('?')) return '=' + raw.slice(1).toLowerCase();
				if (/^(@|v-|#|\.)/.test(raw)) return undefined;
				// Angular: `[src]` and `[attr.src]` bind, `[class.x]` and `[ngClass]` toggle classes, `(click)`, `*ngIf`
				// and `[(ngModel)]` never render.
				if (/^\[(class\.|ngClass\])/i.test(raw)) return '#classes';
				const ng = /^\[(?:attr\.)?([^\]().]+)\]$/.exec(raw);
				if (ng) return '=' + ng[1].toLowerCase();
				if (/^[[(*]/.test(raw)) return undefined;
				return raw.toLowerCase();
			}
			case 'svelte': {
				if (/^(on|use|transition|in|out|animate|let):/.test(raw) || raw === 'bind:this') return undefined;
				if (raw.startsWith('bind:')) return '=' + raw.slice(5).toLowerCase();
				if (raw.startsWith('class:')) return '#classes';
				if (raw.startsWith('style:')) return '=style';
				return raw.toLowerCase();
			}
			case 'astro': {
				if (raw === 'class:list') return '=class';
				if (/^(set|client|is|server|transition):/.test(raw)) return undefined;
				return raw.toLowerCase();
			}
			default: {
				if (raw === 'className') return 'class';
				if (raw === 'htmlFor') return 'for';
				if (raw === 'defaultValue') return 'value';
				if (raw === 'defaultChecked') return 'checked';
				if (raw === 'classList') return '#classes';
				if (/^on[A-Z]/.test(raw) || notRendered.has(raw) || /^(dangerouslySetInnerHTML|suppress\w*Warning)$/.test(raw))
					return undefined;
				return raw.toLowerCase();
			}
		}
	}
}

/** Builds a file's sites: the tokenizers report tags, this keeps the per-parent counts for `nthOfType`/`nthChild`. */
export class SiteSink {
	readonly sites: TagSite[] = [];
	private readonly counts = new Map<string, number>();

	add(name: string, start: number, end: number, attrs: SiteAttrs, parent: number): number {
		const html = htmlTagOf(name);
		if (!html) return -1;
		const key = `${parent}|${html.tag}`;
		const nth = (this.counts.get(key) ?? 0) + 1;
		this.counts.set(key, nth);
		const childKey = `${parent}|`;
		const nthChild = (this.counts.get(childKey) ?? 0) + 1;
		this.counts.set(childKey, nthChild);
		this.sites.push({
			tag: html.tag,
			alias: html.alias,
			start,
			end,
			attrs: attrs.attrs,
			openAttrs: attrs.openAttrs,
			classes: attrs.classes,
			openClasses: attrs.openClasses,
			parent,
			nthOfType: parent >= 0 ? nth : 0,
			nthChild: parent >= 0 ? nthChild : 0,
			contentEnd: -1,
		});
		return this.sites.length - 1;
	}
}
