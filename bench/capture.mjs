// Capture stage time with a cold browser (launch included) vs a warm one (browser already running).
// Run after `npx tsc -p .`:   node bench/capture.mjs [--runs N] [--url URL]
// Default page: the bundled demo landing page (demo/landing), served on 127.0.0.1.
// Prints a table and writes bench/results/capture.json.
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = (p) => path.join(root, 'out', p);
const { CaptureBrowser } = require(out('src/engine/capture/captureBrowser.js'));
const { createCaptureStage } = require(out('src/engine/gather/capture.js'));
const { deriveCro } = require(out('src/engine/derive/cro.js'));
const { createLogger } = require(out('src/engine/log.js'));
const { DEFAULT_SETTINGS } = require(out('src/engine/settings.js'));
const { StageHarness } = require(out('test/helpers/stageHarness.js'));

const args = process.argv.slice(2);
const arg = (name, fallback) => {
	const i = args.indexOf(name);
	return i >= 0 ? args[i + 1] : fallback;
};
const runs = Number(arg('--runs', '5'));

/** Serve demo/landing on 127.0.0.1 (no remote resources). */
function serveDemo() {
	const dir = path.join(root, 'demo', 'landing');
	const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.svg': 'image/svg+xml' };
	const server = http.createServer((req, res) => {
		const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
		const file = path.resolve(dir, rel);
		if (!file.startsWith(dir) || !fs.existsSync(file)) return res.writeHead(404).end();
		res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
		fs.createReadStream(file).pipe(res);
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const settings = { ...DEFAULT_SETTINGS };
const log = createLogger('error');

async function captureOnce(browser, url) {
	const ctx = new StageHarness({ url, settings, logLevel: 'error' });
	const t0 = performance.now();
	const outcome = await ctx.runStage(createCaptureStage(browser));
	const captureMs = performance.now() - t0;
	if (outcome.status !== 'ok') throw new Error(`capture failed: ${JSON.stringify(outcome)}`);
	const t1 = performance.now();
	const cro = deriveCro(ctx.options, { capture: outcome });
	const croMs = performance.now() - t1;
	fs.rmSync(ctx.artifactsDir, { recursive: true, force: true });
	return {
		captureMs,
		croMs,
		warm: outcome.data.warm,
		findings: cro?.status === 'ok' ? cro.data.findings.length : -1,
		bytes: Object.values(outcome.data.shots).reduce((s, x) => s + x.viewport.bytes + x.fullPage.bytes, 0),
	};
}

const stats = (xs) => {
	const s = [...xs].sort((a, b) => a - b);
	return {
		median: Math.round(s[Math.floor((s.length - 1) / 2)]),
		min: Math.round(s[0]),
		max: Math.round(s[s.length - 1]),
	};
};

const server = await serveDemo();
const url = arg('--url', `http://127.0.0.1:${server.address().port}/index.html`);
try {
	const cold = [];
	for (let i = 0; i < runs; i++) {
		const browser = new CaptureBrowser(settings, log);
		try {
			cold.push(await captureOnce(browser, url));
		} finally {
			await browser.close();
		}
	}
	const warm = [];
	const browser = new CaptureBrowser(settings, log);
	try {
		await captureOnce(browser, url); // warm-up: launches the browser
		for (let i = 0; i < runs; i++) warm.push(await captureOnce(browser, url));
	} finally {
		await browser.close();
	}
	const rows = [
		{ case: 'cold browser (launch + mobile & desktop capture)', ...stats(cold.map((r) => r.captureMs)) },
		{ case: 'warm browser (mobile & desktop capture)', ...stats(warm.map((r) => r.captureMs)) },
		{ case: 'CRO rules after capture', ...stats([...cold, ...warm].map((r) => r.croMs)) },
	];
	console.log(
		`capture stage on ${url} — ${runs} runs each, ${os.cpus().length} CPUs, maxCaptureContexts=${settings.maxCaptureContexts}`,
	);
	console.table(rows);
	console.log(`screenshot bytes per audit (4 images): ${warm[0].bytes}; CRO findings: ${warm[0].findings}`);
	const result = {
		date: new Date().toISOString(),
		url,
		runs,
		cpus: os.cpus().length,
		node: process.version,
		rows,
		coldMs: cold.map((r) => Math.round(r.captureMs)),
		warmMs: warm.map((r) => Math.round(r.captureMs)),
		screenshotBytes: warm[0].bytes,
		findings: warm[0].findings,
	};
	fs.mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
	fs.writeFileSync(path.join(root, 'bench', 'results', 'capture.json'), `${JSON.stringify(result, null, '\t')}\n`);
} finally {
	server.close();
}
