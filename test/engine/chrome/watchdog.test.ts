import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../../helpers/engineProcess';
import { alive, watchdogOf } from '../../helpers/orphanWatchdog';

describe('orphan watchdog', function () {
	this.timeout(30_000);

	it("kills only the processes marked with its engine pid once the engine is SIGKILLed, and removes only the engine's folder", async function () {
		if (process.platform === 'win32') this.skip();
		const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'al-'));
		const watchdog = path.join(__dirname, '..', '..', '..', 'src', 'engine', 'chrome', 'watchdog.js');
		// A stand-in engine: starts the watchdog and prints its own folder (its TMPDIR from then on).
		const engine = spawn(
			process.execPath,
			[
				'-e',
				`require(${JSON.stringify(watchdog)}).startOrphanWatchdog(); console.log(require('os').tmpdir()); setInterval(() => {}, 1000);`,
			],
			{
				stdio: ['ignore', 'pipe', 'ignore'],
				env: { ...process.env, TMPDIR: tmp },
			},
		);
		const folder = await new Promise<string>((resolve) =>
			engine.stdout.once('data', (c: Buffer) => resolve(c.toString().trim())),
		);
		await waitFor(() => watchdogOf(engine.pid!) !== undefined, 10_000, 'the watchdog to start');
		const dog = watchdogOf(engine.pid!)!;
		assert.equal(path.dirname(folder), tmp);
		assert.match(path.basename(folder), new RegExp(`^auditlens-engine-${engine.pid}-`));
		fs.writeFileSync(path.join(folder, 'profile-file'), 'x');
		// Folders beside it with the same and a near-miss marker are not the engine's: they stay.
		const siblings = [`auditlens-engine-${engine.pid}-sibling`, `auditlens-engine-${engine.pid! + 1}-x`].map((n) =>
			path.join(tmp, n),
		);
		for (const s of siblings) fs.mkdirSync(s);
		// $0 of `sh -c` shows in the command line, so these stand in for a marked Chrome and for an
		// unrelated process (with dashes and a near-miss marker in its command line).
		const marked = spawn('/bin/sh', ['-c', 'sleep 300; true', `--user-data-dir=${folder}/pool1-x`], {
			detached: true,
			stdio: 'ignore',
		});
		const bystander = spawn('/bin/sh', ['-c', 'sleep 300; true', `--bystander-auditlens-engine-${engine.pid! + 1}-x`], {
			detached: true,
			stdio: 'ignore',
		});
		try {
			assert.ok(alive(marked.pid!) && alive(bystander.pid!));
			engine.kill('SIGKILL');
			await waitFor(() => !alive(dog), 15_000, 'the watchdog to finish');
			assert.ok(!alive(marked.pid!), 'the marked process is killed');
			assert.ok(alive(bystander.pid!), 'an unmarked process survives');
			assert.ok(!fs.existsSync(folder), "the engine's folder is removed");
			assert.deepEqual(
				fs.readdirSync(tmp).sort(),
				siblings.map((s) => path.basename(s)).sort(),
				'the folders beside it stay',
			);
		} finally {
			for (const p of [marked, bystander, engine]) if (p.pid && alive(p.pid)) process.kill(p.pid, 'SIGKILL');
			fs.rmSync(tmp, { recursive: true, force: true });
		}
	});
});
