// Bundles the extension, the engine, its Lighthouse worker, the CLI and the webview scripts into dist/.
//   node esbuild.js            build once
//   node esbuild.js --watch    rebuild on change
//   node esbuild.js --minify   minified (used by `npm run package`)
// A missing entry fails the build: a renamed source would otherwise ship without its bundle.
'use strict';
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const watch = process.argv.includes('--watch');
const minify = process.argv.includes('--minify');

/** Loaded at run time from node_modules: ESM with import.meta.url (lighthouse), or known to break when bundled. */
const engineExternals = [
	'lighthouse',
	'lighthouse/*',
	'playwright-core',
	'playwright-core/*',
	'chrome-launcher',
	'@puppeteer/browsers',
	'sql.js',
];

const node = {
	bundle: true,
	platform: 'node',
	format: 'cjs',
	target: 'node20',
	sourcemap: true,
	minify,
	logLevel: 'info',
};
/** The webview scripts: the result panel and the Site view. */
const browser = {
	bundle: true,
	platform: 'browser',
	format: 'iife',
	target: 'es2022',
	sourcemap: true,
	minify,
	logLevel: 'info',
};

/** @type {import('esbuild').BuildOptions[]} */
const entries = [
	{ ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
	{ ...node, entryPoints: ['src/engine/main.ts'], outfile: 'dist/engine.js', external: engineExternals },
	{
		...node,
		entryPoints: ['src/engine/lighthouse/worker.ts'],
		outfile: 'dist/lighthouseWorker.js',
		external: engineExternals,
	},
	{ ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', external: engineExternals },
	{ ...browser, entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js' },
	{ ...browser, entryPoints: ['src/webview/site.ts'], outfile: 'dist/siteView.js' },
];

async function main() {
	const missing = entries.map((e) => e.entryPoints[0]).filter((src) => !fs.existsSync(path.join(__dirname, src)));
	if (missing.length > 0) {
		console.error(
			`[esbuild] entry not found: ${missing.join(', ')}. Renamed or moved? Update the entries in esbuild.js.`,
		);
		process.exit(1);
	}
	if (watch) {
		for (const options of entries) {
			const ctx = await esbuild.context(options);
			await ctx.watch();
		}
		console.log('[esbuild] watching…');
		return;
	}
	await Promise.all(entries.map((options) => esbuild.build(options)));
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
