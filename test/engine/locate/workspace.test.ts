import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { WorkspaceIndex } from '../../../src/engine/locate/workspace';

/** A temporary folder holding `root/` with the given files (path → text) and `outside.txt` beside it. */
function workspace(files: Record<string, string>): { root: string; parent: string; dispose(): void } {
	const parent = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-ws-')));
	const root = path.join(parent, 'root');
	for (const [rel, text] of Object.entries(files)) {
		fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
		fs.writeFileSync(path.join(root, rel), text);
	}
	fs.mkdirSync(root, { recursive: true });
	fs.writeFileSync(path.join(parent, 'outside.txt'), 'secret');
	return { root, parent, dispose: () => fs.rmSync(parent, { recursive: true, force: true }) };
}

describe('WorkspaceIndex', () => {
	const disposers: (() => void)[] = [];
	afterEach(() => disposers.splice(0).forEach((d) => d()));
	function make(files: Record<string, string>): { root: string; parent: string } {
		const ws = workspace(files);
		disposers.push(ws.dispose);
		return ws;
	}

	describe('fileForUrl', () => {
		it('finds a static page by its URL path: the root, `/dir/` and clean URLs to index.html and .html, percent-decoded, query and hash ignored', async () => {
			const { root } = make({
				'index.html': '',
				'blog/index.html': '',
				'about.html': '',
				'my page.html': '',
				'docs/guide/index.html': '',
			});
			const index = await WorkspaceIndex.open([root]);
			assert.equal(index.fileForUrl('http://localhost:8080/'), path.join(root, 'index.html'));
			assert.equal(index.fileForUrl('http://localhost:8080/blog/'), path.join(root, 'blog/index.html'));
			assert.equal(index.fileForUrl('http://localhost:8080/about.html?x=1#top'), path.join(root, 'about.html'));
			assert.equal(index.fileForUrl('http://localhost:8080/about'), path.join(root, 'about.html'));
			assert.equal(index.fileForUrl('http://localhost:8080/docs/guide'), path.join(root, 'docs/guide/index.html'));
			assert.equal(index.fileForUrl('http://localhost:8080/my%20page.html'), path.join(root, 'my page.html'));
			assert.equal(index.fileForUrl('http://localhost:8080/missing.html'), undefined);
		});

		it('looks in the folders plain sites are served from (public/, static/, www/, src/), the root first', async () => {
			const { root } = make({
				'public/img/logo.png': 'x',
				'static/app.css': '',
				'src/index.html': '',
				'robots.txt': '',
				'public/robots.txt': '',
			});
			const index = await WorkspaceIndex.open([root]);
			assert.equal(index.fileForUrl('http://localhost:5173/img/logo.png'), path.join(root, 'public/img/logo.png'));
			assert.equal(index.fileForUrl('http://localhost:5173/app.css'), path.join(root, 'static/app.css'));
			assert.equal(index.fileForUrl('http://localhost:5173/'), path.join(root, 'src/index.html'));
			assert.equal(index.fileForUrl('http://localhost:5173/robots.txt'), path.join(root, 'robots.txt'));
		});

		it('serves by layout only pages of this machine; another host needs a mapping', async () => {
			const { root } = make({ 'index.html': '', 'dist/index.html': '' });
			const plain = await WorkspaceIndex.open([root]);
			for (const local of [
				'http://127.0.0.1:3000/',
				'http://localhost/',
				'http://app.localhost:5173/',
				'http://[::1]:8080/',
			])
				assert.equal(plain.fileForUrl(local), path.join(root, 'index.html'), local);
			assert.equal(plain.fileForUrl('https://example.com/'), undefined, 'an unrelated site is not this index.html');
			const mapped = await WorkspaceIndex.open([root], [{ urlPath: '/', dir: 'dist' }]);
			assert.equal(
				mapped.fileForUrl('https://shop.example.com/'),
				path.join(root, 'dist/index.html'),
				'a mapping says where any host is served from',
			);
		});

		it('follows mappings (longest URL prefix first), even into a build folder the index otherwise skips', async () => {
			const { root } = make({ 'dist/index.html': '', 'assets/site/a.css': '', 'assets/b.css': '' });
			const mappings = [
				{ urlPath: '/static/', dir: 'assets' },
				{ urlPath: '/static/css', dir: path.join(root, 'assets/site') },
				{ urlPath: '/', dir: 'dist' },
			];
			const index = await WorkspaceIndex.open([root], mappings);
			assert.equal(index.fileForUrl('http://localhost:5173/'), path.join(root, 'dist/index.html'));
			assert.equal(index.fileForUrl('http://localhost:5173/static/css/a.css'), path.join(root, 'assets/site/a.css'));
			assert.equal(index.fileForUrl('http://localhost:5173/static/b.css'), path.join(root, 'assets/b.css'));
		});

		it('never leaves the roots: encoded `..`, backslashes and NUL are refused, and a mapping outside every root is ignored', async () => {
			const { root, parent } = make({ 'index.html': '' });
			const index = await WorkspaceIndex.open([root], [{ urlPath: '/up/', dir: parent }]);
			for (const url of [
				'http://localhost:5173/..%2foutside.txt',
				'http://localhost:5173/a/..%2f..%2foutside.txt',
				'http://localhost:5173/..%5coutside.txt',
				'http://localhost:5173/index.html%00.png',
				'http://localhost:5173/up/outside.txt',
			]) {
				assert.equal(index.fileForUrl(url), undefined, url);
			}
			assert.equal(index.fileForUrl('not a url'), undefined);
		});
	});

	describe('open', () => {
		it('skips node_modules, .git and build output folders', async () => {
			const { root } = make({
				'src/a.ts': '',
				'node_modules/x/index.html': '',
				'.git/config': '',
				'dist/index.html': '',
				'build/b.js': '',
				'.next/c.js': '',
			});
			const index = await WorkspaceIndex.open([root]);
			assert.equal(index.size, 1);
			assert.ok(index.has(path.join(root, 'src/a.ts')));
			assert.equal(index.fileForUrl('http://localhost:5173/'), undefined, 'dist/index.html is not a source');
		});

		it('refuses symlinks that lead out of the roots and survives a symlink loop', async () => {
			const { root, parent } = make({ 'index.html': '', 'sub/page.html': '' });
			fs.symlinkSync(path.join(parent, 'outside.txt'), path.join(root, 'leak.txt'));
			fs.symlinkSync(parent, path.join(root, 'up'), 'dir');
			fs.symlinkSync(root, path.join(root, 'sub', 'loop'), 'dir');
			const index = await WorkspaceIndex.open([root]);
			assert.equal(index.size, 2, 'index.html and sub/page.html, each once');
			assert.equal(index.fileForUrl('http://localhost:5173/leak.txt'), undefined);
			assert.equal(index.fileForUrl('http://localhost:5173/up/outside.txt'), undefined);
			assert.equal(index.resolveSource(path.join(parent, 'outside.txt')), undefined);
			await assert.rejects(index.read(path.join(parent, 'outside.txt')), /not a file of the workspace roots/);
		});

		it('indexes at most maxFiles files, the shallowest first, and says it was cut short', async () => {
			const { root } = make({ 'index.html': '', 'a/b/c/deep1.ts': '', 'a/b/c/deep2.ts': '', 'a/b/c/deep3.ts': '' });
			const index = await WorkspaceIndex.open([root], [], { maxFiles: 2 });
			assert.equal(index.size, 2);
			assert.equal(index.truncated, true);
			assert.ok(index.has(path.join(root, 'index.html')));
		});

		it('refuses a relative root', async () => {
			await assert.rejects(WorkspaceIndex.open(['relative/dir']), /not an absolute path/);
		});
	});

	describe('resolveSource', () => {
		const files = {
			'src/App.tsx': '',
			'src/main.ts': '',
			'app/page.tsx': '',
			'pkg-a/src/util.ts': '',
			'pkg-b/src/util.ts': '',
			'node_modules/react/index.js': '',
			'lib/react/index.js': '',
		};

		it('resolves bundler namespaces: webpack://name/./src, webpack:///src, Next.js-like _N_E, Turbopack [project], queries dropped', async () => {
			const { root } = make(files);
			const index = await WorkspaceIndex.open([root]);
			const app = path.join(root, 'src/App.tsx');
			assert.equal(index.resolveSource('webpack://my-app/./src/App.tsx'), app);
			assert.equal(index.resolveSource('webpack:///src/App.tsx'), app);
			assert.equal(index.resolveSource('webpack:///./src/App.tsx?a1b2'), app);
			assert.equal(index.resolveSource('webpack://_N_E/./app/page.tsx'), path.join(root, 'app/page.tsx'));
			assert.equal(index.resolveSource('turbopack:///[project]/app/page.tsx'), path.join(root, 'app/page.tsx'));
			assert.equal(index.resolveSource(`webpack://${app}`), app, 'webpack:///<absolute path>');
		});

		it("resolves Vite's /@fs/<absolute path> and /src/ paths, file:// URLs and absolute paths inside the roots", async () => {
			const { root } = make(files);
			const index = await WorkspaceIndex.open([root]);
			const app = path.join(root, 'src/App.tsx');
			assert.equal(index.resolveSource(`/@fs${app}`), app);
			assert.equal(index.resolveSource(`/@fs${app}`, 'http://localhost:5173/src/App.tsx'), app);
			assert.equal(index.resolveSource('/src/App.tsx', 'http://localhost:5173/src/App.tsx'), app);
			assert.equal(index.resolveSource('App.tsx', 'http://localhost:5173/src/App.tsx?t=1700000000'), app);
			assert.equal(index.resolveSource(pathToFileURL(app).href), app);
			assert.equal(index.resolveSource(app), app);
		});

		it("resolves relative sources against the map's URL (its sourceRoot joined), and a build folder's relative path by its tail", async () => {
			const { root } = make(files);
			const index = await WorkspaceIndex.open([root]);
			const main = path.join(root, 'src/main.ts');
			assert.equal(index.resolveSource('../src/main.ts', 'http://localhost:3000/assets/app.js.map'), main);
			assert.equal(index.resolveSource('/src/main.ts', 'http://localhost:3000/assets/app.js.map'), main);
			assert.equal(
				index.resolveSource('../../../home/ci/checkout/src/main.ts', 'http://localhost:3000/assets/app.js.map'),
				main,
			);
			assert.equal(index.resolveSource('../src/main.ts'), main);
			assert.equal(index.resolveSource('http://localhost:3000/src/main.ts'), main);
		});

		it('refuses what is not a workspace source: outside the roots, in node_modules, ambiguous or unknown', async () => {
			const { root, parent } = make(files);
			const index = await WorkspaceIndex.open([root]);
			const outside = path.join(parent, 'outside.txt');
			for (const source of [
				`/@fs${outside}`,
				pathToFileURL(outside).href,
				outside,
				'webpack:///../outside.txt',
				'webpack://app/./node_modules/react/index.js',
				'../node_modules/react/index.js',
				'webpack://app/./src/util.ts',
				'webpack://app/./src/Missing.tsx',
				'util.ts',
			]) {
				assert.equal(index.resolveSource(source), undefined, source);
			}
			assert.equal(
				index.resolveSource('webpack://app/./pkg-b/src/util.ts'),
				path.join(root, 'pkg-b/src/util.ts'),
				'unique once the path says which',
			);
		});
	});

	describe('resolveSource beside the map`s other sources', () => {
		it('takes, of two files a tail could be, the one in the folder of the sources found without doubt, and no other', async () => {
			const { root } = make({
				'packages/web/src/App.tsx': '',
				'packages/web/src/Footer.tsx': '',
				'packages/admin/src/App.tsx': '',
			});
			const index = await WorkspaceIndex.open([root]);
			const footer = index.resolveSource('webpack://web/./src/Footer.tsx');
			assert.equal(footer, path.join(root, 'packages/web/src/Footer.tsx'));
			assert.equal(index.resolveSource('webpack://web/./src/App.tsx'), undefined, 'alone, either App.tsx is a guess');
			assert.equal(
				index.resolveSource('webpack://web/./src/App.tsx', undefined, [footer!]),
				path.join(root, 'packages/web/src/App.tsx'),
			);
			assert.equal(
				index.resolveSource('webpack://web/./src/App.tsx', undefined, [path.join(root, 'README.md')]),
				undefined,
				'a neighbour as close to both decides nothing',
			);
		});
	});

	describe('read', () => {
		it('reads a workspace file once per index', async () => {
			const { root } = make({ 'index.html': '<h1>one</h1>' });
			const index = await WorkspaceIndex.open([root]);
			const file = path.join(root, 'index.html');
			assert.equal(await index.read(file), '<h1>one</h1>');
			fs.writeFileSync(file, '<h1>two</h1>');
			assert.equal(await index.read(file), '<h1>one</h1>', 'the text of this locate call');
			assert.equal(await (await WorkspaceIndex.open([root])).read(file), '<h1>two</h1>', 'a new index reads again');
		});
	});
});
