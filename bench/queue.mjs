// Queue benchmark: the same batch through one `auditlens worker` and through two, side by side in one run, on
// this machine, with a real redis-server each (Debian's, on a free port on 127.0.0.1, no persistence).
//   node bench/queue.mjs [--pages N] [--repeat N] [--worker-concurrency N] [--keep]
// The batch: N (8) small pages of test/fixtures/pages/site served on 127.0.0.1, `auditlens audit … --redis URL
// --form-factor mobile --json` (Lighthouse mobile with capture and CRO on; AI and CrUX off, no keys). Each
// contender starts from scratch: a fresh Redis, fresh workers with fresh histories, URLs of its own (no cache
// can answer). Workers run `--concurrency 1`, the way the README suggests spreading audits out.
// Timed: from the submitter's start (the workers already waiting) to its exit with every result. CPU: each
// worker and the submitter run under bench/subreaper.py, which counts the user + sys CPU of every process they
// start (Node, Lighthouse threads, every Chromium process), including the workers' start and stop; "batch CPU"
// is read from /proc around the batch alone (each worker's process tree, its reaped children included).
// --repeat N alternates which contender goes first. Prints a table and writes bench/results/queue.json.
// Needs `npm run compile && npm run build` (npm run bench does both), python3 and redis-server.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib/stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const require = createRequire(import.meta.url);
const { startRedis } = require(path.join(root, 'out/test/helpers/redisServer.js'));
const { startFixtureServer } = require(path.join(root, 'out/test/helpers/fixtureServer.js'));

const argValue = (name, fallback) => {
	const i = process.argv.indexOf(name);
	return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const PAGES = argValue('--pages', 8);
const REPEAT = argValue('--repeat', 1);
const WORKER_CONCURRENCY = argValue('--worker-concurrency', 1);
const keep = process.argv.includes('--keep');
const CONTENDERS = [1, 2];
const BIN = path.join(root, 'bin', 'auditlens.js');
/** What a worker prints on stderr once it takes jobs (src/cli/commands/worker.ts). */
const WORKER_READY = /taking audit jobs from queue/;
const TICK = 100; // USER_HZ: /proc reports CPU in 1/100 s on every Linux this runs on
const log = (...a) => console.error('[bench:queue]', ...a);

/** user + sys CPU ticks of `pid` and of its children it has reaped (utime, stime, cutime, cstime). */
function ticksOf(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
	} catch {
		return 0;
	}
}

/** `pid` and its live descendants. */
function treeOf(pid) {
	const children = new Map();
	for (const e of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(e)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			if (!children.has(ppid)) children.set(ppid, []);
			children.get(ppid).push(Number(e));
		} catch {
			// gone
		}
	}
	const out = [];
	const walk = (p) => {
		out.push(p);
		for (const c of children.get(p) ?? []) walk(c);
	};
	walk(pid);
	return out;
}

/** CPU-seconds so far of the process trees under `pids` (a finished process counts through its parent's cutime). */
const cpuSeconds = (pids) => pids.flatMap(treeOf).reduce((s, p) => s + ticksOf(p), 0) / TICK;

/** The subreaper's child (the command it runs): the one pid in its children list. */
function commandPid(reaperPid) {
	try {
		return (
			Number(fs.readFileSync(`/proc/${reaperPid}/task/${reaperPid}/children`, 'utf8').trim().split(/\s+/)[0]) ||
			undefined
		);
	} catch {
		return undefined;
	}
}

/** Start `node bin/auditlens.js ARGS` under the subreaper; its stderr into `dir`/NAME.log. */
function measuredCli(dir, name, args, env) {
	const report = path.join(dir, `${name}.processes.json`);
	const errFile = path.join(dir, `${name}.log`);
	const err = fs.openSync(errFile, 'w');
	const child = spawn('python3', [path.join(here, 'subreaper.py'), report, '--', process.execPath, BIN, ...args], {
		env,
		stdio: ['ignore', 'pipe', err],
	});
	fs.closeSync(err);
	let stdout = '';
	/** @type {import('node:stream').Readable} */ (child.stdout).on('data', (c) => (stdout += c.toString()));
	const closed = new Promise((resolve, reject) => child.on('error', reject).on('close', resolve));
	return {
		reaper: child,
		errFile,
		stdout: () => stdout,
		async report() {
			await closed;
			if (!fs.existsSync(report)) throw new Error(`the subreaper wrote no report for ${name}; see ${errFile}`);
			return JSON.parse(fs.readFileSync(report, 'utf8'));
		},
	};
}

