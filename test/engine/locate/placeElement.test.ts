import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'htmlparser2';
import type { Element } from 'domhandler';
import { LOCATE_MIN_CONFIDENCE } from '../../../src/protocol';
import { placeElement, type ElementTarget, type SourceText } from '../../../src/engine/locate/placeElement';
import { tagsFor, tagsOf } from '../../../src/engine/locate/fileTags';

const el = (snippet?: string, selector?: string, nodeLabel?: string): ElementTarget => ({
	kind: 'element',
	...(snippet ? { snippet } : {}),
	...(selector ? { selector } : {}),
	...(nodeLabel ? { nodeLabel } : {}),
});

/** The 1-based line and column where `needle` starts in `text` (its `nth` occurrence). */
function at(text: string, needle: string, nth = 1): { line: number; column: number } {
	let i = -1;
	for (let k = 0; k < nth; k++) {
		i = text.indexOf(needle, i + 1);
		assert.ok(i >= 0, `fixture lacks ${needle}`);
	}
	const before = text.slice(0, i).split('\n');
	return { line: before.length, column: before.at(-1)!.length + 1 };
}

function assertPlaced(
	found: ReturnType<typeof placeElement>,
	source: SourceText,
	needle: string,
	opts: { nth?: number; via?: string; min?: number } = {},
): void {
	assert.ok(found, `${needle} was not placed`);
	const want = at(source.text, needle, opts.nth);
	assert.equal(found.file, source.file);
	assert.deepEqual({ line: found.line, column: found.column }, want, `${needle} placed elsewhere`);
	assert.ok(found.confidence >= (opts.min ?? 0.9), `confidence ${found.confidence} for ${needle}`);
	if (opts.via) assert.equal(found.via, opts.via);
}

function assertNotPlaced(found: ReturnType<typeof placeElement>): void {
	assert.ok(
		!found || found.confidence < LOCATE_MIN_CONFIDENCE,
		`placed with confidence ${found?.confidence} at ${found?.file}:${found?.line}`,
	);
}

/** A source file of these lines. */
const lines = (file: string, ...text: string[]): SourceText => ({ file, text: text.join('\n') });

const page = (file: string, body: string): SourceText => ({
	file,
	text: `<!doctype html>\n<html lang="en">\n<head><title>t</title></head>\n<body>\n${body}\n</body>\n</html>\n`,
});

