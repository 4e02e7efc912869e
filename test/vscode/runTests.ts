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
import { format } from 'node:util';
import { codeServerPaths, freePort, launchChromium, makeWorkspace, REPO, sleep, startProcess, waitForHttp, CHROMIUM } from './launch';

function arg(name: string): string | undefined {
	const argv = process.argv.slice(2);
	const eq = argv.find((a) => a.startsWith(`${name}=`));
	if (eq) return eq.slice(name.length + 1);
	const i = argv.indexOf(name);
	return i >= 0 ? argv[i + 1] : undefined;
}

/** Workbench messages that say nothing about the suite (no network here, no chat, no service worker). */
const WORKBENCH_NOISE =
	/ENOTFOUND|ChatModelSelection|Service ?Worker|AccountPolicyGate|AgentHost|Creating a socket|No default agent|authentication provider|connection token|grace time|builtin extensions cache|DialogService/;

async function main(): Promise<number> {
	const extensionPath = path.resolve(arg('--extensionDevelopmentPath') ?? REPO);
	const testsPath = path.resolve(arg('--extensionTestsPath') ?? path.join(REPO, 'out', 'test', 'vscode', 'suite', 'index.js'));
	const timeoutMs = Number(process.env.AUDITLENS_VSCODE_TEST_TIMEOUT_MS ?? 8 * 60_000);
	if (!fs.existsSync(path.join(extensionPath, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
	if (!fs.existsSync(testsPath)) throw new Error(`${testsPath} is missing: run \`npx tsc -p .\` first`);

	const paths = codeServerPaths();
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-vscode-'));
	const workspace = makeWorkspace(path.join(tmp, 'workspace'), {});
	const port = await freePort();
	const origin = `http://127.0.0.1:${port}`;
	const server = startProcess(
		paths.node,
		[
			paths.serverMain,
			'--host',
			'127.0.0.1',
			'--port',
			String(port),
			'--without-connection-token',
			'--accept-server-license-terms',
			'--enable-smoke-test-driver',
			'--disable-telemetry',
			'--disable-workspace-trust',
			'--server-data-dir',
			path.join(tmp, 'server'),
			'--extensions-dir',
			path.join(tmp, 'extensions'),
		],
		{ name: 'vscode-server', env: { ...process.env, CHROME_PATH: CHROMIUM, AUDITLENS_TEST_ARTIFACTS: path.join(REPO, 'test-artifacts') }, verbose: process.env.AUDITLENS_VERBOSE === '1' },
	);
	const browser = await launchChromium();
	try {
		await waitForHttp(`${origin}/`);
		const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${p}`;
		const payload = JSON.stringify([
			['extensionDevelopmentPath', remote(extensionPath)],
			['extensionTestsPath', remote(testsPath)],
		]);
		const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
		const exitCode = new Promise<number>((resolve) => {
			void page.exposeFunction('codeAutomationExit', (code: number) => {
				resolve(code);
			});
		});
		// The extension host's console (mocha's reporter) arrives as browser console messages.
		page.on('console', (msg) => {
			void (async () => {
				// The host logs as console.log('%c LEVEL', 'color: …', format, ...args).
				const args = await Promise.all(msg.args().map((a) => a.jsonValue().catch(() => String(a))));
				const host = typeof args[0] === 'string' && args[0].startsWith('%c');
				if (!host) return;
				const text = format(...(args.slice(2) as [unknown, ...unknown[]]));
				if (process.env.AUDITLENS_VERBOSE === '1' || !WORKBENCH_NOISE.test(text)) console.log(text);
				else if (process.env.AUDITLENS_VERBOSE === '1') console.log(`[browser] ${msg.text()}`);
			})();
		});
		await page.goto(`${origin}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
		const code = await Promise.race([exitCode, sleep(timeoutMs).then(() => -1)]);
		if (code === -1) console.error(`the suite did not finish within ${timeoutMs} ms`);
		return code;
	} finally {
		await browser.close().catch(() => undefined);
		await server.stop();
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

main().then(
	(code) => process.exit(code),
	(err: unknown) => {
		console.error(err);
		process.exit(1);
	},
);
