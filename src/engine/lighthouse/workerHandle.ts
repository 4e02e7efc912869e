import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { abortError, AuditError } from '../errors';
import type { Logger } from '../log';
import type { MachineBenchmark } from './machineBenchmark';
import type { NavigationCapture } from './navigationCapture';
import type {
	LhrLike,
	TraceWindow,
	WorkerBenchmarkMessage,
	WorkerReply,
	WorkerRunMessage,
	WorkerSlotMessage,
	WorkerStopMessage,
} from './workerProtocol';

/** dist/lighthouseWorker.js when bundled; the compiled worker.js beside this file otherwise (tests). */
export function defaultWorkerPath(): string {
	const candidates = [path.join(__dirname, 'lighthouseWorker.js'), path.join(__dirname, 'worker.js')];
	const found = candidates.find((p) => fs.existsSync(p));
	if (!found)
		throw new Error(`Lighthouse worker script not found (looked for ${candidates.join(', ')}); run "npm run build".`);
	return found;
}

export type RunRequest = Omit<WorkerRunMessage, 'type' | 'id'>;

/** One Lighthouse run's result, with its traced page load when the worker saw one. */
export interface RunOutcome {
	lhr: LhrLike;
	trace?: TraceWindow;
	/** This run measured the machine's benchmarkIndex itself (others use the engine's figure: machineBenchmark.ts). */
	benchmarkMeasured?: boolean;
	/** The fastest benchmarkIndex the engine has measured so far, this run's included (set by LighthouseService). */
	fastestBenchmarkIndex?: number;
	/**
	 * The page's main-thread work (ms) traced after its load went quiet, in bursts of a long task's kind, while
	 * another run's page load was traced beside it (the slot had passed on): work whose times that load may have
	 * stretched. Undefined when no load was given the slot from this run's quiet until its trace stop was granted.
	 */
	lateWorkMs?: number;
	/**
	 * This outcome is the run again of a page with late work, with the slot held until its trace stopped
	 * (LighthouseService).
	 */
	rerunForLateWorkMs?: number;
}

/**
 * Gives the trace slot to one run at a time (`take` resolves with the function that frees it), and says when a run
 * may stop and collect its trace (`stop` resolves with the function to call once it is collected): traceSchedule.ts.
 */
export interface TraceSlot {
	take(signal: AbortSignal): Promise<() => void>;
	stop(signal: AbortSignal, ownLoad: boolean): Promise<() => void>;
	/** How many page loads have been given the slot so far (any run's). */
	loadsGiven(): number;
}

interface PendingRun {
	id: number;
	resolve: (outcome: RunOutcome) => void;
	reject: (err: Error) => void;
	signal: AbortSignal;
	slot?: TraceSlot;
	trace?: TraceWindow;
	/** Frees the trace slot while this run holds it. */
	freeSlot?: () => void;
	benchmark?: MachineBenchmark;
	/** Ends this run's trace collection in the schedule. */
	collected?: () => void;
	/** This run was asked to measure the benchmark and has not reported it yet. */
	measuring?: boolean;
	measured?: boolean;
	/** `slot.loadsGiven()` when this run's load went quiet and passed the slot on. */
	loadsAtQuiet?: number;
	/** Another page's load was given the slot between this run's quiet and its trace stop's grant. */
	overlapped?: boolean;
	lateWorkMs?: number;
	/** Told the capture the run took of its page (`RunRequest.capture`), before the run ends. */
	onCapture?: (capture: NavigationCapture) => void;
	/** When each step of the run happened (ms since the epoch), for the debug line that profiles it. */
	marks: Partial<Record<RunMark, number>>;
}

type RunMark =
	'start' | 'slotWanted' | 'slotGiven' | 'loadEnded' | 'stopWanted' | 'stopGiven' | 'collected' | 'captured' | 'end';

/**
 * A warm worker thread that runs Lighthouse, one run at a time. Its console output goes to the
 * engine's stderr. Abort terminates the thread (Lighthouse has no cancel); the owner replaces it.
 */
export class LighthouseWorker {
	private nextId = 1;
	private pending: PendingRun | undefined;
	private exited = false;
	runs = 0;

