import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { waitFor } from '../helpers/engineProcess';

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

describe('orphan watchdog', function () {
	it('kills only the processes marked with its engine pid once the engine is SIGKILLed', async () => {
		const watchdog = path.join(__dirname, '..', '..', 'src', 'engine', 'chrome', 'watchdog.js');
		const engine = spawn(process.execPath, ['-e', `require(${JSON.stringify(watchdog)}).startOrphanWatchdog(); setInterval(() => {}, 1000);`], { stdio: 'ignore' });
		await new Promise((r) => setTimeout(r, 300));
		// $0 of `sh -c` shows in the command line, so these stand in for a marked Chrome and for an
		// unrelated process (with dashes and a near-miss marker in its command line).
		const marked = spawn('/bin/sh', ['-c', 'sleep 300; true', `auditlens-engine-${engine.pid}-profile`], { detached: true, stdio: 'ignore' });
		const bystander = spawn('/bin/sh', ['-c', 'sleep 300; true', `--bystander-auditlens-engine-${engine.pid! + 1}-x`], { detached: true, stdio: 'ignore' });
		try {
			await new Promise((r) => setTimeout(r, 300));
			assert.ok(alive(marked.pid!) && alive(bystander.pid!));
			engine.kill('SIGKILL');
			await waitFor(() => !alive(marked.pid!), 5000, 'the marked process to be killed');
			await new Promise((r) => setTimeout(r, 1500));
			assert.ok(alive(bystander.pid!), 'an unmarked process survives');
		} finally {
			for (const p of [marked, bystander, engine]) if (p.pid && alive(p.pid)) process.kill(p.pid, 'SIGKILL');
		}
	});
});
