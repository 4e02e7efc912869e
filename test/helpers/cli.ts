/** Running the real `auditlens` (bin/auditlens.js, which loads dist/cli.js) as a child process. */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './engineProcess';

/** How a CLI run ended, and what it printed. */
export interface CliRun {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

/**
 * Start `auditlens ...args` with no stdin and NO_COLOR set (its output is piped, so it would not colour anyway);
 * `env` adds to this process's environment. Answers the child, for signals, and its run.
 */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<CliRun> } {
	const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'auditlens.js'), ...args], {
		env: { ...process.env, NO_COLOR: '1', ...env },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
	child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
	const done = new Promise<CliRun>((resolve) =>
		child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
	);
	return { child, done };
}

/** Run `auditlens ...args` to its end. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
	return startCli(args, env).done;
}
