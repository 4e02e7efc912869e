import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
import type { AuditOptions, Category, EngineSettings, EngineStats, FormFactor, Throttling } from '../../protocol';
import type { AuthPlan } from '../auth/authRequest';
import { signInChrome } from '../auth/signIn';
import { CHROME_FLAGS, findChrome } from '../chrome/findChrome';
import { chromeFlags, chromeSandbox } from '../chrome/sandbox';
import { chromeTempEnv, newProfileDir, removeProfileDir } from '../chrome/tempDir';
import { killTree } from '../chrome/watchdog';
import { abortError, AuditError } from '../errors';
import type { Logger } from '../log';
import { BrowserPool } from '../pool/browserPool';
import type { EngineService } from '../gather';
import { MachineBenchmark } from './machineBenchmark';
import { TraceSchedule } from './traceSchedule';
import type { RunOutcome, TraceSlot } from './workerHandle';
import type { NavigationCapture, NavigationCaptureRequest } from './navigationCapture';
import type { LhrLike, TraceWindow } from './workerProtocol';

export interface LighthouseRequest {
	url: string;
	formFactor: FormFactor;
	categories: Category[];
	throttling: Throttling;
	/** Time left for this run; Lighthouse's own page-load cap is kept under it. */
	timeoutMs: number;
	/** Credentials of a signed-in audit. */
	auth?: AuthPlan;
	/** Take the capture stage's screenshots and DOM facts in the page this run loads (pool runs only)… */
	capture?: NavigationCaptureRequest;
	/** …and give them here as soon as they are taken. */
	onCapture?: (capture: NavigationCapture) => void;
}

/**
 * How long Lighthouse may wait for the page to load: part of the time left, so that a page that never
 * settles is still audited (with Lighthouse's warning) before the audit timeout; at most Lighthouse's
 * own default of 45 s.
 */
export function loadCap(timeLeftMs: number): number {
	return Math.round(Math.min(45_000, Math.max(5_000, timeLeftMs * 0.4)));
}

/**
 * How many Lighthouse runs (each a Chrome and a worker) go at once: `maxBrowsers`, one in accuracy mode, and with
 * the trace slot on at most one more than the cores: the traced loads take turns, so further runs would only wait
 * while their Chromes and workers take memory and CPU. With the slot off, or without the pool, the loads overlap and
 * every run feeds the cores: no cap. Runs without the performance category take no slot but share the cap.
 */
export function lighthouseConcurrency(
	settings: Pick<EngineSettings, 'maxBrowsers' | 'accuracyMode' | 'traceSlot' | 'usePool'>,
	cores: number,
): number {
	if (settings.accuracyMode) return 1;
	return settings.traceSlot && settings.usePool ? Math.min(settings.maxBrowsers, cores + 1) : settings.maxBrowsers;
}

/**
 * The slot passes on when a page's load goes quiet, but Lighthouse traces the page for about a second more (its own
 * CPU-quiet wait) and counts what the page does then: a task 1.3 s after the load is in the CLI's TBT. When the page's
 * main threads worked at least this long (ms, in bursts of a long task's kind: LateWork) from its quiet until its
 * trace stop was granted, while another page's load was traced beside it, that work's times may be stretched: the
 * page is run again with the slot held until its trace stops. 50 ms: a long task.
 */
export const LATE_WORK_MS = 50;

/** A run again must fit in the audit's time left with this much to spare, else the first run's result is kept. */
const RERUN_MARGIN_MS = 2_000;

/** What the trace slot tells observers (tests, the bench): a run asked for it; a run's page load was traced. */
export interface TraceEvents {
	wanted: [url: string];
	window: [url: string, window: TraceWindow];
}

