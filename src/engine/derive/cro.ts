import type { AuditOptions, CaptureData, CroData, StageOutcome, StageOutcomes } from '../../protocol';
import type { SuggestInput } from '../ai/anthropicClient';
import { croFindings, domFindings, type RunsByFormFactor } from './croRules';

/**
 * The CRO findings as a pure function of the artifacts gathered so far: the capture's DOM facts, and the
 * metrics of every Lighthouse run that has finished. Undefined while the capture has not finished (nothing
 * to say yet). The engine calls it again as each artifact arrives and sends the outcome when it changes:
 * DOM findings seconds into an audit, metric findings (slow LCP, heavy TBT) once Lighthouse is done.
 */
export function deriveCro(options: AuditOptions, gathered: StageOutcomes): StageOutcome<CroData> | undefined {
	const capture = gathered.capture;
	const at = (outcome?: { startedAt: string; durationMs: number }) =>
		new Date(outcome ? Date.parse(outcome.startedAt) + outcome.durationMs : Date.now()).toISOString();
	if (!options.stages.cro)
		return { status: 'skipped', reason: 'CRO findings are off for this audit', startedAt: at(), durationMs: 0 };
	if (!options.stages.capture)
		return {
			status: 'skipped',
			reason: 'CRO findings need the capture stage, which is off for this audit',
			startedAt: at(),
			durationMs: 0,
		};
	if (!capture) return undefined;
	if (capture.status === 'cancelled') return { status: 'cancelled', startedAt: at(capture), durationMs: 0 };
	if (capture.status !== 'ok') {
		const why = capture.status === 'error' ? `failed (${capture.error.message})` : `was skipped (${capture.reason})`;
		return {
			status: 'error',
			error: { code: 'CAPTURE_ERROR', message: `No CRO findings: the page capture ${why}.` },
			startedAt: at(capture),
			durationMs: 0,
		};
	}
	const runs: RunsByFormFactor = {};
	for (const formFactor of options.formFactors) {
		const run = gathered[`lighthouse-${formFactor}`];
		if (run?.status === 'ok') runs[formFactor] = run.data;
	}
	const t0 = performance.now();
	const findings = croFindings(capture.data.facts, runs);
	return { status: 'ok', data: { findings }, startedAt: at(capture), durationMs: Math.round(performance.now() - t0) };
}

/**
 * What the AI stage sends to the model: the capture's facts and screenshots and the heuristic findings of
 * the DOM. Only the capture goes in (never Lighthouse's metrics, which may or may not have arrived by then),
 * so the same page gives the model the same input.
 */
export function aiInput(url: string, capture: CaptureData): SuggestInput {
	return { url, facts: capture.facts, findings: domFindings(capture.facts), shots: capture.shots };
}
