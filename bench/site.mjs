// Site scan benchmark: AuditLens against Unlighthouse 0.18 on the same local 13-page site, side by side in
// one run, each from a cold start (fresh temporary folders, a fresh history, no warm pool).
//   node bench/site.mjs [--ours-only] [--repeat N] [--sitemap] [--lighthouse-only] [--keep]
// --lighthouse-only adds a third contender, ours with --no-capture --no-cro: what capture and CRO cost;
// --ours-arg X (repeatable) adds X to our command line (e.g. --ours-arg --no-trace-slot).
//   node bench/site.mjs --serve [--sitemap]     only serve the site, to look at it
// The site (bench/site/: an index linking 12 marketing pages with shared CSS, a script, a PNG hero and
// SVGs, a form on /contact) is served on 127.0.0.1 with a robots.txt that allows everything and, by
// default, no sitemap: both tools find the pages by following links (--sitemap serves a sitemap.xml and
// names it in robots.txt).
//   Unlighthouse  @unlighthouse/cli 0.18.1 installed once from the npm registry into
//                 ~/.cache/auditlens/unlighthouse-0.18 (npm install --ignore-scripts), run as
//                 `unlighthouse-ci` (no UI server, no budget) on this Node (>= 22) with the same Chromium
//                 (puppeteerOptions.executablePath; its system-Chrome lookup and download fallback off),
//                 maxConcurrency 4, mobile (its default device and throttling).
//   AuditLens     `auditlens scan <index> --form-factor mobile --concurrency 4 --json` with capture and
//                 CRO on, AI and CrUX off (no keys). Until the scan command exists, `auditlens audit` of
//                 the 13 URLs with the same options (the table says which).
// Each contender runs under bench/subreaper.py, which counts the user + sys CPU of every process it
// starts (the tool, its Node children, every Chromium process), and the Chromium processes still alive
// when the tool has exited (left behind; then kills them). --repeat N alternates which goes first.
// Prints a table and writes bench/results/site.json. Needs `npm run build` and `npm run compile`, python3.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib/stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const require = createRequire(import.meta.url);
const { findChrome } = require(path.join(root, 'out/src/engine/chrome/findChrome.js'));
const { chromeSandbox } = require(path.join(root, 'out/src/engine/chrome/sandbox.js'));
const { createLogger } = require(path.join(root, 'out/src/engine/log.js'));

