import fs from 'node:fs';
import path from 'node:path';
import { AuditError } from '../errors';

/**
 * Flags every Chrome the engine starts gets (headless, quiet, no network chatter). Whether
 * `--no-sandbox` is added is decided once per engine by `chromeSandbox()`.
 */
export const CHROME_FLAGS = [
	'--headless=new',
	'--disable-gpu',
	'--disable-dev-shm-usage',
	'--disable-background-networking',
	'--disable-component-update',
	'--no-first-run',
	'--no-default-browser-check',
	'--disable-sync',
	'--disable-quic',
	'--disable-extensions',
	'--mute-audio',
];

/** What `findChrome` looks at; tests pass their own. */
export interface ChromeSearch {
	platform: NodeJS.Platform;
	env: NodeJS.ProcessEnv;
	isExecutable(file: string): boolean;
	/** chrome-launcher's discovery: installations, best first. */
	discover(): Promise<string[]>;
}

/** Where Chrome or Chromium usually is, when chrome-launcher found nothing (or could not run). */
export function knownChromePaths(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
	if (platform === 'win32') {
		const roots = [env.LOCALAPPDATA, env.PROGRAMFILES, env['PROGRAMFILES(X86)']].filter((r): r is string => !!r);
		return roots.flatMap((root) => [
			path.win32.join(root, 'Google', 'Chrome', 'Application', 'chrome.exe'),
			path.win32.join(root, 'Chromium', 'Application', 'chrome.exe'),
		]);
	}
	if (platform === 'darwin') {
		const apps = ['/Applications', ...(env.HOME ? [path.posix.join(env.HOME, 'Applications')] : [])];
		return apps.flatMap((dir) => [
			`${dir}/Google Chrome.app/Contents/MacOS/Google Chrome`,
			`${dir}/Chromium.app/Contents/MacOS/Chromium`,
		]);
	}
	return [
		'/usr/bin/chromium',
		'/usr/bin/chromium-browser',
		'/usr/bin/google-chrome',
		'/usr/bin/google-chrome-stable',
		'/snap/bin/chromium',
		'/opt/google/chrome/chrome',
	];
}

function isExecutable(file: string): boolean {
	try {
		fs.accessSync(file, fs.constants.X_OK);
		return fs.statSync(file).isFile();
	} catch {
		return false;
	}
}

/**
 * chrome-launcher's own search (Windows, macOS, Linux, WSL). It is ESM-only: a real dynamic import, which tsc and
 * esbuild keep.
 */
async function discoverWithChromeLauncher(): Promise<string[]> {
	const { Launcher } = await import('chrome-launcher');
	return Launcher.getInstallations();
}

export const defaultChromeSearch: ChromeSearch = {
	platform: process.platform,
	env: process.env,
	isExecutable,
	discover: discoverWithChromeLauncher,
};

/** What chrome-launcher found, kept for the engine's life: its search runs `which`, `lsregister` or registry reads. */
let discovered: Promise<string[]> | undefined;

/**
 * The Chrome/Chromium binary to use, in this order: the `chromePath` setting (or --chrome-path), CHROME_PATH,
 * chrome-launcher's discovery, then known install paths. Rejects with CHROME_NOT_FOUND saying what was tried.
 */
export async function findChrome(setting?: string, search: ChromeSearch = defaultChromeSearch): Promise<string> {
	if (setting) {
		if (search.isExecutable(setting)) return setting;
		throw new AuditError(
			'CHROME_NOT_FOUND',
			`The Chrome path setting points at "${setting}", which is not an executable file. Fix the "auditlens.chromePath" setting (or --chrome-path), or clear it to let AuditLens find Chrome.`,
		);
	}
	const env = search.env.CHROME_PATH;
	if (env) {
		if (search.isExecutable(env)) return env;
		throw new AuditError(
			'CHROME_NOT_FOUND',
			`CHROME_PATH is set to "${env}", which is not an executable file. Point it at a Chrome or Chromium binary, or unset it.`,
		);
	}
	let launcherNote: string;
	try {
		const pending = search === defaultChromeSearch ? (discovered ??= search.discover()) : search.discover();
		const installations = await pending;
		const found = installations.find((file) => search.isExecutable(file));
		if (found) return found;
		// Look again next time: Chrome may be installed meanwhile.
		if (search === defaultChromeSearch) discovered = undefined;
		launcherNote = installations.length
			? `chrome-launcher's discovery (found ${installations.join(', ')}, none executable)`
			: "chrome-launcher's discovery (found none)";
	} catch (err) {
		if (search === defaultChromeSearch) discovered = undefined;
		launcherNote = `chrome-launcher's discovery (failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)})`;
	}
	const known = knownChromePaths(search.platform, search.env);
	const found = known.find((file) => search.isExecutable(file));
	if (found) return found;
	const install =
		search.platform === 'linux' ? 'Debian/Ubuntu: "sudo apt-get install chromium"' : 'install Google Chrome';
	throw new AuditError(
		'CHROME_NOT_FOUND',
		`No Chrome or Chromium was found. Tried: the "auditlens.chromePath" setting / --chrome-path (not set), CHROME_PATH (not set), ${launcherNote}, ${known.join(', ')}. ` +
			`Install one (${install}), or set CHROME_PATH or the "auditlens.chromePath" setting to its binary.`,
	);
}
