/**
 * Runs the mocha suite (test/vscode/suite) inside the extension host of a real VS Code: the VS Code
 * server bundled in code-server with --enable-smoke-test-driver, whose web workbench takes an
 * extension-development payload; Debian's chromium opens it and receives the exit code.
 *
 *   node out/test/vscode/runTests.js [--extensionDevelopmentPath DIR] [--extensionTestsPath FILE]
 *
 * The arguments are those @vscode/test-electron passes to a VS Code executable, so this script can
 * also stand in as `vscodeExecutablePath` where test-electron is used. Exit code: the suite's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exitWith, makeWorkspace, REPO, runInVsCode } from './launch';

function arg(name: string): string | undefined {
	const argv = process.argv.slice(2);
	const eq = argv.find((a) => a.startsWith(`${name}=`));
	if (eq) return eq.slice(name.length + 1);
	const i = argv.indexOf(name);
	return i >= 0 ? argv[i + 1] : undefined;
}

async function main(): Promise<number> {
	const extensionPath = path.resolve(arg('--extensionDevelopmentPath') ?? REPO);
	const testsPath = path.resolve(
		arg('--extensionTestsPath') ?? path.join(REPO, 'out', 'test', 'vscode', 'suite', 'index.js'),
	);
	const timeoutMs = Number(process.env.AUDITLENS_VSCODE_TEST_TIMEOUT_MS ?? 8 * 60_000);
	if (!fs.existsSync(path.join(extensionPath, 'dist', 'extension.js')))
		throw new Error('dist/extension.js is missing: run `npm run build` first');
	if (!fs.existsSync(testsPath)) throw new Error(`${testsPath} is missing: run \`npx tsc -p .\` first`);
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-vscode-'));
	try {
		const workspace = makeWorkspace(path.join(tmp, 'workspace'), {});
		return await runInVsCode({ extensionPath, testsPath, workspace, tmp, timeoutMs });
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

exitWith(main);
