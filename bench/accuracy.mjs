// Accuracy benchmark: each page's mobile performance score from the engine at concurrency 4 against the
// same page audited alone by the plain Lighthouse CLI (median of 3), on local pages that include a slow one.
//   node bench/accuracy.mjs [--quick] [--rounds N]
// Conditions, in this one run:
//   reference  the `lighthouse` CLI, one run at a time, 3 runs per page, nothing else of ours running;
//   engine     the engine with its defaults, asked for the 5 pages at once (maxConcurrentAudits 4, maxBrowsers 4;
//              with the trace slot it runs at most the cores + 1 Lighthouse runs at once);
//   a core busy  the same while "a build" runs beside it: a child process in a session of its own that
//              keeps one core at 100% (a tight JavaScript loop) from before the batch starts until it ends;
//   slot off   both again with the trace slot off (the engine's scheduling before it), for comparison.
// The engine conditions take turns, N rounds.
// Prints per page reference vs engine and the worst |difference|, with Lighthouse's benchmarkIndex.
// Writes bench/results/accuracy.json. Needs `npm run build` and `npm run compile`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PAGES, startServer } from './accuracyPages.mjs';
import { lighthouseCli } from './lighthouseCli.mjs';
import { median } from './lib/stats.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { startEngine } = require(path.join(root, 'out/test/helpers/engineProcess.js'));

