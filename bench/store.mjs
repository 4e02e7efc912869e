// Benchmark of the result cache and audit history. Run after `npm run compile`:
//   node bench/store.mjs
// Prints a table and writes bench/results/store.json.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const out = path.join(here, '..', 'out');
const load = (rel) => require(path.join(out, rel));

// Child mode: cold start-up of a fresh process, from loading the store module to the first answer of listUrls.
if (process.argv[2] === '--startup') {
	const t0 = performance.now();
	const { HistoryStore } = load('src/engine/history/historyStore.js');
	const { DEFAULT_SETTINGS } = load('src/engine/settings.js');
	const { createLogger } = load('src/engine/log.js');
	const { ResultCache } = load('src/engine/resultCache.js');
	const store = await HistoryStore.open({
		path: process.argv[3],
		settings: DEFAULT_SETTINGS,
		log: createLogger('warn'),
	});
	const cache = new ResultCache(DEFAULT_SETTINGS, createLogger('warn'), store);
	const tOpen = performance.now();
	const urls = await store.listUrls();
	const tFirst = performance.now();
	await cache.warmed;
	const tWarm = performance.now();
	const stats = store.stats();
	const warmed = cache.stats().entries;
	await store.close();
	process.stdout.write(
		JSON.stringify({
			openMs: tOpen - t0,
			firstAnswerMs: tFirst - t0,
			warmedMs: tWarm - t0,
			urls: urls.length,
			warmed,
			audits: stats.history.audits,
		}),
	);
	process.exit(0);
}

const { HistoryStore } = load('src/engine/history/historyStore.js');
const { SingleFlight } = load('src/engine/flight.js');
const { cacheKey, ResultCache } = load('src/engine/resultCache.js');
const { loadLhr, sampleResult, testSettings } = load('test/helpers/sampleResult.js');
const { createLogger } = load('src/engine/log.js');
const log = createLogger('warn');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-bench-store-'));
const lhrs = new Map([
	['lhr:mobile', loadLhr('mobile')],
	['lhr:desktop', loadLhr('desktop')],
]);
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const dirBytes = (dir) =>
	fs.existsSync(dir)
		? fs
				.readdirSync(dir, { recursive: true, encoding: 'utf8' })
				.reduce((n, f) => n + (fs.statSync(path.join(dir, f)).isFile() ? fs.statSync(path.join(dir, f)).size : 0), 0)
		: 0;

