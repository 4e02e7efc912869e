/**
 * The README's picture of a finding in the Problems panel with its quick fix: the static-site fixture workspace
 * opened in a real VS Code (code-server's), its index.html audited by the real engine, the light bulb's menu open
 * on the image-alt diagnostic. Not a test; rerun it when the Problems panel or the quick fixes change:
 *
 *   npm run compile && npm run build && node out/test/vscode/readmeShot.js   → media/problems-quick-fix.png
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exitWith, QUIET_SETTINGS, REPO, runInVsCode } from './launch';

const OUT = path.join(REPO, 'media', 'problems-quick-fix.png');

async function main(): Promise<number> {
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-shot-'));
	try {
		const workspace = path.join(tmp, 'static-site');
		fs.cpSync(path.join(REPO, 'test', 'fixtures', 'workspaces', 'static-site'), workspace, { recursive: true });
		fs.mkdirSync(path.join(workspace, '.vscode'));
		const settings = {
			...QUIET_SETTINGS,
			'auditlens.formFactors': ['mobile'],
			'editor.minimap.enabled': false,
			'editor.stickyScroll.enabled': false,
			'workbench.activityBar.location': 'hidden',
		};
		fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(settings, null, '\t'));
		// The driver in the extension host waits for this file: the picture is taken by then.
		const flag = path.join(tmp, 'shot-taken');
		process.env.AUDITLENS_SHOT_FLAG = flag;
		return await runInVsCode({
			extensionPath: REPO,
			testsPath: path.join(REPO, 'out', 'test', 'vscode', 'readmeShot', 'driver.js'),
			workspace,
			tmp,
			timeoutMs: 8 * 60_000,
			onHostLine: (line, page) => {
				if (!line.includes('AUDITLENS_SHOT_READY')) return;
				void (async () => {
					try {
						await page.locator('.action-widget').first().waitFor({ state: 'visible', timeout: 20_000 });
						await page.screenshot({ path: OUT });
						console.log(`wrote ${OUT}`);
					} finally {
						fs.writeFileSync(flag, 'done');
					}
				})();
			},
		});
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

exitWith(main);
