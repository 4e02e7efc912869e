import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ROOT } from './engineProcess';

const CHROMIUM = process.env.CHROME_PATH || '/usr/bin/chromium';

/**
 * Mocha hooks for the tests of a webview bundle (dist/`bundle`): one Chromium for the `describe` it is called in
 * (the tests are skipped where there is none), closed after. Returns the browser once `before` has run.
 */
export function useWebviewBrowser(bundle: string): () => Browser {
	let browser: Browser | undefined;
	before(async function () {
		if (!fs.existsSync(path.join(ROOT, 'dist', bundle)))
			throw new Error(`dist/${bundle} is missing: run \`npm run build\` first`);
		if (!fs.existsSync(CHROMIUM)) this.skip();
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
		});
	});
	after(async () => {
		await browser?.close();
	});
	return () => {
		if (!browser)
			throw new Error('useWebviewBrowser: the browser is not launched yet (use it in a test or beforeEach)');
		return browser;
	};
}
