/**
 * A warm Lighthouse worker thread. Lighthouse cannot run twice at once in one JS realm, so each
 * concurrent run gets its own worker; the worker stays alive and runs one audit at a time.
 * Entry point of dist/lighthouseWorker.js.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { cpuWindow, sampleCpu, type CpuSample } from './cpuWindow';
import { watchLateWork, watchLoadQuiet } from './loadQuiet';
import { lighthouseMessageFormat, memoizeMessageFormat } from './messageFormatMemo';
import { hookPoints, importHookModules, type Session } from './hookPoints';
import { captureNavigation, type CaptureDriver } from './navigationCapture';
import type { LhrLike, WorkerMessage, WorkerReply, WorkerRunMessage } from './workerProtocol';

type LighthouseModule = typeof import('lighthouse');

if (!parentPort) throw new Error('lighthouseWorker must run as a worker thread');
const port = parentPort;

// Anything the libraries print goes to stderr, never to a protocol channel.
console.log = console.error;
console.info = console.error;

const post = (reply: WorkerReply) => port.postMessage(reply);

/**
 * The run in progress: asks the main thread for the machine's benchmark figure and for the trace slot, tells
 * it when the trace has started and when the load under trace has gone quiet or the trace stopped.
 */
let traceHooks:
	| {
			benchmark(): Promise<number | undefined>;
			measured(index: number): void;
			slot(): Promise<void>;
			started(session: Session): void;
			mayStop(): Promise<void>;
			stopped(): void;
	  }
	| undefined;
/** Takes the capture the run in progress was asked for, and posts it (navigationCapture.ts). */
let captureHook: ((driver: CaptureDriver) => Promise<void>) | undefined;
/**
 * The main thread's answers the run in progress waits for, by the message that answers: `slot`, `stop`, `benchmark`.
 */
const answers = new Map<WorkerMessage['type'], { id: number; answered: (msg: WorkerMessage) => void }>();

/**
 * Wrap Lighthouse's Trace gatherer, whose sensitive phase is exactly the traced page load the performance
 * metrics come from, and the page-side evaluation of its machine benchmark (a second of CPU in the page,
 * just before). The trace waits for the run's trace slot; the load going quiet, or the trace's end, frees
 * it. The benchmark is the engine's figure (machineBenchmark.ts) unless this run is the one to measure it,
 * which it then does in the slot. Lighthouse loads these same module files, so the wraps apply to every run
 * in this thread. Should a later Lighthouse benchmark differently, the trace still waits for the slot.
 */
async function hookLighthouse(version: string): Promise<void> {
	const {
		trace: Trace,
		executionContext,
		computeBenchmarkIndex,
		fullPageScreenshot,
	} = hookPoints(await importHookModules(), version);
	const { startSensitiveInstrumentation: start, stopSensitiveInstrumentation: stop } = Trace.prototype;
	Trace.prototype.startSensitiveInstrumentation = async function (ctx) {
		await traceHooks?.slot();
		traceHooks?.started(ctx.driver.defaultSession);
		return start.call(this, ctx);
	};
	Trace.prototype.stopSensitiveInstrumentation = async function (ctx) {
		await traceHooks?.mayStop();
		try {
			await stop.call(this, ctx);
		} finally {
			traceHooks?.stopped();
		}
	};
	const evaluate = executionContext.prototype.evaluate;
	executionContext.prototype.evaluate = async function (mainFn, options) {
		if (mainFn !== computeBenchmarkIndex || !traceHooks) return evaluate.call(this, mainFn, options);
		const hooks = traceHooks;
		const known = await hooks.benchmark();
		if (known !== undefined) return known;
		await hooks.slot();
		const index = await evaluate.call(this, mainFn, options);
		hooks.measured(Number(index));
		return index;
	};
	// The capture stage's screenshots and DOM facts are taken in the page Lighthouse has loaded, where its own
	// full-page screenshot would be taken (the last gatherer; ours are off in the reports): no second page load.
	const fullPageShot = fullPageScreenshot.prototype.getArtifact;
	fullPageScreenshot.prototype.getArtifact = async function (ctx) {
		if (!captureHook) return fullPageShot.call(this, ctx);
		await captureHook(ctx.driver);
		// No artifact: the report has no full-page screenshot, as with disableFullPageScreenshot.
		return undefined;
	};
}

/** The niceness of a Lighthouse worker thread (Linux): see `yieldToPageLoads`. */
const WORKER_NICE = 10;

/**
 * Lower this thread's priority (Linux sets it per thread). What the metrics are made of is timed in Chrome (the
 * trace of the page's main thread); what a worker computes (trace parsing, audits, report strings) is not, and on a
 * busy machine its waits and its trace stop can only come a little later, never sooner. Niced, the workers yield
 * the CPU to the traced page, and the wait for a free core before each traced load (cpuRoom.ts) does not count
 * them, as it does not count the capture browser. Elsewhere, or if the system refuses, the thread keeps its priority.
 */
function yieldToPageLoads(): void {
	if (process.platform !== 'linux') return;
	try {
		const tid = Number(path.basename(fs.readlinkSync('/proc/thread-self')));
		if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, WORKER_NICE);
	} catch {
		// A priority is an optimisation: the run is the same without it.
	}
}

async function main(): Promise<void> {
	yieldToPageLoads();
	const lh: LighthouseModule = await import('lighthouse');
	const version = (require('lighthouse/package.json') as { version: string }).version;
	await hookLighthouse(version);
	memoizeMessageFormat(lighthouseMessageFormat());
	post({ type: 'ready', lighthouseVersion: version });

	port.on('message', (msg: WorkerMessage) => {
		const waiting = answers.get(msg.type);
		if (waiting) {
			if (waiting.id === msg.id) waiting.answered(msg);
			return;
		}
		if (msg.type !== 'run') return;
		void run(lh, msg).then(
			(lhr) => post({ type: 'result', id: msg.id, lhr }),
			(err: unknown) => post({ type: 'error', id: msg.id, message: err instanceof Error ? err.message : String(err) }),
		);
	});
}

