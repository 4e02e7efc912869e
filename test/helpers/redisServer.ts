import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Debian's redis-server (`apt-get install redis-server`; scripts/setup.sh installs it), else the one on PATH
 * (Homebrew's); REDIS_SERVER overrides both.
 */
export const REDIS_SERVER =
	process.env.REDIS_SERVER ?? (fs.existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : 'redis-server');

/** A redis-server this test process started on 127.0.0.1: never the system's service, never port 6379. */
export interface RedisServer {
	/** `redis://127.0.0.1:PORT` */
	readonly url: string;
	readonly port: number;
	/** The pid of the current redis-server process (a new one after `restart()`). */
	readonly pid: number;
	/** Everything the current process wrote to its log (stdout), for a failing test's message. */
	log(): string;
	/** Shut it down (SIGTERM) and wait for it to exit; removes its folder. Idempotent. */
	stop(): Promise<void>;
	/**
	 * Stop it (SIGTERM, or SIGKILL with `{ kill: true }`: a crash) and start a new one on the same port, empty (no
	 * persistence): what clients see when their Redis restarts. Resolves once the new one accepts connections.
	 */
	restart(opts?: { kill?: boolean }): Promise<void>;
	/** SIGKILL it at once (synchronous: safe in an 'exit' handler). It stays down until `restart()`. */
	kill(): void;
}

export interface StartRedisOptions {
	/** The port to listen on; a free one by default. */
	port?: number;
	/** More `redis-server` arguments, e.g. `['--maxmemory', '64mb']`. */
	args?: string[];
	/** How long to wait for "Ready to accept connections"; 20 s by default. */
	readyTimeoutMs?: number;
}

/** Servers started by this process, killed if it exits without stopping them (a failed test, a Ctrl-C). */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function killOnExit(child: ChildProcess): void {
	running.add(child);
	child.once('exit', () => running.delete(child));
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.once('exit', () => {
		for (const c of running) c.kill('SIGKILL');
	});
}

/** A port free on 127.0.0.1 right now (the kernel's pick). */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = net.createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const { port } = probe.address() as net.AddressInfo;
			probe.close(() => resolve(port));
		});
	});
}

/** Start redis-server on `port` in `dir` and resolve with it once its log says it accepts connections. */
function spawnRedis(
	port: number,
	dir: string,
	args: readonly string[],
	timeoutMs: number,
): Promise<{ child: ChildProcess; log: () => string }> {
	if (port === 6379) throw new Error('startRedis: not on 6379, the system Redis port');
	// No persistence and no protected-mode surprises: a throwaway server for one test, on the loopback only.
	const argv = [
		'--port',
		String(port),
		'--bind',
		'127.0.0.1',
		'--save',
		'',
		'--appendonly',
		'no',
		'--dir',
		dir,
		'--daemonize',
		'no',
		...args,
	];
	const child = spawn(REDIS_SERVER, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
	killOnExit(child);
	let output = '';
	return new Promise((resolve, reject) => {
		const fail = (why: string) => {
			clearTimeout(timer);
			child.kill('SIGKILL');
			reject(
				new Error(
					`redis-server on 127.0.0.1:${port} ${why}; its log:\n${output.trim().split('\n').slice(-10).join('\n')}`,
				),
			);
		};
		const timer = setTimeout(() => fail(`was not ready within ${timeoutMs} ms`), timeoutMs);
		const onData = (c: Buffer) => {
			output += c.toString();
			if (/Ready to accept connections/.test(output)) {
				clearTimeout(timer);
				child.off('exit', onExit);
				resolve({ child, log: () => output });
			}
		};
		const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
			fail(`exited before it was ready (${signal ?? `exit ${code}`})`);
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		child.once('exit', onExit);
		child.once('error', (err) =>
			fail(
				`could not start (${err.message}): run "bash scripts/setup.sh" (it installs Debian's redis-server), or set REDIS_SERVER to a redis-server binary`,
			),
		);
	});
}

function exited(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
	return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Start Debian's redis-server as a plain child process on a free port on 127.0.0.1, without persistence, in a
 * temporary folder, and resolve once it logs "Ready to accept connections". The caller stops it.
 */
export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisServer> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-redis-'));
	const timeoutMs = opts.readyTimeoutMs ?? 20_000;
	const args = opts.args ?? [];
	let port = opts.port ?? (await freePort());
	let current: { child: ChildProcess; log: () => string };
	try {
		current = await spawnRedis(port, dir, args, timeoutMs);
	} catch (err) {
		// Another process may have taken the free port between the probe and the bind: one more try on a new one.
		if (opts.port !== undefined || !/Address already in use/.test(String(err))) throw err;
		port = await freePort();
		current = await spawnRedis(port, dir, args, timeoutMs);
	}
	let stopped = false;
	const stopCurrent = async (signal: NodeJS.Signals) => {
		const { child } = current;
		child.kill(signal);
		// SIGTERM with no persistence is a quick shutdown; a server that hangs is not left behind.
		const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
		await exited(child);
		clearTimeout(timer);
	};
	return {
		url: `redis://127.0.0.1:${port}`,
		port,
		get pid() {
			return current.child.pid!;
		},
		log: () => current.log(),
		async stop() {
			if (stopped) return;
			stopped = true;
			await stopCurrent('SIGTERM');
			fs.rmSync(dir, { recursive: true, force: true });
		},
		async restart(restartOpts = {}) {
			if (stopped) throw new Error('restart: this Redis was stopped');
			await stopCurrent(restartOpts.kill ? 'SIGKILL' : 'SIGTERM');
			// Clients reconnecting in a loop may race the new bind; the kernel frees the port at once for a listener.
			current = await spawnRedis(port, dir, args, timeoutMs);
		},
		kill() {
			current.child.kill('SIGKILL');
		},
	};
}
