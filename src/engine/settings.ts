import { z } from 'zod';
import type { EngineSettings } from '../protocol';

/** Defaults for every engine limit and setting. The extension's contributes.configuration mirrors these. */
export const DEFAULT_SETTINGS: EngineSettings = {
	maxConcurrentAudits: 2,
	maxBrowsers: 2,
	maxCaptureContexts: 2,
	maxAiCalls: 1,
	queueSize: 50,
	auditTimeoutMs: 120_000,
	accuracyMode: false,
	runsPerUrl: 1,
	recycleAfterRuns: 50,
	browserIdleTimeoutMs: 120_000,
	usePool: true,
	cacheTtlMs: 24 * 3600_000,
	cacheMaxEntries: 200,
	historyMaxAgeDays: 30,
	historyMaxCount: 1000,
	screenshotTargetBytes: 200_000,
	aiModel: 'claude-sonnet-4-6',
	aiMaxTokens: 2048,
	aiDeep: false,
};

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** Schema for `configure` params (and CLI/extension settings): partial, strict, bounded. */
export const settingsPatchSchema = z
	.object({
		maxConcurrentAudits: int(1, 16),
		maxBrowsers: int(1, 16),
		maxCaptureContexts: int(1, 16),
		maxAiCalls: int(1, 8),
		queueSize: int(0, 10_000),
		auditTimeoutMs: int(5_000, 30 * 60_000),
		accuracyMode: z.boolean(),
		runsPerUrl: int(1, 9),
		recycleAfterRuns: int(1, 100),
		browserIdleTimeoutMs: int(1_000, 24 * 3600_000),
		usePool: z.boolean(),
		chromePath: z.string().min(1).optional(),
		cacheTtlMs: int(0, 365 * 24 * 3600_000),
		cacheMaxEntries: int(0, 100_000),
		historyMaxAgeDays: int(1, 3650),
		historyMaxCount: int(1, 1_000_000),
		screenshotTargetBytes: int(20_000, 5_000_000),
		aiModel: z.string().min(1),
		aiMaxTokens: int(256, 64_000),
		aiDeep: z.boolean(),
		anthropicApiKey: z.string().optional(),
		cruxApiKey: z.string().optional(),
	})
	.partial()
	.strict();
