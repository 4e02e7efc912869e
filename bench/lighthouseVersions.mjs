// Lighthouse versions: the pinned Lighthouse (package.json) against a candidate from the npm registry, on the
// accuracy bench's pages, to see what taking the candidate changes before taking it.
//   node bench/lighthouseVersions.mjs --candidate 13.x [--rounds N] [--pages /plain,/slow] [--agentic-cost N]
// --candidate: a version or a range (`13.x`: the newest 13 the registry serves). It is installed once, with this
// repository's npm "overrides", into ~/.cache/auditlens/lighthouse-<version> (npm install --ignore-scripts). The
// pinned version against itself (`--candidate 13.5.0` while 13.5.0 is pinned) measures the noise alone.
// Each round runs every page with both versions, one after the other, who goes first alternating; each run is the
// `lighthouse` CLI, cold, mobile, simulated throttling, the four categories the engine runs.
// Prints per page and category the median score of each version and the difference, then the metrics; a
// difference is marked `*` when it is larger than both versions' own spread over the rounds and than a floor
// (0.02 of a score, 5% of a metric). Then: categories, audits and insights that appeared or disappeared (with the
// files of src/ that name a disappeared one), the performance weights that moved, whether the candidate still has
// what the worker hooks into (src/engine/lighthouse/hookPoints.ts), and whether the overrides still fit it.
// --agentic-cost N: N runs of each page by the pinned version with and without the agentic-browsing category.
// Writes bench/results/lighthouse-versions.json. Needs `npm run compile`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PAGES, startServer } from './accuracyPages.mjs';
import { lighthouseCli } from './lighthouseCli.mjs';
import { median } from './lib/stats.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { HOOK_MODULES, missingHookPoints } = require(path.join(root, 'out/src/engine/lighthouse/hookPoints.js'));

const argValue = (name, fallback) => {
	const i = process.argv.indexOf(name);
	return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const CANDIDATE = argValue('--candidate', '13.x');
const ROUNDS = Number(argValue('--rounds', '3'));
const AGENTIC_RUNS = Number(argValue('--agentic-cost', '0'));
const PATHS = argValue('--pages', Object.keys(PAGES).join(',')).split(',');
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];
const METRICS = {
	fcp: 'first-contentful-paint',
	lcp: 'largest-contentful-paint',
	tbt: 'total-blocking-time',
	cls: 'cumulative-layout-shift',
	si: 'speed-index',
};
const SCORE_FLOOR = 0.02;
const METRIC_FLOOR = 0.05;
const CACHE = path.join(os.homedir(), '.cache', 'auditlens');
const log = (...a) => console.error('[bench:lighthouse-versions]', ...a);

const spread = (xs) => Math.max(...xs) - Math.min(...xs);
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** The newest version of lighthouse the registry serves for `spec`. */
function resolveVersion(spec) {
	const r = spawnSync('npm', ['view', `lighthouse@${spec}`, 'version', '--json'], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`npm view lighthouse@${spec} failed: ${r.stderr.trim()}`);
	const answer = JSON.parse(r.stdout || 'null');
	const versions = Array.isArray(answer) ? answer : answer ? [answer] : [];
	if (!versions.length) throw new Error(`the npm registry serves no lighthouse@${spec}`);
	return versions.at(-1);
}

