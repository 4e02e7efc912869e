import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuditOptions, EngineSettings, StageDataMap, StageName, StageOutcome } from '../../src/protocol';
import { toErrorInfo } from '../../src/engine/errors';
import { createLogger, type Logger, type LogLevel } from '../../src/engine/log';
import { DEFAULT_SETTINGS } from '../../src/engine/settings';
import type { Stage, StageContext } from '../../src/engine/stages/stage';

type AnyOutcome = StageOutcome<StageDataMap[StageName]>;

export interface TestStageContext extends StageContext {
	/** Abort the audit (cancel). */
	abort(reason?: unknown): void;
	/** Provide (or replace) another stage's outcome. */
	setOutcome<K extends StageName>(name: K, outcome: StageOutcome<StageDataMap[K]> | Promise<StageOutcome<StageDataMap[K]>>): void;
	/** Run a stage the way the engine does and record its outcome for `outcome(name)`. */
	runStage<K extends StageName>(stage: Stage<K>): Promise<StageOutcome<StageDataMap[K]>>;
	/** Every log line written through `log`, after redaction. */
	logLines: string[];
	kept: Map<string, unknown>;
}

export interface StageContextInit {
	url: string;
	settings?: Partial<EngineSettings>;
	options?: Partial<AuditOptions>;
	artifactsDir?: string;
	logLevel?: LogLevel;
}

/** A StageContext for running one stage in a test, without the engine. */
export function makeStageContext(init: StageContextInit): TestStageContext {
	const controller = new AbortController();
	const outcomes = new Map<StageName, Promise<AnyOutcome>>();
	const logLines: string[] = [];
	const log: Logger = createLogger(init.logLevel ?? 'debug', [(level, line) => logLines.push(`${level} ${line}`)], 'test');
	const kept = new Map<string, unknown>();
	const options: AuditOptions = {
		formFactors: ['mobile', 'desktop'],
		categories: ['performance', 'accessibility', 'best-practices', 'seo'],
		throttling: 'simulate',
		runs: 1,
		stages: { lighthouse: false, capture: true, cro: true, ai: true, crux: true },
		devServer: false,
		...init.options,
	};
	const ctx: TestStageContext = {
		auditId: `test-${Date.now().toString(36)}`,
		url: init.url,
		options,
		settings: { ...DEFAULT_SETTINGS, ...init.settings },
		signal: controller.signal,
		artifactsDir: init.artifactsDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-test-')),
		log,
		logLines,
		kept,
		outcome: async <K extends StageName>(name: K) => (await outcomes.get(name)) as StageOutcome<StageDataMap[K]> | undefined,
		keep: (key, value) => void kept.set(key, value),
		abort: (reason) => controller.abort(reason),
		setOutcome: (name, outcome) => void outcomes.set(name, Promise.resolve(outcome as AnyOutcome)),
		runStage: <K extends StageName>(stage: Stage<K>) => {
			const promise = runStage(stage, ctx);
			outcomes.set(stage.name, promise as Promise<AnyOutcome>);
			return promise;
		},
	};
	return ctx;
}

async function runStage<K extends StageName>(stage: Stage<K>, ctx: StageContext): Promise<StageOutcome<StageDataMap[K]>> {
	const startedAt = new Date().toISOString();
	const t0 = Date.now();
	const reason = stage.skipReason(ctx);
	if (reason !== undefined) return { status: 'skipped', reason, startedAt, durationMs: 0 };
	try {
		const data = await stage.run(ctx);
		return { status: 'ok', data, startedAt, durationMs: Date.now() - t0 };
	} catch (err) {
		if (ctx.signal.aborted && toErrorInfo(err).code === 'CANCELLED') return { status: 'cancelled', startedAt, durationMs: Date.now() - t0 };
		return { status: 'error', error: toErrorInfo(err), startedAt, durationMs: Date.now() - t0 };
	}
}
