import type {
	AuditOptions,
	EngineSettings,
	ErrorInfo,
	ProgressState,
	StageDataMap,
	StageName,
	StageOutcome,
	StageOutcomes,
} from '../../protocol';
import { toErrorInfo } from '../errors';
import type { AuthPlan } from '../auth/authRequest';
import type { Logger } from '../log';
import type { Stage, StageContext } from './stage';

export interface StageRunInput {
	auditId: string;
	url: string;
	options: AuditOptions;
	settings: Readonly<EngineSettings>;
	signal: AbortSignal;
	artifactsDir: string;
	log: Logger;
	auth?: AuthPlan;
	/**
	 * Outcomes already known (e.g. a saved capture re-used in a test): stages that await them get them,
	 * and they are not run again.
	 */
	given?: StageOutcomes;
}

export interface StageRunHooks {
	progress(stage: StageName, state: ProgressState, message?: string): void;
	/** Called the moment a stage has its outcome. */
	outcome<K extends StageName>(stage: K, outcome: StageOutcome<StageDataMap[K]>): void;
}

export interface StageRunOutput {
	stages: StageOutcomes;
	artifacts: Map<string, unknown>;
}

/**
 * The gather step: runs every stage of one audit concurrently. A stage that fails marks its own error
 * and leaves the others' results; a stage that needs another's artifact (AI needs the capture) waits for
 * it through `ctx.outcome`. Derived data (CRO findings) is not made here but in ../derive from the outcomes.
 */
export async function runStages(
	stages: readonly Stage[],
	input: StageRunInput,
	hooks: StageRunHooks,
): Promise<StageRunOutput> {
	const outcomes: StageOutcomes = {};
	const artifacts = new Map<string, unknown>();
	const waiters = new Map<StageName, Promise<StageOutcome<unknown>>>();
	const resolvers = new Map<StageName, (o: StageOutcome<unknown>) => void>();
	const handed = new Map<string, { value: Promise<unknown>; give(value: unknown): void }>();
	const handoff = (key: string) => {
		let entry = handed.get(key);
		if (!entry) {
			let give!: (value: unknown) => void;
			const value = new Promise<unknown>((resolve) => (give = resolve));
			entry = { value, give };
			handed.set(key, entry);
		}
		return entry;
	};
	for (const [name, outcome] of Object.entries(input.given ?? {}) as [StageName, StageOutcome<unknown>][])
		waiters.set(name, Promise.resolve(outcome));
	const toRun = stages.filter((stage) => !input.given?.[stage.name]);
	for (const stage of toRun) {
		waiters.set(stage.name, new Promise((resolve) => resolvers.set(stage.name, resolve)));
	}

	const ctx: StageContext = {
		auditId: input.auditId,
		url: input.url,
		options: input.options,
		settings: input.settings,
		signal: input.signal,
		artifactsDir: input.artifactsDir,
		log: input.log,
		...(input.auth ? { auth: input.auth } : {}),
		outcome: <K extends StageName>(name: K) =>
			(waiters.get(name) ?? Promise.resolve(undefined)) as Promise<StageOutcome<StageDataMap[K]> | undefined>,
		keep: (key, value) => void artifacts.set(key, value),
		share: (key, value) => handoff(key).give(value),
		shared: (key) => handoff(key).value,
	};

	const settle = <K extends StageName>(name: K, outcome: StageOutcome<StageDataMap[K]>) => {
		(outcomes as Record<string, unknown>)[name] = outcome;
		resolvers.get(name)?.(outcome as StageOutcome<unknown>);
		hooks.outcome(name, outcome);
	};

	await Promise.all(
		toRun.map(async (stage) => {
			const startedAt = new Date().toISOString();
			const t0 = performance.now();
			const reason = stage.skipReason(ctx);
			if (reason !== undefined) {
				hooks.progress(stage.name, 'skipped', reason);
				settle(stage.name, { status: 'skipped', reason, startedAt, durationMs: 0 });
				return;
			}
			hooks.progress(stage.name, 'started');
			try {
				const data = await stage.run(ctx);
				const durationMs = Math.round(performance.now() - t0);
				hooks.progress(stage.name, 'done');
				settle(stage.name, { status: 'ok', data, startedAt, durationMs });
			} catch (err) {
				const durationMs = Math.round(performance.now() - t0);
				const info: ErrorInfo = input.signal.aborted ? abortInfo(input.signal) : toErrorInfo(err);
				if (info.code === 'CANCELLED') {
					hooks.progress(stage.name, 'cancelled');
					settle(stage.name, { status: 'cancelled', startedAt, durationMs });
				} else {
					// A stage stopped by the engine's shutdown (Ctrl-C in the CLI) did not fail: no warning for it.
					if (info.code === 'SHUTTING_DOWN') input.log.debug(`${stage.name} stopped for ${input.url}: ${info.message}`);
					else input.log.warn(`${stage.name} failed for ${input.url}: ${info.message}`);
					hooks.progress(stage.name, 'error', info.message);
					settle(stage.name, { status: 'error', error: info, startedAt, durationMs });
				}
			}
		}),
	);
	return { stages: outcomes, artifacts };
}

function abortInfo(signal: AbortSignal): ErrorInfo {
	return toErrorInfo(signal.reason, 'CANCELLED');
}
