import type { FormFactor, LighthouseRun } from '../../protocol';
import { contentionOf } from '../lighthouse/contention';
import type { LighthouseService } from '../lighthouse/lighthouseService';
import type { NavigationCapture } from '../lighthouse/navigationCapture';
import { assertNoRuntimeError, medianRun, summarizeLhr } from '../lighthouse/summarize';
import type { RunOutcome } from '../lighthouse/workerHandle';
import type { LhrLike } from '../lighthouse/workerProtocol';
import type { Stage, StageContext } from './stage';

/**
 * Lighthouse for one form factor: `runs` runs (one at a time for this form factor), the median
 * kept. The full Lighthouse JSON is kept beside the result as `lhr:<formFactor>`.
 */
export function createLighthouseStage(
	formFactor: FormFactor,
	service: LighthouseService,
): Stage<'lighthouse-mobile' | 'lighthouse-desktop'> {
	const name = lighthouseStageName(formFactor);
	return {
		name,
		skipReason(ctx) {
			if (!ctx.options.stages.lighthouse) return 'Lighthouse is off for this audit';
			if (!ctx.options.formFactors.includes(formFactor)) return `${formFactor} was not requested`;
			return undefined;
		},
		async run(ctx: StageContext): Promise<LighthouseRun> {
			const runs: RunOutcome[] = [];
			const started = Date.now();
			for (let i = 0; i < ctx.options.runs; i++) {
				const outcome = await service.run(
					{
						url: ctx.url,
						formFactor,
						categories: ctx.options.categories,
						throttling: ctx.options.throttling,
						timeoutMs: ctx.settings.auditTimeoutMs - (Date.now() - started),
						...(ctx.auth ? { auth: ctx.auth } : {}),
						// The first run also takes the capture stage's screenshots and DOM facts in the page it loaded.
						...(i === 0 && ctx.options.stages.capture
							? {
									capture: {
										dir: ctx.artifactsDir,
										prefix: formFactor,
										targetBytes: ctx.settings.screenshotTargetBytes,
									},
									onCapture: (capture: NavigationCapture) => ctx.share(navigationCaptureKey(formFactor), capture),
								}
							: {}),
					},
					ctx.signal,
				);
				hideExtraHeaders(outcome.lhr);
				assertNoRuntimeError(outcome.lhr, ctx.url);
				runs.push(outcome);
			}
			const kept = await medianRun(runs.map((r) => r.lhr));
			ctx.keep(`lhr:${formFactor}`, kept);
			const perf = runs.map((r) => r.lhr.categories.performance?.score ?? NaN);
			const keptRun = runs.find((r) => r.lhr === kept);
			return {
				...summarizeLhr(
					kept,
					formFactor,
					perf.filter((s) => Number.isFinite(s)),
				),
				// Only a benchmark this run measured says how busy the machine was during it.
				...contentionOf(
					keptRun?.trace,
					keptRun?.benchmarkMeasured ? kept.environment?.benchmarkIndex : undefined,
					keptRun?.fastestBenchmarkIndex,
				),
			};
		},
	};
}

/** The Lighthouse stage of `formFactor`. */
export function lighthouseStageName(formFactor: FormFactor): 'lighthouse-mobile' | 'lighthouse-desktop' {
	return formFactor === 'mobile' ? 'lighthouse-mobile' : 'lighthouse-desktop';
}

/** Where the Lighthouse stage of `formFactor` shares the capture its run took (`ctx.share`), for the capture stage. */
export function navigationCaptureKey(formFactor: FormFactor): string {
	return `navigation-capture:${formFactor}`;
}

/**
 * Lighthouse copies its settings into the report (`configSettings.extraHeaders`), which is stored and exported:
 * keep the header names, never their values.
 */
export function hideExtraHeaders(lhr: LhrLike): void {
	const settings = lhr.configSettings as { extraHeaders?: Record<string, string> | null } | undefined;
	if (!settings?.extraHeaders) return;
	settings.extraHeaders = Object.fromEntries(Object.keys(settings.extraHeaders).map((name) => [name, '(hidden)']));
}