	private constructor(
		private readonly worker: Worker,
		readonly lighthouseVersion: string,
		private readonly log: Logger,
	) {
		worker.on('message', (reply: WorkerReply) => {
			const run = this.pending;
			if (reply.type === 'ready' || !run || reply.id !== run.id) return;
			if (reply.type === 'slot-wanted') {
				run.marks.slotWanted = Date.now();
				return this.giveSlot(run);
			}
			if (reply.type === 'benchmark-wanted') return this.giveBenchmark(run);
			if (reply.type === 'stop-wanted') {
				run.marks.stopWanted = Date.now();
				return this.giveStop(run);
			}
			if (reply.type === 'trace-collected') {
				run.marks.collected = Date.now();
				// Late work counts only where another page's load was traced meanwhile.
				if (reply.lateWorkMs !== undefined && run.overlapped) run.lateWorkMs = reply.lateWorkMs;
				return this.endCollection(run);
			}
			if (reply.type === 'benchmark-measured') {
				run.measuring = false;
				run.measured = true;
				return run.benchmark?.measured(reply.index);
			}
			if (reply.type === 'trace-end') {
				run.marks.loadEnded = Date.now();
				run.trace = reply.window;
				if (reply.window.quiet) run.loadsAtQuiet = run.slot?.loadsGiven();
				return this.freeSlot(run);
			}
			if (reply.type === 'capture') {
				run.marks.captured = Date.now();
				return run.onCapture?.(reply.capture);
			}
			this.pending = undefined;
			this.settle(run);
			if (reply.type === 'result')
				run.resolve({
					lhr: reply.lhr,
					trace: run.trace,
					benchmarkMeasured: run.measured === true,
					...(run.lateWorkMs === undefined ? {} : { lateWorkMs: run.lateWorkMs }),
				});
			else run.reject(new AuditError('LIGHTHOUSE_ERROR', `Lighthouse failed: ${reply.message}`));
		});
		const onGone = (err?: Error) => {
			this.exited = true;
			const run = this.pending;
			if (run) {
				this.pending = undefined;
				this.settle(run);
				run.reject(
					new AuditError(
						'LIGHTHOUSE_ERROR',
						`The Lighthouse worker stopped unexpectedly${err ? `: ${err.message}` : ''}.`,
					),
				);
			}
		};
		worker.on('error', (err) => {
			this.log.error(`lighthouse worker error: ${err.message}`);
			onGone(err);
		});
		worker.on('exit', () => onGone());
	}

	/** Start a worker and wait until Lighthouse is loaded in it. */
	static start(log: Logger, workerPath = defaultWorkerPath()): Promise<LighthouseWorker> {
		const worker = new Worker(workerPath, { stdout: true, stderr: true });
		worker.stdout.on('data', (chunk: Buffer) => process.stderr.write(chunk));
		worker.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
		return new Promise((resolve, reject) => {
			const onMessage = (reply: WorkerReply) => {
				if (reply.type !== 'ready') return;
				worker.off('message', onMessage);
				worker.off('exit', onExit);
				resolve(new LighthouseWorker(worker, reply.lighthouseVersion, log));
			};
			const onExit = (code: number) =>
				reject(new AuditError('LIGHTHOUSE_ERROR', `The Lighthouse worker could not start (exit code ${code}).`));
			worker.on('message', onMessage);
			worker.once('exit', onExit);
		});
	}

	get alive(): boolean {
		return !this.exited;
	}

	get busy(): boolean {
		return this.pending !== undefined;
	}

	/**
	 * Run Lighthouse once. With `request.traceSlot`, the run starts once `slot` gives it the trace slot and
	 * frees it when its page load has been traced (or the run ends). On abort the thread is terminated and
	 * the promise rejects with the abort reason.
	 */
	run(
		request: RunRequest,
		signal: AbortSignal,
		slot?: TraceSlot,
		benchmark?: MachineBenchmark,
		onCapture?: (capture: NavigationCapture) => void,
	): Promise<RunOutcome> {
		if (this.exited) return Promise.reject(new AuditError('LIGHTHOUSE_ERROR', 'The Lighthouse worker has stopped.'));
		if (this.pending) return Promise.reject(new Error('LighthouseWorker.run called while a run is in progress'));
		const id = this.nextId++;
		this.runs++;
		return new Promise<RunOutcome>((resolve, reject) => {
			const onAbort = () => {
				const run = this.pending;
				this.pending = undefined;
				if (run) this.settle(run);
				reject(abortError(signal));
				void this.terminate();
			};
			if (signal.aborted) return onAbort();
			signal.addEventListener('abort', onAbort, { once: true });
			const done = () => signal.removeEventListener('abort', onAbort);
			this.pending = {
				id,
				signal,
				slot: request.traceSlot ? slot : undefined,
				benchmark,
				onCapture,
				marks: { start: Date.now() },
				resolve: (outcome) => {
					done();
					resolve(outcome);
				},
				reject: (err) => {
					done();
					reject(err);
				},
			};
			this.worker.postMessage({ type: 'run', id, ...request } satisfies WorkerRunMessage);
		});
	}

