import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
	defaultChromeSearch,
	findChrome,
	knownChromePaths,
	type ChromeSearch,
} from '../../../src/engine/chrome/findChrome';
import { AuditError } from '../../../src/engine/errors';

/** A search over a made-up machine: `files` are the executables that exist. */
function machine(files: string[], over: Partial<ChromeSearch> = {}): ChromeSearch & { discoveries: number } {
	const search = {
		platform: 'linux' as NodeJS.Platform,
		env: {},
		isExecutable: (file: string) => files.includes(file),
		discoveries: 0,
		discover: () => {
			search.discoveries++;
			return Promise.resolve(files.filter((f) => f.startsWith('/found/')));
		},
		...over,
	};
	return search;
}

async function notFound(search: ChromeSearch, setting?: string): Promise<string> {
	const err = await findChrome(setting, search).then(
		() => undefined,
		(e: unknown) => e,
	);
	assert.ok(err instanceof AuditError, 'rejects with an AuditError');
	assert.equal(err.code, 'CHROME_NOT_FOUND');
	return err.message;
}

describe('Chrome discovery', function () {
	it('takes the setting first, then CHROME_PATH, then chrome-launcher, then known paths', async () => {
		const all = ['/set/chrome', '/env/chrome', '/found/chrome', '/usr/bin/chromium'];
		const search = machine(all, { env: { CHROME_PATH: '/env/chrome' } });
		assert.equal(await findChrome('/set/chrome', search), '/set/chrome');
		assert.equal(await findChrome(undefined, search), '/env/chrome');
		assert.equal(search.discoveries, 0, 'no discovery when the path is given');
		assert.equal(await findChrome(undefined, machine(all)), '/found/chrome');
		assert.equal(await findChrome(undefined, machine(['/usr/bin/chromium'])), '/usr/bin/chromium');
	});

	it('refuses a setting or CHROME_PATH that is not an executable, without looking elsewhere', async () => {
		const search = machine(['/usr/bin/chromium'], { env: { CHROME_PATH: '/nope/chrome' } });
		assert.match(await notFound(search, '/typo/chrome'), /setting points at "\/typo\/chrome".*chromePath/);
		assert.match(await notFound(search), /CHROME_PATH is set to "\/nope\/chrome"/);
	});

	it('falls back to known paths when chrome-launcher fails, and says so when nothing is found', async () => {
		const failing = () => Promise.reject(new Error('lsregister: not found'));
		assert.equal(
			await findChrome(undefined, machine(['/snap/bin/chromium'], { discover: failing })),
			'/snap/bin/chromium',
		);
		const message = await notFound(machine([], { discover: failing }));
		assert.match(
			message,
			/Tried: .*CHROME_PATH \(not set\), chrome-launcher's discovery \(failed: lsregister: not found\), \/usr\/bin\/chromium, /,
		);
		assert.match(message, /apt-get install chromium/);
	});

	it('knows the Windows and macOS locations', async () => {
		const env = {
			LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local',
			PROGRAMFILES: 'C:\\Program Files',
			'PROGRAMFILES(X86)': 'C:\\Program Files (x86)',
		};
		const windows = knownChromePaths('win32', env);
		assert.ok(windows.includes('C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe'));
		assert.ok(windows.includes('C:\\Users\\ada\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe'));
		const message = await notFound(machine([], { platform: 'win32', env }));
		assert.match(message, /found none\), C:\\Users\\ada\\AppData\\Local\\Google\\Chrome\\Application\\chrome\.exe, /);
		assert.ok(
			knownChromePaths('darwin', { HOME: '/Users/ada' }).includes(
				'/Users/ada/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
			),
		);
		const mac = machine(['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'], { platform: 'darwin' });
		assert.equal(await findChrome(undefined, mac), '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome');
	});

	it("loads chrome-launcher (ESM) with a real import() and finds this machine's Chromium through it", async function () {
		if (process.platform !== 'linux' || !fs.existsSync('/usr/bin/chromium')) this.skip();
		const installations = await defaultChromeSearch.discover();
		assert.ok(installations.includes('/usr/bin/chromium'), JSON.stringify(installations));
		// Without CHROME_PATH, findChrome takes chrome-launcher's first executable installation.
		let asked = 0;
		const search: ChromeSearch = {
			...defaultChromeSearch,
			env: {},
			discover: () => (asked++, defaultChromeSearch.discover()),
		};
		assert.equal(
			await findChrome(undefined, search),
			installations.find((f) => defaultChromeSearch.isExecutable(f)),
		);
		assert.equal(asked, 1);
	});
});
