/**
 * The `auditlens` command line: the same engine code as the VS Code extension, in-process.
 *   auditlens audit URL... [options]   audit pages (exit 0 ok, 1 an audit failed, 2 a budget failed)
 *   auditlens demo                      serve the bundled demo page on 127.0.0.1 and audit it
 *   auditlens history [URL] [--json]    list the audit history
 *   auditlens cache clear               drop cached results (history stays)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuditOptionsInput, AuditResult, BatchItem, Category, EngineSettings, FormFactor, ProgressParams } from '../protocol';
import { CATEGORIES } from '../protocol';
import { startOrphanWatchdog } from './chrome/watchdog';
import { serveDemo } from './demoServer';
import { formatResult, ProgressDisplay } from './cliFormat';
import { createEngine } from './createEngine';
import type { Engine } from './engine';
import { cacheClearCommand, historyCommand } from './historyCli';
import { createLogger } from './log';
import { ENGINE_VERSION } from './version';

export const EXIT = { ok: 0, auditFailed: 1, budgetFailed: 2, usage: 64 } as const;

const USAGE = `Usage:
  auditlens audit URL... [options]
  auditlens demo
  auditlens history [URL] [--json] [--db PATH]
  auditlens cache clear [--db PATH]

Audit options:
  --form-factor mobile|desktop|both   default both
  --concurrency N                     audits at once (default 2)
  --runs N                            Lighthouse runs per form factor; the median is kept
  --accuracy                          run Lighthouse one at a time for stable performance scores
  --budget performance=0.9,seo=0.8    fail (exit 2) when a category scores below its budget
  --json                              print one JSON document: an entry per URL with its result or error
  --html DIR                          write the Lighthouse HTML reports to DIR
  --no-cache                          audit again even when a fresh cached result exists
  --no-pool                           run the plain Lighthouse CLI per run instead of the warm pool
  --no-capture, --no-cro, --no-ai     turn stages off
  --timeout SECONDS                   per-audit timeout (default 120)
  --chrome-path PATH                  Chrome/Chromium binary (else CHROME_PATH, else discovery)
  --db PATH                           history database (default ~/.auditlens/history.sqlite)
  --verbose                           engine logs on stderr

Exit codes: 0 all audits passed, 1 an audit failed, 2 a budget was not met, 64 usage error.
The Anthropic API key for AI suggestions is read from ANTHROPIC_API_KEY; the CrUX key from CRUX_API_KEY.`;

export class UsageError extends Error {}

export interface AuditArgs {
	urls: string[];
	formFactors: FormFactor[];
	concurrency: number;
	runs?: number;
	accuracy: boolean;
	budget: Partial<Record<Category, number>>;
	json: boolean;
	htmlDir?: string;
	noCache: boolean;
	usePool: boolean;
	stages: { capture: boolean; cro: boolean; ai: boolean };
	timeoutMs?: number;
	chromePath?: string;
	db: string;
	verbose: boolean;
}

function defaultDb(): string {
	return path.join(os.homedir(), '.auditlens', 'history.sqlite');
}

/** Parse `--budget performance=0.9,seo=80` (scores as 0..1 or 0..100). */
export function parseBudget(spec: string): Partial<Record<Category, number>> {
	const out: Partial<Record<Category, number>> = {};
	for (const part of spec
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean)) {
		const [name, value] = part.split('=');
		if (!(CATEGORIES as readonly string[]).includes(name)) throw new UsageError(`--budget: unknown category "${name}" (use ${CATEGORIES.join(', ')})`);
		const n = Number(value);
		if (!Number.isFinite(n) || n < 0 || n > 100) throw new UsageError(`--budget: "${part}" needs a score from 0 to 1 (or 0 to 100)`);
		out[name as Category] = n > 1 ? n / 100 : n;
	}
	return out;
}

export function parseAuditArgs(argv: string[]): AuditArgs {
	const a: AuditArgs = {
		urls: [],
		formFactors: ['mobile', 'desktop'],
		concurrency: 2,
		accuracy: false,
		budget: {},
		json: false,
		noCache: false,
		usePool: true,
		stages: { capture: true, cro: true, ai: true },
		db: defaultDb(),
		verbose: false,
	};
	const value = (i: number, flag: string) => {
		const v = argv[i + 1];
		if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
		return v;
	};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
		const take = () => inline ?? value(i++, flag);
		switch (flag) {
			case '--form-factor': {
				const v = take();
				if (v === 'both') a.formFactors = ['mobile', 'desktop'];
				else if (v === 'mobile' || v === 'desktop') a.formFactors = [v];
				else throw new UsageError('--form-factor takes mobile, desktop or both');
				break;
			}
			case '--concurrency':
				a.concurrency = intArg(take(), '--concurrency', 1, 16);
				break;
			case '--runs':
				a.runs = intArg(take(), '--runs', 1, 9);
				break;
			case '--timeout':
				a.timeoutMs = intArg(take(), '--timeout', 5, 1800) * 1000;
				break;
			case '--budget':
				a.budget = parseBudget(take());
				break;
			case '--html':
				a.htmlDir = take();
				break;
			case '--db':
				a.db = take();
				break;
			case '--chrome-path':
				a.chromePath = take();
				break;
			case '--accuracy':
				a.accuracy = true;
				break;
			case '--json':
				a.json = true;
				break;
			case '--no-cache':
				a.noCache = true;
				break;
			case '--no-pool':
				a.usePool = false;
				break;
			case '--no-capture':
				a.stages.capture = false;
				break;
			case '--no-cro':
				a.stages.cro = false;
				break;
			case '--no-ai':
				a.stages.ai = false;
				break;
			case '--verbose':
				a.verbose = true;
				break;
			default:
				if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
				a.urls.push(arg);
		}
	}
	if (a.urls.length === 0) throw new UsageError('give at least one URL to audit');
	return a;
}