try {
	// 1. Database bytes per audit, with real Lighthouse 12 reports (mobile + desktop).
	const sizeDb = path.join(tmp, 'size.sqlite');
	const sizeStore = await HistoryStore.open({ path: sizeDb, settings: testSettings(), log, flushDelayMs: 0 });
	await sizeStore.flush();
	const emptyBytes = fs.statSync(sizeDb).size;
	const n = 20;
	const tSave = performance.now();
	for (let i = 0; i < n; i++) {
		const r = sampleResult({ url: `https://example.com/page-${i}` });
		await sizeStore.save(cacheKey(r.url, r.options), r, lhrs);
	}
	const saveMs = (performance.now() - tSave) / n;
	await sizeStore.close();
	const bytesPerAudit = (fs.statSync(sizeDb).size - emptyBytes) / n;
	const imageBytesPerAudit = dirBytes(`${sizeDb}.files`) / n;
	const lhrJsonBytes = JSON.stringify(lhrs.get('lhr:mobile')).length + JSON.stringify(lhrs.get('lhr:desktop')).length;

	// 2. Start-up with a history of 1,000 audits (cold process: module load, sql.js, read, check, retention, warming).
	const bigDb = path.join(tmp, 'big.sqlite');
	const fill = await HistoryStore.open({
		path: bigDb,
		settings: testSettings(),
		log,
		flushDelayMs: 3_600_000,
		compressionQuality: 5,
	});
	const tFill = performance.now();
	for (let i = 0; i < 1000; i++) {
		const r = sampleResult({
			url: `https://site${i % 100}.example/page`,
			requestedAt: new Date(Date.now() - (1000 - i) * 600_000),
		});
		await fill.save(cacheKey(r.url, r.options) + (i >= 900 ? '' : `#${i}`), r, lhrs);
	}
	await fill.close();
	const fillS = (performance.now() - tFill) / 1000;
	const bigBytes = fs.statSync(bigDb).size;
	const runs = [];
	for (let i = 0; i < 5; i++) {
		const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--startup', bigDb], {
			encoding: 'utf8',
		});
		if (child.status !== 0) throw new Error(`start-up child failed: ${child.stderr}`);
		runs.push(JSON.parse(child.stdout));
	}
	const startup = runs.map((r) => r.firstAnswerMs).sort((a, b) => a - b);
	const startupMedian = percentile(startup, 50);
	const warmedMedian = percentile(
		runs.map((r) => r.warmedMs).sort((a, b) => a - b),
		50,
	);

	// 3. lookup() of a cached entry.
	const warm = await HistoryStore.open({ path: bigDb, settings: testSettings(), log });
	const warmCache = new ResultCache(testSettings(), log, warm);
	const [top] = await warm.listUrls(1);
	const cached = await warm.get(top.latest.id);
	const key = cacheKey(cached.url, cached.options);
	if (!(await warmCache.lookup(key))) throw new Error('the newest audit was not served from the cache');
	const times = [];
	for (let i = 0; i < 10_000; i++) {
		const t = performance.now();
		await warmCache.lookup(key);
		times.push(performance.now() - t);
	}
	times.sort((a, b) => a - b);
	const warmStats = { cache: warmCache.stats(), ...warm.stats() };
	await warm.close();

	// 4. Twenty identical concurrent requests through SingleFlight.
	const flight = new SingleFlight();
	let calls = 0;
	const fn = async () => {
		calls++;
		await new Promise((r) => setTimeout(r, 50));
		return { ok: true };
	};
	const shared = await Promise.all(Array.from({ length: 20 }, () => flight.run(key, fn)));

	const results = {
		date: new Date().toISOString(),
		node: process.version,
		cpus: os.cpus().length,
		bytesPerAudit: Math.round(bytesPerAudit),
		bytesPerAuditTarget: 55_000,
		imageFileBytesPerAudit: Math.round(imageBytesPerAudit),
		lighthouseJsonBytesPerAudit: lhrJsonBytes,
		saveMs: Math.round(saveMs),
		history1000: {
			dbBytes: bigBytes,
			fillSeconds: Math.round(fillS),
			startupMsRuns: startup.map((v) => Math.round(v)),
			startupMsMedian: Math.round(startupMedian),
			startupTargetMs: 500,
			warmedEntries: runs[0].warmed,
			warmedMsMedian: Math.round(warmedMedian),
		},
		lookupCachedMs: {
			p50: +percentile(times, 50).toFixed(4),
			p95: +percentile(times, 95).toFixed(4),
			p99: +percentile(times, 99).toFixed(4),
			n: times.length,
		},
		cacheAfterLookups: warmStats.cache,
		singleFlight: { requests: 20, fnCalls: calls, allGotResult: shared.every((r) => r === shared[0]), target: 1 },
	};

	/** @type {[name: string, value: string, target: string, ok: boolean | null][]} */
	const rows = [
		[
			'DB bytes per audit (mobile + desktop LHR, result)',
			`${(bytesPerAudit / 1024).toFixed(1)} KiB`,
			'≤ 55 KB',
			bytesPerAudit <= 55_000,
		],
		['  Lighthouse JSON per audit (raw, 2 reports)', `${(lhrJsonBytes / 1024).toFixed(0)} KiB`, '', null],
		['  LHR images kept as files beside the DB', `${(imageBytesPerAudit / 1024).toFixed(0)} KiB`, '', null],
		['  save() per audit (brotli q9, async)', `${saveMs.toFixed(0)} ms`, '', null],
		[
			'Start-up to first listUrls, 1,000 audits (median of 5)',
			`${startupMedian.toFixed(0)} ms`,
			'≤ 500 ms',
			startupMedian <= 500,
		],
		['  cache warmed (200 entries) after start (median)', `${warmedMedian.toFixed(0)} ms`, '', null],
		['  database size with 1,000 audits', `${(bigBytes / 1024 / 1024).toFixed(1)} MiB`, '', null],
		['lookup() of a cached entry p50', `${results.lookupCachedMs.p50} ms`, '', null],
		['lookup() of a cached entry p95', `${results.lookupCachedMs.p95} ms`, '', null],
		['20 concurrent identical SingleFlight runs → fn calls', String(calls), 'exactly 1', calls === 1],
	];
	const w0 = Math.max(...rows.map((r) => r[0].length));
	const w1 = Math.max(...rows.map((r) => r[1].length));
	console.log(`${'Store benchmark'.padEnd(w0)}  ${'value'.padStart(w1)}  target`);
	for (const [name, value, target, ok] of rows) {
		console.log(`${name.padEnd(w0)}  ${value.padStart(w1)}  ${target}${ok === null ? '' : ok ? '  ok' : '  MISSED'}`);
	}
	const resultsDir = path.join(here, 'results');
	fs.mkdirSync(resultsDir, { recursive: true });
	fs.writeFileSync(path.join(resultsDir, 'store.json'), `${JSON.stringify(results, null, '\t')}\n`);
	console.log(`\nWritten ${path.relative(process.cwd(), path.join(resultsDir, 'store.json'))}`);
} finally {
	fs.rmSync(tmp, { recursive: true, force: true });
}
