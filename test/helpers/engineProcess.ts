import assert from 'node:assert/strict';
import { type ChildProcess, fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import {
	createMessageConnection,
	IPCMessageReader,
	IPCMessageWriter,
	type MessageConnection,
	StreamMessageReader,
	StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import {
	type AuditResult,
	type ErrorInfo,
	type LighthouseRun,
	type ProgressParams,
	progressNotification,
	type StageResultParams,
	stageResultNotification,
} from '../../src/protocol';
import { until } from './async';

export const ROOT = (() => {
	for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'src'))) return dir;
	}
	throw new Error('project root not found');
})();
export const ENGINE_JS = path.join(ROOT, 'dist', 'engine.js');

export interface EngineProcess {
	child: ChildProcess;
	connection: MessageConnection;
	/** Everything the engine wrote to stderr so far. */
	stderr(): string;
	/** Raw bytes that arrived on stdout that were not protocol (should stay empty). */
	progress: ProgressParams[];
	stageResults: StageResultParams[];
	dir: string;
	exited: Promise<number | null>;
	/** Close the connection and wait for the process to exit. */
	stop(): Promise<void>;
}

export interface StartOptions {
	transport?: 'stdio' | 'ipc';
	/** History DB path; a fresh temp file by default; null for none (--no-db). */
	db?: string | null;
	env?: NodeJS.ProcessEnv;
	args?: string[];
	/** Node's own flags for the engine process (before the script), e.g. `--inspect=127.0.0.1:0`. */
	nodeArgs?: string[];
}

/** Start dist/engine.js as a real child process and connect to it over JSON-RPC. */
export async function startEngine(opts: StartOptions = {}): Promise<EngineProcess> {
	if (!fs.existsSync(ENGINE_JS)) throw new Error(`${ENGINE_JS} is missing: run "npm run build" first`);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-test-'));
	const dbArgs = opts.db === null ? ['--no-db'] : ['--db', opts.db ?? path.join(dir, 'history.sqlite')];
	const args = [...dbArgs, '--artifacts', path.join(dir, 'artifacts'), ...(opts.args ?? [])];
	const env = { ...process.env, ...opts.env };
	let child: ChildProcess;
	let connection: MessageConnection;
	if (opts.transport === 'ipc') {
		child = fork(ENGINE_JS, ['--node-ipc', ...args], {
			env,
			execArgv: opts.nodeArgs ?? process.execArgv,
			stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
		});
		connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
	} else {
		child = spawn(process.execPath, [...(opts.nodeArgs ?? []), ENGINE_JS, '--stdio', ...args], {
			env,
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
	}
	let stderr = '';
	child.stderr!.on('data', (c: Buffer) => {
		stderr += c.toString();
		if (process.env.AUDITLENS_TEST_LOG) process.stderr.write(c);
	});
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
	const progress: ProgressParams[] = [];
	const stageResults: StageResultParams[] = [];
	connection.onNotification(progressNotification, (p) => {
		progress.push(p);
	});
	connection.onNotification(stageResultNotification, (p) => {
		stageResults.push(p);
	});
	connection.onError(() => undefined);
	connection.listen();
	return {
		child,
		connection,
		stderr: () => stderr,
		progress,
		stageResults,
		dir,
		exited,
		async stop() {
			if (child.exitCode === null && child.signalCode === null) {
				connection.dispose();
				child.stdin?.end();
				if (opts.transport === 'ipc') child.disconnect?.();
				const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
				await exited;
				clearTimeout(timer);
			}
			connection.dispose();
		},
	};
}

/** Pids of live Chromium processes whose command line carries this engine pid's marker. */
export function chromiumOf(enginePid: number): number[] {
	return chromiumProcessesOf(enginePid).map((p) => p.pid);
}

/** The engine's Chromium processes, each with the command line read when it was found. */
function chromiumProcessesOf(enginePid: number): { pid: number; cmd: string }[] {
	const marker = `auditlens-engine-${enginePid}-`;
	const out: { pid: number; cmd: string }[] = [];
	for (const e of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(e)) continue;
		try {
			const cmd = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8');
			if (cmd.includes(marker) && !cmd.startsWith('/bin/sh')) out.push({ pid: Number(e), cmd });
		} catch {
			// gone
		}
	}
	return out;
}

/** Poll until `fn` returns true or the timeout passes. */
export async function waitFor(fn: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
	await until(what, fn, { timeoutMs, intervalMs: 100 });
}

/** A process's command line, or '' once it is gone. */
export function cmdline(pid: number): string {
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
	} catch {
		return '';
	}
}

/** True while the process exists (a zombie counts as gone). */
export function isAlive(pid: number): boolean {
	try {
		return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
	} catch {
		return false;
	}
}

/** The engine's Chrome browser processes: its Chromium processes that are not a renderer, GPU or utility child. */
export function chromeBrowsersOf(enginePid: number): number[] {
	// Told apart by the command line read when the process was found: a renderer that exits meanwhile has none left
	// to read, and would look like a browser (CI counted one).
	return chromiumProcessesOf(enginePid)
		.filter((p) => !p.cmd.includes('--type='))
		.map((p) => p.pid);
}

/** The error a request failed with; fails the test when the request succeeded. */
export async function auditError(p: Promise<unknown>): Promise<{ rpcCode: number; info: ErrorInfo; message: string }> {
	try {
		await p;
	} catch (err) {
		assert.ok(err instanceof ResponseError, `expected a ResponseError, got ${String(err)}`);
		return { rpcCode: err.code, info: err.data as ErrorInfo, message: err.message };
	}
	assert.fail('expected the request to fail');
}

/** The Lighthouse summary of one form factor; fails the test unless that stage succeeded. */
export function lighthouseScores(result: AuditResult, ff: 'mobile' | 'desktop'): LighthouseRun {
	const stage = result.stages[ff === 'mobile' ? 'lighthouse-mobile' : 'lighthouse-desktop'];
	assert.equal(stage?.status, 'ok', `lighthouse-${ff}: ${JSON.stringify(stage)}`);
	return stage.status === 'ok' ? stage.data : assert.fail();
}
