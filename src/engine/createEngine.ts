import os from 'node:os';
import path from 'node:path';
import type { EngineSettings } from '../protocol';
import { Engine } from './engine';
import type { Logger } from './log';
import { DEFAULT_SETTINGS } from './settings';
import { createCroKit } from './stages/croKit';
import { HistoryStore } from './store/historyStore';

export interface CreateEngineOptions {
	/** History database file; undefined keeps history in memory only. */
	db?: string;
	/** Folder for screenshots; defaults to `artifacts` beside the database (or in the temp folder). */
	artifactsDir?: string;
	settings?: Partial<EngineSettings>;
	log: Logger;
}

/** The composition root shared by the engine process and the CLI: store, stage kits, engine. */
export async function createEngine(opts: CreateEngineOptions): Promise<Engine> {
	const artifactsDir = opts.artifactsDir ?? (opts.db ? path.join(path.dirname(opts.db), 'artifacts') : path.join(os.tmpdir(), 'auditlens-artifacts'));
	const settings = { ...DEFAULT_SETTINGS, ...opts.settings };
	const store = await HistoryStore.open({ path: opts.db, settings, log: opts.log.child('history') });
	return new Engine({ settings, store, artifactsDir, log: opts.log, kits: [createCroKit] });
}
