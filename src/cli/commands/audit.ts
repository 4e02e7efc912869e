/**
 * `auditlens audit URL... [options]`: audit pages with the same engine code as the VS Code extension, in-process
 * (or on queue workers with --redis), print each result, and write the reports, --json and --sarif asked for.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AuditOptionsInput, AuditResult, Category, EngineSettings, ProgressParams } from '../../protocol';
import { startOrphanWatchdog } from '../../engine/chrome/watchdog';
import { createEngine } from '../../engine/createEngine';
import type { Engine } from '../../engine/engine';
import { createLogger } from '../../engine/log';
import { createQueueSubmitter } from '../../engine/queue/submit';
import { scoresOfResult } from '../../format/scores';
import { MAX_URL_LENGTH } from '../../shared/limits';
import { safeText, useColor } from '../../shared/terminalText';
import { type Command, intOption, type OptionTable, parseCommandLine, UsageError } from '../args';
import {
	API_KEY_NOTES,
	checkDbArg,
	checkLocateArgs,
	checkLoginScript,
	checkOutputDir,
	engineSettings,
	privacyNotice,
	QUEUE_NOTES,
	QUEUE_OPTIONS,
	scoreBudgetFailures,
	SHARED_AUDIT_OPTIONS,
	type SharedAuditArgs,
	sharedAuditArgs,
} from '../auditOptions';
import { EXIT, EXIT_CODES_HELP, signalExit } from '../exitCodes';
import { type AuditJsonEntry, writeJson } from '../output/json';
import { FindingPlacer } from '../output/sarif';
import { COLOR, formatResult, NO_COLOR, ProgressDisplay, statusOf, warn } from '../output/text';
import { cancelOnSignal, closeOnSignal } from '../signals';
import { fileSlug } from '../../shared/fileName';

export interface AuditArgs extends SharedAuditArgs {
	urls: string[];
	runs?: number;
	accuracy: boolean;
	usePool: boolean;
	/** Concurrent Lighthouse runs take turns for their traced page loads (the engine's `traceSlot`). */
	traceSlot: boolean;
}

/** The options of `audit` alone. */
const LIGHTHOUSE_OPTIONS = {
	runs: { type: 'string', value: 'N', help: 'Lighthouse runs per form factor; the median is kept' },
	accuracy: { type: 'boolean', help: 'run Lighthouse one at a time for stable performance scores' },
	'no-pool': { type: 'boolean', help: 'run the plain Lighthouse CLI per run instead of the warm pool' },
	'no-trace-slot': {
		type: 'boolean',
		help: "let concurrent runs' page loads overlap: faster, scores noisier on a busy machine",
	},
} as const satisfies OptionTable;

const AUDIT_OPTIONS = { ...SHARED_AUDIT_OPTIONS, ...LIGHTHOUSE_OPTIONS, ...QUEUE_OPTIONS } as const;

/** The sections of `audit`'s help (`demo` shows the first two). */
export const AUDIT_SECTIONS = [
	{ title: 'Audit options', options: SHARED_AUDIT_OPTIONS },
	{ title: 'Lighthouse options', options: LIGHTHOUSE_OPTIONS },
	{ title: 'Queue options', options: QUEUE_OPTIONS },
] as const;

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

export interface AuditCommandOptions {
	out?: NodeJS.WritableStream;
	/** File name stem of the HTML reports (default: from the URL). */
	reportName?: string;
}

/** What `auditlens audit` needs of an engine: the local one, or the queue submitter (`--redis`). */
export type AuditEngine = Pick<Engine, 'batch' | 'cancel' | 'getReport' | 'locate' | 'close' | 'killAllSync'>;

/** Run `auditlens audit` with arguments checked by checkAuditArgs; answers the exit code. */
export async function auditCommand(a: AuditArgs, opts: AuditCommandOptions = {}): Promise<number> {
	const out = opts.out ?? process.stdout;
	const paint = !a.json && useColor(out as NodeJS.WriteStream) ? COLOR : NO_COLOR;
	const log = createLogger(a.verbose ? 'debug' : 'warn');
	const engine: AuditEngine = a.queue
		? await createQueueSubmitter({ redis: a.queue.redis, queue: a.queue.name, db: a.db, log, onWarning: warn })
		: await createEngine({ db: a.db, settings: settingsFrom(a), log, onWarning: warn });
	// On the queue, Ctrl-C cancels the jobs and the audits done so far are still reported, as a scan's routes are.
	const signals = a.queue
		? cancelOnSignal(engine, 'cli', 'cancelling the submitted jobs; the audits done so far are reported')
		: closeOnSignal(engine);
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
		const entries: AuditJsonEntry[] = [];
		const placer = a.locate && new FindingPlacer(engine, a.locate.root, a.locate.mappings);
		for (const item of items) {
			const status = statusOf(item);
			const failures = item.result && status !== 'failed' ? budgetFailures(item.result, a.budget) : [];
			if (status !== 'ok') failed = true;
			if (failures.length) budgetMissed = true;
			const entry: AuditJsonEntry = {
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
		if (a.json) writeJson(out, entries);
		const stoppedBy = signals.stoppedBy();
		if (stoppedBy) return signalExit(stoppedBy);
		return failed ? EXIT.auditFailed : budgetMissed ? EXIT.budgetFailed : EXIT.ok;
	} finally {
		await engine.close();
		signals.dispose();
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
	const slug = name ?? fileSlug(result.url.replace(/^https?:\/\//, ''), 80, 'page');
	for (const ff of result.options.formFactors) {
		const stage = result.stages[ff === 'mobile' ? 'lighthouse-mobile' : 'lighthouse-desktop'];
		if (stage?.status !== 'ok') continue;
		const file = path.join(dir, `${slug}-${ff}.html`);
		fs.writeFileSync(file, await engine.getReport({ id: result.id, formFactor: ff, format: 'html' }));
		written.push(file);
	}
	return written;
}

export const audit: Command = {
	name: 'audit',
	usage: ['audit URL... [options]'],
	brief: 'audit pages: Lighthouse scores, screenshots, CRO findings',
	summary: 'Audit pages: Lighthouse scores (mobile and desktop), screenshots and CRO findings, one result per URL.',
	sections: AUDIT_SECTIONS,
	notes: [QUEUE_NOTES, EXIT_CODES_HELP, API_KEY_NOTES].join('\n\n'),
	async run(argv) {
		const args = parseAuditArgs(argv);
		checkAuditArgs(args);
		// Audits on the queue start no Chrome here: no watchdog, and this process's temp folder stays its own.
		if (!args.queue) startOrphanWatchdog();
		return await auditCommand(args);
	},
};