/**
 * Runs Lighthouse: in the warm pool (a Chrome + a worker thread per run), or, with the pool off,
 * as the `lighthouse` CLI in a subprocess per run. Accuracy mode runs one at a time.
 *
 * The trace slot: the performance metrics come from the trace of the page load, which Lighthouse's
 * simulated throttling scales up (4x CPU on mobile), so CPU taken from it by other runs shows in the
 * score. With `traceSlot` on, a run holds the slot while its page loads under trace, until the load has gone
 * quiet (loadQuiet.ts) or the trace stopped, and while it measures the machine's benchmark (once per
 * engine: machineBenchmark.ts); starting Chrome, the other categories' gatherers, Lighthouse's quiet tail
 * and computing the audits overlap with other runs. A page that worked in that tail while another page's load
 * was traced is run again with the slot until its trace stops (`LATE_WORK_MS`).
 */
export class LighthouseService implements EngineService {
	readonly pool: BrowserPool;
	readonly traceEvents = new EventEmitter<TraceEvents>();
	private readonly runLimit: LimitFunction;
	private readonly schedule = new TraceSchedule();
	private cliSeq = 0;
	/**
	 * The machine's benchmarkIndex, measured once for the runs of the pool; its fastest is the contention mark's
	 * baseline.
	 */
	readonly benchmark = new MachineBenchmark();
	runs = 0;

	constructor(
		private settings: Readonly<EngineSettings>,
		private readonly log: Logger,
		workerPath?: string,
		/** The cores the runs share (lighthouseConcurrency); tests pass their own. */
		private readonly cores = os.availableParallelism(),
	) {
		// The pool keeps no more Chromes than runs go at once: a lease made while the warm-up starts them would add one.
		this.pool = new BrowserPool(this.poolSettings(settings), log.child('pool'), workerPath);
		this.runLimit = pLimit(this.concurrency(settings));
	}

	get lighthouseVersion(): string {
		if (this.pool.lighthouseVersion) return this.pool.lighthouseVersion;
		return (require('lighthouse/package.json') as { version: string }).version;
	}

	configure(settings: Readonly<EngineSettings>): void {
		this.settings = settings;
		this.runLimit.concurrency = this.concurrency(settings);
		this.pool.configure(this.poolSettings(settings));
	}

	run(request: LighthouseRequest, signal: AbortSignal): Promise<RunOutcome> {
		const asked = Date.now();
		return this.runLimit(async () => {
			if (signal.aborted) throw abortError(signal);
			this.runs++;
			const started = Date.now();
			let outcome = this.settings.usePool
				? await this.runInPool(request, signal)
				: { lhr: await this.runCli(request, signal), benchmarkMeasured: true };
			if ((outcome.lateWorkMs ?? 0) >= LATE_WORK_MS)
				outcome = await this.runAgain(request, signal, outcome, { asked, tookMs: Date.now() - started });
			const index = outcome.lhr.environment?.benchmarkIndex;
			if (outcome.benchmarkMeasured && typeof index === 'number') this.benchmark.observe(index);
			return { ...outcome, fastestBenchmarkIndex: this.benchmark.fastest };
		});
	}

	/**
	 * The run again of a page whose late work shared the CPU with another page's traced load (`LATE_WORK_MS`), with
	 * the slot held until its trace stops. The first run's result is kept when the page is signed in (its login would
	 * run again), when the audit's time left would not fit another run, or when the run again fails (not a cancel).
	 */
	private async runAgain(
		request: LighthouseRequest,
		signal: AbortSignal,
		first: RunOutcome,
		times: { asked: number; tookMs: number },
	): Promise<RunOutcome> {
		const what = `${request.url} (${request.formFactor}): the page worked ${first.lateWorkMs} ms after its load went quiet, while another page's load was traced beside it`;
		const leftMs = request.timeoutMs - (Date.now() - times.asked) - RERUN_MARGIN_MS;
		if (request.auth || leftMs < 2 * times.tookMs) {
			this.log.info(
				`${what}; not run again (${request.auth ? 'signed in' : 'not enough time left'}): its performance score may be low`,
			);
			return first;
		}
		this.log.info(`${what}; running it again with the trace slot until its trace stops`);
		this.runs++;
		// The capture already taken stands: contention moves times, not the page's pixels or DOM.
		const { capture: _capture, onCapture: _onCapture, ...again } = request;
		try {
			const outcome = await this.runInPool(
				{ ...again, timeoutMs: leftMs },
				AbortSignal.any([signal, AbortSignal.timeout(leftMs)]),
				true,
			);
			return { ...outcome, rerunForLateWorkMs: first.lateWorkMs };
		} catch (err) {
			if (signal.aborted) throw err;
			this.log.warn(
				`${request.url} (${request.formFactor}): the run again failed, the first run's result is kept: ${err instanceof Error ? err.message : String(err)}`,
			);
			return first;
		}
	}

