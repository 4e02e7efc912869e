/** Site scans: how routes are found, and the site report. */
import type { ErrorInfo } from './errors';
import type { Category, FormFactor } from './options';
import type { AuditStatus } from './result';

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
