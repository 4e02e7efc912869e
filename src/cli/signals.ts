/**
 * SIGINT and SIGTERM, for every command: what the first and a second signal do is the command's; this module
 * listens, remembers the first, and makes sure no Chrome outlives the process (the engine's synchronous kill on
 * 'exit', its last resort).
 */
import { signalExit } from './exitCodes';

/** What an engine must offer for its Chromes to be killed on any exit. */
interface KillsChrome {
	killAllSync(): void;
}

export interface SignalWatch {
	/** The first signal received, if any. */
	stoppedBy(): NodeJS.Signals | undefined;
	/**
	 * Stop listening. Call it once the engine is closed: until then a signal must not take Node's default (an exit
	 * without 'exit').
	 */
	dispose(): void;
}

/** Listen for SIGINT and SIGTERM: `first` runs on the first signal, `again` on each one after it. */
export function watchSignals(
	engine: KillsChrome,
	on: { first(signal: NodeJS.Signals): void; again(signal: NodeJS.Signals, first: NodeJS.Signals): void },
): SignalWatch {
	let stoppedBy: NodeJS.Signals | undefined;
	const handler = (signal: NodeJS.Signals) => {
		if (stoppedBy) return on.again(signal, stoppedBy);
		stoppedBy = signal;
		on.first(signal);
	};
	const onExit = () => engine.killAllSync();
	process.on('SIGINT', handler);
	process.on('SIGTERM', handler);
	process.on('exit', onExit);
	return {
		stoppedBy: () => stoppedBy,
		dispose: () => {
			process.off('SIGINT', handler);
			process.off('SIGTERM', handler);
			process.off('exit', onExit);
		},
	};
}

/** A second signal: exit at once ('exit' kills every Chrome). */
function exitNow(signal: NodeJS.Signals, first: NodeJS.Signals): void {
	process.stderr.write(`\n${signal} again: exiting now, closing Chrome.\n`);
	process.exit(signalExit(first));
}

/** Audits on this machine: the first signal closes the engine (every Chrome) and exits; a second exits at once. */
export function closeOnSignal(engine: KillsChrome & { close(): Promise<void> }): SignalWatch {
	return watchSignals(engine, {
		first: (signal) => {
			process.stderr.write(`\n${signal}: stopping audits and closing Chrome…\n`);
			void engine.close().finally(() => process.exit(signalExit(signal)));
		},
		again: exitNow,
	});
}

/**
 * A scan, or audits on the queue: the first signal cancels the scan or batch `id` (it resolves with what was
 * audited so far, which is reported; `what` says so); a second exits at once.
 */
export function cancelOnSignal(
	engine: KillsChrome & { cancel(id: string): number },
	id: string,
	what: string,
): SignalWatch {
	return watchSignals(engine, {
		first: (signal) => {
			process.stderr.write(`\n${signal}: ${what} (again to exit at once)…\n`);
			engine.cancel(id);
		},
		again: exitNow,
	});
}