	warm(count: number, options?: AuditOptions): void {
		if (!this.settings.usePool || options?.stages.lighthouse === false) return;
		this.pool.warm(Math.min(count * (options?.formFactors.length ?? 1), this.concurrency(this.settings)));
	}

	/** The trace slot of one run: taken in turn, freed by the run's worker; its trace stop in the schedule too. */
	private slotFor(url: string): TraceSlot {
		return {
			take: (signal) => {
				this.traceEvents.emit('wanted', url);
				return this.schedule.load(signal);
			},
			stop: (signal, ownLoad) => this.schedule.stop(signal, ownLoad),
			loadsGiven: () => this.schedule.loadsGiven,
		};
	}

	stats(): Partial<EngineStats> {
		const p = this.pool.stats();
		return {
			browsers: {
				idle: p.idle,
				busy: p.busy,
				launched: p.launched,
				crashed: p.crashed,
				recycled: p.recycled,
				pids: p.pids,
			},
			workers: { count: p.workers, busy: p.busy, replaced: p.workersReplaced },
			lighthouseRuns: this.runs,
		};
	}

	close(): Promise<void> {
		return this.pool.close();
	}

	private concurrency(settings: Readonly<EngineSettings>): number {
		return lighthouseConcurrency(settings, this.cores);
	}

	private poolSettings(settings: Readonly<EngineSettings>): Readonly<EngineSettings> {
		return { ...settings, maxBrowsers: this.concurrency(settings) };
	}

	private async runInPool(
		request: LighthouseRequest,
		signal: AbortSignal,
		slotUntilTraceEnd = false,
	): Promise<RunOutcome> {
		const lease = await this.pool.lease(signal);
		const { auth } = request;
		// A signed-in Chrome keeps cookies (the server's too), storage and cache: it serves no later audit.
		// Lighthouse's storage reset stays on: it clears the origin's service workers, Cache Storage and the HTTP
		// cache (a cold load, like every audit) but not cookies, localStorage or IndexedDB, where a login lives.
		let state: 'ok' | 'broken' | 'retire' = auth ? 'retire' : 'ok';
		if (auth) {
			try {
				await signInChrome(
					lease.port,
					auth,
					request.url,
					AbortSignal.any([signal, lease.crashSignal]),
					request.timeoutMs,
				);
			} catch (err) {
				lease.release('retire');
				throw err;
			}
		}
		try {
			const outcome = await lease.worker.run(
				{
					url: request.url,
					port: lease.port,
					formFactor: request.formFactor,
					categories: request.categories,
					throttling: request.throttling,
					maxWaitForLoadMs: loadCap(request.timeoutMs),
					...(auth && Object.keys(auth.headers).length > 0 ? { extraHeaders: auth.headers } : {}),
					traceSlot: this.settings.traceSlot && request.categories.includes('performance'),
					...(slotUntilTraceEnd ? { slotUntilTraceEnd } : {}),
					chromePid: lease.pid,
					...(request.capture ? { capture: request.capture } : {}),
				},
				AbortSignal.any([signal, lease.crashSignal]),
				this.slotFor(request.url),
				this.benchmark,
				request.onCapture,
			);
			if (outcome.trace) this.traceEvents.emit('window', request.url, outcome.trace);
			return outcome;
		} catch (err) {
			// A run that was aborted or failed may leave the Chrome mid-trace: replace it.
			state = 'broken';
			// The run may see its Chrome's connection close (the worker failing on "Target closed") before the process's
			// exit aborts crashSignal: a killed process closes its sockets before it is a zombie. Wait for that exit a
			// moment when the error is a lost connection, so a crash is said as one.
			if (
				!signal.aborted &&
				!lease.crashSignal.aborted &&
				!lease.chromeExited() &&
				/Target closed|Connection closed|socket hang up|ECONNRESET|WebSocket/i.test(String((err as Error)?.message))
			) {
				await new Promise<void>((resolve) => {
					const timer = setTimeout(done, 2_000);
					function done(): void {
						clearTimeout(timer);
						lease.crashSignal.removeEventListener('abort', done);
						resolve();
					}
					lease.crashSignal.addEventListener('abort', done, { once: true });
				});
			}
			if (!signal.aborted && (lease.crashSignal.aborted || lease.chromeExited())) {
				throw new AuditError(
					'CHROME_CRASHED',
					'Chrome crashed during the audit; it has been replaced. Run the audit again.',
				);
			}
			throw err;
		} finally {
			lease.release(state);
		}
	}

