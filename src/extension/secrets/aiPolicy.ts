/**
 * When an audit may run the AI stage (which sends screenshots and page text to Anthropic). Pure: the
 * questions and the stored answer live in aiConsent.ts.
 */

export type AiConsentAnswer = 'allow' | 'deny';

/** `run`: leave the AI stage on; `off`: turn it off for this audit; `ask`: ask the person first. */
export type AiDecision = 'run' | 'off' | 'ask';

export interface AiDecisionInput {
	/** An Anthropic key is set (without one the engine skips the stage and sends nothing). */
	keySet: boolean;
	/** The audit was started by a save. */
	onSave: boolean;
	/** `auditlens.aiOnSave`. */
	aiOnSave: boolean;
	/** The answer given before, if any. */
	answer: AiConsentAnswer | undefined;
}

/** What to do with the AI stage of one audit. Pure. */
export function aiDecision(input: AiDecisionInput): AiDecision {
	if (input.onSave && !input.aiOnSave) return 'off';
	if (!input.keySet) return 'run';
	if (input.answer === 'allow') return 'run';
	if (input.answer === 'deny') return 'off';
	return 'ask';
}