/** Post `question` for run `id` and wait for the main thread's `answer` (one question of a kind at a time). */
function ask<T extends WorkerMessage['type']>(
	id: number,
	question: 'slot-wanted' | 'stop-wanted' | 'benchmark-wanted',
	answer: T,
): Promise<Extract<WorkerMessage, { type: T }>> {
	return new Promise((resolve) => {
		answers.set(answer, {
			id,
			answered: (msg) => {
				answers.delete(answer);
				resolve(msg as Extract<WorkerMessage, { type: T }>);
			},
		});
		post({ type: question, id });
	});
}

/**
 * The run's hooks: the first of its benchmark (when it measures one) and its trace asks the main thread for
 * the trace slot (when the run uses it). The window the metrics come from ends when the load goes quiet, or
 * at the latest when the trace stops: it is reported with its CPU figures, and the main thread frees the slot.
 */
function watchTrace(msg: WorkerRunMessage): () => void {
	let startMs = 0;
	let startSample: CpuSample | undefined;
	let slot: Promise<void> | undefined;
	let ended = false;
	/** From its quiet until its trace stop is granted: the page's late work (loadQuiet.ts, LateWork). */
	let endLateWatch: (() => number | undefined) | undefined;
	let lateWorkMs: number | undefined;
	let stopWatch = () => undefined as void;
	const endWindow = (quiet: boolean) => {
		stopWatch();
		if (ended || startMs === 0) return;
		ended = true;
		if (quiet) endLateWatch = watchLateWork(msg.chromePid);
		const endSample = sampleCpu(msg.chromePid);
		const cpu = startSample && endSample ? cpuWindow(startSample, endSample) : undefined;
		const figures = cpu
			? { besideCores: +cpu.besideCores.toFixed(2), waitRatio: +cpu.waitRatio.toFixed(3), cores: cpu.cores }
			: {};
		post({ type: 'trace-end', id: msg.id, window: { startMs, endMs: Date.now(), quiet, ...figures } });
	};
	traceHooks = {
		// Undefined: this run measures it.
		benchmark: () => ask(msg.id, 'benchmark-wanted', 'benchmark').then((a) => a.index),
		measured: (index) => post({ type: 'benchmark-measured', id: msg.id, index }),
		// The slot: no other run's page load is under trace then.
		slot: () => (slot ??= msg.traceSlot ? ask(msg.id, 'slot-wanted', 'slot').then(() => undefined) : Promise.resolve()),
		started(session) {
			startMs = Date.now();
			startSample = sampleCpu(msg.chromePid);
			if (msg.traceSlot && !msg.slotUntilTraceEnd)
				stopWatch = watchLoadQuiet(session, msg.chromePid, () => endWindow(true));
		},
		// Stop and collect the trace once no other run's page is loading. What the page's main threads did from its
		// quiet until then was traced too, with the slot passed on: the main thread hears how much.
		mayStop: () =>
			msg.traceSlot
				? ask(msg.id, 'stop-wanted', 'stop').then(() => {
						lateWorkMs = endLateWatch?.();
						endLateWatch = undefined;
					})
				: Promise.resolve(),
		stopped() {
			endWindow(false);
			if (msg.traceSlot)
				post({ type: 'trace-collected', id: msg.id, ...(lateWorkMs === undefined ? {} : { lateWorkMs }) });
		},
	};
	return () => {
		stopWatch();
		endLateWatch?.();
	};
}

async function run(lh: LighthouseModule, msg: WorkerRunMessage): Promise<LhrLike> {
	const stopWatch = watchTrace(msg);
	const request = msg.capture;
	// Posted as soon as it is taken: the capture stage and the CRO rules go on while Lighthouse computes its audits.
	captureHook = request
		? async (driver) => post({ type: 'capture', id: msg.id, capture: await captureNavigation(driver, request) })
		: undefined;
	try {
		return await runLighthouse(lh, msg);
	} finally {
		stopWatch();
		traceHooks = undefined;
		captureHook = undefined;
	}
}

async function runLighthouse(lh: LighthouseModule, msg: WorkerRunMessage): Promise<LhrLike> {
	const common = {
		// The categories asked for, of the four results show: Lighthouse's default config also has agentic-browsing
		// (13.3 on), whose gatherers would fetch the page again, /llms.txt and /.well-known/ai-catalog.json.
		onlyCategories: msg.categories,
		throttlingMethod: msg.throttling,
		// The capture stage takes our own screenshots; skipping Lighthouse's saves CPU. With a capture asked for,
		// its step runs, but takes our capture instead (hookLighthouse).
		disableFullPageScreenshot: !msg.capture,
		maxWaitForLoad: msg.maxWaitForLoadMs,
		maxWaitForFcp: Math.min(30_000, msg.maxWaitForLoadMs),
		...(msg.extraHeaders ? { extraHeaders: msg.extraHeaders } : {}),
	};
	const config =
		msg.formFactor === 'desktop'
			? { ...lh.desktopConfig, settings: { ...lh.desktopConfig.settings, ...common } }
			: { extends: 'lighthouse:default' as const, settings: common };
	const result = await lh.default(msg.url, { port: msg.port, output: 'json', logLevel: 'error' }, config);
	if (!result) throw new Error('Lighthouse returned no result');
	return result.lhr as unknown as LhrLike;
}

main().catch((err: unknown) => {
	console.error(`lighthouse worker failed to start: ${err instanceof Error ? err.stack : String(err)}`);
	process.exit(1);
});
