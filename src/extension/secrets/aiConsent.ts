/**
 * Whether an audit may send the page to Anthropic for AI suggestions. Audits on save never do unless
 * `auditlens.aiOnSave` opts in; before the first AI call ever, the person is told what is sent and
 * chooses (remembered in globalState; setting the Anthropic key again asks again).
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { aiDecision, type AiConsentAnswer } from './aiPolicy';
import { SECRET_ANTHROPIC_KEY } from './secrets';

export const AI_CONSENT_KEY = 'auditlens.aiConsent';

export const AI_CONSENT_PROMPT =
	'AuditLens can ask Anthropic’s AI for conversion suggestions. To do so it sends the page’s screenshots and text ' +
	'(title, headings, calls to action, form labels) to Anthropic under your API key. Allow this for AI audits from now on?';
const ALLOW = 'Allow';
const WITHOUT_AI = 'Audit Without AI';

/**
 * Whether this audit runs the AI stage, asking the person when they never answered. Dismissing the
 * question runs this audit without AI and asks again next time.
 */
export async function aiStageAllowed(ctx: Ctx, onSave: boolean): Promise<boolean> {
	const state = ctx.extension.globalState;
	const stored = state.get<string>(AI_CONSENT_KEY);
	const answer = stored === 'allow' || stored === 'deny' ? stored : undefined;
	const keySet = Boolean(await ctx.extension.secrets.get(SECRET_ANTHROPIC_KEY));
	const decision = aiDecision({ keySet, onSave, aiOnSave: ctx.config.aiOnSave, answer });
	if (decision !== 'ask') return decision === 'run';
	const choice = await vscode.window.showInformationMessage(
		AI_CONSENT_PROMPT,
		{ modal: true, detail: 'You can change this later by setting the Anthropic API key again.' },
		ALLOW,
		WITHOUT_AI,
	);
	if (choice === undefined) return false;
	const given: AiConsentAnswer = choice === ALLOW ? 'allow' : 'deny';
	await state.update(AI_CONSENT_KEY, given);
	ctx.log.info(`AI suggestions: ${given === 'allow' ? 'allowed' : 'declined'} by the user`);
	return given === 'allow';
}

/** Forget the answer (a new key was set: ask again before the next AI call). */
export function resetAiConsent(ctx: Ctx): Thenable<void> {
	return ctx.extension.globalState.update(AI_CONSENT_KEY, undefined);
}
