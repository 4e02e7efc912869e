/**
 * The `auditlens` command line: the same engine code as the VS Code extension, in-process.
 *   auditlens audit URL... [options]   audit pages (exit 0 ok, 1 an audit failed, 2 a budget failed)
 *   auditlens scan URL [options]        discover a site's routes, audit them, print the site report
 *   auditlens demo                      serve the bundled demo page on 127.0.0.1 and audit it
 *   auditlens history [URL] [--json]    list the audit history (--scans: the site scans)
 *   auditlens cache clear               drop cached results (history stays)
 *   auditlens worker --redis URL        run audit jobs from a BullMQ queue (scale-out; see workerCli.ts)
 *   auditlens workers --redis URL       the live workers of a queue and their stats
 */
import fs from 'node:fs';
import path from 'node:path';
import type {
	AuditOptionsInput,
	AuditResult,
	AuditStatus,
	BatchItem,
	Category,
	EngineSettings,
	LocatedFinding,
	ProgressParams,
} from '../../protocol';
import { scoresOfResult } from '../../format/scores';
import { MAX_URL_LENGTH } from '../../shared/limits';
import { safeText, useColor } from '../../shared/terminalText';
import { intOption, parseCommandLine, UsageError } from '../args';
import { startOrphanWatchdog } from '../../engine/chrome/watchdog';
import { serveDemo } from '../demoServer';
import { COLOR, formatResult, NO_COLOR, ProgressDisplay, statusOf } from '../output/text';
import { createEngine } from '../../engine/createEngine';
import type { Engine } from '../../engine/engine';
import { cacheClearCommand, historyCommand } from './history';
import { createLogger } from '../../engine/log';
import { defaultHistoryPath } from '../../engine/history/dbFile';
import {
	authArgs,
	checkDbArg,
	checkLocateArgs,
	checkLoginScript,
	checkOutputDir,
	engineSettings,
	parseBudget,
	SHARED_AUDIT_OPTIONS,
	type SharedAuditArgs,
	sharedAuditArgs,
	privacyNotice,
	scoreBudgetFailures,
	warn,
} from '../auditOptions';
import { FindingPlacer } from '../output/sarif';
import { createQueueSubmitter } from '../../engine/queue/submit';
import { checkScanArgs, parseScanArgs, scanCommand, SIGNAL_EXIT, stopOnSignals } from './scan';
import { parseWorkerArgs, parseWorkersArgs, workerCommand, workersCommand } from './worker';
import { ENGINE_VERSION } from '../../engine/version';

export { UsageError, authArgs, parseBudget };

export const EXIT = { ok: 0, auditFailed: 1, budgetFailed: 2, usage: 64 } as const;

