import type { AiData } from '../../protocol';
import type { AnthropicClient } from '../ai/anthropicClient';
import { BreakerOpenError } from '../ai/breaker';
import { aiInput } from '../derive/cro';
import { AuditError, throwIfAborted } from '../errors';
import { redact } from '../log';
import type { Stage, StageContext } from './stage';

/** Skip reason when no key is configured (the extension and CLI show it as is). */
export const NO_KEY_REASON = 'no Anthropic API key set';

/**
 * The AI stage: CRO suggestions from Anthropic, on top of the heuristic findings. It awaits the capture
 * (screenshots, facts); what it sends is derived from that alone (../derive/cro.ts `aiInput`). When the API
 * fails or the breaker is open, the stage still succeeds with no suggestions and a note saying why, so
 * the audit keeps its heuristic findings.
 */
export function createAiStage(client: AnthropicClient): Stage<'ai'> {
	return {
		name: 'ai',
		skipReason(ctx) {
			if (!ctx.options.stages.ai) return 'AI suggestions are off for this audit';
			if (!ctx.settings.anthropicApiKey) return NO_KEY_REASON;
			if (!ctx.options.stages.capture) return 'AI suggestions need the capture stage, which is off for this audit';
			return undefined;
		},
		async run(ctx: StageContext): Promise<AiData> {
			const model = ctx.settings.aiModel;
			const capture = await ctx.outcome('capture');
			if (!capture || capture.status !== 'ok')
				throw new AuditError(
					'AI_ERROR',
					'No AI suggestions: the page capture did not succeed, so there is nothing to send.',
				);
			throwIfAborted(ctx.signal);
			try {
				const result = await client.suggest(aiInput(ctx.url, capture.data), ctx.settings, ctx.signal);
				return {
					model: result.model,
					suggestions: result.suggestions,
					dropped: result.dropped,
					usage: result.usage,
					...(result.dropped > 0
						? {
								note: `${result.dropped} suggestion(s) named nothing on the page (or were malformed) and were left out.`,
							}
						: {}),
				};
			} catch (err) {
				throwIfAborted(ctx.signal);
				if (err instanceof BreakerOpenError) {
					const seconds = Math.max(1, Math.ceil((err.retryAt - Date.now()) / 1000));
					return {
						model,
						suggestions: [],
						dropped: 0,
						note: `AI suggestions are paused for about ${seconds} s after repeated Anthropic API failures${err.lastError ? ` (last: ${redact(err.lastError)})` : ''}. The heuristic findings are complete.`,
					};
				}
				const message =
					err instanceof AuditError ? err.message : redact(err instanceof Error ? err.message : String(err));
				return {
					model,
					suggestions: [],
					dropped: 0,
					note: `No AI suggestions for this audit: ${message} The heuristic findings are complete.`,
				};
			}
		},
	};
}