/** Arguments of `history` and `cache`: up to `max` positionals, --json, --db PATH. */
function simpleArgs(argv: string[], max: number): { positional: string[]; json: boolean; db: string } {
	const out = { positional: [] as string[], json: false, db: defaultDb() };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--json') out.json = true;
		else if (arg === '--db') {
			const v = argv[++i];
			if (!v) throw new UsageError('--db needs a value');
			out.db = v;
		} else if (arg.startsWith('--db=')) out.db = arg.slice(5);
		else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
		else out.positional.push(arg);
	}
	if (out.positional.length > max) throw new UsageError(`too many arguments: ${out.positional.join(' ')}`);
	return out;
}

function intArg(v: string, flag: string, min: number, max: number): number {
	const n = Number(v);
	if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} takes a whole number from ${min} to ${max}`);
	return n;
}

/** Budget failures of one result, e.g. "mobile performance 0.72 < 0.90". */
export function budgetFailures(result: AuditResult, budget: Partial<Record<Category, number>>): string[] {
	const out: string[] = [];
	for (const ff of ['mobile', 'desktop'] as const) {
		const stage = result.stages[ff === 'mobile' ? 'lighthouse-mobile' : 'lighthouse-desktop'];
		if (stage?.status !== 'ok') continue;
		for (const [cat, min] of Object.entries(budget) as [Category, number][]) {
			const score = stage.data.scores[cat];
			if (typeof score === 'number' && score < min) out.push(`${ff} ${cat} ${score.toFixed(2)} < ${min.toFixed(2)}`);
		}
	}
	return out;
}

function settingsFrom(a: AuditArgs): Partial<EngineSettings> {
	return {
		maxConcurrentAudits: a.concurrency,
		maxBrowsers: Math.min(16, a.concurrency * a.formFactors.length),
		accuracyMode: a.accuracy,
		usePool: a.usePool,
		chromePath: a.chromePath,
		queueSize: Math.max(50, a.urls.length),
		...(a.timeoutMs ? { auditTimeoutMs: a.timeoutMs } : {}),
		...(process.env.ANTHROPIC_API_KEY ? { anthropicApiKey: process.env.ANTHROPIC_API_KEY } : {}),
		...(process.env.CRUX_API_KEY ? { cruxApiKey: process.env.CRUX_API_KEY } : {}),
	};
}

/** Run `auditlens audit`; answers the exit code. */
export async function auditCommand(a: AuditArgs, out: NodeJS.WritableStream = process.stdout): Promise<number> {
	const log = createLogger(a.verbose ? 'debug' : 'warn');
	const engine = await createEngine({ db: a.db, settings: settingsFrom(a), log, onWarning: (m) => process.stderr.write(`auditlens: ${m}\n`) });
	const stopOnSignal = onSignals(engine);
	const display = new ProgressDisplay(process.stderr, a.urls.length, !a.json && process.stderr.isTTY === true);
	try {
		const options: AuditOptionsInput = { formFactors: a.formFactors, runs: a.runs, noCache: a.noCache, stages: a.stages, timeoutMs: a.timeoutMs };
		const { items } = await engine.batch({ urls: a.urls, options, batchId: 'cli' }, { progress: (p: ProgressParams) => display.update(p) });
		display.done();
		let code: number = EXIT.ok;
		const entries: (BatchItem & { budget?: { passed: boolean; failures: string[] } })[] = [];
		for (const item of items) {
			const failures = item.result ? budgetFailures(item.result, a.budget) : [];
			if (item.error || item.result?.status !== 'ok') code = EXIT.auditFailed;
			else if (failures.length > 0 && code === EXIT.ok) code = EXIT.budgetFailed;
			entries.push(Object.keys(a.budget).length && item.result ? { ...item, budget: { passed: failures.length === 0, failures } } : item);
			const reports = item.result && a.htmlDir ? await writeReports(engine, item.result, a.htmlDir) : [];
			if (!a.json) out.write(`${formatResult(item, failures)}\n${reports.map((f) => `    Lighthouse report: ${f}\n`).join('')}`);
		}
		if (a.json) out.write(`${JSON.stringify(entries, null, 2)}\n`);
		return code;
	} finally {
		stopOnSignal();
		await engine.close();
	}
}

async function writeReports(engine: Engine, result: AuditResult, dir: string, name?: string): Promise<string[]> {
	fs.mkdirSync(dir, { recursive: true });
	const written: string[] = [];
	const fromUrl =
		result.url
			.replace(/^https?:\/\//, '')
			.replace(/[^a-z0-9]+/gi, '-')
			.replace(/^-|-$/g, '')
			.slice(0, 80) || 'page';
	const slug = name ?? fromUrl;
	for (const ff of result.options.formFactors) {
		const stage = result.stages[ff === 'mobile' ? 'lighthouse-mobile' : 'lighthouse-desktop'];
		if (stage?.status !== 'ok') continue;
		const file = path.join(dir, `${slug}-${ff}.html`);
		fs.writeFileSync(file, await engine.getReport({ id: result.id, formFactor: ff, format: 'html' }));
		written.push(file);
	}
	return written;
}

/** `auditlens demo`: serve the bundled landing page, audit it, print scores, write the HTML report. */
async function demoCommand(argv: string[]): Promise<number> {
	const demo = await serveDemo();
	const outDir = path.resolve('auditlens-demo');
	process.stderr.write(`Serving the demo landing page at ${demo.url}\n`);
	try {
		const args = parseAuditArgs([demo.url, '--db', path.join(outDir, 'history.sqlite'), '--no-cache', ...argv]);
		const log = createLogger(args.verbose ? 'debug' : 'warn');
		const engine = await createEngine({ db: args.db, settings: settingsFrom(args), log, onWarning: (m) => process.stderr.write(`auditlens: ${m}\n`) });
		const stopOnSignal = onSignals(engine);
		const display = new ProgressDisplay(process.stderr, 1, process.stderr.isTTY === true);
		try {
			const result = await engine.audit({ url: demo.url, options: { noCache: true, formFactors: args.formFactors } }, { progress: (p) => display.update(p) });
			display.done();
			process.stdout.write(`${formatResult({ url: result.url, result }, [])}\n`);
			const files = await writeReports(engine, result, outDir, 'demo-report');
			for (const f of files) process.stdout.write(`Lighthouse report: ${f}\n`);
			return result.status === 'ok' ? EXIT.ok : EXIT.auditFailed;
		} finally {
			stopOnSignal();
			await engine.close();
		}
	} finally {
		await demo.close();
	}
}

function onSignals(engine: Engine): () => void {
	const handler = (signal: NodeJS.Signals) => {
		process.stderr.write(`\n${signal}: stopping audits and closing Chrome…\n`);
		// The shell's convention: 128 + the signal number.
		void engine.close().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
	};
	const onExit = () => engine.killAllSync();
	process.on('SIGINT', handler);
	process.on('SIGTERM', handler);
	process.on('exit', onExit);
	return () => {
		process.off('SIGINT', handler);
		process.off('SIGTERM', handler);
		process.off('exit', onExit);
	};
}

export async function main(argv: string[]): Promise<number> {
	const [command, ...rest] = argv;
	try {
		switch (command) {
			case 'audit':
				startOrphanWatchdog();
				return await auditCommand(parseAuditArgs(rest));
			case 'demo':
				startOrphanWatchdog();
				return await demoCommand(rest);
			case 'history': {
				const { positional, json, db } = simpleArgs(rest, 1);
				return await historyCommand({ url: positional[0], json, db, out: process.stdout });
			}
			case 'cache': {
				const { positional, json, db } = simpleArgs(rest, 1);
				if (positional[0] !== 'clear') throw new UsageError('the cache command takes "clear": auditlens cache clear [--db PATH]');
				return await cacheClearCommand({ json, db, out: process.stdout });
			}
			case '--version':
			case '-v':
				process.stdout.write(`${ENGINE_VERSION}\n`);
				return EXIT.ok;
			case undefined:
			case '--help':
			case '-h':
			case 'help':
				process.stdout.write(`${USAGE}\n`);
				return command === undefined ? EXIT.usage : EXIT.ok;
			default:
				throw new UsageError(`unknown command "${command}"`);
		}
	} catch (err) {
		if (err instanceof UsageError) {
			process.stderr.write(`auditlens: ${err.message}\n\n${USAGE}\n`);
			return EXIT.usage;
		}
		process.stderr.write(`auditlens: ${err instanceof Error ? err.message : String(err)}\n`);
		return EXIT.auditFailed;
	}
}

if (require.main === module) {
	void main(process.argv.slice(2)).then((code) => {
		process.exitCode = code;
	});
}