/** Wait until `file` (a log being written) matches `pattern`, or fail when `proc` ends first. */
async function waitForLog(file, pattern, proc, what) {
	const end = Date.now() + 120_000;
	for (;;) {
		if (pattern.test(fs.readFileSync(file, 'utf8'))) return;
		if (proc.exitCode !== null) throw new Error(`${what} exited before it was ready; its log:\n${tail(file)}`);
		if (Date.now() > end) throw new Error(`${what} was not ready within 120 s; its log:\n${tail(file)}`);
		// A log file has no event to wait on; a 100 ms look is cheap and costs the contenders nothing.
		await new Promise((r) => setTimeout(r, 100));
	}
}

const tail = (file, n = 15) =>
	fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n') : '(no log)';

/** One contender: `workers` workers on a fresh Redis, the batch submitted once, every figure of it. */
async function runContender(workers, origin, tag) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `auditlens-bench-queue-${workers}w-`));
	const redis = await startRedis();
	/** @type {NodeJS.ProcessEnv} */
	const env = { ...process.env, AUDITLENS_QUEUE_KEY: 'bench-queue-key' };
	delete env.ANTHROPIC_API_KEY;
	delete env.CRUX_API_KEY;
	const procs = [];
	try {
		for (let i = 1; i <= workers; i++) {
			const w = measuredCli(
				dir,
				`worker${i}`,
				['worker', '--redis', redis.url, '--concurrency', String(WORKER_CONCURRENCY)],
				env,
			);
			procs.push(w);
		}
		await Promise.all(procs.map((w, i) => waitForLog(w.errFile, WORKER_READY, w.reaper, `worker ${i + 1}`)));
		const workerPids = procs.map((w) => commandPid(w.reaper.pid)).filter((pid) => pid !== undefined);
		const urls = Array.from({ length: PAGES }, (_, i) => `${origin}/site/page${(i % 12) + 1}.html?run=${tag}-${i}`);
		const cpuBefore = cpuSeconds(workerPids);
		const submitter = measuredCli(
			dir,
			'submitter',
			[
				'audit',
				...urls,
				'--redis',
				redis.url,
				'--form-factor',
				'mobile',
				'--json',
				'--db',
				path.join(dir, 'history.sqlite'),
			],
			env,
		);
		const sub = await submitter.report();
		const batchCpu = cpuSeconds(workerPids) - cpuBefore + sub.cpu.total;
		let entries;
		try {
			entries = JSON.parse(submitter.stdout());
		} catch {
			throw new Error(`the submitter printed no JSON (exit ${sub.exitCode}); its log:\n${tail(submitter.errFile)}`);
		}
		// Workers stop on SIGTERM (running jobs finish first); the subreaper then writes their reports.
		for (const pid of workerPids) process.kill(pid, 'SIGTERM');
		const reports = await Promise.all(procs.map((w) => w.report()));
		const ok = entries.filter((e) => e.status === 'ok');
		const perPage = entries.map((e) => e.result?.durationMs).filter((ms) => typeof ms === 'number');
		return {
			workers,
			workerConcurrency: WORKER_CONCURRENCY,
			pages: PAGES,
			ok: ok.length,
			notOk: entries
				.filter((e) => e.status !== 'ok')
				.map(
					(e) => `${e.url} ${e.status}${e.error ? ` (${String(e.error.message ?? e.error.code).slice(0, 160)})` : ''}`,
				),
			wallSeconds: sub.wallSeconds,
			secondsPerPage: +(sub.wallSeconds / PAGES).toFixed(2),
			batchCpuSeconds: +batchCpu.toFixed(1),
			batchCpuSecondsPerPage: +(batchCpu / PAGES).toFixed(2),
			totalCpuSeconds: +(reports.reduce((s, r) => s + r.cpu.total, 0) + sub.cpu.total).toFixed(1),
			submitterCpuSeconds: sub.cpu.total,
			medianAuditSeconds: perPage.length ? +(median(perPage) / 1000).toFixed(1) : null,
			chromiumLeftBehind:
				reports.reduce((s, r) => s + r.leftBehind.chromiumProcesses, 0) + sub.leftBehind.chromiumProcesses,
			dir: keep ? dir : undefined,
		};
	} finally {
		for (const w of procs) if (w.reaper.exitCode === null) w.reaper.kill('SIGTERM');
		await redis.stop();
		if (!keep) fs.rmSync(dir, { recursive: true, force: true });
	}
}