const USAGE = `Usage:
  auditlens audit URL... [options]
  auditlens scan URL [scan options]
  auditlens demo
  auditlens history [URL] [--json] [--db PATH]
  auditlens history --scans [URL] [--json] [--db PATH]   site scans (of URL), newest first
  auditlens cache clear [--db PATH]
  auditlens worker --redis URL [worker options]
  auditlens workers --redis URL [--queue NAME] [--json]   the live workers of a queue and their stats

Audit options:
  --form-factor mobile|desktop|both   default both
  --concurrency N                     audits at once (default 2)
  --runs N                            Lighthouse runs per form factor; the median is kept
  --accuracy                          run Lighthouse one at a time for stable performance scores
  --budget performance=0.9,seo=0.8    fail (exit 2) when a category scores below its budget
  --json                              print one JSON document: an entry per URL with its result or error
  --html DIR                          write the Lighthouse HTML reports to DIR
  --sarif FILE                        write the findings as SARIF 2.1.0 (GitHub code scanning, SARIF viewers),
                                      each on its file and line under --root
  --root DIR                          the project folder the pages come from, where findings are placed (default:
                                      the current folder); --json entries carry the placed findings
  --map URLPATH=DIR                   URL paths served from DIR (relative to --root), on any host: --map /=dist
                                      (repeatable; without it only pages on this machine are placed by path)
  --no-cache                          audit again even when a fresh cached result exists
  --no-pool                           run the plain Lighthouse CLI per run instead of the warm pool
  --no-trace-slot                     let concurrent runs' page loads overlap: faster, scores noisier on a busy machine
  --no-capture, --no-cro, --no-ai     turn stages off
  --timeout SECONDS                   per-audit timeout (default 120)
  --chrome-path PATH                  Chrome/Chromium binary (else CHROME_PATH, else discovery)
  --header "Name: value"              send this header with every request of the page (repeatable)
  --cookie name=value                 set this cookie for the audited URL's origin only (repeatable)
  --login-script FILE                 a module whose default export async ({ page, url }) signs in
                                      (a Playwright page) in each browser before it loads the page
  --db PATH                           history database (default ~/.auditlens/history.sqlite); a folder or
                                      a file that is not an SQLite database is refused and left as it is
  --verbose                           engine logs on stderr

Scan options (the routes of URL's site from robots.txt, sitemaps and links; audit options above apply,
except --runs, --accuracy, --no-pool and --no-trace-slot):
  --max-routes N                      most routes audited (default 200)
  --depth N                           links followed from URL (default 3; 0 follows none)
  --include GLOB, --exclude GLOB      only routes whose path matches / leave matching ones out (repeatable),
                                      e.g. --include '/blog/**'
  --samples N                         routes audited per look-alike group such as /blog/:slug (default 5; 0: all)
  --no-sitemap, --no-crawl            don't read robots.txt and the sitemaps / don't follow links
  --form-factor mobile|desktop|both   default mobile for a scan
  --json                              print the site report as one JSON document
  --csv                               print the routes as CSV (a row per route, worst first)
  --html DIR                          write DIR/index.html (the site report) and each route's Lighthouse reports
  --sarif FILE, --root DIR, --map     as for audit: one SARIF run with every route's findings (a finding shared by
                                      routes, e.g. in a layout, is one result listing their URLs)
  Ctrl-C stops the scan and still reports the routes audited so far (exit 130); a second Ctrl-C exits at once.

Queue options (audit and scan): run the audits on "auditlens worker" processes, on this machine or others
  --redis URL                         submit each URL (each route of a scan) as a job to the BullMQ queue on this
                                      Redis (redis://[:password@]host:port[/db], rediss:// for TLS); progress and
                                      results come back here and are saved to --db; identical jobs are shared
  --queue NAME                        the queue (default auditlens; the workers' --queue)
  With --header, --cookie or --login-script, set AUDITLENS_QUEUE_KEY to the workers' passphrase: credentials go on
  the queue only sealed with it. A --login-script must be at the same path on the workers. The workers use their
  own ANTHROPIC_API_KEY and CRUX_API_KEY. Ctrl-C cancels the jobs (the audits done so far are reported, exit 130).
Worker options (a BullMQ worker that runs the audit jobs submitted to a Redis queue; many may run, on many machines):
  --redis URL                         redis://[:password@]host[:port][/db] or rediss:// (TLS); else AUDITLENS_REDIS_URL
                                      (keeps a password off the command line). The password is never printed.
  --queue NAME                        the queue (default auditlens)
  --concurrency N                     jobs audited at once (default 1: few audits per machine give steadier scores)
  --db PATH                           keep the worker's own history in this file (default: in memory; the
                                      submitter keeps the results in its history)
  --grace SECONDS                     on SIGTERM/SIGINT, how long running jobs may finish before they are put back
                                      in the queue for another worker (default 90); a second signal puts them back
                                      at once. Exit 0 when every job finished, 143/130 when jobs were put back.
  --chrome-path PATH, --no-trace-slot, --verbose   as for audit
  Credentials of signed-in audits travel sealed: set AUDITLENS_QUEUE_KEY to the submitters' passphrase.
  API keys are the worker's own: ANTHROPIC_API_KEY, CRUX_API_KEY. A page fault (HTTP 500, not HTML, a timeout)
  is a result, not retried; an engine-side failure (Chrome crashed, unreachable host) is retried with backoff.

Exit codes: 0 all audits passed, 1 an audit (a route) failed or was partial (or an output could not be written),
2 a budget was not met, 64 usage error, 130/143 stopped by SIGINT/SIGTERM.
The Anthropic API key for AI suggestions is read from ANTHROPIC_API_KEY (screenshots and page text then go
to Anthropic; --no-ai keeps audits local); the CrUX key for field data from CRUX_API_KEY.`;

