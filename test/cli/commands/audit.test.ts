import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../../../src/cli/args';
import { authArgs, parseBudget } from '../../../src/cli/auditOptions';
import { budgetFailures, parseAuditArgs, settingsFrom } from '../../../src/cli/commands/audit';
import { sampleResult } from '../../helpers/sampleResult';
import { snapshot } from '../../helpers/snapshot';
import { ROOT } from '../../helpers/engineProcess';
import { FIXTURE_TOKEN, type FixtureServer, startFixtureServer } from '../../helpers/fixtureServer';
import { deferred } from '../../helpers/async';
import { cli } from '../../helpers/cli';
import { CONTROL, ESC } from '../../helpers/terminalChars';

describe('auditlens CLI: argument parsing (pure)', function () {
	it('parses budgets as 0..1 or 0..100 and rejects unknown categories', () => {
		assert.deepEqual(parseBudget('performance=0.9,seo=80'), { performance: 0.9, seo: 0.8 });
		assert.throws(() => parseBudget('speed=0.9'), UsageError);
		assert.throws(() => parseBudget('performance=abc'), UsageError);
	});

	it('parses audit options with defaults', () => {
		const a = parseAuditArgs([
			'https://a.example/',
			'--form-factor',
			'desktop',
			'--concurrency=3',
			'--no-cache',
			'--json',
		]);
		assert.deepEqual(a.urls, ['https://a.example/']);
		assert.deepEqual(a.formFactors, ['desktop']);
		assert.equal(a.concurrency, 3);
		assert.ok(a.noCache && a.json);
		assert.throws(() => parseAuditArgs([]), /at least one URL/);
		assert.throws(() => parseAuditArgs(['u', '--form-factor', 'tablet']), UsageError);
		assert.throws(() => parseAuditArgs(['u', '--bogus']), /unknown option --bogus/);
		assert.throws(() => parseAuditArgs(['u', '--db']), /--db needs a value/);
		assert.throws(() => parseAuditArgs(['u', '--json=yes']), /--json takes no value/);
		assert.throws(() => parseAuditArgs(['u', '--runs', '1.5']), /--runs takes a whole number from 1 to 9/);
	});

	it('takes every flag as --flag value and as --flag=value', () => {
		const spaced = parseAuditArgs([
			'u',
			'--form-factor',
			'mobile',
			'--runs',
			'3',
			'--timeout',
			'60',
			'--budget',
			'seo=90',
			'--html',
			'out',
			'--db',
			'h.sqlite',
			'--chrome-path',
			'/c',
		]);
		const inline = parseAuditArgs([
			'u',
			'--form-factor=mobile',
			'--runs=3',
			'--timeout=60',
			'--budget=seo=90',
			'--html=out',
			'--db=h.sqlite',
			'--chrome-path=/c',
		]);
		assert.deepEqual(inline, spaced);
		assert.equal(spaced.timeoutMs, 60_000);
		assert.deepEqual(spaced.budget, { seo: 0.9 });
		const off = parseAuditArgs([
			'u',
			'--no-cache',
			'--no-pool',
			'--no-capture',
			'--no-cro',
			'--no-ai',
			'--accuracy',
			'--verbose',
		]);
		assert.deepEqual(off.stages, { capture: false, cro: false, ai: false });
		assert.ok(off.noCache && !off.usePool && off.accuracy && off.verbose);
		assert.equal(parseAuditArgs(['u']).traceSlot, true, 'the trace slot is on by default');
		assert.equal(
			settingsFrom(parseAuditArgs(['u', '--no-trace-slot'])).traceSlot,
			false,
			'--no-trace-slot reaches the engine settings',
		);
		assert.equal(settingsFrom(parseAuditArgs(['u'])).traceSlot, true);
	});

	it('reports every category of every form factor under its budget', () => {
		const r = sampleResult();
		const failures = budgetFailures(r, { performance: 1.01 });
		assert.equal(failures.length, 2);
		assert.match(failures[0], /^mobile performance 0\.\d\d < 1\.01$/);
		assert.deepEqual(budgetFailures(r, { performance: 0 }), []);
	});
});

