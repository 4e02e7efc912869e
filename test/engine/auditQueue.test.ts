import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { AuditQueue } from '../../src/engine/auditQueue';
import { AuditError } from '../../src/engine/errors';
import { deferred } from '../helpers/async';

const code = (c: string) => (err: unknown) => err instanceof AuditError && err.code === c;

describe('AuditQueue', () => {
	it('runs at most `concurrency` tasks and starts the next when one ends', async () => {
		const queue = new AuditQueue({ concurrency: 2, queueSize: 5 });
		const gates = [deferred(), deferred(), deferred()];
		const started: number[] = [];
		const runs = gates.map((g, i) => queue.run(async () => (started.push(i), await g.promise, i)));
		assert.deepEqual([queue.activeCount, queue.pendingCount, started], [2, 1, [0, 1]]);
		gates[0]?.resolve();
		assert.equal(await runs[0], 0);
		assert.deepEqual([queue.activeCount, queue.pendingCount, started], [2, 0, [0, 1, 2]]);
		gates[1]?.resolve();
		gates[2]?.resolve();
		assert.deepEqual(await Promise.all(runs), [0, 1, 2]);
		assert.deepEqual([queue.activeCount, queue.pendingCount], [0, 0]);
	});

	it('answers BUSY past the queue size, without starting the task', async () => {
		const queue = new AuditQueue({ concurrency: 1, queueSize: 1 });
		const gate = deferred();
		const first = queue.run(() => gate.promise);
		const second = queue.run(() => gate.promise);
		let ran = false;
		await assert.rejects(
			queue.run(async () => void (ran = true)),
			code('BUSY'),
		);
		assert.equal(ran, false);
		gate.resolve();
		await Promise.all([first, second]);
	});

	it('takes an aborted task out of the queue at once, frees its place, and never starts it', async () => {
		const queue = new AuditQueue({ concurrency: 1, queueSize: 1 });
		const gate = deferred();
		const running = queue.run(() => gate.promise);
		const cancel = new AbortController();
		let ran = false;
		const queued = queue.run(async () => void (ran = true), cancel.signal);
		assert.equal(queue.pendingCount, 1);
		cancel.abort(new AuditError('TIMEOUT', 'too late'));
		assert.equal(queue.pendingCount, 0, 'the place is free before any await');
		await assert.rejects(queued, code('TIMEOUT'));
		// The freed place takes a new task: no false BUSY.
		const next = queue.run(async () => 'next');
		gate.resolve();
		await running;
		assert.equal(await next, 'next');
		assert.equal(ran, false);
	});

	it('refuses a task whose signal is already aborted', async () => {
		const queue = new AuditQueue({ concurrency: 1, queueSize: 1 });
		await assert.rejects(
			queue.run(async () => 1, AbortSignal.abort(new AuditError('CANCELLED', 'x'))),
			code('CANCELLED'),
		);
	});

	it('settles every waiting promise when cleared', async () => {
		const queue = new AuditQueue({ concurrency: 1, queueSize: 3 });
		const gate = deferred();
		const running = queue.run(() => gate.promise);
		const waiting = [queue.run(async () => 1), queue.run(async () => 2)];
		assert.equal(queue.clear(new AuditError('SHUTTING_DOWN', 'bye')), 2);
		for (const w of waiting) await assert.rejects(w, code('SHUTTING_DOWN'));
		gate.resolve();
		await running;
	});

	it('starts waiting tasks when its concurrency is raised live', async () => {
		const queue = new AuditQueue({ concurrency: 1, queueSize: 2 });
		const gate = deferred();
		const running = queue.run(() => gate.promise);
		let started = false;
		const waiting = queue.run(async () => void (started = true));
		queue.configure({ concurrency: 2, queueSize: 2 });
		await waiting;
		assert.equal(started, true);
		gate.resolve();
		await running;
	});

	it('checks its limits', () => {
		assert.throws(() => new AuditQueue({ concurrency: 0, queueSize: 1 }), TypeError);
		assert.throws(() => new AuditQueue({ concurrency: 1, queueSize: -1 }), TypeError);
	});
});
