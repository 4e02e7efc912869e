import { z } from 'zod';
import type { CruxData, CruxMetricSet, EngineSettings, EngineStats } from '../../protocol';
import { CircuitBreaker, LatencyWindow } from '../ai/breaker';
import { fetchWithRetry } from '../ai/retry';
import { AuditError } from '../errors';
import { redact, registerSecret, type Logger } from '../log';
import type { EngineService } from '../gather';

export const CRUX_BASE_URL = 'https://chromeuxreport.googleapis.com';

/** CrUX form factors (the API's names). */
export type CruxFormFactor = 'PHONE' | 'DESKTOP' | 'TABLET';

const metric = z.object({ percentiles: z.object({ p75: z.union([z.number(), z.string()]) }).optional() }).passthrough();
const date = z.object({ year: z.number(), month: z.number(), day: z.number() });
/** The part of a `records:queryRecord` answer we use. */
const recordSchema = z.object({
	record: z.object({
		key: z
			.object({ origin: z.string().optional(), url: z.string().optional(), formFactor: z.string().optional() })
			.passthrough(),
		metrics: z.record(z.string(), metric),
		collectionPeriod: z.object({ firstDate: date, lastDate: date }).optional(),
	}),
});

/** API metric names → our names (TTFB was "experimental_time_to_first_byte" for a long time). */
const METRICS: Record<string, keyof CruxMetricSet> = {
	largest_contentful_paint: 'lcp',
	interaction_to_next_paint: 'inp',
	cumulative_layout_shift: 'cls',
	first_contentful_paint: 'fcp',
	experimental_time_to_first_byte: 'ttfb',
	time_to_first_byte: 'ttfb',
};

export interface CruxRecord {
	metrics: CruxMetricSet;
	collectionPeriod?: { firstDate: string; lastDate: string };
}

export interface CruxClientOptions {
	/**
	 * API base URL; defaults to AUDITLENS_CRUX_BASE_URL from the environment, else Google's (tests point it at a local
	 * fake).
	 */
	baseUrl?: string;
	maxRetries?: number;
	timeoutMs?: number;
	failureThreshold?: number;
	cooldownMs?: number;
}

/**
 * Client of the Chrome UX Report API (`records:queryRecord`), with the same retry policy as the Anthropic
 * SDK and its own circuit breaker. "No data" (404) is an answer, not a failure. The key is a URL query
 * parameter, so it is registered as a secret and kept out of every message.
 */
export class CruxClient implements EngineService {
	readonly breaker: CircuitBreaker;
	private readonly latency = new LatencyWindow();
	private calls = 0;
	private failures = 0;
	private key: string | undefined;

	constructor(
		settings: Readonly<EngineSettings>,
		private readonly log: Logger,
		private readonly opts: CruxClientOptions = {},
	) {
		this.breaker = new CircuitBreaker('CrUX API', {
			failureThreshold: opts.failureThreshold ?? 3,
			cooldownMs: opts.cooldownMs ?? 60_000,
		});
		this.configure(settings);
	}

	configure(settings: Readonly<EngineSettings>): void {
		registerSecret(settings.cruxApiKey);
		if (this.key !== settings.cruxApiKey) this.breaker.reset();
		this.key = settings.cruxApiKey;
	}

	stats(): Partial<EngineStats> {
		return {
			crux: { calls: this.calls, failures: this.failures, breaker: this.breaker.state, p50Ms: this.latency.p50() },
		};
	}

	async close(): Promise<void> {}

	/** Origin and URL field data for `url`. Throws AuditError('CRUX_ERROR') or BreakerOpenError. */
	async fieldData(
		url: string,
		settings: Readonly<EngineSettings>,
		formFactor: CruxFormFactor | undefined,
		signal: AbortSignal,
	): Promise<CruxData> {
		const key = settings.cruxApiKey;
		if (!key) throw new AuditError('CRUX_ERROR', 'No CrUX API key is set.');
		registerSecret(key);
		const origin = new URL(url).origin;
		// allSettled: both calls finish (and count in the breaker) before the stage reports
		const settled = await Promise.allSettled([
			this.query({ origin }, key, settings, formFactor, signal),
			this.query({ url }, key, settings, formFactor, signal),
		]);
		const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
		if (failed) throw failed.reason;
		const [originRecord, urlRecord] = settled.map((s) => (s as PromiseFulfilledResult<CruxRecord | undefined>).value);
		const period = urlRecord?.collectionPeriod ?? originRecord?.collectionPeriod;
		return {
			...(originRecord ? { origin: originRecord.metrics } : {}),
			...(urlRecord ? { url: urlRecord.metrics } : {}),
			formFactor: formFactor ?? 'ALL_FORM_FACTORS',
			...(period ? { collectionPeriod: period } : {}),
			...(!originRecord && !urlRecord
				? { note: `CrUX has no field data for ${origin}: the site has too little Chrome traffic to be in the report.` }
				: !urlRecord
					? { note: 'CrUX has no field data for this exact URL; the origin-wide figures are shown.' }
					: {}),
		};
	}

