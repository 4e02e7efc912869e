/** Options of one audit: form factors, categories, throttling, the stages to run. */

export type FormFactor = 'mobile' | 'desktop';
export const FORM_FACTORS: readonly FormFactor[] = ['mobile', 'desktop'];

export type Category = 'performance' | 'accessibility' | 'best-practices' | 'seo';
export const CATEGORIES: readonly Category[] = ['performance', 'accessibility', 'best-practices', 'seo'];

/** Lighthouse throttling method: simulated (default, lantern), applied by DevTools, or none. */
export type Throttling = 'simulate' | 'devtools' | 'provided';

/** Which stages of an audit run. Lighthouse runs once per requested form factor. */
export interface StageSwitches {
	lighthouse: boolean;
	capture: boolean;
	cro: boolean;
	ai: boolean;
	crux: boolean;
}

/** Options of one audit as a client may send them; every field optional. */
export interface AuditOptionsInput {
	formFactors?: FormFactor[];
	categories?: Category[];
	throttling?: Throttling;
	/** Lighthouse runs per form factor; the median run is kept (Lighthouse's computeMedianRun). */
	runs?: number;
	stages?: Partial<StageSwitches>;
	/** Bypass the cache, run, then update the cache. */
	noCache?: boolean;
	/** Per-audit timeout; defaults to the engine's `auditTimeoutMs`. */
	timeoutMs?: number;
	/** Treat the URL as a development server build (labels results, explains NO_FCP). */
	devServer?: boolean;
}

/** Options after defaults are applied: what the result and the cache key depend on. */
export interface AuditOptions {
	formFactors: FormFactor[];
	categories: Category[];
	throttling: Throttling;
	runs: number;
	stages: StageSwitches;
	devServer: boolean;
}
