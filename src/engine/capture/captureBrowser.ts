import pLimit, { type LimitFunction } from 'p-limit';
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import type { AuditOptions, EngineSettings, EngineStats } from '../../protocol';
import { CHROME_FLAGS, findChrome } from '../chrome/findChrome';
import { lowerBrowserPriority } from '../chrome/priority';
import { chromeFlags, chromeSandbox } from '../chrome/sandbox';
import { chromeMarker, chromeTempEnv } from '../chrome/tempDir';
import { abortError, AuditError, throwIfAborted } from '../errors';
import type { Logger } from '../log';
import type { EngineService } from '../gather';

/** What a capture job gets: a fresh, isolated browser context that is closed when the job ends. */
export interface ContextLease {
	context: BrowserContext;
	/** The browser was already running when this lease started (no launch paid). */
	warm: boolean;
	/** Put the browser's processes (the new page's renderer too) at low CPU priority; call after opening a page. */
	yieldCpu(): void;
}

/**
 * One Playwright Chromium shared by every capture job through separate browser contexts, at most
 * `maxCaptureContexts` at once. The browser is launched on first use, relaunched after it crashes
 * or disconnects, and closed after `browserIdleTimeoutMs` without work and on `close()`.
 */
export class CaptureBrowser implements EngineService {
	private readonly limit: LimitFunction;
	private settings: Readonly<EngineSettings>;
	private browser: Browser | undefined;
	private launching: Promise<Browser> | undefined;
	/** The marker switch of the running browser, to find its processes. */
	private marker = '';
	private readonly contexts = new Set<BrowserContext>();
	/** Browsers we closed on purpose, so their 'disconnected' event is not counted as a crash. */
	private readonly retiring = new WeakSet<Browser>();
	private idleTimer: NodeJS.Timeout | undefined;
	private closed = false;
	private launches = 0;
	private disconnects = 0;

	constructor(
		settings: Readonly<EngineSettings>,
		private readonly log: Logger,
	) {
		this.settings = settings;
		this.limit = pLimit(settings.maxCaptureContexts);
	}

	configure(settings: Readonly<EngineSettings>): void {
		this.settings = settings;
		this.limit.concurrency = settings.maxCaptureContexts;
	}

	/** Capture contributes no EngineStats field of its own (Lighthouse owns `browsers`); see `info()`. */
	stats(): Partial<EngineStats> {
		return {};
	}

	/** Counters for tests and benchmarks. */
	info(): {
		running: boolean;
		launches: number;
		disconnects: number;
		openContexts: number;
		activeJobs: number;
		pendingJobs: number;
	} {
		return {
			running: this.browser?.isConnected() === true,
			launches: this.launches,
			disconnects: this.disconnects,
			openContexts: this.contexts.size,
			activeJobs: this.limit.activeCount,
			pendingJobs: this.limit.pendingCount,
		};
	}

	/**
	 * Run `job` in a new browser context, waiting for a free slot first. The context is closed when
	 * the job settles, and at once when `signal` aborts (which makes the job's pending page calls reject).
	 */
	withContext<T>(
		options: BrowserContextOptions,
		signal: AbortSignal,
		job: (lease: ContextLease) => Promise<T>,
	): Promise<T> {
		return this.limit(async () => {
			throwIfAborted(signal);
			if (this.closed) throw new AuditError('SHUTTING_DOWN', 'The engine is shutting down; the page was not captured.');
			this.clearIdleTimer();
			const warm = this.browser?.isConnected() === true;
			const context = await this.newContext(options, signal);
			const onAbort = () => void context.close().catch(() => undefined);
			signal.addEventListener('abort', onAbort, { once: true });
			try {
				throwIfAborted(signal);
				// On abort the slot is given back at once, whatever Playwright calls are still unwinding.
				return await untilAborted(
					job({ context, warm, yieldCpu: () => void lowerBrowserPriority(this.marker) }),
					signal,
				);
			} catch (err) {
				throwIfAborted(signal);
				throw err;
			} finally {
				signal.removeEventListener('abort', onAbort);
				if (!(await settlesWithin(context.close(), CONTEXT_CLOSE_MS)))
					this.retire(`a capture context did not close within ${CONTEXT_CLOSE_MS / 1000} s`);
				this.contexts.delete(context);
				this.armIdleTimer();
			}
		});
	}

	async close(): Promise<void> {
		this.closed = true;
		this.clearIdleTimer();
		this.limit.clearQueue();
		await Promise.all([...this.contexts].map((c) => c.close().catch(() => undefined)));
		this.contexts.clear();
		const browser = this.browser ?? (await this.launching?.catch(() => undefined));
		this.browser = undefined;
		if (browser) this.retiring.add(browser);
		await browser?.close().catch(() => undefined);
	}

	/** A new context; if the browser died between jobs or during the call, relaunch once and retry. */
	private async newContext(options: BrowserContextOptions, signal: AbortSignal): Promise<BrowserContext> {
		for (let attempt = 0; ; attempt++) {
			const browser = await this.ensureBrowser();
			throwIfAborted(signal);
			try {
				const context = await browser.newContext(options);
				this.contexts.add(context);
				context.on('close', () => this.contexts.delete(context));
				return context;
			} catch (err) {
				if (attempt > 0 || browser.isConnected()) throw err;
				this.log.warn('Capture browser was gone when a context was requested; relaunching.');
			}
		}
	}

