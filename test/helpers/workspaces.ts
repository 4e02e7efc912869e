import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { FIXTURE_PAGES, type FixtureServer, startFixtureServer } from './fixtureServer';

/** The fixture workspaces of issue 11 (test/fixtures/workspaces). */
export const FIXTURE_WORKSPACES = path.join(path.dirname(FIXTURE_PAGES), 'workspaces');

/** A planted defect: the audit ids on a line marked `<!-- defect: ids -->` or `// defect: ids`. */
export interface Defect {
	file: string;
	/** 1-based. */
	line: number;
	ids: string[];
}

/**
 * Every planted defect of a workspace, found by its marker, so the fixture can change without the tests going stale.
 */
export function plantedDefects(dir: string): Defect[] {
	const out: Defect[] = [];
	for (const rel of fs.readdirSync(dir, { recursive: true }) as string[]) {
		const file = path.join(dir, rel);
		if (!/\.(html?|tsx?|jsx?)$/.test(file) || !fs.statSync(file).isFile()) continue;
		fs.readFileSync(file, 'utf8')
			.split('\n')
			.forEach((text, i) => {
				const m = /(?:<!--|\/\/)\s*defect:\s*([\w\s-]+?)\s*(?:-->|$)/.exec(text);
				if (m) out.push({ file, line: i + 1, ids: m[1].split(/\s+/) });
			});
	}
	return out;
}

/** The defect planted for audit `id` (exactly one, or the test is wrong). */
export function defectFor(dir: string, id: string): Defect {
	const found = plantedDefects(dir).filter((d) => d.ids.includes(id));
	if (found.length !== 1) throw new Error(`${dir}: ${found.length} lines are marked "defect: ${id}", expected one`);
	return found[0];
}

export interface BuiltApp {
	/** The fixture workspace (its sources: the root a locate call is given). */
	workspace: string;
	/** The folder to serve: index.html, public/'s files and assets/app.js with its linked map. */
	served: string;
	dispose(): void;
}

/**
 * Bundle test/fixtures/workspaces/bundled-app with esbuild (minified, linked source map) into a temporary folder laid
 * out as a built site: what a dev server or a deploy would serve, while the workspace holds only the sources.
 */
export async function buildBundledApp(): Promise<BuiltApp> {
	const workspace = path.join(FIXTURE_WORKSPACES, 'bundled-app');
	const served = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-bundled-app-'));
	await build({
		entryPoints: [path.join(workspace, 'src', 'main.ts')],
		bundle: true,
		minify: true,
		format: 'esm',
		sourcemap: 'linked',
		jsxFactory: 'h',
		outfile: path.join(served, 'assets', 'app.js'),
		logLevel: 'silent',
	});
	fs.copyFileSync(path.join(workspace, 'index.html'), path.join(served, 'index.html'));
	fs.cpSync(path.join(workspace, 'public'), served, { recursive: true });
	return { workspace, served, dispose: () => fs.rmSync(served, { recursive: true, force: true }) };
}

export interface ServedApp extends BuiltApp {
	/** The fixture server serving `served`. */
	server: FixtureServer;
	/** Stop the server and remove the built folder. */
	close(): Promise<void>;
}

/** The bundled app built (buildBundledApp) and served by a fixture server, as a test's dev server. */
export async function serveBundledApp(): Promise<ServedApp> {
	const app = await buildBundledApp();
	const server = await startFixtureServer({ root: app.served });
	return {
		...app,
		server,
		close: async () => {
			await server.close();
			app.dispose();
		},
	};
}

/** The 1-based line and column of the first `needle` in `text` (a served position, as a finding gives it). */
export function positionOf(text: string, needle: string): { line: number; column: number } {
	const at = text.indexOf(needle);
	if (at < 0) throw new Error(`"${needle}" is not in the text`);
	const before = text.slice(0, at).split('\n');
	return { line: before.length, column: before[before.length - 1].length + 1 };
}
