/**
 * The one command-line parser of the engine process and the CLI: `node:util` parseArgs (no dependency),
 * strict, with `--flag value` and `--flag=value` forms. Its errors become a `UsageError` in our words.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../engine/errors';

/** A mistake in the command line: the program prints it with its usage and exits 64 (EX_USAGE). */
export class UsageError extends Error {
	override name = 'UsageError';
}

/** parseArgs (strict, its default); a bad command line throws a UsageError. */
export function parseCommandLine<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
	try {
		return parseArgs(config);
	} catch (err) {
		throw usageErrorOf(err);
	}
}

function usageErrorOf(err: unknown): Error {
	const e = err as NodeJS.ErrnoException;
	if (typeof e?.code !== 'string' || !e.code.startsWith('ERR_PARSE_ARGS_')) return err as Error;
	const option = /'(-[^' ]+)/.exec(e.message)?.[1];
	switch (e.code) {
		case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
			return new UsageError(`unknown option ${option ?? e.message}`);
		case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
			if (option && /does not take an argument/.test(e.message)) return new UsageError(`${option} takes no value`);
			if (option)
				return new UsageError(`${option} needs a value (write ${option}=VALUE for a value that starts with "-")`);
			return new UsageError(e.message);
		case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
			return new UsageError(`unexpected argument ${/'([^']*)'/.exec(e.message)?.[1] ?? ''}`.trim());
		default:
			return new UsageError(e.message);
	}
}

/** A whole number from `min` to `max`, or a UsageError naming the flag. */
export function intOption(value: string, flag: string, min: number, max: number): number {
	const n = Number(value);
	if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max)
		throw new UsageError(`${flag} takes a whole number from ${min} to ${max}`);
	return n;
}

/** What `check` answers; the engine's ConfigError (a bad Redis URL or queue name) becomes a UsageError, exit 64. */
export function asUsage<T>(check: () => T): T {
	try {
		return check();
	} catch (err) {
		if (err instanceof ConfigError) throw new UsageError(err.message);
		throw err;
	}
}
