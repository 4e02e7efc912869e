import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import { UsageError } from '../../../src/cli/args';
import { parseAuditArgs } from '../../../src/cli/commands/audit';
import { parseScanArgs } from '../../../src/cli/commands/scan';
import type { LocatedFinding } from '../../../src/protocol';
import { FIXTURE_PAGES, type FixtureServer, startFixtureServer } from '../../helpers/fixtureServer';
import { sarifSchemaErrors } from '../../helpers/sarifSchema';
import { cli } from '../../helpers/cli';

/** Issue 11's fixture workspace: a static site served as is, each planted defect's line marked. */
const WORKSPACE = path.join(FIXTURE_PAGES, '..', 'workspaces', 'static-site');

/** The 1-based line of `file` (in the workspace) marked `<!-- defect: ... rule ... -->`. */
function markedLine(file: string, rule: string): number {
	const lines = fs.readFileSync(path.join(WORKSPACE, file), 'utf8').split('\n');
	const index = lines.findIndex((l) => new RegExp(`<!-- defect:[^>]*\\b${rule}\\b`).test(l));
	assert.ok(index >= 0, `${file} marks a ${rule} defect`);
	return index + 1;
}

function readSarif(file: string): Sarif.Run {
	const log = JSON.parse(fs.readFileSync(file, 'utf8')) as Sarif.Log;
	assert.deepEqual(sarifSchemaErrors(log), [], 'valid SARIF 2.1.0');
	return log.runs[0]!;
}

describe('auditlens --sarif and --root: arguments (pure)', () => {
	it('reads --sarif FILE and --root DIR for audit and scan, the root defaulting to the current folder', () => {
		assert.deepEqual(parseAuditArgs(['http://x.test/', '--sarif', 'out/a.sarif']).locate, {
			root: process.cwd(),
			sarif: path.resolve('out/a.sarif'),
		});
		assert.deepEqual(
			parseAuditArgs(['http://x.test/', '--root=site']).locate,
			{ root: path.resolve('site') },
			'--root alone places findings for --json',
		);
		assert.deepEqual(parseScanArgs(['http://x.test/', '--sarif=s.sarif', '--root', '/srv/site']).locate, {
			root: path.resolve('/srv/site'),
			sarif: path.resolve('s.sarif'),
		});
		assert.deepEqual(
			parseAuditArgs(['http://x.test/', '--json']).locate,
			{ root: process.cwd() },
			'--json carries the findings placed under the current folder',
		);
		assert.deepEqual(parseScanArgs(['http://x.test/', '--json']).locate, { root: process.cwd() });
		assert.equal(parseAuditArgs(['http://x.test/']).locate, undefined, 'a text run places nothing');
		assert.deepEqual(
			parseAuditArgs(['http://x.test/', '--json', '--root', '/srv/site', '--map', '/=dist', '--map', '/static/=assets'])
				.locate,
			{
				root: path.resolve('/srv/site'),
				mappings: [
					{ urlPath: '/', dir: path.resolve('/srv/site/dist') },
					{ urlPath: '/static/', dir: path.resolve('/srv/site/assets') },
				],
			},
		);
		assert.throws(() => parseAuditArgs(['http://x.test/', '--json', '--map', 'dist']), /--map takes URLPATH=DIR/);
		assert.throws(
			() => parseAuditArgs(['http://x.test/', '--map', '/=dist']),
			/--map places findings: give it with --json, --sarif or --root/,
		);
		assert.throws(
			() => parseAuditArgs(['http://x.test/', '--sarif=']),
			(e: Error) => e instanceof UsageError && /--sarif needs a file name/.test(e.message),
		);
		assert.throws(
			() => parseScanArgs(['http://x.test/', '--root=']),
			(e: Error) => e instanceof UsageError && /--root needs a folder/.test(e.message),
		);
	});
});

