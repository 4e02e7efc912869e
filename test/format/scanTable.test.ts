import assert from 'node:assert/strict';
import {
	changeMark,
	columnLabel,
	DEFAULT_SORT,
	discoveryLine,
	etaLabel,
	failingAuditLine,
	isSortKey,
	nextSort,
	scanOutcomeLine,
	scanProgressLine,
	scanSummaryLine,
	scoreColumns,
	sortRoutes,
	upsertRoute,
} from '../../src/format/scanTable';
import { sampleRoute, sampleScan } from '../helpers/sampleScan';

const paths = (routes: { path: string }[]) => routes.map((r) => r.path);

describe('Site report table (scanTable)', () => {
	it('sorts worst first by default: a route without scores, then the lowest score ascending', () => {
		const { routes } = sampleScan();
		assert.deepEqual(paths(sortRoutes(routes)), ['/broken', '/pricing', '/']);
		assert.deepEqual(DEFAULT_SORT, { key: 'worst', dir: 'asc' });
	});

	it('sorts by one score column either way, a missing score counting as the worst', () => {
		const { routes } = sampleScan();
		assert.deepEqual(paths(sortRoutes(routes, { key: 'mobile:seo', dir: 'desc' })), ['/pricing', '/', '/broken']);
		assert.deepEqual(paths(sortRoutes(routes, { key: 'mobile:seo', dir: 'asc' })), ['/broken', '/', '/pricing']);
	});

	it('sorts by path and by status (not audited, failed, partial, complete), ties in path order', () => {
		const routes = [
			sampleRoute('/b', { seo: 1 }),
			sampleRoute('/a', { seo: 1 }),
			sampleRoute('/c', {}, { status: 'error' }),
			sampleRoute('/d', { seo: 0.5 }, { status: 'partial' }),
		];
		assert.deepEqual(paths(sortRoutes(routes, { key: 'path', dir: 'asc' })), ['/a', '/b', '/c', '/d']);
		assert.deepEqual(paths(sortRoutes(routes, { key: 'status', dir: 'asc' })), ['/c', '/d', '/a', '/b']);
		assert.deepEqual(paths(routes), ['/b', '/a', '/c', '/d'], 'the input is left as it was');
	});

	it('turns a click on the sorted column around, and starts another column worst first', () => {
		assert.deepEqual(nextSort(DEFAULT_SORT, 'worst'), { key: 'worst', dir: 'desc' });
		assert.deepEqual(nextSort({ key: 'worst', dir: 'desc' }, 'worst'), { key: 'worst', dir: 'asc' });
		assert.deepEqual(nextSort({ key: 'worst', dir: 'desc' }, 'mobile:performance'), {
			key: 'mobile:performance',
			dir: 'asc',
		});
	});

	it('has a column per category per form factor asked for, labelled by form factor only when there are two', () => {
		assert.deepEqual(
			scoreColumns(['mobile']).map((c) => c.key),
			['mobile:performance', 'mobile:accessibility', 'mobile:best-practices', 'mobile:seo'],
		);
		const both = scoreColumns(['mobile', 'desktop']);
		assert.equal(both.length, 8);
		assert.equal(columnLabel(both[4], ['mobile', 'desktop']), 'P desktop');
		assert.equal(columnLabel(both[0], ['mobile']), 'P');
		assert.equal(isSortKey('desktop:seo', ['mobile']), false, 'a saved order naming a column the scan has not');
		assert.equal(isSortKey('mobile:seo', ['mobile']), true);
	});

	it('shows changes since the previous scan in points as ▲/▼, nothing for none', () => {
		assert.deepEqual(changeMark(0.03), { text: '▲3', up: true });
		assert.deepEqual(changeMark(-0.12), { text: '▼12', up: false });
		assert.equal(changeMark(0.001), undefined);
		assert.equal(changeMark(undefined), undefined);
	});

	it('says which audit fails on how many routes, and what discovery found and left out', () => {
		const report = sampleScan();
		assert.equal(
			failingAuditLine({ ...report.failingAudits[0], routes: 37, of: 120 }, ['mobile']),
			'image-alt on 37 of 120 routes',
		);
		assert.equal(
			failingAuditLine({ ...report.failingAudits[0], formFactor: 'desktop' }, ['mobile', 'desktop']),
			'image-alt on 2 of 2 routes (desktop)',
		);
		assert.equal(
			discoveryLine(report.discovery),
			'Found 5 routes, audited 3 (2 sampled out of look-alike groups); 1 sitemap read; discovery took 1.2 s.',
		);
	});

	it('reports progress as routes done of routes chosen, with the time left', () => {
		assert.equal(
			scanProgressLine({ phase: 'discovering', discovered: 7, done: 0, total: 0 }),
			'Discovering routes… 7 found',
		);
		assert.equal(
			scanProgressLine({ phase: 'auditing', discovered: 12, done: 3, total: 12, etaMs: 81_000 }),
			'3 of 12 routes · about 1 min left',
		);
		assert.equal(scanProgressLine({ phase: 'done', discovered: 12, done: 12, total: 12, etaMs: 0 }), '12 of 12 routes');
		assert.equal(etaLabel(40_200), 'about 40 s left');
		assert.throws(() => etaLabel(Number.NaN), TypeError);
	});

	it('sums a scan up for the history tree with its mean scores', () => {
		const line = scanSummaryLine({
			id: 's',
			startUrl: 'https://example.com/',
			startedAt: '',
			durationMs: 1,
			status: 'partial',
			routes: 12,
			failed: 1,
			mean: { mobile: { performance: 0.814, accessibility: 0.9 } },
		});
		assert.equal(line, 'partial, 12 routes, 1 failed · P 81 · A 90');
	});

	it('sums up how a scan ended, a cancelled one with the routes it audited', () => {
		const report = sampleScan();
		assert.equal(scanOutcomeLine(report), 'Scanned 3 routes of example.com: 2 complete, 1 failed.');
		assert.equal(
			scanOutcomeLine({ ...report, status: 'cancelled', routes: report.routes.slice(0, 1) }),
			'Scan cancelled: audited 1 route of example.com: 1 complete.',
		);
	});

	it('puts a finished route in place of its row, or adds it', () => {
		const routes = [sampleRoute('/a', { seo: 0.5 })];
		upsertRoute(routes, sampleRoute('/a', { seo: 0.9 }));
		upsertRoute(routes, sampleRoute('/b', { seo: 1 }));
		assert.deepEqual(
			routes.map((r) => [r.path, r.worst]),
			[
				['/a', 0.9],
				['/b', 1],
			],
		);
	});
});
