import type { ChildProcess } from 'node:child_process';
import { AuditError } from '../errors';
import { removeEngineTempDirLast } from './tempDir';

/** A Chrome the engine started, with its DevTools port (on 127.0.0.1). */
export interface RunningChrome {
	pid: number;
	port: number;
	process: ChildProcess;
}

export interface LaunchChromeOptions {
	chromePath: string;
	/**
	 * The engine's flags (headless, sandbox decision, …); chrome-launcher's defaults, the profile and the port are added
	 * here.
	 */
	flags: readonly string[];
	userDataDir: string;
	env: NodeJS.ProcessEnv;
	/** Aborting it kills the Chrome and rejects at once, whether it is still starting or not. */
	signal: AbortSignal;
	/** How long Chrome may take to open its DevTools port. */
	timeoutMs?: number;
}

/**
 * Start a Chrome for Lighthouse. Chrome picks its own DevTools port (`--remote-debugging-port=0`, bound to
 * 127.0.0.1) and prints it on stderr, which `@puppeteer/browsers` waits for; no port is picked and then raced for.
 *
 * chrome-launcher's `launch` cannot be stopped while it waits: it polls the port up to its retry count and then
 * reads `chrome-err.log` from the profile, throwing ENOENT out of a promise nobody holds when the profile is gone,
 * which took the whole engine down when the pool closed during a warm-up. Here an abort kills the
 * process group and the wait ends with the process. chrome-launcher's default flags are kept, so Lighthouse's
 * Chrome is the one it would start itself.
 */
export async function launchChrome(opts: LaunchChromeOptions): Promise<RunningChrome> {
	const [{ launch, CDP_WEBSOCKET_ENDPOINT_REGEX }, { Launcher }] = await Promise.all([
		import('@puppeteer/browsers'),
		import('chrome-launcher'),
	]);
	if (opts.signal.aborted) throw shuttingDown();
	const args = [
		...Launcher.defaultFlags(),
		// chrome-launcher adds this on Linux: the setuid helper stays off, the namespace sandbox decides.
		...(process.platform === 'linux' ? ['--disable-setuid-sandbox'] : []),
		'--remote-debugging-port=0',
		`--user-data-dir=${opts.userDataDir}`,
		...opts.flags,
		'about:blank',
	];
	// Only the start listens to the caller's signal: @puppeteer/browsers keeps its abort listener for the process's
	// life, and a Chrome already running is the pool's to close (it counts one that dies on its own as a crash).
	const starting = new AbortController();
	const stop = () => starting.abort();
	opts.signal.addEventListener('abort', stop, { once: true });
	const chrome = launch({
		executablePath: opts.chromePath,
		args,
		env: opts.env,
		detached: process.platform !== 'win32',
		// The engine decides what a signal does (cancel, close the pool, then exit), and kills its Chromes itself.
		handleSIGINT: false,
		handleSIGTERM: false,
		handleSIGHUP: false,
		signal: starting.signal,
	});
	// The engine's temp folder is removed in 'exit' after the handlers that kill Chromes writing into it.
	removeEngineTempDirLast();
	try {
		const endpoint = await chrome.waitForLineOutput(CDP_WEBSOCKET_ENDPOINT_REGEX, opts.timeoutMs ?? 60_000);
		const port = Number(new URL(endpoint).port);
		const pid = chrome.nodeProcess.pid;
		if (!pid || !port) throw new Error(`Chrome printed an endpoint without a port: ${endpoint}`);
		opts.signal.removeEventListener('abort', stop);
		return { pid, port, process: chrome.nodeProcess };
	} catch (err) {
		chrome.kill();
		opts.signal.removeEventListener('abort', stop);
		if (opts.signal.aborted) throw shuttingDown();
		const message = err instanceof Error ? err.message.replace(/\n+TROUBLESHOOTING:.*$/s, '').trim() : String(err);
		throw new AuditError('CHROME_CRASHED', `Chrome (${opts.chromePath}) failed to start: ${message}`);
	}
}

function shuttingDown(): AuditError {
	return new AuditError('SHUTTING_DOWN', 'The engine is shutting down.');
}
