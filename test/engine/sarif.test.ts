import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import { FINGERPRINT_KEY, relativeUri, toSarif } from '../../src/engine/sarif';
import type { LocatedFinding, LocateResult } from '../../src/protocol';
import { sarifSchemaErrors } from '../helpers/sarifSchema';

const ROOT = path.resolve('/work/site');
const at = (rel: string) => path.join(ROOT, rel);

function finding(rule: string, over: Partial<LocatedFinding> = {}): LocatedFinding {
	return {
		rule,
		source: 'lighthouse',
		title: `${rule} title`,
		message: `${rule} here`,
		severity: 'error',
		helpUrl: `https://dequeuniversity.com/rules/axe/4.10/${rule}`,
		target: { kind: 'element', selector: `main > .${rule}`, snippet: `<div class="${rule}">` },
		...over,
	};
}

function page(url: string, findings: LocatedFinding[], files = [at('index.html')]): LocateResult {
	return { auditId: `id-${url}`, url, findings, files, ms: 1 };
}

const placed = (file: string, line: number, confidence = 0.95): LocatedFinding['location'] => ({
	file: at(file),
	line,
	column: 4,
	endLine: line,
	endColumn: 40,
	confidence,
	via: 'snippet',
});

/** The log, checked against the official schema first. */
function sarif(pages: LocateResult[], failures?: { url: string; message: string }[]): Sarif.Run {
	const log = toSarif({ root: ROOT, pages, failures, toolVersion: '1.2.3' });
	assert.deepEqual(sarifSchemaErrors(log), [], 'valid SARIF 2.1.0');
	assert.equal(log.version, '2.1.0');
	assert.equal(log.runs.length, 1);
	return log.runs[0]!;
}

const uriOf = (r: Sarif.Result) => r.locations?.[0]?.physicalLocation?.artifactLocation?.uri;
const regionOf = (r: Sarif.Result) => r.locations?.[0]?.physicalLocation?.region;
const fingerprintOf = (r: Sarif.Result) => r.partialFingerprints?.[FINGERPRINT_KEY];

