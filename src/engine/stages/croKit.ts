import type { EngineSettings } from '../../protocol';
import { AnthropicClient } from '../ai/anthropicClient';
import { CaptureBrowser } from '../capture/captureBrowser';
import { CruxClient } from '../crux/cruxClient';
import type { Logger } from '../log';
import { createAiStage } from './aiStage';
import { createCaptureStage } from './captureStage';
import { createCroStage } from './croStage';
import { createCruxStage } from './cruxStage';
import type { StageKit } from './index';

/**
 * The capture, CRO, AI and CrUX stages with the services they share: one Playwright browser for capture,
 * the Anthropic client and the CrUX client (each with its own circuit breaker). The engine runs these
 * stages beside the Lighthouse ones, calls `configure` on the services when settings change, merges their
 * `stats()` (ai, crux) into the engine stats, and `close()`s them on shutdown.
 */
export function createCroKit(settings: Readonly<EngineSettings>, log: Logger): StageKit {
	const browser = new CaptureBrowser(settings, log.child('capture'));
	const ai = new AnthropicClient(settings, log.child('ai'));
	const crux = new CruxClient(settings, log.child('crux'));
	return {
		stages: [createCaptureStage(browser), createCroStage(), createAiStage(ai), createCruxStage(crux)],
		services: [browser, ai, crux],
	};
}
