import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { budgetFailures, parseAuditArgs, parseBudget, UsageError } from '../../src/engine/cli';
import { sampleResult } from '../helpers/sampleResult';
import { ROOT } from '../helpers/engineProcess';
import { type FixtureServer, startFixtureServer } from '../helpers/fixtureServer';

interface Run {
	code: number | null;
	stdout: string;
	stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'auditlens.js'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
		child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
		child.on('close', (code) => resolve({ code, stdout, stderr }));
	});
}

describe('auditlens CLI: argument parsing (pure)', function () {
	it('parses budgets as 0..1 or 0..100 and rejects unknown categories', () => {
		assert.deepEqual(parseBudget('performance=0.9,seo=80'), { performance: 0.9, seo: 0.8 });
		assert.throws(() => parseBudget('speed=0.9'), UsageError);
		assert.throws(() => parseBudget('performance=abc'), UsageError);
	});

	it('parses audit options with defaults', () => {
		const a = parseAuditArgs(['https://a.example/', '--form-factor', 'desktop', '--concurrency=3', '--no-cache', '--json']);
		assert.deepEqual(a.urls, ['https://a.example/']);
		assert.deepEqual(a.formFactors, ['desktop']);
		assert.equal(a.concurrency, 3);
		assert.ok(a.noCache && a.json);
		assert.throws(() => parseAuditArgs([]), /at least one URL/);
		assert.throws(() => parseAuditArgs(['u', '--form-factor', 'tablet']), UsageError);
		assert.throws(() => parseAuditArgs(['u', '--bogus']), /unknown option --bogus/);
	});

	it('reports every category of every form factor under its budget', () => {
		const r = sampleResult();
		const failures = budgetFailures(r, { performance: 1.01 });
		assert.equal(failures.length, 2);
		assert.match(failures[0], /^mobile performance 0\.\d\d < 1\.01$/);
		assert.deepEqual(budgetFailures(r, { performance: 0 }), []);
	});
});

describe('auditlens CLI (real process, real Chromium)', function () {
	let server: FixtureServer;
	let dir: string;
	before(async () => {
		server = await startFixtureServer();
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-cli-'));
	});
	after(async () => {
		await server?.close();
	});

	it('prints one JSON document with an entry per URL and exits 1 when an audit failed', async () => {
		const r = await cli(['audit', server.url('/'), server.url('/500'), '--form-factor', 'mobile', '--no-capture', '--json', '--db', path.join(dir, 'h.sqlite')]);
		assert.equal(r.code, 1, r.stderr);
		const doc = JSON.parse(r.stdout) as { url: string; result?: { status: string; stages: Record<string, { status: string }>; error?: { code: string } }; error?: { code: string } }[];
		assert.equal(doc.length, 2);
		assert.equal(doc[0].url, server.url('/'));
		assert.equal(doc[0].result?.stages['lighthouse-mobile'].status, 'ok');
		assert.equal(doc[1].result?.status, 'failed', 'a page that answers 500 is audited and fails');
		assert.equal(doc[1].result?.error?.code, 'HTTP_ERROR');
	});

	it('exits 2 when a budget is not met, 0 when it is, and serves the repeat from the cache', async () => {
		const db = path.join(dir, 'h.sqlite');
		const failing = await cli(['audit', server.url('/'), '--form-factor', 'mobile', '--no-capture', '--budget', 'best-practices=0.99', '--db', db]);
		assert.equal(failing.code, 2, failing.stdout + failing.stderr);
		assert.match(failing.stdout, /budget failed: mobile best-practices 0\.\d+ < 0\.99/);
		const passing = await cli(['audit', server.url('/'), '--form-factor', 'mobile', '--no-capture', '--budget', 'seo=0.5', '--db', db]);
		assert.equal(passing.code, 0, passing.stdout + passing.stderr);
		assert.match(passing.stdout, /\(cached\)/);
	});

	it('lists the history of what it audited', async () => {
		const r = await cli(['history', '--json', '--db', path.join(dir, 'h.sqlite')]);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, new RegExp(server.url('/').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
	});

	it('exits 64 with the usage on a bad command line', async () => {
		const r = await cli(['audit', '--form-factor', 'tablet', server.url('/')]);
		assert.equal(r.code, 64);
		assert.match(r.stderr, /--form-factor takes mobile, desktop or both/);
		assert.match(r.stderr, /Usage:/);
	});

	it('writes the Lighthouse HTML report where it is asked to', async () => {
		const out = path.join(dir, 'reports');
		const r = await cli(['audit', server.url('/site/page8.html'), '--form-factor', 'desktop', '--no-capture', '--html', out, '--db', path.join(dir, 'h2.sqlite')]);
		assert.equal(r.code, 0, r.stderr);
		const files = fs.readdirSync(out);
		assert.equal(files.length, 1);
		assert.match(files[0], /desktop\.html$/);
		assert.match(fs.readFileSync(path.join(out, files[0]), 'utf8'), /<title>Lighthouse Report<\/title>/);
	});
});
