import os from 'node:os';
import path from 'node:path';
import type { EngineSettings } from '../protocol';
import { AnthropicClient } from './ai/anthropicClient';
import { CaptureBrowser } from './capture/captureBrowser';
import { findChrome } from './chrome/findChrome';
import { CruxClient } from './crux/cruxClient';
import { Engine } from './engine';
import { createAiStage } from './gather/ai';
import { createCaptureStage } from './gather/capture';
import { createCruxStage } from './gather/crux';
import { createLighthouseStage } from './gather/lighthouse';
import { DbInUseError } from './history/dbFile';
import { HistoryStore } from './history/historyStore';
import { chromeVersion } from './lighthouse/chromeVersion';
import { LighthouseService } from './lighthouse/lighthouseService';
import { type Logger, registerSecret } from './log';
import { ResultCache } from './resultCache';
import { DEFAULT_SETTINGS } from './settings';

export interface CreateEngineOptions {
	/** History database file; undefined keeps history in memory only. */
	db?: string;
	/** Folder for screenshots; defaults to `artifacts` beside the database (or in the temp folder). */
	artifactsDir?: string;
	settings?: Partial<EngineSettings>;
	log: Logger;
	/** Told about problems the user should see even when logs are quiet (e.g. the history file is in use). */
	onWarning?: (message: string) => void;
	/** Override of the Lighthouse worker script (tests). */
	workerPath?: string;
	/** The least wait of the preflight for a page's first answer (default PREFLIGHT_MIN_MS; tests shorten it). */
	preflightMinMs?: number;
}

/**
 * The composition root shared by the engine process and the CLI: it builds every service (the Lighthouse
 * pool, the capture browser, the Anthropic and CrUX clients), every gather stage over them, the history
 * and the result cache, and hands them to the Engine, which only sequences them.
 */
export async function createEngine(opts: CreateEngineOptions): Promise<Engine> {
	const artifactsDir = artifactsDirOf(opts);
	const settings: EngineSettings = { ...DEFAULT_SETTINGS, ...opts.settings };
	registerSecret(settings.anthropicApiKey);
	registerSecret(settings.cruxApiKey);
	const log = opts.log;
	const history = await openHistory(opts, settings);
	const cache = new ResultCache(settings, log.child('cache'), history);

	const lighthouse = new LighthouseService(settings, log.child('lighthouse'), opts.workerPath);
	const capture = new CaptureBrowser(settings, log.child('capture'));
	const ai = new AnthropicClient(settings, log.child('ai'));
	const crux = new CruxClient(settings, log.child('crux'));
	return new Engine({
		settings,
		history,
		cache,
		stages: [
			createLighthouseStage('mobile', lighthouse),
			createLighthouseStage('desktop', lighthouse),
			createCaptureStage(capture),
			createAiStage(ai),
			createCruxStage(crux),
		],
		services: [lighthouse, capture, ai, crux],
		browsers: lighthouse.pool,
		versions: {
			lighthouse: () => lighthouse.lighthouseVersion,
			chrome: (s) =>
				Promise.resolve()
					.then(() => findChrome(s.chromePath))
					.then(chromeVersion, () => undefined),
		},
		artifactsDir,
		log,
		preflightMinMs: opts.preflightMinMs,
	});
}

/** Where screenshots go: `artifacts` beside the database (or in the temp folder), unless given. */
export function artifactsDirOf(opts: Pick<CreateEngineOptions, 'artifactsDir' | 'db'>): string {
	return (
		opts.artifactsDir ??
		(opts.db ? path.join(path.dirname(opts.db), 'artifacts') : path.join(os.tmpdir(), 'auditlens-artifacts'))
	);
}

/** The history of `opts.db`; one another process holds is replaced by one in memory, with a warning. */
export async function openHistory(
	opts: Pick<CreateEngineOptions, 'db' | 'log' | 'onWarning'>,
	settings: EngineSettings,
): Promise<HistoryStore> {
	const log = opts.log.child('history');
	try {
		return await HistoryStore.open({ path: opts.db, settings, log });
	} catch (err) {
		// A second editor window, or the CLI beside the editor: audit anyway, keep this session's history in memory.
		if (!(err instanceof DbInUseError)) throw err;
		const warning = `${err.message} Audits run now are kept in memory only and are not saved to that history.`;
		opts.log.warn(warning);
		opts.onWarning?.(warning);
		return HistoryStore.open({ path: undefined, settings, log });
	}
}