	/**
	 * Launch the browser now, in the background, when captures are about to come. Not when Lighthouse runs in the
	 * pool: its runs take the captures in their own pages, and this browser is launched only if one cannot.
	 */
	warm(_count: number, options?: AuditOptions): void {
		if (this.closed || options?.stages.capture === false) return;
		if (options?.stages.lighthouse !== false && this.settings.usePool) return;
		this.ensureBrowser().then(
			() => this.armIdleTimer(),
			(err: unknown) =>
				this.log.debug(`warming the capture browser: ${err instanceof Error ? err.message : String(err)}`),
		);
	}

	private ensureBrowser(): Promise<Browser> {
		if (this.browser?.isConnected()) return Promise.resolve(this.browser);
		this.launching ??= this.launch().finally(() => (this.launching = undefined));
		return this.launching;
	}

	private async launch(): Promise<Browser> {
		const executablePath = await findChrome(this.settings.chromePath);
		const sandbox = await chromeSandbox(executablePath, this.log);
		const started = Date.now();
		let browser: Browser;
		try {
			// The marker switch lets the orphan watchdog find this browser if the engine is SIGKILLed.
			// Loaded on first launch: playwright-core takes most of a second to load, which engine start-up must not pay.
			const { chromium } = require('playwright-core') as typeof import('playwright-core');
			const marker = `--auditlens-marker=${chromeMarker()}capture-${this.launches + 1}`;
			browser = await chromium.launch({
				executablePath,
				headless: true,
				// Playwright adds --no-sandbox itself unless told the sandbox is wanted.
				chromiumSandbox: sandbox,
				args: [...chromeFlags(sandbox, CHROME_FLAGS), marker],
				// Chrome's own temp files into the engine's folder. Playwright takes no option for its profile and artifacts
				// folders: it makes them in os.tmpdir(), which in the engine process is the engine's folder
				// (adoptEngineTempDir).
				env: chromeTempEnv(),
				timeout: 30_000,
			});
			this.marker = marker;
			const reniced = lowerBrowserPriority(marker);
			this.log.debug(`capture browser: ${reniced} processes at lower CPU priority`);
		} catch (err) {
			const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
			throw new AuditError(
				'CHROME_CRASHED',
				`The capture browser (${executablePath}) failed to start: ${detail}. Check that Chromium runs on this machine, or set the Chrome path setting.`,
			);
		}
		this.launches++;
		this.log.debug(`Capture browser launched in ${Date.now() - started} ms (launch #${this.launches}).`);
		browser.on('disconnected', () => {
			if (this.browser === browser) this.browser = undefined;
			if (!this.closed && !this.retiring.has(browser)) {
				this.disconnects++;
				this.log.warn(
					'Capture browser disconnected (crashed or was killed); it will be relaunched for the next capture.',
				);
			}
		});
		if (this.closed) {
			this.retiring.add(browser);
			await browser.close().catch(() => undefined);
			throw new AuditError('SHUTTING_DOWN', 'The engine is shutting down; the page was not captured.');
		}
		this.browser = browser;
		return browser;
	}

	private armIdleTimer(): void {
		if (this.closed || this.limit.activeCount > 1 || this.limit.pendingCount > 0) return;
		this.clearIdleTimer();
		this.idleTimer = setTimeout(() => {
			if (this.contexts.size > 0 || this.limit.activeCount > 0) return;
			const browser = this.browser;
			this.browser = undefined;
			if (browser) this.retiring.add(browser);
			this.log.debug('Capture browser idle; closing it.');
			void browser?.close().catch(() => undefined);
		}, this.settings.browserIdleTimeoutMs);
		this.idleTimer.unref();
	}

	/** Give up on a browser that stopped answering: close it in the background; the next job launches a new one. */
	private retire(why: string): void {
		const browser = this.browser;
		if (!browser) return;
		this.log.warn(`Capture browser: ${why}; relaunching it for the next capture.`);
		this.browser = undefined;
		this.retiring.add(browser);
		void browser.close().catch(() => undefined);
	}

	private clearIdleTimer(): void {
		if (this.idleTimer) clearTimeout(this.idleTimer);
		this.idleTimer = undefined;
	}
}

const CONTEXT_CLOSE_MS = 5_000;

/** `work`, or the signal's abort reason as soon as it aborts (the work's own outcome is then ignored). */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
	if (signal.aborted) {
		work.catch(() => undefined);
		return Promise.reject(abortError(signal, 'The capture was cancelled.'));
	}
	return new Promise<T>((resolve, reject) => {
		const onAbort = () => {
			work.catch(() => undefined);
			reject(abortError(signal, 'The capture was cancelled.'));
		};
		signal.addEventListener('abort', onAbort, { once: true });
		work.then(
			(value) => {
				signal.removeEventListener('abort', onAbort);
				resolve(value);
			},
			(err: unknown) => {
				signal.removeEventListener('abort', onAbort);
				reject(err);
			},
		);
	});
}

/** Whether `work` settles (either way) within `ms`. */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
	try {
		return await Promise.race([
			work.then(
				() => true,
				() => true,
			),
			timeout,
		]);
	} finally {
		clearTimeout(timer);
	}
}
