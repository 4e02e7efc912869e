import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HistoryStore } from '../../../src/engine/history/historyStore';
import { loadSqlJs, MIGRATIONS, SCHEMA_VERSION } from '../../../src/engine/history/historySchema';
import { packText } from '../../../src/engine/history/lhrPack';
import { siteReport } from '../../../src/engine/scan/siteReport';
import type { AuditResult, ScanReport } from '../../../src/protocol';
import { recordingLogger, sampleResult, testSettings } from '../../helpers/sampleResult';

const SCAN = { maxRoutes: 200, maxDepth: 3, include: [], exclude: [], samplesPerGroup: 5, sitemap: true, crawl: true };
const DISCOVERY = {
	found: 2,
	audited: 2,
	sampledOut: 0,
	excluded: 0,
	disallowed: 0,
	overLimit: 0,
	sitemaps: [],
	durationMs: 10,
};

/** A scan report of `startUrl` whose routes are these results, at `startedAt`. */
function scanOf(id: string, startUrl: string, results: AuditResult[], startedAt: number): ScanReport {
	return siteReport({
		id,
		startUrl,
		startedAt,
		durationMs: 5000,
		cancelled: false,
		formFactors: ['mobile', 'desktop'],
		scan: SCAN,
		discovery: DISCOVERY,
		outcomes: results.map((result) => ({
			route: { url: result.url, path: new URL(result.url).pathname, source: 'link', depth: 1 },
			result,
		})),
	});
}

