/**
 * Running a real VS Code on this machine: code-server from npm (installed and cached by
 * scripts/codeServer.mjs), driven by Playwright with Debian's chromium. Shared by the in-VS-Code
 * mocha launcher (runTests.ts) and the e2e test (test/e2e).
 * See ../shared/notes/real-vscode-on-this-machine.md.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { format } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The repository root (where package.json is), from src or out/. */
export const REPO = (() => {
	for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'esbuild.js'))) return dir;
	}
	throw new Error('repository root not found');
})();

export const CHROMIUM = process.env.CHROME_PATH || '/usr/bin/chromium';

export interface CodeServerPaths {
	node: string;
	codeServer: string;
	serverMain: string;
}

/** Install code-server if needed (slow once, instant when cached) and return its paths. */
export function codeServerPaths(): CodeServerPaths {
	const out = execFileSync(process.execPath, [path.join(REPO, 'scripts', 'codeServer.mjs')], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	return JSON.parse(out.trim().split('\n').pop() ?? '{}') as CodeServerPaths;
}

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address() as net.AddressInfo;
			srv.close(() => resolve(port));
		});
	});
}

export interface Proc {
	child: ChildProcess;
	/** Kill the whole process group (servers leave file-watcher children otherwise). */
	stop(): Promise<void>;
}

/** Start a process in its own process group, its output prefixed and passed through when `verbose`. */
export function startProcess(
	command: string,
	args: string[],
	opts: { env?: NodeJS.ProcessEnv; cwd?: string; name: string; verbose?: boolean },
): Proc {
	const child = spawn(command, args, {
		cwd: opts.cwd,
		env: opts.env ?? process.env,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const lines: string[] = [];
	for (const stream of [child.stdout, child.stderr]) {
		stream?.setEncoding('utf8');
		stream?.on('data', (chunk: string) => {
			for (const line of chunk.split('\n')) {
				if (!line.trim()) continue;
				lines.push(line);
				if (opts.verbose) console.log(`[${opts.name}] ${line}`);
			}
		});
	}
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	return {
		child,
		stop: async () => {
			if (child.exitCode !== null || child.signalCode !== null) return;
			for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
				try {
					process.kill(-(child.pid as number), sig);
				} catch {
					return;
				}
				const done = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
				if (done) return;
			}
		},
	};
}

export function sleep(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms));
}

/** Resolve once `url` answers HTTP (any status), or throw after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const ok = await new Promise<boolean>((resolve) => {
			const req = http.get(url, (res) => {
				res.resume();
				resolve(true);
			});
			req.on('error', () => resolve(false));
			req.setTimeout(2000, () => req.destroy());
		});
		if (ok) return;
		await sleep(250);
	}
	throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

export function launchChromium(): Promise<Browser> {
	return chromium.launch({
		executablePath: CHROMIUM,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-background-networking',
			'--disable-component-update',
			'--no-first-run',
			'--disable-dev-shm-usage',
		],
	});
}

/** User settings that keep the workbench quiet: no welcome page taking the focus, no AI chat. */
export const QUIET_SETTINGS = {
	'workbench.startupEditor': 'none',
	'chat.disableAIFeatures': true,
	'workbench.tips.enabled': false,
	'extensions.autoCheckUpdates': false,
	'extensions.autoUpdate': false,
	'telemetry.telemetryLevel': 'off',
	'security.workspace.trust.enabled': false,
	'workbench.colorTheme': 'Default Dark Modern',
};

/** Copy the dev-server fixture into `dir` (the tests save files in it) with workspace settings. */
export function makeWorkspace(dir: string, settings: Record<string, unknown>): string {
	fs.cpSync(path.join(REPO, 'test', 'fixtures', 'devserver'), dir, { recursive: true });
	fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
	fs.writeFileSync(
		path.join(dir, '.vscode', 'settings.json'),
		JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, '\t'),
	);
	return dir;
}

