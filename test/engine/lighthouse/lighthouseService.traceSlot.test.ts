import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import os from 'node:os';
import type { EngineSettings } from '../../../src/protocol';
import { contentionOf } from '../../../src/engine/lighthouse/contention';
import { LATE_WORK_MS, LighthouseService } from '../../../src/engine/lighthouse/lighthouseService';
import type { TraceWindow } from '../../../src/engine/lighthouse/workerProtocol';
import { type FixtureServer, fromLighthouse, startFixtureServer } from '../../helpers/fixtureServer';
import { recordingLogger, testSettings } from '../../helpers/sampleResult';

/** A service on real Chromes and Lighthouse workers that notes every traced page load and every slot request. */
function startService(over: Partial<EngineSettings>) {
	// Cores enough for every run asked for at once, whatever the machine (lighthouseConcurrency).
	const service = new LighthouseService(testSettings({ maxBrowsers: 2, ...over }), recordingLogger(), undefined, 16);
	const windows = new Map<string, TraceWindow>();
	service.traceEvents.on('window', (url, w) => windows.set(url, w));
	const wanted = (url: string) =>
		new Promise<void>((resolve) => service.traceEvents.on('wanted', (u) => u === url && resolve()));
	const run = (url: string, signal = new AbortController().signal) =>
		service.run(
			{ url, formFactor: 'mobile', categories: ['performance'], throttling: 'simulate', timeoutMs: 90_000 },
			signal,
		);
	return { service, windows, wanted, run };
}

