/**
 * What a result is (ok, partial, failed, from the cache) in words: the banner at the top of the result
 * panel, the age of a cached result, the stage names people read. Shared by the extension host and the
 * webview. Pure: no `vscode`, no DOM.
 */
import type { AuditResult, AuditStatus, ErrorInfo, StageName, StageOutcomes } from '../protocol';

export const STAGE_LABEL: Record<StageName, string> = {
	'lighthouse-mobile': 'Lighthouse (mobile)',
	'lighthouse-desktop': 'Lighthouse (desktop)',
	capture: 'Screenshots and page facts',
	cro: 'CRO rules',
	ai: 'AI suggestions',
	crux: 'Field data (CrUX)',
};

/** Stages in the order people read them (and the engine reports them). */
export const STAGE_ORDER: readonly StageName[] = [
	'lighthouse-mobile',
	'lighthouse-desktop',
	'capture',
	'cro',
	'ai',
	'crux',
];

/**
 * How long ago `then` was, for labels: `just now`, `12 min ago`, `3 h ago`, `2 days ago`. A time in the
 * future (clocks of two machines) reads as `just now`.
 */
export function ageLabel(then: string | number, now: number): string {
	const at = typeof then === 'number' ? then : Date.parse(then);
	if (!Number.isFinite(at) || !Number.isFinite(now)) throw new TypeError(`ageLabel: not a time: ${String(then)}`);
	const minutes = Math.floor((now - at) / 60_000);
	if (minutes < 1) return 'just now';
	if (minutes < 60) return `${minutes} min ago`;
	const hours = Math.floor(minutes / 60);
	if (hours < 24) return `${hours} h ago`;
	const days = Math.floor(hours / 24);
	return `${days} day${days === 1 ? '' : 's'} ago`;
}

/** `cached, 12 min ago` for a result the engine answered from its cache; '' for a fresh one. */
export function cacheLabel(result: Pick<AuditResult, 'fromCache' | 'requestedAt'>, now: number): string {
	return result.fromCache ? `cached, ${ageLabel(result.requestedAt, now)}` : '';
}

export interface StageProblem {
	/** Undefined for the audit as a whole. */
	stage?: StageName;
	label: string;
	message: string;
}

export interface Banner {
	kind: 'warning' | 'error';
	title: string;
	/** What failed, one line each (stage and its message). */
	problems: StageProblem[];
	/** What to do about it. */
	hint: string;
}

/** The error of every stage that failed, in reading order: `stageErrors`, else the stage outcomes. */
export function stageProblems(result: Pick<AuditResult, 'stageErrors'> & { stages?: StageOutcomes }): StageProblem[] {
	const errors: Partial<Record<StageName, ErrorInfo>> = { ...result.stageErrors };
	for (const name of STAGE_ORDER) {
		const o = result.stages?.[name];
		if (!errors[name] && o?.status === 'error') errors[name] = o.error;
	}
	return STAGE_ORDER.filter((n) => errors[n]).map((n) => ({
		stage: n,
		label: STAGE_LABEL[n],
		message: (errors[n] as ErrorInfo).message,
	}));
}

/**
 * The banner at the top of a result: undefined for an `ok` one; for `partial`, which stages failed and
 * why (what is shown is incomplete); for `failed`, why nothing could be shown.
 */
export function resultBanner(
	result: Pick<AuditResult, 'status' | 'stageErrors' | 'error'> & { stages?: StageOutcomes },
): Banner | undefined {
	const status: AuditStatus = result.status ?? (result.error ? 'failed' : 'ok');
	if (status === 'ok') return undefined;
	const problems = stageProblems(result);
	if (status === 'partial') {
		const n = problems.length;
		return {
			kind: 'warning',
			title: n
				? `Partial result: ${n} stage${n === 1 ? '' : 's'} failed`
				: 'Partial result: some stages did not finish',
			problems,
			hint: 'What is shown below is incomplete and was not cached. Re-run the audit once the cause is fixed.',
		};
	}
	return {
		kind: 'error',
		title: 'The audit failed',
		// The audit's own error first; a stage error that only repeats it is left out.
		problems: result.error
			? [
					{ label: 'Audit', message: result.error.message },
					...problems.filter((p) => p.message !== result.error?.message),
				]
			: problems,
		hint: 'Nothing could be measured. Fix the cause and re-run the audit.',
	};
}