/** Workbench messages that say nothing about the suite (no network here, no chat, no service worker). */
const WORKBENCH_NOISE =
	/ENOTFOUND|ChatModelSelection|Service ?Worker|AccountPolicyGate|AgentHost|Creating a socket|No default agent|authentication provider|connection token|grace time|builtin extensions cache|DialogService/;

export interface RunInVsCodeOptions {
	/** The extension under development (its dist/ is loaded). */
	extensionPath: string;
	/** The module the extension host runs (`run(): Promise<void>`), like VS Code's extensionTestsPath. */
	testsPath: string;
	/** The folder VS Code opens. */
	workspace: string;
	/** A scratch folder for the server's data and extensions (the caller removes it). */
	tmp: string;
	timeoutMs: number;
	/** Each line the extension host logs, with the workbench page (e.g. to take a screenshot when the tests say so). */
	onHostLine?(line: string, page: Page): void;
}

/**
 * Run `testsPath` inside the extension host of a real VS Code: the VS Code server bundled in code-server with
 * --enable-smoke-test-driver, whose web workbench takes an extension-development payload; Debian's chromium
 * opens it and receives the exit code (-1 when it did not finish in time). The host's log is printed.
 */
export async function runInVsCode(opts: RunInVsCodeOptions): Promise<number> {
	const paths = codeServerPaths();
	const port = await freePort();
	const origin = `http://127.0.0.1:${port}`;
	const server = startProcess(
		paths.node,
		[
			paths.serverMain,
			'--host',
			'127.0.0.1',
			'--port',
			String(port),
			'--without-connection-token',
			'--accept-server-license-terms',
			'--enable-smoke-test-driver',
			'--disable-telemetry',
			'--disable-workspace-trust',
			'--server-data-dir',
			path.join(opts.tmp, 'server'),
			'--extensions-dir',
			path.join(opts.tmp, 'extensions'),
		],
		{
			name: 'vscode-server',
			env: { ...process.env, CHROME_PATH: CHROMIUM, AUDITLENS_TEST_ARTIFACTS: path.join(REPO, 'test-artifacts') },
			verbose: process.env.AUDITLENS_VERBOSE === '1',
		},
	);
	const browser = await launchChromium();
	try {
		await waitForHttp(`${origin}/`);
		const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${p}`;
		const payload = JSON.stringify([
			['extensionDevelopmentPath', remote(opts.extensionPath)],
			['extensionTestsPath', remote(opts.testsPath)],
		]);
		const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
		const exitCode = new Promise<number>((resolve) => {
			void page.exposeFunction('codeAutomationExit', (code: number) => {
				resolve(code);
			});
		});
		// The extension host's console (mocha's reporter) arrives as browser console messages.
		page.on('console', (msg) => {
			void (async () => {
				// The host logs as console.log('%c LEVEL', 'color: …', format, ...args).
				const args = await Promise.all(msg.args().map((a) => a.jsonValue().catch(() => String(a))));
				const host = typeof args[0] === 'string' && args[0].startsWith('%c');
				if (!host) return;
				const text = format(...(args.slice(2) as [unknown, ...unknown[]]));
				if (process.env.AUDITLENS_VERBOSE === '1' || !WORKBENCH_NOISE.test(text)) console.log(text);
				else if (process.env.AUDITLENS_VERBOSE === '1') console.log(`[browser] ${msg.text()}`);
				opts.onHostLine?.(text, page);
			})();
		});
		await page.goto(`${origin}/?folder=${encodeURIComponent(opts.workspace)}&payload=${encodeURIComponent(payload)}`);
		const code = await Promise.race([exitCode, sleep(opts.timeoutMs).then(() => -1)]);
		if (code === -1) console.error(`the extension host's tests did not finish within ${opts.timeoutMs} ms`);
		return code;
	} finally {
		await browser.close().catch(() => undefined);
		await server.stop();
	}
}

/** Run a script's `main` and exit with the code it resolves with (1, with the error printed, when it throws). */
export function exitWith(main: () => Promise<number>): void {
	main().then(
		(code) => process.exit(code),
		(err: unknown) => {
			console.error(err);
			process.exit(1);
		},
	);
}
