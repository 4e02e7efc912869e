import { once } from 'node:events';
import type { EngineSettings } from '../../protocol';
import { CHROME_FLAGS, findChrome } from '../chrome/findChrome';
import { launchChrome, type RunningChrome } from '../chrome/launchChrome';
import { chromeFlags, chromeSandbox } from '../chrome/sandbox';
import { chromeTempEnv, newProfileDir, removeProfileDir } from '../chrome/tempDir';
import { killTree } from '../chrome/watchdog';
import { abortError, AuditError } from '../errors';
import { LighthouseWorker } from '../lighthouse/workerHandle';
import type { Logger } from '../log';
import { hasDied } from '../procfs';

/** One warm Chrome with its own warm Lighthouse worker. One Lighthouse run at a time per slot. */
interface Slot {
	readonly n: number;
	chrome?: RunningChrome;
	userDataDir?: string;
	worker?: LighthouseWorker;
	busy: boolean;
	/** Lighthouse runs on the current Chrome. */
	runs: number;
	idleTimer?: NodeJS.Timeout;
	/** Aborted when the leased Chrome exits under a run. */
	crash?: AbortController;
}

/** A Chrome + worker lent to one Lighthouse run. Call `release` exactly once. */
export interface Lease {
	readonly port: number;
	readonly pid: number;
	readonly worker: LighthouseWorker;
	/** Aborted with CHROME_CRASHED if the Chrome dies while leased. */
	readonly crashSignal: AbortSignal;
	/** Whether the leased Chrome's process has ended (it may be dead before `crashSignal` hears of it). */
	chromeExited(): boolean;
	/**
	 * `broken` kills the Chrome and the worker; `retire` closes the Chrome and keeps the worker (a signed-in run:
	 * its cookies and storage must not reach a later audit); the slot gets a new Chrome on next use.
	 */
	release(state: 'ok' | 'broken' | 'retire'): void;
}

export interface PoolStats {
	idle: number;
	busy: number;
	launched: number;
	crashed: number;
	recycled: number;
	/** Chromes closed after a signed-in run. */
	retired: number;
	pids: number[];
	workers: number;
	workersReplaced: number;
}

/**
 * A small pool of headless Chromium instances for Lighthouse, launched lazily up to `maxBrowsers`,
 * health-checked before each lease, replaced after a crash, recycled after `recycleAfterRuns`
 * runs and closed after `browserIdleTimeoutMs` idle.
 */
export class BrowserPool {
	private readonly slots: Slot[] = [];
	private readonly waiters: {
		resolve: (slot: Slot) => void;
		reject: (err: Error) => void;
		signal: AbortSignal;
		onAbort: () => void;
	}[] = [];
	private closed = false;
	/** Aborted by close(): Chromes still starting are killed then, not waited for. */
	private readonly closing = new AbortController();
	private counters = { launched: 0, crashed: 0, recycled: 0, retired: 0, workersReplaced: 0 };
	/** Chromes the pool closed itself: their exit is not a crash to count again. */
	private readonly closedByPool = new WeakSet<RunningChrome>();
	/** Chromes killed and not yet exited: close() waits for them too. */
	private readonly exiting = new Set<Promise<void>>();
	private slotSeq = 0;
	/** Chromes starting, for a warm-up or a lease: close() waits for them, so none is left starting after it. */
	private readonly starting = new Set<Promise<void>>();
	lighthouseVersion = '';

	constructor(
		private settings: Readonly<EngineSettings>,
		private readonly log: Logger,
		private readonly workerPath?: string,
	) {}

	configure(settings: Readonly<EngineSettings>): void {
		this.settings = settings;
		// Fewer browsers allowed: close idle surplus now, busy surplus when released.
		while (this.slots.length > settings.maxBrowsers) {
			const idle = this.slots.find((s) => !s.busy);
			if (!idle) break;
			this.dropSlot(idle);
		}
		this.pump();
	}

