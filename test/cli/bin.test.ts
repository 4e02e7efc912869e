import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { nodeVersionOk } from '../../src/shared/nodeVersion';
import { ROOT } from '../helpers/engineProcess';

/** A Node older than 22.19 on this machine (the system's, on the machines this project is set up for), if any. */
function findOldNode(): { bin: string; version: string } | undefined {
	const dirs = (process.env.PATH ?? '').split(path.delimiter).concat(['/usr/bin', '/usr/local/bin']);
	for (const dir of dirs) {
		const bin = path.join(dir, 'node');
		if (!fs.existsSync(bin)) continue;
		try {
			const version = execFileSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 10_000 }).trim();
			if (!nodeVersionOk(version)) return { bin, version };
		} catch {
			// not a runnable Node
		}
	}
	return undefined;
}

describe('auditlens on a Node older than 22.19', function () {
	this.timeout(30_000);

	it('says which Node it needs and how to get one, exit 1, no stack trace', function () {
		const old = findOldNode();
		// Only a machine with an old Node can show this; the project's own scripts run on 22.19+.
		if (!old) this.skip();
		const run = spawnSync(old.bin, [path.join(ROOT, 'bin', 'auditlens.js'), 'audit', 'http://127.0.0.1:9/'], {
			encoding: 'utf8',
			timeout: 20_000,
		});
		assert.equal(run.status, 1, run.stderr);
		assert.equal(run.stdout, '');
		assert.match(run.stderr, /needs Node\.js 22\.19 or newer/);
		assert.ok(run.stderr.includes(`this is Node ${old.version}`), run.stderr);
		assert.match(run.stderr, /scripts\/setup\.sh/);
		assert.doesNotMatch(run.stderr, /\n\s+at /, 'a stack trace');
	});
});
