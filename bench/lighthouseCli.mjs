// The plain `lighthouse` CLI, cold, one subprocess (and Chrome) per run, mobile, default (simulated)
// throttling: what a user runs without AuditLens. Shared by the benchmarks that compare against it.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { CHROME_FLAGS, findChrome } = require(path.join(root, 'out/src/engine/chrome/findChrome.js'));
const { chromeFlags, chromeSandbox } = require(path.join(root, 'out/src/engine/chrome/sandbox.js'));
const { createLogger } = require(path.join(root, 'out/src/engine/log.js'));

/**
 * Run the CLI on `url` with `args` added; resolves with its Lighthouse result (the JSON report). `lighthouseDir`: the
 * folder of another Lighthouse package than the pinned one (bench/lighthouseVersions.mjs).
 */
export async function lighthouseCli(
	url,
	args = [],
	lighthouseDir = path.dirname(require.resolve('lighthouse/package.json')),
) {
	const cli = path.join(lighthouseDir, 'cli', 'index.js');
	const chromePath = await findChrome();
	const flags = chromeFlags(await chromeSandbox(chromePath, createLogger('warn')), CHROME_FLAGS);
	return new Promise((resolve, reject) => {
		const child = spawn(
			process.execPath,
			[cli, url, '--output=json', '--output-path=stdout', '--quiet', ...args, `--chrome-flags=${flags.join(' ')}`],
			{
				env: { ...process.env, CHROME_PATH: chromePath },
				stdio: ['ignore', 'pipe', 'inherit'],
			},
		);
		const out = [];
		child.stdout.on('data', (c) => out.push(c));
		child.on('close', (code) => {
			if (code !== 0) return reject(new Error(`lighthouse CLI exit ${code}`));
			resolve(JSON.parse(Buffer.concat(out).toString()));
		});
	});
}
