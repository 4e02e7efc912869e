import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import { createEngine } from '../../../src/engine/createEngine';
import { etaMs } from '../../../src/engine/scan/scan';
import { Engine } from '../../../src/engine/engine';
import type { EngineService } from '../../../src/engine/gather';
import { AuditError } from '../../../src/engine/errors';
import {
	type AuditOptionsInput,
	type ErrorInfo,
	getScanRequest,
	listScansRequest,
	type ProgressParams,
	RpcErrorCodes,
	type ScanProgressParams,
	scanProgressNotification,
	type ScanReport,
	scanRequest,
} from '../../../src/protocol';
import { chromiumOf, isAlive, startEngine, waitFor } from '../../helpers/engineProcess';
import { FIXTURE_TOKEN, type FixtureServer, fromBrowser, startFixtureServer } from '../../helpers/fixtureServer';
import { recordingLogger } from '../../helpers/sampleResult';

/** Lighthouse alone, on mobile (a scan's default form factor): the scan is the subject, not the other stages. */
const LH_ONLY: AuditOptionsInput = { stages: { capture: false, cro: false, ai: false, crux: false } };
const NO_STAGES: AuditOptionsInput = {
	stages: { lighthouse: false, capture: false, cro: false, ai: false, crux: false },
};
/** The small site's routes: the start page's links, not the pages behind them. */
const SMALL_SITE = { sitemap: false, maxDepth: 1 };

async function rejection(p: Promise<unknown>): Promise<ErrorInfo> {
	try {
		await p;
	} catch (err) {
		if (err instanceof AuditError) return err.toInfo();
		if (err instanceof ResponseError) return { ...(err.data as ErrorInfo), rpcCode: err.code } as ErrorInfo;
		throw err;
	}
	assert.fail('expected a rejection');
}

