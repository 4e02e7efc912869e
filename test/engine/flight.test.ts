import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { AuditError } from '../../src/engine/errors';
import { SingleFlight } from '../../src/engine/flight';
import { deferred, until } from '../helpers/async';

/** A flight whose run waits for `gate`; `runSignal()` is the signal the run got. */
function gatedRun() {
	const flight = new SingleFlight<string>();
	const gate = deferred<void>();
	let signal: AbortSignal | undefined;
	const fn = async (s: AbortSignal) => {
		signal = s;
		await gate.promise;
		return 'done';
	};
	return { flight, gate, fn, runSignal: () => signal };
}

const isCancelled = (err: unknown) => err instanceof AuditError && err.code === 'CANCELLED';

describe('SingleFlight', () => {
	it('runs 20 concurrent identical requests once and gives all the result', async () => {
		const flight = new SingleFlight<{ score: number }>();
		let calls = 0;
		const gate = deferred();
		const fn = async () => {
			calls++;
			await gate.promise;
			return { score: 0.93 };
		};
		const all = Promise.all(Array.from({ length: 20 }, () => flight.run('k', fn)));
		gate.resolve();
		const results = await all;
		assert.equal(calls, 1);
		assert.equal(results.length, 20);
		for (const r of results) assert.strictEqual(r, results[0]);
		assert.equal(results[0]?.score, 0.93);
		assert.equal(flight.inFlight, 0);
	});

	it('runs different keys separately and counts them in flight', async () => {
		const flight = new SingleFlight<string>();
		const gate = deferred<void>();
		const a = flight.run('a', async () => (await gate.promise, 'A'));
		const b = flight.run('b', async () => (await gate.promise, 'B'));
		const a2 = flight.run('a', async () => 'never');
		assert.equal(flight.inFlight, 2);
		assert.equal(flight.waiters('a'), 2);
		gate.resolve();
		assert.deepEqual(await Promise.all([a, b, a2]), ['A', 'B', 'A']);
		assert.equal(flight.inFlight, 0);
	});

	it('starts a new run for a key once the previous one has finished', async () => {
		const flight = new SingleFlight<number>();
		let calls = 0;
		assert.equal(await flight.run('k', async () => ++calls), 1);
		assert.equal(await flight.run('k', async () => ++calls), 2);
	});

	it('a cancelled waiter rejects alone; the run goes on for the others', async () => {
		const { flight, gate, fn, runSignal } = gatedRun();
		const quitter = new AbortController();
		const first = flight.run('k', fn, quitter.signal);
		const others = [flight.run('k', fn), flight.run('k', fn, new AbortController().signal)];
		await until('the run to start', () => runSignal() !== undefined);
		quitter.abort();
		await assert.rejects(first, isCancelled);
		assert.equal(runSignal()?.aborted, false);
		gate.resolve();
		assert.deepEqual(await Promise.all(others), ['done', 'done']);
	});

	it('aborts the shared run only when every waiter has cancelled', async () => {
		const flight = new SingleFlight<string>();
		let runSignal: AbortSignal | undefined;
		const fn = (signal: AbortSignal) =>
			new Promise<string>((_resolve, reject) => {
				runSignal = signal;
				signal.addEventListener('abort', () => reject(signal.reason as Error));
			});
		const c1 = new AbortController();
		const c2 = new AbortController();
		const p1 = flight.run('k', fn, c1.signal);
		const p2 = flight.run('k', fn, c2.signal);
		await until('the run to start', () => runSignal !== undefined);
		c1.abort();
		await assert.rejects(p1, isCancelled);
		assert.equal(runSignal?.aborted, false);
		c2.abort();
		await assert.rejects(p2, isCancelled);
		assert.equal(runSignal?.aborted, true);
		assert.equal(flight.inFlight, 0);
		// A newcomer after everyone left gets a fresh run, not the aborted one.
		assert.equal(await flight.run('k', async () => 'fresh'), 'fresh');
	});

	it('keeps an AuditError reason of the waiter signal (e.g. a timeout)', async () => {
		const flight = new SingleFlight<string>();
		const c = new AbortController();
		const p = flight.run('k', () => new Promise<string>(() => undefined), c.signal);
		c.abort(new AuditError('TIMEOUT', 'The audit took longer than 1 s.'));
		await assert.rejects(p, (err: unknown) => err instanceof AuditError && err.code === 'TIMEOUT');
	});

	it('rejects at once for a signal that is already aborted, without running', async () => {
		const flight = new SingleFlight<string>();
		let calls = 0;
		await assert.rejects(
			flight.run('k', async () => String(++calls), AbortSignal.abort()),
			isCancelled,
		);
		assert.equal(calls, 0);
	});

	it('shares a failure with every waiter', async () => {
		const flight = new SingleFlight<string>();
		let calls = 0;
		const gate = deferred();
		const fn = async () => {
			calls++;
			await gate.promise;
			throw new AuditError('UNREACHABLE', 'Could not load https://example.com/.');
		};
		const settled = Promise.allSettled([flight.run('k', fn), flight.run('k', fn), flight.run('k', fn)]);
		gate.resolve();
		const all = await settled;
		assert.equal(calls, 1);
		for (const r of all) assert.ok(r.status === 'rejected' && (r.reason as AuditError).code === 'UNREACHABLE');
	});

	it('stops one waiter at its own deadline while the run goes on for a waiter with a later one', async () => {
		const { flight, gate, fn, runSignal } = gatedRun();
		const short = flight.run('k', fn, {
			deadline: Date.now() + 30,
			timeoutError: () => new AuditError('TIMEOUT', 'short'),
		});
		const patient = flight.run('k', fn, { deadline: Date.now() + 60_000 });
		await assert.rejects(
			short,
			(err: unknown) => err instanceof AuditError && err.code === 'TIMEOUT' && err.message === 'short',
		);
		assert.equal(runSignal()?.aborted, false, 'the shared run was not stopped');
		assert.equal(flight.waiters('k'), 1);
		gate.resolve();
		assert.equal(await patient, 'done');
	});

	it("aborts the run with the last waiter's timeout error when the latest deadline passes; that waiter gets the run's answer", async () => {
		const flight = new SingleFlight<string>();
		const fn = (signal: AbortSignal) =>
			new Promise<string>((resolve) =>
				signal.addEventListener('abort', () => resolve(`wound down: ${(signal.reason as Error).message}`), {
					once: true,
				}),
			);
		const a = flight.run('k', fn, { deadline: Date.now() + 20, timeoutError: () => new AuditError('TIMEOUT', 'a') });
		const b = flight.run('k', fn, { deadline: Date.now() + 40, timeoutError: () => new AuditError('TIMEOUT', 'b') });
		await assert.rejects(a, (err: unknown) => err instanceof AuditError && err.message === 'a');
		assert.equal(await b, 'wound down: b');
		assert.equal(flight.inFlight, 0);
	});

	it('answers the latest deadline of its waiters', () => {
		const flight = new SingleFlight<string>();
		const never = () => new Promise<string>(() => undefined);
		const cancel = new AbortController();
		void flight.run('k', never, { deadline: Date.now() + 1_000, signal: cancel.signal }).catch(() => undefined);
		const later = Date.now() + 5_000;
		void flight.run('k', never, { deadline: later, signal: cancel.signal }).catch(() => undefined);
		assert.equal(flight.deadline('k'), later);
		assert.equal(flight.deadline('other'), undefined);
		cancel.abort();
	});

	it('checks its arguments', () => {
		const flight = new SingleFlight<string>();
		assert.throws(() => flight.run(42 as unknown as string, async () => 'x'), TypeError);
		assert.throws(() => flight.run('k', 'nope' as unknown as () => Promise<string>), TypeError);
	});
});
