import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
	defaultChromeSearch,
	findChrome,
	knownChromePaths,
	type ChromeSearch,
} from '../../../src/engine/chrome/findChrome';
import { chromeSandbox, probeSandbox, sandboxVerdict, type SandboxFacts } from '../../../src/engine/chrome/sandbox';
import { AuditError } from '../../../src/engine/errors';
import { createLogger } from '../../../src/engine/log';

const CHROMIUM = process.env.CHROME_PATH || '/usr/bin/chromium';

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

describe('Chrome sandbox decision', function () {
	this.timeout(60_000);
	const linuxUser: SandboxFacts = {
		platform: 'linux',
		uid: 1000,
		unprivilegedUsernsClone: '1\n',
		maxUserNamespaces: '63000\n',
		suidHelper: false,
	};

	it('is off as root, with the reason', () => {
		const verdict = sandboxVerdict({ ...linuxUser, uid: 0 });
		assert.equal(verdict.sandbox, 'off');
		assert.match(verdict.sandbox === 'off' ? verdict.reason : '', /runs as root/);
		assert.equal(sandboxVerdict({ platform: 'darwin', uid: 0, suidHelper: false }).sandbox, 'off');
	});

	it('is off where user namespaces are turned off and there is no setuid helper', () => {
		const cases: [Partial<SandboxFacts>, RegExp][] = [
			[{ unprivilegedUsernsClone: '0\n' }, /kernel\.unprivileged_userns_clone is 0/],
			[{ maxUserNamespaces: '0\n' }, /user\.max_user_namespaces is 0/],
			[{ apparmorRestrictsUserns: '1\n' }, /apparmor_restrict_unprivileged_userns is 1/],
		];
		for (const [over, reason] of cases) {
			const verdict = sandboxVerdict({ ...linuxUser, ...over });
			assert.equal(verdict.sandbox, 'off', JSON.stringify(over));
			assert.match(verdict.sandbox === 'off' ? verdict.reason : '', reason);
			assert.equal(
				sandboxVerdict({ ...linuxUser, ...over, suidHelper: true }).sandbox,
				'probe',
				'the setuid helper may still work',
			);
		}
	});

	it('needs a test launch on Linux otherwise, and is on for a normal user on macOS and Windows', () => {
		assert.equal(sandboxVerdict(linuxUser).sandbox, 'probe');
		assert.equal(sandboxVerdict({ ...linuxUser, unprivilegedUsernsClone: undefined }).sandbox, 'probe');
		assert.equal(sandboxVerdict({ platform: 'darwin', uid: 501, suidHelper: false }).sandbox, 'on');
		assert.equal(sandboxVerdict({ platform: 'win32', uid: undefined, suidHelper: false }).sandbox, 'on');
	});

	it('tells from a real test launch that the sandbox cannot start as root', async function () {
		if (process.getuid?.() !== 0 || !fs.existsSync(CHROMIUM)) this.skip();
		assert.match((await probeSandbox(CHROMIUM)) ?? 'it started', /failed \(exit \d+.*(root|sandbox)/i);
	});

	it('turns the sandbox on for a normal user where a test launch with it works (run as nobody)', async function () {
		if (process.getuid?.() !== 0 || !fs.existsSync(CHROMIUM) || !fs.existsSync('/usr/bin/setpriv')) this.skip();
		const home = fs.mkdtempSync(path.join(os.tmpdir(), 'al-'));
		fs.chmodSync(home, 0o777);
		const sandbox = path.join(__dirname, '..', '..', '..', 'src', 'engine', 'chrome', 'sandbox.js');
		const logModule = path.join(__dirname, '..', '..', '..', 'src', 'engine', 'log.js');
		const script = `require(${JSON.stringify(sandbox)}).chromeSandbox(${JSON.stringify(CHROMIUM)}, require(${JSON.stringify(logModule)}).createLogger('debug')).then((on) => console.log('sandbox=' + on))`;
		try {
			const out = await new Promise<string>((resolve) => {
				const child = spawn(
					'/usr/bin/setpriv',
					['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script],
					{
						env: { ...process.env, HOME: home, TMPDIR: home },
						stdio: ['ignore', 'pipe', 'pipe'],
					},
				);
				let text = '';
				child.stdout.on('data', (c: Buffer) => (text += c.toString()));
				child.stderr.on('data', (c: Buffer) => (text += c.toString()));
				child.on('close', () => resolve(text));
			});
			if (/EACCES|Cannot find module/.test(out)) this.skip(); // the build is not readable by nobody here
			assert.match(out, /sandbox=true/, out);
			assert.doesNotMatch(out, /Chrome sandbox off/);
		} finally {
			fs.rmSync(home, { recursive: true, force: true });
		}
	});

	it('decides once per Chrome and logs why it is off once', async function () {
		if (process.getuid?.() !== 0 || !fs.existsSync(CHROMIUM)) this.skip();
		// A path of its own, so that no earlier decision of this process is reused.
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-sandbox-'));
		const chrome = path.join(dir, 'chromium');
		fs.symlinkSync(CHROMIUM, chrome);
		const lines: string[] = [];
		const log = createLogger('debug', [(level, message) => lines.push(`${level} ${message}`)]);
		try {
			const answers = await Promise.all([chromeSandbox(chrome, log), chromeSandbox(chrome, log.child('capture'))]);
			answers.push(await chromeSandbox(chrome, log));
			assert.deepEqual(answers, [false, false, false]);
			const said = lines.filter((l) => l.includes('Chrome sandbox off'));
			assert.equal(said.length, 1, lines.join('\n'));
			assert.match(said[0], /^info Chrome sandbox off: the engine runs as root.*--no-sandbox/);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});
