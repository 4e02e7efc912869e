import type { ScanReport, ScanRoute } from '../../src/protocol';

/** A route of a site report with the mobile scores given (0..1) and its lowest score as `worst`. */
export function sampleRoute(
	path: string,
	mobile: Partial<Record<'performance' | 'accessibility' | 'best-practices' | 'seo', number>>,
	extra: Partial<ScanRoute> = {},
): ScanRoute {
	const values = Object.values(mobile);
	return {
		url: `https://example.com${path}`,
		path,
		source: 'link',
		status: 'ok',
		auditId: `audit-${path}`,
		scores: { mobile },
		...(values.length ? { worst: Math.min(...values) } : {}),
		...extra,
	};
}

/** A mobile-only site report of three routes: a failed one, a weak one and a good one, with changes. */
export function sampleScan(routes?: ScanRoute[]): ScanReport {
	const all = routes ?? [
		sampleRoute(
			'/',
			{ performance: 0.95, accessibility: 1, 'best-practices': 0.96, seo: 0.9 },
			{ source: 'start', changes: { mobile: { performance: 0.03 } } },
		),
		sampleRoute(
			'/pricing',
			{ performance: 0.42, accessibility: 0.88, 'best-practices': 0.79, seo: 0.91 },
			{ changes: { mobile: { performance: -0.12, seo: 0 } } },
		),
		sampleRoute(
			'/broken',
			{},
			{
				status: 'failed',
				error: { code: 'HTTP_ERROR', message: 'https://example.com/broken answered HTTP 500.' },
				isNew: true,
			},
		),
	];
	return {
		id: 'scan-1',
		startUrl: 'https://example.com/',
		origin: 'https://example.com',
		startedAt: '2026-11-24T10:00:00.000Z',
		durationMs: 42_000,
		status: 'partial',
		formFactors: ['mobile'],
		scan: { maxRoutes: 200, maxDepth: 3, include: [], exclude: [], samplesPerGroup: 5, sitemap: true, crawl: true },
		discovery: {
			found: 5,
			audited: 3,
			sampledOut: 2,
			excluded: 0,
			disallowed: 0,
			overLimit: 0,
			sitemaps: ['https://example.com/sitemap.xml'],
			durationMs: 1200,
		},
		routes: all,
		failingAudits: [
			{
				id: 'image-alt',
				title: 'Image elements do not have `[alt]` attributes',
				formFactor: 'mobile',
				routes: 2,
				of: 2,
				examples: ['/', '/pricing'],
			},
		],
		previousScanId: 'scan-0',
		removedRoutes: ['/old'],
	};
}