describe('Engine.scan (real Chromium, real Lighthouse, real sql.js file)', function () {
	this.timeout(300_000);
	let server: FixtureServer;
	let dir: string;
	const engines: Engine[] = [];

	before(async () => (server = await startFixtureServer()));
	after(() => server?.close());
	beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-scan-'))));
	afterEach(async () => {
		for (const e of engines.splice(0)) await e.close();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	async function newEngine(maxConcurrentAudits = 2, queueSize = 50): Promise<Engine> {
		const engine = await createEngine({
			db: path.join(dir, 'history.sqlite'),
			artifactsDir: path.join(dir, 'artifacts'),
			settings: { maxConcurrentAudits, queueSize },
			log: recordingLogger(),
		});
		engines.push(engine);
		return engine;
	}

	it('audits every route of a small site, keeps a 500 failed on its route, and keeps the report in the history; the next scan shows the changes', async () => {
		const engine = await newEngine();
		const scanProgress: ScanProgressParams[] = [];
		const auditProgress: ProgressParams[] = [];
		const listener = {
			scanProgress: (p: ScanProgressParams) => scanProgress.push(p),
			progress: (p: ProgressParams) => auditProgress.push(p),
		};
		const first = await engine.scan(
			{ url: server.url('/scan-small/'), scan: SMALL_SITE, options: LH_ONLY, scanId: 'small-1' },
			listener,
		);

		assert.equal(first.id, 'small-1');
		assert.equal(first.status, 'partial', 'one route failed');
		assert.deepEqual(first.formFactors, ['mobile']);
		assert.deepEqual(first.routes.map((r) => r.path).sort(), [
			'/500',
			'/scan-small/',
			'/scan-small/a.html',
			'/scan-small/b.html',
		]);
		const broken = first.routes[0];
		assert.deepEqual(
			[broken?.path, broken?.status, broken?.error?.code, broken?.worst],
			['/500', 'failed', 'HTTP_ERROR', undefined],
			'the failed route leads',
		);
		for (const route of first.routes.slice(1)) {
			assert.equal(route.status, 'ok', `${route.path}: ${JSON.stringify(route.error)}`);
			assert.equal(typeof route.scores.mobile?.performance, 'number');
			assert.equal(route.scores.desktop, undefined, 'mobile only by default');
			assert.equal(route.fromCache, false);
		}
		const worst = first.routes.slice(1).map((r) => r.worst ?? -1);
		assert.deepEqual(
			worst,
			[...worst].sort((a, b) => a - b),
			'worst first',
		);
		const imageAlt = first.failingAudits.find((f) => f.id === 'image-alt');
		assert.deepEqual([imageAlt?.routes, imageAlt?.of, imageAlt?.examples], [1, 3, ['/scan-small/b.html']]);

		assert.equal(scanProgress[0]?.phase, 'discovering');
		const audited = scanProgress.filter((p) => p.phase === 'auditing' && p.route);
		assert.deepEqual(
			audited.map((p) => [p.done, p.total]),
			[
				[1, 4],
				[2, 4],
				[3, 4],
				[4, 4],
			],
		);
		assert.ok(audited.every((p) => typeof p.etaMs === 'number'));
		assert.deepEqual(scanProgress.at(-1)?.phase, 'done');
		assert.ok(
			auditProgress.some((p) => p.auditId.startsWith('small-1:') && p.stage === 'lighthouse-mobile'),
			'the route audits report their progress',
		);

		assert.deepEqual(
			(await engine.listScans({ url: server.url('/scan-small/') })).scans.map((s) => [
				s.id,
				s.routes,
				s.failed,
				s.status,
			]),
			[['small-1', 4, 1, 'partial']],
		);
		assert.deepEqual(await engine.getScan('small-1'), first);
		const start = first.routes.find((r) => r.path === '/scan-small/');
		assert.equal(
			(await engine.getResult(start?.auditId ?? ''))?.url,
			server.url('/scan-small/'),
			'a route opens its audit',
		);

		const second = await engine.scan({
			url: server.url('/scan-small/'),
			scan: SMALL_SITE,
			options: LH_ONLY,
			scanId: 'small-2',
		});
		assert.equal(second.previousScanId, 'small-1');
		assert.deepEqual(second.removedRoutes, []);
		for (const route of second.routes) {
			assert.equal(route.isNew, false);
			if (route.status !== 'ok') continue;
			assert.equal(route.fromCache, true, `${route.path} is served from the cache`);
			assert.equal(route.changes?.mobile?.performance, 0);
		}
		assert.equal(second.routes.find((r) => r.path === '/500')?.fromCache, false, 'a failed route is audited again');
		assert.deepEqual(
			(await engine.listScans({})).scans.map((s) => s.id),
			['small-2', 'small-1'],
		);

		// The history file outlives the engine.
		await engine.close();
		const reopened = await newEngine();
		assert.deepEqual(
			(await reopened.listScans({ url: server.url('/scan-small/') })).scans.map((s) => s.id),
			['small-2', 'small-1'],
		);
		assert.deepEqual((await reopened.getScan('small-2'))?.routes, second.routes);
	});

	it('stops every route audit when cancelled, resolves cancelled with the routes done so far, and leaves no Chrome', async () => {
		const engine = await newEngine(1);
		// The preflight passes; the browser's load of the linked page waits for the test.
		const gate = server.gate('/gated/scan-hold', { hold: fromBrowser });
		try {
			const scanning = engine.scan({
				url: server.url('/scan-hold/'),
				scan: SMALL_SITE,
				options: LH_ONLY,
				scanId: 'held',
			});
			await gate.reached;
			const chromium = chromiumOf(process.pid);
			assert.ok(chromium.length > 0, 'a Chrome is loading the held page');
			assert.equal(engine.cancel('held'), 2, 'the scan and its running route audit');
			const report = await scanning;
			assert.equal(report.status, 'cancelled');
			assert.deepEqual(
				report.routes.map((r) => [r.path, r.status]),
				[['/scan-hold/', 'ok']],
				'the route audited before the cancel is kept; the held one is not a route audited',
			);
			assert.equal(report.removedRoutes, undefined);
			assert.deepEqual(
				(await engine.listScans({})).scans.map((s) => [s.id, s.status]),
				[['held', 'cancelled']],
			);
			await engine.close();
			assert.deepEqual(engine.chromePids(), []);
			await waitFor(
				() => chromium.every((pid) => !isAlive(pid)),
				15_000,
				`every Chromium process to be gone (left: ${chromium.filter(isAlive).join(', ')})`,
			);
		} finally {
			gate.open();
		}
	});

	it('stops discovery when cancelled', async () => {
		const engine = await newEngine();
		const gate = server.gate('/gated/scan-discovery');
		try {
			const scanning = engine.scan({
				url: server.url('/gated/scan-discovery'),
				options: LH_ONLY,
				scanId: 'discovering',
			});
			await gate.reached;
			assert.equal(engine.cancel('discovering'), 1);
			const report = await scanning;
			assert.deepEqual([report.status, report.routes, report.discovery.found], ['cancelled', [], 0]);
		} finally {
			gate.open();
		}
	});

	it("asks the services to warm up as many runs as will audit at once, with the audits' options, before discovery starts", async () => {
		const warmed: string[] = [];
		// Each service decides from the options whether it has anything to warm (no Lighthouse, no capture…).
		const recorder: EngineService = {
			configure: () => undefined,
			stats: () => ({}),
			close: async () => undefined,
			warm: (n, o) => void warmed.push(`${n} lighthouse:${o?.stages.lighthouse} ${o?.formFactors.join('+')}`),
		};
		const engine = new Engine({
			settings: { maxConcurrentAudits: 3 },
			stages: [],
			services: [recorder],
			browsers: { chromePids: () => [], killAllSync: () => undefined },
			versions: { lighthouse: () => 'test', chrome: () => Promise.resolve(undefined) },
			artifactsDir: path.join(dir, 'artifacts'),
			log: recordingLogger(),
		});
		engines.push(engine);
		const gate = server.gate('/gated/scan-warm');
		try {
			const scanning = engine.scan({ url: server.url('/gated/scan-warm'), scanId: 'warm' });
			await gate.reached;
			assert.deepEqual(warmed, ['3 lighthouse:true mobile'], 'warmed while discovery waits for the start URL');
			engine.cancel('warm');
			await scanning;
			await engine.scan({
				url: server.url('/scan-small/'),
				scan: { maxRoutes: 2, sitemap: false, crawl: false },
				options: NO_STAGES,
			});
			assert.equal(
				warmed[1],
				'2 lighthouse:false mobile',
				'no more than the routes a scan may audit; the options say Lighthouse is off',
			);
			await engine.scan({
				url: server.url('/scan-small/'),
				scan: { maxRoutes: 2, sitemap: false, crawl: false },
				options: { formFactors: ['mobile', 'desktop'] },
			});
			assert.equal(warmed[2], '2 lighthouse:true mobile+desktop');
		} finally {
			gate.open();
		}
	});

	it('feeds the queue no more routes than run at once: a queue of size 0 refuses none of them', async () => {
		const engine = await newEngine(1, 0);
		const report = await engine.scan({ url: server.url('/scan-small/'), scan: SMALL_SITE, options: NO_STAGES });
		assert.deepEqual(
			report.routes.map((r) => [r.path, r.status, r.error?.code]),
			[
				['/500', 'failed', 'HTTP_ERROR'],
				['/scan-small/', 'ok', undefined],
				['/scan-small/a.html', 'ok', undefined],
				['/scan-small/b.html', 'ok', undefined],
			],
		);
	});

	it('signs in for discovery and every route, and keeps no credential in the report', async () => {
		const engine = await newEngine();
		const url = server.url('/protected');
		assert.equal(
			(await rejection(engine.scan({ url, options: NO_STAGES }))).code,
			'HTTP_ERROR',
			'signed out, the start URL answers 401',
		);
		const auth = { headers: { 'X-Fixture-Token': FIXTURE_TOKEN } };
		const report = await engine.scan({ url, scan: { sitemap: false, crawl: false }, options: NO_STAGES, auth });
		assert.deepEqual(
			report.routes.map((r) => [r.path, r.status]),
			[['/protected', 'ok']],
		);
		const stored = JSON.stringify([await engine.getScan(report.id), await engine.listScans({})]);
		assert.ok(stored.includes(report.id) && !stored.includes(FIXTURE_TOKEN), 'the token is not in the stored scan');
	});

	it('rejects a scan that cannot start: not http(s), bad options, a start URL that fails, an engine shutting down', async () => {
		const engine = await newEngine();
		assert.equal((await rejection(engine.scan({ url: 'file:///etc/passwd' }))).code, 'INVALID_URL');
		const bad = await rejection(engine.scan({ url: server.url('/'), scan: { maxRoutes: 0 } }));
		assert.equal(bad.code, 'INVALID_PARAMS');
		assert.match(bad.message, /maxRoutes/);
		assert.equal((await rejection(engine.scan({ url: server.url('/500') }))).code, 'HTTP_ERROR');
		assert.deepEqual((await engine.listScans({})).scans, [], 'a scan that did not start is not kept');

		const gate = server.gate('/gated/scan-shutdown');
		try {
			const scanning = rejection(engine.scan({ url: server.url('/gated/scan-shutdown'), options: NO_STAGES }));
			await gate.reached;
			await engine.close();
			assert.equal((await scanning).code, 'SHUTTING_DOWN');
			assert.equal((await rejection(engine.scan({ url: server.url('/') }))).code, 'SHUTTING_DOWN');
		} finally {
			gate.open();
		}
	});
});

describe('scan over JSON-RPC (real engine process)', function () {
	this.timeout(120_000);

	it('answers scan with the report and scanProgress notifications, then listScans and getScan; refuses bad params', async () => {
		const server = await startFixtureServer();
		const engine = await startEngine();
		try {
			const progress: ScanProgressParams[] = [];
			engine.connection.onNotification(scanProgressNotification, (p) => void progress.push(p));
			// No stage at all: the scan's own path (discovery, route audits, report, history) without a browser.
			const report: ScanReport = await engine.connection.sendRequest(scanRequest, {
				url: server.url('/scan-small/'),
				scan: SMALL_SITE,
				options: NO_STAGES,
				scanId: 'rpc-scan',
			});
			assert.equal(report.id, 'rpc-scan');
			assert.deepEqual(
				report.routes.map((r) => [r.path, r.status]),
				[
					['/500', 'failed'],
					['/scan-small/', 'ok'],
					['/scan-small/a.html', 'ok'],
					['/scan-small/b.html', 'ok'],
				],
			);
			await waitFor(
				() => progress.some((p) => p.scanId === 'rpc-scan' && p.phase === 'done'),
				10_000,
				'the last scanProgress',
			);
			assert.ok(
				engine.progress.some((p) => p.auditId.startsWith('rpc-scan:')),
				'route audit progress is forwarded',
			);
			const { scans } = await engine.connection.sendRequest(listScansRequest, { url: server.url('/scan-small/') });
			assert.deepEqual(
				scans.map((s) => s.id),
				['rpc-scan'],
			);
			assert.deepEqual(await engine.connection.sendRequest(getScanRequest, { id: 'rpc-scan' }), report);
			assert.equal(await engine.connection.sendRequest(getScanRequest, { id: 'none' }), null);
			const refused = await rejection(
				engine.connection.sendRequest(scanRequest, { url: server.url('/'), scan: { maxDepth: -1 } }),
			);
			assert.equal((refused as ErrorInfo & { rpcCode: number }).rpcCode, RpcErrorCodes.invalidParams);
			const unknown = await rejection(engine.connection.sendRequest(listScansRequest, { nope: 1 } as never));
			assert.equal(unknown.code, 'INVALID_PARAMS');
		} finally {
			await engine.stop();
			await server.close();
		}
	});
});

describe('the time left of a scan (pure)', () => {
	it('estimates the time left from the mean route time, run `concurrency` at a time', () => {
		assert.equal(etaMs(0, 0, 10, 4), undefined, 'nothing to go on before a route ends');
		assert.equal(etaMs(40_000, 4, 8, 4), 20_000, '8 routes of 10 s, four at a time');
		assert.equal(etaMs(40_000, 4, 2, 4), 10_000, 'two routes left run side by side');
		assert.equal(etaMs(40_000, 4, 0, 4), 0);
	});
});
