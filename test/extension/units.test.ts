import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuditProgress, expectedStages } from '../../src/extension/audits/auditProgress';
import { discoverDevServers, isUp } from '../../src/extension/audits/devServer';
import { RestartPolicy } from '../../src/extension/engine/restartPolicy';
import { SaveScheduler } from '../../src/extension/audits/saveScheduler';
import { Scope } from '../../src/extension/scope';
import { parseAuditUrl, pushRecent } from '../../src/extension/audits/urls';
import { DoneMessage, ReadyCommand, StagesMessage } from '../../src/webview/protocol';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait for a condition that a timer in the code under test will make true. */
async function until(condition: () => boolean): Promise<void> {
	for (let i = 0; i < 500 && !condition(); i++) await sleep(5);
	assert.ok(condition(), 'timed out waiting for the condition');
}

describe('Audit URL input', () => {
	it('accepts http(s) URLs and adds a scheme when missing', () => {
		assert.deepEqual(parseAuditUrl('https://example.com'), { url: 'https://example.com/' });
		assert.deepEqual(parseAuditUrl('example.com/pricing'), { url: 'https://example.com/pricing' });
		assert.deepEqual(parseAuditUrl('localhost:3000'), { url: 'http://localhost:3000/' });
		assert.deepEqual(parseAuditUrl(' 127.0.0.1:5173/app '), { url: 'http://127.0.0.1:5173/app' });
	});

	it('rejects what cannot be audited, saying why', () => {
		for (const bad of ['', 'ftp://example.com', 'file:///etc/passwd', 'http://exa mple.com', 'https://']) {
			const r = parseAuditUrl(bad);
			assert.ok('error' in r, `${bad} should be rejected`);
		}
		assert.match((parseAuditUrl('javascript://x') as { error: string }).error, /Only http and https/);
	});

	it('keeps recent URLs most recent first, without duplicates, bounded', () => {
		assert.deepEqual(pushRecent(['b', 'a', 'c'], 'a', 3), ['a', 'b', 'c']);
		assert.deepEqual(pushRecent(['a', 'b', 'c'], 'd', 3), ['d', 'a', 'b']);
		assert.throws(() => pushRecent([], 'a', 0), TypeError);
	});
});

describe('Audit on save scheduling', () => {
	it('debounces a burst of saves into one audit', async () => {
		let runs = 0;
		const s = new SaveScheduler(
			async () => void runs++,
			() => 30,
		);
		for (let i = 0; i < 5; i++) s.trigger();
		await sleep(80);
		await s.idle();
		assert.equal(runs, 1);
	});

	it('runs at most one audit at a time plus one pending, whatever the number of saves', async () => {
		let running = 0;
		let maxRunning = 0;
		let runs = 0;
		// Each run waits until the test lets it finish: the saves surely land while the first one runs.
		const finish: (() => void)[] = [];
		let started: () => void = () => undefined;
		const s = new SaveScheduler(
			async () => {
				running++;
				maxRunning = Math.max(maxRunning, running);
				runs++;
				started();
				await new Promise<void>((resolve) => finish.push(resolve));
				running--;
			},
			() => 5,
		);
		const firstStarted = new Promise<void>((resolve) => (started = resolve));
		s.trigger();
		await firstStarted;
		for (let i = 0; i < 4; i++) {
			s.trigger();
			await sleep(10);
		}
		await until(() => s.isPending);
		assert.equal(runs, 1, 'the saves during a run wait for it');
		const secondStarted = new Promise<void>((resolve) => (started = resolve));
		finish.shift()!();
		await secondStarted;
		assert.equal(s.isPending, false, 'four saves during the run made one pending run');
		finish.shift()!();
		await s.idle();
		assert.equal(maxRunning, 1);
		assert.equal(runs, 2);
	});

	it('keeps going after a failed run and reports the error', async () => {
		const errors: unknown[] = [];
		let runs = 0;
		const s = new SaveScheduler(
			async () => {
				runs++;
				if (runs === 1) throw new Error('boom');
			},
			() => 0,
			(e) => errors.push(e),
		);
		s.trigger();
		await sleep(10);
		await s.idle();
		s.trigger();
		await sleep(10);
		await s.idle();
		assert.equal(runs, 2);
		assert.equal(errors.length, 1);
	});
});

