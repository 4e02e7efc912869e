// Engine benchmark: every figure is measured side by side in this one run, on local fixture pages.
//   node bench/engine.mjs [--quick]
// Prints a table and writes bench/results/engine.json. Needs `npm run build` and `npm run compile`.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lighthouseCli } from './lighthouseCli.mjs';
import { median } from './lib/stats.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { startEngine } = require(path.join(root, 'out/test/helpers/engineProcess.js'));
const { startFixtureServer } = require(path.join(root, 'out/test/helpers/fixtureServer.js'));

const quick = process.argv.includes('--quick');
const PAGES = 12;
const CLI_PAGES = quick ? 2 : 6;
const CONCURRENCY = 4;
const LH_ONLY = { stages: { capture: false, cro: false, ai: false, crux: false }, noCache: true };

const spreadOf = (xs) => ({
	n: xs.length,
	min: Math.min(...xs),
	max: Math.max(...xs),
	median: median(xs),
	spread: Math.max(...xs) - Math.min(...xs),
});
const mb = (b) => Math.round(b / 1048576);
const log = (...a) => console.error('[bench:engine]', ...a);

async function timed(fn) {
	const t0 = performance.now();
	const value = await fn();
	return { ms: performance.now() - t0, value };
}

async function main() {
	const server = await startFixtureServer();
	const pages = Array.from({ length: PAGES }, (_, i) => server.url(`/site/page${i + 1}.html`));
	const results = { machine: { cores: (await import('node:os')).cpus().length }, quick };

	// 1. Throughput: the CLI sequentially vs the engine's warm pool at concurrency 4.
	log(`lighthouse CLI, sequential, ${CLI_PAGES} pages…`);
	const cli = await timed(async () => {
		for (const url of pages.slice(0, CLI_PAGES)) await lighthouseCli(url);
	});
	const cliPerPage = cli.ms / CLI_PAGES / 1000;

	const engine = await startEngine({ db: null });
	const rpc = (m, p) => engine.connection.sendRequest(m, p);
	await rpc('auditlens/configure', { maxConcurrentAudits: CONCURRENCY, maxBrowsers: CONCURRENCY });
	// Warm the pool the way a running editor session has it warm.
	await rpc('auditlens/batchAudit', {
		urls: pages.slice(0, CONCURRENCY).map((u) => `${u}?warm`),
		options: { ...LH_ONLY, formFactors: ['mobile'] },
	});

	let peak = 0;
	// The pool's Chromes at most: with the trace slot on, the engine runs no more than the cores + 1 at once.
	let chromes = 0;
	let sampling = true;
	const sampler = (async () => {
		while (sampling) {
			const s = await rpc('auditlens/stats', {});
			peak = Math.max(peak, s.memory.totalRss);
			chromes = Math.max(chromes, s.browsers.pids.length);
			await new Promise((r) => setTimeout(r, 300));
		}
	})();
	log(`engine, ${PAGES} pages at concurrency ${CONCURRENCY}…`);
	const batch = await timed(() =>
		rpc('auditlens/batchAudit', { urls: pages, options: { ...LH_ONLY, formFactors: ['mobile'] } }),
	);
	sampling = false;
	await sampler;
	const failed = batch.value.items.filter((i) => i.error || i.result?.status !== 'ok');
	if (failed.length) throw new Error(`batch had failures: ${JSON.stringify(failed)}`);
	const enginePerPage = batch.ms / PAGES / 1000;
	// The same batch with the trace slot off: what the slot's turns for the page loads cost.
	await rpc('auditlens/configure', { traceSlot: false });
	log(`engine, ${PAGES} pages at concurrency ${CONCURRENCY}, trace slot off…`);
	const batchOff = await timed(() =>
		rpc('auditlens/batchAudit', {
			urls: pages.map((u) => `${u}?slotOff`),
			options: { ...LH_ONLY, formFactors: ['mobile'] },
		}),
	);
	await rpc('auditlens/configure', { traceSlot: true });
	const slotOffPerPage = batchOff.ms / PAGES / 1000;
	results.throughput = {
		cliSecondsPerPage: +cliPerPage.toFixed(2),
		engineSecondsPerPage: +enginePerPage.toFixed(2),
		ratio: +(cliPerPage / enginePerPage).toFixed(2),
		slotOffSecondsPerPage: +slotOffPerPage.toFixed(2),
		slotOffRatio: +(cliPerPage / slotOffPerPage).toFixed(2),
		target: '>= 3x (trace slot off)',
		cliPages: CLI_PAGES,
		enginePages: PAGES,
		concurrency: CONCURRENCY,
	};
	results.memory = { peakEngineAndChromesMB: mb(peak), browsers: chromes };

	// 2. Latency: mobile + desktop together vs mobile alone, warm, alternating.
	await rpc('auditlens/configure', { maxConcurrentAudits: 2, maxBrowsers: 2 });
	const alone = [];
	const both = [];
	const bothSlotOff = [];
	const reps = quick ? 1 : 3;
	for (let i = 0; i < reps; i++) {
		log(`latency round ${i + 1}/${reps}…`);
		alone.push(
			(
				await timed(() =>
					rpc('auditlens/audit', { url: `${pages[0]}?alone=${i}`, options: { ...LH_ONLY, formFactors: ['mobile'] } }),
				)
			).ms,
		);
		both.push(
			(
				await timed(() =>
					rpc('auditlens/audit', {
						url: `${pages[0]}?both=${i}`,
						options: { ...LH_ONLY, formFactors: ['mobile', 'desktop'] },
					}),
				)
			).ms,
		);
		await rpc('auditlens/configure', { traceSlot: false });
		bothSlotOff.push(
			(
				await timed(() =>
					rpc('auditlens/audit', {
						url: `${pages[0]}?bothSlotOff=${i}`,
						options: { ...LH_ONLY, formFactors: ['mobile', 'desktop'] },
					}),
				)
			).ms,
		);
		await rpc('auditlens/configure', { traceSlot: true });
	}
	results.latency = {
		mobileAloneMs: Math.round(median(alone)),
		mobileAndDesktopMs: Math.round(median(both)),
		ratio: +(median(both) / median(alone)).toFixed(2),
		mobileAndDesktopSlotOffMs: Math.round(median(bothSlotOff)),
		slotOffRatio: +(median(bothSlotOff) / median(alone)).toFixed(2),
		target: '<= 1.25x (trace slot off)',
		reps,
	};

	// 3. Score stability: one slow page, 4 asked at once (the engine runs at most the cores + 1 with the slot) vs one at
	// a time vs accuracy mode.
	const n = 4;
	const slow = (tag, i) => `${server.url('/slow.html')}?${tag}=${i}`;
	const perf = (r) => r.stages['lighthouse-mobile'].data.scores.performance;
	await rpc('auditlens/configure', { maxConcurrentAudits: n, maxBrowsers: n, accuracyMode: false });
	log('slow page, one at a time…');
	const sequential = [];
	for (let i = 0; i < n; i++)
		sequential.push(
			perf(await rpc('auditlens/audit', { url: slow('seq', i), options: { ...LH_ONLY, formFactors: ['mobile'] } })),
		);
	log('slow page, 4 asked at once…');
	const concurrent = (
		await rpc('auditlens/batchAudit', {
			urls: Array.from({ length: n }, (_, i) => slow('par', i)),
			options: { ...LH_ONLY, formFactors: ['mobile'] },
		})
	).items.map((i) => perf(i.result));
	log('slow page, 4 submitted at once in accuracy mode…');
	await rpc('auditlens/configure', { accuracyMode: true });
	const accurate = await timed(() =>
		rpc('auditlens/batchAudit', {
			urls: Array.from({ length: n }, (_, i) => slow('acc', i)),
			options: { ...LH_ONLY, formFactors: ['mobile'] },
		}),
	);
	const accuracy = accurate.value.items.map((i) => perf(i.result));
	await rpc('auditlens/configure', { accuracyMode: false });
	results.scoreSpread = {
		sequential: spreadOf(sequential),
		concurrent4: spreadOf(concurrent),
		accuracyMode: spreadOf(accuracy),
		concurrentMedianDelta: +Math.abs(median(concurrent) - median(sequential)).toFixed(3),
		accuracyMedianDelta: +Math.abs(median(accuracy) - median(sequential)).toFixed(3),
		target: 'concurrent median within 0.03 of sequential',
	};

	// 4. Capture + CRO beside Lighthouse: the time they add to a whole audit (mobile + desktop).
	await rpc('auditlens/configure', { maxConcurrentAudits: 2, maxBrowsers: 2 });
	const lhOnly = [];
	const withCro = [];
	for (let i = 0; i < reps; i++) {
		log(`capture + CRO beside Lighthouse, round ${i + 1}/${reps}…`);
		lhOnly.push(
			(await timed(() => rpc('auditlens/audit', { url: `${pages[1]}?lh=${i}`, options: { ...LH_ONLY } }))).ms,
		);
		const full = await timed(() =>
			rpc('auditlens/audit', {
				url: `${pages[1]}?full=${i}`,
				options: { noCache: true, stages: { ai: false, crux: false } },
			}),
		);
		if (full.value.stages.capture?.status !== 'ok' || full.value.stages.cro?.status !== 'ok')
			throw new Error(`capture/cro failed: ${JSON.stringify(full.value.stages.capture)}`);
		withCro.push(full.ms);
	}
	results.captureBesideLighthouse = {
		lighthouseOnlyMs: Math.round(median(lhOnly)),
		withCaptureAndCroMs: Math.round(median(withCro)),
		addedPercent: +((median(withCro) / median(lhOnly) - 1) * 100).toFixed(1),
		target: '< 10%',
		reps,
	};

	// 5. The cache through the RPC: a repeat audit, and 20 identical requests at once.
	const repeatUrl = `${pages[2]}?cached`;
	await rpc('auditlens/audit', { url: repeatUrl, options: { ...LH_ONLY, noCache: false } });
	const cachedTimes = [];
	for (let i = 0; i < 200; i++)
		cachedTimes.push(
			(await timed(() => rpc('auditlens/audit', { url: repeatUrl, options: { ...LH_ONLY, noCache: false } }))).ms,
		);
	cachedTimes.sort((a, b) => a - b);
	const runsBefore = (await rpc('auditlens/stats', {})).lighthouseRuns;
	const twenty = await Promise.all(
		Array.from({ length: 20 }, () =>
			rpc('auditlens/audit', {
				url: `${pages[3]}?twenty`,
				options: { ...LH_ONLY, formFactors: ['mobile'], noCache: false },
			}),
		),
	);
	const runsAfter = (await rpc('auditlens/stats', {})).lighthouseRuns;
	results.cache = {
		cachedRepeatP50Ms: +cachedTimes[99].toFixed(2),
		cachedRepeatP95Ms: +cachedTimes[189].toFixed(2),
		p95TargetMs: 50,
		lighthouseRunsFor20IdenticalRequests: runsAfter - runsBefore,
		distinctResults: new Set(twenty.map((r) => r.id)).size,
		target: 'exactly 1 run',
	};

	await engine.stop();

	// 6. Start-up of an engine with a history of 1,000 audits, to its first answer.
	results.startup = await startupWith1000();
	await server.close();

	fs.mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
	fs.writeFileSync(path.join(root, 'bench', 'results', 'engine.json'), `${JSON.stringify(results, null, 2)}\n`);
	const t = results;
	const rows = [
		['throughput: lighthouse CLI, sequential', `${t.throughput.cliSecondsPerPage} s/page`, ''],
		[
			`throughput: engine, concurrency ${CONCURRENCY}`,
			`${t.throughput.engineSecondsPerPage} s/page`,
			`${t.throughput.ratio}x the CLI (trace slot on, the default)`,
		],
		[
			`throughput: engine, trace slot off`,
			`${t.throughput.slotOffSecondsPerPage} s/page`,
			`${t.throughput.slotOffRatio}x the CLI (target >= 3x)`,
		],
		['latency: mobile alone', `${t.latency.mobileAloneMs} ms`, ''],
		[
			'latency: mobile + desktop together',
			`${t.latency.mobileAndDesktopMs} ms`,
			`${t.latency.ratio}x mobile alone (trace slot on: their page loads take turns)`,
		],
		[
			'latency: the same, trace slot off',
			`${t.latency.mobileAndDesktopSlotOffMs} ms`,
			`${t.latency.slotOffRatio}x mobile alone (target <= 1.25x)`,
		],
		[
			`peak memory, engine + ${t.memory.browsers} Chromes`,
			`${t.memory.peakEngineAndChromesMB} MB`,
			`concurrency ${CONCURRENCY}`,
		],
		['perf score, slow page, one at a time', fmtSpread(t.scoreSpread.sequential), ''],
		[
			'perf score, slow page, 4 asked at once',
			fmtSpread(t.scoreSpread.concurrent4),
			`median off by ${t.scoreSpread.concurrentMedianDelta} (target <= 0.03)`,
		],
		[
			'perf score, slow page, accuracy mode',
			fmtSpread(t.scoreSpread.accuracyMode),
			`median off by ${t.scoreSpread.accuracyMedianDelta}`,
		],
	];
	rows.push(
		[
			'capture + CRO beside Lighthouse',
			`${t.captureBesideLighthouse.withCaptureAndCroMs} ms vs ${t.captureBesideLighthouse.lighthouseOnlyMs} ms`,
			`${t.captureBesideLighthouse.addedPercent >= 0 ? '+' : ''}${t.captureBesideLighthouse.addedPercent}% (target < 10%)`,
		],
		[
			'cached repeat audit through the RPC',
			`p50 ${t.cache.cachedRepeatP50Ms} ms, p95 ${t.cache.cachedRepeatP95Ms} ms`,
			'target p95 <= 50 ms',
		],
		[
			'20 identical concurrent requests',
			`${t.cache.lighthouseRunsFor20IdenticalRequests} Lighthouse run(s)`,
			'target exactly 1',
		],
		[
			'engine start-up, 1,000 audits in history',
			`${t.startup.firstAnswerMedianMs} ms to first answer`,
			`target <= 500 ms (history file ${t.startup.dbMB} MB)`,
		],
	);
	printTable('Engine benchmark', rows);
}