	/** One `records:queryRecord` call through the breaker; undefined when CrUX has no record (404). */
	private query(
		subject: { origin: string } | { url: string },
		key: string,
		settings: Readonly<EngineSettings>,
		formFactor: CruxFormFactor | undefined,
		signal: AbortSignal,
	): Promise<CruxRecord | undefined> {
		return this.breaker.run(
			async () => {
				const base = (this.opts.baseUrl ?? (process.env.AUDITLENS_CRUX_BASE_URL || CRUX_BASE_URL)).replace(/\/+$/, '');
				const started = Date.now();
				this.calls++;
				try {
					const response = await fetchWithRetry(
						`${base}/v1/records:queryRecord?key=${encodeURIComponent(key)}`,
						{
							method: 'POST',
							headers: { 'content-type': 'application/json', accept: 'application/json' },
							body: JSON.stringify({ ...subject, ...(formFactor ? { formFactor } : {}) }),
						},
						{ maxRetries: this.opts.maxRetries ?? 2, timeoutMs: this.opts.timeoutMs ?? 15_000, signal },
					);
					this.latency.add(Date.now() - started);
					const body: unknown = await response.json().catch(() => undefined);
					if (response.status === 404) return undefined;
					if (!response.ok) {
						const msg = (body as { error?: { message?: string; status?: string } } | undefined)?.error;
						const hint =
							response.status === 400 || response.status === 403
								? ' Check the CrUX API key (and that the Chrome UX Report API is enabled for it).'
								: response.status === 429
									? ' Rate limited even after retries; try again later.'
									: '';
						throw new AuditError(
							'CRUX_ERROR',
							redact(
								`The CrUX API answered HTTP ${response.status}${msg?.status ? ` (${msg.status})` : ''}: ${msg?.message ?? response.statusText}.${hint}`,
							),
						);
					}
					const parsed = recordSchema.safeParse(body);
					if (!parsed.success) throw new AuditError('CRUX_ERROR', 'The CrUX API answered with an unexpected shape.');
					return toRecord(parsed.data.record);
				} catch (err) {
					if (signal.aborted) throw signal.reason;
					this.failures++;
					const error =
						err instanceof AuditError
							? err
							: new AuditError(
									'CRUX_ERROR',
									redact(
										`The CrUX API could not be reached: ${err instanceof Error ? err.message : String(err)}. Check the network connection.`,
									),
								);
					this.log.warn(error.message);
					throw error;
				}
			},
			() => !signal.aborted,
		);
	}
}

function toRecord(record: z.infer<typeof recordSchema>['record']): CruxRecord {
	const metrics: CruxMetricSet = {};
	for (const [name, value] of Object.entries(record.metrics)) {
		const ours = METRICS[name];
		const p75 = value.percentiles?.p75;
		if (ours && p75 !== undefined && Number.isFinite(Number(p75))) metrics[ours] = Number(p75);
	}
	const iso = (d: { year: number; month: number; day: number }) =>
		`${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
	return {
		metrics,
		...(record.collectionPeriod
			? {
					collectionPeriod: {
						firstDate: iso(record.collectionPeriod.firstDate),
						lastDate: iso(record.collectionPeriod.lastDate),
					},
				}
			: {}),
	};
}

/** Why CrUX cannot have data for this URL's host (local or private), or undefined when it may. */
export function privateHostReason(url: string): string | undefined {
	let u: URL;
	try {
		u = new URL(url);
	} catch {
		return 'the URL is not valid';
	}
	if (u.protocol !== 'http:' && u.protocol !== 'https:')
		return `CrUX only covers public http(s) pages, not ${u.protocol} URLs`;
	const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
	const local = `CrUX has no field data for local or private hosts (${host})`;
	if (host === 'localhost' || /\.(localhost|local|internal|test|example|invalid|lan|home|corp)$/.test(host))
		return local;
	const v4 = host.match(/^(\d+)\.(\d+)\.(\d+)\.(\d+)$/);
	if (v4) {
		const [a, b] = [Number(v4[1]), Number(v4[2])];
		if (
			a === 10 ||
			a === 127 ||
			a === 0 ||
			(a === 169 && b === 254) ||
			(a === 172 && b >= 16 && b <= 31) ||
			(a === 192 && b === 168) ||
			(a === 100 && b >= 64 && b <= 127)
		)
			return local;
		return undefined;
	}
	if (host.includes(':')) {
		if (host === '::1' || host === '::' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host) || host.startsWith('::ffff:'))
			return local;
		return undefined;
	}
	if (!host.includes('.')) return local;
	return undefined;
}