	/** The fallback: plain `lighthouse` CLI, cold, one subprocess (and Chrome) per run. */
	private async runCli(request: LighthouseRequest, signal: AbortSignal): Promise<LhrLike> {
		if (request.auth) {
			throw new AuditError(
				'LIGHTHOUSE_ERROR',
				'Signed-in audits (headers, cookies, a login script) need the warm pool: the Lighthouse CLI fallback (--no-pool, usePool off) cannot sign in.',
			);
		}
		const chromePath = await findChrome(this.settings.chromePath);
		const sandbox = await chromeSandbox(chromePath, this.log);
		if (signal.aborted) throw abortError(signal);
		const cli = path.join(path.dirname(require.resolve('lighthouse/package.json')), 'cli', 'index.js');
		// In the engine's folder, like every Chrome profile; so are the CLI's and its Chrome's temp files (env below).
		const userDataDir = newProfileDir(`cli${++this.cliSeq}`);
		const args = [
			cli,
			request.url,
			'--output=json',
			'--output-path=stdout',
			'--quiet',
			'--disable-full-page-screenshot',
			`--only-categories=${request.categories.join(',')}`,
			`--throttling-method=${request.throttling}`,
			`--max-wait-for-load=${loadCap(request.timeoutMs)}`,
			`--chrome-flags=${[...chromeFlags(sandbox, CHROME_FLAGS), `--user-data-dir=${userDataDir}`].join(' ')}`,
		];
		if (request.formFactor === 'desktop') args.push('--preset=desktop');
		return new Promise<LhrLike>((resolve, reject) => {
			const child = spawn(process.execPath, args, {
				env: chromeTempEnv({ ...process.env, CHROME_PATH: chromePath, ELECTRON_RUN_AS_NODE: '1' }),
				stdio: ['ignore', 'pipe', 'pipe'],
				detached: process.platform !== 'win32',
			});
			const out: Buffer[] = [];
			let err = '';
			child.stdout.on('data', (c: Buffer) => out.push(c));
			child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
			const killAll = () => {
				killTree(child.pid);
				// The CLI's Chrome is detached into its own group: find it by its profile folder.
				const pk = spawn('pkill', ['-9', '-f', userDataDir], { stdio: 'ignore' });
				pk.on('error', () => undefined);
			};
			const onAbort = () => killAll();
			signal.addEventListener('abort', onAbort, { once: true });
			child.on('error', (e) =>
				reject(new AuditError('LIGHTHOUSE_ERROR', `Could not start the Lighthouse CLI: ${e.message}`)),
			);
			child.on('close', (code) => {
				signal.removeEventListener('abort', onAbort);
				killAll();
				removeProfileDir(userDataDir);
				if (signal.aborted) return reject(abortError(signal));
				if (code !== 0)
					return reject(
						new AuditError(
							'LIGHTHOUSE_ERROR',
							`The Lighthouse CLI failed (exit ${code}): ${err.trim().split('\n').slice(-3).join(' ')}`,
						),
					);
				try {
					resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as LhrLike);
				} catch (e) {
					reject(
						new AuditError('LIGHTHOUSE_ERROR', `The Lighthouse CLI printed no valid JSON: ${(e as Error).message}`),
					);
				}
			});
			this.log.debug(`lighthouse CLI pid ${child.pid} for ${request.url} (${request.formFactor})`);
		});
	}
}