export interface AuditArgs extends SharedAuditArgs {
	urls: string[];
	runs?: number;
	accuracy: boolean;
	usePool: boolean;
	/** Concurrent Lighthouse runs take turns for their traced page loads (the engine's `traceSlot`). */
	traceSlot: boolean;
}

const AUDIT_OPTIONS = {
	...SHARED_AUDIT_OPTIONS,
	runs: { type: 'string' },
	accuracy: { type: 'boolean' },
	'no-pool': { type: 'boolean' },
	'no-trace-slot': { type: 'boolean' },
} as const;

export function parseAuditArgs(argv: string[]): AuditArgs {
	const { values: v, positionals } = parseCommandLine({ args: argv, options: AUDIT_OPTIONS, allowPositionals: true });
	if (positionals.length === 0) throw new UsageError('give at least one URL to audit');
	const local = (['accuracy', 'no-pool', 'no-trace-slot'] as const).find((flag) => v[flag] !== undefined);
	if (v.redis !== undefined && local)
		throw new UsageError(`--${local} sets up this machine's engine; with --redis the workers' own settings apply`);
	return {
		...sharedAuditArgs(v, 'both'),
		urls: positionals,
		runs: v.runs === undefined ? undefined : intOption(v.runs, '--runs', 1, 9),
		accuracy: v.accuracy === true,
		usePool: v['no-pool'] !== true,
		traceSlot: v['no-trace-slot'] !== true,
	};
}

/** Arguments of `history` and `cache`: up to `max` positionals, --json, --db PATH, and --scans for `history`. */
function simpleArgs(
	argv: string[],
	max: number,
	allowScans = false,
): { positional: string[]; json: boolean; db: string; scans: boolean } {
	const options = { json: { type: 'boolean' }, db: { type: 'string' }, scans: { type: 'boolean' } } as const;
	const { values, positionals } = parseCommandLine({ args: argv, options, allowPositionals: true });
	if (positionals.length > max) throw new UsageError(`too many arguments: ${positionals.join(' ')}`);
	if (values.scans && !allowScans) throw new UsageError('unknown option --scans');
	return {
		positional: positionals,
		json: values.json === true,
		db: values.db ?? defaultHistoryPath(),
		scans: values.scans === true,
	};
}

/**
 * Everything about an audit run that can be checked before the first audit: URL lengths (the engine's
 * limit), the output folder, the history file. A mistake here costs a second, not a whole run.
 */
export function checkAuditArgs(a: AuditArgs): void {
	for (const url of a.urls) {
		if (url.length > MAX_URL_LENGTH)
			throw new UsageError(
				`a URL of ${url.length} characters is longer than the ${MAX_URL_LENGTH} the engine accepts: ${safeText(url, { max: 60 })}`,
			);
	}
	if (a.htmlDir !== undefined) checkOutputDir(a.htmlDir, '--html');
	checkLoginScript(a.auth);
	if (a.auth && !a.usePool)
		throw new UsageError('--header, --cookie and --login-script need the warm pool: drop --no-pool');
	checkLocateArgs(a.locate);
	checkDbArg(a.db);
}

/** Budget failures of one result, e.g. "mobile performance 0.72 < 0.90". */
export function budgetFailures(result: AuditResult, budget: Partial<Record<Category, number>>): string[] {
	return scoreBudgetFailures(scoresOfResult(result), budget);
}

/** The engine settings an `audit` command line asks for. */
export function settingsFrom(a: AuditArgs): Partial<EngineSettings> {
	return engineSettings(a, a.urls.length);
}

/** One entry of `--json`: what the audit is (status), its result or error, budget and reports. */
export interface JsonEntry extends BatchItem {
	status: AuditStatus;
	budget?: { passed: boolean; failures: string[] };
	/** Lighthouse HTML reports written (with --html). */
	reports?: string[];
	/** Why an output of this audit (its reports) could not be written; the result is still here. */
	outputError?: string;
	/** With --json, --root or --sarif: the audit's findings, each with its place in the workspace when it has one. */
	findings?: LocatedFinding[];
	/** With --json, --root or --sarif: the workspace files the page came from, its entry file first. */
	files?: string[];
	/** Why the findings could not be placed in the workspace; the result is still here. */
	locateError?: string;
}

