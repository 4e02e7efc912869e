import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { QuickFix } from '../../../src/protocol';
import { LINE_END, type ZeroRange } from '../../../src/extension/problems/findingDiagnostics';
import { isJsxFile, parseTag, quickFixPlan, type QuickFixPlan } from '../../../src/extension/problems/quickFixEdits';

/** The static-site fixture's index.html: the planted defects are on lines marked `<!-- defect: ids -->`. */
const SITE = (() => {
	for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const p = path.join(dir, 'test', 'fixtures', 'workspaces', 'static-site', 'index.html');
		if (fs.existsSync(p) && !dir.endsWith(`${path.sep}out`)) return fs.readFileSync(p, 'utf8');
	}
	throw new Error('static-site/index.html not found');
})();

/** The 0-based line marked with a defect id, the range starting at its first tag (as a placed finding would). */
function defectRange(text: string, id: string, column?: number): ZeroRange {
	const lines = text.split('\n');
	const line = lines.findIndex((l) => new RegExp(`<!-- defect:[^>]*\\b${id}\\b`).test(l));
	assert.ok(line >= 0, `no line marked ${id}`);
	const start = column ?? lines[line].search(/\S/);
	return { startLine: line, startCharacter: start, endLine: line, endCharacter: LINE_END };
}

function apply(text: string, plan: QuickFixPlan | undefined): string {
	assert.ok(plan, 'a quick fix applies');
	let out = text;
	for (const i of [...plan.inserts].sort((a, b) => b.offset - a.offset))
		out = out.slice(0, i.offset) + i.text + out.slice(i.offset);
	return out;
}

const line = (text: string, n: number) => text.split('\n')[n];
const wholeFile: ZeroRange = { startLine: 0, startCharacter: 0, endLine: 0, endCharacter: LINE_END };