	private giveSlot(run: PendingRun): void {
		if (!run.slot) return void this.worker.postMessage({ type: 'slot', id: run.id } satisfies WorkerSlotMessage);
		run.slot.take(run.signal).then(
			(free) => {
				// The run may have ended (aborted, worker gone) while it waited.
				if (this.pending !== run) return free();
				run.marks.slotGiven = Date.now();
				run.freeSlot = free;
				this.worker.postMessage({ type: 'slot', id: run.id } satisfies WorkerSlotMessage);
			},
			() => undefined, // aborted while waiting: onAbort has already ended the run
		);
	}

	/**
	 * The engine's benchmark figure, or none: then this run measures it. Without a MachineBenchmark every run measures.
	 */
	private giveBenchmark(run: PendingRun): void {
		const answer = (index: number | undefined) => {
			if (this.pending !== run) {
				if (index === undefined) run.benchmark?.abandoned();
				return;
			}
			run.measuring = index === undefined;
			this.worker.postMessage({
				type: 'benchmark',
				id: run.id,
				...(index === undefined ? {} : { index }),
			} satisfies WorkerBenchmarkMessage);
		};
		if (!run.benchmark) return answer(undefined);
		void run.benchmark.want().then(answer);
	}

	/** Let the run stop and collect its trace once no other run's page is loading. */
	private giveStop(run: PendingRun): void {
		const go = () => this.worker.postMessage({ type: 'stop', id: run.id } satisfies WorkerStopMessage);
		if (!run.slot) return go();
		run.slot.stop(run.signal, run.freeSlot !== undefined).then(
			(collected) => {
				if (this.pending !== run) return collected();
				run.marks.stopGiven = Date.now();
				run.overlapped = run.loadsAtQuiet !== undefined && (run.slot?.loadsGiven() ?? 0) > run.loadsAtQuiet;
				run.collected = collected;
				go();
			},
			() => undefined, // aborted while waiting: onAbort has already ended the run
		);
	}

	private endCollection(run: PendingRun): void {
		const collected = run.collected;
		run.collected = undefined;
		collected?.();
	}

	/** The run ended: free the trace slot if it holds it, and let another run measure if it was measuring. */
	private freeSlot(run: PendingRun): void {
		const free = run.freeSlot;
		run.freeSlot = undefined;
		free?.();
	}

	private settle(run: PendingRun): void {
		run.marks.end = Date.now();
		this.log.debug(`lighthouse run ${run.id}: ${profileOf(run.marks)}`);
		this.freeSlot(run);
		this.endCollection(run);
		if (run.measuring) {
			run.measuring = false;
			run.benchmark?.abandoned();
		}
	}

	async terminate(): Promise<void> {
		this.exited = true;
		await this.worker.terminate();
	}
}

/**
 * A run's steps as one line, e.g. `slot wait 0.8 s, traced load 1.2 s, stop wait 0.3 s, collection 0.5 s, captured at
 * 3.1 s, 4.6 s in all`.
 */
function profileOf(m: Partial<Record<RunMark, number>>): string {
	const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
	const span = (from: RunMark, to: RunMark, name: string) =>
		m[from] !== undefined && m[to] !== undefined ? [`${name} ${s(m[to] - m[from])}`] : [];
	const start = m.start ?? 0;
	return [
		...span('slotWanted', 'slotGiven', 'slot wait'),
		...span('slotGiven', 'loadEnded', 'traced load'),
		...span('stopWanted', 'stopGiven', 'stop wait'),
		...span('stopGiven', 'collected', 'collection'),
		...(m.captured !== undefined ? [`captured at ${s(m.captured - start)}`] : []),
		`${s((m.end ?? start) - start)} in all`,
	].join(', ');
}
