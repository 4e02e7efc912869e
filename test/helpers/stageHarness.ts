import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {
	AuditOptions,
	EngineSettings,
	StageDataMap,
	StageName,
	StageOutcome,
	StageOutcomes,
} from '../../src/protocol';
import { runStages } from '../../src/engine/gather/runStages';
import type { Stage } from '../../src/engine/gather/stage';
import { createLogger, type Logger, type LogLevel } from '../../src/engine/log';
import { DEFAULT_SETTINGS } from '../../src/engine/settings';
import { sampleOptions } from './sampleResult';

export interface StageHarnessInit {
	url: string;
	settings?: Partial<EngineSettings>;
	options?: Partial<AuditOptions>;
	artifactsDir?: string;
	logLevel?: LogLevel;
}

/**
 * Runs stages one at a time through the engine's own runner (gather/runStages.ts), with the outcomes of
 * stages run before (or given with `setOutcome`, such as a saved capture) handed to the ones that await them.
 */
export class StageHarness {
	readonly url: string;
	readonly options: AuditOptions;
	readonly settings: EngineSettings;
	readonly artifactsDir: string;
	readonly log: Logger;
	/** Every log line written through `log`, after redaction. */
	readonly logLines: string[] = [];
	/** Artifacts the stages kept (e.g. `lhr:mobile`). */
	readonly kept = new Map<string, unknown>();
	/** `stage:state` of every progress event, in order. */
	readonly progress: string[] = [];
	private readonly outcomes: StageOutcomes = {};
	private readonly controller = new AbortController();

	constructor(init: StageHarnessInit) {
		this.url = init.url;
		this.settings = { ...DEFAULT_SETTINGS, ...init.settings };
		this.options = sampleOptions({
			stages: { lighthouse: false, capture: true, cro: true, ai: true, crux: true },
			...init.options,
		});
		this.artifactsDir = init.artifactsDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-test-'));
		this.log = createLogger(
			init.logLevel ?? 'debug',
			[(level, line) => this.logLines.push(`${level} ${line}`)],
			'test',
		);
	}

	/** Abort the audit (cancel). */
	abort(reason?: unknown): void {
		this.controller.abort(reason);
	}

	/** Provide (or replace) another stage's outcome, as if that stage had run. */
	setOutcome<K extends StageName>(name: K, outcome: StageOutcome<StageDataMap[K]>): void {
		(this.outcomes as Record<string, unknown>)[name] = outcome;
	}

	/** Run one stage the way the engine does; its outcome is then given to stages run after it. */
	async runStage<K extends StageName>(stage: Stage<K>): Promise<StageOutcome<StageDataMap[K]>> {
		const given = { ...this.outcomes };
		delete given[stage.name];
		const { stages, artifacts } = await runStages(
			[stage as Stage],
			{
				auditId: `test-${Date.now().toString(36)}`,
				url: this.url,
				options: this.options,
				settings: this.settings,
				signal: this.controller.signal,
				artifactsDir: this.artifactsDir,
				log: this.log,
				given,
			},
			{ progress: (name, state) => void this.progress.push(`${name}:${state}`), outcome: () => undefined },
		);
		for (const [k, v] of artifacts) this.kept.set(k, v);
		const outcome = stages[stage.name] as StageOutcome<StageDataMap[K]>;
		this.setOutcome(stage.name, outcome);
		return outcome;
	}
}
