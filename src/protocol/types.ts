/**
 * Data types shared by the engine and its clients (the VS Code extension, the CLI, tests).
 * Types only: no logic, no imports of `vscode` or engine code.
 */

export type FormFactor = 'mobile' | 'desktop';
export const FORM_FACTORS: readonly FormFactor[] = ['mobile', 'desktop'];

export type Category = 'performance' | 'accessibility' | 'best-practices' | 'seo';
export const CATEGORIES: readonly Category[] = ['performance', 'accessibility', 'best-practices', 'seo'];

/** Lighthouse throttling method: simulated (default, lantern), applied by DevTools, or none. */
export type Throttling = 'simulate' | 'devtools' | 'provided';

/** Machine-readable error codes. Every error also carries a message a person can act on. */
export type ErrorCode =
	| 'INVALID_URL'
	| 'INVALID_PARAMS'
	| 'UNREACHABLE'
	| 'HTTP_ERROR'
	| 'NOT_HTML'
	| 'REDIRECT_LOOP'
	| 'TIMEOUT'
	| 'CANCELLED'
	| 'BUSY'
	| 'CHROME_NOT_FOUND'
	| 'CHROME_CRASHED'
	| 'LIGHTHOUSE_ERROR'
	| 'CAPTURE_ERROR'
	| 'LOGIN_ERROR'
	| 'AI_ERROR'
	| 'CRUX_ERROR'
	| 'SHUTTING_DOWN'
	| 'NOT_FOUND'
	| 'INTERNAL';

/**
 * What an audit result is: `ok` every stage that ran succeeded; `partial` some stages failed or timed out
 * but there is something to show (their errors are in `stages` and `stageErrors`); `failed` nothing to
 * show (the page could not be loaded, or every stage failed): `error` says why. Only `ok` results are cached.
 */
export type AuditStatus = 'ok' | 'partial' | 'failed';

export interface ErrorInfo {
	code: ErrorCode;
	message: string;
}

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

/**
 * Credentials of a signed-in audit. The browsers that load the page use them (Lighthouse's Chrome, the capture
 * context) and the engine's preflight; their values never appear in a result, the history, a log or stats.
 */
export interface AuditAuth {
	/**
	 * Extra request headers (e.g. `Authorization`), sent with every request of the page, like Lighthouse's
	 * `extraHeaders`.
	 */
	headers?: Record<string, string>;
	/** Cookies for the audited URL's origin only: host-only for its host, path `/`, secure on https. */
	cookies?: { name: string; value: string }[];
	/**
	 * Absolute path of a JS module whose default export `async ({ page, url }) => void` signs in (a Playwright
	 * page) in each browser before it loads the page; the cookies and storage it leaves are used by the audit.
	 */
	loginScript?: string;
}

