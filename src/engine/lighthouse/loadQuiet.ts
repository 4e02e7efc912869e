import { listProcesses } from '../procfs';
import { rendererSched } from './cpuWindow';

/**
 * When a traced page load has gone quiet, so the trace slot can pass to the next run before Lighthouse's own
 * quiet windows have run out (pauseAfterLoad, network and CPU quiet: a second each by default, mostly spent
 * waiting). For most pages every metric the performance score is made of has happened by then (FCP, LCP, Speed
 * Index, the main-thread tasks TBT counts); another page loading in another Chrome meanwhile only shares the CPU
 * with an idle page. Lighthouse still waits out its own windows and keeps tracing: only the slot is freed early.
 * A page that works again within those windows (a timer a second or two after its load) has that work in its trace
 * and its TBT, as with the CLI alone; when another page's load was traced beside it, LighthouseService runs it again
 * with the slot held until its trace stops (`LATE_WORK_MS`). Lighthouse's own load is not ended at our quiet: that
 * would drop such work from the trace.
 */
export interface QuietRule {
	/** How long the page must have had no request in flight and an idle main thread. */
	quietMs: number;
	/** The most of a core its renderers' main threads may have used over that time. */
	idleShare: number;
}

export const PAGE_QUIET: QuietRule = { quietMs: 1000, idleShare: 0.05 };

/** Whether a load can be watched here: the renderers' run time comes from /proc. */
const CAN_WATCH_QUIET = process.platform === 'linux';

/** How often the renderers' main threads are sampled while a load is watched. */
export const QUIET_POLL_MS = 100;

/**
 * The decision, from the page's DevTools protocol events and samples of its renderers' main-thread run
 * time (`/proc/<pid>/schedstat`). Pure: the clock is passed in.
 */
export class LoadQuiet {
	private loaded = false;
	private painted = false;
	private readonly inflight = new Set<string>();
	private lastNetworkMs: number;
	private readonly samples: { atMs: number; runNs: number }[] = [];

	constructor(
		startMs: number,
		private readonly rule: QuietRule = PAGE_QUIET,
	) {
		this.lastNetworkMs = startMs;
	}

	/** A protocol event of the page's session. */
	event(method: string, params: { requestId?: string; name?: string } | undefined, atMs: number): void {
		switch (method) {
			case 'Page.loadEventFired':
				this.loaded = true;
				break;
			case 'Page.lifecycleEvent':
				// Lighthouse turns lifecycle events on to wait for FCP itself; a page that paints late (after its load,
				// from a timer) is not quiet before it has painted.
				if (params?.name === 'firstContentfulPaint') this.painted = true;
				break;
			case 'Network.requestWillBeSent':
				if (params?.requestId) this.inflight.add(params.requestId);
				this.lastNetworkMs = atMs;
				break;
			case 'Network.loadingFinished':
			case 'Network.loadingFailed':
				if (params?.requestId) this.inflight.delete(params.requestId);
				this.lastNetworkMs = atMs;
				break;
		}
	}

	/** The renderers' main threads' total run time so far. */
	sample(runNs: number, atMs: number): void {
		// A renderer that exited (a navigation may swap processes) takes its time with it: start the window again.
		if (this.samples.length > 0 && runNs < this.samples[this.samples.length - 1].runNs) this.samples.length = 0;
		this.samples.push({ atMs, runNs });
		// Keep what covers the quiet window, plus the sample just before it.
		while (this.samples.length > 2 && this.samples[1].atMs <= atMs - this.rule.quietMs) this.samples.shift();
	}

	/**
	 * The page painted, its load fired, nothing has been in flight for quietMs, and the main threads idled over that
	 * time.
	 */
	isQuiet(nowMs: number): boolean {
		if (!this.loaded || !this.painted || this.inflight.size > 0 || nowMs - this.lastNetworkMs < this.rule.quietMs)
			return false;
		const first = this.samples[0];
		const last = this.samples[this.samples.length - 1];
		if (!first || !last || last.atMs - first.atMs < this.rule.quietMs) return false;
		const busyMs = (last.runNs - first.runNs) / 1e6;
		return busyMs <= this.rule.idleShare * (last.atMs - first.atMs);
	}
}

