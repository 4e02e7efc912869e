import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
	auditRequest,
	batchAuditRequest,
	cancelRequest,
	type ConfigureParams,
	configureRequest,
	type EngineStats,
	statsRequest,
	shutdownRequest,
	locateRequest,
	RpcErrorCodes,
} from '../../src/protocol';
import {
	auditError,
	chromeBrowsersOf,
	chromiumOf,
	cmdline,
	type EngineProcess,
	lighthouseScores,
	startEngine,
	waitFor,
} from '../helpers/engineProcess';
import { type FixtureServer, fromBrowser, fromLighthouse, startFixtureServer } from '../helpers/fixtureServer';
import { delay } from '../helpers/async';
import { FIXTURE_WORKSPACES } from '../helpers/workspaces';

/** Lighthouse only: these tests are about the engine, pool and protocol. */
const LH_ONLY = { stages: { capture: false, cro: false, ai: false, crux: false } };

/** Chrome profile folders an engine made in the temp folder. */
function profileDirs(enginePid: number): string[] {
	return fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith(`auditlens-engine-${enginePid}-`));
}

describe('engine process (real Chromium, real Lighthouse)', function () {
	let server: FixtureServer;
	let engine: EngineProcess;

	before(async () => {
		server = await startFixtureServer();
		engine = await startEngine({ db: null });
	});
	after(async () => {
		await engine?.stop();
		await server?.close();
	});

	/** Run `fn` with `patch` applied, then put back exactly the settings it changed: no test leaks its limits. */
	async function withSettings<T>(patch: ConfigureParams, fn: () => Promise<T>): Promise<T> {
		const { settings } = await engine.connection.sendRequest(statsRequest, {});
		const previous = Object.fromEntries(
			Object.keys(patch).map((k) => [k, settings[k as keyof typeof settings]]),
		) as ConfigureParams;
		await engine.connection.sendRequest(configureRequest, patch);
		try {
			return await fn();
		} finally {
			await engine.connection.sendRequest(configureRequest, previous);
		}
	}

	it('audits a page for mobile and desktop and reports each stage as it finishes', async () => {
		const progressBefore = engine.progress.length;
		const result = await engine.connection.sendRequest(auditRequest, {
			url: server.url('/'),
			auditId: 'both-1',
			options: LH_ONLY,
		});
		for (const ff of ['mobile', 'desktop'] as const) {
			const run = lighthouseScores(result, ff);
			for (const cat of ['performance', 'accessibility', 'best-practices', 'seo'] as const) {
				const score = run.scores[cat];
				assert.ok(typeof score === 'number' && score >= 0 && score <= 1, `${ff} ${cat} = ${score}`);
			}
			assert.ok(run.metrics.fcp! > 0 && run.metrics.lcp! > 0, `${ff} metrics: ${JSON.stringify(run.metrics)}`);
			assert.equal(run.formFactor, ff);
		}
		// Desktop and mobile ran at the same time, on two Chromes.
		const m = result.stages['lighthouse-mobile']!;
		const d = result.stages['lighthouse-desktop']!;
		const overlap =
			Math.min(Date.parse(m.startedAt) + m.durationMs, Date.parse(d.startedAt) + d.durationMs) -
			Math.max(Date.parse(m.startedAt), Date.parse(d.startedAt));
		assert.ok(overlap > 0, 'mobile and desktop overlapped in time');
		const mine = engine.stageResults.filter((s) => s.auditId === 'both-1');
		assert.deepEqual(new Set(mine.flatMap((s) => Object.keys(s.stages))), new Set(Object.keys(result.stages)));
		const states = engine.progress
			.slice(progressBefore)
			.filter((p) => p.auditId === 'both-1')
			.map((p) => `${p.stage}:${p.state}`);
		assert.ok(
			states.includes('lighthouse-mobile:started') &&
				states.includes('lighthouse-desktop:done') &&
				states.at(-1) === 'audit:done',
			states.join(', '),
		);
	});

	it('shows CRO findings before Lighthouse is done, and adds the metric findings when it is', async () => {
		// The capture is taken in Lighthouse's page and posted as soon as it is taken, while Lighthouse still has its
		// audits to compute: the worker's messages come in order, so "before" is certain, not a race.
		const result = await engine.connection.sendRequest(auditRequest, {
			url: server.url('/slow.html?cro'),
			auditId: 'cro-1',
			options: { formFactors: ['mobile'], stages: { ai: false, crux: false } },
		});
		const lh = lighthouseScores(result, 'mobile');
		assert.ok(lh.metrics.tbt! > 200, `the slow page has a heavy main thread (TBT ${lh.metrics.tbt})`);
		const cro = result.stages.cro;
		assert.equal(cro?.status, 'ok');
		const findings = cro.status === 'ok' ? cro.data.findings : [];
		assert.ok(
			findings.some((f) => f.rule === 'heavy-tbt'),
			findings.map((f) => f.rule).join(', '),
		);
		const notes = engine.stageResults.filter((s) => s.auditId === 'cro-1');
		const firstCro = notes.findIndex((s) => s.stages.cro);
		const lighthouseDone = notes.findIndex((s) => s.stages['lighthouse-mobile']);
		assert.ok(
			firstCro >= 0 && firstCro < lighthouseDone,
			`the page's CRO findings (#${firstCro}) came before Lighthouse's result (#${lighthouseDone})`,
		);
		const croNotes = notes.filter((s) => s.stages.cro);
		assert.equal(croNotes.length, 2, 'CRO findings are sent once from the page, once more with the metrics');
		const first = croNotes[0].stages.cro!;
		assert.ok(first.status === 'ok' && !first.data.findings.some((f) => f.rule === 'heavy-tbt'));
	});

	it("keeps each Chrome's debugging port on 127.0.0.1 only", async () => {
		// An audit leaves its Chrome warm in the pool.
		await engine.connection.sendRequest(auditRequest, {
			url: server.url('/?ports'),
			options: { ...LH_ONLY, formFactors: ['mobile'] },
		});
		const { browsers } = await engine.connection.sendRequest(statsRequest, {});
		assert.ok(browsers.pids.length >= 1);
		// Chrome picks its DevTools port itself (--remote-debugging-port=0): find the sockets Chrome listens on by
		// their inodes, among the sockets its process holds.
		const listening = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((f) =>
			fs
				.readFileSync(f, 'utf8')
				.split('\n')
				.slice(1)
				.map((l) => l.trim().split(/\s+/))
				.filter((cols) => cols[3] === '0A')
				.map((cols) => ({ address: cols[1].split(':')[0], port: parseInt(cols[1].split(':')[1], 16), inode: cols[9] })),
		);
		for (const pid of browsers.pids) {
			assert.match(cmdline(pid), /--remote-debugging-port=0(\0|$)/, `chrome ${pid} lets Chrome pick a free port`);
			const held = new Set(
				fs.readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
					try {
						return [/^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? []].flat();
					} catch {
						return [];
					}
				}),
			);
			const sockets = listening.filter((s) => held.has(s.inode));
			assert.ok(sockets.length >= 1, `chrome ${pid} listens on its debugging port`);
			for (const s of sockets)
				assert.ok(
					s.address === '0100007F' || s.address === '00000000000000000000000001000000',
					`port ${s.port} listens on ${s.address}, not loopback`,
				);
		}
	});

	it('answers a malformed request with an error that names the bad field', async () => {
		const e = await auditError(
			engine.connection.sendRequest(auditRequest.method, { url: 42, options: { formFactors: ['tablet'] } }),
		);
		assert.equal(e.rpcCode, -32602);
		assert.equal(e.info.code, 'INVALID_PARAMS');
		assert.match(e.message, /url: .*string/i);
		assert.match(e.message, /options\.formFactors\.0/);
	});

	const invalid: [string, (s: FixtureServer) => string, string][] = [
		['an invalid URL', () => 'not a url', 'INVALID_URL'],
		['a non-http scheme', () => 'file:///etc/passwd', 'INVALID_URL'],
	];
	for (const [what, url, code] of invalid) {
		it(`refuses ${what} with a clear error and keeps serving`, async () => {
			const e = await auditError(engine.connection.sendRequest(auditRequest, { url: url(server), options: LH_ONLY }));
			assert.equal(e.info.code, code, e.message);
			assert.ok(e.message.length > 20, `message says what to do: ${e.message}`);
			const stats = await engine.connection.sendRequest(statsRequest, {});
			assert.equal(stats.audits.active, 0);
		});
	}

	const failing: [string, (s: FixtureServer) => string, string][] = [
		['a 500 answer', (s) => s.url('/500'), 'HTTP_ERROR'],
		['a redirect loop', (s) => s.url('/loop'), 'REDIRECT_LOOP'],
		['a non-HTML response', (s) => s.url('/json'), 'NOT_HTML'],
		['an unreachable server', () => 'http://127.0.0.1:9/', 'UNREACHABLE'],
	];
	for (const [what, url, code] of failing) {
		it(`answers ${what} with a failed result that says why, and keeps serving`, async () => {
			const result = await engine.connection.sendRequest(auditRequest, { url: url(server), options: LH_ONLY });
			assert.equal(result.status, 'failed');
			assert.equal(result.error?.code, code, result.error?.message);
			assert.ok((result.error?.message.length ?? 0) > 20, `message says what to do: ${result.error?.message}`);
			const stats = await engine.connection.sendRequest(statsRequest, {});
			assert.equal(stats.audits.active, 0);
		});
	}

	it('runs a batch where one failure does not sink the others', async () => {
		const { items } = await engine.connection.sendRequest(batchAuditRequest, {
			urls: [server.url('/'), server.url('/500'), 'ftp://x/'],
			options: { ...LH_ONLY, formFactors: ['mobile'] },
		});
		assert.equal(items.length, 3);
		assert.ok(items[0].result && !items[0].error);
		assert.equal(items[0].result.status, 'ok');
		assert.deepEqual(
			[items[1].result?.status, items[1].result?.error?.code, items[1].error],
			['failed', 'HTTP_ERROR', undefined],
		);
		assert.deepEqual([items[2].error?.code, items[2].result], ['INVALID_URL', undefined]);
	});

	it('times out a page that never answers, within the audit timeout', async () => {
		const t0 = Date.now();
		const result = await engine.connection.sendRequest(auditRequest, {
			url: server.url('/hang'),
			options: { ...LH_ONLY, timeoutMs: 6000 },
		});
		assert.equal(result.status, 'failed');
		assert.equal(result.error?.code, 'TIMEOUT', result.error?.message);
		const took = Date.now() - t0;
		assert.ok(took >= 5500 && took < 12_000, `gave up after ${took} ms`);
		const stats = await engine.connection.sendRequest(statsRequest, {});
		assert.equal(stats.audits.active, 0);
	});

	it('audits a page whose subresources hang, with Lighthouse capping the load, and frees its Chrome', async () => {
		const result = await engine.connection.sendRequest(auditRequest, {
			url: server.url('/hang-subresource.html'),
			options: { ...LH_ONLY, formFactors: ['mobile'], timeoutMs: 25_000 },
		});
		const run = lighthouseScores(result, 'mobile');
		assert.ok(
			run.runWarnings.some((w) => /load|time/i.test(w)),
			`Lighthouse warned: ${run.runWarnings.join(' | ')}`,
		);
		const stats = await engine.connection.sendRequest(statsRequest, {});
		assert.equal(stats.browsers.busy, 0);
		const next = await engine.connection.sendRequest(auditRequest, {
			url: server.url('/?after-hang'),
			options: { ...LH_ONLY, formFactors: ['mobile'] },
		});
		lighthouseScores(next, 'mobile');
	});

	it('stops a Lighthouse run at the audit timeout, kills its Chrome and serves the next audit', async () => {
		// Lighthouse waits up to the timeout for this page's load, then needs more: the run is torn down mid-flight.
		const result = await engine.connection.sendRequest(auditRequest, {
			url: server.url('/hang-subresource.html?timeout'),
			options: { ...LH_ONLY, formFactors: ['mobile'], timeoutMs: 5000 },
		});
		assert.equal(result.status, 'failed');
		assert.equal(result.error?.code, 'TIMEOUT', result.error?.message);
		assert.equal(result.stageErrors?.['lighthouse-mobile']?.code, 'TIMEOUT');
		const mid = await engine.connection.sendRequest(statsRequest, {});
		assert.equal(mid.browsers.busy, 0);
		const next = await engine.connection.sendRequest(auditRequest, {
			url: server.url('/?after-timeout'),
			options: { ...LH_ONLY, formFactors: ['mobile'] },
		});
		lighthouseScores(next, 'mobile');
	});

	it('never has more Chromes busy than its limit', () =>
		withSettings({ maxBrowsers: 2, maxConcurrentAudits: 3 }, async () => {
			let maxBusy = 0;
			let maxPids = 0;
			let polling = true;
			const poll = (async () => {
				while (polling) {
					const s: EngineStats = await engine.connection.sendRequest(statsRequest, {});
					maxBusy = Math.max(maxBusy, s.browsers.busy);
					maxPids = Math.max(maxPids, s.browsers.pids.length);
					await delay(150);
				}
			})();
			const urls = ['/site/page1.html', '/site/page2.html', '/site/page3.html'].map((p) => server.url(p));
			const { items } = await engine.connection.sendRequest(batchAuditRequest, { urls, options: LH_ONLY });
			polling = false;
			await poll;
			assert.ok(
				items.every((i) => i.result),
				JSON.stringify(items.map((i) => i.error)),
			);
			assert.ok(maxBusy >= 1 && maxBusy <= 2, `max busy ${maxBusy}`);
			assert.ok(maxPids <= 2, `max Chromes ${maxPids}`);
		}));

	it('cancels a running audit and frees its Chrome', async () => {
		// Held while Lighthouse's Chrome loads the page: the cancel surely lands mid-run.
		const gate = server.gate('/gated/cancel', { hold: fromBrowser });
		try {
			const pending = engine.connection.sendRequest(auditRequest, {
				url: server.url('/gated/cancel'),
				auditId: 'to-cancel',
				options: { ...LH_ONLY, formFactors: ['mobile'] },
			});
			await gate.reached;
			const { cancelled } = await engine.connection.sendRequest(cancelRequest, { auditId: 'to-cancel' });
			assert.equal(cancelled, 1);
			const e = await auditError(pending);
			assert.equal(e.info.code, 'CANCELLED');
			const stats = await engine.connection.sendRequest(statsRequest, {});
			assert.equal(stats.browsers.busy, 0);
			assert.equal(stats.audits.active, 0);
		} finally {
			gate.open();
		}
	});

	it('answers BUSY past its queue size', () =>
		withSettings({ maxConcurrentAudits: 1, queueSize: 0 }, async () => {
			// The first audit is held in its preflight, so it is surely still running when the second arrives.
			const gate = server.gate('/gated/busy');
			try {
				const before = await engine.connection.sendRequest(statsRequest, {});
				const first = engine.connection.sendRequest(auditRequest, {
					url: server.url('/gated/busy'),
					auditId: 'busy-1',
					options: LH_ONLY,
				});
				await gate.reached;
				const e = await auditError(
					engine.connection.sendRequest(auditRequest, { url: server.url('/?second'), options: LH_ONLY }),
				);
				assert.equal(e.info.code, 'BUSY');
				assert.equal(e.rpcCode, -32002);
				assert.match(e.message, /busy.*queue size/i);
				await engine.connection.sendRequest(cancelRequest, { auditId: 'busy-1' });
				assert.equal((await auditError(first)).info.code, 'CANCELLED');
				const stats = await engine.connection.sendRequest(statsRequest, {});
				assert.equal(stats.audits.rejectedBusy, before.audits.rejectedBusy + 1);
			} finally {
				gate.open();
			}
		}));

	it('keeps the median of several Lighthouse runs per form factor', async () => {
		// The page answers its three loads after 0, 2 and 1 s: runs that surely differ, the last one in the middle.
		const url = server.url('/delayed/median?ms=0,2000,1000');
		const result = await engine.connection.sendRequest(auditRequest, {
			url,
			options: { ...LH_ONLY, formFactors: ['mobile'], runs: 3 },
		});
		const run = lighthouseScores(result, 'mobile');
		const scores = run.performanceScores;
		assert.equal(scores.length, 3);
		// Lighthouse's computeMedianRun keeps the run nearest the median FCP and TTI: the one the page held 1 s, whose
		// score is the median of the runs made, whatever order a busy machine gave them. The fastest or slowest run,
		// or an average of them, would fail here.
		const median = [...scores].sort((a, b) => a - b)[1];
		assert.equal(run.scores.performance, median, `kept ${run.scores.performance} of ${scores}: not the median run`);
		assert.ok(run.metrics.fcp! > 1000, `the kept run waited about 1 s for the page (FCP ${run.metrics.fcp} ms)`);
	});

	it('runs Lighthouse one at a time in accuracy mode, the capture taken in its pages', () =>
		withSettings({ accuracyMode: true, maxBrowsers: 2, maxConcurrentAudits: 2 }, async () => {
			// Hold Lighthouse's load of the page: the other form factor's run must wait meanwhile.
			const gate = server.gate('/site/page6.html', { hold: fromLighthouse });
			try {
				let maxBusy = 0;
				let polling = true;
				const poll = (async () => {
					while (polling) {
						maxBusy = Math.max(maxBusy, (await engine.connection.sendRequest(statsRequest, {})).browsers.busy);
						await delay(100);
					}
				})();
				const pending = engine.connection.sendRequest(auditRequest, {
					url: server.url('/site/page6.html'),
					auditId: 'accuracy-1',
					options: { stages: { ai: false, crux: false } },
				});
				await gate.reached;
				const busyWhileHeld = (await engine.connection.sendRequest(statsRequest, {})).browsers.busy;
				gate.open();
				const result = await pending;
				polling = false;
				await poll;
				assert.equal(busyWhileHeld, 1, 'one Lighthouse Chrome busy while the other form factor waits');
				assert.equal(maxBusy, 1, 'one Lighthouse Chrome busy at a time');
				const [m, d, c] = [
					result.stages['lighthouse-mobile']!,
					result.stages['lighthouse-desktop']!,
					result.stages.capture!,
				];
				assert.equal(m.status, 'ok');
				assert.equal(d.status, 'ok');
				assert.equal(c.status, 'ok');
				assert.ok(c.status === 'ok' && c.data.shots.mobile && c.data.shots.desktop, 'both form factors captured');
			} finally {
				gate.open();
			}
		}));

	it('runs the plain Lighthouse CLI per run when the pool is off', () =>
		withSettings({ usePool: false }, async () => {
			const before = await engine.connection.sendRequest(statsRequest, {});
			const result = await engine.connection.sendRequest(auditRequest, {
				url: server.url('/site/page7.html'),
				options: { ...LH_ONLY, formFactors: ['desktop'] },
			});
			const run = lighthouseScores(result, 'desktop');
			assert.equal(run.formFactor, 'desktop');
			const after = await engine.connection.sendRequest(statsRequest, {});
			assert.equal(after.browsers.launched, before.browsers.launched, 'no pool Chrome was launched');
			assert.equal(after.lighthouseRuns, before.lighthouseRuns + 1);
			const cliChromes = chromiumOf(engine.child.pid!).filter((p) =>
				cmdline(p).includes(`auditlens-engine-${engine.child.pid}-cli`),
			);
			assert.deepEqual(cliChromes, [], "the CLI's Chrome is gone");
		}));

	it('reports stage timings, memory and browser counts in its stats', async () => {
		const before = await engine.connection.sendRequest(statsRequest, {});
		await engine.connection.sendRequest(auditRequest, {
			url: server.url('/?stats'),
			options: { ...LH_ONLY, formFactors: ['mobile'], runs: 2 },
		});
		const s = await engine.connection.sendRequest(statsRequest, {});
		const mobile = s.stages['lighthouse-mobile']!;
		assert.equal(mobile.count, (before.stages['lighthouse-mobile']?.count ?? 0) + 1);
		assert.ok(mobile.p50 > 0 && mobile.p95 >= mobile.p50, JSON.stringify(mobile));
		assert.equal(s.lighthouseRuns, before.lighthouseRuns + 2);
		assert.equal(s.audits.done, before.audits.done + 1);
		assert.ok(s.browsers.pids.length >= 1 && s.browsers.idle >= 1);
		assert.ok(s.memory.engineRss > 10e6);
		assert.ok(
			s.browsers.pids.every((pid) => (s.memory.chromeRss[pid] ?? 0) > 0),
			JSON.stringify(s.memory.chromeRss),
		);
		assert.equal(s.settings.anthropicApiKeySet, false);
		assert.ok(!('anthropicApiKey' in s.settings));
	});
});

