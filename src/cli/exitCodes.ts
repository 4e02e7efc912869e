/**
 * The exit codes of `auditlens`: one table for every command (64 is sysexits' EX_USAGE; 130/143 the shell's 128 +
 * signal).
 */
export const EXIT = {
	ok: 0,
	/** An audit (a route of a scan) failed or was partial, an output could not be written, or the command failed. */
	auditFailed: 1,
	/** A --budget was not met. */
	budgetFailed: 2,
	/** `history URL`: URL is not one (the message says what was probably meant). */
	notAUrl: 2,
	/** A mistake in the command line, said before anything runs. */
	usage: 64,
	/** Stopped by SIGINT (Ctrl-C). */
	sigint: 130,
	/** Stopped by SIGTERM. */
	sigterm: 143,
} as const;

/** The exit code of a command stopped by `signal`. */
export function signalExit(signal: NodeJS.Signals): number {
	return signal === 'SIGTERM' ? EXIT.sigterm : EXIT.sigint;
}

/** The table in words, for the help. */
export const EXIT_CODES_HELP = `Exit codes: 0 all audits passed, 1 an audit (a route) failed or was partial (or an output could not be written),
2 a budget was not met, 64 usage error, 130/143 stopped by SIGINT/SIGTERM.`;
