/**
 * The usual @vscode/test-electron entry point for the in-VS-Code suite (test/vscode/suite).
 *
 *   node out/test/vscode/desktop.js                 download desktop VS Code and run the suite in it
 *   node out/test/vscode/desktop.js --code-server   run it in code-server's VS Code instead
 *
 * Where VS Code cannot be downloaded (no access to Microsoft's update servers, as on our CI
 * machines), `--code-server` gives test-electron scripts/vscode-launcher.sh as the VS Code
 * executable: it takes the same arguments and runs the suite through test/vscode/runTests.ts.
 * AUDITLENS_VSCODE_EXECUTABLE names any other VS Code executable.
 */
import path from 'node:path';
import { runTests } from '@vscode/test-electron';

const REPO = path.resolve(__dirname, '..', '..', '..');

async function main(): Promise<number> {
	const vscodeExecutablePath =
		process.env.AUDITLENS_VSCODE_EXECUTABLE ||
		(process.argv.includes('--code-server') ? path.join(REPO, 'scripts', 'vscode-launcher.sh') : undefined);
	return runTests({
		extensionDevelopmentPath: REPO,
		extensionTestsPath: path.join(REPO, 'out', 'test', 'vscode', 'suite', 'index.js'),
		vscodeExecutablePath,
		launchArgs: ['--disable-extensions'],
	});
}

main().then(
	(code) => (process.exitCode = code),
	(err: unknown) => {
		console.error(`The tests inside VS Code failed: ${err instanceof Error ? err.message : String(err)}`);
		process.exitCode = 1;
	},
);
