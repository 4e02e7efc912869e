/**
 * `auditlens history [URL] [--scans] [--json] [--db PATH]`: the audited URLs, one URL's audits, or the site scans,
 * read from the history file (read-only, so it works while an engine owns the file).
 */
import fs from 'node:fs';
import { defaultHistoryPath } from '../../engine/history/dbFile';
import type { Category, FormFactor, HistoryEntry, ScanSummary, UrlSummary } from '../../protocol';
import { crossMajorNote } from '../../format/insights';
import { safeText } from '../../shared/terminalText';
import { AuditError } from '../../engine/errors';
import { createLogger, type Logger } from '../../engine/log';
import { DEFAULT_SETTINGS } from '../../engine/settings';
import { normalizeUrl } from '../../engine/request';
import { HistoryStore } from '../../engine/history/historyStore';
import { type Command, type OptionTable, parseCommandLine, UsageError } from '../args';
import { checkDbArg } from '../auditOptions';
import { EXIT } from '../exitCodes';

export interface HistoryCommandArgs {
	/** One URL's audits; omit for one line per URL. */
	url?: string;
	json: boolean;
	/** List site scans (of `url` when given) instead of audits. */
	scans?: boolean;
	/** The history database file. */
	db: string;
	out: NodeJS.WritableStream;
	/** Where errors go (default stderr). */
	err?: NodeJS.WritableStream;
	limit?: number;
	log?: Logger;
}

const SCORE_ORDER: readonly Category[] = ['performance', 'accessibility', 'best-practices', 'seo'];

/**
 * `auditlens history [URL] [--json] [--db PATH]`: list the audited URLs, or one URL's audits.
 * Opens the database read-only, so it works while an engine owns the file. Answers the exit code.
 */
export async function historyCommand(args: HistoryCommandArgs): Promise<number> {
	const err = args.err ?? process.stderr;
	let url: string | undefined;
	if (args.url !== undefined) {
		try {
			url = normalizeUrl(args.url);
		} catch (e) {
			err.write(`${safeText((e as Error).message, { max: 500 })}\n`);
			return EXIT.notAUrl;
		}
	}
	if (!fs.existsSync(args.db)) {
		if (args.scans)
			args.out.write(
				args.json ? `${JSON.stringify({ scans: [] }, null, '\t')}\n` : `No scans yet (${args.db} does not exist).\n`,
			);
		else if (args.json) args.out.write(`${JSON.stringify(url ? { url, entries: [] } : { urls: [] }, null, '\t')}\n`);
		else args.out.write(`No audit history yet (${args.db} does not exist).\n`);
		return EXIT.ok;
	}
	let store: HistoryStore | undefined;
	try {
		store = await HistoryStore.open({
			path: args.db,
			settings: { ...DEFAULT_SETTINGS, cacheMaxEntries: 0 },
			log: args.log ?? createLogger('warn'),
			readOnly: true,
		});
		if (args.scans) {
			const scans = await store.listScans({ ...(url ? { url } : {}), ...(args.limit ? { limit: args.limit } : {}) });
			if (args.json) args.out.write(`${JSON.stringify({ scans }, null, '\t')}\n`);
			else
				args.out.write(
					scans.length === 0
						? `No scans${url ? ` of ${safeText(url, { max: 200 })}` : ''} in ${args.db} yet.\n`
						: scansTable(scans),
				);
		} else if (url) {
			const entries = await store.listAudits(url, args.limit);
			if (args.json) args.out.write(`${JSON.stringify({ url, entries }, null, '\t')}\n`);
			else args.out.write(entries.length === 0 ? `No audits of ${url} in ${args.db}.\n` : auditsTable(url, entries));
		} else {
			const urls = await store.listUrls(args.limit);
			if (args.json) args.out.write(`${JSON.stringify({ urls }, null, '\t')}\n`);
			else args.out.write(urls.length === 0 ? `No audits in ${args.db} yet.\n` : urlsTable(urls));
		}
		return EXIT.ok;
	} catch (e) {
		err.write(`${describeHistoryError(e)}\n`);
		return EXIT.auditFailed;
	} finally {
		await store?.close();
	}
}

export function describeHistoryError(e: unknown): string {
	if (e instanceof AuditError) return safeText(e.message, { max: 1000 });
	return `Could not read the audit history: ${safeText(e instanceof Error ? e.message : String(e), { max: 1000 })}`;
}

function scoreCell(scores: HistoryEntry['scores'], formFactor: FormFactor): string {
	const s = scores[formFactor];
	if (!s) return '–';
	return SCORE_ORDER.map((c) => {
		const v = s[c];
		return v === undefined ? '·' : v === null ? '?' : String(Math.round(v * 100));
	}).join('/');
}

