import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { ScanReport, ScanSummary } from '../../../src/protocol';
import { statFields } from '../../../src/engine/procfs';
import { chromiumOf, cmdline, isAlive, waitFor } from '../../helpers/engineProcess';
import { fromLighthouse, type FixtureServer, startFixtureServer } from '../../helpers/fixtureServer';
import { cli, startCli } from '../../helpers/cli';
import { UsageError } from '../../../src/cli/args';
import { parseScanArgs } from '../../../src/cli/commands/scan';

const CHROMIUM = process.env.CHROME_PATH || '/usr/bin/chromium';

/** Every process whose parent chain leads to `root` (from /proc), with its command line. */
function descendantsOf(root: number): { pid: number; cmd: string }[] {
	const parent = new Map<number, number>();
	for (const e of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(e)) continue;
		try {
			parent.set(Number(e), Number(statFields(fs.readFileSync(`/proc/${e}/stat`, 'utf8'))[1]));
		} catch {
			// gone meanwhile
		}
	}
	const leadsTo = (pid: number) => {
		for (let p = parent.get(pid), hops = 0; p !== undefined && p > 1 && hops < 64; p = parent.get(p), hops++)
			if (p === root) return true;
		return false;
	};
	return [...parent.keys()].filter(leadsTo).map((pid) => ({ pid, cmd: cmdline(pid) }));
}

const PATHS = ['/', '/about.html', '/held.html', '/pricing.html'];

describe('auditlens scan: usage errors (real process)', function () {
	this.timeout(60_000);

	it('exits 64 with a message and the usage on a wrong scan command line, before anything runs', async () => {
		const noUrl = await cli(['scan']);
		assert.equal(noUrl.code, 64);
		assert.match(noUrl.stderr, /^auditlens: give the URL of the site to scan/);
		assert.match(noUrl.stderr, /auditlens scan URL \[scan options\]/);
		const notHttp = await cli(['scan', 'ftp://files.example/']);
		assert.equal(notHttp.code, 64);
		assert.match(notHttp.stderr, /scan takes an http:\/\/ or https:\/\/ URL, not ftp:/);
		const both = await cli(['scan', 'http://127.0.0.1:9/', '--json', '--csv']);
		assert.equal(both.code, 64);
		assert.match(both.stderr, /--json and --csv both print to stdout/);
		const depth = await cli(['scan', 'http://127.0.0.1:9/', '--depth', 'deep']);
		assert.equal(depth.code, 64);
		assert.match(depth.stderr, /--depth takes a whole number from 0 to 20/);
		const help = await cli(['scan', '--help']);
		assert.equal(help.code, 0);
		assert.match(help.stdout, /--max-routes N/);
	});
});

