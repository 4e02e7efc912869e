/**
 * `auditlens scan URL [options]`: discover a site's routes, audit them through the engine and print the site
 * report (text, --json, --csv) and write it as HTML (--html DIR). Ctrl-C or SIGTERM cancels the scan, and the
 * routes audited so far are still reported before the engine closes every Chrome.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type {
	Category,
	FormFactor,
	GetReportParams,
	ScanOptionsInput,
	ScanParams,
	ScanProgressParams,
	ScanReport,
	ScanRoute,
} from '../../protocol';
import { MAX_URL_LENGTH } from '../../shared/limits';
import { safeText, useColor } from '../../shared/terminalText';
import { type Command, intOption, type OptionTable, parseCommandLine, UsageError } from '../args';
import { COLOR, NO_COLOR, warn } from '../output/text';
import {
	API_KEY_NOTES,
	checkDbArg,
	checkLocateArgs,
	type LocateArgs,
	checkLoginScript,
	checkOutputDir,
	engineSettings,
	QUEUE_NOTES,
	QUEUE_OPTIONS,
	SHARED_AUDIT_OPTIONS,
	type SharedAuditArgs,
	sharedAuditArgs,
	privacyNotice,
	scoreBudgetFailures,
} from '../auditOptions';
import { startOrphanWatchdog } from '../../engine/chrome/watchdog';
import { EXIT, EXIT_CODES_HELP, signalExit } from '../exitCodes';
import { type ScanJson, writeJson } from '../output/json';
import { cancelOnSignal } from '../signals';
import { createEngine } from '../../engine/createEngine';
import { createLogger } from '../../engine/log';
import { createQueueSubmitter } from '../../engine/queue/submit';
import { FindingPlacer, type LocateEngine } from '../output/sarif';
import { formatScanReport, scanCsv, ScanProgressDisplay } from '../output/siteReportText';
import { scanOptionsSchema } from '../../engine/scan/scanOptions';
import { lighthouseReportName, type RouteReports, scanHtml } from '../output/siteReportHtml';

export interface ScanArgs extends SharedAuditArgs {
	url: string;
	scan: ScanOptionsInput;
	csv: boolean;
}

/** The options of `scan` alone: which routes are found and audited, and the CSV output. */
const DISCOVERY_OPTIONS = {
	'max-routes': { type: 'string', value: 'N', help: 'most routes audited (default 200)' },
	depth: { type: 'string', value: 'N', help: 'links followed from URL (default 3; 0 follows none)' },
	include: {
		type: 'string',
		multiple: true,
		value: 'GLOB',
		help: "only routes whose path matches (repeatable), e.g. --include '/blog/**'",
	},
	exclude: { type: 'string', multiple: true, value: 'GLOB', help: 'leave the routes matching it out (repeatable)' },
	samples: {
		type: 'string',
		value: 'N',
		help: 'routes audited per look-alike group such as /blog/:slug (default 5; 0: all)',
	},
	'no-sitemap': { type: 'boolean', help: "don't read robots.txt and the sitemaps" },
	'no-crawl': { type: 'boolean', help: "don't follow links" },
	csv: { type: 'boolean', help: 'print the routes as CSV (a row per route, worst first)' },
} as const satisfies OptionTable;

/** The shared options in a scan's words. */
const SCAN_AUDIT_OPTIONS = {
	...SHARED_AUDIT_OPTIONS,
	'form-factor': { ...SHARED_AUDIT_OPTIONS['form-factor'], help: 'default mobile for a scan' },
	json: { ...SHARED_AUDIT_OPTIONS.json, help: 'print the site report as one JSON document' },
	html: {
		...SHARED_AUDIT_OPTIONS.html,
		help: "write DIR/index.html (the site report) and each route's Lighthouse reports",
	},
	sarif: {
		...SHARED_AUDIT_OPTIONS.sarif,
		help: "as for audit: one SARIF run with every route's findings (a finding shared by\nroutes, e.g. in a layout, is one result listing their URLs)",
	},
} as const satisfies OptionTable;