describe('auditlens --sarif and --root (real process; real Chromium but for the checks)', function () {
	let dir: string;
	let server: FixtureServer;
	before(async () => {
		server = await startFixtureServer({ root: '../workspaces/static-site' });
	});
	after(async () => server?.close());
	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-sarif-'));
	});
	afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

	it('exits 64 when --root is missing or a file or --sarif names a folder, naming the flag, and audits nothing', async () => {
		const file = path.join(dir, 'notes.txt');
		fs.writeFileSync(file, 'x');
		for (const [command, args, message] of [
			['audit', ['--root', path.join(dir, 'no-such-site')], /--root .*no-such-site: no such folder/],
			['scan', ['--root', file], /--root .*notes\.txt is a file, not a folder/],
			['audit', ['--sarif', dir], /--sarif .* is a folder; give a file name/],
			['audit', ['--sarif', path.join(file, 'a.sarif')], /--sarif .*notes\.txt: it exists and is not a folder/],
			[
				'audit',
				['--json', '--root', dir, '--map', '/=../elsewhere'],
				/--map \/=.*elsewhere: the folder is outside --root/,
			],
			// Looks writable to root, takes no folder; Node's recursive mkdir under /proc never returns.
			['audit', ['--sarif', '/proc/auditlens-x/a.sarif'], /--sarif .*\/proc is not a folder files can be written in/],
			['scan', ['--sarif', '/proc/a.sarif'], /--sarif .*\/proc is not a folder files can be written in/],
		] as [string, string[], RegExp][]) {
			const r = await cli([command, server.url('/'), ...args, '--db', path.join(dir, 'h.sqlite')]);
			assert.equal(r.code, 64, `${command} ${args.join(' ')}: ${r.stderr}`);
			assert.match(r.stderr, message);
		}
		assert.equal(server.hits.get('/'), undefined, 'no audit was started');
		assert.equal(fs.existsSync(path.join(dir, 'h.sqlite')), false, 'no history was opened');
	});

	it('audits the static-site workspace: valid SARIF with image-alt on index.html’s marked line, and the same place in --json', async () => {
		const out = path.join(dir, 'reports', 'auditlens.sarif');
		const r = await cli([
			'audit',
			server.url('/'),
			'--form-factor',
			'mobile',
			'--no-ai',
			'--json',
			'--sarif',
			out,
			'--root',
			WORKSPACE,
			'--db',
			path.join(dir, 'h.sqlite'),
		]);
		assert.equal(r.code, 0, r.stderr);
		const line = markedLine('index.html', 'image-alt');
		const run = readSarif(out);
		const imageAlt = run.results?.filter((x) => x.ruleId === 'image-alt') ?? [];
		const onLine = imageAlt.filter((x) => x.locations?.[0]?.physicalLocation?.region);
		assert.equal(onLine.length, 1, 'the planted <img> is on a line; the one js/late.js adds is on none');
		const physical = onLine[0]?.locations?.[0]?.physicalLocation;
		assert.deepEqual(
			[physical?.artifactLocation?.uri, physical?.artifactLocation?.uriBaseId, physical?.region?.startLine],
			['index.html', '%SRCROOT%', line],
		);
		assert.equal(run.originalUriBaseIds?.['%SRCROOT%']?.uri, `${pathToFileURL(WORKSPACE).href}/`);
		assert.deepEqual(onLine[0]?.properties?.urls, [server.url('/')]);
		for (const result of run.results ?? [])
			assert.ok(result.locations?.[0]?.physicalLocation?.artifactLocation?.uri, 'every result has a file');
		const [entry] = JSON.parse(r.stdout) as {
			status: string;
			result?: unknown;
			findings?: LocatedFinding[];
			files?: string[];
		}[];
		assert.equal(entry?.status, 'ok');
		assert.ok(entry?.result, 'the result is still there: the JSON only gained fields');
		assert.equal(entry?.files?.[0], path.join(WORKSPACE, 'index.html'));
		const found = entry?.findings?.filter((f) => f.rule === 'image-alt' && f.location?.line !== undefined);
		assert.deepEqual(
			found?.map((f) => [f.location?.file, f.location?.line]),
			[[path.join(WORKSPACE, 'index.html'), line]],
		);
		// Audited again (not from the cache): the planted defects keep their identity, so code scanning sees the same
		// alerts. (Only those: whether a layout shift is measured, say, varies between runs.)
		const again = path.join(dir, 'again.sarif');
		const second = await cli([
			'audit',
			server.url('/'),
			'--form-factor',
			'mobile',
			'--no-ai',
			'--no-cache',
			'--sarif',
			again,
			'--root',
			WORKSPACE,
			'--db',
			path.join(dir, 'h.sqlite'),
		]);
		assert.equal(second.code, 0, second.stderr);
		const planted = new Set(
			[...fs.readFileSync(path.join(WORKSPACE, 'index.html'), 'utf8').matchAll(/<!-- defect: ([^>]*?) -->/g)].flatMap(
				(m) => m[1]!.split(/\s+/),
			),
		);
		const fingerprints = (r: Sarif.Run) =>
			(r.results ?? [])
				// On their lines: the image js/late.js adds has these rules too, on no line, with a class made up anew
				// each load (the fingerprint blurs such names, but a random one can read like a word).
				.filter((x) => planted.has(x.ruleId ?? '') && x.locations?.[0]?.physicalLocation?.region !== undefined)
				.map((x) => `${x.ruleId} ${x.partialFingerprints?.['auditlensFinding/v1']}`)
				.sort();
		assert.deepEqual(fingerprints(readSarif(again)), fingerprints(run));
	});

	it('keeps the results when the SARIF file cannot be written at the end: JSON printed, the error said, exit 1', async () => {
		const gate = server.gate('/index.html');
		const folder = path.join(dir, 'out');
		const run = cli([
			'audit',
			server.url('/index.html'),
			'--form-factor',
			'mobile',
			'--no-capture',
			'--no-ai',
			'--json',
			'--sarif',
			path.join(folder, 'a.sarif'),
			'--root',
			WORKSPACE,
			'--db',
			path.join(dir, 'h.sqlite'),
		]);
		// The checks passed (no folder yet, its parent writable) and the audit is under way: now a file takes the folder's
		// name.
		await gate.reached;
		fs.writeFileSync(folder, 'not a folder');
		gate.open();
		const r = await run;
		assert.equal(r.code, 1, r.stderr);
		const [entry] = JSON.parse(r.stdout) as {
			status: string;
			result?: { stages: Record<string, { status: string }> };
		}[];
		assert.equal(entry?.status, 'ok');
		assert.equal(entry?.result?.stages['lighthouse-mobile']?.status, 'ok');
		assert.match(r.stderr, /could not write the SARIF file .*a\.sarif/);
		assert.equal(fs.readFileSync(folder, 'utf8'), 'not a folder', 'nothing written over the file');
	});

	it('scans the static site into one SARIF run: each route’s findings on its own file, the run listing every URL', async () => {
		const out = path.join(dir, 'scan.sarif');
		const r = await cli([
			'scan',
			server.url('/'),
			'--no-capture',
			'--no-ai',
			'--json',
			'--sarif',
			out,
			'--root',
			WORKSPACE,
			'--db',
			path.join(dir, 'h.sqlite'),
		]);
		assert.equal(r.code, 0, r.stderr);
		const doc = JSON.parse(r.stdout) as { sarif?: string; routes: { url: string; findings?: LocatedFinding[] }[] };
		assert.equal(doc.sarif, out);
		const run = readSarif(out);
		assert.deepEqual(
			[...((run.properties?.auditedUrls as string[]) ?? [])].sort(),
			doc.routes.map((x) => x.url).sort(),
		);
		const files = new Set(run.results?.map((x) => x.locations?.[0]?.physicalLocation?.artifactLocation?.uri));
		assert.ok(files.has('index.html') && files.size > 1, `results on several files: ${[...files].join(', ')}`);
		const imageAlt = run.results?.find(
			(x) => x.ruleId === 'image-alt' && x.locations?.[0]?.physicalLocation?.artifactLocation?.uri === 'index.html',
		);
		assert.equal(imageAlt?.locations?.[0]?.physicalLocation?.region?.startLine, markedLine('index.html', 'image-alt'));
		assert.ok(
			doc.routes.every((x) => Array.isArray(x.findings)),
			'each route of --json carries its findings',
		);
	});
});