describe('auditlens scan (real process, real Chromium)', function () {
	this.timeout(300_000);
	let server: FixtureServer;
	let dir: string;
	before(async () => {
		server = await startFixtureServer({ root: 'scan-cli' });
	});
	after(async () => {
		await server?.close();
	});
	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-scan-cli-'));
	});
	afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

	it('scans a small site: the JSON report and the HTML report, then CSV, the text table and a budget from the cache', async () => {
		const db = path.join(dir, 'h.sqlite');
		const html = path.join(dir, 'report');
		const base = ['scan', server.url('/'), '--no-capture', '--no-ai', '--db', db];
		const first = await cli([...base, '--json', '--html', html]);
		assert.equal(first.code, 0, first.stderr);
		const report = JSON.parse(first.stdout) as ScanReport & { html?: string };
		assert.equal(report.status, 'ok');
		assert.deepEqual(report.formFactors, ['mobile']);
		assert.deepEqual(report.routes.map((r) => r.path).sort(), PATHS);
		assert.ok(
			report.routes.every((r) => r.status === 'ok' && typeof r.scores.mobile?.performance === 'number' && r.auditId),
		);
		assert.equal(report.discovery.found, 4);
		const imageAlt = report.failingAudits.find((a) => a.id === 'image-alt');
		assert.deepEqual(imageAlt && { routes: imageAlt.routes, of: imageAlt.of, examples: imageAlt.examples }, {
			routes: 1,
			of: 4,
			examples: ['/about.html'],
		});
		assert.equal(report.html, path.join(html, 'index.html'));
		const files = fs.readdirSync(html).sort();
		assert.equal(files.length, 5, files.join(' '));
		const reportFiles = files.filter((f) => f !== 'index.html');
		for (const f of reportFiles) {
			assert.match(f, /^lighthouse-00\d-[a-z0-9-]+-mobile\.html$/);
			assert.match(fs.readFileSync(path.join(html, f), 'utf8'), /<html/);
		}
		assert.match(first.stderr, /\[4\/4\] ok \//, 'a plain progress line per route off a terminal');

		// The page works under its own CSP in a browser: its sort script runs and nothing is refused.
		const browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
		});
		try {
			const tab = await browser.newPage();
			const refused: string[] = [];
			tab.on('console', (m) => {
				if (/Content Security Policy|Refused/i.test(m.text())) refused.push(m.text());
			});
			await tab.goto(pathToFileURL(path.join(html, 'index.html')).href);
			// The Site view's bundle, inline: it renders the table from the page's data.
			const firstColumn = () =>
				tab.$$eval('[data-testid=routes] tbody tr', (rows) =>
					rows.map((r) => (r as HTMLTableRowElement).cells[0]?.textContent ?? ''),
				);
			const links = await tab.$$eval('[data-testid=routes] a', (as) => as.map((a) => a.getAttribute('href')));
			for (const f of reportFiles) assert.ok(links.includes(f), `index.html links ${f}`);
			await tab.click('[data-testid=routes] th:first-child button');
			assert.deepEqual(await firstColumn(), PATHS);
			await tab.click('[data-testid=routes] th:first-child button');
			assert.deepEqual(await firstColumn(), [...PATHS].reverse());
			assert.deepEqual(refused, []);
		} finally {
			await browser.close();
		}

		const csv = await cli([...base, '--csv']);
		assert.equal(csv.code, 0, csv.stderr);
		const lines = csv.stdout.split('\r\n');
		assert.equal(lines.at(-1), '');
		assert.match(lines[0] ?? '', /^path,url,status,source,group,new,mobile performance,mobile performance change,/);
		assert.deepEqual(
			lines
				.slice(1, -1)
				.map((l) => l.split(',')[0])
				.sort(),
			PATHS,
		);

		// about.html's image has no alt text: accessibility under 0.9 is a budget failure (exit 2).
		const text = await cli([...base, '--budget', 'accessibility=0.9']);
		assert.equal(text.code, 2, text.stderr);
		assert.match(text.stdout, /^Route +Status +P +A +BP +SEO +Lowest$/m);
		assert.match(text.stdout, /^ {2}image-alt on 1 of 4 routes · e\.g\. \/about\.html · /m);
		assert.match(text.stdout, /^Found 4 routes, audited 4/m);
		assert.match(text.stdout, /^budget failed: \/about\.html: mobile accessibility 0\.\d\d < 0\.90$/m);

		const history = await cli(['history', '--scans', server.url('/'), '--json', '--db', db]);
		assert.equal(history.code, 0, history.stderr);
		const { scans } = JSON.parse(history.stdout) as { scans: ScanSummary[] };
		assert.equal(scans.length, 3);
		assert.equal(scans[2]?.id, report.id, 'newest first');
		assert.ok(scans.every((s) => s.routes === 4 && s.failed === 0));
	});

	it('audit: stops on SIGINT with exit 130, and warns of no stage failing for it', async function () {
		if (process.platform !== 'linux') this.skip();
		// Held until the test has sent SIGINT: Lighthouse's run, and the capture taken in its page, are under way.
		const gate = server.gate('/gated/audit-sigint', { hold: fromLighthouse });
		const run = startCli([
			'audit',
			server.url('/gated/audit-sigint'),
			'--form-factor',
			'mobile',
			'--no-cache',
			'--db',
			path.join(dir, 'h-int.sqlite'),
		]);
		const pid = run.child.pid;
		assert.ok(pid);
		try {
			await Promise.race([
				gate.reached,
				run.done.then((r) => assert.fail(`the CLI ended before the page was audited: ${r.stderr}`)),
			]);
			run.child.kill('SIGINT');
			const r = await run.done;
			assert.equal(r.code, 130, r.stderr);
			assert.match(r.stderr, /SIGINT: stopping audits/);
			assert.doesNotMatch(r.stderr, /WARN/, 'a stage the user stopped did not fail');
			await waitFor(() => chromiumOf(pid).length === 0, 5_000, 'every Chromium the CLI started to be gone');
		} finally {
			gate.open();
			if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
		}
	});

	it('stops on SIGINT mid-scan: exit 130, the partial report printed and written, no Chromium of the CLI left', async function () {
		if (process.platform !== 'linux') this.skip();
		// Held until the test has sent SIGINT: the scan is caught with a Lighthouse run on /held.html under way.
		const gate = server.gate('/held.html', { hold: fromLighthouse });
		const html = path.join(dir, 'report');
		const run = startCli([
			'scan',
			server.url('/'),
			'--no-capture',
			'--no-ai',
			'--no-cache',
			'--json',
			'--html',
			html,
			'--db',
			path.join(dir, 'h.sqlite'),
		]);
		const pid = run.child.pid;
		assert.ok(pid);
		try {
			await Promise.race([
				gate.reached,
				run.done.then((r) => assert.fail(`the CLI ended before /held.html was audited: ${r.stderr}`)),
			]);
			const chromes = descendantsOf(pid).filter((p) => /chrom/i.test(p.cmd));
			assert.ok(chromes.length > 0, 'the CLI runs Chromium while the page is held');
			run.child.kill('SIGINT');
			const r = await run.done;
			assert.equal(r.code, 130, r.stderr);
			assert.match(r.stderr, /SIGINT: stopping the scan/);
			const report = JSON.parse(r.stdout) as ScanReport;
			assert.equal(report.status, 'cancelled');
			const held = report.routes.find((x) => x.path === '/held.html');
			assert.ok(!held || held.status !== 'ok', 'the held route is not reported as audited');
			// /held.html is the last link of the home page: at concurrency 2 its audit starts once another has ended.
			assert.ok(
				report.routes.some((x) => x.status === 'ok'),
				'the routes audited before the signal are kept',
			);
			assert.match(
				fs.readFileSync(path.join(html, 'index.html'), 'utf8'),
				/<title>[^<]*cancelled: the routes audited before the cancel<\/title>/,
			);
			// SIGKILL is delivered at once, but a process ends at the kernel's pace: gone within seconds, not left behind.
			await waitFor(
				() => chromes.every((c) => !isAlive(c.pid) || cmdline(c.pid) !== c.cmd) && chromiumOf(pid).length === 0,
				5_000,
				'every Chromium the CLI started to be gone',
			);
		} finally {
			gate.open();
			if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
		}
	});

	it('keeps the report when the HTML cannot be written at the end: JSON printed with the error, exit 1', async () => {
		const gate = server.gate('/about.html', { hold: fromLighthouse });
		const out = path.join(dir, 'report');
		try {
			const run = cli([
				'scan',
				server.url('/'),
				'--no-capture',
				'--no-ai',
				'--no-cache',
				'--json',
				'--html',
				out,
				'--db',
				path.join(dir, 'h.sqlite'),
			]);
			// The checks passed (no folder yet, its parent writable) and the scan is under way: now a file takes the folder's
			// name.
			await gate.reached;
			fs.writeFileSync(out, 'not a folder');
			gate.open();
			const r = await run;
			assert.equal(r.code, 1, r.stderr);
			const doc = JSON.parse(r.stdout) as ScanReport & { outputError?: string; html?: string };
			assert.equal(doc.status, 'ok');
			assert.equal(doc.routes.length, 4);
			assert.equal(doc.html, undefined);
			assert.match(doc.outputError ?? '', /could not write the HTML report to .*report/);
			assert.match(r.stderr, /could not write the HTML report/);
		} finally {
			gate.open();
		}
	});

	it('exits at once on a second signal, still killing every Chromium it started', async function () {
		if (process.platform !== 'linux') this.skip();
		const gate = server.gate('/pricing.html', { hold: fromLighthouse });
		const run = startCli([
			'scan',
			server.url('/'),
			'--no-capture',
			'--no-ai',
			'--no-cache',
			'--json',
			'--db',
			path.join(dir, 'h.sqlite'),
		]);
		const pid = run.child.pid;
		assert.ok(pid);
		try {
			await Promise.race([
				gate.reached,
				run.done.then((r) => assert.fail(`the CLI ended before /pricing.html was audited: ${r.stderr}`)),
			]);
			const chromes = descendantsOf(pid).filter((p) => /chrom/i.test(p.cmd));
			assert.ok(chromes.length > 0);
			// Back to back: the second arrives while the first is still cancelling the scan.
			run.child.kill('SIGTERM');
			run.child.kill('SIGINT');
			const r = await run.done;
			assert.match(r.stderr, /again: exiting now/);
			assert.ok(r.code === 143 || r.code === 130, `exit ${r.code} ${r.signal}: ${r.stderr}`);
			// The second signal exits at once after SIGKILLing every Chrome, without waiting for their ends.
			await waitFor(
				() => chromes.every((c) => !isAlive(c.pid) || cmdline(c.pid) !== c.cmd) && chromiumOf(pid).length === 0,
				5_000,
				'every Chromium the CLI started to be gone',
			);
		} finally {
			gate.open();
			if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
		}
	});
});

