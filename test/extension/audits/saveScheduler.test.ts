import assert from 'node:assert/strict';
import { SaveScheduler, type Schedule } from '../../../src/extension/audits/saveScheduler';
import { deferred, type Deferred } from '../../helpers/async';

/** A clock the test moves by hand: `advance` fires the timers that fall due, in order of their time. */
class FakeTimers {
	private now = 0;
	private timers: { at: number; callback: () => void }[] = [];

	readonly schedule: Schedule = (callback, ms) => {
		const timer = { at: this.now + ms, callback };
		this.timers.push(timer);
		return () => {
			this.timers = this.timers.filter((t) => t !== timer);
		};
	};

	advance(ms: number): void {
		const end = this.now + ms;
		for (;;) {
			const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
			if (!due) break;
			this.timers = this.timers.filter((t) => t !== due);
			this.now = due.at;
			due.callback();
		}
		this.now = end;
	}
}

describe('Audit on save scheduling', () => {
	it('debounces a burst of saves into one audit', async () => {
		const timers = new FakeTimers();
		let runs = 0;
		const s = new SaveScheduler(
			async () => void runs++,
			() => 30,
			undefined,
			timers.schedule,
		);
		for (let i = 0; i < 5; i++) {
			s.trigger();
			timers.advance(10);
		}
		timers.advance(19);
		assert.equal(runs, 0, 'each save restarts the wait');
		timers.advance(1);
		await s.idle();
		assert.equal(runs, 1);
	});

	it('runs at most one audit at a time plus one pending, whatever the number of saves', async () => {
		const timers = new FakeTimers();
		let running = 0;
		let maxRunning = 0;
		let runs = 0;
		// Each run waits until the test lets it finish: the saves surely land while the first one runs.
		const finish: Deferred<void>[] = [];
		let started = deferred();
		const s = new SaveScheduler(
			async () => {
				running++;
				maxRunning = Math.max(maxRunning, running);
				runs++;
				started.resolve();
				const gate = deferred();
				finish.push(gate);
				await gate.promise;
				running--;
			},
			() => 5,
			undefined,
			timers.schedule,
		);
		s.trigger();
		timers.advance(5);
		await started.promise;
		for (let i = 0; i < 4; i++) {
			s.trigger();
			timers.advance(5);
		}
		assert.equal(s.isPending, true, 'a save during the run makes a pending run');
		assert.equal(runs, 1, 'the saves during a run wait for it');
		started = deferred();
		finish.shift()!.resolve();
		await started.promise;
		assert.equal(s.isPending, false, 'four saves during the run made one pending run');
		finish.shift()!.resolve();
		await s.idle();
		assert.equal(maxRunning, 1);
		assert.equal(runs, 2);
	});

	it('keeps going after a failed run and reports the error', async () => {
		const timers = new FakeTimers();
		const errors: unknown[] = [];
		let runs = 0;
		const s = new SaveScheduler(
			async () => {
				runs++;
				if (runs === 1) throw new Error('boom');
			},
			() => 0,
			(e) => errors.push(e),
			timers.schedule,
		);
		s.trigger();
		timers.advance(0);
		await s.idle();
		s.trigger();
		timers.advance(0);
		await s.idle();
		assert.equal(runs, 2);
		assert.equal(errors.length, 1);
	});
});
