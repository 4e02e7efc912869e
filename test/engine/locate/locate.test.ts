import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { locateFindings } from '../../../src/engine/locate/locate';
import { DEFAULT_PAGE_FETCH_LIMITS, pageFetch } from '../../../src/engine/locate/pageFetch';
import { WorkspaceIndex } from '../../../src/engine/locate/workspace';
import { LOCATE_MIN_CONFIDENCE, type FindingTarget, type PageFinding } from '../../../src/protocol';
import { type FixtureServer, startFixtureServer } from '../../helpers/fixtureServer';
import { defectFor, FIXTURE_WORKSPACES, positionOf, type ServedApp, serveBundledApp } from '../../helpers/workspaces';

const STATIC_SITE = path.join(FIXTURE_WORKSPACES, 'static-site');

function finding(rule: string, target: FindingTarget): PageFinding {
	return { rule, source: 'lighthouse', title: rule, message: rule, severity: 'warning', target };
}

describe('locateFindings (real HTTP, real files)', function () {
	this.timeout(60_000);

	describe('a static site served from the workspace', () => {
		let server: FixtureServer;
		beforeEach(async () => (server = await startFixtureServer({ root: '../workspaces/static-site' })));
		afterEach(() => server.close());

		async function locate(findings: PageFinding[], pageUrl = server.url('/')) {
			const workspace = await WorkspaceIndex.open([STATIC_SITE]);
			return locateFindings({ pageUrl, findings, workspace, fetchText: pageFetch(pageUrl) });
		}

		it("puts the page's entry HTML first in its files, with the static scripts it loads", async () => {
			const { files } = await locate([]);
			assert.deepEqual(files, [path.join(STATIC_SITE, 'index.html'), path.join(STATIC_SITE, 'js/late.js')]);
		});

		it('puts a script position of a static script on that file and line, a same-origin resource on its file, a page finding on the entry file without a line', async () => {
			const late = fs.readFileSync(path.join(STATIC_SITE, 'js/late.js'), 'utf8');
			const at = positionOf(late, "document.querySelector('.site-footer')");
			const { findings } = await locate([
				finding('errors-in-console', {
					kind: 'script',
					url: server.url('/js/late.js'),
					line: at.line,
					column: at.column,
				}),
				finding('unused-css-rules', { kind: 'resource', url: server.url('/css/site.css') }),
				finding('uses-rel-preconnect', { kind: 'resource', url: 'https://fonts.example/css' }),
				finding('meta-description', { kind: 'page' }),
			]);
			assert.deepEqual(findings[0].location, {
				file: path.join(STATIC_SITE, 'js/late.js'),
				line: at.line,
				column: at.column,
				confidence: 1,
				via: 'static-file',
			});
			assert.deepEqual(findings[1].location, {
				file: path.join(STATIC_SITE, 'css/site.css'),
				confidence: 1,
				via: 'static-file',
			});
			assert.equal(findings[2].location, undefined, 'another origin is not a workspace file');
			assert.deepEqual(findings[3].location, {
				file: path.join(STATIC_SITE, 'index.html'),
				confidence: 1,
				via: 'entry-file',
			});
			assert.equal(findings[3].rule, 'meta-description', 'the finding is kept as it was');
		});

		it('gives an element no source has (the image late.js adds) no line: the entry file at most', async () => {
			const { findings } = await locate([
				finding('image-alt', {
					kind: 'element',
					selector: 'footer.site-footer > img.generated-x1',
					snippet: '<img src="/img/team.png?generated=1" class="generated-x1">',
				}),
			]);
			const location = findings[0].location;
			assert.ok(location, 'on the entry file');
			assert.equal(location.file, path.join(STATIC_SITE, 'index.html'));
			assert.equal(location.line, undefined);
			assert.equal(location.via, 'entry-file');
		});

		it('works from the workspace copy of the page when its server is gone, and never throws for a finding it cannot place', async () => {
			const pageUrl = server.url('/');
			await server.close();
			const { findings, files } = await locate(
				[
					finding('errors-in-console', { kind: 'script', url: 'https://cdn.example/x.js', line: 1, column: 1 }),
					finding('document-title', { kind: 'page' }),
				],
				pageUrl,
			);
			assert.equal(files[0], path.join(STATIC_SITE, 'index.html'));
			assert.equal(findings[0].location, undefined);
			assert.equal(findings[1].location?.file, path.join(STATIC_SITE, 'index.html'));
		});
	});

	describe('an app bundled by esbuild with a linked source map', () => {
		let app: ServedApp;
		beforeEach(async () => (app = await serveBundledApp()));
		afterEach(() => app.close());

		it("puts a console error's served position on its original line through the bundle's map (no Lighthouse original)", async () => {
			const bundle = fs.readFileSync(path.join(app.served, 'assets/app.js'), 'utf8');
			const at = positionOf(bundle, 'console.error(');
			const workspace = await WorkspaceIndex.open([app.workspace]);
			const { findings, files } = await locateFindings({
				pageUrl: app.server.url('/'),
				findings: [
					finding('errors-in-console', {
						kind: 'script',
						url: app.server.url('/assets/app.js'),
						line: at.line,
						column: at.column,
					}),
				],
				workspace,
				fetchText: pageFetch(app.server.url('/')),
			});
			const defect = defectFor(app.workspace, 'errors-in-console');
			const location = findings[0].location;
			assert.ok(location);
			assert.deepEqual([location.file, location.line, location.via], [defect.file, defect.line, 'source-map']);
			assert.ok(location.confidence >= LOCATE_MIN_CONFIDENCE);
			assert.equal(files[0], path.join(app.workspace, 'index.html'), 'the static HTML is the entry');
			for (const f of ['src/App.tsx', 'src/h.ts', 'src/main.ts'])
				assert.ok(files.includes(path.join(app.workspace, f)), f);
			assert.ok(
				files.indexOf(path.join(app.workspace, 'src/App.tsx')) < files.indexOf(path.join(app.workspace, 'src/h.ts')),
				'markup sources before the others',
			);
		});

		it("takes Lighthouse's original position when it has one, resolved in the workspace", async () => {
			const workspace = await WorkspaceIndex.open([app.workspace]);
			const { findings } = await locateFindings({
				pageUrl: app.server.url('/'),
				findings: [
					finding('errors-in-console', {
						kind: 'script',
						url: app.server.url('/assets/app.js'),
						line: 1,
						column: 1,
						original: { file: 'webpack://shop/./src/main.ts', line: 4, column: 1 },
					}),
				],
				workspace,
				fetchText: pageFetch(app.server.url('/')),
			});
			assert.deepEqual(findings[0].location, {
				file: path.join(app.workspace, 'src/main.ts'),
				line: 4,
				column: 1,
				confidence: 0.95,
				via: 'lighthouse-original',
			});
		});

		it('without a static HTML in the workspace, makes the first mapped component that renders markup the entry', async () => {
			const workspace = await WorkspaceIndex.open([path.join(app.workspace, 'src')]);
			const { findings, files } = await locateFindings({
				pageUrl: app.server.url('/'),
				findings: [finding('meta-description', { kind: 'page' })],
				workspace,
				fetchText: pageFetch(app.server.url('/')),
			});
			assert.equal(files[0], path.join(app.workspace, 'src/App.tsx'));
			assert.deepEqual(findings[0].location, {
				file: path.join(app.workspace, 'src/App.tsx'),
				confidence: 0.8,
				via: 'entry-file',
			});
		});

		it("reads the map of a script a finding names even when the page's HTML does not list it (a lazily loaded chunk)", async () => {
			fs.writeFileSync(
				path.join(app.served, 'bare.html'),
				'<!doctype html><html lang="en"><title>Bare</title><div id="root"></div></html>',
			);
			const workspace = await WorkspaceIndex.open([app.workspace]);
			const pageUrl = app.server.url('/bare.html');
			const { files } = await locateFindings({
				pageUrl,
				findings: [finding('unused-javascript', { kind: 'resource', url: app.server.url('/assets/app.js') })],
				workspace,
				fetchText: pageFetch(pageUrl),
			});
			assert.ok(files.includes(path.join(app.workspace, 'src/App.tsx')), JSON.stringify(files));
			assert.equal(
				files[0],
				path.join(app.workspace, 'src/App.tsx'),
				'no static page for /bare.html in the workspace: the component is the entry',
			);
		});

		it('ends in time when the dev server hangs: the findings come back, without the lines only the server could give', async () => {
			const workspace = await WorkspaceIndex.open([app.workspace]);
			const pageUrl = app.server.url('/hang');
			const { findings } = await locateFindings({
				pageUrl,
				findings: [finding('errors-in-console', { kind: 'script', url: app.server.url('/hang'), line: 1, column: 10 })],
				workspace,
				fetchText: pageFetch(pageUrl, { ...DEFAULT_PAGE_FETCH_LIMITS, perFetchMs: 300 }),
			});
			assert.equal(findings.length, 1);
			assert.equal(findings[0].location, undefined);
		});
	});
});