/** The folder of lighthouse@`version` in the cache, installed there first (once) with the repository's overrides. */
function installLighthouse(version) {
	const dir = path.join(CACHE, `lighthouse-${version}`);
	const lighthouseDir = path.join(dir, 'node_modules', 'lighthouse');
	if (fs.existsSync(path.join(lighthouseDir, 'package.json'))) return lighthouseDir;
	log(`installing lighthouse@${version} into ${dir} (once)…`);
	fs.mkdirSync(CACHE, { recursive: true });
	// Into a temporary folder, then renamed: an interrupted install never looks like a cached one.
	const tmp = fs.mkdtempSync(`${dir}-installing-`);
	const manifest = { private: true, dependencies: { lighthouse: version }, overrides: pkg.overrides ?? {} };
	fs.writeFileSync(path.join(tmp, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
	// --ignore-scripts: nothing may download a browser; the runs use the engine's Chromium.
	const npm = spawnSync(
		'npm',
		['install', '--prefix', tmp, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
		{ stdio: 'inherit' },
	);
	if (npm.status !== 0)
		throw new Error(`npm install lighthouse@${version} failed (exit ${npm.status}); is the npm registry reachable?`);
	fs.rmSync(dir, { recursive: true, force: true });
	fs.renameSync(tmp, dir);
	return lighthouseDir;
}

/** One Lighthouse version's default config, as far as results show it: categories, their audits and weights. */
async function configOf(lighthouseDir) {
	const url = pathToFileURL(path.join(lighthouseDir, 'core', 'config', 'default-config.js')).href;
	const config = (await import(url)).default;
	const categories = {};
	for (const [id, c] of Object.entries(config.categories ?? {}))
		categories[id] = Object.fromEntries(c.auditRefs.map((r) => [r.id, { weight: r.weight, group: r.group }]));
	return categories;
}

/** What the worker hooks into, looked up in this Lighthouse's own modules. */
async function hookPointsMissing(lighthouseDir) {
	const modules = {};
	for (const [key, file] of Object.entries(HOOK_MODULES)) {
		try {
			modules[key] = await import(pathToFileURL(path.join(lighthouseDir, file)).href);
		} catch {
			modules[key] = undefined;
		}
	}
	return missingHookPoints(modules);
}

/** Whether the overrides still fit what this Lighthouse asks for itself (a range check when semver is at hand). */
function overrideNotes(lighthouseDir) {
	const deps = JSON.parse(fs.readFileSync(path.join(lighthouseDir, 'package.json'), 'utf8')).dependencies ?? {};
	let satisfies;
	try {
		satisfies = require('semver').satisfies;
	} catch {
		satisfies = undefined;
	}
	const notes = [];
	for (const [parent, pins] of Object.entries(pkg.overrides ?? {})) {
		if (typeof pins !== 'object') continue;
		notes.push(`${parent}: lighthouse asks ${deps[parent] ?? 'nothing'}`);
		for (const [name, pinned] of Object.entries(pins)) {
			const asked = deps[name];
			const fits = asked && satisfies ? satisfies(pinned, asked) : undefined;
			const mark = fits === false ? ' (does not fit: update the override)' : '';
			notes.push(`  ${name}: pinned ${pinned} for ${parent}, lighthouse asks ${asked ?? 'nothing'}${mark}`);
		}
	}
	return notes;
}

/** One run's figures: the four scores, the metrics, its audits and insights. */
async function run(url, lighthouseDir, categories = CATEGORIES) {
	const t0 = performance.now();
	const lhr = await lighthouseCli(url, [`--only-categories=${categories.join(',')}`], lighthouseDir);
	return {
		version: lhr.lighthouseVersion,
		wallMs: Math.round(performance.now() - t0),
		lighthouseMs: Math.round(lhr.timing?.total ?? 0),
		scores: Object.fromEntries(Object.entries(lhr.categories).map(([id, c]) => [id, c.score])),
		metrics: Object.fromEntries(Object.entries(METRICS).map(([k, id]) => [k, lhr.audits[id]?.numericValue])),
		audits: Object.keys(lhr.audits),
		insights: lhr.categories.performance.auditRefs.filter((r) => r.group === 'insights').map((r) => r.id),
		runWarnings: lhr.runWarnings ?? [],
	};
}

/** A row of medians and their difference; `*` when the difference is beyond both versions' spread and the floor. */
function compare(a, b, floor) {
	const ok = (xs) => xs.filter((x) => typeof x === 'number');
	const [xa, xb] = [ok(a), ok(b)];
	if (!xa.length || !xb.length) return { a: undefined, b: undefined, diff: undefined, flag: '' };
	const [ma, mb] = [median(xa), median(xb)];
	const diff = mb - ma;
	const noise = Math.max(spread(xa), spread(xb));
	const beyond = Math.abs(diff) > Math.max(noise, floor(ma));
	return { a: ma, b: mb, diff, noise, flag: beyond ? '*' : '' };
}

function table(rows) {
	const w = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
	for (const r of rows) console.log(`  ${r.map((cell, i) => String(cell).padEnd(w[i])).join('  ')}`);
}

const fmtScore = (x) => (x === undefined || x === null ? 'n/a' : x.toFixed(2));
const fmtDiff = (c, digits) =>
	c.diff === undefined ? '' : `${c.diff >= 0 ? '+' : ''}${c.diff.toFixed(digits)}${c.flag}`;
const fmtMetric = (key, x) => (x === undefined ? 'n/a' : key === 'cls' ? x.toFixed(3) : `${Math.round(x)}`);

/** Files of src/ that name `id` as a string literal. */
function namedIn(id) {
	const r = spawnSync('grep', ['-rlF', `'${id}'`, path.join(root, 'src')], { encoding: 'utf8' });
	return r.stdout
		.split('\n')
		.filter(Boolean)
		.map((f) => path.relative(root, f));
}

function setDiff(a, b) {
	return [...a].filter((x) => !b.has(x)).sort();
}

async function main() {
	const pinnedDir = path.dirname(require.resolve('lighthouse/package.json'));
	const pinned = JSON.parse(fs.readFileSync(path.join(pinnedDir, 'package.json'), 'utf8')).version;
	const candidate = resolveVersion(CANDIDATE);
	const candidateDir = candidate === pinned ? pinnedDir : installLighthouse(candidate);
	log(`pinned lighthouse ${pinned}, candidate ${candidate} (${CANDIDATE})${candidate === pinned ? ': the same' : ''}`);
	const versions = [
		{ key: 'pinned', version: pinned, dir: pinnedDir },
		{ key: 'candidate', version: candidate, dir: candidateDir },
	];

	const server = await startServer();
	const origin = `http://127.0.0.1:${server.address().port}`;
	const results = {
		machine: { cores: os.cpus().length, loadavgAtStart: os.loadavg().map((l) => +l.toFixed(2)) },
		pinned,
		candidate,
		rounds: ROUNDS,
		pages: {},
	};
	for (const p of PATHS) results.pages[p] = { pinned: [], candidate: [] };
	try {
		for (let r = 0; r < ROUNDS; r++) {
			for (const [i, p] of PATHS.entries()) {
				// Who goes first alternates by round and page: a neighbour's load or a warm disk favours neither.
				const order = (r + i) % 2 ? [...versions].reverse() : versions;
				for (const v of order) {
					log(`round ${r + 1}/${ROUNDS}, ${p}, lighthouse ${v.version}…`);
					results.pages[p][v.key].push(await run(`${origin}${p}?r=${r}`, v.dir));
				}
			}
		}
		if (AGENTIC_RUNS > 0) results.agentic = await agenticCost(origin, pinnedDir);
	} finally {
		server.close();
	}
	results.machine.loadavgAtEnd = os.loadavg().map((l) => +l.toFixed(2));

	console.log(
		`\nLighthouse ${pinned} (pinned) vs ${candidate} (candidate): median of ${ROUNDS} round(s) per page, mobile, ` +
			`simulated throttling, the lighthouse CLI; * = beyond both versions' spread and the floor`,
	);
	const scoreRows = [['page', 'category', pinned, candidate, 'difference', 'spread']];
	const metricRows = [['page', 'metric', pinned, candidate, 'difference', 'spread']];
	for (const p of PATHS) {
		const page = results.pages[p];
		page.compared = { scores: {}, metrics: {} };
		for (const cat of CATEGORIES) {
			const c = compare(
				page.pinned.map((x) => x.scores[cat]),
				page.candidate.map((x) => x.scores[cat]),
				() => SCORE_FLOOR,
			);
			page.compared.scores[cat] = c;
			scoreRows.push([p, cat, fmtScore(c.a), fmtScore(c.b), fmtDiff(c, 2), fmtScore(c.noise)]);
		}
		for (const key of Object.keys(METRICS)) {
			const c = compare(
				page.pinned.map((x) => x.metrics[key]),
				page.candidate.map((x) => x.metrics[key]),
				(m) => Math.abs(m) * METRIC_FLOOR,
			);
			page.compared.metrics[key] = c;
			const digits = key === 'cls' ? 3 : 0;
			metricRows.push([
				p,
				key,
				fmtMetric(key, c.a),
				fmtMetric(key, c.b),
				fmtDiff(c, digits),
				c.noise === undefined ? '' : c.noise.toFixed(digits),
			]);
		}
	}
	console.log('\nScores');
	table(scoreRows);
	console.log('\nMetrics (ms; CLS unitless)');
	table(metricRows);

	// What the default configs say, and what the runs reported: audits and insights that came or went.
	const [configA, configB] = [await configOf(pinnedDir), await configOf(candidateDir)];
	// The audits of the four categories as each config names them, and as the runs reported them (hidden ones too).
	const ran = (key, field) => {
		const refs = Object.entries(key === 'pinned' ? configA : configB)
			.filter(([cat]) => CATEGORIES.includes(cat))
			.flatMap(([cat, audits]) =>
				Object.entries(audits)
					.filter(([, ref]) => field === 'audits' || (cat === 'performance' && ref.group === 'insights'))
					.map(([id]) => id),
			);
		return new Set([...refs, ...PATHS.flatMap((p) => results.pages[p][key].flatMap((x) => x[field]))]);
	};
	const changes = {
		categoriesAppeared: setDiff(new Set(Object.keys(configB)), new Set(Object.keys(configA))),
		categoriesDisappeared: setDiff(new Set(Object.keys(configA)), new Set(Object.keys(configB))),
		auditsAppeared: setDiff(ran('candidate', 'audits'), ran('pinned', 'audits')),
		auditsDisappeared: setDiff(ran('pinned', 'audits'), ran('candidate', 'audits')),
		insightsAppeared: setDiff(ran('candidate', 'insights'), ran('pinned', 'insights')),
		insightsDisappeared: setDiff(ran('pinned', 'insights'), ran('candidate', 'insights')),
		/** @type {string[]} */
		weightsMoved: [],
	};
	for (const cat of CATEGORIES) {
		for (const [id, ref] of Object.entries(configB[cat] ?? {})) {
			const before = configA[cat]?.[id];
			if (before && before.weight !== ref.weight)
				changes.weightsMoved.push(`${cat}/${id}: ${before.weight} -> ${ref.weight}`);
		}
	}
	changes.namedInSrc = Object.fromEntries(
		[...changes.auditsDisappeared, ...changes.insightsDisappeared].map((id) => [id, namedIn(id)]),
	);
	changes.hookPointsMissing = await hookPointsMissing(candidateDir);
	changes.overrides = overrideNotes(candidateDir);
	results.changes = changes;

	const list = (xs) => (xs.length ? xs.join(', ') : 'none');
	console.log(`\nFrom ${pinned} to ${candidate}`);
	console.log(
		`  categories appeared: ${list(changes.categoriesAppeared)}; disappeared: ${list(changes.categoriesDisappeared)}`,
	);
	console.log(`  audits appeared: ${list(changes.auditsAppeared)}`);
	console.log(`  audits disappeared: ${list(changes.auditsDisappeared)}`);
	console.log(`  insights appeared: ${list(changes.insightsAppeared)}`);
	console.log(`  insights disappeared: ${list(changes.insightsDisappeared)}`);
	for (const [id, files] of Object.entries(changes.namedInSrc))
		if (files.length) console.log(`    ${id} is named in ${files.join(', ')}`);
	console.log(`  performance and other weights moved: ${list(changes.weightsMoved)}`);
	const missing = changes.hookPointsMissing;
	console.log(
		`  worker hook points (hookPoints.ts): ${missing.length ? `MISSING ${missing.join('; ')}` : 'all present'}`,
	);
	console.log(`  overrides in package.json:`);
	for (const note of changes.overrides) console.log(`    ${note}`);
	const warnings = new Set(PATHS.flatMap((p) => results.pages[p].candidate.flatMap((x) => x.runWarnings)));
	if (warnings.size) console.log(`  the candidate's run warnings: ${[...warnings].join(' | ')}`);

	if (results.agentic) printAgentic(results.agentic);
	const { loadavgAtStart: start, loadavgAtEnd: end, cores } = results.machine;
	console.log(`\n  Load average at start ${start.join(' ')}, at end ${end.join(' ')} (${cores} cores)`);
	fs.mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
	fs.writeFileSync(
		path.join(root, 'bench', 'results', 'lighthouse-versions.json'),
		`${JSON.stringify(results, null, 2)}\n`,
	);
}

/** The pinned version with and without the agentic-browsing category: what running it would cost. */
async function agenticCost(origin, pinnedDir) {
	const withAgentic = [...CATEGORIES, 'agentic-browsing'];
	const out = { runs: AGENTIC_RUNS, pages: {} };
	for (let r = 0; r < AGENTIC_RUNS; r++) {
		for (const [i, p] of PATHS.entries()) {
			const page = (out.pages[p] ??= { four: [], agentic: [] });
			const order = (r + i) % 2 ? ['agentic', 'four'] : ['four', 'agentic'];
			for (const which of order) {
				log(`agentic cost, run ${r + 1}/${AGENTIC_RUNS}, ${p}, ${which}…`);
				const x = await run(`${origin}${p}?a=${r}`, pinnedDir, which === 'four' ? CATEGORIES : withAgentic);
				page[which].push({
					wallMs: x.wallMs,
					lighthouseMs: x.lighthouseMs,
					agenticScore: x.scores['agentic-browsing'],
				});
			}
		}
	}
	return out;
}

function printAgentic(agentic) {
	console.log(
		`\nThe agentic-browsing category's cost: the pinned Lighthouse, median of ${agentic.runs} run(s), ` +
			'the four categories vs the four + agentic-browsing',
	);
	const rows = [['page', 'Lighthouse ms, four', 'with agentic', 'wall ms, four', 'with agentic', 'agentic score']];
	for (const [p, page] of Object.entries(agentic.pages)) {
		rows.push([
			p,
			median(page.four.map((x) => x.lighthouseMs)),
			median(page.agentic.map((x) => x.lighthouseMs)),
			median(page.four.map((x) => x.wallMs)),
			median(page.agentic.map((x) => x.wallMs)),
			page.agentic.map((x) => fmtScore(x.agenticScore)).join(' '),
		]);
	}
	table(rows);
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