describe('Quick fixes (edits over the document text)', () => {
	it('adds alt="" to the image at the diagnostic, with the caret between the quotes', () => {
		const range = defectRange(SITE, 'image-alt');
		const plan = quickFixPlan(SITE, range, { kind: 'add-alt' });
		assert.ok(plan);
		assert.equal(plan.preferred, true);
		const [insert] = plan.inserts;
		assert.equal(insert.text, ' alt=""');
		assert.deepEqual(insert.cursor, { at: 6, length: 0 });
		const fixed = apply(SITE, plan);
		assert.equal(
			line(fixed, range.startLine).trim(),
			'<img class="hero-image" src="/img/hero.png" alt="" /><!-- defect: image-alt unsized-images -->',
		);
		assert.equal(quickFixPlan(fixed, range, { kind: 'add-alt' }), undefined, 'nothing to do once it has alt');
	});

	it('never edits a tag that is not the one the fix is for', () => {
		// The link-name line holds an <a>: no alt, no size, no lazy loading there.
		const range = defectRange(SITE, 'link-name');
		for (const fix of [
			{ kind: 'add-alt' },
			{ kind: 'add-size', width: 10, height: 10 },
			{ kind: 'lazy-load' },
			{ kind: 'label-for', inputId: 'x' },
		] satisfies QuickFix[])
			assert.equal(quickFixPlan(SITE, range, fix), undefined, fix.kind);
		// A whole-file diagnostic (line 0: the doctype) is no image either.
		assert.equal(quickFixPlan(SITE, wholeFile, { kind: 'add-alt' }), undefined);
		// Range past the end of the text: nothing.
		assert.equal(
			quickFixPlan(SITE, { startLine: 9999, startCharacter: 0, endLine: 9999, endCharacter: 1 }, { kind: 'add-alt' }),
			undefined,
		);
	});

	it('finds the tag that holds the range start, or the first that starts in the range', () => {
		const text = '<a href="/"><img src="/logo.png"></a>';
		// Start inside <img …>: that image.
		assert.match(
			apply(
				text,
				quickFixPlan(text, { startLine: 0, startCharacter: 20, endLine: 0, endCharacter: 21 }, { kind: 'add-alt' }),
			),
			/<img src="\/logo.png" alt="">/,
		);
		// Start on the <a>: an <a>, not an image, even though one follows.
		assert.equal(
			quickFixPlan(text, { startLine: 0, startCharacter: 0, endLine: 0, endCharacter: LINE_END }, { kind: 'add-alt' }),
			undefined,
		);
	});

	it('adds lang to <html>, found at the range or as the page’s one <html>', () => {
		const range = defectRange(SITE, 'html-has-lang');
		const plan = quickFixPlan(SITE, range, { kind: 'add-lang', lang: 'en' });
		assert.equal(plan?.title, 'Add lang="en" to <html>');
		assert.equal(line(apply(SITE, plan), range.startLine), '<html lang="en"><!-- defect: html-has-lang -->');
		assert.equal(
			apply(SITE, quickFixPlan(SITE, wholeFile, { kind: 'add-lang', lang: 'en-GB' }))
				.split('\n')[1]
				.startsWith('<html lang="en-GB">'),
			true,
		);
		assert.equal(
			quickFixPlan(SITE, range, { kind: 'add-lang', lang: '"><script>' }),
			undefined,
			'a language tag, nothing else',
		);
		assert.equal(
			quickFixPlan('<html lang="de"><body></body></html>', wholeFile, { kind: 'add-lang', lang: 'en' }),
			undefined,
		);
	});

	it('adds the missing width and height to the image', () => {
		const range = defectRange(SITE, 'unsized-images');
		const plan = quickFixPlan(SITE, range, { kind: 'add-size', width: 640, height: 360 });
		assert.match(
			line(apply(SITE, plan), range.startLine),
			/<img class="hero-image" src="\/img\/hero.png" width="640" height="360" \/>/,
		);
		const half = '<img src="/a.png" width="10">';
		assert.equal(
			apply(half, quickFixPlan(half, wholeFile, { kind: 'add-size', width: 10, height: 20 })),
			'<img src="/a.png" width="10" height="20">',
		);
		assert.equal(
			quickFixPlan('<img width=1 height=2>', wholeFile, { kind: 'add-size', width: 1, height: 2 }),
			undefined,
		);
		assert.equal(
			quickFixPlan('<img src=x>', wholeFile, { kind: 'add-size', width: 0, height: 2 }),
			undefined,
			'no size to give',
		);
	});

	it('adds loading="lazy" and fetchpriority="high" to images', () => {
		const img = '\t<img src="/big.jpg" alt="Big">';
		const r: ZeroRange = { startLine: 0, startCharacter: 1, endLine: 0, endCharacter: LINE_END };
		const lazy = quickFixPlan(img, r, { kind: 'lazy-load' });
		assert.equal(lazy?.preferred, false, 'below the fold is a judgement: offered, not preferred');
		assert.equal(apply(img, lazy), '\t<img src="/big.jpg" alt="Big" loading="lazy">');
		assert.equal(
			apply(img, quickFixPlan(img, r, { kind: 'fetchpriority-high' })),
			'\t<img src="/big.jpg" alt="Big" fetchpriority="high">',
		);
		assert.equal(quickFixPlan('<img loading="eager">', wholeFile, { kind: 'lazy-load' }), undefined);
		assert.equal(quickFixPlan('<img fetchpriority="low">', wholeFile, { kind: 'fetchpriority-high' }), undefined);
	});

	it('adds a meta description in <head>, indented like its contents, with the caret in content=""', () => {
		const plan = quickFixPlan(SITE, wholeFile, { kind: 'add-meta-description' });
		assert.ok(plan);
		const fixed = apply(SITE, plan);
		const lines = fixed.split('\n');
		const at = lines.findIndex((l) => l.includes('<head>'));
		assert.equal(lines[at + 1], '\t\t<meta name="description" content="" />');
		const insert = plan.inserts[0];
		assert.equal(insert.text.slice(0, insert.cursor?.at).endsWith('content="'), true);
		assert.equal(quickFixPlan(fixed, wholeFile, { kind: 'add-meta-description' }), undefined, 'only once');
		assert.equal(quickFixPlan('<p>no head here</p>', wholeFile, { kind: 'add-meta-description' }), undefined);
		assert.equal(
			quickFixPlan('<header><head-ish>', wholeFile, { kind: 'add-meta-description' }),
			undefined,
			'<header> is not <head>',
		);
	});

	it('adds a preconnect link for an origin once', () => {
		const plan = quickFixPlan(SITE, wholeFile, { kind: 'preconnect', origin: 'https://fonts.example.com/css?x=1' });
		assert.equal(plan?.title, 'Preconnect to https://fonts.example.com');
		const fixed = apply(SITE, plan);
		assert.match(fixed, /<head>\n\t\t<link rel="preconnect" href="https:\/\/fonts.example.com" \/>\n/);
		assert.equal(
			quickFixPlan(fixed, wholeFile, { kind: 'preconnect', origin: 'https://fonts.example.com' }),
			undefined,
		);
		assert.equal(quickFixPlan(SITE, wholeFile, { kind: 'preconnect', origin: 'javascript:alert(1)' }), undefined);
	});

	it('ties a label to an input: a <label for> on the line before, and the id the input lacked', () => {
		const range = defectRange(SITE, 'label');
		const plan = quickFixPlan(SITE, range, { kind: 'label-for', inputId: 'email' });
		assert.ok(plan);
		const fixed = apply(SITE, plan);
		assert.equal(line(fixed, range.startLine), '\t\t\t\t<label for="email">Email</label>');
		assert.match(line(fixed, range.startLine + 1), /^\t\t\t\t<input type="email" name="email" id="email" \/>/);
		const label = plan.inserts.find((i) => i.text.includes('<label'));
		assert.equal(
			label?.text.slice(label.cursor?.at, (label.cursor?.at ?? 0) + (label.cursor?.length ?? 0)),
			'Email',
			'the caption is selected to type over',
		);
		// Its own id wins; with a label already for it, nothing is left to do.
		const withId = '<label for="mail">Mail</label><input id="mail" name="m">';
		assert.equal(
			quickFixPlan(
				withId,
				{ startLine: 0, startCharacter: 30, endLine: 0, endCharacter: LINE_END },
				{ kind: 'label-for', inputId: 'm' },
			),
			undefined,
		);
	});

	it('uses htmlFor in JSX and reads JSX attributes', () => {
		assert.equal(isJsxFile('/ws/src/Form.tsx'), true);
		assert.equal(isJsxFile('/ws/index.html'), false);
		const jsx = '\t\t<input type="email" name={field.name} onChange={(e) => set({ v: e.target.value })} />';
		const r: ZeroRange = { startLine: 0, startCharacter: 2, endLine: 0, endCharacter: LINE_END };
		const fixed = apply(jsx, quickFixPlan(jsx, r, { kind: 'label-for', inputId: 'signup-email' }, { jsx: true }));
		assert.equal(fixed.split('\n')[0], '\t\t<label htmlFor="signup-email">Signup email</label>');
		assert.match(fixed.split('\n')[1], /onChange=\{\(e\) => set\(\{ v: e.target.value \}\)\} id="signup-email" \/>$/);
		const img = '<img {...props} src={hero} />';
		assert.equal(
			apply(img, quickFixPlan(img, wholeFile, { kind: 'add-alt' }, { jsx: true })),
			'<img {...props} src={hero} alt="" />',
		);
	});

	it('parses tags with quoted, unquoted and valueless attributes', () => {
		const tag = parseTag("<input disabled type=checkbox data-x='a>b' >", 0);
		assert.ok(tag);
		assert.deepEqual(
			[...tag.attrs],
			[
				['disabled', ''],
				['type', 'checkbox'],
				['data-x', 'a>b'],
			],
		);
		assert.equal(parseTag('<img src="unterminated', 0), undefined);
		assert.equal(parseTag('</div>', 0), undefined);
	});
});