const SCAN_OPTIONS = { ...SCAN_AUDIT_OPTIONS, ...DISCOVERY_OPTIONS, ...QUEUE_OPTIONS } as const;

/** The flag of each scan option, to name it in a usage error. */
const SCAN_FLAG: Record<keyof ScanOptionsInput, string> = {
	maxRoutes: '--max-routes',
	maxDepth: '--depth',
	include: '--include',
	exclude: '--exclude',
	samplesPerGroup: '--samples',
	sitemap: '--no-sitemap',
	crawl: '--no-crawl',
};

/** The scan options checked with the engine's own schema: a mistake is a usage error naming the flag. */
function checkedScanOptions(scan: ScanOptionsInput): ScanOptionsInput {
	const parsed = scanOptionsSchema.safeParse(scan);
	if (parsed.success) return scan;
	const issue = parsed.error.issues[0];
	const field = issue?.path[0] as keyof ScanOptionsInput | undefined;
	const value = field === 'include' || field === 'exclude' ? scan[field]?.[Number(issue?.path[1])] : undefined;
	throw new UsageError(
		`${field ? SCAN_FLAG[field] : 'scan options'}${value ? ` ${safeText(value, { max: 60 })}` : ''}: ${issue?.message ?? 'not valid'}`,
	);
}

export function parseScanArgs(argv: string[]): ScanArgs {
	const { values: v, positionals } = parseCommandLine({ args: argv, options: SCAN_OPTIONS, allowPositionals: true });
	if (positionals.length === 0)
		throw new UsageError('give the URL of the site to scan, e.g. auditlens scan https://example.com/');
	if (positionals.length > 1)
		throw new UsageError(
			`scan takes one start URL, not ${positionals.length}: its routes are found from it (use "auditlens audit URL..." for a list)`,
		);
	if (v.json && v.csv)
		throw new UsageError('--json and --csv both print to stdout: choose one (and --html DIR for a file)');
	const scan: ScanOptionsInput = checkedScanOptions({
		...(v['max-routes'] !== undefined ? { maxRoutes: intOption(v['max-routes'], '--max-routes', 1, 10_000) } : {}),
		...(v.depth !== undefined ? { maxDepth: intOption(v.depth, '--depth', 0, 20) } : {}),
		...(v.samples !== undefined ? { samplesPerGroup: intOption(v.samples, '--samples', 0, 10_000) } : {}),
		...(v.include?.length ? { include: v.include } : {}),
		...(v.exclude?.length ? { exclude: v.exclude } : {}),
		...(v['no-sitemap'] ? { sitemap: false } : {}),
		...(v['no-crawl'] ? { crawl: false } : {}),
	});
	return { ...sharedAuditArgs(v, 'mobile'), url: positionals[0] ?? '', scan, csv: v.csv === true };
}

