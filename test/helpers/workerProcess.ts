import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { chromeBrowsersOf, chromiumOf, ROOT } from './engineProcess';

/** `bin/auditlens.js`, the CLI the workers and submitters of the queue tests run as. */
export const AUDITLENS_BIN = path.join(ROOT, 'bin', 'auditlens.js');

/** A `node bin/auditlens.js …` child of the test: its output as it comes, its exit, signals. */
export interface CliProcess {
	readonly child: ChildProcess;
	readonly pid: number;
	stdout(): string;
	stderr(): string;
	/** Resolves when the process has exited (code, or the signal that ended it). */
	readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
	/**
	 * Resolves with the first match of `pattern` in stderr (or stdout, with `{ stream: 'stdout' }`) from the start
	 * of the process, as soon as it is written; rejects when the process exits first or after `timeoutMs`.
	 */
	waitFor(pattern: RegExp, opts?: { stream?: 'stdout' | 'stderr'; timeoutMs?: number }): Promise<RegExpMatchArray>;
	/** Send a signal (SIGKILL by default). A process already gone is fine. */
	kill(signal?: NodeJS.Signals): void;
	/** Its live Chromium processes (the engine marker carries the CLI's pid: see src/engine/chrome/watchdog.ts). */
	chromium(): number[];
	/** Its live Chrome browser processes (not renderers or helpers). */
	chromeBrowsers(): number[];
}

export interface CliOptions {
	env?: NodeJS.ProcessEnv;
	/** Echo the process's stderr to the test's (as AUDITLENS_TEST_LOG does for engines). */
	echo?: boolean;
	/** A prefix for echoed lines, e.g. `worker 1`. */
	name?: string;
}

/** Children started here, SIGKILLed if the test process exits without ending them. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Start `node bin/auditlens.js ARGS` on this Node (>= 22.19, as the tests run on). */
export function spawnCli(args: readonly string[], opts: CliOptions = {}): CliProcess {
	const child = spawn(process.execPath, [AUDITLENS_BIN, ...args], {
		env: { ...process.env, ...opts.env },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	running.add(child);
	if (!exitHookInstalled) {
		exitHookInstalled = true;
		process.once('exit', () => {
			for (const c of running) c.kill('SIGKILL');
		});
	}
	const out = { stdout: '', stderr: '' };
	const listeners = new Set<() => void>();
	const echo = opts.echo ?? Boolean(process.env.AUDITLENS_TEST_LOG);
	for (const stream of ['stdout', 'stderr'] as const) {
		child[stream]!.on('data', (c: Buffer) => {
			out[stream] += c.toString();
			if (echo && stream === 'stderr')
				process.stderr.write(c.toString().replace(/^(?=.)/gm, `[${opts.name ?? `auditlens ${child.pid}`}] `));
			for (const l of listeners) l();
		});
	}
	const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
		child.once('exit', (code, signal) => {
			running.delete(child);
			resolve({ code, signal });
			for (const l of listeners) l();
		}),
	);
	const gone = () => child.exitCode !== null || child.signalCode !== null;
	return {
		child,
		pid: child.pid!,
		stdout: () => out.stdout,
		stderr: () => out.stderr,
		exited,
		waitFor(pattern, { stream = 'stderr', timeoutMs = 60_000 } = {}) {
			return new Promise((resolve, reject) => {
				const check = () => {
					const m = out[stream].match(pattern);
					if (m) done(() => resolve(m));
					else if (gone())
						done(() =>
							reject(
								new Error(
									`auditlens ${args[0]} exited (${child.signalCode ?? child.exitCode}) before printing ${pattern}; stderr:\n${tail(out.stderr)}`,
								),
							),
						);
				};
				const timer = setTimeout(
					() =>
						done(() =>
							reject(
								new Error(
									`auditlens ${args[0]} printed no ${pattern} within ${timeoutMs} ms; stderr:\n${tail(out.stderr)}`,
								),
							),
						),
					timeoutMs,
				);
				const done = (settle: () => void) => {
					clearTimeout(timer);
					listeners.delete(check);
					settle();
				};
				listeners.add(check);
				check();
			});
		},
		kill(signal = 'SIGKILL') {
			if (!gone()) child.kill(signal);
		},
		chromium: () => chromiumOf(child.pid!),
		chromeBrowsers: () => chromeBrowsersOf(child.pid!),
	};
}

/** The last lines of a log, for a message. */
function tail(text: string, lines = 20): string {
	return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export interface WorkerOptions extends CliOptions {
	/** More worker arguments, e.g. `['--concurrency', '2', '--queue', 'q1']`. */
	args?: string[];
}

/** What a worker prints on stderr once it takes jobs (src/cli/commands/worker.ts). */
export const WORKER_READY = /taking audit jobs from queue/;

/** `auditlens worker --redis URL …` as a child process of the test (`waitFor(WORKER_READY)` for it to take jobs). */
export function startWorker(redisUrl: string, opts: WorkerOptions = {}): CliProcess {
	return spawnCli(['worker', '--redis', redisUrl, ...(opts.args ?? [])], opts);
}

/**
 * `startWorker`, resolving once the worker takes jobs; one that fails to start is killed, with its stderr in the error.
 */
export async function startReadyWorker(redisUrl: string, opts: WorkerOptions = {}): Promise<CliProcess> {
	const worker = startWorker(redisUrl, opts);
	try {
		await worker.waitFor(WORKER_READY, { timeoutMs: 120_000 });
	} catch (err) {
		worker.kill();
		throw err;
	}
	return worker;
}

/** `n` workers started at once, each ready. */
export function startWorkers(redisUrl: string, n: number, opts: WorkerOptions = {}): Promise<CliProcess[]> {
	return Promise.all(
		Array.from({ length: n }, (_, i) => startReadyWorker(redisUrl, { name: `worker ${i + 1}`, ...opts })),
	);
}

/**
 * Stop a worker as its operator would (SIGTERM: running jobs finish, then it closes its Chromes) and wait for it;
 * SIGKILL after `timeoutMs`. Resolves with how it ended.
 */
export async function stopWorker(
	worker: CliProcess,
	timeoutMs = 60_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
	worker.kill('SIGTERM');
	const timer = setTimeout(() => worker.kill('SIGKILL'), timeoutMs);
	try {
		return await worker.exited;
	} finally {
		clearTimeout(timer);
	}
}