export interface AuditCommandOptions {
	out?: NodeJS.WritableStream;
	/** File name stem of the HTML reports (default: from the URL). */
	reportName?: string;
}

/** What `auditlens audit` needs of an engine: the local one, or the queue submitter (`--redis`). */
export type AuditEngine = Pick<Engine, 'batch' | 'cancel' | 'getReport' | 'locate' | 'close' | 'killAllSync'>;

/** Run `auditlens audit`; answers the exit code. Checks what it can before the first audit (a UsageError). */
export async function auditCommand(a: AuditArgs, opts: AuditCommandOptions = {}): Promise<number> {
	const out = opts.out ?? process.stdout;
	checkAuditArgs(a);
	const paint = !a.json && useColor(out as NodeJS.WriteStream) ? COLOR : NO_COLOR;
	const log = createLogger(a.verbose ? 'debug' : 'warn');
	const engine: AuditEngine = a.queue
		? await createQueueSubmitter({ redis: a.queue.redis, queue: a.queue.name, db: a.db, log, onWarning: warn })
		: await createEngine({ db: a.db, settings: settingsFrom(a), log, onWarning: warn });
	// On the queue, Ctrl-C cancels the jobs and the audits done so far are still reported, as a scan's routes are.
	const signals = a.queue
		? stopOnSignals(engine, 'cli', 'cancelling the submitted jobs; the audits done so far are reported')
		: undefined;
	const stopOnSignal = signals ? () => undefined : onSignals(engine);
	const display = new ProgressDisplay(process.stderr, a.urls.length, !a.json && process.stderr.isTTY === true);
	privacyNotice(a.stages, a.queue !== undefined);
	try {
		const options: AuditOptionsInput = {
			formFactors: a.formFactors,
			runs: a.runs,
			noCache: a.noCache,
			stages: a.stages,
			timeoutMs: a.timeoutMs,
		};
		const { items } = await engine.batch(
			{ urls: a.urls, options, batchId: 'cli', ...(a.auth ? { auth: a.auth } : {}) },
			{ progress: (p: ProgressParams) => display.update(p) },
		);
		display.done();
		let failed = false;
		let budgetMissed = false;
		const entries: JsonEntry[] = [];
		const placer = a.locate && new FindingPlacer(engine, a.locate.root, a.locate.mappings);
		for (const item of items) {
			const status = statusOf(item);
			const failures = item.result && status !== 'failed' ? budgetFailures(item.result, a.budget) : [];
			if (status !== 'ok') failed = true;
			if (failures.length) budgetMissed = true;
			const entry: JsonEntry = {
				...item,
				status,
				...(item.error || !item.result?.error ? {} : { error: item.result.error }),
			};
			if (Object.keys(a.budget).length && item.result) entry.budget = { passed: failures.length === 0, failures };
			entries.push(entry);
			// The result is out before its reports are written: a report that can't be written loses nothing.
			if (!a.json) out.write(`${formatResult(item, failures, paint)}\n`);
			if (placer && item.result && status !== 'failed') {
				// After the result is out: a locate that fails costs this page its findings, nothing else.
				const placed = await placer.place(item.result.id, item.url);
				if (placed.located) Object.assign(entry, { findings: placed.located.findings, files: placed.located.files });
				else {
					entry.locateError = placed.error;
					failed = true;
					warn(placed.error);
				}
			} else placer?.skipped(item.url, entry.error?.message ?? status);
			if (!item.result || !a.htmlDir) continue;
			try {
				entry.reports = await writeReports(engine, item.result, a.htmlDir, opts.reportName);
				if (!a.json) out.write(entry.reports.map((f) => `    Lighthouse report: ${f}\n`).join(''));
			} catch (err) {
				entry.outputError = `could not write the Lighthouse reports to ${a.htmlDir}: ${(err as Error).message}`;
				failed = true;
				warn(`${safeText(item.url, { max: 200 })}: ${entry.outputError}`);
			}
		}
		if (placer && a.locate?.sarif) {
			const file = a.locate.sarif;
			try {
				const results = await placer.writeSarif(file);
				if (!a.json) out.write(`SARIF: ${results} result${results === 1 ? '' : 's'} written to ${file}\n`);
			} catch (err) {
				failed = true;
				warn(`could not write the SARIF file ${file}: ${(err as Error).message}`);
			}
		}
		if (a.json) out.write(`${JSON.stringify(entries, null, 2)}\n`);
		const stoppedBy = signals?.stoppedBy();
		if (stoppedBy) return SIGNAL_EXIT[stoppedBy] ?? 130;
		return failed ? EXIT.auditFailed : budgetMissed ? EXIT.budgetFailed : EXIT.ok;
	} finally {
		stopOnSignal();
		await engine.close();
		signals?.dispose();
	}
}

