/** What the result panel reads from its state: the Lighthouse runs, their form factors and version, stage titles. */
import { crossMajorNote, runsLighthouseVersion } from '../../format/insights';
import type { FormFactor, LighthouseRun, StageName, StageOutcomes } from '../../protocol';
import { FORM_FACTORS } from '../../protocol/options';
import type { PanelState } from '../protocol';

/** Short stage names, for the progress list and the problems. */
export const STAGE_TITLES: Record<StageName, string> = {
	'lighthouse-mobile': 'Lighthouse mobile',
	'lighthouse-desktop': 'Lighthouse desktop',
	capture: 'Screenshots',
	cro: 'CRO',
	ai: 'AI',
	crux: 'CrUX',
};

export function lighthouse(s: PanelState, ff: FormFactor, stages: StageOutcomes = s.stages): LighthouseRun | undefined {
	const o = stages[`lighthouse-${ff}`];
	return o?.status === 'ok' ? o.data : undefined;
}

export function formFactorsOf(s: PanelState): FormFactor[] {
	const wanted = s.result?.options.formFactors;
	if (wanted?.length) return wanted;
	const seen = FORM_FACTORS.filter((ff) => s.stages[`lighthouse-${ff}`] || s.progress[`lighthouse-${ff}`]);
	return seen.length ? seen : [...FORM_FACTORS];
}

/** The Lighthouse that made this result: the runs' own version (the engine's while none has finished). */
export function lighthouseVersion(s: PanelState, stages: StageOutcomes = s.stages): string | undefined {
	return runsLighthouseVersion(stages, stages === s.stages ? s.result?.lighthouseVersion : undefined);
}

/** `Lighthouse 12 → 13: scores not directly comparable` when the previous audit was made by another major. */
export function crossMajor(s: PanelState): string | undefined {
	return s.previous ? crossMajorNote(lighthouseVersion(s), lighthouseVersion(s, s.previous.stages)) : undefined;
}