/** How a result was signed in: names only, never a value. */
export interface AuthSummary {
	headers: string[];
	cookies: string[];
	/** The login script's path, when one ran. */
	loginScript?: string;
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

export interface CoreMetrics {
	/** Milliseconds unless noted; undefined when Lighthouse did not measure it. */
	fcp?: number;
	lcp?: number;
	tbt?: number;
	/** Unitless. */
	cls?: number;
	speedIndex?: number;
	tti?: number;
}

export interface FailingAudit {
	id: string;
	title: string;
	score: number | null;
	displayValue?: string;
	/** Categories this audit belongs to. */
	categories: Category[];
}

/** Metrics an insight's savings are estimated on, by Lighthouse's acronyms (ms, CLS unitless). */
export type InsightMetric = 'FCP' | 'LCP' | 'TBT' | 'CLS' | 'INP';

/** One row of an insight: a resource, an element, a check or a part of a breakdown. */
export interface InsightItem {
	/**
	 * What the row is about: a URL (without the page's own origin), an element's selector, or Lighthouse's label.
	 * Shortened.
	 */
	label: string;
	/** Estimated time this row wastes (e.g. a render-blocking request). */
	wastedMs?: number;
	/** Estimated bytes this row wastes (e.g. an oversized image). */
	wastedBytes?: number;
	/** A time the row measures that is not a saving (a part of the LCP breakdown, a request chain's end). */
	ms?: number;
	/** For checklists (document latency, LCP discovery): whether the check passed. */
	passed?: boolean;
	/** A count the row measures, for statistics tables (DOM size: its elements, depth, most children). */
	count?: number;
}

/**
 * A performance insight (Lighthouse 13) or opportunity (Lighthouse 12: an audit with `opportunity`
 * details) that did not pass, with what fixing it is estimated to save.
 */
export interface Insight {
	/** The Lighthouse audit id, e.g. `render-blocking-insight` (13) or `render-blocking-resources` (12). */
	id: string;
	title: string;
	/** 0..1; null when Lighthouse gives it no score (informative, e.g. the LCP breakdown). */
	score: number | null;
	/** Lighthouse's own summary, e.g. `Est savings of 760 ms`. */
	displayValue?: string;
	/** Estimated savings per metric (ms; CLS unitless); only metrics with a saving above 0. */
	metricSavings?: Partial<Record<InsightMetric, number>>;
	/** Estimated time saved overall (Lighthouse 12's `overallSavingsMs`). */
	wastedMs?: number;
	/** Estimated bytes saved overall. */
	wastedBytes?: number;
	/** The first rows (at most 5), in Lighthouse's order. */
	items: InsightItem[];
	/** How many rows Lighthouse listed in all. */
	itemCount: number;
}

/** The summary of one form factor's Lighthouse run (the median one when runs > 1). */
export interface LighthouseRun {
	formFactor: FormFactor;
	lighthouseVersion: string;
	finalUrl: string;
	fetchTime: string;
	/** Category scores 0..1, null when Lighthouse could not score it. */
	scores: Partial<Record<Category, number | null>>;
	metrics: CoreMetrics;
	failingAudits: FailingAudit[];
	/**
	 * Performance insights and opportunities that did not pass, worst first. Absent in summaries made before
	 * they were kept (the history fills them in from the stored report when it has one).
	 */
	insights?: Insight[];
	/** Lighthouse's own warnings (e.g. a redirect, or a page that loaded slowly). */
	runWarnings: string[];
	/** Performance score of every run when runs > 1, in run order. */
	performanceScores: number[];
	/** Milliseconds Lighthouse itself took (the kept run). */
	lighthouseMs: number;
	/**
	 * Lighthouse's benchmarkIndex of the kept run: how fast this machine ran a fixed task just before it (higher is
	 * faster). Absent in results made before it was recorded.
	 */
	benchmarkIndex?: number;
	/** The CPU while the kept run's page load was traced (Linux; absent elsewhere and in older results). */
	traceCpu?: TraceCpu;
	/**
	 * The page load was traced under contention (see TraceCpu): its performance score may be lower than on a quiet
	 * machine.
	 */
	contention?: boolean;
}

/** The CPU while a page load was under trace, measured by the engine from /proc. */
export interface TraceCpu {
	/**
	 * Time the page's main thread waited for a CPU while ready to run, per unit of time it ran (for the record:
	 * short-lived pages wait relatively long for small absolute times even on a quiet machine).
	 */
	waitRatio: number;
	/** Cores' worth of CPU other work (other runs, other programs) used meanwhile. */
	besideCores: number;
	/** The machine's cores. */
	cores: number;
}

export interface Screenshot {
	/** Absolute path of the image file on the engine's machine. */
	path: string;
	mime: 'image/jpeg' | 'image/webp';
	width: number;
	height: number;
	bytes: number;
	/** Y coordinate (CSS px) of the fold in the image: the viewport height. */
	foldY: number;
}

export interface CaptureShots {
	viewport: Screenshot;
	fullPage: Screenshot;
}

/** Where in the page an element sits, from its nearest landmark ancestor (`main` when none). */
export type PageRegion = 'header' | 'nav' | 'main' | 'aside' | 'footer';

/** A box in CSS px, relative to the document (not the viewport). */
export interface Box {
	x: number;
	y: number;
	width: number;
	height: number;
}

/** A call-to-action candidate found in the page. */
export interface CtaFact {
	selector: string;
	/** Accessible text: aria-label, visible text, value or title. */
	text: string;
	tag: string;
	href?: string;
	/** CSS px, relative to the document. */
	box: Box;
	/** Its vertical centre is within the first screen (and it is horizontally on screen). */
	aboveFold: boolean;
	/** WCAG contrast ratio of text against its background, when computable. */
	contrast?: number;
	/** WCAG "large text" (>= 24px, or >= 18.66px bold): 3:1 contrast is enough. */
	largeText: boolean;
	/** True when it looks like a button (a button, or a styled link). */
	buttonLike: boolean;
	region: PageRegion;
	/** Inside a form (e.g. its submit button). */
	inForm: boolean;
}

export interface FormFact {
	selector: string;
	fieldCount: number;
	requiredCount: number;
	unlabeled: { selector: string; name?: string; type: string }[];
	submitText?: string;
	aboveFold: boolean;
	box: Box;
}

export type TrustKind = 'testimonial' | 'rating' | 'logos' | 'guarantee' | 'security';

/** Facts about the page gathered in the browser, for the CRO rules (one viewport each). */
export interface DomFacts {
	url: string;
	viewport: { width: number; height: number };
	title: string;
	metaDescription?: string;
	headings: { level: number; text: string; selector: string }[];
	ctas: CtaFact[];
	forms: FormFact[];
	/** Named parts of the page (landmarks, sections with an id, label or heading), for AI targets. */
	sections: { name: string; selector: string; box: Box }[];
	trustSignals: { kind: TrustKind; text: string; selector: string; box?: Box }[];
	socialProofNumbers: string[];
	pricing: string[];
	contact: { kind: 'email' | 'phone' | 'chat' | 'form' | 'address'; text: string }[];
	firstScreen: { wordCount: number; readingGrade?: number };
	/** Images with no alt attribute at all (alt="" marks a decorative image and is fine); at most 50 listed. */
	imagesWithoutAlt: { selector: string; src: string }[];
	/** Bytes transferred by the document and its resources, from resource timing (cross-origin may count 0). */
	pageWeightBytes?: number;
	documentHeight: number;
}

export interface CaptureData {
	shots: Partial<Record<FormFactor, CaptureShots>>;
	facts: Partial<Record<FormFactor, DomFacts>>;
	/** Whether the capture browser was already warm when this capture started. */
	warm: boolean;
}

export type Severity = 'high' | 'medium' | 'low';

export interface CroFinding {
	/** Stable rule id, e.g. `cta-above-fold`. */
	rule: string;
	severity: Severity;
	title: string;
	/** The element it is about, when there is one. */
	element?: { selector: string; text?: string };
	formFactor?: FormFactor;
	why: string;
	fix: string;
}

export interface CroData {
	findings: CroFinding[];
}

export interface AiSuggestion {
	title: string;
	/** Selector or section name of the element on the page it is about. */
	target: string;
	detail: string;
	impact: 'high' | 'medium' | 'low';
	effort: 'high' | 'medium' | 'low';
}

export interface AiData {
	model: string;
	suggestions: AiSuggestion[];
	/** Suggestions the model gave that named nothing on the page, dropped. */
	dropped: number;
	/** A note for the user, e.g. why no AI suggestions are present. */
	note?: string;
	/** Token usage of the call, when one was made. */
	usage?: { inputTokens: number; outputTokens: number };
}

export interface CruxMetricSet {
	lcp?: number;
	inp?: number;
	cls?: number;
	fcp?: number;
	ttfb?: number;
}

export interface CruxData {
	/** p75 field metrics of the whole origin; undefined when CrUX has no data for it. */
	origin?: CruxMetricSet;
	/** p75 field metrics of this URL; undefined when CrUX has no data for it. */
	url?: CruxMetricSet;
	/** CrUX form factor queried: PHONE, DESKTOP, or ALL_FORM_FACTORS. */
	formFactor?: string;
	/** Collection period of the data (ISO dates). */
	collectionPeriod?: { firstDate: string; lastDate: string };
	/** A note for the user, e.g. that CrUX has no field data for this page. */
	note?: string;
}

/** What each stage produces. */
export interface StageDataMap {
	'lighthouse-mobile': LighthouseRun;
	'lighthouse-desktop': LighthouseRun;
	capture: CaptureData;
	cro: CroData;
	ai: AiData;
	crux: CruxData;
}
export type StageName = keyof StageDataMap;

interface OutcomeBase {
	/** ISO time the stage started (or was skipped). */
	startedAt: string;
	durationMs: number;
}
export type StageOutcome<T> =
	| (OutcomeBase & { status: 'ok'; data: T })
	| (OutcomeBase & { status: 'error'; error: ErrorInfo })
	| (OutcomeBase & { status: 'skipped'; reason: string })
	| (OutcomeBase & { status: 'cancelled' });

export type StageOutcomes = { [K in StageName]?: StageOutcome<StageDataMap[K]> };

export interface AuditResult {
	/** Unique id of this audit (history key). */
	id: string;
	/** The URL as requested, normalised (credentials never included). */
	url: string;
	requestedAt: string;
	/** From admission to the result, the wait in the queue included. */
	durationMs: number;
	/** Of `durationMs`, the time spent waiting in the engine's queue before the audit started. */
	queuedMs: number;
	options: AuditOptions;
	engineVersion: string;
	lighthouseVersion: string;
	/** Version of the Chrome that ran it (e.g. `Chromium 156.0.8078.73`), when known. */
	chromeVersion?: string;
	/** True when this result came from the cache rather than a fresh run. */
	fromCache: boolean;
	status: AuditStatus;
	stages: StageOutcomes;
	/** The error of each stage that failed or timed out (also in `stages`), for a client that lists them. */
	stageErrors?: Partial<Record<StageName, ErrorInfo>>;
	/** Why the audit as a whole failed; set exactly when `status` is `failed`. */
	error?: ErrorInfo;
	/** Set when the audit was signed in (headers, cookies or a login script): their names, never their values. */
	auth?: AuthSummary;
}

/** A compact row for history lists. */
export interface HistoryEntry {
	id: string;
	url: string;
	requestedAt: string;
	durationMs: number;
	status: AuditStatus;
	scores: Partial<Record<FormFactor, Partial<Record<Category, number | null>>>>;
	/**
	 * The Lighthouse that made it (e.g. `13.5.0`), when known: scores of different majors are not directly comparable.
	 */
	lighthouseVersion?: string;
	/** Why it failed (`failed`), or the first stage error (`partial`). */
	error?: ErrorInfo;
}

export interface UrlSummary {
	url: string;
	audits: number;
	latest: HistoryEntry;
}

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

/** How a site scan finds its routes, as a client may send it; every field optional. */
export interface ScanOptionsInput {
	/** Most routes audited (default 200). */
	maxRoutes?: number;
	/** How many links deep the crawl follows from the start URL (default 3); 0 crawls no links. */
	maxDepth?: number;
	/** Globs on the route's path (e.g. `/blog/**`); when given, a route must match one. */
	include?: string[];
	/** Globs on the route's path; a route that matches one is left out. */
	exclude?: string[];
	/** Routes audited per look-alike group such as `/blog/:slug` (default 5); 0 audits them all. */
	samplesPerGroup?: number;
	/** Read robots.txt and the sitemaps (sitemap.xml, sitemap indexes, robots.txt `Sitemap:` lines); default true. */
	sitemap?: boolean;
	/** Follow the same-origin links of the pages (default true). */
	crawl?: boolean;
}

/** Scan options after defaults. */
export type ScanOptions = Required<ScanOptionsInput>;

/** Where discovery found a route. */
export type RouteSource = 'start' | 'sitemap' | 'link';

/** A route discovery chose to audit. */
export interface DiscoveredRoute {
	/** Normalised absolute URL (no fragment, no tracking parameters). */
	url: string;
	/** Path and query, e.g. `/blog/hello?page=2`. */
	path: string;
	source: RouteSource;
	/** Links from the start URL (0 for the start URL and sitemap routes). */
	depth: number;
	/** The look-alike group it stands for, e.g. `/blog/:slug`, when it has siblings. */
	group?: string;
}

/** What discovery saw: how many routes it found and why some were not audited. */
export interface DiscoverySummary {
	/** Distinct same-origin routes seen. */
	found: number;
	/** Routes chosen for audit. */
	audited: number;
	/** Left out by sampling look-alike groups. */
	sampledOut: number;
	/** Left out by include/exclude globs. */
	excluded: number;
	/** Disallowed by robots.txt. */
	disallowed: number;
	/** Left out because maxRoutes was reached. */
	overLimit: number;
	/** Sitemaps read (URLs). */
	sitemaps: string[];
	durationMs: number;
}

/** One route of a site report. */
export interface ScanRoute {
	url: string;
	path: string;
	source: RouteSource;
	group?: string;
	/** The audit's status, or `error` when no audit took place (e.g. BUSY, CANCELLED). */
	status: AuditStatus | 'error';
	/** History id of the audit (opens its result panel). */
	auditId?: string;
	fromCache?: boolean;
	durationMs?: number;
	/** Category scores per form factor asked for. */
	scores: Partial<Record<FormFactor, Partial<Record<Category, number | null>>>>;
	/** The lowest score of the route, the report's sort key (worst first); absent when nothing was scored. */
	worst?: number;
	/** Why the audit failed, or did not take place. */
	error?: ErrorInfo;
	/** Score changes since the previous scan of the site (new minus old, 0..1), when that scan had the route. */
	changes?: Partial<Record<FormFactor, Partial<Record<Category, number>>>>;
	/** True when the previous scan of the site did not have this route. */
	isNew?: boolean;
}

/** A Lighthouse audit that fails on routes across the site: "image-alt on 37 of 120". */
export interface SiteFailingAudit {
	id: string;
	title: string;
	formFactor: FormFactor;
	/** Routes it fails on. */
	routes: number;
	/** Routes audited with that form factor. */
	of: number;
	/** A few of the routes' paths. */
	examples: string[];
}

/** The outcome of a site scan. */
export interface ScanReport {
	id: string;
	/** The start URL as requested, normalised. */
	startUrl: string;
	origin: string;
	startedAt: string;
	durationMs: number;
	/** `cancelled` when the scan was stopped: the routes audited so far are kept. */
	status: 'ok' | 'partial' | 'cancelled';
	formFactors: FormFactor[];
	scan: ScanOptions;
	discovery: DiscoverySummary;
	/** Worst first. */
	routes: ScanRoute[];
	/** Most routes first. */
	failingAudits: SiteFailingAudit[];
	/** The previous scan of the same start URL that `changes` compare with. */
	previousScanId?: string;
	/** Routes the previous scan had and this one does not. */
	removedRoutes?: string[];
}

/** A compact row for the list of scans. */
export interface ScanSummary {
	id: string;
	startUrl: string;
	startedAt: string;
	durationMs: number;
	status: ScanReport['status'];
	routes: number;
	failed: number;
	/** Mean score per category per form factor over the routes scored. */
	mean: Partial<Record<FormFactor, Partial<Record<Category, number>>>>;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Findings in the code (issue 11): what a finding is about on the page, and where it is in the workspace.
 * ------------------------------------------------------------------------------------------------------------- */

/** What a finding is about on the page, as Lighthouse or the capture saw it. */
export type FindingTarget =
	/** A DOM element: Lighthouse's node details (selector, snippet, label) or a CRO finding's selector. */
	| { kind: 'element'; selector?: string; snippet?: string; nodeLabel?: string }
	/** A position in a script as served (1-based line and column), with Lighthouse's source-mapped one when it had it. */
	| {
			kind: 'script';
			url: string;
			line: number;
			column: number;
			original?: { file: string; line: number; column: number };
	  }
	/** A whole resource (a script with unused bytes, a slow origin). */
	| { kind: 'resource'; url: string }
	/** The page as a whole (a missing meta description, a slow LCP). */
	| { kind: 'page' };

/** A quick fix a finding can offer; the editor makes the edit, and only when the user picks it. */
export type QuickFix =
	| { kind: 'add-alt' }
	| { kind: 'add-lang'; lang: string }
	/** The image's intrinsic size in CSS px, for `width`/`height` attributes. */
	| { kind: 'add-size'; width: number; height: number }
	| { kind: 'add-meta-description' }
	/** Tie a `<label>` to this input (the input's id, made up from its name when it has none). */
	| { kind: 'label-for'; inputId: string }
	| { kind: 'lazy-load' }
	| { kind: 'fetchpriority-high' }
	| { kind: 'preconnect'; origin: string };

export type FindingSeverity = 'error' | 'warning' | 'info';

/** One finding of an audit about one place on the page (a failing audit with 5 nodes gives 5 findings). */
export interface PageFinding {
	/** The Lighthouse audit id or the CRO rule id, e.g. `image-alt`, `cta-above-fold`. */
	rule: string;
	source: 'lighthouse' | 'cro';
	/** The audit's or rule's title. */
	title: string;
	/** One line about this place: what is wrong, with the measured value against its threshold when there is one. */
	message: string;
	severity: FindingSeverity;
	/** The audit's documentation (https only). */
	helpUrl?: string;
	/** The run it came from; absent when the same finding holds for every form factor audited. */
	formFactor?: FormFactor;
	target: FindingTarget;
	fix?: QuickFix;
}

/** How a finding was placed in a workspace file. */
export type PlacementVia =
	'static-file' | 'source-map' | 'lighthouse-original' | 'snippet' | 'attributes' | 'dev-hint' | 'entry-file';

/** Where a finding is in the workspace. */
export interface SourceLocation {
	/** Absolute path of the workspace file. */
	file: string;
	/** 1-based; absent when the finding is only put on the file (the page's entry file, no confident line). */
	line?: number;
	/** 1-based. */
	column?: number;
	endLine?: number;
	endColumn?: number;
	/** 0..1: how sure the placement is. A line is only given at or above LOCATE_MIN_CONFIDENCE. */
	confidence: number;
	via: PlacementVia;
	/**
	 * The file changed after the audit started: its line is left out, as the audit saw other text (audit again to place
	 * it).
	 */
	changedSinceAudit?: boolean;
}

/** Placements below this confidence get no line: the finding goes on the page's entry file, or stays in the panel. */
export const LOCATE_MIN_CONFIDENCE = 0.7;

export interface LocatedFinding extends PageFinding {
	/** Absent when the finding could not be tied to any workspace file. */
	location?: SourceLocation;
}

/**
 * A URL path served from a folder other than the one a workspace root's layout suggests (setting
 * `auditlens.locate.mappings`).
 */
export interface WorkspaceMapping {
	/** URL path prefix, e.g. `/static/`. */
	urlPath: string;
	/** The folder it is served from: absolute, or relative to the first workspace root. */
	dir: string;
}
