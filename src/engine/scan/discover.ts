// STAND-IN until branch scan-discover lands (it replaces this file): the start URL alone, with the API agreed.
import type { DiscoveredRoute, DiscoverySummary, ScanOptions } from '../../protocol';
import type { Logger } from '../log';
import { preflight } from '../preflight';

export interface DiscoverContext {
	signal: AbortSignal;
	headers?: Record<string, string>;
	cookies?: { name: string; value: string }[];
	onFound?(found: number): void;
	log?: Logger;
}

export async function discoverRoutes(startUrl: string, options: ScanOptions, ctx: DiscoverContext): Promise<{ routes: DiscoveredRoute[]; summary: DiscoverySummary }> {
	const t0 = Date.now();
	await preflight(startUrl, 30_000, ctx.signal);
	const u = new URL(startUrl);
	ctx.onFound?.(1);
	void options;
	return {
		routes: [{ url: startUrl, path: u.pathname + u.search, source: 'start', depth: 0 }],
		summary: { found: 1, audited: 1, sampledOut: 0, excluded: 0, disallowed: 0, overLimit: 0, sitemaps: [], durationMs: Date.now() - t0 },
	};
}
