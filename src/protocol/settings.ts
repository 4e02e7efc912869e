/** Engine limits and settings. */

/** Engine limits and settings; every one can be changed live with `configure`. */
export interface EngineSettings {
	/** Audits running at once. */
	maxConcurrentAudits: number;
	/** Chromium instances for Lighthouse (one Lighthouse run per Chrome at a time). */
	maxBrowsers: number;
	/** Playwright browser contexts for capture at once. */
	maxCaptureContexts: number;
	/** Anthropic API calls at once. */
	maxAiCalls: number;
	/** Audits waiting beyond the running ones; past this the engine answers BUSY. */
	queueSize: number;
	auditTimeoutMs: number;
	/** Run Lighthouse one at a time (other stages still run beside it) for stable performance scores. */
	accuracyMode: boolean;
	/** Trace one page load at a time across concurrent Lighthouse runs (the rest of each run stays concurrent). */
	traceSlot: boolean;
	/** Default Lighthouse runs per form factor (median kept). */
	runsPerUrl: number;
	/** Recycle a Chrome after this many Lighthouse runs (Lighthouse advises at most about 100). */
	recycleAfterRuns: number;
	/** Close an idle Chrome after this long. */
	browserIdleTimeoutMs: number;
	/** Use the warm pool; false runs the Lighthouse CLI in a subprocess per run. */
	usePool: boolean;
	/** Explicit Chrome/Chromium binary; otherwise CHROME_PATH or discovery. */
	chromePath?: string;
	cacheTtlMs: number;
	cacheMaxEntries: number;
	historyMaxAgeDays: number;
	historyMaxCount: number;
	/** Target size of each compressed screenshot. */
	screenshotTargetBytes: number;
	aiModel: string;
	aiMaxTokens: number;
	aiDeep: boolean;
	/** Anthropic API key; write-only (never echoed back in settings or stats). */
	anthropicApiKey?: string;
	/** CrUX API key; write-only. */
	cruxApiKey?: string;
}