describe('placeElement', () => {
	describe('HTML', () => {
		it('places a unique image on its opening tag, start and end, from its snippet', () => {
			const src = page(
				'/w/index.html',
				'<main>\n\t<p>Hi</p>\n\t<img class="hero-image" src="/img/hero.png">\n\t<img src="/img/other.png" alt="x">\n</main>',
			);
			const found = placeElement(el('<img class="hero-image" src="/img/hero.png">', 'body > main > img.hero-image'), [
				src,
			]);
			assertPlaced(found, src, '<img class="hero-image"', { via: 'snippet' });
			const end = at(src.text, '\n\t<img src="/img/other');
			assert.deepEqual({ line: found!.endLine, column: found!.endColumn }, { line: end.line, column: end.column });
		});

		it('matches a src Lighthouse printed as an absolute URL, and a relative one, by path', () => {
			const src = page(
				'/w/a.html',
				'<img src="./img/a.png" width="10">\n<img src="img/b.png" width="10">\n<img src="/img/c.png" width="10">',
			);
			const a = placeElement(el('<img src="http://localhost:8080/img/a.png?v=3" width="10">'), [src]);
			assertPlaced(a, src, '<img src="./img/a.png"');
			const b = placeElement(el('<img src="https://cdn.example.com/site/img/b.png" width="10">'), [src]);
			assertPlaced(b, src, '<img src="img/b.png"');
		});

		it('reads snippets Lighthouse shortened: long values end in …, long attribute lists in " …>"', () => {
			const longSrc = '/img/' + 'a'.repeat(90) + '.png';
			const src = page(
				'/w/long.html',
				`<img src="/img/${'b'.repeat(90)}.png" alt="B">\n<img class="one two three" src="${longSrc}" alt="A" data-x="${'y'.repeat(600)}" data-z="1">`,
			);
			const shortened = `<img class="one two three" src="${longSrc.slice(0, 74)}…" alt="A" data-x="${'y'.repeat(74)}…" …>`;
			assertPlaced(placeElement(el(shortened), [src]), src, '<img class="one two three"', { via: 'attributes' });
		});

		it('does not guess between two identical elements, in one file or in two', () => {
			const one = page('/w/one.html', '<img src="/a.png">\n<p>x</p>\n<img src="/a.png">');
			assertNotPlaced(placeElement(el('<img src="/a.png">'), [one]));
			const a = page('/w/a.html', '<button class="buy">Buy</button>');
			const b = page('/w/b.html', '<button class="buy">Buy</button>');
			assertNotPlaced(placeElement(el('<button class="buy">', 'body > button.buy', 'Buy'), [a, b]));
		});

		it('tells identical tags apart by the selector`s ancestors, and not without them', () => {
			const src = page(
				'/w/nav.html',
				'<header class="site"><nav><a href="/pricing">Pricing</a></nav></header>\n<footer class="site-footer"><p><a href="/pricing">Pricing</a></p></footer>',
			);
			const snippet = '<a href="/pricing">';
			const inFooter = placeElement(el(snippet, 'body > footer.site-footer > p > a', 'Pricing'), [src]);
			assertPlaced(inFooter, src, '<a href="/pricing">', { nth: 2, min: 0.7 });
			assertPlaced(
				placeElement(el(snippet, 'body > header.site > nav > a', 'Pricing'), [src]),
				src,
				'<a href="/pricing">',
				{ min: 0.7 },
			);
			assertNotPlaced(placeElement(el(snippet, undefined, 'Pricing'), [src]));
		});

		it('reads the HTML an inline script writes, and template scripts as markup', () => {
			const src = page(
				'/w/inline.html',
				[
					'<script>',
					'\tif (1 < 2) document.body.insertAdjacentHTML("beforeend", \'<img src="/promo.png" class="promo">\');',
					'</script>',
					'<script type="text/template" id="row"><a class="row-link" href="/rows">Rows</a></script>',
					'<script type="application/ld+json">{"logo": "<img src=\\"/promo.png\\">"}</script>',
				].join('\n'),
			);
			assertPlaced(
				placeElement(el('<img src="/promo.png" class="promo">'), [src]),
				src,
				'<img src="/promo.png" class="promo">',
			);
			assertPlaced(
				placeElement(el('<a class="row-link" href="/rows">', undefined, 'Rows'), [src]),
				src,
				'<a class="row-link"',
			);
		});

		it('does not count elements in comments', () => {
			const html = page('/w/c.html', '<!-- <img src="/a.png"> -->\n<img src="/a.png">');
			const jsx = lines(
				'/w/C.jsx',
				'export const C = () => (',
				'\t<div>',
				'\t\t{/* <img src="/b.png" /> */}',
				'\t\t<img src="/b.png" />',
				'\t</div>',
				');',
				'// <img src="/b.png" />',
			);
			assertPlaced(placeElement(el('<img src="/a.png">'), [html]), html, '<img src="/a.png">', { nth: 2 });
			assertPlaced(placeElement(el('<img src="/b.png">'), [jsx]), jsx, '<img src="/b.png" />', { nth: 2 });
		});

		it('tells two elements with the same src apart by their classes and text', () => {
			const src = page(
				'/w/p.html',
				'<a class="nav" href="/pricing">Pricing</a>\n<a class="cta primary" href="/pricing">See prices</a>',
			);
			assertPlaced(
				placeElement(el('<a class="cta primary" href="/pricing">', 'body > a.cta', 'See prices'), [src]),
				src,
				'<a class="cta',
			);
			assertPlaced(
				placeElement(el('<a class="nav" href="/pricing">', 'body > a.nav', 'Pricing'), [src]),
				src,
				'<a class="nav"',
			);
		});

		it('takes a link`s label from the alt of the image it holds, as Lighthouse does', () => {
			const src = page('/w/logo.html', '<a href="/">Home</a>\n<a href="/"><img src="/logo.png" alt="Acme Tools"></a>');
			assertPlaced(placeElement(el('<a href="/">', 'body > a', 'Acme Tools'), [src]), src, '<a href="/"><img', {
				min: 0.7,
			});
			assertPlaced(placeElement(el('<a href="/">', 'body > a', 'Home'), [src]), src, '<a href="/">Home', { min: 0.7 });
		});

		it('places text written once among many tags alike, and not text written twice', () => {
			const rows = Array.from(
				{ length: 200 },
				(_, i) => `<p class="row"><span class="muted">Note ${i}</span></p>`,
			).join('\n');
			const src = page(
				'/w/notes.html',
				`<main>\n${rows}\n<p class="row"><span class="muted">Note 7</span></p>\n</main>`,
			);
			const target = (n: number) => el('<span class="muted">', 'main > p.row > span.muted', `Note ${n}`);
			assertPlaced(placeElement(target(123), [src]), src, '<span class="muted">Note 123<', { min: 0.7 });
			assertNotPlaced(placeElement(target(7), [src]));
		});

		it('is not sure of a match on the tag name or one common class alone', () => {
			const cards = Array.from({ length: 6 }, (_, i) => `<div class="card"><h3>Card ${i}</h3></div>`).join('\n');
			const src = page('/w/cards.html', cards + '\n<section><p>Only paragraph</p></section>');
			assertNotPlaced(placeElement(el('<div class="card">'), [src]));
			assertNotPlaced(placeElement(el('<p>'), [src]));
		});

		it('places <html> as Lighthouse labels it (by its tag name), though its text is the whole page', () => {
			const source: SourceText = {
				file: '/w/index.html',
				text: '<!doctype html>\n<html>\n<head><title>Shop</title></head>\n<body><h1>Tools</h1></body>\n</html>\n',
			};
			assertPlaced(placeElement(el('<html>', 'html', 'html'), [source]), source, '<html>', {
				min: LOCATE_MIN_CONFIDENCE,
			});
			assertPlaced(placeElement(el('<body>', 'body', 'Tools'), [source]), source, '<body>', {
				min: LOCATE_MIN_CONFIDENCE,
			});
		});

		it('gives nothing for an element no source has', () => {
			const src = page('/w/x.html', '<img src="/a.png" alt="A">');
			assert.equal(placeElement(el('<video src="/film.mp4">'), [src]), undefined);
			assert.equal(placeElement(el('<img src="/elsewhere.png" class="generated-1x">'), [src]), undefined);
			assert.equal(placeElement(el('<img src="/a.png">'), []), undefined);
		});
	});

	describe('JSX and TSX', () => {
		const tsx = lines(
			'/w/src/Signup.tsx',
			"import { useState } from 'react';",
			'const first = <T,>(xs: T[]): T => xs[0];',
			'const pick = <T extends object>(x: T) => x;',
			'export function Signup({ items }: { items: string[] }) {',
			'\tconst [email, setEmail] = useState<string>("");',
			'\tfor (let i = 0; i<items.length; i++) if (i < 3 && items[i]) void 0;',
			'\treturn (',
			'\t\t<form className="signup" action="/signup" onSubmit={(e) => e.preventDefault()}>',
			'\t\t\t<label htmlFor="email">Email</label>',
			'\t\t\t<input id="email" type="email" name={"email"} value={email} onChange={(e) => setEmail(e.target.value)} />',
			'\t\t\t{items.map((item) => (',
			'\t\t\t\t<img key={item} src={`/img/${item}.png`} className="thumb" alt="" />',
			'\t\t\t))}',
			"\t\t\t<button type='submit' className={'cta primary'}>Subscribe {'now'}</button>",
			'\t\t</form>',
			'\t);',
			'}',
		);

		it('reads className, htmlFor, string literals in braces, and skips generics and comparisons', () => {
			assertPlaced(placeElement(el('<label for="email">', 'form.signup > label', 'Email'), [tsx]), tsx, '<label');
			assertPlaced(
				placeElement(el('<button type="submit" class="cta primary">', 'form.signup > button.cta', 'Subscribe now'), [
					tsx,
				]),
				tsx,
				'<button',
			);
			assertPlaced(placeElement(el('<form class="signup" action="/signup">'), [tsx]), tsx, '<form');
			// `<T,>`, `<T extends object>`, `useState<string>` and `i<items` are no tags.
			assert.deepEqual(
				tagsOf(tsx.file, tsx.text).sites.map((s) => s.tag),
				['form', 'label', 'input', 'img', 'button'],
			);
		});

		it('takes expressions as unknown values, not as mismatches', () => {
			const found = placeElement(el('<input id="email" type="email" name="email" value="me@example.com">'), [tsx]);
			assertPlaced(found, tsx, '<input');
			const img = placeElement(el('<img src="/img/avatar.png" class="thumb" alt="">', 'form.signup > img.thumb'), [
				tsx,
			]);
			assertPlaced(img, tsx, '<img', { min: 0.7 });
		});

		it('reads a next/image component as an img and a TypeScript file only by its HTML strings', () => {
			const jsx: SourceText = {
				file: '/w/app/page.jsx',
				text: 'export default function P() {\n\treturn <Image src="/hero.png" alt="Hero" priority />;\n}\n',
			};
			const ts: SourceText = {
				file: '/w/src/widget.ts',
				text: 'const n = <number>x;\nif (a <b) go();\nel.innerHTML = `<img src="/badge.svg" alt="Badge ${n}">`;\n',
			};
			assertPlaced(
				placeElement(el('<img alt="Hero" src="/_next/image?url=%2Fhero.png" loading="eager">'), [jsx, ts]),
				jsx,
				'<Image',
				{ min: 0.7 },
			);
			assertPlaced(placeElement(el('<img src="/badge.svg" alt="Badge 3">'), [jsx, ts]), ts, '<img src="/badge.svg"', {
				min: 0.7,
			});
			assert.equal(placeElement(el('<b>'), [ts]), undefined);
		});

		it('places a React element by its one distinctive class when its src is an imported asset', () => {
			const app = lines(
				'/w/src/App.js',
				"import logo from './logo.svg';",
				'function App() {',
				'\treturn (',
				'\t\t<div className="App">',
				'\t\t\t<header className="App-header">',
				'\t\t\t\t<img src={logo} className="App-logo" />',
				'\t\t\t\t<a className="App-link" href="https://reactjs.org" target="_blank" rel="noopener noreferrer">Learn React</a>',
				'\t\t\t</header>',
				'\t\t</div>',
				'\t);',
				'}',
			);
			const target = el(
				'<img src="/static/media/logo.6ce24c58.svg" class="App-logo">',
				'div.App > header.App-header > img.App-logo',
			);
			assertPlaced(placeElement(target, [app]), app, '<img', { min: 0.7 });
		});

		it('reads lit templates in a script as markup', () => {
			const lit = lines(
				'/w/src/buy-button.js',
				"import { html, LitElement } from 'lit';",
				'export class BuyButton extends LitElement {',
				'\trender() {',
				'\t\treturn html`<button class="buy" @click=${this.go} ?disabled=${this.busy}>Buy ${this.label}</button>`;',
				'\t}',
				'}',
			);
			assertPlaced(
				placeElement(el('<button class="buy">', 'buy-button > button.buy', 'Buy now'), [lit]),
				lit,
				'<button',
				{ min: 0.7 },
			);
		});
	});

	describe('Vue, Svelte, Astro and templates', () => {
		it('Vue: bound attributes are unknown, directives and handlers are not attributes', () => {
			const vue = lines(
				'/w/src/components/Hero.vue',
				'<template>',
				'\t<section class="hero">',
				'\t\t<img :src="heroUrl" class="hero-img" :class="{ wide }" alt="Our team" @load="ready = true" v-if="show" />',
				'\t\t<a class="cta" :href="link" @click.prevent="go">{{ label }}</a>',
				'\t</section>',
				'</template>',
				'<script setup lang="ts">',
				'const show = 1 < 2 && "<img class=\\"hero-img\\">";',
				'</script>',
			);
			const found = placeElement(
				el(
					'<img src="/assets/team.3f2a.png" class="hero-img wide" alt="Our team" data-v-7ba5bd90="">',
					'section.hero > img.hero-img',
				),
				[vue],
			);
			assertPlaced(found, vue, '<img');
			assertPlaced(
				placeElement(el('<a class="cta" href="/pricing" data-v-7ba5bd90="">', 'section.hero > a.cta', 'See prices'), [
					vue,
				]),
				vue,
				'<a class="cta"',
				{ min: 0.7 },
			);
		});

		it('Svelte: handlers with => and {#each} blocks do not break the scan; {expr} values are unknown', () => {
			const svelte = lines(
				'/w/src/routes/+page.svelte',
				'<script>',
				'\tlet count = 0; const ok = count < 1 && count > -1;',
				'</script>',
				'<button on:click={() => count++} class:active={count > 2}>Clicked {count}</button>',
				'{#each items as item}',
				'\t<img src={item.src} alt={item.alt} class="thumb">',
				'{/each}',
				'<a href="/docs/{slug}" class="more">Read more</a>',
			);
			assertPlaced(
				placeElement(el('<a href="/docs/intro" class="more svelte-1x2y3z">', undefined, 'Read more'), [svelte]),
				svelte,
				'<a href',
			);
			assert.deepEqual(
				tagsOf(svelte.file, svelte.text).sites.map((s) => s.tag),
				['script', 'button', 'img', 'a'],
			);
		});

		it('Astro: the frontmatter is skipped, expressions hold JSX', () => {
			const astro = lines(
				'/w/src/pages/index.astro',
				'---',
				"import Layout from '../layouts/Layout.astro';",
				'const hero = \'<img src="/hero.webp" alt="Hero">\';',
				'const few = posts.length < 3;',
				'---',
				'<Layout title="Home">',
				'\t<img src="/hero.webp" alt="Hero" />',
				'\t<ul>{posts.map((p) => <li><a href={p.url} class="post">{p.title}</a></li>)}</ul>',
				'</Layout>',
			);
			assertPlaced(
				placeElement(el('<img src="/hero.webp" alt="Hero" data-astro-cid-abc123="">'), [astro]),
				astro,
				'<img src="/hero.webp" alt="Hero" />',
			);
			assertPlaced(
				placeElement(el('<a href="/blog/one" class="post">', 'ul > li > a.post', 'One'), [astro]),
				astro,
				'<a href={p.url}',
				{ min: 0.7 },
			);
		});

		it('Angular and lit: bindings are unknown, the attributes and classes the framework adds are not held against', () => {
			const ng = lines(
				'/w/src/app/hero.component.html',
				'<section class="hero">',
				'\t<img [src]="hero.url" class="hero-img" [ngClass]="{ wide: wide }" alt="Hero" (load)="loaded()" *ngIf="show" />',
				'</section>',
			);
			const target = el(
				'<img _ngcontent-ng-c4="" src="/h.png" class="hero-img wide ng-star-inserted" alt="Hero">',
				'section.hero > img.hero-img',
			);
			assertPlaced(placeElement(target, [ng]), ng, '<img');
		});

		it('MDX: markup in prose, after its frontmatter', () => {
			const mdx = lines(
				'/w/content/post.mdx',
				'---',
				'title: Why <forge>',
				'---',
				"Don't miss this:",
				'',
				'<Chart data={points} />',
				'<img src="/img/anvil.jpg" alt="An anvil" />',
			);
			assertPlaced(placeElement(el('<img src="/img/anvil.jpg" alt="An anvil">'), [mdx]), mdx, '<img');
		});

		it('Handlebars and Nunjucks: values with template holes fit the page, text with holes too', () => {
			const hbs: SourceText = {
				file: '/w/views/product.hbs',
				text: '<div class="product">\n\t<img src="/img/{{ slug }}.png" alt="{{ name }}">\n\t<a class="buy" href="{{ url }}">Buy {{ name }}</a>\n</div>\n',
			};
			const njk: SourceText = {
				file: '/w/views/base.njk',
				text: '{% if user %}<p class="hello">Hello {{ user.name }}</p>{% endif %}\n<input type="search" name="q" placeholder="{{ t(\'search\') }}">\n',
			};
			assertPlaced(
				placeElement(el('<img src="/img/hammer.png" alt="Hammer">', 'div.product > img'), [hbs, njk]),
				hbs,
				'<img',
				{ min: 0.7 },
			);
			assertPlaced(
				placeElement(el('<a class="buy" href="/p/hammer">', 'div.product > a.buy', 'Buy Hammer'), [hbs, njk]),
				hbs,
				'<a class="buy"',
				{ min: 0.7 },
			);
			assertPlaced(
				placeElement(el('<input type="search" name="q" placeholder="Search…">'), [hbs, njk]),
				njk,
				'<input',
				{ min: 0.7 },
			);
		});

		it('EJS, PHP and Liquid: code in the text and in values does not break the scan', () => {
			const ejs = lines(
				'/w/views/index.ejs',
				'<% if (items.length > 0) { %>',
				'\t<img class="hero" src="<%= hero.src %>" alt="Our workshop">',
				'<% } %>',
			);
			const php = lines(
				'/w/index.php',
				'<?php if ($a->b > 1): ?>',
				'<a class="login" href="/login.php?next=<?= urlencode($next) ?>">Log in</a>',
				'<?php endif; ?>',
			);
			const liquid = lines(
				'/w/templates/product.liquid',
				'{% if product.price > 10 %}',
				'<span class="badge">Sale</span>',
				'{% endif %}',
			);
			const sources = [ejs, php, liquid];
			assertPlaced(placeElement(el('<img class="hero" src="/img/h.png" alt="Our workshop">'), sources), ejs, '<img');
			assertPlaced(
				placeElement(el('<a class="login" href="/login.php?next=%2Fcart">', undefined, 'Log in'), sources),
				php,
				'<a class="login"',
			);
			assertPlaced(placeElement(el('<span class="badge">', undefined, 'Sale'), sources), liquid, '<span');
		});
	});

	describe('dev-build hints', () => {
		const hero: SourceText = {
			file: '/w/src/components/Hero.astro',
			text: '<section>\n\t<h1>Hi</h1>\n\t<img src={src} alt="" />\n</section>\n',
		};
		const card: SourceText = {
			file: '/w/src/components/Card.vue',
			text: '<template>\n\t<div>\n\t\t<img :src="src">\n\t</div>\n</template>\n',
		};
		const app: SourceText = {
			file: '/w/src/App.tsx',
			text: 'export const App = () => (\n\t<main>\n\t\t<img src={logo} />\n\t</main>\n);\n',
		};
		const sources = [hero, card, app];

		it('Astro: data-astro-source-file and -loc, even with another machine`s absolute path', () => {
			const found = placeElement(
				el(
					'<img src="/a.png" alt="" data-astro-source-file="/home/ci/site/src/components/Hero.astro" data-astro-source-loc="3:2">',
				),
				sources,
			);
			assertPlaced(found, hero, '<img', { via: 'dev-hint' });
		});

		it('Vue: data-v-inspector="path:line:col"; react-dev-inspector: relative path and line', () => {
			assertPlaced(
				placeElement(el('<img src="/b.png" data-v-inspector="src/components/Card.vue:3:3">'), sources),
				card,
				'<img',
				{ via: 'dev-hint' },
			);
			const react = el(
				'<img src="/logo.svg" data-inspector-line="3" data-inspector-column="2" data-inspector-relative-path="src/App.tsx">',
			);
			assertPlaced(placeElement(react, sources), app, '<img', { via: 'dev-hint' });
		});

		it('the data-source-file family, and a hint naming no candidate file falls back to the attributes', () => {
			const hinted = el(
				'<img src="/c.png" data-source-file="src/App.tsx" data-source-line="3" data-source-column="3">',
			);
			assertPlaced(placeElement(hinted, sources), app, '<img', { via: 'dev-hint' });
			const elsewhere = el(
				'<img src="/a.png" alt="" data-astro-source-file="/home/ci/site/src/components/Other.astro" data-astro-source-loc="9:1">',
			);
			const found = placeElement(elsewhere, sources);
			assert.notEqual(found?.via, 'dev-hint');
		});

		it('a path Lighthouse shortened still names its file; its element is then found by its attributes', () => {
			const long: SourceText = {
				file: '/w/src/components/marketing/landing/sections/HeroSectionWithImage.astro',
				text: '<div>\n\t<img src="/x.png" class="hero" />\n</div>\n',
			};
			const twin: SourceText = { file: '/w/src/pages/other.astro', text: '<img src="/x.png" class="hero" />\n' };
			const snippet = `<img src="/x.png" class="hero" data-astro-source-file="/home/ci/site/src/components/marketing/landing/sections/HeroSect…" data-astro-source-loc="2:2">`;
			assertPlaced(placeElement(el(snippet), [long, twin]), long, '<img');
		});
	});

	describe('CRO selectors without a snippet', () => {
		const src = page(
			'/w/landing.html',
			'<main>\n\t<form action="/go">\n\t\t<input name="first">\n\t\t<input name="email" id="signup-email">\n\t\t<input name="company">\n\t</form>\n\t<a href="/trial">Start free trial</a>\n</main>',
		);

		it('places an id selector', () => {
			assertPlaced(placeElement(el(undefined, '#signup-email'), [src]), src, '<input name="email"');
			const digits = page('/w/digits.html', '<input name="a">\n<input name="b" id="2fa-code">');
			assertPlaced(placeElement(el(undefined, '#\\32 fa-code'), [digits]), digits, '<input name="b"');
		});

		it('places a path with :nth-of-type and the field name as text', () => {
			assertPlaced(
				placeElement(el(undefined, 'body > main > form > input:nth-of-type(3)', 'company'), [src]),
				src,
				'<input name="company"',
				{ min: 0.7 },
			);
			assertPlaced(placeElement(el(undefined, 'body > main > a', 'Start free trial'), [src]), src, '<a href="/trial"', {
				min: 0.7,
			});
		});
	});

	it('takes a position (:nth-child, :nth-of-type) as a hint, never enough for a line by itself', () => {
		const src = page('/w/list.html', '<ul>\n<li class="item">\n<li class="item">\n<li class="item">\n</ul>');
		for (const selector of ['body > ul > li:nth-child(2)', 'body > ul > li.item:nth-of-type(2)']) {
			const found = placeElement(el('<li class="item">', selector), [src]);
			assert.equal(found?.line, at(src.text, '<li', 2).line);
			assertNotPlaced(found);
		}
	});

	it('tokenizes each source text once', () => {
		const src = page('/w/cache.html', '<img src="/a.png">');
		assert.equal(tagsOf(src.file, src.text), tagsOf(src.file, src.text));
		const changed = { file: src.file, text: src.text.replace('/a.png', '/b.png') };
		assert.notEqual(tagsOf(changed.file, changed.text), tagsOf(src.file, src.text));
	});

	it('tokenizes no file that never writes the tag looked for, and reads old all-caps HTML', () => {
		assert.equal(tagsFor('/w/no-input.html', '<p>No form here</p>', 'input'), undefined);
		const caps = page('/w/caps.html', '<FORM ACTION="/go"><INPUT NAME="q" TYPE="search"></FORM>');
		assert.equal(tagsFor(caps.file, caps.text, 'input')?.byTag.get('input')?.length, 1);
		assertPlaced(placeElement(el('<input name="q" type="search">'), [caps]), caps, '<INPUT');
	});

	describe('the static-site fixture workspace', () => {
		const root = path.join(__dirname, '../../../../test/fixtures/workspaces/static-site');
		const files = (dir: string): string[] =>
			readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
				d.isDirectory() ? files(path.join(dir, d.name)) : [path.join(dir, d.name)],
			);
		const sources: SourceText[] = files(root)
			.filter((f) => /\.(html|js)$/.test(f))
			.map((file) => ({ file, text: readFileSync(file, 'utf8') }));

		/** What Lighthouse reports for the element that starts on a line: its snippet, selector and label. */
		function lighthouseNode(source: SourceText, line: number): ElementTarget {
			const doc = parseDocument(source.text, { withStartIndices: true });
			const lineOf = (i: number) => source.text.slice(0, i).split('\n').length;
			let found: Element | undefined;
			const walk = (nodes: readonly unknown[]) => {
				for (const node of nodes as Element[]) {
					if (found) return;
					if (node.type === 'tag' && lineOf(node.startIndex!) === line) found = node;
					else if (node.children) walk(node.children);
				}
			};
			walk(doc.children);
			assert.ok(found, `no element on ${source.file}:${line}`);
			const attrs = Object.entries(found.attribs)
				.map(([k, v]) => ` ${k}="${v.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`)
				.join('');
			const parts: string[] = [];
			for (let e: Element | null = found; e && e.name !== 'html' && parts.length < 4; e = e.parent as Element | null) {
				parts.unshift(
					e.name + (e.attribs.id ? `#${e.attribs.id}` : e.attribs.class ? `.${e.attribs.class.split(/\s+/)[0]}` : ''),
				);
			}
			const text = (n: Element): string =>
				n.children
					.map((c) =>
						c.type === 'text' ? (c as unknown as { data: string }).data : c.type === 'tag' ? text(c as Element) : '',
					)
					.join('');
			const label =
				found.name === 'html' ? '' : text(found).trim() || found.attribs.alt || found.attribs['aria-label'] || '';
			return el(`<${found.name}${attrs}>`, found.name === 'html' ? 'html' : parts.join(' > '), label || undefined);
		}

		const defects = sources.flatMap((source) =>
			source.text
				.split('\n')
				.flatMap((lineText, i) =>
					lineText.includes('<!-- defect:')
						? [{ source, line: i + 1, tag: lineText.trim().replace(/<!--.*$/, '') }]
						: [],
				),
		);

		it('has planted defects to place', () => {
			assert.ok(defects.length >= 5, `only ${defects.length} defects found`);
		});

		it('places each planted defect on its file and line among its page`s files', () => {
			const late = sources.find((s) => s.file.endsWith('late.js'))!;
			for (const d of defects) {
				const found = placeElement(lighthouseNode(d.source, d.line), [d.source, late]);
				assert.ok(found && found.confidence >= LOCATE_MIN_CONFIDENCE, `${d.tag} not placed (${found?.confidence})`);
				assert.equal(`${found.file}:${found.line}`, `${d.source.file}:${d.line}`, d.tag);
			}
		});

		it('places the unique defects among all the site`s files, and not an element written twice identically', () => {
			const twice = defects.filter((d) => defects.some((o) => o !== d && o.tag === d.tag));
			assert.ok(twice.length >= 2, 'the fixture should have an element written identically in two pages');
			for (const d of defects) {
				const found = placeElement(lighthouseNode(d.source, d.line), sources);
				if (twice.includes(d)) assertNotPlaced(found);
				else assert.equal(`${found?.file}:${found?.line}`, `${d.source.file}:${d.line}`, d.tag);
			}
		});

		it('does not place the image a script adds', () => {
			const target = el(
				'<img src="http://127.0.0.1:4173/img/team.png?generated=1" class="generated-k2j3x">',
				'body > footer.site-footer > img.generated-k2j3x',
			);
			assertNotPlaced(placeElement(target, sources));
		});
	});
});
