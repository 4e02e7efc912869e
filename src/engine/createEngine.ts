import os from 'node:os';
import path from 'node:path';
import type { EngineSettings } from '../protocol';
import { Engine } from './engine';
import type { Logger } from './log';
import { DEFAULT_SETTINGS } from './settings';
import { createCroKit } from './stages/croKit';
import { DbInUseError } from './store/dbFile';
import { HistoryStore } from './store/historyStore';

export interface CreateEngineOptions {
	/** History database file; undefined keeps history in memory only. */
	db?: string;
	/** Folder for screenshots; defaults to `artifacts` beside the database (or in the temp folder). */
	artifactsDir?: string;
	settings?: Partial<EngineSettings>;
	log: Logger;
	/** Told about problems the user should see even when logs are quiet (e.g. the history file is in use). */
	onWarning?: (message: string) => void;
}

/** The composition root shared by the engine process and the CLI: store, stage kits, engine. */
export async function createEngine(opts: CreateEngineOptions): Promise<Engine> {
	const artifactsDir = opts.artifactsDir ?? (opts.db ? path.join(path.dirname(opts.db), 'artifacts') : path.join(os.tmpdir(), 'auditlens-artifacts'));
	const settings = { ...DEFAULT_SETTINGS, ...opts.settings };
	const log = opts.log.child('history');
	let store: HistoryStore;
	try {
		store = await HistoryStore.open({ path: opts.db, settings, log });
	} catch (err) {
		// A second editor window, or the CLI beside the editor: audit anyway, keep this session's history in memory.
		if (!(err instanceof DbInUseError)) throw err;
		const warning = `${err.message} Audits run now are kept in memory only and are not saved to that history.`;
		opts.log.warn(warning);
		opts.onWarning?.(warning);
		store = await HistoryStore.open({ path: undefined, settings, log });
	}
	return new Engine({ settings, store, artifactsDir, log: opts.log, kits: [createCroKit] });
}
