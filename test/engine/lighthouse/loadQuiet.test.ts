import assert from 'node:assert/strict';
import { LateWork, LoadQuiet } from '../../../src/engine/lighthouse/loadQuiet';

const RULE = { quietMs: 1000, idleShare: 0.05 };

/** A quiet-watch whose page painted at `atMs`. */
function painted(atMs = 0): LoadQuiet {
	const q = new LoadQuiet(0, RULE);
	q.event('Page.lifecycleEvent', { name: 'firstContentfulPaint' }, atMs);
	return q;
}

/** Feed main-thread samples every 100 ms from `fromMs` to `toMs`, the threads running `busyShare` of the time. */
function idle(quiet: LoadQuiet, fromMs: number, toMs: number, startNs: number, busyShare = 0): number {
	let ns = startNs;
	for (let t = fromMs; t <= toMs; t += 100) {
		quiet.sample(ns, t);
		ns += busyShare * 100 * 1e6;
	}
	return ns;
}

describe('when a traced load has gone quiet (pure)', () => {
	it('is quiet once the load fired, nothing is in flight and the main threads idled for the whole window', () => {
		const q = painted();
		q.event('Network.requestWillBeSent', { requestId: '1' }, 10);
		q.event('Network.loadingFinished', { requestId: '1' }, 200);
		q.event('Page.loadEventFired', undefined, 250);
		idle(q, 0, 1100, 0);
		assert.equal(q.isQuiet(1100), false, 'only 900 ms since the last request ended');
		idle(q, 1200, 1300, 0);
		assert.equal(q.isQuiet(1300), true);
	});

	it('is not quiet before the load event, nor before the first contentful paint, whatever else', () => {
		const q = painted();
		idle(q, 0, 5000, 0);
		assert.equal(q.isQuiet(5000), false, 'no load event');
		const late = new LoadQuiet(0, RULE);
		late.event('Page.loadEventFired', undefined, 100);
		late.event('Page.lifecycleEvent', { name: 'load' }, 100);
		idle(late, 0, 5000, 0);
		assert.equal(late.isQuiet(5000), false, 'loaded but not painted yet (a page that renders from a timer)');
		late.event('Page.lifecycleEvent', { name: 'firstContentfulPaint' }, 5000);
		assert.equal(late.isQuiet(5000), true);
	});

	it('is not quiet while a request is in flight, nor within quietMs of its end', () => {
		const q = painted();
		q.event('Page.loadEventFired', undefined, 100);
		q.event('Network.requestWillBeSent', { requestId: 'late' }, 300);
		idle(q, 0, 4000, 0);
		assert.equal(q.isQuiet(4000), false, 'in flight');
		q.event('Network.loadingFailed', { requestId: 'late' }, 4000);
		idle(q, 4100, 4900, 0);
		assert.equal(q.isQuiet(4900), false, '900 ms after it ended');
		idle(q, 5000, 5100, 0);
		assert.equal(q.isQuiet(5100), true);
	});

	it('is not quiet while the main threads keep working, even with the network quiet', () => {
		const q = painted();
		q.event('Page.loadEventFired', undefined, 100);
		let ns = idle(q, 0, 3000, 0, 0.3);
		assert.equal(q.isQuiet(3000), false, '30% busy');
		// 60 ms of work in the last second is a long task: still not quiet.
		ns = idle(q, 3100, 3900, ns);
		q.sample(ns + 60e6, 4000);
		assert.equal(q.isQuiet(4000), false);
		idle(q, 4100, 5100, ns + 60e6);
		assert.equal(q.isQuiet(5100), true);
	});

	it('starts its window again when a renderer exits and its run time leaves the total', () => {
		const q = painted();
		q.event('Page.loadEventFired', undefined, 0);
		idle(q, 0, 1500, 5e9);
		q.sample(1e9, 1600);
		assert.equal(q.isQuiet(1600), false, 'a fresh window has no length yet');
		idle(q, 1700, 2600, 1e9);
		assert.equal(q.isQuiet(2600), true);
	});
});

describe('late work after the quiet (pure)', () => {
	const ms = 1e6;
	it("counts the intervals a long task's kind keeps the main threads busy, not a quiet page's small pieces", () => {
		const late = new LateWork();
		let run = 0;
		// Ten intervals of 100 ms at 4% (an animation): nothing.
		for (let t = 0; t <= 1000; t += 100) late.sample((run += t === 0 ? 0 : 4 * ms), t);
		assert.equal(late.ms, 0);
		// A 150 ms task across two intervals (75 ms each): all of it.
		late.sample((run += 75 * ms), 1100);
		late.sample((run += 75 * ms), 1200);
		assert.equal(late.ms, 150);
		// A task sharing a core with another page's load: 30 ms in 100 ms counts; 20 ms (a heavy frame) does not.
		late.sample((run += 30 * ms), 1300);
		late.sample((run += 20 * ms), 1400);
		assert.equal(late.ms, 180);
	});

	it('starts again from a sample whose run time fell (a renderer exited), never counting less than nothing', () => {
		const late = new LateWork();
		late.sample(500 * ms, 0);
		late.sample(100 * ms, 100);
		assert.equal(late.ms, 0);
		late.sample(180 * ms, 200);
		assert.equal(late.ms, 80);
	});
});
