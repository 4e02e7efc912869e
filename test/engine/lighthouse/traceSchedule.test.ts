import assert from 'node:assert/strict';
import { TraceSchedule } from '../../../src/engine/lighthouse/traceSchedule';

/** Whether a promise has settled by the time pending callbacks have run. */
async function settled(p: Promise<unknown>): Promise<boolean> {
	let done = false;
	void p.then(
		() => (done = true),
		() => (done = true),
	);
	await new Promise((resolve) => setImmediate(resolve));
	return done;
}

/** No wait for a free core: what is left pending is left pending by the order alone. */
const noWait = () => Promise.resolve();

describe('the order of page loads and trace collections (traceSchedule.ts)', () => {
	const signal = new AbortController().signal;

	it('lets one page load at a time, and a trace be collected only while no other page is loading', async () => {
		const schedule = new TraceSchedule(noWait);
		const endA = await schedule.load(signal);
		const loadB = schedule.load(signal);
		assert.equal(await settled(loadB), false, 'B waits for A');
		endA(); // A's load went quiet
		const endB = await loadB;
		const stopA = schedule.stop(signal, false);
		assert.equal(await settled(stopA), false, "A's trace waits while B's page loads");
		const loadC = schedule.load(signal);
		endB();
		const collectedA = await stopA;
		assert.equal(await settled(loadC), false, "C's load waits while A's trace is collected");
		collectedA();
		const endC = await loadC;
		endC();
	});

	it("stops a run's trace at once while its own load still holds the slot", async () => {
		const schedule = new TraceSchedule(noWait);
		const endA = await schedule.load(signal);
		const stopA = schedule.stop(signal, true);
		assert.equal(await settled(stopA), true, 'its own load does not hold its stop back');
		const collected = await stopA;
		endA();
		const loadB = schedule.load(signal);
		assert.equal(await settled(loadB), false, "B's load waits while A's trace is collected");
		collected();
		(await loadB)();
		assert.equal(schedule.loadsGiven, 2);
	});

	it('rejects a waiting load or stop when its run is cancelled, and the others go on', async () => {
		const schedule = new TraceSchedule(noWait);
		const endA = await schedule.load(signal);
		const cancelB = new AbortController();
		const loadB = schedule.load(cancelB.signal);
		const cancelStop = new AbortController();
		const stop = schedule.stop(cancelStop.signal, false);
		cancelB.abort(new Error('B cancelled'));
		cancelStop.abort(new Error('stop cancelled'));
		await assert.rejects(loadB, /B cancelled/);
		await assert.rejects(stop, /stop cancelled/);
		const loadC = schedule.load(signal);
		endA();
		(await loadC)();
	});
});
