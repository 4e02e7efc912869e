import pLimit from 'p-limit';
import { z } from 'zod';
import type {
	AuditAuth,
	AuditOptionsInput,
	AuditParams,
	AuditResult,
	EngineSettings,
	FormFactor,
	ScanOptions,
	ScanParams,
	ScanProgressParams,
	ScanReport,
} from '../../protocol';
import { auditAuthSchema, type AuthPlan, resolveAuth } from '../auth/authRequest';
import { AuditError, toErrorInfo } from '../errors';
import type { Logger } from '../log';
import type { AuditListener } from '../notifications';
import { auditOptionsSchema, idSchema, normalizeUrl, parseParams, urlSchema } from '../request';
import { preflightLimitMs } from '../preflight';
import { discoverRoutes } from './discover';
import { scanOptions, scanOptionsSchema } from './scanOptions';
import { type RouteOutcome, scanRoute, siteReport } from './siteReport';

/** Where a client hears about a scan: its own progress, and the progress of every route's audit. */
export interface ScanListener extends AuditListener {
	scanProgress?(params: ScanProgressParams): void;
}

/** The `scan` request's params as they cross the RPC boundary. */
export const scanParamsSchema = z
	.object({
		url: urlSchema,
		scan: scanOptionsSchema.optional(),
		options: auditOptionsSchema.optional(),
		scanId: idSchema.optional(),
		auth: auditAuthSchema.optional(),
	})
	.strict();

/** A scan a client asked for, validated: the start URL normalised, the scan options completed. */
export interface ScanRequest {
	url: string;
	scan: ScanOptions;
	/** Every route's audit options; form factors default to mobile only. */
	options: AuditOptionsInput & { formFactors: FormFactor[] };
	/** As the client gave it, for each route's audit. */
	auth?: AuditAuth;
	/** Resolved once for discovery (headers, and cookies for the site's origin). */
	authPlan?: AuthPlan;
}

/** Validate a scan (INVALID_PARAMS naming each bad field, INVALID_URL for a start URL that is not http(s)). */
export function toScanRequest(raw: ScanParams): ScanRequest {
	const params = parseParams(scanParamsSchema, raw, 'auditlens/scan');
	const authPlan = resolveAuth(params.auth);
	const formFactors: FormFactor[] = params.options?.formFactors?.length
		? [...new Set(params.options.formFactors)]
		: ['mobile'];
	return {
		url: normalizeUrl(params.url),
		scan: scanOptions(params.scan),
		options: { ...params.options, formFactors },
		...(params.auth && authPlan ? { auth: params.auth, authPlan } : {}),
	};
}

/** What a scan needs of the engine: its audit (same pool, limits, cache and history) and the history of scans. */
export interface ScanDeps {
	settings: Readonly<EngineSettings>;
	/** Aborted by `cancel(scanId)` (reason CANCELLED) or by the engine's shutdown (SHUTTING_DOWN). */
	signal: AbortSignal;
	audit(params: AuditParams, listener: AuditListener, signal: AbortSignal): Promise<AuditResult>;
	/** Start `count` Chromes and Lighthouse workers while discovery runs. */
	warm(count: number): void;
	/** The latest finished scan of this start URL, to compare with. */
	previousScan(startUrl: string): Promise<ScanReport | undefined>;
	saveScan(report: ScanReport): Promise<void>;
	log: Logger;
}

/**
 * Estimated time left: the routes still to audit, run `concurrency` at a time, each taking the mean time of the
 * routes ended so far (a route's own duration, not the wall time between ends, which concurrency shortens).
 */
export function etaMs(spentMs: number, done: number, remaining: number, concurrency: number): number | undefined {
	if (done === 0) return undefined;
	if (remaining <= 0) return 0;
	return Math.round(((spentMs / done) * remaining) / Math.max(1, Math.min(concurrency, remaining)));
}

/**
 * Scan a site: warm the browsers, discover its routes, audit each (at most `maxConcurrentAudits` at a time, so a
 * big site never fills the engine's queue) and build the site report, kept in the history. A route's failure stays
 * on that route. Cancelled: resolves with status `cancelled` and the routes audited so far. Shutdown rejects.
 */
