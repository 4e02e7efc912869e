/**
 * The command line's one argument layer. Each option is declared once, in an `OptionTable` that node:util parseArgs
 * reads (strict; `--flag value` and `--flag=value`) and that each command's help is written from. A mistake is a
 * UsageError in our words: the program prints it with the command's help and exits 64.
 *
 * node:util parseArgs and a command table rather than commander or yargs: no dependency to keep current, the usage
 * errors keep their wording, and a command's help is its tables printed, nothing a library lays out for us.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../engine/errors';

/** A mistake in the command line: the program prints it with the command's help and exits 64 (EX_USAGE). */
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

/** One option: how parseArgs reads it, and its line in the help. */
export interface OptionSpec {
	readonly type: 'string' | 'boolean';
	readonly multiple?: boolean;
	/** The value in the help, e.g. N, PATH, URL. */
	readonly value?: string;
	/** What it does, for the help; '\n' starts another line. */
	readonly help: string;
}

/** Options by name (without the leading "--"). */
export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** A titled group of options in a command's help. */
export interface OptionSection {
	readonly title: string;
	readonly options: OptionTable;
}

/** A command of `auditlens`: its help, written from its option tables, and how it runs. */
export interface Command {
	readonly name: string;
	/** Its usage lines, after "auditlens ". */
	readonly usage: readonly string[];
	/** What it does in a few words, for the list of `auditlens --help`. */
	readonly brief: string;
	/** What it does, at the top of its own help. */
	readonly summary: string;
	readonly sections: readonly OptionSection[];
	/** Paragraphs after the options. */
	readonly notes?: string;
	/** Parses and checks `argv` (a UsageError for a mistake), then runs; answers the exit code. */
	run(argv: string[]): Promise<number>;
}

/** Options up to this width share their line with their help; longer ones put it on the next line. */
const LABEL_WIDTH = 34;

/** The help of one command: its usage, what it does, its options by section, its notes. */
export function commandHelp(command: Command): string {
	const usage = command.usage.map((u, i) => `${i === 0 ? 'Usage: ' : '       '}auditlens ${u}`);
	const sections = command.sections.map((s) => `${s.title}:\n${optionLines(s.options).join('\n')}`);
	return [usage.join('\n'), command.summary, ...sections, ...(command.notes ? [command.notes] : [])].join('\n\n');
}

function optionLines(options: OptionTable): string[] {
	const lines: string[] = [];
	const indent = ' '.repeat(2 + LABEL_WIDTH + 2);
	for (const [name, spec] of Object.entries(options)) {
		const label = `--${name}${spec.value ? ` ${spec.value}` : ''}`;
		const [first = '', ...more] = spec.help.split('\n');
		if (label.length <= LABEL_WIDTH) lines.push(`  ${label.padEnd(LABEL_WIDTH)}  ${first}`);
		else lines.push(`  ${label}`, `${indent}${first}`);
		lines.push(...more.map((line) => `${indent}${line}`));
	}
	return lines;
}
