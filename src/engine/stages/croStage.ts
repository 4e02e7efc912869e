import type { CroData, FormFactor, StageOutcome } from '../../protocol';
import { croFindings, type RunsByFormFactor } from '../cro/rules';
import { AuditError } from '../errors';
import type { Stage, StageContext } from './stage';

/**
 * The CRO stage: heuristic findings from the capture's DOM facts, with no network and no API key.
 *
 * It awaits only the capture stage, so findings are ready seconds into an audit instead of after
 * Lighthouse. Lighthouse-based findings (slow LCP, heavy TBT) are included when a Lighthouse run has
 * already finished by then; otherwise whoever assembles the result adds them with `withMetricFindings`
 * from ../cro/rules once Lighthouse is done (it is idempotent).
 */
export function createCroStage(): Stage<'cro'> {
	return {
		name: 'cro',
		skipReason(ctx) {
			if (!ctx.options.stages.cro) return 'CRO findings are off for this audit';
			return ctx.options.stages.capture ? undefined : 'CRO findings need the capture stage, which is off for this audit';
		},
		async run(ctx: StageContext): Promise<CroData> {
			const capture = await ctx.outcome('capture');
			if (!capture || capture.status !== 'ok') {
				const why = !capture ? 'did not run' : capture.status === 'error' ? `failed (${capture.error.message})` : capture.status === 'skipped' ? `was skipped (${capture.reason})` : 'was cancelled';
				throw new AuditError('CAPTURE_ERROR', `No CRO findings: the page capture ${why}.`);
			}
			const runs = await settledLighthouseRuns(ctx);
			return { findings: croFindings(capture.data.facts, runs) };
		},
	};
}

/** Lighthouse runs that have already finished successfully; never waits for one still running. */
async function settledLighthouseRuns(ctx: StageContext): Promise<RunsByFormFactor> {
	const runs: RunsByFormFactor = {};
	const names: Record<FormFactor, 'lighthouse-mobile' | 'lighthouse-desktop'> = { mobile: 'lighthouse-mobile', desktop: 'lighthouse-desktop' };
	for (const formFactor of ctx.options.formFactors) {
		const outcome = await peek(ctx.outcome(names[formFactor]));
		if (outcome?.status === 'ok') runs[formFactor] = outcome.data;
	}
	return runs;
}

/** The promise's value if it has already settled (within this turn of the event loop), else undefined. */
async function peek<T>(promise: Promise<StageOutcome<T> | undefined>): Promise<StageOutcome<T> | undefined> {
	const pending = Symbol('pending');
	const value = await Promise.race([promise.catch(() => undefined), new Promise<typeof pending>((resolve) => setImmediate(() => resolve(pending)))]);
	return value === pending ? undefined : value;
}
