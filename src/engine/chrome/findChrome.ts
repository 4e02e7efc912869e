import fs from 'node:fs';
import { AuditError } from '../errors';

/** Flags every Chrome the engine starts gets (headless, quiet, no network chatter; root-safe). */
export const CHROME_FLAGS = [
	'--headless=new',
	'--no-sandbox',
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

const WELL_KNOWN = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'];

function isExecutable(file: string): boolean {
	try {
		fs.accessSync(file, fs.constants.X_OK);
		return fs.statSync(file).isFile();
	} catch {
		return false;
	}
}

/**
 * The Chrome/Chromium binary to use: the `chromePath` setting, then CHROME_PATH, then chrome-launcher's
 * discovery, then well-known paths. Throws CHROME_NOT_FOUND with what to do when there is none.
 */
export function findChrome(setting?: string): string {
	if (setting) {
		if (isExecutable(setting)) return setting;
		throw new AuditError(
			'CHROME_NOT_FOUND',
			`The Chrome path setting points at "${setting}", which is not an executable file. Fix the "auditlens.chromePath" setting (or --chrome-path), or clear it to let AuditLens find Chrome.`,
		);
	}
	const env = process.env.CHROME_PATH;
	if (env) {
		if (isExecutable(env)) return env;
		throw new AuditError('CHROME_NOT_FOUND', `CHROME_PATH is set to "${env}", which is not an executable file. Point it at a Chrome or Chromium binary, or unset it.`);
	}
	try {
		const { Launcher } = require('chrome-launcher') as typeof import('chrome-launcher');
		const found = Launcher.getInstallations().find(isExecutable);
		if (found) return found;
	} catch {
		// discovery failed (no known install on this platform): fall through to well-known paths
	}
	const known = WELL_KNOWN.find(isExecutable);
	if (known) return known;
	throw new AuditError(
		'CHROME_NOT_FOUND',
		'No Chrome or Chromium was found. Install one (Debian/Ubuntu: "sudo apt-get install chromium"; macOS: install Google Chrome), or set CHROME_PATH / the "auditlens.chromePath" setting to its binary.',
	);
}
