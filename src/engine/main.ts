/**
 * The engine process: `node dist/engine.js [--stdio | --node-ipc] [--db PATH | --no-db] [--artifacts DIR]`.
 * Speaks JSON-RPC (vscode-jsonrpc) on stdio or Node IPC. Only protocol messages reach the channel.
 */
import { guardStdout } from './stdoutGuard';
// Must run before anything else can print.
const protocolOut = guardStdout();

import { parseArgs as parseCommandLine } from 'node:util';
import {
	createMessageConnection,
	IPCMessageReader,
	IPCMessageWriter,
	type MessageConnection,
	StreamMessageReader,
	StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import { logNotification } from '../protocol';
import { startOrphanWatchdog } from './chrome/watchdog';
import { createEngine } from './createEngine';
import { ConfigError } from './errors';
import type { Engine } from './engine';
import { createLogger, type LogLevel } from './log';
import { registerHandlers } from './rpcServer';
import { claimHistoryFile, defaultHistoryPath } from './history/dbFile';

const USAGE = `Usage: node dist/engine.js [--stdio | --node-ipc] [--db PATH | --no-db] [--artifacts DIR] [--log-level debug|info|warn|error]
  --db PATH  the client's own history file (default ~/.auditlens/history.sqlite): an unreadable file there is
             set aside and a new history started; a folder is refused`;
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

interface Args {
	transport: 'stdio' | 'ipc';
	db?: string;
	artifacts?: string;
	logLevel: LogLevel;
}

function parseArgs(argv: string[]): Args {
	const { values } = parseCommandLine({
		args: argv,
		options: {
			stdio: { type: 'boolean' },
			'node-ipc': { type: 'boolean' },
			db: { type: 'string' },
			'no-db': { type: 'boolean' },
			artifacts: { type: 'string' },
			'log-level': { type: 'string', default: 'info' },
			// vscode-languageclient's convention; the engine watches its parent through stdin/IPC instead.
			clientProcessId: { type: 'string' },
		},
	});
	if (values.stdio && values['node-ipc']) throw new ConfigError('give --stdio or --node-ipc, not both');
	if (values.db !== undefined && values['no-db']) throw new ConfigError('give --db PATH or --no-db, not both');
	const logLevel = values['log-level'] as LogLevel;
	if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`--log-level takes ${LOG_LEVELS.join(', ')}`);
	return {
		transport: values.stdio ? 'stdio' : values['node-ipc'] ? 'ipc' : process.send ? 'ipc' : 'stdio',
		db: values['no-db'] ? undefined : (values.db ?? defaultHistoryPath()),
		artifacts: values.artifacts,
		logLevel,
	};
}

async function main(): Promise<void> {
	let args: Args;
	try {
		args = parseArgs(process.argv.slice(2));
	} catch (err) {
		// A flag parseArgs does not know, or a value it refuses, is as much a usage error as a value we refuse.
		const parseError = (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS_');
		if (!(err instanceof ConfigError) && !parseError) throw err;
		process.stderr.write(`engine: ${(err as Error).message}\n${USAGE}\n`);
		process.exitCode = 64;
		return;
	}
	startOrphanWatchdog();

	let connection: MessageConnection | undefined;
	const log = createLogger(args.logLevel, [
		(level, message) => {
			if (level === 'debug') return;
			try {
				void connection?.sendNotification(logNotification, { level, message }).catch(() => undefined);
			} catch {
				// the connection is closed or not up yet: stderr has the line
			}
		},
	]);

	// Assigned once the exit handlers that read it are in place.
	// eslint-disable-next-line prefer-const
	let engine: Engine | undefined;
	let exiting = false;
	const exit = async (code: number, why: string) => {
		if (exiting) return;
		exiting = true;
		log.info(`engine exiting: ${why}`);
		const hardStop = setTimeout(() => {
			engine?.killAllSync();
			realExit(code);
		}, 10_000);
		try {
			await engine?.close();
		} catch (err) {
			log.error(`shutdown failed: ${String(err)}`);
		}
		clearTimeout(hardStop);
		engine?.killAllSync();
		realExit(code);
	};

	// Last resort on every exit path we can see; SIGKILL is covered by the orphan watchdog.
	process.on('exit', () => engine?.killAllSync());
	process.on('SIGTERM', () => void exit(0, 'SIGTERM'));
	process.on('SIGINT', () => void exit(0, 'SIGINT'));
	process.on('SIGHUP', () => void exit(0, 'SIGHUP'));
	process.on('uncaughtException', (err) => {
		log.error(`uncaught error: ${err.stack ?? err.message}`);
		void exit(1, 'uncaught error');
	});
	process.on('unhandledRejection', (reason) => {
		// One bad audit must not kill the engine: log it and keep serving.
		log.error(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
	});
	// A library calling process.exit must not take the engine down silently.
	const realExit = process.exit.bind(process) as (code?: number) => never;
	process.exit = ((code?: number) => {
		log.error(`something called process.exit(${code ?? ''}); shutting down cleanly\n${new Error('stack').stack ?? ''}`);
		void exit(typeof code === 'number' ? code : 1, 'process.exit called');
	}) as typeof process.exit;

	if (args.transport === 'ipc') {
		connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
		process.on('disconnect', () => void exit(0, 'parent disconnected'));
	} else {
		connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(protocolOut));
	}
	// The parent died or closed our input: nobody is left to serve.
	process.stdin.on('end', () => void exit(0, 'stdin closed'));
	process.stdin.on('close', () => void exit(0, 'stdin closed'));
	if (args.transport === 'ipc') process.stdin.resume();
	connection.onClose(() => void exit(0, 'connection closed'));

	// The client picks this file in its own storage; no person named it (the CLI's --db is another matter).
	if (args.db) claimHistoryFile(args.db);
	engine = await createEngine({ db: args.db, artifactsDir: args.artifacts, log });
	registerHandlers(connection, engine, log, () => void exit(0, 'shutdown requested'));
	connection.listen();
	log.info(`engine ready (pid ${process.pid}, ${args.transport}, history ${args.db ?? 'in memory'})`);
}

main().catch((err: unknown) => {
	process.stderr.write(`engine failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
	process.exitCode = 1;
});
