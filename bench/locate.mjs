// Benchmark of placing an audit's findings in a workspace (issue 11). Run after `npm run compile`:
//   node bench/locate.mjs [--rounds N]
// Generates a workspace of 2,000 files (HTML pages, TSX components, TS modules, assets, plus a node_modules the
// index skips), bundles its app with esbuild (minified, linked source map), serves the built site on 127.0.0.1 and
// times one locate per audit: WorkspaceIndex.open, then locateFindings (the page's HTML, the bundle and its map
// fetched over HTTP, each finding placed) for ~70 findings of every kind. Prints the median against the goal
// (≤ 200 ms) and writes bench/results/locate.json.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { median } from './lib/stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const out = path.join(here, '..', 'out');
const load = (rel) => require(path.join(out, rel));
const { WorkspaceIndex } = load('src/engine/locate/workspace.js');
const { locateFindings } = load('src/engine/locate/locate.js');
const { pageFetch } = load('src/engine/locate/pageFetch.js');
const { startFixtureServer } = load('test/helpers/fixtureServer.js');
const { build } = require('esbuild');

const argValue = (name, fallback) => {
	const i = process.argv.indexOf(name);
	return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = argValue('--rounds', 9);
const GOAL_MS = 200;
const FILES = 2000;
const COMPONENTS = 600;
const BUNDLED = 80;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-bench-locate-'));
const root = path.join(tmp, 'workspace');
const served = path.join(tmp, 'served');
const write = (rel, text) => {
	const file = path.join(root, rel);
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, text);
};
try {
	// 1. The workspace: every kind of file a site's repository holds, 2,000 in all (node_modules not counted: skipped).
	let n = 0;
	write(
		'src/h.ts',
		`export function h(tag: string, props: Record<string, string> | null, ...children: (Node | string)[]): HTMLElement {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(props ?? {})) el.setAttribute(k, v);
	el.append(...children);
	return el;
}
`,
	);
	n++;
	for (let i = 0; i < COMPONENTS; i++) {
		write(
			`src/components/group${i % 20}/Card${i}.tsx`,
			`import { h } from '../../h';

/** Card ${i}: a product card. */
export function Card${i}(): HTMLElement {
	return (
		<section class="card card-${i}" id="card-${i}">
			<h2 class="card-title">Product ${i}</h2>
			<img class="card-photo" src="/img/p${i}.png" width="160" height="120" />
			<a class="card-link" href="/products/${i}.html">Details of product ${i}</a>
			<button class="buy" data-id="${i}">Buy</button>
		</section>
	);
}
`,
		);
		n++;
	}
	write(
		'src/main.tsx',
		`import { h } from './h';\n${Array.from({ length: BUNDLED }, (_, i) => `import { Card${i} } from './components/group${i % 20}/Card${i}';`).join('\n')}\nconst root = document.getElementById('root')!;\n${Array.from({ length: BUNDLED }, (_, i) => `root.append(Card${i}());`).join('\n')}\nconsole.error('bench: no price feed');\n`,
	);
	n++;
	const pageHtml = (i) => `<!doctype html>
<html lang="en">
	<head>
		<meta charset="utf-8" />
		<title>Page ${i}</title>
		<link rel="stylesheet" href="/css/site.css" />
	</head>
	<body>
		<header class="site-header"><a href="/" class="brand"><img src="/img/logo.png" alt="Logo" /></a></header>
		<main>
			<h1>Page ${i}</h1>
			${Array.from({ length: 20 }, (_, j) => `<p class="para-${j}">Paragraph ${j} of page ${i}, <a href="/pages/${(i + j) % 300}.html">a link</a>.</p>`).join('\n\t\t\t')}
			<form class="signup"><input type="email" name="email" /><button>Subscribe</button></form>
			<div id="root"></div>
		</main>
		<script type="module" src="/assets/app.js"></script>
	</body>
</html>
`;
	write('index.html', pageHtml(0));
	n++;
	for (let i = 1; n < FILES && i <= 300; i++, n++) write(`pages/${i}.html`, pageHtml(i));
	for (let i = 0; n < FILES && i < 500; i++, n++)
		write(
			`src/lib/mod${i % 25}/util${i}.ts`,
			`export const value${i} = ${i};\nexport function twice${i}(x: number): number {\n\treturn x * 2 + ${i};\n}\n`,
		);
	write('css/site.css', 'body { margin: 0; }\n');
	n++;
	for (let i = 0; n < FILES; i++, n++) write(`public/img/p${i}.png`, 'not really a png');
	for (let i = 0; i < 500; i++) write(`node_modules/dep${i % 10}/file${i}.js`, 'module.exports = 1;\n');

	// 2. The built site, as a dev server or a deploy serves it (the workspace holds only the sources).
	await build({
		entryPoints: [path.join(root, 'src/main.tsx')],
		bundle: true,
		minify: true,
		format: 'esm',
		sourcemap: 'linked',
		jsxFactory: 'h',
		outfile: path.join(served, 'assets/app.js'),
		logLevel: 'silent',
	});
	fs.copyFileSync(path.join(root, 'index.html'), path.join(served, 'index.html'));
	fs.mkdirSync(path.join(served, 'css'), { recursive: true });
	fs.copyFileSync(path.join(root, 'css/site.css'), path.join(served, 'css/site.css'));
	const bundle = fs.readFileSync(path.join(served, 'assets/app.js'), 'utf8');
	const server = await startFixtureServer({ root: served });
	const pageUrl = server.url('/');

	// 3. A realistic finding list: element findings (page and components), console errors and long tasks in the
	// bundle, unused bytes by resource, page-level findings. ~70 in all.
	const finding = (rule, target) => ({
		rule,
		source: 'lighthouse',
		title: rule,
		message: rule,
		severity: 'warning',
		target,
	});
	const col = (needle, from = 0) => bundle.indexOf(needle, from) + 1;
	const findings = [
		...Array.from({ length: 20 }, (_, j) =>
			finding('link-in-text-block', {
				kind: 'element',
				selector: `main > p.para-${j} > a`,
				snippet: `<a href="/pages/${j % 300}.html">`,
			}),
		),
		finding('label', {
			kind: 'element',
			selector: 'form.signup > input',
			snippet: '<input type="email" name="email">',
		}),
		...Array.from({ length: 30 }, (_, i) =>
			finding('unsized-images', {
				kind: 'element',
				selector: `section#card-${i} > img.card-photo`,
				snippet: `<img class="card-photo" src="/img/p${i}.png" width="160" height="120">`,
			}),
		),
		finding('image-alt', {
			kind: 'element',
			selector: 'footer > img.generated',
			snippet: '<img class="generated-x" src="/img/x.png">',
		}),
		finding('errors-in-console', {
			kind: 'script',
			url: server.url('/assets/app.js'),
			line: 1,
			column: col('console.error('),
		}),
		...Array.from({ length: 10 }, (_, i) =>
			finding('long-tasks', {
				kind: 'script',
				url: server.url('/assets/app.js'),
				line: 1,
				column: col(`"card-${i * 7}"`),
			}),
		),
		finding('unused-javascript', { kind: 'resource', url: server.url('/assets/app.js') }),
		finding('unused-css-rules', { kind: 'resource', url: server.url('/css/site.css') }),
		finding('uses-rel-preconnect', { kind: 'resource', url: 'https://fonts.example/css' }),
		finding('meta-description', { kind: 'page' }),
		finding('largest-contentful-paint', { kind: 'page' }),
	];

	// 4. One locate per audit, as Engine.locate does it: a fresh index and fresh fetches each time.
	const runs = [];
	let placed = 0;
	let lines = 0;
	let indexed = 0;
	for (let r = 0; r < ROUNDS + 1; r++) {
		const t0 = performance.now();
		const workspace = await WorkspaceIndex.open([root]);
		const t1 = performance.now();
		const located = await locateFindings({ pageUrl, findings, workspace, fetchText: pageFetch(pageUrl) });
		const t2 = performance.now();
		// The first round warms the JIT and the OS file cache; it is not counted.
		if (r > 0) runs.push({ openMs: t1 - t0, locateMs: t2 - t1, totalMs: t2 - t0 });
		placed = located.findings.filter((f) => f.location).length;
		lines = located.findings.filter((f) => f.location?.line !== undefined).length;
		indexed = workspace.size;
	}
	await server.close();

	const results = {
		files: n,
		indexed,
		findings: findings.length,
		placed,
		withLine: lines,
		rounds: ROUNDS,
		openMs: +median(runs.map((x) => x.openMs)).toFixed(1),
		locateMs: +median(runs.map((x) => x.locateMs)).toFixed(1),
		totalMs: +median(runs.map((x) => x.totalMs)).toFixed(1),
		maxTotalMs: +Math.max(...runs.map((x) => x.totalMs)).toFixed(1),
		goalMs: GOAL_MS,
	};
	/** @type {[name: string, value: string, target: string, ok: boolean | null][]} */
	const rows = [
		[
			`Mapping time per audit, ${n.toLocaleString('en')} files, ${findings.length} findings (median of ${ROUNDS})`,
			`${results.totalMs} ms`,
			`≤ ${GOAL_MS} ms`,
			results.totalMs <= GOAL_MS,
		],
		['  WorkspaceIndex.open (median)', `${results.openMs} ms`, '', null],
		['  locateFindings: fetch page, bundle and map, place (median)', `${results.locateMs} ms`, '', null],
		['  slowest round', `${results.maxTotalMs} ms`, '', null],
		['  files indexed (node_modules skipped)', String(indexed), '', null],
		['  findings placed / with a line', `${placed} / ${lines}`, '', null],
	];
	const w0 = Math.max(...rows.map((r) => r[0].length));
	const w1 = Math.max(...rows.map((r) => r[1].length));
	console.log(`${'Locate benchmark'.padEnd(w0)}  ${'value'.padStart(w1)}  target`);
	for (const [name, value, target, ok] of rows)
		console.log(`${name.padEnd(w0)}  ${value.padStart(w1)}  ${target}${ok === null ? '' : ok ? '  ok' : '  MISSED'}`);
	const resultsDir = path.join(here, 'results');
	fs.mkdirSync(resultsDir, { recursive: true });
	fs.writeFileSync(path.join(resultsDir, 'locate.json'), `${JSON.stringify(results, null, '\t')}\n`);
	console.log(`\nWritten ${path.relative(process.cwd(), path.join(resultsDir, 'locate.json'))}`);
} finally {
	fs.rmSync(tmp, { recursive: true, force: true });
}
