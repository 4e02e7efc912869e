/**
 * The engine rows of the fault matrix (issue 8): each fault is made for real against a real engine
 * process with real Chromium, and each test ends with the engine alive (it answers stats and audits a
 * normal page) and nothing leaked (no Chrome it had is still running, no extra processes).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import {
	auditRequest,
	type AuditResult,
	cancelRequest,
	configureRequest,
	type EngineStats,
	type ErrorInfo,
	listHistoryRequest,
	statsRequest,
} from '../../src/protocol';
import { cacheKey } from '../../src/engine/resultCache';
import { HistoryStore } from '../../src/engine/history/historyStore';
import {
	auditError,
	chromeBrowsersOf,
	chromiumOf,
	type EngineProcess,
	isAlive,
	lighthouseScores,
	startEngine,
	waitFor,
} from '../helpers/engineProcess';
import { inspectorUrl, retainedHeap } from '../helpers/engineHeap';
import { type FixtureServer, fromLighthouse, startFixtureServer } from '../helpers/fixtureServer';
import { recordingLogger, sampleResult, testSettings } from '../helpers/sampleResult';

/**
 * What the engine's main thread may hold, in data, after the second of two bursts beyond its level after the first.
 * Measured: +0.04 and +0.07 MB. The 190 refused requests kept alive at 10 KB each fail it (tried).
 */
const HEAP_ALLOWANCE = 1e6;
const BURST = 200;

/** Lighthouse on mobile only: the cheapest real audit. */
const CHEAP = { formFactors: ['mobile' as const], stages: { capture: false, cro: false, ai: false, crux: false } };

/** Every Chromium process the engine has now, remembered so the end of the test can check none leaked. */
function remember(engine: EngineProcess, seen: Set<number>): void {
	for (const pid of chromiumOf(engine.child.pid!)) seen.add(pid);
}

/**
 * The end of every row: the engine still answers and audits a normal page; its Chrome browsers are
 * exactly its pool's; of the Chromium processes seen during the test only the pool's live ones remain;
 * once stopped, none at all.
 */
async function assertAliveAndClean(
	engine: EngineProcess,
	server: FixtureServer,
	seen: Set<number>,
	what: string,
): Promise<EngineStats> {
	assert.equal(engine.child.exitCode, null, `the engine is still running after ${what}`);
	const result = await engine.connection.sendRequest(auditRequest, {
		url: server.url(`/?after=${encodeURIComponent(what)}`),
		options: CHEAP,
	});
	lighthouseScores(result, 'mobile');
	const stats = await engine.connection.sendRequest(statsRequest, {});
	assert.equal(stats.audits.active, 0);
	assert.equal(stats.browsers.busy, 0);
	assert.deepEqual(
		chromeBrowsersOf(engine.child.pid!).sort(),
		[...stats.browsers.pids].sort(),
		'no Chrome outside the pool',
	);
	remember(engine, seen);
	await engine.stop();
	await waitFor(
		() => [...seen].every((pid) => !isAlive(pid)),
		10_000,
		`every Chromium process of the test to be gone (left: ${[...seen].filter(isAlive).join(', ')})`,
	);
	return stats;
}

/** The two shapes a crashed Lighthouse run may take: a rejection today, a non-ok result once stages fail alone. */
function assertCrashReported(outcome: { result: AuditResult } | { error: unknown }): void {
	const crash = /CHROME_CRASHED|LIGHTHOUSE_ERROR/;
	if ('error' in outcome) {
		assert.ok(outcome.error instanceof ResponseError, `expected a ResponseError, got ${String(outcome.error)}`);
		const info = outcome.error.data as ErrorInfo;
		assert.match(info.code, crash, outcome.error.message);
		assert.match(outcome.error.message, /chrome|browser|target|protocol/i, 'the message says what broke');
		return;
	}
	const { result } = outcome;
	assert.notEqual(result.status, 'ok', 'an audit whose Chrome died is not a success');
	const stage = result.stages['lighthouse-mobile'];
	assert.equal(stage?.status, 'error', JSON.stringify(stage));
	const error = stage.status === 'error' ? stage.error : undefined;
	assert.match(error?.code ?? '', crash, error?.message);
	assert.match(error?.message ?? '', /crash/i);
	assert.deepEqual(result.stageErrors?.['lighthouse-mobile'], error, 'the stage error is listed with the result');
}

