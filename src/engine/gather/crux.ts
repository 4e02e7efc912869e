import type { CruxData } from '../../protocol';
import { BreakerOpenError } from '../ai/breaker';
import { privateHostReason, type CruxClient, type CruxFormFactor } from '../crux/cruxClient';
import { AuditError } from '../errors';
import type { Stage, StageContext } from './stage';

/** Skip reason when no key is configured. */
export const NO_CRUX_KEY_REASON = 'no CrUX API key set';

/**
 * The CrUX stage: p75 field metrics (LCP, INP, CLS, FCP, TTFB) of the origin and the URL from the Chrome UX
 * Report API. Skipped without a key and for local or private hosts. Independent of the other stages.
 */
export function createCruxStage(client: CruxClient): Stage<'crux'> {
	return {
		name: 'crux',
		skipReason(ctx) {
			if (!ctx.options.stages.crux) return 'CrUX field data is off for this audit';
			if (!ctx.settings.cruxApiKey) return NO_CRUX_KEY_REASON;
			return privateHostReason(ctx.url);
		},
		async run(ctx: StageContext): Promise<CruxData> {
			const ff = ctx.options.formFactors;
			const formFactor: CruxFormFactor | undefined =
				ff.length === 1 ? (ff[0] === 'mobile' ? 'PHONE' : 'DESKTOP') : undefined;
			try {
				return await client.fieldData(ctx.url, ctx.settings, formFactor, ctx.signal);
			} catch (err) {
				if (err instanceof BreakerOpenError)
					throw new AuditError('CRUX_ERROR', `${err.message} (last: ${err.lastError ?? 'unknown'})`);
				throw err;
			}
		},
	};
}
