import { LRUCache } from 'lru-cache';
import type { AuditOptions, AuditResult, EngineSettings, EngineStats, StageSwitches } from '../protocol';
import type { Logger } from './log';
import { normalizeUrl } from './request';
import { type Clock, systemClock } from './clock';

const STAGE_NAMES: readonly (keyof StageSwitches)[] = ['ai', 'capture', 'crux', 'lighthouse', 'cro'];

/** What, beside the URL and the options, changes an audit's result. */
export interface CacheEnvironment {
	lighthouseVersion?: string;
	/** The Chrome that runs the audits (e.g. `Chromium 131.0.6778.85`); a new one scores differently. */
	chromeVersion?: string;
	/** Whether an Anthropic key is set: with one the AI stage runs, without one it is skipped. Never the key. */
	aiKeySet?: boolean;
	/** Whether a CrUX key is set. Never the key. */
	cruxKeySet?: boolean;
	/** The keyed hash of a signed-in audit's credentials (`AuthPlan.hash`); never the values. */
	authHash?: string;
}

/**
 * The cache key of an audit: the normalised URL plus every input that changes the result: the resolved
 * options and stage switches, and the environment (Lighthouse and Chrome versions, which API keys are set, the
 * hash of the credentials of a signed-in audit).
 * Stable: arrays are sorted and de-duplicated, object keys sorted, unknown fields ignored.
 */
export function cacheKey(url: string, options: AuditOptions, env: CacheEnvironment = {}): string {
	const stages: Record<string, boolean> = {};
	for (const name of [...STAGE_NAMES].sort()) stages[name] = options.stages?.[name] === true;
	const canonical = {
		// A key only matters when its stage runs: an audit without AI is the same with or without a key.
		aiKey: stages.ai ? env.aiKeySet === true : undefined,
		// A signed-in and a signed-out audit of a URL are different pages: never served for each other.
		auth: env.authHash,
		categories: [...new Set(options.categories)].sort(),
		chrome: env.chromeVersion,
		cruxKey: stages.crux ? env.cruxKeySet === true : undefined,
		devServer: options.devServer === true,
		formFactors: [...new Set(options.formFactors)].sort(),
		lighthouse: env.lighthouseVersion,
		runs: options.runs,
		stages,
		throttling: options.throttling,
	};
	return `${normalizeUrl(url)} ${JSON.stringify(canonical)}`;
}

/** A result as the history keeps it for the cache. */
export interface StoredResult {
	key: string;
	result: AuditResult;
	/** Epoch ms the result was saved: the TTL counts from here. */
	savedAt: number;
	/** Size of the result's JSON, for the cache's byte bound. */
	bytes: number;
}

/** What the cache needs of the history behind it (the history store implements it). */
export interface CacheSource {
	/** The newest `ok` result saved under `key` after `since` (epoch ms). */
	findCached(key: string, since: number): Promise<StoredResult | undefined>;
	/** The newest `ok` result of each key saved after `since`, newest first, at most `limit`. */
	recentCached(since: number, limit: number): AsyncIterable<StoredResult>;
	/** When the cache was last cleared (epoch ms, 0 for never): older results are never served. Survives restarts. */
	readonly cacheClearedAt: number;
	/** Record that the cache was cleared now. */
	markCacheCleared(at: number): void;
	/** Hear about saves (to cache `ok` results) and deletions (to drop them). */
	watch(listener: { saved(stored: StoredResult): void; deleted(ids: readonly string[]): void }): void;
}

export interface ResultCacheOptions {
	/** Upper bound of the cache in bytes of result JSON (default 64 MiB). */
	maxBytes?: number;
	/** What the TTL is measured on (tests move a clock of their own). */
	clock?: Clock;
}

interface CacheEntry {
	result: AuditResult;
	savedAt: number;
}

const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;
/** Results decoded per event-loop turn while warming. */
const WARM_SLICE = 20;

/**
 * The result cache: an LRU of recent `ok` results (bounded by entries and bytes, with a TTL) in front of
 * the history. Partial and failed results are never cached. It fills itself from the history's saves,
 * drops what the history deletes, and falls back to the history for a key it no longer holds.
 */
export class ResultCache {
	private lru: LRUCache<string, CacheEntry>;
	private readonly keyOfId = new Map<string, string>();
	private hits = 0;
	private misses = 0;
	private clearedAt: number;
	private closed = false;
	private readonly clock: Clock;
	/** Settles when the cache has been warmed from the history (it never rejects). */
	readonly warmed: Promise<void>;

