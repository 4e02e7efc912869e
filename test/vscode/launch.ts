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
import { chromium, type Browser } from 'playwright-core';

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
	const out = execFileSync(process.execPath, [path.join(REPO, 'scripts', 'codeServer.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
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
export function startProcess(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; name: string; verbose?: boolean }): Proc {
	const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
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
		args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
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
	fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, '\t'));
	return dir;
}