	/** Wait for a free, healthy Chrome with a warm worker. */
	async lease(signal: AbortSignal): Promise<Lease> {
		if (this.closed) throw new AuditError('SHUTTING_DOWN', 'The engine is shutting down.');
		const slot = await this.acquireSlot(signal);
		const preparing = this.prepare(slot, signal);
		keepUntilSettled(this.starting, preparing);
		try {
			await preparing;
		} catch (err) {
			void this.teardown(slot);
			slot.busy = false;
			this.afterRelease(slot);
			throw err;
		}
		const crash = new AbortController();
		slot.crash = crash;
		let released = false;
		const chrome = slot.chrome!;
		return {
			chromeExited: () => exited(chrome),
			port: slot.chrome!.port,
			pid: slot.chrome!.pid,
			worker: slot.worker!,
			crashSignal: crash.signal,
			release: (state) => {
				if (released) return;
				released = true;
				slot.crash = undefined;
				slot.runs++;
				if (state === 'broken' || !slot.worker?.alive) void this.teardown(slot);
				else if (state === 'retire') {
					this.counters.retired++;
					void this.closeChrome(slot);
				} else if (slot.runs >= this.settings.recycleAfterRuns) {
					this.counters.recycled++;
					this.log.debug(`recycling chrome #${slot.n} after ${slot.runs} runs`);
					void this.closeChrome(slot);
				}
				slot.busy = false;
				this.afterRelease(slot);
			},
		};
	}

	/**
	 * Start Chromes with their warm workers, up to `count` (and maxBrowsers), in the background: a site scan
	 * does this while it discovers routes, so its first audits do not wait for them. Each waits idle as usual.
	 */
	warm(count: number): void {
		const want = Math.min(count, this.settings.maxBrowsers) - this.slots.length;
		for (let i = 0; i < want && !this.closed && this.waiters.length === 0; i++) {
			const slot = this.claim({ n: ++this.slotSeq, busy: false, runs: 0 });
			this.slots.push(slot);
			const warming = this.prepare(slot, new AbortController().signal).then(
				() => {
					slot.busy = false;
					this.afterRelease(slot);
				},
				async (err: unknown) => {
					this.log.debug(`warming chrome #${slot.n}: ${err instanceof Error ? err.message : String(err)}`);
					await this.teardown(slot);
					slot.busy = false;
					this.afterRelease(slot);
				},
			);
			keepUntilSettled(this.starting, warming);
		}
	}

	stats(): PoolStats {
		return {
			idle: this.slots.filter((s) => !s.busy && s.chrome).length,
			busy: this.slots.filter((s) => s.busy).length,
			launched: this.counters.launched,
			crashed: this.counters.crashed,
			recycled: this.counters.recycled,
			retired: this.counters.retired,
			pids: this.chromePids(),
			workers: this.slots.filter((s) => s.worker?.alive).length,
			workersReplaced: this.counters.workersReplaced,
		};
	}

	chromePids(): number[] {
		return this.slots.flatMap((s) => (s.chrome?.pid ? [s.chrome.pid] : []));
	}

	/** Kill every Chrome synchronously (for process 'exit'). */
	killAllSync(): void {
		for (const slot of this.slots) {
			killTree(slot.chrome?.pid);
			removeProfileDir(slot.userDataDir);
		}
	}

	async close(): Promise<void> {
		this.closed = true;
		this.closing.abort();
		for (const w of this.waiters.splice(0)) {
			w.signal.removeEventListener('abort', w.onAbort);
			w.reject(new AuditError('SHUTTING_DOWN', 'The engine is shutting down.'));
		}
		await Promise.all(this.slots.splice(0).map((slot) => this.teardown(slot)));
		await Promise.all(this.starting);
		await Promise.all(this.exiting);
	}

	private acquireSlot(signal: AbortSignal): Promise<Slot> {
		const free = this.slots.find((s) => !s.busy);
		if (free && this.waiters.length === 0) return Promise.resolve(this.claim(free));
		if (this.slots.length < this.settings.maxBrowsers && this.waiters.length === 0) {
			const slot: Slot = { n: ++this.slotSeq, busy: false, runs: 0 };
			this.slots.push(slot);
			return Promise.resolve(this.claim(slot));
		}
		return new Promise<Slot>((resolve, reject) => {
			if (signal.aborted) return reject(abortError(signal));
			const waiter = {
				resolve,
				reject,
				signal,
				onAbort: () => {
					const i = this.waiters.indexOf(waiter);
					if (i >= 0) this.waiters.splice(i, 1);
					reject(abortError(signal));
				},
			};
			signal.addEventListener('abort', waiter.onAbort, { once: true });
			this.waiters.push(waiter);
		});
	}