/** What can be checked before discovery starts: the URL, the output folder, the login script, the history file. */
export function checkScanArgs(a: ScanArgs): void {
	if (a.url.length > MAX_URL_LENGTH)
		throw new UsageError(
			`a URL of ${a.url.length} characters is longer than the ${MAX_URL_LENGTH} the engine accepts: ${safeText(a.url, { max: 60 })}`,
		);
	let url: URL;
	try {
		url = new URL(a.url);
	} catch {
		throw new UsageError(
			`"${safeText(a.url, { max: 200 })}" is not a URL: give the site's address with http:// or https://`,
		);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:')
		throw new UsageError(`scan takes an http:// or https:// URL, not ${safeText(url.protocol, { max: 20 })}`);
	if (a.htmlDir !== undefined) checkOutputDir(a.htmlDir, '--html');
	checkLoginScript(a.auth);
	checkLocateArgs(a.locate);
	checkDbArg(a.db);
}

/** What the scan command needs of the engine. */
export interface ScanEngine extends LocateEngine {
	scan(params: ScanParams, listener: { scanProgress?(p: ScanProgressParams): void }): Promise<ScanReport>;
	cancel(id: string): number;
	getReport(params: GetReportParams): Promise<string>;
	close(): Promise<void>;
	killAllSync(): void;
}

/** Budget failures per route, e.g. { path: '/a', failures: ['mobile performance 0.72 < 0.90'] }. */
export function routeBudgetFailures(
	routes: readonly ScanRoute[],
	budget: Partial<Record<Category, number>>,
): { path: string; failures: string[] }[] {
	return routes
		.map((r) => ({ path: r.path, failures: scoreBudgetFailures(r.scores, budget) }))
		.filter((r) => r.failures.length > 0);
}

export interface ScanCommandOptions {
	out?: NodeJS.WritableStream;
}

/**
 * Run `auditlens scan` with arguments checked by checkScanArgs; answers the exit code (0 ok, 1 a route failed or an
 * output was not written, 2 budget, 130/143 signal).
 */
export async function scanCommand(a: ScanArgs, opts: ScanCommandOptions = {}): Promise<number> {
	const out = opts.out ?? process.stdout;
	const text = !a.json && !a.csv;
	const paint = text && useColor(out as NodeJS.WriteStream) ? COLOR : NO_COLOR;
	const log = createLogger(a.verbose ? 'debug' : 'warn');
	// With --redis, discovery runs here and every route is a job for the workers.
	const engine: ScanEngine = a.queue
		? await createQueueSubmitter({ redis: a.queue.redis, queue: a.queue.name, db: a.db, log, onWarning: warn })
		: await createEngine({
				db: a.db,
				settings: engineSettings({ ...a, accuracy: false, usePool: true, traceSlot: true }, a.scan.maxRoutes ?? 200),
				log,
				onWarning: warn,
			});
	// The scan's id is its id in the history too: unique, not a pid that comes back.
	const scanId = randomUUID();
	const signals = cancelOnSignal(engine, scanId, 'stopping the scan; the routes audited so far are reported');
	const display = new ScanProgressDisplay(process.stderr, process.stderr.isTTY === true);
	privacyNotice(a.stages, a.queue !== undefined);
	try {
		const params: ScanParams = {
			url: a.url,
			scan: a.scan,
			options: { formFactors: a.formFactors, noCache: a.noCache, stages: a.stages, timeoutMs: a.timeoutMs },
			scanId,
			...(a.auth ? { auth: a.auth } : {}),
		};
		let report: ScanReport;
		try {
			report = await engine.scan(params, { scanProgress: (p) => display.update(p) });
		} finally {
			display.done();
		}
		const budget = Object.keys(a.budget).length ? routeBudgetFailures(report.routes, a.budget) : undefined;
		const doc: ScanJson = {
			...report,
			...(budget ? { budget: { passed: budget.length === 0, failures: budget } } : {}),
		};
		let outputFailed = false;
		if (a.htmlDir !== undefined) {
			try {
				doc.html = await writeHtmlReport(engine, report, a.htmlDir);
			} catch (err) {
				doc.outputError = `could not write the HTML report to ${a.htmlDir}: ${(err as Error).message}`;
				outputFailed = true;
				warn(doc.outputError);
			}
		}
		if (a.locate && !(await locateRoutes(engine, doc, a.locate))) outputFailed = true;
		if (a.json) writeJson(out, doc);
		else if (a.csv) out.write(scanCsv(report));
		else {
			out.write(formatScanReport(report, paint));
			for (const b of budget ?? [])
				out.write(`${paint.warn('budget failed')}: ${safeText(b.path, { max: 60 })}: ${b.failures.join(', ')}\n`);
			if (doc.html) out.write(`HTML report: ${doc.html}\n`);
			if (doc.sarif)
				out.write(`SARIF: ${doc.sarifResults} result${doc.sarifResults === 1 ? '' : 's'} written to ${doc.sarif}\n`);
		}
		const stoppedBy = signals.stoppedBy();
		if (stoppedBy) return signalExit(stoppedBy);
		if (outputFailed || report.status !== 'ok' || report.routes.some((r) => r.status !== 'ok')) return EXIT.auditFailed;
		return budget?.length ? EXIT.budgetFailed : EXIT.ok;
	} catch (err) {
		const stoppedBy = signals.stoppedBy();
		if (!stoppedBy) throw err;
		warn(`${stoppedBy}: the scan stopped before a report could be made: ${(err as Error).message}`);
		return signalExit(stoppedBy);
	} finally {
		await engine.close();
		signals.dispose();
	}
}

/**
 * Place the findings of each audited route in `root` (into `doc.routes`), and write them as one SARIF run to `sarif`.
 * A route that cannot be placed, or a SARIF file that cannot be written, is said on stderr and in `doc`; answers
 * whether everything was.
 */
async function locateRoutes(
	engine: LocateEngine,
	doc: ScanJson,
	{ root, sarif, mappings }: LocateArgs,
): Promise<boolean> {
	let ok = true;
	const placer = new FindingPlacer(engine, root, mappings);
	doc.routes = [...doc.routes];
	for (const [i, route] of doc.routes.entries()) {
		if (!route.auditId || route.status === 'failed' || route.status === 'error') {
			placer.skipped(route.url, route.error?.message ?? route.status);
			continue;
		}
		const placed = await placer.place(route.auditId, route.url);
		if (placed.located) doc.routes[i] = { ...route, findings: placed.located.findings, files: placed.located.files };
		else {
			ok = false;
			doc.routes[i] = { ...route, locateError: placed.error };
			warn(placed.error);
		}
	}
	if (sarif === undefined) return ok;
	try {
		doc.sarifResults = await placer.writeSarif(sarif);
		doc.sarif = sarif;
	} catch (err) {
		const message = `could not write the SARIF file ${sarif}: ${(err as Error).message}`;
		doc.outputError = doc.outputError ? `${doc.outputError}; ${message}` : message;
		warn(message);
		return false;
	}
	return ok;
}

/**
 * Write `index.html` and, beside it, the Lighthouse HTML report of each route and form factor that has one.
 * The page is written last so that it links only to reports that exist. Answers the page's path.
 */
export async function writeHtmlReport(
	engine: Pick<ScanEngine, 'getReport'>,
	report: ScanReport,
	dir: string,
): Promise<string> {
	fs.mkdirSync(dir, { recursive: true });
	const reports = new Map<ScanRoute, Partial<Record<FormFactor, string>>>();
	for (const [index, route] of report.routes.entries()) {
		if (!route.auditId) continue;
		for (const ff of report.formFactors) {
			if (!route.scores[ff]) continue;
			const name = lighthouseReportName(index, route, ff);
			fs.writeFileSync(
				path.join(dir, name),
				await engine.getReport({ id: route.auditId, formFactor: ff, format: 'html' }),
			);
			reports.set(route, { ...reports.get(route), [ff]: name });
		}
	}
	const file = path.join(dir, 'index.html');
	fs.writeFileSync(file, scanHtml(report, reports as RouteReports));
	return file;
}

export const scan: Command = {
	name: 'scan',
	usage: ['scan URL [scan options]'],
	brief: "find a site's routes, audit them, print the site report",
	summary:
		"Discover the routes of URL's site from robots.txt, sitemaps and links, audit them, and print the site report.",
	sections: [
		{ title: 'Scan options', options: DISCOVERY_OPTIONS },
		{ title: 'Audit options', options: SCAN_AUDIT_OPTIONS },
		{ title: 'Queue options', options: QUEUE_OPTIONS },
	],
	notes: [
		'Ctrl-C stops the scan and still reports the routes audited so far (exit 130); a second Ctrl-C exits at once.',
		QUEUE_NOTES,
		EXIT_CODES_HELP,
		API_KEY_NOTES,
	].join('\n\n'),
	async run(argv) {
		const args = parseScanArgs(argv);
		checkScanArgs(args);
		if (!args.queue) startOrphanWatchdog();
		return await scanCommand(args);
	},
};
