/** The oldest Node the engine and the CLI run on: Lighthouse 13's `engines` (bin/auditlens.js checks it too). */
export const MIN_NODE_VERSION = '22.19.0';

/** Whether `version` (`22.19.0`, `v24.1.0`) is at least MIN_NODE_VERSION. Pure. */
export function nodeVersionOk(version: string): boolean {
	const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
	const [minMajor, minMinor] = MIN_NODE_VERSION.split('.').map(Number);
	if (!Number.isFinite(major) || !Number.isFinite(minor)) return false;
	return major > minMajor || (major === minMajor && minor >= minMinor);
}