/** Fill a history file with 1,000 audits (real Lighthouse reports), then time engine start → first answer. */
async function startupWith1000() {
	const { HistoryStore } = require(path.join(root, 'out/src/engine/history/historyStore.js'));
	const { cacheKey } = require(path.join(root, 'out/src/engine/resultCache.js'));
	const { createLogger } = require(path.join(root, 'out/src/engine/log.js'));
	const { loadLhr, sampleResult, testSettings } = require(path.join(root, 'out/test/helpers/sampleResult.js'));
	const os = await import('node:os');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-bench-startup-'));
	const db = path.join(dir, 'history.sqlite');
	log('filling a history of 1,000 audits…');
	const lhrs = new Map([
		['lhr:mobile', loadLhr('mobile')],
		['lhr:desktop', loadLhr('desktop')],
	]);
	const fill = await HistoryStore.open({
		path: db,
		settings: testSettings(),
		log: createLogger('error'),
		flushDelayMs: 3_600_000,
		compressionQuality: 5,
	});
	for (let i = 0; i < 1000; i++) {
		const r = sampleResult({
			url: `https://site${i % 100}.example/page`,
			requestedAt: new Date(Date.now() - (1000 - i) * 600_000),
		});
		await fill.save(cacheKey(r.url, r.options) + `#${i}`, r, lhrs);
	}
	await fill.close();
	const times = [];
	for (let i = 0; i < 3; i++) {
		const t0 = performance.now();
		const e = await startEngine({ db });
		const { urls } = await e.connection.sendRequest('auditlens/listHistory', {});
		times.push(performance.now() - t0);
		if (urls.length !== 100) throw new Error(`expected 100 URLs in history, got ${urls.length}`);
		await e.stop();
	}
	const dbMB = +(fs.statSync(db).size / 1048576).toFixed(1);
	fs.rmSync(dir, { recursive: true, force: true });
	return { firstAnswerMedianMs: Math.round(median(times)), runs: times.map(Math.round), dbMB, target: '<= 500 ms' };
}

function fmtSpread(s) {
	return `median ${s.median.toFixed(2)} (min ${s.min.toFixed(2)}, max ${s.max.toFixed(2)}, spread ${s.spread.toFixed(2)})`;
}

export function printTable(title, rows) {
	const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => String(r[i]).length)));
	console.log(`\n${title}`);
	for (const r of rows) console.log(`  ${String(r[0]).padEnd(w[0])}  ${String(r[1]).padEnd(w[1])}  ${r[2]}`);
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
