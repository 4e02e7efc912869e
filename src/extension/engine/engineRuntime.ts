/**
 * Which Node runs the engine. Lighthouse 13 needs Node 22.19 or newer; VS Code 1.106 and later run
 * their extension host on such a Node, and then the engine runs on it too (`process.execPath` with
 * `ELECTRON_RUN_AS_NODE`). On an older host, a Node named in `auditlens.nodePath`, else the first
 * suitable `node` on PATH; else a message saying what to do. No `vscode` import: unit-tested.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { MIN_NODE_VERSION, nodeVersionOk } from '../../shared/nodeVersion';

export { MIN_NODE_VERSION, nodeVersionOk };

export interface EngineRuntime {
	/** The binary to start the engine with. */
	execPath: string;
	/** Its Node version, e.g. `24.11.1`. */
	version: string;
	/** Where it came from, for the log. */
	source: 'editor' | 'setting' | 'path';
}

export interface RuntimeLookup {
	/** The extension host's Node version and binary (`process.versions.node`, `process.execPath`). */
	hostVersion: string;
	hostExecPath: string;
	/** `auditlens.nodePath`, if set. */
	nodePath?: string;
	/** The PATH to look in (`process.env.PATH`). */
	pathEnv?: string;
	/** How long one binary may take to say its version. */
	probeTimeoutMs?: number;
}

/** Thrown when no suitable Node is found; its message says what to do. */
export class RuntimeNotFoundError extends Error {
	override name = 'RuntimeNotFoundError';
}

/** The Node to run the engine with (see the module comment); throws RuntimeNotFoundError. */
export async function findEngineRuntime(lookup: RuntimeLookup): Promise<EngineRuntime> {
	if (nodeVersionOk(lookup.hostVersion))
		return { execPath: lookup.hostExecPath, version: lookup.hostVersion, source: 'editor' };
	const timeoutMs = lookup.probeTimeoutMs ?? 10_000;
	const why = `The AuditLens engine needs Node.js ${MIN_NODE_VERSION} or newer (Lighthouse 13 does); this editor runs Node ${lookup.hostVersion}.`;
	const nodePath = lookup.nodePath?.trim();
	if (nodePath) {
		const version = await probeNode(nodePath, timeoutMs);
		if (version === undefined)
			throw new RuntimeNotFoundError(
				`${why} auditlens.nodePath (${nodePath}) does not run as Node.js: set it to a Node ${MIN_NODE_VERSION}+ binary.`,
			);
		if (!nodeVersionOk(version))
			throw new RuntimeNotFoundError(
				`${why} auditlens.nodePath (${nodePath}) is Node ${version}: set it to a Node ${MIN_NODE_VERSION}+ binary.`,
			);
		return { execPath: nodePath, version, source: 'setting' };
	}
	const seen: string[] = [];
	for (const candidate of nodesOnPath(lookup.pathEnv ?? '')) {
		const version = await probeNode(candidate, timeoutMs);
		if (version === undefined) continue;
		if (nodeVersionOk(version)) return { execPath: candidate, version, source: 'path' };
		seen.push(`${candidate} is ${version}`);
	}
	const found = seen.length ? ` On PATH: ${seen.join(', ')}.` : ' There is no node on PATH.';
	throw new RuntimeNotFoundError(
		`${why}${found} Update VS Code (1.106 or later), or install Node.js ${MIN_NODE_VERSION}+ and put it on PATH or set auditlens.nodePath to it, then run "AuditLens: Restart Engine".`,
	);
}

/** The `node` binaries on a PATH, in order, each once. */
function nodesOnPath(pathEnv: string): string[] {
	const names = process.platform === 'win32' ? ['node.exe'] : ['node'];
	const out: string[] = [];
	for (const dir of pathEnv.split(path.delimiter)) {
		if (!dir) continue;
		for (const name of names) {
			const file = path.join(dir, name);
			if (!out.includes(file) && isFile(file)) out.push(file);
		}
	}
	return out;
}

function isFile(file: string): boolean {
	try {
		return fs.statSync(file).isFile();
	} catch {
		return false;
	}
}

/** The Node version a binary reports, or undefined when it does not run as Node. */
function probeNode(binary: string, timeoutMs: number): Promise<string | undefined> {
	return new Promise((resolve) => {
		execFile(
			binary,
			['-p', 'process.versions.node'],
			{ timeout: timeoutMs, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } },
			(err, stdout) => {
				const version = String(stdout).trim();
				resolve(err || !/^\d+\.\d+\.\d+/.test(version) ? undefined : version);
			},
		);
	});
}
