import { execFile } from 'node:child_process';

const versions = new Map<string, Promise<string | undefined>>();

/**
 * The version a Chrome binary reports (`chromium --version`, e.g. `Chromium 131.0.6778.85`), read once per
 * binary and kept. Undefined when the binary does not answer in time: audits go on, only unlabelled.
 */
export function chromeVersion(binary: string): Promise<string | undefined> {
	let version = versions.get(binary);
	if (!version) {
		version = new Promise((resolve) => {
			execFile(binary, ['--version'], { timeout: 15_000, encoding: 'utf8' }, (err, stdout) => {
				// Debian's wrapper script prints a shell warning on stderr; the version is stdout's first line.
				const line = err ? '' : (stdout.split('\n').find((l) => /\d+\.\d+/.test(l)) ?? '');
				resolve(line.replace(/\s+built on .*$/, '').trim() || undefined);
			});
		});
		versions.set(binary, version);
	}
	return version;
}