describe('SARIF writer (pure)', () => {
	it('writes one run with AuditLens as the driver, each rule once, and levels from the severities', () => {
		const run = sarif([
			page('http://127.0.0.1:5000/', [
				finding('image-alt', { location: placed('index.html', 20) }),
				finding('image-alt', {
					target: { kind: 'element', selector: 'header img' },
					location: placed('index.html', 11),
				}),
				finding('label', { severity: 'warning', source: 'lighthouse', location: placed('index.html', 23) }),
				finding('meta-description', {
					severity: 'info',
					target: { kind: 'page' },
					location: { file: at('index.html'), confidence: 1, via: 'entry-file' },
				}),
			]),
			page(
				'http://127.0.0.1:5000/about.html',
				[finding('image-alt', { location: placed('about.html', 8) })],
				[at('about.html')],
			),
		]);
		assert.equal(run.tool.driver.name, 'AuditLens');
		assert.equal(run.tool.driver.version, '1.2.3');
		assert.deepEqual(
			run.tool.driver.rules?.map((r) => [r.id, r.name, r.shortDescription?.text, r.defaultConfiguration?.level]),
			[
				['image-alt', 'ImageAlt', 'image-alt title', 'error'],
				['label', 'Label', 'label title', 'warning'],
				['meta-description', 'MetaDescription', 'meta-description title', 'note'],
			],
		);
		assert.equal(run.tool.driver.rules?.[0]?.helpUri, 'https://dequeuniversity.com/rules/axe/4.10/image-alt');
		assert.equal(run.results?.length, 5);
		for (const r of run.results ?? [])
			assert.equal(run.tool.driver.rules?.[r.ruleIndex!]?.id, r.ruleId, 'ruleIndex points at its rule');
		assert.deepEqual(
			run.results?.map((r) => r.level),
			['error', 'error', 'warning', 'note', 'error'],
		);
		assert.equal(run.results?.[0]?.message.text, 'image-alt here');
	});

	it('gives a rule the level of its most severe finding, and drops a help link that is not https', () => {
		const run = sarif([
			page('http://x.test/', [
				finding('cta-above-fold', {
					source: 'cro',
					severity: 'info',
					helpUrl: 'javascript:alert(1)',
					location: placed('index.html', 3),
				}),
				finding('cta-above-fold', {
					source: 'cro',
					severity: 'warning',
					target: { kind: 'element', selector: 'a.cta' },
					location: placed('index.html', 9),
				}),
			]),
		]);
		const [rule] = run.tool.driver.rules ?? [];
		assert.equal(rule?.defaultConfiguration?.level, 'warning');
		assert.equal(rule?.helpUri, undefined);
		assert.deepEqual(rule?.properties?.tags, ['conversion']);
	});

	it('points at the file relative to the root under %SRCROOT%, with the region of the line, percent-encoded', () => {
		const run = sarif([
			page('http://x.test/blog/', [finding('image-alt', { location: placed('blog/first post #1.html', 12) })]),
		]);
		const [result] = run.results ?? [];
		assert.equal(uriOf(result!), 'blog/first%20post%20%231.html');
		assert.equal(result?.locations?.[0]?.physicalLocation?.artifactLocation?.uriBaseId, '%SRCROOT%');
		assert.deepEqual(regionOf(result!), { startLine: 12, startColumn: 4, endLine: 12, endColumn: 40 });
		assert.deepEqual(run.originalUriBaseIds, { '%SRCROOT%': { uri: `${pathToFileURL(ROOT).href}/` } });
		assert.deepEqual(result?.properties?.placement, { via: 'snippet', confidence: 0.95 });
		assert.deepEqual(result?.properties?.urls, ['http://x.test/blog/']);
	});

	it('keeps a fingerprint when the line moves or the server’s port changes, and not for another element, file or rule', () => {
		const fp = (f: LocatedFinding, url = 'http://127.0.0.1:5000/') =>
			fingerprintOf(sarif([page(url, [f])]).results![0]!);
		const base = fp(finding('image-alt', { location: placed('index.html', 20) }));
		assert.match(base ?? '', /^[0-9a-f]{32}:1$/);
		assert.equal(fp(finding('image-alt', { location: placed('index.html', 57) })), base, 'line moved');
		assert.equal(
			fp(finding('image-alt', { location: placed('index.html', 20, 0.8) }), 'http://127.0.0.1:6123/'),
			base,
			'another run',
		);
		assert.notEqual(
			fp(
				finding('image-alt', {
					target: { kind: 'element', selector: 'footer img' },
					location: placed('index.html', 20),
				}),
			),
			base,
		);
		const generated = (cls: string) =>
			fp(finding('image-alt', { target: { kind: 'element', selector: `footer > img.generated-${cls}.col-6` } }));
		assert.equal(
			generated('je7yokpde5'),
			generated('q1w2e3r4t5'),
			'a class a script makes up per run is not part of the identity',
		);
		assert.notEqual(
			generated('je7yokpde5'),
			fp(finding('image-alt', { target: { kind: 'element', selector: 'footer > img.generated-je7yokpde5.col-7' } })),
		);
		assert.notEqual(fp(finding('image-alt', { location: placed('about.html', 20) })), base);
		assert.notEqual(fp(finding('label', { location: placed('index.html', 20) })), base);
		const script = (port: number, line: number) =>
			fp(
				finding('errors-in-console', {
					target: { kind: 'script', url: `http://127.0.0.1:${port}/js/app.js?v=${port}`, line, column: 3 },
					message: `Uncaught TypeError: x is undefined at http://127.0.0.1:${port}/js/app.js:${line}:3`,
					location: placed('js/app.js', line),
				}),
				`http://127.0.0.1:${port}/`,
			);
		assert.equal(
			script(5000, 10),
			script(6000, 14),
			'a script error keeps its fingerprint across ports, lines and cache busters',
		);
	});

	it('tells identical elements of one file apart by their order, and merges one place found on several pages', () => {
		const twin = (line: number) =>
			finding('image-alt', {
				target: { kind: 'element', snippet: '<img src="/x.png">' },
				location: placed('layout.html', line),
			});
		const run = sarif([
			page('http://x.test/a', [twin(30), twin(10)], [at('layout.html')]),
			page('http://x.test/b', [twin(10), { ...twin(30), formFactor: 'mobile' }], [at('layout.html')]),
		]);
		assert.equal(run.results?.length, 2, 'one result per place in the code');
		const [first, second] = run.results!;
		assert.deepEqual([regionOf(first!)?.startLine, regionOf(second!)?.startLine], [30, 10]);
		assert.match(fingerprintOf(first!) ?? '', /:2$/);
		assert.match(fingerprintOf(second!) ?? '', /:1$/);
		assert.deepEqual(first?.properties?.urls, ['http://x.test/a', 'http://x.test/b']);
		assert.deepEqual(first?.properties?.formFactors, ['all'], 'held on every form factor on page a');
		assert.deepEqual(second?.properties?.urls, ['http://x.test/a', 'http://x.test/b']);
		const mobileOnly = sarif([
			page(
				'http://x.test/b',
				[
					{ ...twin(30), formFactor: 'mobile' },
					{ ...twin(30), formFactor: 'desktop' },
				],
				[at('layout.html')],
			),
		]);
		assert.deepEqual(mobileOnly.results?.[0]?.properties?.formFactors, ['desktop', 'mobile']);
	});

	it('puts a finding without a place on its page’s entry file with no region, and leaves it out (counted) when the page has no file', () => {
		const run = sarif([
			page('http://x.test/', [
				finding('meta-description', { target: { kind: 'page' } }),
				finding('uses-long-cache-ttl', { target: { kind: 'resource', url: 'https://cdn.example/x.js' } }),
			]),
			page('http://x.test/api', [finding('meta-description', { target: { kind: 'page' } })], []),
		]);
		assert.equal(run.results?.length, 2);
		for (const r of run.results!) {
			assert.equal(uriOf(r), 'index.html');
			assert.equal(regionOf(r), undefined, 'no guessed line');
			assert.deepEqual(r.properties?.placement, { via: 'entry-file' });
		}
		assert.deepEqual(run.properties, {
			auditedUrls: ['http://x.test/', 'http://x.test/api'],
			unlocatedFindings: 1,
			unlocatedByRule: { 'meta-description': 1 },
		});
		for (const r of run.results!)
			assert.ok(r.locations?.length, 'GitHub code scanning refuses a file with a result that has no location');
	});

	it('never writes a URI that escapes the root: a file outside it falls back to the entry file, or to no result', () => {
		const outside = [
			path.resolve(ROOT, '..', 'other', 'x.html'),
			path.resolve('/etc/passwd'),
			path.join(ROOT, '..', 'site-2', 'a.html'),
		];
		const run = sarif([
			page(
				'http://x.test/',
				outside.map((file, i) =>
					finding(`rule-${i}`, { location: { file, line: 3, confidence: 0.9, via: 'static-file' } }),
				),
			),
			page(
				'http://x.test/far',
				[finding('image-alt', { location: { file: outside[0]!, line: 1, confidence: 0.9, via: 'snippet' } })],
				[outside[1]!],
			),
		]);
		assert.deepEqual(
			run.results?.map((r) => [uriOf(r), regionOf(r)]),
			[
				['index.html', undefined],
				['index.html', undefined],
				['index.html', undefined],
			],
		);
		assert.equal(run.properties?.unlocatedFindings, 1);
		const text = JSON.stringify(run.results);
		assert.doesNotMatch(text, /\.\.\/|file:|\/etc\//);
		assert.equal(relativeUri(ROOT, ROOT), undefined, 'the root itself is not a file in it');
		assert.equal(relativeUri(ROOT, path.join(ROOT, 'a', '..', '..', 'x')), undefined);
		assert.equal(relativeUri(ROOT, path.join(ROOT, '..x', 'y.html')), '..x/y.html', 'a folder named "..x" is inside');
	});

	it('keeps a CRO rule apart from the Lighthouse audit of the same name, and names a resource in its message', () => {
		const head = { file: at('index.html'), confidence: 1, via: 'entry-file' as const };
		const run = sarif([
			page('http://127.0.0.1:5000/', [
				finding('meta-description', { target: { kind: 'page' }, location: head }),
				finding('meta-description', {
					source: 'cro',
					message: 'Add a meta description that sells the page',
					target: { kind: 'page' },
					location: head,
				}),
				finding('unminified-javascript', {
					severity: 'info',
					message: 'Could save 12 KiB',
					target: { kind: 'resource', url: 'http://127.0.0.1:5000/node_modules/.vite/deps/react.js?v=1' },
				}),
			]),
		]);
		assert.deepEqual(run.tool.driver.rules?.map((r) => r.id).sort(), [
			'cro/meta-description',
			'meta-description',
			'unminified-javascript',
		]);
		assert.equal(run.results?.length, 3, 'one result each: none merged away');
		assert.ok(
			run.results?.some(
				(r) => r.ruleId === 'cro/meta-description' && r.message.text === 'Add a meta description that sells the page',
			),
		);
		const resource = run.results?.find((r) => r.ruleId === 'unminified-javascript');
		assert.equal(resource?.message.text, 'Could save 12 KiB (/node_modules/.vite/deps/react.js?v=1)');
		assert.equal(resource?.properties?.resource, 'http://127.0.0.1:5000/node_modules/.vite/deps/react.js?v=1');
	});

	it('says in the run’s invocation which pages gave no findings', () => {
		const run = sarif(
			[page('http://x.test/', [finding('image-alt', { location: placed('index.html', 2) })])],
			[{ url: 'http://x.test/500', message: 'the audit failed: The page answered 500.' }],
		);
		const [invocation] = run.invocations ?? [];
		assert.equal(invocation?.executionSuccessful, false);
		assert.deepEqual(
			invocation?.toolExecutionNotifications?.map((n) => [n.level, n.message.text]),
			[['error', 'http://x.test/500: the audit failed: The page answered 500.']],
		);
		assert.equal(sarif([]).invocations?.[0]?.executionSuccessful, true);
		assert.deepEqual(
			sarif([]).results,
			[],
			'an audit without findings is an empty results array, which says "nothing found"',
		);
	});

	it('is checked by a schema validator that refuses a broken log (the check above is not vacuous)', () => {
		const log = toSarif({
			root: ROOT,
			pages: [page('http://x.test/', [finding('image-alt', { location: placed('index.html', 2) })])],
		});
		const broken = JSON.parse(JSON.stringify(log)) as Sarif.Log;
		broken.runs[0]!.results![0]!.locations![0]!.physicalLocation!.region!.startLine = 0;
		delete (broken.runs[0]!.results![0] as Partial<Sarif.Result>).message;
		const errors = sarifSchemaErrors(broken);
		assert.ok(
			errors.some((e) => /region\/startLine must be >= 1/.test(e)),
			errors.join('\n'),
		);
		assert.ok(
			errors.some((e) => /must have required property 'message'/.test(e)),
			errors.join('\n'),
		);
		assert.notDeepEqual(sarifSchemaErrors({ ...log, version: '2.0.0' }), []);
	});
});
