/**
 * `auditlens cache clear [--db PATH]`: results saved so far are no longer served from the cache (the history stays).
 */
import { DEFAULT_SETTINGS } from '../../engine/settings';
import { defaultHistoryPath } from '../../engine/history/dbFile';
import { HistoryStore } from '../../engine/history/historyStore';
import { createLogger, type Logger } from '../../engine/log';
import { type Command, parseCommandLine, UsageError } from '../args';
import { checkDbArg } from '../auditOptions';
import { EXIT } from '../exitCodes';
import { describeHistoryError, HISTORY_FILE_OPTIONS } from './history';

export interface CacheClearCommandArgs {
	db: string;
	json: boolean;
	out: NodeJS.WritableStream;
	err?: NodeJS.WritableStream;
	log?: Logger;
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
		return EXIT.ok;
	} catch (e) {
		const message = describeHistoryError(e);
		err.write(
			/in use by/.test(message)
				? `${message}\nTo clear the cache of a running engine, use "AuditLens: Clear Cache" in VS Code (or stop that engine and run this again).\n`
				: `${message}\n`,
		);
		return EXIT.auditFailed;
	} finally {
		await store?.close();
	}
}

export const cache: Command = {
	name: 'cache',
	usage: ['cache clear [--db PATH]'],
	brief: 'drop cached results (the history stays)',
	summary:
		'Drop the cached results: the next audit of every URL runs afresh. The history stays. Needs the history file\nto itself (a running engine clears its own cache: "AuditLens: Clear Cache" in VS Code).',
	sections: [{ title: 'Options', options: HISTORY_FILE_OPTIONS }],
	async run(argv) {
		const { values, positionals } = parseCommandLine({
			args: argv,
			options: HISTORY_FILE_OPTIONS,
			allowPositionals: true,
		});
		if (positionals.length > 1) throw new UsageError(`too many arguments: ${positionals.join(' ')}`);
		if (positionals[0] !== 'clear')
			throw new UsageError('the cache command takes "clear": auditlens cache clear [--db PATH]');
		const db = values.db ?? defaultHistoryPath();
		checkDbArg(db);
		return await cacheClearCommand({ json: values.json === true, db, out: process.stdout });
	},
};
