import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log';
import { chromeTempEnv, newProfileDir, removeProfileDir } from './tempDir';

/** What decides whether Chrome's sandbox can start on this machine (read by `readSandboxFacts`). */
export interface SandboxFacts {
	platform: NodeJS.Platform;
	/** Effective uid; undefined on Windows. */
	uid: number | undefined;
	/** Contents of /proc/sys/kernel/unprivileged_userns_clone (Debian's switch), when the file exists. */
	unprivilegedUsernsClone?: string;
	/** Contents of /proc/sys/user/max_user_namespaces, when the file exists. */
	maxUserNamespaces?: string;
	/** Contents of /proc/sys/kernel/apparmor_restrict_unprivileged_userns (Ubuntu 23.10+), when the file exists. */
	apparmorRestrictsUserns?: string;
	/** A setuid-root `chrome-sandbox` helper beside the binary (Chrome's fallback when user namespaces are off). */
	suidHelper: boolean;
}

/** `on`/`off` are final; `probe` means only a test launch can tell (Linux, where containers may forbid namespaces). */
export type SandboxVerdict = { sandbox: 'on' } | { sandbox: 'off'; reason: string } | { sandbox: 'probe' };

/** The part of the decision that needs no launch: a pure function of the machine's facts. */
export function sandboxVerdict(facts: SandboxFacts): SandboxVerdict {
	if (facts.platform === 'win32') return { sandbox: 'on' };
	// Chrome exits at once when started as root with its sandbox on ("Running as root without --no-sandbox is not
	// supported").
	if (facts.uid === 0)
		return { sandbox: 'off', reason: 'the engine runs as root, and Chrome refuses to start its sandbox as root' };
	if (facts.platform !== 'linux') return { sandbox: 'on' };
	const usernsOff =
		facts.unprivilegedUsernsClone?.trim() === '0'
			? 'kernel.unprivileged_userns_clone is 0'
			: facts.maxUserNamespaces?.trim() === '0'
				? 'user.max_user_namespaces is 0'
				: facts.apparmorRestrictsUserns?.trim() === '1'
					? 'kernel.apparmor_restrict_unprivileged_userns is 1'
					: undefined;
	if (usernsOff && !facts.suidHelper)
		return {
			sandbox: 'off',
			reason: `unprivileged user namespaces are off (${usernsOff}) and Chrome has no setuid sandbox helper`,
		};
	return { sandbox: 'probe' };
}

function readSysctl(file: string): string | undefined {
	try {
		return fs.readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}
}

/** The facts of this machine for the Chrome at `chromePath`. */
export function readSandboxFacts(chromePath: string): SandboxFacts {
	let suidHelper = false;
	try {
		// Debian's /usr/bin/chromium is a wrapper script: look beside the real binary too.
		for (const dir of new Set([
			path.dirname(chromePath),
			path.dirname(fs.realpathSync(chromePath)),
			'/usr/lib/chromium',
		])) {
			const st = fs.statSync(path.join(dir, 'chrome-sandbox'), { throwIfNoEntry: false });
			if (st && st.uid === 0 && (st.mode & 0o4000) !== 0) suidHelper = true;
		}
	} catch {
		// no helper
	}
	return {
		platform: process.platform,
		uid: process.getuid?.(),
		unprivilegedUsernsClone: readSysctl('/proc/sys/kernel/unprivileged_userns_clone'),
		maxUserNamespaces: readSysctl('/proc/sys/user/max_user_namespaces'),
		apparmorRestrictsUserns: readSysctl('/proc/sys/kernel/apparmor_restrict_unprivileged_userns'),
		suidHelper,
	};
}

/**
 * Start Chrome once with its sandbox on and load a blank page: whether that works is the only sure answer
 * in containers, whose seccomp rules may forbid namespaces whatever the sysctls say. Resolves with the
 * reason it failed, or undefined when it worked.
 */
export function probeSandbox(chromePath: string, timeoutMs = 20_000): Promise<string | undefined> {
	const profile = newProfileDir('sandbox-probe');
	return new Promise<string | undefined>((resolve) => {
		const child = spawn(
			chromePath,
			['--headless=new', '--disable-gpu', '--no-first-run', `--user-data-dir=${profile}`, '--dump-dom', 'about:blank'],
			{
				env: chromeTempEnv(),
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		let out = '';
		let err = '';
		child.stdout.on('data', (c: Buffer) => (out += c.toString()));
		child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		const done = (reason: string | undefined) => {
			clearTimeout(timer);
			removeProfileDir(profile);
			resolve(reason);
		};
		child.on('error', (e) => done(`a test launch failed: ${e.message}`));
		child.on('close', (code, signal) => {
			if (code === 0 && out.includes('<html')) return done(undefined);
			const line = err.split('\n').find((l) => /sandbox|namespace|root/i.test(l)) ?? err.trim().split('\n').pop() ?? '';
			done(
				`a test launch with the sandbox ${signal === 'SIGKILL' ? `did not finish within ${timeoutMs / 1000} s` : `failed (exit ${code}${line ? `: ${line.trim().slice(0, 200)}` : ''})`}`,
			);
		});
	});
}

/** Sandbox decisions of this engine process, one per Chrome binary. */
const decisions = new Map<string, Promise<boolean>>();

/**
 * Whether Chrome at `chromePath` runs with its sandbox: decided once per engine (facts, then a test launch
 * where only that can tell). When it must be off, that is logged once, with the reason.
 */
export function chromeSandbox(chromePath: string, log: Logger): Promise<boolean> {
	let decision = decisions.get(chromePath);
	if (!decision) {
		decision = decide(chromePath, log);
		decisions.set(chromePath, decision);
	}
	return decision;
}

async function decide(chromePath: string, log: Logger): Promise<boolean> {
	const verdict = sandboxVerdict(readSandboxFacts(chromePath));
	const reason =
		verdict.sandbox === 'off'
			? verdict.reason
			: verdict.sandbox === 'probe'
				? await probeSandbox(chromePath)
				: undefined;
	if (reason) log.info(`Chrome sandbox off: ${reason}; Chrome runs with --no-sandbox.`);
	else log.debug(`Chrome sandbox on (${chromePath})`);
	return !reason;
}

/** Chrome's flags with or without the sandbox. */
export function chromeFlags(sandbox: boolean, flags: readonly string[]): string[] {
	return sandbox ? [...flags] : [...flags, '--no-sandbox'];
}