const argValue = (name, fallback) => {
	const i = process.argv.indexOf(name);
	return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const oursOnly = process.argv.includes('--ours-only');
const keep = process.argv.includes('--keep');
const withSitemap = process.argv.includes('--sitemap');
const lighthouseOnly = process.argv.includes('--lighthouse-only');
// --ours-arg X (repeatable): an argument added to our command line, e.g. --ours-arg --no-trace-slot.
const OURS_ARGS = process.argv.flatMap((a, i) => (process.argv[i - 1] === '--ours-arg' ? [a] : []));
const REPEAT = argValue('--repeat', 1);
const CONCURRENCY = 4;
const UNLIGHTHOUSE = '@unlighthouse/cli@0.18.1';
const UNLIGHTHOUSE_DIR = path.join(os.homedir(), '.cache', 'auditlens', 'unlighthouse-0.18');
const GOALS = { ratio: 2.4, secondsPerPage: 2.0 };
const SITE = path.join(here, 'site');
const log = (...a) => console.error('[bench:site]', ...a);

/** The site's routes: `/` and one top-level path per page file (partials start with `_`). */
const ROUTES = [
	'/',
	...fs
		.readdirSync(SITE)
		.filter((f) => f.endsWith('.html') && f !== 'index.html' && !f.startsWith('_'))
		.map((f) => `/${f.slice(0, -'.html'.length)}`)
		.sort(),
];
const TYPES = {
	'.css': 'text/css',
	'.js': 'text/javascript',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.txt': 'text/plain',
};

/**
 * A page of the site: a page file holds its <title> and description lines, then the content of its
 * <main>; `_layout.html` wraps it with the shared head, header and footer (`_header.html`, `_footer.html`).
 */
function renderPage(route) {
	const part = (name) => fs.readFileSync(path.join(SITE, `_${name}.html`), 'utf8').trimEnd();
	const lines = fs
		.readFileSync(path.join(SITE, `${route === '/' ? 'index' : route.slice(1)}.html`), 'utf8')
		.trimEnd()
		.split('\n');
	const head = lines.filter((l, i) => i < 2 && /^<(title|meta)/.test(l));
	const slots = {
		head: head.join('\n\t'),
		header: part('header'),
		main: lines.slice(head.length).join('\n'),
		footer: part('footer'),
	};
	return part('layout').replace(/<!--#(head|header|main|footer)-->/g, (_, slot) => slots[slot]);
}

/** A static server for bench/site: pages at extensionless top-level paths, assets by file name. */
function startSite() {
	const server = http.createServer((req, res) => {
		const { pathname } = new URL(req.url ?? '/', 'http://x');
		const origin = `http://${req.headers.host}`;
		const send = (status, type, body) =>
			res.writeHead(status, { 'content-type': type, 'cache-control': 'max-age=3600' }).end(body);
		if (ROUTES.includes(pathname)) return send(200, 'text/html; charset=utf-8', renderPage(pathname));
		if (pathname === '/robots.txt')
			return send(
				200,
				TYPES['.txt'],
				`${fs.readFileSync(path.join(SITE, 'robots.txt'), 'utf8')}${withSitemap ? `Sitemap: ${origin}/sitemap.xml\n` : ''}`,
			);
		if (pathname === '/sitemap.xml' && withSitemap) {
			const urls = ROUTES.map((r) => `<url><loc>${origin}${r}</loc></url>`).join('');
			return send(
				200,
				'application/xml',
				`<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls}</urlset>`,
			);
		}
		const file = path.join(SITE, path.basename(pathname));
		const type = TYPES[path.extname(file)];
		if (type && !path.basename(file).startsWith('_') && fs.existsSync(file))
			return send(200, type, fs.readFileSync(file));
		send(404, 'text/html; charset=utf-8', '<!doctype html><title>Not found</title><h1>Not found</h1>');
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A Node >= 22 for both tools (Lighthouse 13 needs it): this one, else the one scripts/setup.sh provides. */
function nodeBinary() {
	const [major, minor] = process.versions.node.split('.').map(Number);
	if (major > 22 || (major === 22 && minor >= 19)) return process.execPath;
	const local = path.join(root, 'node_modules', '.bin', 'node');
	if (fs.existsSync(local)) return local;
	throw new Error(
		`bench/site.mjs needs Node 22.19 or newer (this is ${process.versions.node}); run "bash scripts/setup.sh" and put node_modules/.bin first on PATH`,
	);
}

/** Unlighthouse's CLI from the cache, installed there first when missing; answers the path of unlighthouse-ci. */
function installUnlighthouse() {
	const bin = path.join(UNLIGHTHOUSE_DIR, 'node_modules', '@unlighthouse', 'cli', 'bin', 'unlighthouse-ci.mjs');
	if (fs.existsSync(bin)) return bin;
	log(`installing ${UNLIGHTHOUSE} into ${UNLIGHTHOUSE_DIR} (once)…`);
	// Into a temporary folder, then renamed: an interrupted install never looks like a cached one.
	// --ignore-scripts: no postinstall may download a browser; it gets the system Chromium below.
	const tmp = fs.mkdtempSync(`${UNLIGHTHOUSE_DIR}-installing-`);
	const npm = spawnSync(
		'npm',
		['install', '--prefix', tmp, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', UNLIGHTHOUSE],
		{ stdio: 'inherit' },
	);
	if (npm.status !== 0)
		throw new Error(`npm install ${UNLIGHTHOUSE} failed (exit ${npm.status}); is the npm registry reachable?`);
	fs.rmSync(UNLIGHTHOUSE_DIR, { recursive: true, force: true });
	fs.renameSync(tmp, UNLIGHTHOUSE_DIR);
	return bin;
}

/** The version of `name` as Node resolves it from the folder `from` (Unlighthouse's own Lighthouse is nested). */
function packageVersion(from, name) {
	for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const file = path.join(dir, 'node_modules', name, 'package.json');
		if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')).version;
	}
	return 'unknown';
}

/** Whether this checkout's CLI has the `scan` command yet (it answers `scan --help` with exit 0). */
function hasScanCommand(node) {
	return spawnSync(node, [path.join(root, 'bin', 'auditlens.js'), 'scan', '--help'], { stdio: 'ignore' }).status === 0;
}

/**
 * Run `command` under the subreaper in `dir`, its stdout into `stdoutFile` and stderr into `dir`/stderr.log;
 * answers the subreaper's report (exit code, wall, CPU of every process, Chromium left behind).
 */
async function measured(dir, command, { env = process.env, stdoutFile = path.join(dir, 'stdout.log') } = {}) {
	const report = path.join(dir, 'processes.json');
	const out = fs.openSync(stdoutFile, 'w');
	const err = fs.openSync(path.join(dir, 'stderr.log'), 'w');
	try {
		const child = spawn('python3', [path.join(here, 'subreaper.py'), report, '--', ...command], {
			cwd: dir,
			env,
			stdio: ['ignore', out, err],
		});
		await new Promise((resolve, reject) => child.on('error', reject).on('close', resolve));
	} finally {
		fs.closeSync(out);
		fs.closeSync(err);
	}
	if (!fs.existsSync(report))
		throw new Error(`the subreaper wrote no report for ${command.join(' ')}; see ${dir}/stderr.log`);
	return JSON.parse(fs.readFileSync(report, 'utf8'));
}

/** The last lines of a log, for an error a person can act on. */
const tail = (file, n = 15) =>
	fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n') : '(no log)';

async function runUnlighthouse({ node, bin, origin, chromePath, sandbox }) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-bench-unlighthouse-'));
	const config = {
		site: origin,
		outputPath: path.join(dir, 'out'),
		cache: false,
		scanner: { device: 'mobile' },
		chrome: { useSystem: false, useDownloadFallback: false },
		puppeteerOptions: { executablePath: chromePath, ...(sandbox ? {} : { args: ['--no-sandbox'] }) },
		puppeteerClusterOptions: { maxConcurrency: CONCURRENCY },
	};
	fs.writeFileSync(path.join(dir, 'unlighthouse.config.mjs'), `export default ${JSON.stringify(config, null, 2)};\n`);
	const proc = await measured(dir, [
		node,
		bin,
		'--site',
		origin,
		'--root',
		dir,
		'--config-file',
		path.join(dir, 'unlighthouse.config.mjs'),
	]);
	const resultFile = path.join(dir, 'out', 'ci-result.json');
	if (proc.exitCode !== 0 || !fs.existsSync(resultFile))
		throw new Error(
			`Unlighthouse failed (exit ${proc.exitCode}); its log (${dir}):\n${tail(path.join(dir, 'stdout.log'))}\n${tail(path.join(dir, 'stderr.log'))}`,
		);
	// ci-result.json holds the routes that got a Lighthouse report (path, score, a score per category).
	const routes = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
	const audited = routes.filter((r) => typeof r.score === 'number').map((r) => r.path);
	// Each Lighthouse run is a Node process of its own: their lifetimes are the per-page audit times.
	const lighthouseRuns = proc.timeline.filter((t) => t.kind === 'node');
	return {
		dir,
		proc,
		audited,
		perPageSeconds: lighthouseRuns.map((t) => +(t.end - t.start).toFixed(1)),
		firstAuditStartedSeconds: lighthouseRuns[0]?.start,
	};
}

/** @param {{ node: string, origin: string, scan: boolean, chromePath: string, extra?: string[] }} options */
async function runOurs({ node, origin, scan, chromePath, extra = [] }) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-bench-ours-'));
	const target = scan ? ['scan', `${origin}/`] : ['audit', ...ROUTES.map((r) => `${origin}${r}`)];
	const command = [
		node,
		path.join(root, 'bin', 'auditlens.js'),
		...target,
		'--form-factor',
		'mobile',
		'--concurrency',
		String(CONCURRENCY),
		'--json',
		'--db',
		path.join(dir, 'history.sqlite'),
		...OURS_ARGS,
		...extra,
	];
	// AI and CrUX are off for lack of keys; capture and CRO are on (the defaults).
	/** @type {NodeJS.ProcessEnv} */
	const env = { ...process.env, CHROME_PATH: chromePath };
	delete env.ANTHROPIC_API_KEY;
	delete env.CRUX_API_KEY;
	const stdoutFile = path.join(dir, 'result.json');
	const proc = await measured(dir, command, { env, stdoutFile });
	let json;
	try {
		json = JSON.parse(fs.readFileSync(stdoutFile, 'utf8'));
	} catch {
		throw new Error(
			`auditlens ${target[0]} printed no JSON (exit ${proc.exitCode}); its log (${dir}):\n${tail(path.join(dir, 'stderr.log'))}`,
		);
	}
	// `scan --json` prints a ScanReport (routes); `audit --json` an entry per URL. Both carry a status.
	const entries = Array.isArray(json) ? json : json.routes;
	const audited = entries.filter((e) => e.status === 'ok').map((e) => new URL(e.url).pathname);
	const notOk = entries
		.filter((e) => e.status !== 'ok')
		.map(
			(e) =>
				`${new URL(e.url).pathname} ${e.status}${e.error ? ` (${String(e.error.message ?? e.error.code).slice(0, 160)})` : ''}`,
		);
	// Per page: the audit's own time (an `audit` result also says how long it waited in the queue first).
	const perPageSeconds = entries
		.map((e) => e.durationMs ?? (e.result ? e.result.durationMs - (e.result.queuedMs ?? 0) : undefined))
		.filter((ms) => typeof ms === 'number')
		.map((ms) => +(ms / 1000).toFixed(1));
	return { dir, proc, audited, notOk, perPageSeconds, command: target[0] };
}

/** One contender's run as the figures the table and the JSON show. */
function figures(tool, run) {
	const pages = run.audited.length;
	const { proc } = run;
	return {
		tool,
		pages,
		missing: ROUTES.filter((r) => !run.audited.includes(r)),
		notOk: run.notOk ?? [],
		wallSeconds: proc.wallSeconds,
		secondsPerPage: pages ? +(proc.wallSeconds / pages).toFixed(2) : null,
		cpuSeconds: proc.cpu.total,
		cpuSecondsPerPage: pages ? +(proc.cpu.total / pages).toFixed(2) : null,
		chromiumLeftBehind: proc.leftBehind.chromiumProcesses,
		chromiumBrowsersLeftBehind: proc.leftBehind.chromiumBrowsers,
		aliveFiveSecondsAfterExit: proc.leftBehind.aliveAfterGrace,
		firstAuditStartedSeconds: run.firstAuditStartedSeconds,
		processesSeen: proc.processesSeen,
		cpuSecondsByKind: proc.sampledCpuSecondsByKind,
		perPageSeconds: run.perPageSeconds,
		exitCode: proc.exitCode,
		tempDir: keep ? run.dir : undefined,
	};
}

async function main() {
	const server = await startSite();
	const origin = `http://127.0.0.1:${server.address().port}`;
	if (process.argv.includes('--serve')) return console.log(`Serving the bench site at ${origin}/ (Ctrl-C stops)`);
	const node = nodeBinary();
	const chromePath = await findChrome();
	const sandbox = await chromeSandbox(chromePath, createLogger('warn'));
	const scan = hasScanCommand(node);
	const bin = oursOnly ? undefined : installUnlighthouse();
	const results = {
		machine: { cores: os.cpus().length, loadavgAtStart: os.loadavg().map((l) => +l.toFixed(2)) },
		node: spawnSync(node, ['-p', 'process.versions.node']).stdout.toString().trim(),
		chromium: chromePath,
		site: { pages: ROUTES.length, sitemap: withSitemap },
		concurrency: CONCURRENCY,
		oursCommand: `${scan ? 'scan' : 'audit (the scan command is not in this checkout yet)'}${OURS_ARGS.length ? ` ${OURS_ARGS.join(' ')}` : ''}`,
		unlighthouse: bin
			? {
					cli: packageVersion(UNLIGHTHOUSE_DIR, '@unlighthouse/cli'),
					lighthouse: packageVersion(
						path.join(UNLIGHTHOUSE_DIR, 'node_modules', '@unlighthouse', 'core'),
						'lighthouse',
					),
				}
			: undefined,
		lighthouse: JSON.parse(fs.readFileSync(require.resolve('lighthouse/package.json'), 'utf8')).version,
		goals: GOALS,
		runs: /** @type {Record<string, any>[]} */ ([]),
	};
	console.log(
		`Machine: ${results.machine.cores} cores, load average ${results.machine.loadavgAtStart.join(' ')}; Node ${results.node}; ${chromePath}; site of ${ROUTES.length} pages at ${origin} (${withSitemap ? 'with' : 'no'} sitemap)`,
	);

	/** @type {[name: string, run: () => Promise<any>][]} */
	const contenders = [];
	if (bin) contenders.push(['Unlighthouse', () => runUnlighthouse({ node, bin, origin, chromePath, sandbox })]);
	contenders.push([`AuditLens ${scan ? 'scan' : 'audit'}`, () => runOurs({ node, origin, scan, chromePath })]);
	if (lighthouseOnly)
		contenders.push([
			`AuditLens ${scan ? 'scan' : 'audit'}, Lighthouse only`,
			() => runOurs({ node, origin, scan, chromePath, extra: ['--no-capture', '--no-cro'] }),
		]);
	try {
		for (let i = 0; i < REPEAT; i++) {
			/** @type {Record<string, any>} */
			const round = {};
			// Alternate who goes first: a disk cache or a neighbour's load favours neither every time.
			for (const [name, run] of i % 2 ? [...contenders].reverse() : contenders) {
				log(
					`round ${i + 1}/${REPEAT}: ${name}, cold start, ${ROUTES.length} pages at concurrency ${CONCURRENCY} (load average ${os.loadavg()[0].toFixed(2)})…`,
				);
				const r = await run();
				round[
					name.startsWith('Unlighthouse')
						? 'unlighthouse'
						: name.endsWith('Lighthouse only')
							? 'oursLighthouseOnly'
							: 'ours'
				] = figures(name, r);
				if (!keep) fs.rmSync(r.dir, { recursive: true, force: true });
			}
			if (round.unlighthouse && round.ours)
				round.ratio = +(round.unlighthouse.wallSeconds / round.ours.wallSeconds).toFixed(2);
			round.loadavgAfter = os.loadavg().map((l) => +l.toFixed(2));
			results.runs.push(round);
		}
	} finally {
		server.close();
	}

	results.machine.loadavgAtEnd = os.loadavg().map((l) => +l.toFixed(2));
	const ratios = results.runs.map((r) => r.ratio).filter((x) => x !== undefined);
	const round2 = (x) => (x === null ? null : +x.toFixed(2));
	results.medianRatio = round2(ratios.length ? median(ratios) : null);
	results.oursMedianSecondsPerPage = round2(
		results.runs.length ? median(results.runs.map((r) => r.ours.secondsPerPage)) : null,
	);
	fs.mkdirSync(path.join(here, 'results'), { recursive: true });
	fs.writeFileSync(path.join(here, 'results', 'site.json'), `${JSON.stringify(results, null, 2)}\n`);
	printReport(results);
	const incomplete = results.runs
		.flatMap((r) => [r.unlighthouse, r.ours, r.oursLighthouseOnly])
		.filter((f) => f && f.pages !== ROUTES.length);
	if (incomplete.length) {
		for (const f of incomplete)
			console.error(
				`${f.tool} audited ${f.pages} of ${ROUTES.length} routes fully; ${f.notOk.length ? f.notOk.join('; ') : `missing ${f.missing.join(', ')}`}`,
			);
		process.exitCode = 1;
	}
}

function printReport(results) {
	const header = ['run', 'tool', 'pages', 'wall s', 's/page', 'CPU-s/page', 'Chromium left behind'];
	const rows = [header];
	results.runs.forEach((r, i) => {
		for (const f of [r.unlighthouse, r.ours, r.oursLighthouseOnly].filter(Boolean)) {
			const left = `${f.chromiumLeftBehind} processes${f.chromiumLeftBehind ? ` (${f.chromiumBrowsersLeftBehind} browsers)` : ''}`;
			rows.push([
				String(i + 1),
				f.tool,
				`${f.pages}/${ROUTES.length}`,
				f.wallSeconds.toFixed(1),
				String(f.secondsPerPage),
				String(f.cpuSecondsPerPage),
				left,
			]);
		}
		if (r.ratio !== undefined)
			rows.push([
				'',
				'Unlighthouse wall / ours',
				'',
				`${r.ratio}x`,
				'',
				'',
				`load average after ${r.loadavgAfter.join(' ')}`,
			]);
	});
	const w = header.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
	console.log(`\nSite scan: ${ROUTES.length} pages, mobile, concurrency ${CONCURRENCY}, each tool from a cold start`);
	for (const row of rows) console.log(`  ${row.map((cell, i) => cell.padEnd(w[i])).join('  ')}`);
	const ok = (v, pass) => (v === null || v === undefined ? 'n/a' : `${v}${pass ? ' (met)' : ' (not met)'}`);
	console.log(
		`  goals: Unlighthouse wall / ours >= ${GOALS.ratio}x: ${ok(results.medianRatio, results.medianRatio >= GOALS.ratio)}; ours <= ${GOALS.secondsPerPage} s/page: ${ok(results.oursMedianSecondsPerPage, results.oursMedianSecondsPerPage <= GOALS.secondsPerPage)}${results.runs.length > 1 ? ' (medians)' : ''}`,
	);
	console.log(
		`  ours ran \`auditlens ${results.oursCommand}\`; Unlighthouse ${results.unlighthouse ? `${results.unlighthouse.cli} with Lighthouse ${results.unlighthouse.lighthouse}` : 'skipped (--ours-only)'}; ours Lighthouse ${results.lighthouse}`,
	);
	console.log('\nWhere the CPU went (sampled every 0.5 s, CPU-seconds by kind of process; last run):');
	const last = results.runs[results.runs.length - 1];
	for (const f of [last.unlighthouse, last.ours, last.oursLighthouseOnly].filter(Boolean)) {
		const kinds = Object.entries(f.cpuSecondsByKind)
			.filter(([, s]) => s >= 0.05)
			.map(([k, s]) => `${k} ${s.toFixed(1)}`)
			.join(', ');
		const seen = Object.entries(f.processesSeen)
			.filter(([k]) => k === 'chromium:browser' || k === 'node')
			.map(([k, n]) => `${n} ${k === 'node' ? 'Node child processes' : 'Chromium browsers'}`)
			.join(', ');
		const first =
			f.firstAuditStartedSeconds === undefined
				? ''
				: `; first Lighthouse run started at ${f.firstAuditStartedSeconds} s`;
		const perPage = f.perPageSeconds.length ? `; per-page audit seconds ${f.perPageSeconds.join(' ')}` : '';
		console.log(`  ${f.tool}: ${kinds}${seen ? `; started ${seen}` : ''}${first}${perPage}`);
	}
	console.log(
		`  load average at start ${results.machine.loadavgAtStart.join(' ')}, at end ${results.machine.loadavgAtEnd.join(' ')} (${results.machine.cores} cores)`,
	);
	const busiest = Math.max(results.machine.loadavgAtStart[0], ...results.runs.map((r) => r.loadavgAfter[0]));
	if (busiest > 2 * results.machine.cores)
		console.log(
			`  note: a load average of ${busiest} on ${results.machine.cores} cores; other work shared the machine, so wall times say little (CPU-seconds per page less so)`,
		);
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
