/** Live engine statistics. */
import type { StageName } from './result';
import type { EngineSettings } from './settings';

export interface StageTiming {
	count: number;
	p50: number;
	p95: number;
}

export interface EngineStats {
	pid: number;
	uptimeMs: number;
	engineVersion: string;
	lighthouseVersion: string;
	audits: { active: number; queued: number; done: number; failed: number; cancelled: number; rejectedBusy: number };
	browsers: { idle: number; busy: number; launched: number; crashed: number; recycled: number; pids: number[] };
	workers: { count: number; busy: number; replaced: number };
	lighthouseRuns: number;
	stages: Partial<Record<StageName, StageTiming>>;
	memory: { engineRss: number; chromeRss: Record<string, number>; totalRss: number };
	cache: { hits: number; misses: number; entries: number; bytes: number };
	history: { audits: number; dbBytes: number; path?: string };
	ai: { calls: number; failures: number; breaker: 'closed' | 'open' | 'half-open'; p50Ms: number };
	crux: { calls: number; failures: number; breaker: 'closed' | 'open' | 'half-open'; p50Ms: number };
	settings: Omit<EngineSettings, 'anthropicApiKey' | 'cruxApiKey'> & {
		anthropicApiKeySet: boolean;
		cruxApiKeySet: boolean;
	};
}