describe('scans in the history (real sql.js file)', function () {
	this.timeout(60_000);
	let dir: string;
	let dbPath: string;
	const open: HistoryStore[] = [];

	async function openStore(): Promise<HistoryStore> {
		const store = await HistoryStore.open({ path: dbPath, settings: testSettings(), log: recordingLogger() });
		open.push(store);
		return store;
	}

	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-scans-'));
		dbPath = path.join(dir, 'history.sqlite');
	});
	afterEach(async () => {
		for (const store of open.splice(0)) await store.close();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	/** Save `results` as audits and a scan of them. */
	async function saveScan(
		store: HistoryStore,
		id: string,
		startUrl: string,
		results: AuditResult[],
		startedAt: number,
	): Promise<ScanReport> {
		for (const r of results) await store.save(`key-${r.id}`, r, new Map());
		const report = scanOf(id, startUrl, results, startedAt);
		await store.saveScan(report);
		return report;
	}

	it('lists scans newest first, by start URL, and reads a report back from the reopened file', async () => {
		const store = await openStore();
		const a = [
			sampleResult({ url: 'https://a.example/', perf: 0.5 }),
			sampleResult({ url: 'https://a.example/x', perf: 0.7 }),
		];
		const first = await saveScan(store, 'scan-a1', 'https://a.example/', a, Date.now() - 60_000);
		await saveScan(
			store,
			'scan-b1',
			'https://b.example/',
			[sampleResult({ url: 'https://b.example/' })],
			Date.now() - 30_000,
		);
		await saveScan(store, 'scan-a2', 'https://a.example/', [sampleResult({ url: 'https://a.example/' })], Date.now());
		await store.close();

		const again = await openStore();
		assert.deepEqual(
			(await again.listScans({})).map((s) => s.id),
			['scan-a2', 'scan-b1', 'scan-a1'],
		);
		assert.deepEqual(
			(await again.listScans({ url: 'HTTPS://A.example/', limit: 5 })).map((s) => s.id),
			['scan-a2', 'scan-a1'],
			'the URL is normalised',
		);
		assert.deepEqual(
			(await again.listScans({ limit: 1 })).map((s) => s.id),
			['scan-a2'],
		);
		const [summary] = await again.listScans({ url: 'https://b.example/' });
		assert.deepEqual(
			[summary?.routes, summary?.failed, summary?.status, summary?.mean.mobile?.performance],
			[1, 0, 'ok', 0.87],
		);
		assert.deepEqual(await again.getScan('scan-a1'), first);
		assert.equal(await again.getScan('nope'), undefined);
	});

	it('opens a version-2 history that has audits and no scans, and then keeps scans in it', async () => {
		const SQL = await loadSqlJs();
		const db = new SQL.Database();
		db.exec(
			`CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (2); ${MIGRATIONS[0]} ${MIGRATIONS[1]}`,
		);
		const old = sampleResult({ url: 'https://old.example/' });
		const now = Date.now();
		db.run(
			`INSERT INTO audits (id, url, cache_key, requested_at, saved_at, duration_ms, options, engine_version, lighthouse_version,
				scores, metrics, stages, status, error, summary, files, result) VALUES (?, ?, 'k', ?, ?, 9000, '{}', '0.1.0', '12.8.2', '{}', '{}', '{}', 'ok', NULL, '', '[]', ?)`,
			[old.id, old.url, now, now, await packText(JSON.stringify(old), 5)],
		);
		fs.writeFileSync(dbPath, db.export());
		db.close();

		const store = await openStore();
		assert.equal((await store.listAudits('https://old.example/'))[0]?.id, old.id, 'the audits are still there');
		assert.deepEqual(await store.listScans({}), []);
		await store.saveScan(scanOf('scan-1', 'https://old.example/', [old], now));
		await store.close();
		const bytes = fs.readFileSync(dbPath);
		const SQL2 = await loadSqlJs();
		const migrated = new SQL2.Database(bytes);
		assert.equal(migrated.exec('SELECT version FROM schema_version')[0]?.values[0]?.[0], SCHEMA_VERSION);
		migrated.close();
		assert.equal((await (await openStore()).getScan('scan-1'))?.routes[0]?.auditId, old.id);
	});

	it('drops the link of a route whose audit was deleted, and keeps its scores', async () => {
		const store = await openStore();
		const results = [sampleResult({ url: 'https://a.example/' }), sampleResult({ url: 'https://a.example/x' })];
		await saveScan(store, 'scan-1', 'https://a.example/', results, Date.now());
		assert.equal(await store.delete({ id: results[1]?.id }), 1);
		const report = await store.getScan('scan-1');
		const byUrl = new Map(report?.routes.map((r) => [r.url, r]));
		assert.equal(byUrl.get('https://a.example/')?.auditId, results[0]?.id);
		assert.equal(byUrl.get('https://a.example/x')?.auditId, undefined);
		assert.equal(byUrl.get('https://a.example/x')?.scores.mobile?.performance, 0.87);
	});

	it('deletes the scans of a start URL with its history, and every scan with the whole history', async () => {
		const store = await openStore();
		await saveScan(
			store,
			'scan-a',
			'https://a.example/',
			[sampleResult({ url: 'https://a.example/' })],
			Date.now() - 1000,
		);
		await saveScan(store, 'scan-b', 'https://b.example/', [sampleResult({ url: 'https://b.example/' })], Date.now());
		assert.equal(await store.delete({ url: 'https://a.example/' }), 1);
		assert.deepEqual(
			(await store.listScans({})).map((s) => s.id),
			['scan-b'],
		);
		await store.close();
		const again = await openStore();
		assert.deepEqual(
			(await again.listScans({})).map((s) => s.id),
			['scan-b'],
			'the deletion reached the file',
		);
		assert.equal(await again.delete({ all: true }), 1);
		assert.deepEqual(await again.listScans({}), []);
		assert.equal(await again.getScan('scan-b'), undefined);
	});

	it('forgets scans older than the history keeps audits', async () => {
		const store = await HistoryStore.open({
			path: dbPath,
			settings: testSettings({ historyMaxAgeDays: 1 }),
			log: recordingLogger(),
		});
		open.push(store);
		await store.saveScan(scanOf('old-scan', 'https://a.example/', [], Date.now() - 3 * 24 * 3600_000));
		await store.saveScan(scanOf('new-scan', 'https://a.example/', [], Date.now()));
		// Retention runs with the next audit saved.
		await store.save('k', sampleResult({ url: 'https://a.example/' }), new Map());
		assert.deepEqual(
			(await store.listScans({})).map((s) => s.id),
			['new-scan'],
		);
	});
});