/** The total main-thread run time of the renderers of the Chrome whose process group `chromePid` leads (Linux). */
function rendererRunNs(chromePid: number): number | undefined {
	if (!CAN_WATCH_QUIET) return undefined;
	return rendererSched(listProcesses().filter((p) => p.pgrp === chromePid)).runNs;
}

/**
 * Watch a traced load and call `onQuiet` once when it has gone quiet. Returns the function that stops
 * watching. Where /proc cannot tell (other systems), it never calls: the slot is freed when the trace ends.
 */
export function watchLoadQuiet(
	session: {
		on(event: string, listener: (params: unknown) => void): void;
		off(event: string, listener: (params: unknown) => void): void;
	},
	chromePid: number,
	onQuiet: () => void,
	rule: QuietRule = PAGE_QUIET,
): () => void {
	if (!CAN_WATCH_QUIET) return () => undefined;
	const quiet = new LoadQuiet(Date.now(), rule);
	const methods = [
		'Page.loadEventFired',
		'Page.lifecycleEvent',
		'Network.requestWillBeSent',
		'Network.loadingFinished',
		'Network.loadingFailed',
	] as const;
	const listeners = methods.map((method) => {
		const listener = (params: unknown) => quiet.event(method, params as { requestId?: string }, Date.now());
		session.on(method, listener);
		return [method, listener] as const;
	});
	const stop = () => {
		clearInterval(timer);
		for (const [method, listener] of listeners) session.off(method, listener);
	};
	const timer = setInterval(() => {
		const runNs = rendererRunNs(chromePid);
		if (runNs === undefined) return;
		const now = Date.now();
		quiet.sample(runNs, now);
		if (!quiet.isQuiet(now)) return;
		stop();
		onQuiet();
	}, QUIET_POLL_MS);
	return stop;
}

/**
 * A page's main-thread work after its load went quiet, from samples of its renderers' run time taken every
 * QUIET_POLL_MS or so: the run time of the intervals in which the main threads were busy at least `burstShare` of the
 * time, as a task of Lighthouse's "long" kind (over 50 ms) keeps them, even sharing a core with another page's load
 * (which about halves its share). What a quiet page may use in small pieces (an animation frame, a
 * poll: the quiet rule allows 5% of a core) stays under that share and does not count. Pure: the clock is passed in.
 */
export class LateWork {
	private last: { atMs: number; runNs: number } | undefined;
	private burstNs = 0;

	constructor(private readonly burstShare = 0.25) {}

	sample(runNs: number, atMs: number): void {
		const last = this.last;
		this.last = { atMs, runNs };
		// A renderer that exited took its time with it: start again from this sample.
		if (!last || runNs < last.runNs || atMs <= last.atMs) return;
		const ranNs = runNs - last.runNs;
		if (ranNs >= this.burstShare * (atMs - last.atMs) * 1e6) this.burstNs += ranNs;
	}

	/** The work counted so far, in whole milliseconds. */
	get ms(): number {
		return Math.round(this.burstNs / 1e6);
	}
}

/**
 * Measure a page's late work (LateWork) from now until the returned function is called, which returns it in ms
 * (undefined where /proc cannot tell).
 */
export function watchLateWork(chromePid: number): () => number | undefined {
	const first = rendererRunNs(chromePid);
	if (first === undefined) return () => undefined;
	const late = new LateWork();
	late.sample(first, Date.now());
	const sample = () => {
		const runNs = rendererRunNs(chromePid);
		if (runNs !== undefined) late.sample(runNs, Date.now());
	};
	const timer = setInterval(sample, QUIET_POLL_MS);
	return () => {
		clearInterval(timer);
		sample();
		return late.ms;
	};
}