describe('engine process lifecycle', function () {
	let server: FixtureServer;
	before(async () => {
		server = await startFixtureServer();
	});
	after(async () => {
		await server?.close();
	});

	/**
	 * An audit with every stage (both Lighthouse Chromes, the capture taken in their pages) and a capture alone (the
	 * capture browser loads the page), so that every kind of Chromium the engine starts is running.
	 */
	async function warmUp(engine: EngineProcess): Promise<number[]> {
		const result = await engine.connection.sendRequest(auditRequest, {
			url: server.url('/'),
			options: { stages: { ai: false, crux: false } },
		});
		assert.equal(result.stages.capture?.status, 'ok');
		const alone = await engine.connection.sendRequest(auditRequest, {
			url: server.url('/?capture-only'),
			options: { stages: { lighthouse: false, ai: false, crux: false } },
		});
		assert.equal(alone.stages.capture?.status, 'ok');
		const browsers = chromeBrowsersOf(engine.child.pid!);
		assert.equal(browsers.length, 3, `browser processes running: ${browsers.length}`);
		return chromiumOf(engine.child.pid!);
	}

	it('keeps the protocol stream clean when libraries print to stdout', async () => {
		const noise = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'noise.cjs');
		assert.ok(fs.existsSync(noise), noise);
		const engine = await startEngine({ db: null, env: { NODE_OPTIONS: `--require ${noise}` } });
		try {
			const result = await engine.connection.sendRequest(auditRequest, {
				url: server.url('/?noise'),
				options: { ...LH_ONLY, formFactors: ['mobile'] },
			});
			lighthouseScores(result, 'mobile');
			assert.match(engine.stderr(), /NOISE from console\.log/);
			assert.match(engine.stderr(), /NOISE from process\.stdout\.write/);
		} finally {
			await engine.stop();
		}
	});

	it('exits when its stdin closes and leaves no Chromium behind', async () => {
		const engine = await startEngine({ db: null });
		await warmUp(engine);
		engine.child.stdin!.end();
		const code = await engine.exited;
		assert.equal(code, 0);
		await waitFor(() => chromiumOf(engine.child.pid!).length === 0, 5000, 'chromium to be gone');
		assert.deepEqual(profileDirs(engine.child.pid!), [], 'Chrome profile folders are removed');
		engine.connection.dispose();
	});

	it('shuts down on request and leaves no Chromium behind', async () => {
		const engine = await startEngine({ db: null, transport: 'ipc' });
		await warmUp(engine);
		await engine.connection.sendRequest(shutdownRequest, {});
		assert.equal(await engine.exited, 0);
		// Each browser's exit was awaited; its renderers, killed with it, end at the kernel's pace.
		await waitFor(() => chromiumOf(engine.child.pid!).length === 0, 5000, 'chromium to be gone');
		engine.connection.dispose();
	});

	it('leaves no Chromium behind on SIGTERM', async () => {
		const engine = await startEngine({ db: null });
		await warmUp(engine);
		engine.child.kill('SIGTERM');
		await engine.exited;
		await waitFor(() => chromiumOf(engine.child.pid!).length === 0, 5000, 'chromium to be gone');
		engine.connection.dispose();
	});

	it('leaves no Chromium behind even when the engine is SIGKILLed', async () => {
		const engine = await startEngine({ db: null });
		const chromes = await warmUp(engine);
		engine.child.kill('SIGKILL');
		await engine.exited;
		await waitFor(() => chromiumOf(engine.child.pid!).length === 0, 10_000, `chromium ${chromes.join(',')} to be gone`);
		await waitFor(
			() => profileDirs(engine.child.pid!).length === 0,
			10_000,
			'the watchdog to remove the Chrome profile folders',
		);
		engine.connection.dispose();
	});
});