	private claim(slot: Slot): Slot {
		slot.busy = true;
		if (slot.idleTimer) clearTimeout(slot.idleTimer);
		slot.idleTimer = undefined;
		return slot;
	}

	/** Hand a freed slot to the next waiter, or start its idle timer; drop it if over the limit. */
	private afterRelease(slot: Slot): void {
		if (this.closed) return;
		if (this.slots.length > this.settings.maxBrowsers) {
			this.dropSlot(slot);
			return;
		}
		this.pump();
		if (!slot.busy && slot.chrome) {
			slot.idleTimer = setTimeout(() => {
				if (slot.busy) return;
				this.log.debug(`closing chrome #${slot.n} after ${this.settings.browserIdleTimeoutMs} ms idle`);
				this.dropSlot(slot);
			}, this.settings.browserIdleTimeoutMs);
			slot.idleTimer.unref();
		}
	}

	private pump(): void {
		while (this.waiters.length > 0) {
			let slot = this.slots.find((s) => !s.busy);
			if (!slot && this.slots.length < this.settings.maxBrowsers) {
				slot = { n: ++this.slotSeq, busy: false, runs: 0 };
				this.slots.push(slot);
			}
			if (!slot) return;
			const waiter = this.waiters.shift()!;
			waiter.signal.removeEventListener('abort', waiter.onAbort);
			waiter.resolve(this.claim(slot));
		}
	}

	private dropSlot(slot: Slot): void {
		const i = this.slots.indexOf(slot);
		if (i >= 0) this.slots.splice(i, 1);
		if (slot.idleTimer) clearTimeout(slot.idleTimer);
		void this.teardown(slot);
		this.pump();
	}

	/** Make sure the slot has a live, answering Chrome and a live worker. */
	private async prepare(slot: Slot, signal: AbortSignal): Promise<void> {
		if (slot.chrome && !(await this.healthy(slot.chrome))) {
			this.log.warn(`chrome #${slot.n} (pid ${slot.chrome.pid}) stopped answering; replacing it`);
			// closeChrome counts a Chrome that has died; one that is alive but does not answer is counted here.
			if (!exited(slot.chrome)) this.counters.crashed++;
			void this.closeChrome(slot);
		}
		const [chrome, worker] = await Promise.allSettled([
			slot.chrome ? slot.chrome : this.launchChrome(slot),
			slot.worker?.alive ? slot.worker : this.startWorker(slot),
		]);
		// Whatever started is the slot's, so the teardown that follows a failure ends it too.
		if (chrome.status === 'fulfilled') slot.chrome = chrome.value;
		if (worker.status === 'fulfilled') slot.worker = worker.value;
		// The pool closed while this Chrome started (a warm-up, a lease the engine's shutdown overtook): close() has
		// already torn the slots down, so this one is ended here or nothing would.
		if (this.closed) {
			await this.teardown(slot);
			throw new AuditError('SHUTTING_DOWN', 'The engine is shutting down.');
		}
		if (chrome.status === 'rejected') throw chrome.reason;
		if (worker.status === 'rejected') throw worker.reason;
		if (signal.aborted) throw abortError(signal);
	}

	private async startWorker(slot: Slot): Promise<LighthouseWorker> {
		if (slot.worker) this.counters.workersReplaced++;
		const worker = await LighthouseWorker.start(this.log, this.workerPath);
		this.lighthouseVersion = worker.lighthouseVersion;
		return worker;
	}

