import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cmdline, isAlive as alive, waitFor } from '../helpers/engineProcess';

describe('orphan watchdog', function () {
	it('kills only the processes marked with its engine pid once the engine is SIGKILLed', async () => {
		const watchdog = path.join(__dirname, '..', '..', 'src', 'engine', 'chrome', 'watchdog.js');
		const engine = spawn(process.execPath, ['-e', `require(${JSON.stringify(watchdog)}).startOrphanWatchdog(); setInterval(() => {}, 1000);`], { stdio: 'ignore' });
		// The watchdog is the shell the engine started that waits on it: once it runs, the engine may die.
		let watcher = 0;
		await waitFor(
			() => {
				watcher = childrenOf(engine.pid!).find((pid) => cmdline(pid).includes(`kill -0 ${engine.pid}`)) ?? 0;
				return watcher > 0;
			},
			10_000,
			'the watchdog shell to start',
		);
		// $0 of `sh -c` shows in the command line, so these stand in for a marked Chrome and for an
		// unrelated process (with dashes and a near-miss marker in its command line).
		const marked = spawn('/bin/sh', ['-c', 'sleep 300; true', `auditlens-engine-${engine.pid}-profile`], { detached: true, stdio: 'ignore' });
		const bystander = spawn('/bin/sh', ['-c', 'sleep 300; true', `--bystander-auditlens-engine-${engine.pid! + 1}-x`], { detached: true, stdio: 'ignore' });
		try {
			assert.ok(alive(marked.pid!) && alive(bystander.pid!));
			engine.kill('SIGKILL');
			await waitFor(() => !alive(marked.pid!), 5000, 'the marked process to be killed');
			// Once the watchdog has finished its sweep, whatever it spared stays spared.
			await waitFor(() => !alive(watcher), 10_000, 'the watchdog to finish');
			assert.ok(alive(bystander.pid!), 'an unmarked process survives');
		} finally {
			for (const p of [marked, bystander, engine]) if (p.pid && alive(p.pid)) process.kill(p.pid, 'SIGKILL');
		}
	});
});

/** Pids whose parent is `ppid`. */
function childrenOf(ppid: number): number[] {
	const out: number[] = [];
	for (const e of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(e)) continue;
		try {
			// The command name in field 2 may hold spaces and parentheses: the fields after its last ')' are plain.
			const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
			if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) out.push(Number(e));
		} catch {
			// gone
		}
	}
	return out;
}