describe('auditlens/locate over JSON-RPC (the engine process)', function () {
	this.timeout(120_000);
	let engine: EngineProcess;
	beforeEach(async () => (engine = await startEngine()));
	afterEach(() => engine.stop());

	it('refuses malformed params and roots that are not absolute existing folders with INVALID_PARAMS that names the problem', async () => {
		const missing = await auditError(engine.connection.sendRequest(locateRequest.method, { id: 'a1' }));
		assert.deepEqual([missing.rpcCode, missing.info.code], [RpcErrorCodes.invalidParams, 'INVALID_PARAMS']);
		assert.match(missing.message, /roots/);
		const relative = await auditError(engine.connection.sendRequest(locateRequest, { id: 'a1', roots: ['src'] }));
		assert.equal(relative.info.code, 'INVALID_PARAMS');
		assert.match(relative.message, /"src" is not an absolute path/);
		const absent = await auditError(
			engine.connection.sendRequest(locateRequest, {
				id: 'a1',
				roots: [path.join(FIXTURE_WORKSPACES, 'no-such-folder')],
			}),
		);
		assert.match(absent.message, /is not an existing folder/);
	});

	it('answers NOT_FOUND for an audit id the history does not hold', async () => {
		const e = await auditError(
			engine.connection.sendRequest(locateRequest, {
				id: 'no-such-audit',
				roots: [path.join(FIXTURE_WORKSPACES, 'static-site')],
			}),
		);
		assert.deepEqual([e.rpcCode, e.info.code], [RpcErrorCodes.notFound, 'NOT_FOUND']);
		assert.match(e.message, /No audit no-such-audit is stored/);
	});
});
