import fs from 'node:fs';
import type { Category, FormFactor, HistoryEntry, ScanSummary, UrlSummary } from '../../protocol';
import { crossMajorNote } from '../../format/insights';
import { safeText } from '../../shared/terminalText';
import { AuditError } from '../../engine/errors';
import { createLogger, type Logger } from '../../engine/log';
import { DEFAULT_SETTINGS } from '../../engine/settings';
import { normalizeUrl } from '../../engine/request';
import { HistoryStore } from '../../engine/history/historyStore';

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

export interface CacheClearCommandArgs {
	db: string;
	json: boolean;
	out: NodeJS.WritableStream;
	err?: NodeJS.WritableStream;
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
			return 2;
		}
	}
	if (!fs.existsSync(args.db)) {
		if (args.scans)
			args.out.write(
				args.json ? `${JSON.stringify({ scans: [] }, null, '\t')}\n` : `No scans yet (${args.db} does not exist).\n`,
			);
		else if (args.json) args.out.write(`${JSON.stringify(url ? { url, entries: [] } : { urls: [] }, null, '\t')}\n`);
		else args.out.write(`No audit history yet (${args.db} does not exist).\n`);
		return 0;
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
		return 0;
	} catch (e) {
		err.write(`${describe(e)}\n`);
		return 1;
	} finally {
		await store?.close();
	}
}

/**
 * `auditlens cache clear [--db PATH]`: results saved so far are no longer served from the cache
 * (the history stays). Needs the database to itself: a running engine clears its own cache instead.
 */
export async function cacheClearCommand(args: CacheClearCommandArgs): Promise<number> {
	const err = args.err ?? process.stderr;
	let store: HistoryStore | undefined;
	try {
		store = await HistoryStore.open({
			path: args.db,
			settings: DEFAULT_SETTINGS,
			log: args.log ?? createLogger('warn'),
		});
		const cleared = store.clearCache();
		await store.close();
		store = undefined;
		if (args.json) args.out.write(`${JSON.stringify({ cleared })}\n`);
		else
			args.out.write(
				`Cache cleared (${cleared} cached result${cleared === 1 ? '' : 's'}); the next audit of every URL runs afresh. The history is kept.\n`,
			);
		return 0;
	} catch (e) {
		const message = describe(e);
		err.write(
			/in use by/.test(message)
				? `${message}\nTo clear the cache of a running engine, use "AuditLens: Clear Cache" in VS Code (or stop that engine and run this again).\n`
				: `${message}\n`,
		);
		return 1;
	} finally {
		await store?.close();
	}
}

function describe(e: unknown): string {
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
