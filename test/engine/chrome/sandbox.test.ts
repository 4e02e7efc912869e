import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromeSandbox, probeSandbox, sandboxVerdict, type SandboxFacts } from '../../../src/engine/chrome/sandbox';
import { createLogger } from '../../../src/engine/log';

const CHROMIUM = process.env.CHROME_PATH || '/usr/bin/chromium';
const AS_NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/** The files Node reads to load these modules as another user: their require tree and the package.json above. */
function filesToLoad(modules: string[]): string[] {
	const files = new Set<string>([process.execPath]);
	const visit = (m: NodeJS.Module | undefined) => {
		if (!m || files.has(m.filename)) return;
		files.add(m.filename);
		for (let dir = path.dirname(m.filename); dir !== path.dirname(dir); dir = path.dirname(dir)) {
			if (fs.existsSync(path.join(dir, 'package.json'))) files.add(path.join(dir, 'package.json'));
		}
		m.children.forEach(visit);
	};
	for (const file of modules) {
		require(file);
		visit(require.cache[require.resolve(file)]);
	}
	return [...files];
}

/** The first of `files` that nobody may not read (a folder on its way it may not enter, or the file itself). */
function unreadableByNobody(files: string[]): string | undefined {
	const check = 'for f; do test -r "$f" || { echo "$f"; exit 1; }; done';
	const r = spawnSync('/usr/bin/setpriv', [...AS_NOBODY, '/bin/sh', '-c', check, 'sh', ...files], { encoding: 'utf8' });
	return r.status === 0 ? undefined : r.stdout.trim() || r.stderr.trim() || `setpriv exited with ${r.status}`;
}

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
		const unreadable = unreadableByNobody(filesToLoad([sandbox, logModule]));
		if (unreadable) {
			// A clone in a folder only root may enter (root's home, a mktemp -d folder): nobody cannot run the build.
			this.test!.title += ` (skipped: nobody cannot read ${unreadable})`;
			fs.rmSync(home, { recursive: true, force: true });
			this.skip();
		}
		const script = `require(${JSON.stringify(sandbox)}).chromeSandbox(${JSON.stringify(CHROMIUM)}, require(${JSON.stringify(logModule)}).createLogger('debug')).then((on) => console.log('sandbox=' + on))`;
		try {
			const out = await new Promise<string>((resolve) => {
				const child = spawn('/usr/bin/setpriv', [...AS_NOBODY, process.execPath, '-e', script], {
					env: { ...process.env, HOME: home, TMPDIR: home },
					stdio: ['ignore', 'pipe', 'pipe'],
				});
				let text = '';
				child.stdout.on('data', (c: Buffer) => (text += c.toString()));
				child.stderr.on('data', (c: Buffer) => (text += c.toString()));
				child.on('close', () => resolve(text));
			});
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
