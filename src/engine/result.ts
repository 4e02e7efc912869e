import type { AuditResult, AuditStatus, ErrorInfo, StageName, StageOutcomes } from '../protocol';
import { ENGINE_VERSION } from './version';

/**
 * What a run knows when it ends: `durationMs` from admission (the wait in the queue included), and `error`
 * when the audit as a whole could not go on (the page did not load, the time ran out).
 */
export type ResultInput = Pick<
	AuditResult,
	| 'id'
	| 'url'
	| 'requestedAt'
	| 'durationMs'
	| 'queuedMs'
	| 'options'
	| 'lighthouseVersion'
	| 'chromeVersion'
	| 'stages'
	| 'error'
	| 'auth'
>;

/** What a set of stage outcomes amounts to: the status, the error of each failed stage, and the audit's error. */
export function judge(stages: StageOutcomes, error?: ErrorInfo): Pick<AuditResult, 'status' | 'stageErrors' | 'error'> {
	const stageErrors: Partial<Record<StageName, ErrorInfo>> = {};
	for (const [name, outcome] of Object.entries(stages) as [StageName, NonNullable<StageOutcomes[StageName]>][]) {
		if (outcome.status === 'error') stageErrors[name] = outcome.error;
	}
	const withErrors = Object.keys(stageErrors).length > 0 ? { stageErrors } : {};
	const ran = Object.values(stages).filter((o) => o.status !== 'skipped');
	const somethingToShow = ran.some((o) => o.status === 'ok');
	if (error && !somethingToShow) return { status: 'failed', error, ...withErrors };
	if (!error && ran.length > 0 && !somethingToShow) {
		// Every stage failed: Lighthouse's error says most about the page, then the first other one.
		const first =
			stageErrors['lighthouse-mobile'] ?? stageErrors['lighthouse-desktop'] ?? Object.values(stageErrors)[0];
		return {
			status: 'failed',
			error: first ?? { code: 'INTERNAL', message: 'No stage of the audit finished.' },
			...withErrors,
		};
	}
	const status: AuditStatus = Object.keys(stageErrors).length > 0 || error ? 'partial' : 'ok';
	return { status, ...withErrors };
}

/** The result step: the AuditResult of one run, saying what it is (ok, partial or failed). */
export function buildResult(input: ResultInput): AuditResult {
	const result: AuditResult = {
		id: input.id,
		url: input.url,
		requestedAt: input.requestedAt,
		durationMs: Math.round(input.durationMs),
		queuedMs: Math.round(input.queuedMs),
		options: input.options,
		engineVersion: ENGINE_VERSION,
		lighthouseVersion: input.lighthouseVersion,
		...(input.chromeVersion ? { chromeVersion: input.chromeVersion } : {}),
		fromCache: false,
		stages: input.stages,
		...judge(input.stages, input.error),
		...(input.auth ? { auth: input.auth } : {}),
	};
	return result;
}
