// Bundles the extension, the engine, its Lighthouse worker, the CLI and the webview scripts into dist/.
//   node esbuild.js            build once
//   node esbuild.js --watch    rebuild on change
//   node esbuild.js --minify   minified (used by `npm run package`)
// An entry whose source file does not exist yet is skipped, so the build works while parts are in progress.
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
	const present = entries.filter((e) => {
		const src = e.entryPoints[0];
		if (fs.existsSync(path.join(__dirname, src))) return true;
		console.warn(`[esbuild] skipping ${src}: not there yet`);
		return false;
	});
	if (watch) {
		for (const options of present) {
			const ctx = await esbuild.context(options);
			await ctx.watch();
		}
		console.log('[esbuild] watching…');
		return;
	}
	await Promise.all(present.map((options) => esbuild.build(options)));
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
