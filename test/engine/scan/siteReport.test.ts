import assert from 'node:assert/strict';
import {
	compareWithPrevious,
	type RouteOutcome,
	scanRoute,
	scanSummary,
	siteFailingAudits,
	siteReport,
	sortRoutes,
} from '../../../src/engine/scan/siteReport';
import type {
	AuditResult,
	DiscoveredRoute,
	DiscoverySummary,
	FailingAudit,
	ScanReport,
	ScanRoute,
} from '../../../src/protocol';
import { sampleResult } from '../../helpers/sampleResult';

const ORIGIN = 'https://shop.example';
const route = (path: string, over: Partial<DiscoveredRoute> = {}): DiscoveredRoute => ({
	url: `${ORIGIN}${path}`,
	path,
	source: 'link',
	depth: 1,
	...over,
});
const DISCOVERY: DiscoverySummary = {
	found: 3,
	audited: 3,
	sampledOut: 0,
	excluded: 0,
	disallowed: 0,
	overLimit: 0,
	sitemaps: [],
	durationMs: 40,
};
const SCAN = { maxRoutes: 200, maxDepth: 3, include: [], exclude: [], samplesPerGroup: 5, sitemap: true, crawl: true };

/** A result whose mobile run has these failing audit ids (and desktop none), performance `perf`. */
function mobileResult(path: string, perf: number, failing: string[] = []): AuditResult {
	const result = sampleResult({ url: `${ORIGIN}${path}`, perf });
	delete result.stages['lighthouse-desktop'];
	const mobile = result.stages['lighthouse-mobile'];
	assert.ok(mobile?.status === 'ok');
	mobile.data.failingAudits = failing.map((id): FailingAudit => ({
		id,
		title: `Title of ${id}`,
		score: 0,
		categories: ['accessibility'],
	}));
	return result;
}

function report(outcomes: RouteOutcome[], over: Partial<Parameters<typeof siteReport>[0]> = {}): ScanReport {
	return siteReport({
		id: 'scan-1',
		startUrl: `${ORIGIN}/`,
		startedAt: Date.UTC(2026, 0, 1),
		durationMs: 1000,
		cancelled: false,
		formFactors: ['mobile'],
		scan: SCAN,
		discovery: DISCOVERY,
		outcomes,
		...over,
	});
}

