// Load test: drive a running engine the way many users at once would.
//   npm run load -- --concurrency C --requests N [--no-cache] [--form-factor mobile|desktop|both]
//                   [--lighthouse-only] [--out FILE] URL...
// Starts dist/engine.js (the engine has no ports: clients talk to it over stdio), keeps C requests
// in flight until N have been sent (URLs round-robin), then prints success rate, durations,
// throughput and the engine's stats before and after, and writes them as JSON.
// With no URL, it serves the bundled fixture pages on 127.0.0.1 and uses those.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { startEngine } = require(path.join(root, 'out/test/helpers/engineProcess.js'));
const { startFixtureServer } = require(path.join(root, 'out/test/helpers/fixtureServer.js'));

function parseArgs(argv) {
	const a = {
		concurrency: 4,
		requests: 12,
		noCache: false,
		formFactors: ['mobile'],
		lighthouseOnly: false,
		out: path.join(root, 'bench', 'results', 'load.json'),
		urls: /** @type {string[]} */ ([]),
	};
	for (let i = 0; i < argv.length; i++) {
		const v = argv[i];
		if (v === '--concurrency') a.concurrency = Number(argv[++i]);
		else if (v === '--requests') a.requests = Number(argv[++i]);
		else if (v === '--no-cache') a.noCache = true;
		else if (v === '--lighthouse-only') a.lighthouseOnly = true;
		else if (v === '--form-factor') a.formFactors = argv[++i] === 'both' ? ['mobile', 'desktop'] : [argv[i]];
		else if (v === '--out') a.out = argv[++i];
		else if (v.startsWith('--')) throw new Error(`unknown option ${v}`);
		else a.urls.push(v);
	}
	if (!(a.concurrency >= 1) || !(a.requests >= 1))
		throw new Error('--concurrency and --requests take positive numbers');
	return a;
}

const pct = (sorted, p) =>
	sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : 0;

async function main() {
	const args = parseArgs(process.argv.slice(2));
	const server = args.urls.length ? undefined : await startFixtureServer();
	const urls = args.urls.length
		? args.urls
		: Array.from({ length: 12 }, (_, i) => server.url(`/site/page${i + 1}.html`));
	const engine = await startEngine({ db: null });
	const rpc = (m, p) => engine.connection.sendRequest(m, p);
	await rpc('auditlens/configure', {
		maxConcurrentAudits: args.concurrency,
		maxBrowsers: Math.min(16, args.concurrency * args.formFactors.length),
		queueSize: Math.max(50, args.requests),
	});
	const before = await rpc('auditlens/stats', {});
	const options = {
		formFactors: args.formFactors,
		noCache: args.noCache,
		...(args.lighthouseOnly ? { stages: { capture: false, cro: false, ai: false, crux: false } } : {}),
	};

	const durations = [];
	const errors = {};
	let sent = 0;
	const t0 = performance.now();
	const worker = async () => {
		while (sent < args.requests) {
			const url = urls[sent++ % urls.length];
			const start = performance.now();
			try {
				const result = await rpc('auditlens/audit', { url, options });
				// An audit that ran answers with its result; one that failed or is partial says so in its status.
				const code = result.status === 'ok' ? undefined : (result.error?.code ?? result.status);
				if (code) errors[code] = (errors[code] ?? 0) + 1;
				else durations.push(performance.now() - start);
			} catch (err) {
				const e = /** @type {{ data?: { code?: string }; message?: string } | undefined} */ (err);
				const code = e?.data?.code ?? e?.message ?? String(err);
				errors[code] = (errors[code] ?? 0) + 1;
			}
		}
	};
	await Promise.all(Array.from({ length: args.concurrency }, worker));
	const wallMs = performance.now() - t0;
	const after = await rpc('auditlens/stats', {});
	await engine.stop();
	await server?.close();

	const sorted = [...durations].sort((a, b) => a - b);
	const report = {
		concurrency: args.concurrency,
		requests: args.requests,
		urls: urls.length,
		options,
		successRate: +(durations.length / args.requests).toFixed(3),
		errors,
		durationsMs: {
			min: Math.round(sorted[0] ?? 0),
			median: Math.round(pct(sorted, 50)),
			mean: Math.round(sorted.reduce((s, x) => s + x, 0) / (sorted.length || 1)),
			p95: Math.round(pct(sorted, 95)),
			max: Math.round(sorted.at(-1) ?? 0),
		},
		wallSeconds: +(wallMs / 1000).toFixed(1),
		throughputPerMinute: +((durations.length / wallMs) * 60_000).toFixed(2),
		statsBefore: before,
		statsAfter: after,
	};
	fs.mkdirSync(path.dirname(args.out), { recursive: true });
	fs.writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
	const d = report.durationsMs;
	console.log(`Load: ${args.requests} requests, ${args.concurrency} at once, ${urls.length} URLs`);
	console.log(
		`  success rate   ${(report.successRate * 100).toFixed(1)} %${Object.keys(errors).length ? `  errors: ${JSON.stringify(errors)}` : ''}`,
	);
	console.log(`  duration (ms)  min ${d.min}  median ${d.median}  mean ${d.mean}  p95 ${d.p95}  max ${d.max}`);
	console.log(`  throughput     ${report.throughputPerMinute} audits/min over ${report.wallSeconds} s`);
	console.log(
		`  engine         audits done ${after.audits.done - before.audits.done}, failed ${after.audits.failed - before.audits.failed}, lighthouse runs ${after.lighthouseRuns - before.lighthouseRuns}, chromes launched ${after.browsers.launched}, peak RSS now ${Math.round(after.memory.totalRss / 1048576)} MB`,
	);
	console.log(`  written to     ${path.relative(process.cwd(), args.out)}`);
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