const argValue = (name, fallback) => {
	const i = process.argv.indexOf(name);
	return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const quick = process.argv.includes('--quick');
const REFERENCE_RUNS = quick ? 1 : 3;
const ROUNDS = argValue('--rounds', quick ? 1 : 2);
const CONCURRENCY = 4;
const TARGET = 0.03;
// The engine with its defaults and with the trace slot off (the scheduling before it), each quiet and busy.
const CONDITIONS = [
	{ key: 'quiet', label: 'engine', busy: false, settings: {} },
	{ key: 'busy', label: 'engine, a core busy', busy: true, settings: {} },
	{ key: 'quietNoSlot', label: 'slot off', busy: false, settings: { traceSlot: false } },
	{ key: 'busyNoSlot', label: 'slot off, a core busy', busy: true, settings: { traceSlot: false } },
];
const LH_ONLY = {
	stages: { capture: false, cro: false, ai: false, crux: false },
	noCache: true,
	formFactors: ['mobile'],
};
const log = (...a) => console.error('[bench:accuracy]', ...a);

/** The CLI alone on one page: its performance score, benchmarkIndex and the metrics that move most. */
async function reference(url) {
	const lhr = await lighthouseCli(url, ['--only-categories=performance']);
	return {
		score: lhr.categories.performance.score,
		benchmarkIndex: lhr.environment.benchmarkIndex,
		tbt: Math.round(lhr.audits['total-blocking-time'].numericValue),
		lcp: Math.round(lhr.audits['largest-contentful-paint'].numericValue),
	};
}

/** "A build busy beside it": one core kept at 100% by a child process until `stop()`. */
function burnOneCore() {
	// In a session of its own, as a build started in a terminal is (the kernel shares CPU between sessions first).
	const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore', detached: true });
	return {
		pid: child.pid,
		stop: () =>
			/** @type {Promise<void>} */ (
				new Promise((resolve) =>
					child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGKILL')),
				)
			),
	};
}

async function main() {
	const server = await startServer();
	const origin = `http://127.0.0.1:${server.address().port}`;
	const paths = Object.keys(PAGES);
	const results = {
		machine: { cores: os.cpus().length, loadavgAtStart: os.loadavg().map((l) => +l.toFixed(2)) },
		quick,
		rounds: ROUNDS,
		referenceRuns: REFERENCE_RUNS,
		target: TARGET,
		pages: {},
	};

	for (const p of paths) results.pages[p] = { reference: [] };
	// --reuse-reference: the reference runs of the last bench/results/accuracy.json (while trying changes to the engine).
	const previous = process.argv.includes('--reuse-reference')
		? JSON.parse(fs.readFileSync(path.join(root, 'bench', 'results', 'accuracy.json'), 'utf8'))
		: undefined;
	for (const p of previous ? paths : []) results.pages[p].reference = previous.pages[p].reference;
	for (let r = 0; r < (previous ? 0 : REFERENCE_RUNS); r++) {
		for (const p of paths) {
			log(`reference: lighthouse CLI alone, ${p}, run ${r + 1}/${REFERENCE_RUNS}…`);
			results.pages[p].reference.push(await reference(`${origin}${p}?ref=${r}`));
		}
	}

	const engine = await startEngine({ db: null });
	const rpc = (m, params) => engine.connection.sendRequest(m, params);
	// --set name=value (repeatable): engine settings to try in every condition, e.g. --set accuracyMode=true.
	const overrides = Object.fromEntries(
		process.argv
			.flatMap((a, i) => (process.argv[i - 1] === '--set' ? [a.split('=')] : []))
			.map(([k, v]) => [k, JSON.parse(v)]),
	);
	results.settings = overrides;
	results.batchSeconds = {};
	await rpc('auditlens/configure', { maxConcurrentAudits: CONCURRENCY, maxBrowsers: CONCURRENCY, ...overrides });
	log('warming the pool…');
	await rpc('auditlens/batchAudit', { urls: paths.map((p) => `${origin}${p}?warm`), options: LH_ONLY });
	const batch = async (tag) => {
		const { items } = await rpc('auditlens/batchAudit', {
			urls: paths.map((p) => `${origin}${p}?${tag}`),
			options: LH_ONLY,
		});
		return items.map((item) => {
			const lh = item.result?.stages['lighthouse-mobile'];
			if (!lh?.data) throw new Error(`${item.url}: no Lighthouse result: ${JSON.stringify(item.error ?? lh)}`);
			const d = lh.data;
			return {
				score: d.scores.performance,
				benchmarkIndex: d.benchmarkIndex,
				tbt: Math.round(d.metrics.tbt),
				lcp: Math.round(d.metrics.lcp),
				traceCpu: d.traceCpu,
				contention: d.contention,
			};
		});
	};
	// Rounds interleave the conditions, so that a change in the machine's load between them shows in each alike.
	for (let r = 0; r < ROUNDS; r++) {
		for (const c of CONDITIONS) {
			log(`${c.label}, ${paths.length} pages at once, round ${r + 1}/${ROUNDS}…`);
			await rpc('auditlens/configure', { traceSlot: true, ...overrides, ...c.settings });
			const burner = c.busy ? burnOneCore() : undefined;
			try {
				const t0 = performance.now();
				const runs = await batch(`${c.key}=${r}`);
				(results.batchSeconds[c.key] ??= []).push(+((performance.now() - t0) / 1000).toFixed(1));
				runs.forEach((run, i) => (results.pages[paths[i]][c.key] ??= []).push(run));
			} finally {
				await burner?.stop();
			}
		}
	}
	await engine.stop();
	server.close();

	results.worstDiff = {};
	results.benchmarkIndex = {
		reference: spread(paths.flatMap((p) => results.pages[p].reference.map((r) => r.benchmarkIndex))),
	};
	results.waitRatio = {};
	for (const p of paths) results.pages[p].referenceMedian = median(results.pages[p].reference.map((r) => r.score));
	for (const c of CONDITIONS) {
		const runs = paths.flatMap((p) =>
			results.pages[p][c.key].map((r) => ({ ...r, off: Math.abs(r.score - results.pages[p].referenceMedian) })),
		);
		results.worstDiff[c.key] = +Math.max(...runs.map((r) => r.off)).toFixed(3);
		results.benchmarkIndex[c.key] = spread(runs.map((r) => r.benchmarkIndex));
		results.waitRatio[c.key] = spread(
			runs.map((r) => r.traceCpu?.waitRatio),
			2,
		);
	}
	results.machine.loadavgAtEnd = os.loadavg().map((l) => +l.toFixed(2));
	fs.mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
	fs.writeFileSync(path.join(root, 'bench', 'results', 'accuracy.json'), `${JSON.stringify(results, null, 2)}\n`);

	console.log(
		`\nAccuracy: mobile performance score of each page, the engine at concurrency ${CONCURRENCY} (${ROUNDS} round(s)) vs the lighthouse CLI alone (median of ${REFERENCE_RUNS}); * = marked as under contention`,
	);
	const rows = [['page', 'CLI alone', ...CONDITIONS.map((c) => c.label)]];
	for (const p of paths) {
		const page = results.pages[p];
		rows.push([
			p,
			`${page.referenceMedian.toFixed(2)} (${page.reference.map((r) => r.score.toFixed(2)).join(' ')})`,
			...CONDITIONS.map((c) => page[c.key].map((r) => `${r.score.toFixed(2)}${r.contention ? '*' : ''}`).join(' ')),
		]);
	}
	rows.push([
		'worst |difference|',
		'',
		...CONDITIONS.map(
			(c) => `${results.worstDiff[c.key].toFixed(2)}${results.worstDiff[c.key] <= TARGET ? '' : ' (over)'}`,
		),
	]);
	rows.push([
		'benchmarkIndex',
		fmtSpread(results.benchmarkIndex.reference),
		...CONDITIONS.map((c) => fmtSpread(results.benchmarkIndex[c.key])),
	]);
	rows.push([
		`batch of ${Object.keys(PAGES).length}, seconds`,
		'',
		...CONDITIONS.map((c) => results.batchSeconds[c.key].join(' ')),
	]);
	rows.push(['main-thread CPU wait ratio', '', ...CONDITIONS.map((c) => fmtSpread(results.waitRatio[c.key]))]);
	const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
	for (const r of rows) console.log(`  ${r.map((cell, i) => cell.padEnd(w[i])).join('  ')}`);
	console.log(
		`  target: every page within ${TARGET} of the CLI alone. Load average at start ${results.machine.loadavgAtStart.join(' ')}, at end ${results.machine.loadavgAtEnd.join(' ')} (${results.machine.cores} cores)`,
	);
}

/** Median (min–max) of the numbers among `xs`, or null. */
function spread(xs, digits = 0) {
	const n = xs.filter((x) => typeof x === 'number');
	const r = (x) => +x.toFixed(digits);
	return n.length ? { median: r(median(n)), min: r(Math.min(...n)), max: r(Math.max(...n)) } : null;
}

function fmtSpread(s) {
	return s ? `${s.median} (${s.min}–${s.max})` : 'n/a';
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