describe('site report (pure functions of the route audits)', () => {
	it('makes a route row of a result: scores per form factor, the lowest as worst, the audit id', () => {
		const result = sampleResult({ url: `${ORIGIN}/a`, perf: 0.42 });
		const row = scanRoute({ route: route('/a', { group: '/:slug' }), result });
		assert.equal(row.status, 'ok');
		assert.equal(row.auditId, result.id);
		assert.equal(row.group, '/:slug');
		assert.deepEqual(row.scores.mobile, { performance: 0.42, accessibility: 0.95, 'best-practices': 1, seo: 0.91 });
		assert.equal(row.scores.desktop?.performance, 0.52);
		assert.equal(row.worst, 0.42);
		assert.equal(row.error, undefined);
	});

	it('keeps a failed audit and a refused one on their route, with their error and no score', () => {
		const failed = sampleResult({ url: `${ORIGIN}/down`, failed: true });
		failed.status = 'failed';
		failed.error = { code: 'HTTP_ERROR', message: 'answered HTTP 500' };
		const a = scanRoute({ route: route('/down'), result: failed });
		assert.deepEqual([a.status, a.worst, a.error?.code, a.auditId], ['failed', undefined, 'HTTP_ERROR', failed.id]);
		const b = scanRoute({ route: route('/busy'), error: { code: 'BUSY', message: 'The engine is busy' } });
		assert.deepEqual(
			[b.status, b.worst, b.error?.code, b.auditId, b.scores],
			['error', undefined, 'BUSY', undefined, {}],
		);
	});

	it('names the failed stage of a partial route', () => {
		const result = sampleResult({ url: `${ORIGIN}/p` });
		result.status = 'partial';
		result.stageErrors = { 'lighthouse-desktop': { code: 'TIMEOUT', message: 'desktop timed out' } };
		assert.equal(scanRoute({ route: route('/p'), result }).error?.code, 'TIMEOUT');
	});

	it('sorts routes worst first: unscored routes lead, then the lowest score, ties by path', () => {
		const rows: ScanRoute[] = [
			{ url: 'u1', path: '/b', source: 'link', status: 'ok', scores: {}, worst: 0.9 },
			{ url: 'u2', path: '/a', source: 'link', status: 'ok', scores: {}, worst: 0.9 },
			{ url: 'u3', path: '/c', source: 'link', status: 'failed', scores: {} },
			{ url: 'u4', path: '/d', source: 'link', status: 'ok', scores: {}, worst: 0.1 },
			{ url: 'u5', path: '/e', source: 'link', status: 'ok', scores: {}, worst: 0 },
		];
		assert.deepEqual(
			sortRoutes(rows).map((r) => r.path),
			['/c', '/e', '/d', '/a', '/b'],
		);
	});

	it('counts each failing audit across the routes audited with its form factor, most routes first, with a few examples', () => {
		const outcomes: RouteOutcome[] = [
			{ route: route('/1'), result: mobileResult('/1', 0.9, ['image-alt', 'color-contrast']) },
			{ route: route('/2'), result: mobileResult('/2', 0.9, ['image-alt']) },
			{ route: route('/3'), result: mobileResult('/3', 0.9, ['image-alt']) },
			{ route: route('/4'), result: mobileResult('/4', 0.9, ['image-alt', 'color-contrast']) },
			// No Lighthouse run: not one of the routes the counts are "of".
			{ route: route('/down'), error: { code: 'UNREACHABLE', message: 'x' } },
		];
		const failing = siteFailingAudits(outcomes);
		assert.deepEqual(
			failing.map((f) => [f.id, f.formFactor, f.routes, f.of]),
			[
				['image-alt', 'mobile', 4, 4],
				['color-contrast', 'mobile', 2, 4],
			],
		);
		assert.deepEqual(failing[0]?.examples, ['/1', '/2', '/3'], 'three examples at most');
		assert.equal(failing[0]?.title, 'Title of image-alt');
	});

	it('counts each form factor apart', () => {
		const both = sampleResult({ url: `${ORIGIN}/both` });
		const failing = siteFailingAudits([
			{ route: route('/both'), result: both },
			{ route: route('/m'), result: mobileResult('/m', 0.5, ['meta-description']) },
		]);
		const meta = failing.filter((f) => f.id === 'meta-description').map((f) => [f.formFactor, f.routes, f.of]);
		assert.deepEqual(meta, [
			['mobile', 2, 2],
			['desktop', 1, 1],
		]);
	});

	it('gives per-route score changes since the previous scan, new routes, and the routes gone', () => {
		const previous = report([
			{ route: route('/'), result: mobileResult('/', 0.8) },
			{ route: route('/gone'), result: mobileResult('/gone', 0.8) },
		]);
		const now = [
			scanRoute({ route: route('/'), result: mobileResult('/', 0.93) }),
			scanRoute({ route: route('/new'), result: mobileResult('/new', 0.5) }),
		];
		const { routes, removedRoutes } = compareWithPrevious(now, previous);
		assert.deepEqual(routes[0]?.changes?.mobile, { performance: 0.13, accessibility: 0, 'best-practices': 0, seo: 0 });
		assert.equal(routes[0]?.isNew, false);
		assert.deepEqual([routes[1]?.isNew, routes[1]?.changes], [true, undefined]);
		assert.deepEqual(removedRoutes, ['/gone']);
	});

	it('gives no change for a route that was not scored before', () => {
		const previous = report([{ route: route('/x'), error: { code: 'BUSY', message: 'busy' } }]);
		const { routes } = compareWithPrevious(
			[scanRoute({ route: route('/x'), result: mobileResult('/x', 0.7) })],
			previous,
		);
		assert.deepEqual([routes[0]?.isNew, routes[0]?.changes], [false, undefined]);
	});

	it('says ok when every route is ok, partial when one is not, cancelled when stopped (without routes gone)', () => {
		const ok = [{ route: route('/'), result: mobileResult('/', 0.9) }];
		assert.equal(report(ok).status, 'ok');
		assert.equal(
			report([...ok, { route: route('/busy'), error: { code: 'BUSY', message: 'busy' } }]).status,
			'partial',
		);
		const previous = report([...ok, { route: route('/other'), result: mobileResult('/other', 0.9) }]);
		const stopped = report(ok, { cancelled: true, previous });
		assert.deepEqual(
			[stopped.status, stopped.previousScanId, stopped.removedRoutes],
			['cancelled', 'scan-1', undefined],
		);
		const whole = report(ok, { previous });
		assert.deepEqual([whole.status, whole.removedRoutes], ['ok', ['/other']]);
	});

	it('builds the report: origin, routes worst first, failing audits', () => {
		const r = report([
			{ route: route('/fast'), result: mobileResult('/fast', 0.99, ['image-alt']) },
			{ route: route('/slow'), result: mobileResult('/slow', 0.2, ['image-alt']) },
		]);
		assert.equal(r.origin, ORIGIN);
		assert.equal(r.startedAt, '2026-01-01T00:00:00.000Z');
		assert.deepEqual(
			r.routes.map((x) => x.path),
			['/slow', '/fast'],
		);
		assert.deepEqual(
			r.failingAudits.map((f) => `${f.id} on ${f.routes} of ${f.of}`),
			['image-alt on 2 of 2'],
		);
	});

	it('summarises a scan: routes, failed routes, the mean score per category', () => {
		const r = report([
			{ route: route('/a'), result: mobileResult('/a', 0.4) },
			{ route: route('/b'), result: mobileResult('/b', 0.8) },
			{ route: route('/c'), error: { code: 'BUSY', message: 'busy' } },
		]);
		const s = scanSummary(r);
		assert.deepEqual([s.id, s.routes, s.failed, s.status], ['scan-1', 3, 1, 'partial']);
		assert.equal(s.mean.mobile?.performance, 0.6);
		assert.equal(s.mean.mobile?.accessibility, 0.95);
		assert.equal(s.mean.desktop, undefined);
	});
});