async function writeReports(
	engine: Pick<Engine, 'getReport'>,
	result: AuditResult,
	dir: string,
	name?: string,
): Promise<string[]> {
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
	const outDir = path.resolve('auditlens-demo');
	const args = {
		...parseAuditArgs(['demo-url', '--db', path.join(outDir, 'history.sqlite'), '--no-cache', ...argv]),
		htmlDir: outDir,
	};
	// The demo page is served on this machine's loopback, where workers elsewhere cannot reach it.
	if (args.queue) throw new UsageError('the demo audits a page served on this machine: run it without --redis');
	checkAuditArgs(args);
	const demo = await serveDemo();
	process.stderr.write(`Serving the demo landing page at ${demo.url}\n`);
	try {
		return await auditCommand({ ...args, urls: [demo.url] }, { reportName: 'demo-report' });
	} finally {
		await demo.close();
	}
}

function onSignals(engine: Pick<Engine, 'close' | 'killAllSync'>): () => void {
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
		// `auditlens audit --help` asks for the usage, not for an audit (only before a `--` terminator).
		const help = rest
			.slice(0, rest.includes('--') ? rest.indexOf('--') : undefined)
			.some((a) => a === '--help' || a === '-h');
		if (help && ['audit', 'scan', 'demo', 'history', 'cache', 'worker', 'workers'].includes(command ?? '')) {
			process.stdout.write(`${USAGE}\n`);
			return EXIT.ok;
		}
		switch (command) {
			case 'audit': {
				const args = parseAuditArgs(rest);
				checkAuditArgs(args);
				// Audits on the queue start no Chrome here: no watchdog, and this process's temp folder stays its own.
				if (!args.queue) startOrphanWatchdog();
				return await auditCommand(args);
			}
			case 'scan': {
				const args = parseScanArgs(rest);
				checkScanArgs(args);
				if (!args.queue) startOrphanWatchdog();
				return await scanCommand(args);
			}
			case 'demo':
				startOrphanWatchdog();
				return await demoCommand(rest);
			case 'worker': {
				const args = parseWorkerArgs(rest);
				// The watchdog kills this worker's Chromes if it is SIGKILLed (its jobs go back to the queue by BullMQ's lock).
				startOrphanWatchdog();
				return await workerCommand(args);
			}
			case 'workers':
				return await workersCommand(parseWorkersArgs(rest));
			case 'history': {
				const { positional, json, db, scans } = simpleArgs(rest, 1, true);
				checkDbArg(db);
				return await historyCommand({ url: positional[0], json, scans, db, out: process.stdout });
			}
			case 'cache': {
				const { positional, json, db } = simpleArgs(rest, 1);
				if (positional[0] !== 'clear')
					throw new UsageError('the cache command takes "clear": auditlens cache clear [--db PATH]');
				checkDbArg(db);
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
				throw new UsageError(`unknown command "${safeText(command, { max: 60 })}"`);
		}
	} catch (err) {
		if (err instanceof UsageError) {
			process.stderr.write(`auditlens: ${safeText(err.message, { max: 2000 })}\n\n${USAGE}\n`);
			return EXIT.usage;
		}
		warn(err instanceof Error ? err.message : String(err));
		return EXIT.auditFailed;
	}
}

if (require.main === module) {
	void main(process.argv.slice(2)).then((code) => {
		process.exitCode = code;
	});
}