export async function runScan(
	scanId: string,
	request: ScanRequest,
	deps: ScanDeps,
	listener: ScanListener,
): Promise<ScanReport> {
	const { signal, log } = deps;
	const startedAt = Date.now();
	const concurrency = Math.max(1, Math.min(deps.settings.maxConcurrentAudits, request.scan.maxRoutes));
	const progress = (p: Omit<ScanProgressParams, 'scanId'>) => listener.scanProgress?.({ scanId, ...p });

	// The Chromes and Lighthouse workers start while discovery reads sitemaps and crawls.
	deps.warm(concurrency);
	progress({ phase: 'discovering', discovered: 0, done: 0, total: 0 });
	const auth = request.authPlan;
	let discovery: Awaited<ReturnType<typeof discoverRoutes>>;
	try {
		discovery = await discoverRoutes(request.url, request.scan, {
			signal,
			// The start URL waits for its answer as long as its audit's preflight will.
			startTimeoutMs: preflightLimitMs(request.options.timeoutMs ?? deps.settings.auditTimeoutMs),
			...(auth ? { headers: auth.headers, cookies: auth.cookies } : {}),
			onFound: (found) => progress({ phase: 'discovering', discovered: found, done: 0, total: 0 }),
			log,
		});
	} catch (err) {
		if (!signal.aborted) throw err;
		throwIfShutdown(signal);
		discovery = {
			routes: [],
			summary: {
				found: 0,
				audited: 0,
				sampledOut: 0,
				excluded: 0,
				disallowed: 0,
				overLimit: 0,
				sitemaps: [],
				durationMs: Date.now() - startedAt,
			},
		};
	}
	const previous = await deps.previousScan(request.url).catch((err: unknown) => {
		log.warn(
			`the previous scan of ${request.url} could not be read; this one is not compared: ${toErrorInfo(err).message}`,
		);
		return undefined;
	});

	const routes = discovery.routes;
	const total = routes.length;
	progress({ phase: 'auditing', discovered: total, done: 0, total });
	const outcomes: (RouteOutcome | undefined)[] = new Array<RouteOutcome | undefined>(total);
	let done = 0;
	let spentMs = 0;
	const limit = pLimit(concurrency);
	await Promise.all(
		routes.map((route, i) =>
			limit(async () => {
				// Routes not started when the scan stopped are left out (p-limit's clearQueue would never settle them).
				if (signal.aborted) return;
				const t0 = Date.now();
				let outcome: RouteOutcome;
				try {
					const result = await deps.audit(
						{
							url: route.url,
							options: request.options,
							auditId: `${scanId}:${i}`,
							...(request.auth ? { auth: request.auth } : {}),
						},
						listener,
						signal,
					);
					outcome = { route, result: forReport(result) };
				} catch (err) {
					const error = toErrorInfo(err);
					// Stopped with the scan: not a route that was audited.
					if (signal.aborted && (error.code === 'CANCELLED' || error.code === 'SHUTTING_DOWN')) return;
					outcome = { route, error };
				}
				outcomes[i] = outcome;
				done++;
				spentMs += Date.now() - t0;
				const eta = etaMs(spentMs, done, total - done, concurrency);
				progress({
					phase: 'auditing',
					discovered: total,
					done,
					total,
					...(eta === undefined ? {} : { etaMs: eta }),
					route: scanRoute(outcome),
				});
			}),
		),
	);
	throwIfShutdown(signal);

	const report = siteReport({
		id: scanId,
		startUrl: request.url,
		startedAt,
		durationMs: Date.now() - startedAt,
		cancelled: signal.aborted,
		formFactors: request.options.formFactors,
		scan: request.scan,
		discovery: discovery.summary,
		outcomes: outcomes.filter((o): o is RouteOutcome => o !== undefined),
		...(previous ? { previous } : {}),
	});
	try {
		await deps.saveScan(report);
	} catch (err) {
		throwIfShutdown(signal);
		log.error(`could not save the scan of ${request.url} to history: ${toErrorInfo(err).message}`);
	}
	progress({ phase: 'done', discovered: total, done, total, etaMs: 0 });
	return report;
}

/** What the site report reads of a result: a 200-route scan does not hold every route's capture and CRO data. */
function forReport(result: AuditResult): AuditResult {
	const { 'lighthouse-mobile': mobile, 'lighthouse-desktop': desktop } = result.stages;
	return {
		...result,
		stages: {
			...(mobile ? { 'lighthouse-mobile': mobile } : {}),
			...(desktop ? { 'lighthouse-desktop': desktop } : {}),
		},
	};
}

function throwIfShutdown(signal: AbortSignal): void {
	const reason: unknown = signal.reason;
	if (signal.aborted && reason instanceof AuditError && reason.code === 'SHUTTING_DOWN') throw reason;
}