async function main() {
	const server = await startFixtureServer();
	const results = {
		date: new Date().toISOString(),
		machine: {
			cores: os.cpus().length,
			cpu: os.cpus()[0]?.model,
			loadavgAtStart: os.loadavg().map((l) => +l.toFixed(2)),
		},
		node: process.versions.node,
		batch: { pages: PAGES, formFactor: 'mobile', capture: true, workerConcurrency: WORKER_CONCURRENCY },
		runs: /** @type {Record<string, any>[]} */ ([]),
	};
	log(
		`${results.machine.cores} cores, load average ${results.machine.loadavgAtStart.join(' ')}; ${PAGES} pages at ${server.origin}`,
	);
	try {
		for (let round = 0; round < REPEAT; round++) {
			/** @type {Record<string, any>} */
			const r = {};
			// Alternate who goes first: a disk cache or a neighbour's load favours neither every time.
			for (const workers of round % 2 ? [...CONTENDERS].reverse() : CONTENDERS) {
				log(
					`round ${round + 1}/${REPEAT}: ${workers} worker${workers > 1 ? 's' : ''} (load average ${os.loadavg()[0].toFixed(2)})…`,
				);
				r[`workers${workers}`] = await runContender(workers, server.origin, `r${round}w${workers}`);
			}
			r.ratio = +(r.workers1.wallSeconds / r.workers2.wallSeconds).toFixed(2);
			r.loadavgAfter = os.loadavg().map((l) => +l.toFixed(2));
			results.runs.push(r);
		}
	} finally {
		await server.close();
	}
	results.machine.loadavgAtEnd = os.loadavg().map((l) => +l.toFixed(2));
	results.medianRatio = results.runs.length ? median(results.runs.map((r) => r.ratio)) : null;
	fs.mkdirSync(path.join(here, 'results'), { recursive: true });
	fs.writeFileSync(path.join(here, 'results', 'queue.json'), `${JSON.stringify(results, null, 2)}\n`);
	printReport(results);
	const incomplete = results.runs.flatMap((r) => [r.workers1, r.workers2]).filter((f) => f.ok !== PAGES);
	for (const f of incomplete)
		console.error(`${f.workers} worker(s): ${f.ok} of ${PAGES} pages ok; ${f.notOk.join('; ')}`);
	if (incomplete.length) process.exitCode = 1;
}

function printReport(results) {
	const header = [
		'run',
		'workers',
		'pages ok',
		'wall s',
		's/page',
		'batch CPU-s',
		'CPU-s/page',
		'median audit s',
		'CPU-s incl. start/stop',
		'Chromium left',
	];
	const rows = [header];
	results.runs.forEach((r, i) => {
		for (const f of [r.workers1, r.workers2]) {
			rows.push([
				String(i + 1),
				`${f.workers} × concurrency ${f.workerConcurrency}`,
				`${f.ok}/${f.pages}`,
				f.wallSeconds.toFixed(1),
				String(f.secondsPerPage),
				String(f.batchCpuSeconds),
				String(f.batchCpuSecondsPerPage),
				String(f.medianAuditSeconds),
				String(f.totalCpuSeconds),
				String(f.chromiumLeftBehind),
			]);
		}
		rows.push([
			'',
			'one worker / two (wall)',
			'',
			`${r.ratio}x`,
			'',
			'',
			'',
			'',
			`load average after ${r.loadavgAfter.join(' ')}`,
			'',
		]);
	});
	const w = header.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
	console.log(
		`\nQueue: ${results.batch.pages} pages, mobile, capture on, through BullMQ on a local redis-server; ${results.machine.cores} cores`,
	);
	for (const row of rows) console.log(`  ${row.map((cell, i) => cell.padEnd(w[i])).join('  ')}`);
	console.log(
		`  load average at start ${results.machine.loadavgAtStart.join(' ')}, at end ${results.machine.loadavgAtEnd.join(' ')}`,
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