describe('auditlens scan: the command line (pure)', () => {
	it('parses scan options with the scan defaults: mobile, nothing of discovery set', () => {
		const a = parseScanArgs(['https://site.example/']);
		assert.equal(a.url, 'https://site.example/');
		assert.deepEqual(a.formFactors, ['mobile']);
		assert.deepEqual(a.scan, {});
		const b = parseScanArgs([
			'https://site.example/',
			'--max-routes=20',
			'--depth',
			'1',
			'--include',
			'/blog/**',
			'--include=/docs/**',
			'--exclude',
			'/admin/**',
			'--samples',
			'0',
			'--no-sitemap',
			'--no-crawl',
			'--form-factor',
			'both',
			'--csv',
			'--budget',
			'performance=90',
			'--no-capture',
		]);
		assert.deepEqual(b.scan, {
			maxRoutes: 20,
			maxDepth: 1,
			samplesPerGroup: 0,
			include: ['/blog/**', '/docs/**'],
			exclude: ['/admin/**'],
			sitemap: false,
			crawl: false,
		});
		assert.deepEqual(b.formFactors, ['mobile', 'desktop']);
		assert.ok(b.csv && !b.json);
		assert.deepEqual(b.budget, { performance: 0.9 });
		assert.deepEqual(b.stages, { capture: false, cro: true, ai: true });
	});

	it('refuses a wrong scan command line with a message that says what to do', () => {
		assert.throws(() => parseScanArgs([]), /give the URL of the site to scan/);
		assert.throws(() => parseScanArgs(['https://a.example/', 'https://b.example/']), /scan takes one start URL/);
		assert.throws(() => parseScanArgs(['u', '--json', '--csv']), /--json and --csv both print to stdout/);
		assert.throws(() => parseScanArgs(['u', '--max-routes', '0']), /--max-routes takes a whole number from 1 to 10000/);
		assert.throws(() => parseScanArgs(['u', '--depth', '-1']), UsageError);
		assert.throws(
			() => parseScanArgs(['u', '--include', '/blog/**', '--include', 'docs/*']),
			/^UsageError: --include docs\/\*: a glob matches a path, so it starts with "\/"/,
		);
		assert.throws(() => parseScanArgs(['u', '--exclude=']), /^UsageError: --exclude: a glob is empty/);
		assert.throws(() => parseScanArgs(['u', '--form-factor', 'tablet']), /--form-factor takes mobile, desktop or both/);
		assert.throws(() => parseScanArgs(['u', '--runs', '3']), /unknown option --runs/);
	});
});