	constructor(
		private settings: Readonly<EngineSettings>,
		private readonly log: Logger,
		private readonly source?: CacheSource,
		private readonly options: ResultCacheOptions = {},
	) {
		this.clock = options.clock ?? systemClock;
		this.lru = this.createLru();
		this.clearedAt = source?.cacheClearedAt ?? 0;
		source?.watch({ saved: (stored) => this.put(stored), deleted: (ids) => this.evict(ids) });
		this.warmed = this.warm().catch((err: unknown) =>
			this.log.warn(`Warming the result cache failed: ${(err as Error).message}`),
		);
	}

	/** A fresh `ok` result for this key (marked `fromCache`), or undefined. */
	async lookup(key: string): Promise<AuditResult | undefined> {
		if (!this.enabled()) {
			this.misses++;
			return undefined;
		}
		const entry = this.lru.get(key);
		if (entry) {
			if (this.isFresh(entry.savedAt)) {
				this.hits++;
				return { ...entry.result, fromCache: true };
			}
			this.lru.delete(key);
		}
		// Not in memory (evicted, or beyond the warmed set): a fresh result may still be in the history.
		const stored = await this.source?.findCached(key, this.freshSince());
		if (stored && !this.closed) {
			this.put(stored);
			this.hits++;
			return { ...stored.result, fromCache: true };
		}
		this.misses++;
		return undefined;
	}

	/** Keep a result; anything but a fresh `ok` result is ignored. */
	put(stored: StoredResult): void {
		if (!this.enabled() || stored.result.status !== 'ok' || !this.isFresh(stored.savedAt)) return;
		this.lru.set(
			stored.key,
			{ result: { ...stored.result, fromCache: false }, savedAt: stored.savedAt },
			{ size: Math.max(1, stored.bytes) },
		);
		if (this.lru.has(stored.key)) this.keyOfId.set(stored.result.id, stored.key);
	}

	/** Drop the results of these audits (deleted from the history). */
	evict(ids: readonly string[]): void {
		for (const id of ids) {
			const key = this.keyOfId.get(id);
			if (key !== undefined) this.lru.delete(key);
		}
	}

	/** Drop every entry, and stop results saved so far from being served after a restart too. */
	clear(): number {
		const dropped = this.lru.size;
		this.lru.clear();
		this.keyOfId.clear();
		this.clearedAt = this.clock.now();
		this.source?.markCacheCleared(this.clearedAt);
		return dropped;
	}

	configure(settings: Readonly<EngineSettings>): void {
		const before = this.settings;
		this.settings = { ...settings };
		if (settings.cacheMaxEntries !== before.cacheMaxEntries) {
			const old = this.lru;
			this.lru = this.createLru();
			this.keyOfId.clear();
			// entries() runs most recent first; re-insert oldest first to keep the order.
			for (const [key, entry] of [...old.entries()].reverse()) {
				this.put({ key, result: entry.result, savedAt: entry.savedAt, bytes: JSON.stringify(entry.result).length });
			}
		}
	}

	stats(): EngineStats['cache'] {
		return { hits: this.hits, misses: this.misses, entries: this.lru.size, bytes: this.lru.calculatedSize };
	}

	close(): void {
		this.closed = true;
		this.lru.clear();
		this.keyOfId.clear();
	}

	private enabled(): boolean {
		return this.settings.cacheTtlMs > 0 && this.settings.cacheMaxEntries > 0;
	}

	private freshSince(): number {
		return Math.max(this.clock.now() - this.settings.cacheTtlMs, this.clearedAt);
	}

	private isFresh(savedAt: number): boolean {
		return this.clock.now() - savedAt < this.settings.cacheTtlMs && savedAt > this.clearedAt;
	}

	private createLru(): LRUCache<string, CacheEntry> {
		return new LRUCache<string, CacheEntry>({
			max: Math.max(1, this.settings.cacheMaxEntries),
			maxSize: Math.max(1, this.options.maxBytes ?? DEFAULT_CACHE_BYTES),
			dispose: (entry, key) => {
				if (this.keyOfId.get(entry.result.id) === key) this.keyOfId.delete(entry.result.id);
			},
		});
	}

	/**
	 * Load the newest fresh result of each key from the history, oldest first so the newest end up most
	 * recent. Runs in small slices so the first answers are not held up; a lookup meanwhile reads the history.
	 */
	private async warm(): Promise<void> {
		if (!this.source || !this.enabled()) return;
		// Let the constructor return first.
		await Promise.resolve();
		const found: StoredResult[] = [];
		let n = 0;
		for await (const stored of this.source.recentCached(this.freshSince(), this.settings.cacheMaxEntries)) {
			if (this.closed) return;
			found.push(stored);
			if (++n % WARM_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
		}
		for (const stored of found.reverse()) {
			// Saved or looked up since warming began: what is in memory is at least as new.
			if (!this.lru.has(stored.key)) this.put(stored);
		}
	}
}
