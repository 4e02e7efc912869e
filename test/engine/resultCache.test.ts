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
	AuditOptions,
} from '../../src/protocol';
import { delay } from '../helpers/async';
import { type EngineProcess, startEngine } from '../helpers/engineProcess';
import { type FixtureServer, startFixtureServer } from '../helpers/fixtureServer';
import { describe, it } from 'mocha';
import { AuditError } from '../../src/engine/errors';
import { cacheKey } from '../../src/engine/resultCache';
import { sampleOptions } from '../helpers/sampleResult';

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
		const TTL_MS = 50;
		await engine.connection.sendRequest(configureRequest, { cacheTtlMs: TTL_MS });
		try {
			const url = server.url('/site/page3.html');
			const first = await engine.connection.sendRequest(auditRequest, { url, options: MOBILE_LH_ONLY });
			// The result was saved before its answer came: past the TTL from now, it has expired, however slow the machine.
			await delay(TTL_MS + 10);
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

function invalidUrl(pattern: RegExp) {
	return (err: unknown) => err instanceof AuditError && err.code === 'INVALID_URL' && pattern.test(err.message);
}

describe('cacheKey', () => {
	it('changes with whatever changes a result: versions and which API keys are set', () => {
		const options = sampleOptions();
		options.stages = { lighthouse: true, capture: true, cro: true, ai: true, crux: true };
		const base = {
			lighthouseVersion: '12.8.2',
			chromeVersion: 'Chromium 156.0.8078.79',
			aiKeySet: false,
			cruxKeySet: false,
		};
		const key = cacheKey('https://example.com/', options, base);
		for (const change of [
			{ lighthouseVersion: '13.0.0' },
			{ chromeVersion: 'Chromium 157.0.1.2' },
			{ aiKeySet: true },
			{ cruxKeySet: true },
		]) {
			assert.notEqual(cacheKey('https://example.com/', options, { ...base, ...change }), key, JSON.stringify(change));
		}
		assert.ok(!key.includes('sk-ant'), 'holds whether a key is set, never a key');
	});

	it('ignores a key whose stage is off', () => {
		const options = sampleOptions();
		options.stages = { ...options.stages, ai: false, crux: false };
		assert.equal(
			cacheKey('https://example.com/', options, { aiKeySet: true, cruxKeySet: true }),
			cacheKey('https://example.com/', options, { aiKeySet: false, cruxKeySet: false }),
		);
	});

	it('is the same for equivalent URLs and options given in another order', () => {
		const a = cacheKey('HTTPS://Example.com:443/#top', sampleOptions());
		const reordered: AuditOptions = {
			devServer: false,
			stages: { crux: false, ai: false, cro: true, capture: true, lighthouse: true },
			runs: 1,
			throttling: 'simulate',
			categories: ['seo', 'best-practices', 'accessibility', 'performance', 'seo'],
			formFactors: ['desktop', 'mobile'],
		};
		assert.equal(cacheKey('https://example.com/', reordered), a);
	});

	it('differs for every option that changes the result', () => {
		const base = cacheKey('https://example.com/', sampleOptions());
		const variants: AuditOptions[] = [
			sampleOptions({ formFactors: ['mobile'] }),
			sampleOptions({ categories: ['performance'] }),
			sampleOptions({ throttling: 'devtools' }),
			sampleOptions({ runs: 3 }),
			sampleOptions({ devServer: true }),
			sampleOptions({ stages: { lighthouse: true, capture: true, cro: true, ai: true, crux: false } }),
		];
		const keys = variants.map((o) => cacheKey('https://example.com/', o));
		for (const key of keys) assert.notEqual(key, base);
		assert.equal(new Set(keys).size, keys.length);
	});

	it('differs by query but not by fragment', () => {
		const o = sampleOptions();
		assert.notEqual(cacheKey('https://example.com/?a=1', o), cacheKey('https://example.com/?a=2', o));
		assert.equal(cacheKey('https://example.com/#x', o), cacheKey('https://example.com/#y', o));
	});

	it('ignores fields that do not change the result', () => {
		const withExtras = { ...sampleOptions(), noCache: true, timeoutMs: 5000 } as AuditOptions;
		assert.equal(cacheKey('https://example.com/', withExtras), cacheKey('https://example.com/', sampleOptions()));
	});

	it('throws INVALID_URL for a URL it cannot normalise', () => {
		assert.throws(() => cacheKey('mailto:a@b.c', sampleOptions()), invalidUrl(/mailto:/));
	});
});