async function gatedServer(page: string) {
	const gate = deferred();
	const arrived = deferred();
	const hits: string[] = [];
	const server = http.createServer((req, res) => {
		hits.push(req.url ?? '');
		if (req.url === '/held') arrived.resolve();
		void gate.promise.then(() => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const close = () => {
		server.closeAllConnections();
		return new Promise<void>((resolve) => server.close(() => resolve()));
	};
	return { origin, hits, arrived: arrived.promise, open: () => gate.resolve(), close };
}

describe('auditlens CLI: checks before the first audit (real process)', function () {
	let dir: string;
	let server: FixtureServer;
	before(async () => {
		server = await startFixtureServer();
	});
	after(async () => server?.close());
	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-cli-checks-'));
	});
	afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

	const untouched = () => assert.equal(server.hits.get('/site/page8.html'), undefined, 'no audit was started');

	it('refuses a folder named by --db with exit 64 and leaves it exactly as it was', async () => {
		const project = path.join(dir, 'project');
		fs.mkdirSync(path.join(project, 'src'), { recursive: true });
		fs.writeFileSync(path.join(project, 'src', 'main.ts'), 'console.log(1);\n');
		const before = snapshot(dir);
		const r = await cli(['audit', server.url('/site/page8.html'), '--db', project]);
		assert.equal(r.code, 64, r.stderr);
		assert.match(r.stderr, /--db: .*project is a folder, not a history database\. AuditLens leaves it as it is/);
		assert.deepEqual(snapshot(dir), before);
		untouched();
	});

	it('refuses a text file named by --db, for audit, history and cache clear, and leaves it as it was', async () => {
		const notes = path.join(dir, 'notes.txt');
		fs.writeFileSync(notes, 'meeting notes\n'.repeat(50));
		const before = snapshot(dir);
		for (const args of [['audit', server.url('/site/page8.html')], ['cache', 'clear'], ['history']]) {
			const r = await cli([...args, '--db', notes]);
			assert.equal(r.code, 64, `${args.join(' ')}: ${r.stderr}`);
			assert.match(r.stderr, /notes\.txt is not an SQLite database/);
			assert.deepEqual(snapshot(dir), before, args.join(' '));
		}
		untouched();
	});

	it('sets aside a damaged SQLite file for cache clear, keeping its bytes', async () => {
		const db = path.join(dir, 'h.sqlite');
		const damaged = Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(8192 - 16, 0xa5)]);
		fs.writeFileSync(db, damaged);
		const r = await cli(['cache', 'clear', '--db', db]);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stderr, /could not be read.*moved to/);
		const aside = fs.readdirSync(dir).filter((n) => n.startsWith('h.sqlite.corrupt-'));
		assert.equal(aside.length, 1);
		assert.deepEqual(fs.readFileSync(path.join(dir, aside[0]!)), damaged);
	});

	it('answers a 100,000-character URL with a usage error, without sending it', async () => {
		const long = server.url(`/site/page8.html?q=${'a'.repeat(100_000)}`);
		const started = Date.now();
		const r = await cli(['audit', long, '--db', path.join(dir, 'h.sqlite')]);
		assert.equal(r.code, 64, r.stderr);
		assert.match(r.stderr, /a URL of 1000\d\d characters is longer than the 8192 the engine accepts/);
		assert.ok(r.stderr.length < 10_000, 'the URL is not echoed whole');
		untouched();
		assert.equal(fs.existsSync(path.join(dir, 'h.sqlite')), false, 'no history was opened');
		console.log(`      (usage error after ${Date.now() - started} ms, node start-up included)`);
	});

	it('refuses --html naming an existing file or a path through a file before auditing', async () => {
		const file = path.join(dir, 'report.html');
		fs.writeFileSync(file, 'mine');
		for (const html of [file, path.join(file, 'reports')]) {
			const r = await cli([
				'audit',
				server.url('/site/page8.html'),
				'--html',
				html,
				'--db',
				path.join(dir, 'h.sqlite'),
			]);
			assert.equal(r.code, 64, r.stderr);
			assert.match(r.stderr, /--html .*(exists and is not a folder|cannot be used)/);
		}
		assert.equal(fs.readFileSync(file, 'utf8'), 'mine');
		untouched();
	});

	it('says once, before auditing, that AI sends screenshots and page text to Anthropic, unless --no-ai', async () => {
		const env = { ANTHROPIC_API_KEY: 'sk-ant-test-key-not-real', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' };
		const withAi = await cli(
			['audit', server.url('/500'), server.url('/500?again'), '--db', path.join(dir, 'h.sqlite')],
			env,
		);
		assert.equal(withAi.code, 1, withAi.stderr);
		assert.equal(
			withAi.stderr.match(/screenshots and page text of each audited page are sent to Anthropic/g)?.length,
			1,
			withAi.stderr,
		);
		assert.match(withAi.stderr, /--no-ai to keep audits on this machine/);
		assert.doesNotMatch(withAi.stdout + withAi.stderr, /sk-ant-test-key-not-real/);
		for (const off of ['--no-ai', '--no-capture']) {
			const local = await cli(['audit', server.url('/500'), off, '--db', path.join(dir, 'h.sqlite')], env);
			assert.equal(local.code, 1, local.stderr);
			assert.doesNotMatch(local.stderr, /Anthropic/, off);
		}
	});

	it('reads --header, --cookie and --login-script as the audit’s auth, and refuses mistakes without quoting a value', () => {
		const a = parseAuditArgs([
			'http://x.test/',
			'--header',
			'Authorization: Bearer abc',
			'--header=X-Api-Key:k1',
			'--cookie',
			'session=s=1',
			'--cookie=csrf=t',
		]);
		assert.deepEqual(a.auth, {
			headers: { Authorization: 'Bearer abc', 'X-Api-Key': 'k1' },
			cookies: [
				{ name: 'session', value: 's=1' },
				{ name: 'csrf', value: 't' },
			],
		});
		assert.equal(parseAuditArgs(['http://x.test/']).auth, undefined);
		assert.equal(
			parseAuditArgs(['http://x.test/', '--login-script', 'login.mjs']).auth?.loginScript,
			path.resolve('login.mjs'),
		);
		const bad: [string[], string[], RegExp][] = [
			[['secret-token-1'], [], /--header takes "Name: value".*number 1 has no colon/],
			[['Host: secret-2'], [], /--header Host: this header is set by the browser/],
			[['Cookie: a=secret-3'], [], /--header Cookie: give cookies as cookies/],
			[['X-A: one secret-4\u0007'], [], /--header X-A: a header value may only have printable ASCII/],
			[['X-A: 1', 'x-a: secret-5'], [], /--header x-a is given twice/],
			[[], ['secret-6'], /--cookie takes name=value; --cookie number 1/],
			[[], ['session=has space secret-7'], /--cookie session: a cookie value may not have spaces/],
		];
		for (const [headers, cookies, message] of bad) {
			assert.throws(
				() => authArgs(headers, cookies, undefined),
				(err: Error) => err instanceof UsageError && message.test(err.message) && !/secret-\d/.test(err.message),
				`${headers.join(' | ')} ${cookies.join(' | ')}`,
			);
		}
	});

	it('exits 64 on a bad --header, --cookie or a missing --login-script, naming the flag', async () => {
		for (const [args, message] of [
			[['--header', 'no-colon-secret'], /--header takes "Name: value"/],
			[['--cookie', 'a b'], /--cookie takes name=value/],
			[
				['--login-script', path.join(os.tmpdir(), 'auditlens-no-such-login.mjs')],
				/--login-script: .*cannot be read \(no such file\)/,
			],
			[['--header', 'X-A: 1', '--no-pool'], /need the warm pool/],
		] as [string[], RegExp][]) {
			const r = await cli(['audit', server.url('/'), ...args]);
			assert.equal(r.code, 64, r.stderr);
			assert.match(r.stderr, message);
			assert.doesNotMatch(r.stderr, /no-colon-secret/);
		}
	});

	it('exits 64 with the usage on a bad command line', async () => {
		const r = await cli(['audit', '--form-factor', 'tablet', server.url('/')]);
		assert.equal(r.code, 64);
		assert.match(r.stderr, /--form-factor takes mobile, desktop or both/);
		assert.match(r.stderr, /Usage:/);
		const help = await cli(['audit', '--help']);
		assert.equal(help.code, 0);
		assert.match(help.stdout, /^Usage:/);
		const engine = spawn(process.execPath, [path.join(ROOT, 'dist', 'engine.js'), '--stdio', '--log-level=loud']);
		let stderr = '';
		engine.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
		const code = await new Promise<number | null>((resolve) => engine.on('close', resolve));
		assert.equal(code, 64);
		assert.match(stderr, /--log-level takes debug, info, warn, error/);
	});
});