describe('fault matrix: the engine', function () {
	let server: FixtureServer;
	let engine: EngineProcess | undefined;
	let dir: string;

	beforeEach(async () => {
		server = await startFixtureServer();
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-faults-'));
	});
	afterEach(async () => {
		await engine?.stop();
		engine = undefined;
		await server.close();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	it('replaces a Chrome that is SIGKILLed mid-audit, says the audit failed, and leaks nothing', async () => {
		engine = await startEngine({ db: null });
		const seen = new Set<number>();
		let victim = 0;
		const before = await engine.connection.sendRequest(statsRequest, {});
		// Lighthouse's Chrome asks for the page; the page waits until the Chrome is dead.
		const gate = server.gate('/gated/crash', { hold: fromLighthouse });
		const pending = engine.connection
			.sendRequest(auditRequest, { url: server.url('/gated/crash'), auditId: 'to-crash', options: CHEAP })
			.then(
				(result) => ({ result }),
				(error: unknown) => ({ error }),
			);
		try {
			await gate.reached;
			const mid = await engine.connection.sendRequest(statsRequest, {});
			assert.equal(mid.browsers.busy, 1);
			assert.equal(mid.browsers.pids.length, 1, 'a fresh engine has the one Chrome of this audit');
			victim = mid.browsers.pids[0];
			remember(engine, seen);
			process.kill(victim, 'SIGKILL');
			let settled = false;
			void pending.then(() => (settled = true));
			await waitFor(() => settled || gate.held > 1, 60_000, 'the audit to end');
			assert.equal(
				gate.held,
				1,
				'the audit was retried on a new Chrome: this test accepts a clear failure only; update it for the retry',
			);
			assertCrashReported(await pending);
		} finally {
			gate.open();
		}
		const after = await engine.connection.sendRequest(statsRequest, {});
		assert.equal(after.browsers.busy, 0);
		// Counted once, whether the pool heard of the death from the process or from the Lighthouse run first.
		assert.equal(after.browsers.crashed, before.browsers.crashed + 1, 'the crash is counted once');
		await waitFor(
			() => [...seen].every((pid) => !isAlive(pid)),
			10_000,
			"the killed Chrome's renderers and helpers to be gone",
		);
		const healed = await assertAliveAndClean(engine, server, seen, 'a Chrome crash');
		assert.ok(!healed.browsers.pids.includes(victim), 'the killed Chrome left the pool');
		assert.equal(healed.browsers.launched, before.browsers.launched + 2, 'a new Chrome replaced it');
	});

	/** Three ways a history file goes bad: not SQLite at all, SQLite's header on noise, a real history cut short. */
	const corruptions: [string, () => Promise<Buffer>][] = [
		['noise', async () => noise(64 * 1024)],
		[
			"noise behind SQLite's header",
			async () => {
				const bytes = noise(16 * 4096);
				Buffer.from('SQLite format 3\0', 'latin1').copy(bytes, 0);
				bytes.writeUInt16BE(4096, 16); // a valid page size and a length that matches it: only SQLite itself can tell
				bytes.writeUInt32BE(16, 28);
				bytes.writeUInt32BE(7, 24);
				bytes.writeUInt32BE(7, 92);
				return bytes;
			},
		],
		[
			'a real history cut short',
			async () => {
				const whole = await realHistory();
				return whole.subarray(0, Math.floor(whole.length / 2 / 4096) * 4096);
			},
		],
	];
	for (const [what, make] of corruptions) {
		it(`sets aside a history file of ${what}, starts a fresh one and loses nothing else`, async () => {
			const db = path.join(dir, 'history.sqlite');
			const corrupt = await make();
			fs.writeFileSync(db, corrupt);
			// Neighbours that must survive untouched: a note, another database, a folder with a file.
			fs.writeFileSync(path.join(dir, 'notes.txt'), 'keep me\n');
			fs.writeFileSync(path.join(dir, 'other.sqlite'), await realHistory());
			fs.mkdirSync(path.join(dir, 'exports'));
			fs.writeFileSync(path.join(dir, 'exports', 'result.json'), '{"kept":true}');
			const beforeFiles = snapshot(dir);

			engine = await startEngine({ db });
			const seen = new Set<number>();
			const stats = await engine.connection.sendRequest(statsRequest, {});
			assert.equal(stats.history.path, db, 'the engine owns the file again');
			assert.equal(stats.history.audits, 0, 'a fresh, empty history');
			assert.match(engine.stderr(), /could not be read.*moved to .*corrupt-/s);
			const aside = fs.readdirSync(dir).filter((n) => n.startsWith('history.sqlite.corrupt-'));
			assert.equal(aside.length, 1, fs.readdirSync(dir).join(', '));
			assert.ok(fs.readFileSync(path.join(dir, aside[0])).equals(corrupt), 'the bad file is set aside byte for byte');

			const result = await engine.connection.sendRequest(auditRequest, {
				url: server.url('/?fresh-history'),
				options: CHEAP,
			});
			const { entries } = await engine.connection.sendRequest(listHistoryRequest, {
				url: server.url('/?fresh-history'),
			});
			assert.deepEqual(
				entries?.map((e) => e.id),
				[result.id],
				'the fresh history records new audits',
			);
			remember(engine, seen);
			await assertAliveAndClean(engine, server, seen, 'a corrupt history');

			const afterFiles = snapshot(dir);
			for (const [name, content] of beforeFiles) {
				if (name === 'history.sqlite') continue;
				assert.ok(afterFiles.get(name)?.equals(content), `${name} is unchanged`);
			}
			const added = [...afterFiles.keys()].filter(
				(n) => !beforeFiles.has(n) && n !== aside[0] && !n.startsWith('history.sqlite.files'),
			);
			assert.deepEqual(added, [], 'nothing else appeared in the folder');
			assert.ok(
				afterFiles.has('history.sqlite') && !afterFiles.get('history.sqlite')!.equals(corrupt),
				'a new history file took its place',
			);
		});
	}

	it('answers a burst of 200 requests within its limits: the excess BUSY at once, memory back after', async () => {
		// The inspector, on 127.0.0.1 only, lets the test read what the engine's main thread still holds (engineHeap.ts).
		engine = await startEngine({ db: null, nodeArgs: ['--inspect=127.0.0.1:0'] });
		const inspector = await inspectorUrl(engine);
		const seen = new Set<number>();
		const limits = { maxConcurrentAudits: 2, queueSize: 8, maxBrowsers: 2 };
		// The result cache holds what it is allowed to (its bound is tested elsewhere): two entries before and after.
		await engine.connection.sendRequest(configureRequest, { ...limits, cacheMaxEntries: 2 });
		const admitted = limits.maxConcurrentAudits + limits.queueSize;
		const connection = engine.connection;
		/**
		 * `n` audits of a page held at its gate, sent at once: the requests answered BUSY as they come, and every outcome.
		 */
		const burst = (n: number, tag: string) => {
			const busy: number[] = [];
			const outcomes = Array.from({ length: n }, (_, i) =>
				connection
					.sendRequest(auditRequest, {
						url: server.url(`/gated/${tag}?i=${i}`),
						auditId: `${tag}-${i}`,
						options: CHEAP,
					})
					.then(
						(result) => ({ i, result }),
						(error: unknown) => {
							if (error instanceof ResponseError && (error.data as ErrorInfo).code === 'BUSY') busy.push(i);
							return { i, error };
						},
					),
			);
			return { busy, outcomes };
		};
		// A first burst warms what the level is read after: both Chromes and their Lighthouse workers, the cache, the
		// engine's code for queueing and refusing (V8 compiles it when it first runs) and the tables that grew to hold
		// 200 requests at once. The second must leave nothing more behind.
		const warmGate = server.gate('/gated/warm');
		const warm = burst(BURST, 'warm');
		await waitFor(
			() => warm.busy.length === BURST - admitted,
			60_000,
			`${BURST - admitted} BUSY answers to the first burst`,
		);
		warmGate.open();
		await Promise.all(warm.outcomes);
		const heapBefore = await retainedHeap(inspector);
		const busyBefore = (await connection.sendRequest(statsRequest, {})).audits.rejectedBusy;

		// Every page is held in its preflight until all 200 requests are answered or queued.
		const gate = server.gate('/gated/burst');
		const { busy, outcomes } = burst(BURST, 'burst');
		try {
			// Answered while the admitted audits are still held: BUSY costs no audit and no waiting.
			await waitFor(
				() => busy.length === BURST - admitted,
				60_000,
				`${BURST - admitted} BUSY answers (${busy.length} so far)`,
			);
			assert.ok(
				gate.held >= 1 && gate.held <= limits.maxConcurrentAudits,
				`${gate.held} audits reached the page at once`,
			);
			const held = await connection.sendRequest(statsRequest, {});
			assert.equal(held.audits.active, limits.maxConcurrentAudits);
			assert.equal(held.audits.queued, limits.queueSize);
			assert.equal(held.audits.rejectedBusy, busyBefore + BURST - admitted);
		} finally {
			gate.open();
		}
		const done = await Promise.all(outcomes);
		const failed = done.filter((o) => 'error' in o && !busy.includes(o.i));
		assert.deepEqual(failed, [], 'every request was audited or answered BUSY');
		const ok = done.flatMap((o) => ('result' in o ? [o.result] : []));
		assert.equal(ok.length, admitted);
		for (const r of ok) lighthouseScores(r, 'mobile');
		// The engine's own notifications, in order: never more audits between 'started' and their end than the limit.
		const running = new Set<string>();
		let maxRunning = 0;
		for (const p of engine.progress) {
			if (!p.auditId.startsWith('burst-') || p.stage !== 'audit') continue;
			if (p.state === 'started') running.add(p.auditId);
			else if (p.state === 'done' || p.state === 'error' || p.state === 'cancelled') running.delete(p.auditId);
			maxRunning = Math.max(maxRunning, running.size);
		}
		assert.equal(maxRunning, limits.maxConcurrentAudits, `at most ${limits.maxConcurrentAudits} audits ran at once`);
		// Memory back to its level: nothing of the 200 requests is still held. (The process's RSS is no measure of that:
		// it keeps the high-water mark of the Lighthouse workers' heaps, which grow in 40-60 MB steps for their first
		// few dozen audits, at a pace that depends on the machine; CI once saw +160 MB with nothing held.)
		const heapAfter = await retainedHeap(inspector);
		assert.ok(
			heapAfter < heapBefore + HEAP_ALLOWANCE,
			`the engine holds ${((heapAfter - heapBefore) / 1e6).toFixed(2)} MB more after the burst (${(heapBefore / 1e6).toFixed(1)} MB before)`,
		);
		remember(engine, seen);
		await assertAliveAndClean(engine, server, seen, 'a burst of 200 requests');
	});

	it('frees the slot of a queued audit that is cancelled, at once', async () => {
		engine = await startEngine({ db: null });
		const seen = new Set<number>();
		await engine.connection.sendRequest(configureRequest, { maxConcurrentAudits: 1, queueSize: 1 });
		const gate = server.gate('/gated/running');
		try {
			const running = engine.connection.sendRequest(auditRequest, {
				url: server.url('/gated/running'),
				auditId: 'running',
				options: CHEAP,
			});
			await gate.reached;
			const queued = engine.connection.sendRequest(auditRequest, {
				url: server.url('/?queued'),
				auditId: 'queued',
				options: CHEAP,
			});
			await waitFor(
				() => engine!.progress.some((p) => p.auditId === 'queued' && p.state === 'queued'),
				10_000,
				'the second audit to be queued',
			);
			assert.equal((await engine.connection.sendRequest(statsRequest, {})).audits.queued, 1);

			const { cancelled } = await engine.connection.sendRequest(cancelRequest, { auditId: 'queued' });
			assert.equal(cancelled, 1);
			// Answered while the running audit is still held: the cancel did not wait for a slot.
			assert.equal((await auditError(queued)).info.code, 'CANCELLED');
			const after = await engine.connection.sendRequest(statsRequest, {});
			assert.equal(after.audits.queued, 0, 'the cancelled audit left the queue');
			assert.equal(after.audits.active, 1);

			// Its place is free: a third audit is queued, not answered BUSY.
			const third = engine.connection
				.sendRequest(auditRequest, { url: server.url('/?third'), auditId: 'third', options: CHEAP })
				.then(
					(result) => ({ result }),
					(error: unknown) => ({ error }),
				);
			let refused: unknown;
			void third.then((o) => 'error' in o && (refused = o.error));
			await waitFor(
				() => refused !== undefined || engine!.progress.some((p) => p.auditId === 'third' && p.state === 'queued'),
				10_000,
				'the third audit to be queued',
			);
			assert.equal(refused, undefined, `the third audit was refused: ${String(refused)}`);
			gate.open();
			lighthouseScores(await running, 'mobile');
			const thirdDone = await third;
			assert.ok('result' in thirdDone, String('error' in thirdDone && thirdDone.error));
			lighthouseScores(thirdDone.result, 'mobile');
		} finally {
			gate.open();
		}
		remember(engine, seen);
		await assertAliveAndClean(engine, server, seen, 'a cancelled queued audit');
	});
});

/** Bytes that look random but are the same on every run. */
function noise(n: number): Buffer {
	const b = Buffer.alloc(n);
	for (let i = 0; i < n; i++) b[i] = (i * 2654435761) >>> 24;
	return b;
}

let realHistoryBytes: Promise<Buffer> | undefined;
/** The bytes of a real AuditLens history with a few audits in it, written once by the real store. */
function realHistory(): Promise<Buffer> {
	realHistoryBytes ??= (async () => {
		const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-real-history-'));
		try {
			const file = path.join(tmp, 'history.sqlite');
			const store = await HistoryStore.open({ path: file, settings: testSettings(), log: recordingLogger() });
			for (const perf of [0.5, 0.7, 0.9]) {
				const result = sampleResult({ perf });
				await store.save(cacheKey(result.url, result.options), result, new Map());
			}
			await store.close();
			return fs.readFileSync(file);
		} finally {
			fs.rmSync(tmp, { recursive: true, force: true });
		}
	})();
	return realHistoryBytes;
}

/** Every file under `dir` (relative name → content), folders walked. */
function snapshot(dir: string): Map<string, Buffer> {
	const out = new Map<string, Buffer>();
	for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
		if (!entry.isFile()) continue;
		const full = path.join(entry.parentPath, entry.name);
		out.set(path.relative(dir, full), fs.readFileSync(full));
	}
	return out;
}
