/**
 * `auditlens`: the command line, a client of the engine as the VS Code extension is. The entry of dist/cli.js
 * (bin/auditlens.js calls main). It only wires: finds the command, prints the help asked for, and turns what a
 * command throws into an exit code.
 */
import { ENGINE_VERSION } from '../engine/version';
import { safeText } from '../shared/terminalText';
import { type Command, commandHelp, UsageError } from './args';
import { audit } from './commands/audit';
import { cache } from './commands/cache';
import { demo } from './commands/demo';
import { history } from './commands/history';
import { scan } from './commands/scan';
import { worker } from './commands/worker';
import { workers } from './commands/workers';
import { EXIT, EXIT_CODES_HELP } from './exitCodes';
import { warn } from './output/text';

const COMMANDS: readonly Command[] = [audit, scan, demo, history, cache, worker, workers];

/** `auditlens --help`: the commands, one line each. */
function mainHelp(): string {
	const usage = COMMANDS.map((c) => c.usage[0] ?? c.name);
	const width = Math.max(...usage.map((u) => u.length));
	const lines = COMMANDS.map((c, i) => `  ${usage[i]?.padEnd(width)}  ${c.brief}`);
	return `Usage: auditlens COMMAND [options]

Commands:
${lines.join('\n')}

"auditlens COMMAND --help" shows the options of COMMAND; "auditlens --version" the version.

${EXIT_CODES_HELP}`;
}

/** `--help` or `-h` among a command's arguments (before a `--` terminator): the help, not a run. */
function asksForHelp(argv: readonly string[]): boolean {
	const end = argv.indexOf('--');
	return argv.slice(0, end < 0 ? undefined : end).some((a) => a === '--help' || a === '-h');
}

export async function main(argv: string[]): Promise<number> {
	const [name, ...rest] = argv;
	const command = COMMANDS.find((c) => c.name === name);
	try {
		if (command) {
			if (asksForHelp(rest)) {
				process.stdout.write(`${commandHelp(command)}\n`);
				return EXIT.ok;
			}
			return await command.run(rest);
		}
		switch (name) {
			case '--version':
			case '-v':
				process.stdout.write(`${ENGINE_VERSION}\n`);
				return EXIT.ok;
			case 'help': {
				const about = COMMANDS.find((c) => c.name === rest[0]);
				process.stdout.write(`${about ? commandHelp(about) : mainHelp()}\n`);
				return EXIT.ok;
			}
			case undefined:
			case '--help':
			case '-h':
				process.stdout.write(`${mainHelp()}\n`);
				return name === undefined ? EXIT.usage : EXIT.ok;
			default:
				throw new UsageError(`unknown command "${safeText(name, { max: 60 })}"`);
		}
	} catch (err) {
		if (err instanceof UsageError) {
			const help = command ? commandHelp(command) : mainHelp();
			process.stderr.write(`auditlens: ${safeText(err.message, { max: 2000 })}\n\n${help}\n`);
			return EXIT.usage;
		}
		warn(err instanceof Error ? err.message : String(err));
		return EXIT.auditFailed;
	}
}

if (require.main === module) {
	void main(process.argv.slice(2)).then((code) => {
		process.exitCode = code;
	});
}
