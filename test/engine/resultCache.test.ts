import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
	auditRequest,
	type AuditResult,
	clearCacheRequest,
	configureRequest,
	getReportRequest,
	listHistoryRequest,
	statsRequest,
} from '../../src/protocol';
import { type EngineProcess, startEngine } from '../helpers/engineProcess';
import { type FixtureServer, startFixtureServer } from '../helpers/fixtureServer';

const MOBILE_LH_ONLY = {
	formFactors: ['mobile' as const],
	stages: { capture: false, cro: false, ai: false, crux: false },
};

function perf(r: AuditResult): number | null | undefined {
	const s = r.stages['lighthouse-mobile'];
	return s?.status === 'ok' ? s.data.scores.performance : undefined;
}

describe('engine cache and history (real engine process, real sql.js file)', function () {
	let server: FixtureServer;
	let dir: string;
	let db: string;
	let engine: EngineProcess;

	before(async () => (server = await startFixtureServer()));
	after(() => server?.close());
	// Each test has its own history file and engine: none builds on what another left behind.
	beforeEach(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-cache-'));
		db = path.join(dir, 'history.sqlite');
		engine = await startEngine({ db });
		// The engine answers once it has opened (and locked) its history file.
		await engine.connection.sendRequest(statsRequest, {});
	});
	afterEach(async () => {
		await engine?.stop();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	it('serves a repeat audit from the cache with the same scores', async () => {
		const first = await engine.connection.sendRequest(auditRequest, {
			url: server.url('/site/page1.html'),
			options: MOBILE_LH_ONLY,
		});
		const t0 = performance.now();
		const again = await engine.connection.sendRequest(auditRequest, {
			url: server.url('/site/page1.html#ignored-fragment'),
			options: MOBILE_LH_ONLY,
		});
		const ms = performance.now() - t0;
		assert.equal(first.fromCache, false);
		assert.equal(again.fromCache, true);
		assert.equal(again.id, first.id);
		assert.equal(perf(again), perf(first));
		assert.ok(ms < 1000, `cached answer took ${ms} ms`);
	});

	it('runs Lighthouse once for 20 identical concurrent requests, and every caller gets the result', async () => {
		const before = await engine.connection.sendRequest(statsRequest, {});
		const url = server.url('/site/page2.html');
		const results = await Promise.all(
			Array.from({ length: 20 }, () => engine.connection.sendRequest(auditRequest, { url, options: MOBILE_LH_ONLY })),
		);
		const after = await engine.connection.sendRequest(statsRequest, {});
		assert.equal(after.lighthouseRuns - before.lighthouseRuns, 1);
		assert.equal(new Set(results.map((r) => r.id)).size, 1);
		assert.ok(results.every((r) => perf(r) === perf(results[0])));
	});

	it('bypasses the cache with noCache and then updates it', async () => {
		const url = server.url('/site/page1.html');
		const fresh = await engine.connection.sendRequest(auditRequest, {
			url,
			options: { ...MOBILE_LH_ONLY, noCache: true },
		});
		assert.equal(fresh.fromCache, false);
		const cached = await engine.connection.sendRequest(auditRequest, { url, options: MOBILE_LH_ONLY });
		assert.equal(cached.fromCache, true);
		assert.equal(cached.id, fresh.id);
	});

	it('audits again once the cache entry has expired', async () => {
		await engine.connection.sendRequest(configureRequest, { cacheTtlMs: 1500 });
		try {
			const url = server.url('/site/page3.html');
			const first = await engine.connection.sendRequest(auditRequest, { url, options: MOBILE_LH_ONLY });
			await new Promise((r) => setTimeout(r, 1800));
			const later = await engine.connection.sendRequest(auditRequest, { url, options: MOBILE_LH_ONLY });
			assert.equal(later.fromCache, false);
			assert.notEqual(later.id, first.id);
		} finally {
			await engine.connection.sendRequest(configureRequest, { cacheTtlMs: 24 * 3600_000 });
		}
	});

	it('clears the cache on request but keeps the history', async () => {
		const url = server.url('/site/page2.html');
		const first = await engine.connection.sendRequest(auditRequest, { url, options: MOBILE_LH_ONLY });
		const { cleared } = await engine.connection.sendRequest(clearCacheRequest, {});
		assert.equal(cleared, 1);
		const again = await engine.connection.sendRequest(auditRequest, { url, options: MOBILE_LH_ONLY });
		assert.equal(again.fromCache, false);
		assert.notEqual(again.id, first.id);
		const { entries } = await engine.connection.sendRequest(listHistoryRequest, { url });
		assert.deepEqual(entries?.map((e) => e.id).sort(), [first.id, again.id].sort(), 'both audits are in the history');
	});

	it('keeps the history and the Lighthouse report across an engine restart', async () => {
		for (const page of ['page1', 'page2'])
			await engine.connection.sendRequest(auditRequest, {
				url: server.url(`/site/${page}.html`),
				options: MOBILE_LH_ONLY,
			});
		const { urls } = await engine.connection.sendRequest(listHistoryRequest, {});
		assert.equal(urls?.length, 2);
		const page2 = urls.find((u) => u.url.endsWith('/site/page2.html'))!;
		await engine.stop();
		engine = await startEngine({ db });
		const after = await engine.connection.sendRequest(listHistoryRequest, {});
		assert.deepEqual(after.urls?.map((u) => u.url).sort(), urls.map((u) => u.url).sort());
		const cached = await engine.connection.sendRequest(auditRequest, {
			url: server.url('/site/page2.html'),
			options: MOBILE_LH_ONLY,
		});
		assert.equal(cached.fromCache, true, 'the restarted engine answers from its warmed cache');
		assert.equal(cached.id, page2.latest.id);
		const report = await engine.connection.sendRequest(getReportRequest, {
			id: page2.latest.id,
			formFactor: 'mobile',
			format: 'html',
		});
		assert.match(report.content, /<html/i);
		assert.ok(report.content.length > 100_000);
	});

	it('sets a garbage database file aside, warns, and keeps working', async () => {
		await engine.stop();
		fs.writeFileSync(db, Buffer.from('this is not a sqlite database '.repeat(200)));
		engine = await startEngine({ db });
		const r = await engine.connection.sendRequest(auditRequest, {
			url: server.url('/site/page4.html'),
			options: MOBILE_LH_ONLY,
		});
		assert.equal(r.fromCache, false);
		const aside = fs.readdirSync(dir).filter((f) => f.includes('corrupt'));
		assert.equal(aside.length, 1, fs.readdirSync(dir).join(', '));
		assert.match(engine.stderr(), /corrupt|unreadable|set aside|moved/i);
		const { urls } = await engine.connection.sendRequest(listHistoryRequest, {});
		assert.deepEqual(
			urls?.map((u) => u.url),
			[server.url('/site/page4.html')],
		);
	});

	it('lets a second engine on the same file run with in-memory history and a clear warning', async () => {
		const second = await startEngine({ db });
		try {
			const stats = await second.connection.sendRequest(statsRequest, {});
			assert.equal(stats.history.path, undefined);
			assert.match(second.stderr(), /in use by engine pid \d+/);
			// The first engine still owns and writes the file.
			const own = await engine.connection.sendRequest(statsRequest, {});
			assert.equal(own.history.path, db);
		} finally {
			await second.stop();
		}
	});
});