describe('the trace slot (real Chrome, real Lighthouse)', function () {
	this.timeout(240_000);
	let server: FixtureServer;
	beforeEach(async () => (server = await startFixtureServer()));
	afterEach(() => server.close());

	it('traces one page load at a time: a second run waits until the first page load has been traced', async () => {
		const { service, windows, wanted, run } = startService({ traceSlot: true });
		try {
			const a = server.url('/gated/slot-a');
			const b = server.url('/gated/slot-b');
			const gate = server.gate('/gated/slot-a', { hold: fromLighthouse });
			const runA = run(a);
			await gate.reached; // A's page load is under trace, and held there
			const bWanted = wanted(b);
			const runB = run(b);
			await bWanted; // B asked for the slot while A holds it
			gate.open();
			const [ra, rb] = await Promise.all([runA, runB]);
			const wa = windows.get(a)!;
			const wb = windows.get(b)!;
			assert.ok(wa && wb, 'both page loads were traced');
			assert.ok(
				wb.startMs >= wa.endMs,
				`B's trace (${wb.startMs}…${wb.endMs}) began after A's ended (${wa.startMs}…${wa.endMs})`,
			);
			assert.deepEqual(ra.trace, wa);
			assert.equal(typeof ra.lhr.environment?.benchmarkIndex, 'number');
			// The machine's benchmark is measured once: A measured it, B was given A's figure.
			assert.equal(ra.benchmarkMeasured, true);
			assert.equal(rb.benchmarkMeasured, false);
			assert.equal(rb.lhr.environment?.benchmarkIndex, ra.lhr.environment?.benchmarkIndex);
			assert.equal(typeof rb.trace?.besideCores, os.platform() === 'linux' ? 'number' : 'undefined');
		} finally {
			await service.close();
		}
	});

	it('keeps the slot while a request the page made after its load is in flight', async function () {
		if (process.platform !== 'linux') this.skip(); // the quiet rule reads the renderers' run time from /proc
		const { service, windows, run } = startService({ traceSlot: true });
		try {
			// The page loads at once, then asks for /slow?ms=2500 (answered 2.5 s later): idle but for that request.
			const a = server.url('/late-fetch.html');
			await run(a);
			const wa = windows.get(a)!;
			assert.ok(server.hits.get('/slow'), 'the page made its late request');
			assert.ok(
				wa.endMs - wa.startMs >= 2500,
				`A's window lasted ${wa.endMs - wa.startMs} ms: its late request was in flight for 2.5 s of it`,
			);
		} finally {
			await service.close();
		}
	});

	it('frees the slot at quiet, but the trace still takes a long task the page runs after that, as the Lighthouse CLI does', async function () {
		if (process.platform !== 'linux') this.skip(); // the quiet rule reads the renderers' run time from /proc
		const { service, windows, run } = startService({ traceSlot: true });
		try {
			// 1.8 s after its load, idle until then, the page runs a 150 ms task: after our quiet second (about 1.1 s; 0.7 s
			// to spare on a slower machine), within Lighthouse's own CPU-quiet wait (to 2.2 s at the least: a second after
			// it starts watching long tasks, itself a second after the load). The CLI alone counts it in TBT (about 520 ms
			// on mobile; at 1.3 and 2.0 s too).
			const a = server.url('/late-task.html');
			const ra = await run(a);
			assert.equal(windows.get(a)?.quiet, true, 'the slot was freed when the page went quiet, before its late task');
			const tbt = ra.lhr.audits['total-blocking-time']?.numericValue ?? 0;
			assert.ok(tbt >= 300, `TBT ${tbt} ms: the late task was traced and counted`);
			// No other page loaded meanwhile: nothing stretched the task, and the page is not run again.
			assert.equal(ra.lateWorkMs, undefined);
			assert.equal(ra.rerunForLateWorkMs, undefined);
		} finally {
			await service.close();
		}
	});

	it('runs a page again, with the slot until its trace stops, when it worked after going quiet while another page loaded', async function () {
		if (process.platform !== 'linux') this.skip();
		const { service, windows, wanted, run } = startService({ traceSlot: true });
		try {
			// Both Chromes and workers warm and the benchmark measured, so B asks for the slot soon after it starts.
			await Promise.all([run(server.url('/index.html?warm=a')), run(server.url('/index.html?warm=b'))]);
			// A goes quiet after its load, then from 1.8 s on runs a 100 ms task every 0.7 s for 3 s: Lighthouse keeps
			// tracing it until a second after the last, long after the slot has passed on to B.
			const a = server.url('/late-tasks.html');
			const b = server.url('/index.html');
			const aWanted = wanted(a);
			const runA = run(a);
			await aWanted;
			const [ra, rb] = await Promise.all([runA, run(b)]);
			assert.ok(
				(ra.rerunForLateWorkMs ?? 0) >= LATE_WORK_MS,
				`A's late work beside B's load: ${ra.rerunForLateWorkMs} ms`,
			);
			assert.equal(windows.get(a)?.quiet, false, "A's run again held the slot until its trace stopped");
			assert.equal(ra.lateWorkMs, undefined, "nothing loaded beside A's run again");
			const tbt = ra.lhr.audits['total-blocking-time']?.numericValue ?? 0;
			assert.ok(tbt >= 100, `TBT ${tbt} ms: the late tasks were traced`);
			assert.equal(rb.rerunForLateWorkMs, undefined, 'B, idle after its quiet, ran once');
		} finally {
			await service.close();
		}
	});

	it('without it, a second page load is traced while the first is still loading (what the slot prevents)', async () => {
		const { service, windows, run } = startService({ traceSlot: false });
		try {
			const a = server.url('/gated/free-a');
			const b = server.url('/gated/free-b');
			const gate = server.gate('/gated/free-a', { hold: fromLighthouse });
			const runA = run(a);
			await gate.reached;
			await run(b); // B runs to the end while A's page load is held under trace
			gate.open();
			await runA;
			const wa = windows.get(a)!;
			const wb = windows.get(b)!;
			assert.ok(wb.startMs < wa.endMs && wb.endMs > wa.startMs, 'the two trace windows overlap');
		} finally {
			await service.close();
		}
	});

	it('frees the slot when the run holding it is cancelled, and when a run waiting for it is cancelled', async () => {
		const { service, windows, wanted, run } = startService({ traceSlot: true, maxBrowsers: 3 });
		try {
			const a = server.url('/gated/cancel-a');
			const b = server.url('/gated/cancel-b');
			const c = server.url('/gated/cancel-c');
			const gate = server.gate('/gated/cancel-a', { hold: fromLighthouse });
			const stopA = new AbortController();
			const stopB = new AbortController();
			const runA = run(a, stopA.signal);
			await gate.reached;
			const bWanted = wanted(b);
			const runB = run(b, stopB.signal);
			await bWanted;
			stopB.abort(new Error('cancelled while waiting'));
			await assert.rejects(runB, /cancelled while waiting/);
			const cWanted = wanted(c);
			const runC = run(c);
			await cWanted;
			stopA.abort(new Error('cancelled while tracing'));
			await assert.rejects(runA, /cancelled while tracing/);
			// C gets the slot A held; B, cancelled in the queue, never takes it.
			const rc = await runC;
			assert.ok(rc.trace && windows.has(c) && !windows.has(b));
			gate.open();
		} finally {
			await service.close();
		}
	});

	it('marks a run made while other work held the CPU (burners on every core) as under contention', async function () {
		if (process.platform !== 'linux') this.skip();
		const { service, run } = startService({ traceSlot: true });
		const marks = async (tag: string) => {
			const { lhr, trace, fastestBenchmarkIndex } = await run(server.url(`/slow.html?${tag}`));
			return {
				...contentionOf(trace, lhr.environment?.benchmarkIndex, fastestBenchmarkIndex),
				benchmarkIndex: lhr.environment?.benchmarkIndex,
				fastestBenchmarkIndex,
			};
		};
		const burners: ReturnType<typeof spawn>[] = [];
		try {
			const quiet = await marks('quiet');
			assert.equal(quiet.fastestBenchmarkIndex, quiet.benchmarkIndex, 'the first run is the baseline');
			// Three busy loops per core, each in a session of its own like a program started elsewhere (the pool's
			// Chromes have theirs: where the kernel shares CPU between sessions first, loops in this test's session
			// would barely touch them): a run gets at most a quarter of the CPU it had.
			for (let i = 0; i < 3 * os.availableParallelism(); i++)
				burners.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore', detached: true }));
			const busy = await marks('busy');
			assert.equal(busy.contention, true, JSON.stringify(busy));
			assert.ok(busy.traceCpu && busy.traceCpu.besideCores >= 1, `other work used ${busy.traceCpu?.besideCores} cores`);
			assert.equal(typeof busy.traceCpu.waitRatio, 'number');
		} finally {
			for (const b of burners) b.kill('SIGKILL');
			await service.close();
		}
	});
});