	private async launchChrome(slot: Slot): Promise<RunningChrome> {
		const chromePath = await findChrome(this.settings.chromePath);
		const sandbox = await chromeSandbox(chromePath, this.log);
		// The profile and Chrome's own temp files go into the engine's folder, which every exit path removes.
		const userDataDir = newProfileDir(`pool${slot.n}`);
		slot.userDataDir = userDataDir;
		let chrome: RunningChrome;
		try {
			chrome = await launchChrome({
				chromePath,
				flags: chromeFlags(sandbox, CHROME_FLAGS),
				userDataDir,
				env: chromeTempEnv(),
				signal: this.closing.signal,
			});
		} catch (err) {
			// Only this launch's own profile: a slot torn down meanwhile may already have another.
			removeProfileDir(userDataDir);
			if (slot.userDataDir === userDataDir) slot.userDataDir = undefined;
			throw err;
		}
		this.counters.launched++;
		this.log.debug(`chrome #${slot.n} started (pid ${chrome.pid}, port ${chrome.port})`);
		chrome.process.once('exit', () => {
			// A Chrome the pool closed itself (counted there if it had died first) is not a crash to report again.
			if (slot.chrome !== chrome || this.closedByPool.has(chrome)) return;
			this.log.warn(`chrome #${slot.n} (pid ${chrome.pid}) exited`);
			this.counters.crashed++;
			slot.chrome = undefined;
			killTree(chrome.pid);
			removeProfileDir(slot.userDataDir);
			slot.userDataDir = undefined;
			slot.crash?.abort(
				new AuditError('CHROME_CRASHED', 'Chrome crashed during the audit; it has been replaced. Run the audit again.'),
			);
		});
		return chrome;
	}

	private async healthy(chrome: RunningChrome): Promise<boolean> {
		if (chrome.process.exitCode !== null || chrome.process.signalCode !== null) return false;
		try {
			const res = await fetch(`http://127.0.0.1:${chrome.port}/json/version`, { signal: AbortSignal.timeout(3000) });
			return res.ok;
		} catch {
			return false;
		}
	}

	/**
	 * Kill the slot's Chrome (its process group); resolves once its browser process has exited (bounded by
	 * CHROME_EXIT_WAIT_MS) and its profile is removed. close() waits for every such exit, so no browser process of the
	 * pool is still dying after it; a caller that only replaces or recycles a Chrome need not wait.
	 */
	private closeChrome(slot: Slot): Promise<void> {
		const chrome = slot.chrome;
		const userDataDir = slot.userDataDir;
		slot.chrome = undefined;
		slot.userDataDir = undefined;
		slot.runs = 0;
		if (!chrome) {
			removeProfileDir(userDataDir);
			return Promise.resolve();
		}
		// A run that saw its Chrome die may release the slot before the process's exit event: still a crash.
		if (exited(chrome)) {
			this.counters.crashed++;
			this.log.warn(`chrome #${slot.n} (pid ${chrome.pid}) exited during a run`);
		}
		this.closedByPool.add(chrome);
		killTree(chrome.pid);
		// Its exit, not the signal: SIGKILL is delivered at once, but a Chrome's threads end at the machine's pace.
		const gone = whenExited(chrome, CHROME_EXIT_WAIT_MS).then((exitedInTime) => {
			if (!exitedInTime)
				this.log.warn(`chrome #${slot.n} (pid ${chrome.pid}) had not exited ${CHROME_EXIT_WAIT_MS} ms after SIGKILL`);
			removeProfileDir(userDataDir);
		});
		keepUntilSettled(this.exiting, gone);
		return gone;
	}

	private async teardown(slot: Slot): Promise<void> {
		const worker = slot.worker;
		slot.worker = undefined;
		await Promise.all([this.closeChrome(slot), worker?.terminate().catch(() => undefined)]);
	}
}

/**
 * How long closing waits for a killed Chrome's exit before going on (it is SIGKILLed: only a stuck kernel holds it);
 * under the engine's own hard stop on shutdown and the extension's wait for it.
 */
const CHROME_EXIT_WAIT_MS = 3_000;

/** Resolves true once the Chrome's process has exited (Node has reaped it), false after `ms`. */
function whenExited(chrome: RunningChrome, ms: number): Promise<boolean> {
	const child = chrome.process;
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
	return once(child, 'exit', { signal: AbortSignal.timeout(ms) }).then(
		() => true,
		() => false,
	);
}

/** Hold `work` in `set` until it settles, whether it resolves or rejects: close() waits for the set. */
function keepUntilSettled(set: Set<Promise<void>>, work: Promise<unknown>): void {
	const settled = work.then(
		() => undefined,
		() => undefined,
	);
	set.add(settled);
	void settled.finally(() => set.delete(settled));
}

/** The Chrome's process has ended, whether or not Node has reaped it yet. */
function exited(chrome: RunningChrome): boolean {
	return chrome.process.exitCode !== null || chrome.process.signalCode !== null || hasDied(chrome.pid);
}