describe('Engine restart policy', () => {
	it('backs off exponentially, then gives up on a crash loop', () => {
		const p = new RestartPolicy(100, 1000, 3, 60_000);
		assert.equal(p.onCrash(0), 100);
		assert.equal(p.onCrash(1), 200);
		assert.equal(p.onCrash(2), 400);
		assert.equal(p.onCrash(3), undefined);
	});

	it('forgets crashes outside the window and after a manual restart', () => {
		const p = new RestartPolicy(100, 1000, 2, 1000);
		p.onCrash(0);
		p.onCrash(10);
		assert.equal(p.onCrash(5000), 100);
		p.onCrash(5001);
		p.reset();
		assert.equal(p.onCrash(5002), 100);
	});
});

describe('Audit progress', () => {
	it('reports per-stage progress that adds up to 100 at the end', () => {
		const t = new AuditProgress(expectedStages(['mobile', 'desktop']));
		const base = { auditId: 'a', url: 'http://x/' };
		let total = 0;
		const steps = [
			t.update({ ...base, stage: 'audit', state: 'queued', position: 2 }),
			t.update({ ...base, stage: 'audit', state: 'started' }),
			t.update({ ...base, stage: 'capture', state: 'started' }),
			t.update({ ...base, stage: 'capture', state: 'done' }),
			t.update({ ...base, stage: 'cro', state: 'done' }),
			t.update({ ...base, stage: 'lighthouse-mobile', state: 'done' }),
			t.update({ ...base, stage: 'lighthouse-desktop', state: 'error' }),
			t.update({ ...base, stage: 'audit', state: 'done' }),
		];
		assert.equal(steps[0].message, 'Queued (position 2)');
		assert.match(steps[2].message, /Running Screenshots/);
		assert.match(steps[4].message, /2\/4 stages/);
		for (const s of steps) {
			assert.ok(s.increment >= 0);
			total += s.increment;
		}
		assert.equal(total, 100);
	});
});

describe('Scope', () => {
	it('disposes newest first, keeps going after a failure, and can be reused', () => {
		const order: number[] = [];
		const scope = new Scope();
		scope.push({ dispose: () => order.push(1) });
		scope.push({
			dispose: () => {
				throw new Error('x');
			},
		});
		scope.push({ dispose: () => order.push(3) });
		assert.throws(() => scope.dispose(), AggregateError);
		assert.deepEqual(order, [3, 1]);
		assert.equal(scope.size, 0);
		scope.push({ dispose: () => order.push(4) });
		scope.dispose();
		assert.deepEqual(order, [3, 1, 4]);
	});
});

describe('Webview messages', () => {
	it('recognise their own type only', () => {
		const msg = StagesMessage.create({ stages: {}, images: {} });
		assert.equal(StagesMessage.is(msg), true);
		assert.equal(DoneMessage.is(msg), false);
		assert.equal(ReadyCommand.is({ method: 'ready' }), false, 'params are required');
		assert.equal(ReadyCommand.is(null), false);
		assert.equal(ReadyCommand.is('ready'), false);
	});
});

describe('Dev server discovery', () => {
	it('finds a server listening on one of the given ports and not the closed ones', async () => {
		const server = http.createServer((_req, res) => res.end('ok'));
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		const { port } = server.address() as AddressInfo;
		const closed = http.createServer();
		await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
		const closedPort = (closed.address() as AddressInfo).port;
		await new Promise<void>((r) => closed.close(() => r()));
		try {
			assert.deepEqual(await discoverDevServers([closedPort, port], '127.0.0.1'), [`http://127.0.0.1:${port}/`]);
			assert.equal(await isUp(`http://127.0.0.1:${closedPort}/`, 500), false);
			assert.equal(await isUp('not a url'), false);
		} finally {
			await new Promise<void>((r) => server.close(() => r()));
		}
	});
});
