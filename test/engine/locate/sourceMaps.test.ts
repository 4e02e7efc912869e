import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { pageFetch } from '../../../src/engine/locate/pageFetch';
import { pageScripts, SourceMaps, sourceMappingUrl } from '../../../src/engine/locate/sourceMaps';
import { WorkspaceIndex } from '../../../src/engine/locate/workspace';
import { defectFor, positionOf, type ServedApp, serveBundledApp } from '../../helpers/workspaces';

describe('source maps of a served bundle (esbuild, minified, real HTTP)', function () {
	this.timeout(60_000);
	let app: ServedApp;
	beforeEach(async () => (app = await serveBundledApp()));
	afterEach(() => app.close());

	it("resolves a served position of the linked map's bundle to the marked line of src/ (the console error and the image)", async () => {
		const bundle = fs.readFileSync(path.join(app.served, 'assets/app.js'), 'utf8');
		const maps = new SourceMaps(pageFetch(app.server.url('/')));
		const workspace = await WorkspaceIndex.open([app.workspace]);
		for (const [needle, id] of [
			['console.error(', 'errors-in-console'],
			['e("img"', 'image-alt'],
		] as const) {
			const served = positionOf(bundle, needle);
			assert.equal(served.line, 1, 'minified onto one line');
			const original = await maps.original(app.server.url('/assets/app.js'), served.line, served.column);
			assert.ok(original, `${id}: the map has the position`);
			const defect = defectFor(app.workspace, id);
			assert.equal(workspace.resolveSource(original.source, original.mapUrl), defect.file, id);
			assert.equal(original.line, defect.line, id);
			assert.ok(original.column >= 1);
		}
	});

	it('reads an inline data: map and a map named by the SourceMap response header', async () => {
		const result = await build({
			entryPoints: [path.join(app.workspace, 'src', 'main.ts')],
			bundle: true,
			minify: true,
			sourcemap: 'inline',
			jsxFactory: 'h',
			write: false,
			outfile: 'inline.js',
		});
		const inline = result.outputFiles[0].text;
		assert.match(sourceMappingUrl(inline) ?? '', /^data:application\/json;base64,/);
		const linked = fs.readFileSync(path.join(app.served, 'assets/app.js'), 'utf8');
		const mapText = fs.readFileSync(path.join(app.served, 'assets/app.js.map'), 'utf8');
		const scripts: Record<string, { text: string; sourceMap?: string } | string> = {
			'http://127.0.0.1:1/inline.js': inline,
			// The header names the map; the text has no comment.
			'http://127.0.0.1:1/header.js': {
				text: linked.replace(/\/\/# sourceMappingURL=.*\n?$/, ''),
				sourceMap: '/maps/header.js.map',
			},
			'http://127.0.0.1:1/maps/header.js.map': mapText,
		};
		const maps = new SourceMaps(async (url) => scripts[url]);
		const workspace = await WorkspaceIndex.open([app.workspace]);
		const defect = defectFor(app.workspace, 'errors-in-console');
		for (const url of ['http://127.0.0.1:1/inline.js', 'http://127.0.0.1:1/header.js']) {
			const text = typeof scripts[url] === 'string' ? scripts[url] : scripts[url].text;
			const served = positionOf(text, 'console.error(');
			const original = await maps.original(url, served.line, served.column);
			assert.ok(original, url);
			assert.equal(workspace.resolveSource(original.source, original.mapUrl), defect.file, url);
			assert.equal(original.line, defect.line, url);
		}
	});

	it('has no position for a script without a map, one that is missing, or a position before line 1', async () => {
		const maps = new SourceMaps(pageFetch(app.server.url('/')));
		assert.equal(await maps.original(app.server.url('/index.html'), 1, 1), undefined);
		assert.equal(await maps.original(app.server.url('/missing.js'), 1, 1), undefined);
		assert.equal(await maps.original(app.server.url('/assets/app.js'), 0, 1), undefined);
	});
});

describe('pageScripts and sourceMappingUrl', () => {
	it("lists a page's classic and module scripts and module preloads in order, against <base href>, without templates, duplicates or non-http ones", () => {
		const html = `<!doctype html><head><base href="/app/"><script src="a.js"></script><script type="module" src="/b.js"></script>
			<script type="text/template" src="t.html"></script><script src="a.js"></script><script src="data:text/javascript,1"></script>
			<script src="https://cdn.example/c.js"></script><script>inline()</script><link rel="modulepreload" href="/chunk-1.js"><link rel="stylesheet" href="s.css"></head>`;
		assert.deepEqual(pageScripts(html, 'http://localhost:5173/page'), [
			'http://localhost:5173/app/a.js',
			'http://localhost:5173/b.js',
			'https://cdn.example/c.js',
			'http://localhost:5173/chunk-1.js',
		]);
	});

	it('takes only the final sourceMappingURL comment', () => {
		assert.equal(sourceMappingUrl('a();\n//# sourceMappingURL=app.js.map\n'), 'app.js.map');
		assert.equal(sourceMappingUrl('a();\n/*# sourceMappingURL=app.css.map */'), 'app.css.map');
		assert.equal(sourceMappingUrl('const s = "//# sourceMappingURL=x.map";\nmore();'), undefined);
		assert.equal(sourceMappingUrl('no comment'), undefined);
	});
});