function when(iso: string): string {
	return iso.replace('T', ' ').slice(0, 16);
}

function table(header: string[], rows: string[][], rightAligned: ReadonlySet<number> = new Set()): string {
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
	const line = (cells: string[]) =>
		cells
			.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
			.join('  ')
			.trimEnd();
	return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

function urlsTable(urls: UrlSummary[]): string {
	const rows = urls.map((u) => [
		safeText(u.url, { max: 120 }),
		String(u.audits),
		when(u.latest.requestedAt),
		scoreCell(u.latest.scores, 'mobile'),
		scoreCell(u.latest.scores, 'desktop'),
		u.latest.status === 'ok'
			? (u.latest.error?.code ?? '')
			: `${u.latest.status}${u.latest.error ? ` ${u.latest.error.code}` : ''}`,
	]);
	const legend = 'Scores: performance/accessibility/best-practices/seo of the latest audit.\n';
	return table(['URL', 'AUDITS', 'LATEST (UTC)', 'MOBILE', 'DESKTOP', 'STATUS'], rows, new Set([1])) + legend;
}

function auditsTable(url: string, entries: HistoryEntry[]): string {
	const rows = entries.map((e) => [
		e.id,
		when(e.requestedAt),
		`${(e.durationMs / 1000).toFixed(1)} s`,
		scoreCell(e.scores, 'mobile'),
		scoreCell(e.scores, 'desktop'),
		safeText(e.lighthouseVersion ?? '?', { max: 20 }),
		e.status === 'ok' && !e.error
			? ''
			: `${e.status === 'ok' ? '' : `${e.status} `}${e.error ? `${e.error.code}: ${safeText(e.error.message, { max: 200 })}` : ''}`.trim(),
	]);
	// Newest first: a change of Lighthouse major between two audits in a row is said below the table.
	const notes = new Set<string>();
	for (let i = 0; i + 1 < entries.length; i++) {
		const note = crossMajorNote(entries[i]?.lighthouseVersion, entries[i + 1]?.lighthouseVersion);
		if (note) notes.add(note);
	}
	const legend = `Scores: performance/accessibility/best-practices/seo.\n${[...notes].map((n) => `${n}.\n`).join('')}`;
	return `${safeText(url, { max: 200 })}\n${table(['ID', 'REQUESTED (UTC)', 'TOOK', 'MOBILE', 'DESKTOP', 'LIGHTHOUSE', 'STATUS'], rows, new Set([2]))}${legend}`;
}

function scansTable(scans: ScanSummary[]): string {
	const rows = scans.map((s) => [
		s.id,
		when(s.startedAt),
		`${(s.durationMs / 1000).toFixed(1)} s`,
		s.status,
		String(s.routes),
		String(s.failed),
		scoreCell(s.mean, 'mobile'),
		scoreCell(s.mean, 'desktop'),
		safeText(s.startUrl, { max: 120 }),
	]);
	const legend =
		'Scores: mean performance/accessibility/best-practices/seo over the routes scored. "auditlens scan URL --json" prints a whole report.\n';
	return (
		table(
			['ID', 'STARTED (UTC)', 'TOOK', 'STATUS', 'ROUTES', 'FAILED', 'MOBILE', 'DESKTOP', 'START URL'],
			rows,
			new Set([2, 4, 5]),
		) + legend
	);
}

/** The options of `history` and `cache`. */
export const HISTORY_FILE_OPTIONS = {
	json: { type: 'boolean', help: 'print one JSON document' },
	db: { type: 'string', value: 'PATH', help: 'history database (default ~/.auditlens/history.sqlite)' },
} as const satisfies OptionTable;

const HISTORY_OPTIONS = {
	scans: { type: 'boolean', help: 'the site scans (of URL), newest first, instead of the audits' },
	...HISTORY_FILE_OPTIONS,
} as const satisfies OptionTable;

export const history: Command = {
	name: 'history',
	usage: ['history [URL] [--json] [--db PATH]', 'history --scans [URL] [--json] [--db PATH]'],
	brief: 'the audit history (--scans: the site scans)',
	summary: "The audit history: a line per audited URL, or URL's audits, newest first (--scans: the site scans).",
	sections: [{ title: 'Options', options: HISTORY_OPTIONS }],
	async run(argv) {
		const { values, positionals } = parseCommandLine({ args: argv, options: HISTORY_OPTIONS, allowPositionals: true });
		if (positionals.length > 1) throw new UsageError(`too many arguments: ${positionals.join(' ')}`);
		const db = values.db ?? defaultHistoryPath();
		checkDbArg(db);
		return await historyCommand({
			url: positionals[0],
			json: values.json === true,
			scans: values.scans === true,
			db,
			out: process.stdout,
		});
	},
};