describe('auditlens CLI (real process, real Chromium)', function () {
	let server: FixtureServer;
	let dir: string;
	before(async () => {
		server = await startFixtureServer();
	});
	after(async () => {
		await server?.close();
	});
	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-cli-'));
	});
	afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

	it('prints one JSON document with each entry’s status and exits 1 when an audit failed', async () => {
		const r = await cli([
			'audit',
			server.url('/'),
			server.url('/500'),
			'--form-factor',
			'mobile',
			'--no-capture',
			'--json',
			'--db',
			path.join(dir, 'h.sqlite'),
		]);
		assert.equal(r.code, 1, r.stderr);
		const doc = JSON.parse(r.stdout) as {
			url: string;
			status: string;
			result?: { status: string; stages: Record<string, { status: string }> };
			error?: { code: string };
		}[];
		assert.equal(doc.length, 2);
		assert.equal(doc[0].url, server.url('/'));
		assert.equal(doc[0].status, 'ok');
		assert.equal(doc[0].result?.stages['lighthouse-mobile'].status, 'ok');
		assert.equal(doc[1].status, 'failed');
		assert.equal(doc[1].result?.status, 'failed', 'a page that answers 500 is audited, and its result says it failed');
		assert.equal(doc[1].error?.code, 'HTTP_ERROR');
	});

	it('audits a page behind a cookie with --cookie, says it was signed in, and prints no value', async () => {
		const url = server.url('/protected?case=cli');
		const signedIn = await cli([
			'audit',
			url,
			'--cookie',
			`session=${FIXTURE_TOKEN}`,
			'--form-factor',
			'mobile',
			'--no-capture',
			'--db',
			path.join(dir, 'h.sqlite'),
		]);
		assert.equal(signedIn.code, 0, signedIn.stderr);
		assert.match(signedIn.stdout, /signed in: cookie session/);
		const json = await cli([
			'audit',
			url,
			'--header',
			`X-Fixture-Token: ${FIXTURE_TOKEN}`,
			'--form-factor',
			'mobile',
			'--no-capture',
			'--json',
			'--no-cache',
			'--db',
			path.join(dir, 'h.sqlite'),
		]);
		assert.equal(json.code, 0, json.stderr);
		const [entry] = JSON.parse(json.stdout) as { status: string; result?: { auth?: unknown } }[];
		assert.deepEqual([entry?.status, entry?.result?.auth], ['ok', { headers: ['X-Fixture-Token'], cookies: [] }]);
		for (const r of [signedIn, json])
			assert.ok(!(r.stdout + r.stderr).includes(FIXTURE_TOKEN), 'no value in the output');
		const signedOut = await cli([
			'audit',
			url,
			'--form-factor',
			'mobile',
			'--no-capture',
			'--db',
			path.join(dir, 'h.sqlite'),
		]);
		assert.equal(signedOut.code, 1);
		assert.match(signedOut.stdout, /HTTP 401/);
	});

	it('exits 2 when a budget is not met, 0 when it is, serves the repeat from the cache and lists it in the history', async () => {
		const db = path.join(dir, 'h.sqlite');
		const failing = await cli([
			'audit',
			server.url('/'),
			'--form-factor',
			'mobile',
			'--no-capture',
			'--budget',
			'best-practices=0.99',
			'--db',
			db,
		]);
		assert.equal(failing.code, 2, failing.stdout + failing.stderr);
		assert.match(failing.stdout, /budget failed: mobile best-practices 0\.\d+ < 0\.99/);
		const passing = await cli([
			'audit',
			server.url('/'),
			'--form-factor',
			'mobile',
			'--no-capture',
			'--budget',
			'seo=0.5',
			'--db',
			db,
		]);
		assert.equal(passing.code, 0, passing.stdout + passing.stderr);
		assert.match(
			passing.stdout,
			/\(cached, (just now|1 min ago)\)\n/,
			'the repeat says it is cached and how old, not a duration',
		);
		const history = await cli(['history', '--json', '--db', db]);
		assert.equal(history.code, 0, history.stderr);
		assert.ok((JSON.parse(history.stdout) as { urls: { url: string }[] }).urls.some((u) => u.url === server.url('/')));
	});

	it('writes the Lighthouse HTML report where it is asked to', async () => {
		const out = path.join(dir, 'reports');
		const r = await cli([
			'audit',
			server.url('/site/page8.html'),
			'--form-factor',
			'desktop',
			'--no-capture',
			'--html',
			out,
			'--db',
			path.join(dir, 'h2.sqlite'),
		]);
		assert.equal(r.code, 0, r.stderr);
		const files = fs.readdirSync(out);
		assert.equal(files.length, 1);
		assert.match(files[0], /desktop\.html$/);
		assert.match(fs.readFileSync(path.join(out, files[0]), 'utf8'), /<title>Lighthouse Report<\/title>/);
	});

	it('prints a hostile page’s headings as visible escapes: nothing reaches the terminal it would act on', async () => {
		const page = `<!doctype html><html lang="en"><head><title>t</title></head><body><h1>${ESC}]0;pwned\x07Hi ${ESC}[2K${ESC}[1A\u009b31m</h1><p>text</p></body></html>`;
		const gated = await gatedServer(page);
		gated.open();
		try {
			const r = await cli(
				['audit', `${gated.origin}/held`, '--form-factor', 'mobile', '--no-ai', '--db', path.join(dir, 'h.sqlite')],
				{ NO_COLOR: '1' },
			);
			assert.ok(r.code === 0 || r.code === 1, r.stderr);
			assert.match(r.stdout, /The H1 "\\x1b\]0;pwned\\x07Hi \\x1b\[2K\\x1b\[1A\\x9b31m"/);
			assert.doesNotMatch(r.stdout, CONTROL);
			assert.doesNotMatch(r.stderr, /[\u001b\u0007\u009b]/);
		} finally {
			await gated.close();
		}
	});

	it('keeps the results when the reports cannot be written at the end: JSON printed, the error added, exit 1', async () => {
		const gated = await gatedServer(
			'<!doctype html><html lang="en"><title>t</title><h1>A page held open by the test</h1></html>',
		);
		const out = path.join(dir, 'reports');
		try {
			const run = cli([
				'audit',
				`${gated.origin}/held`,
				'--form-factor',
				'mobile',
				'--no-capture',
				'--no-ai',
				'--html',
				out,
				'--json',
				'--db',
				path.join(dir, 'h.sqlite'),
			]);
			// The checks passed (no folder yet, its parent writable) and the audit is under way: now a file takes the
			// folder's name.
			await gated.arrived;
			fs.writeFileSync(out, 'not a folder');
			gated.open();
			const r = await run;
			assert.equal(r.code, 1, r.stderr);
			const doc = JSON.parse(r.stdout) as {
				status: string;
				result?: { stages: Record<string, { status: string }> };
				outputError?: string;
			}[];
			assert.equal(doc[0].status, 'ok');
			assert.equal(doc[0].result?.stages['lighthouse-mobile'].status, 'ok');
			assert.match(doc[0].outputError ?? '', /could not write the Lighthouse reports to .*reports/);
			assert.match(r.stderr, /could not write the Lighthouse reports/);
		} finally {
			await gated.close();
		}
	});
});
