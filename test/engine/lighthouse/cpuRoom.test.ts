import assert from 'node:assert/strict';
import { waitForCpuRoom } from '../../../src/engine/lighthouse/cpuRoom';

describe('waiting for a free core (cpuRoom.ts)', () => {
	const signal = new AbortController().signal;

	it('waits for a free core at most the rule says, and stops waiting when cancelled', async function () {
		if (process.platform !== 'linux') this.skip();
		// On "one core" nothing but an idle machine leaves a core free: the wait ends by its limit at the latest.
		const waited = await waitForCpuRoom(signal, { windowMs: 100, maxWaitMs: 300, pollMs: 20 }, 0);
		assert.ok(waited >= 300, `waited ${waited} ms`);
		const stop = new AbortController();
		const waiting = waitForCpuRoom(stop.signal, { windowMs: 100, maxWaitMs: 60_000, pollMs: 20 }, 0);
		stop.abort(new Error('cancelled'));
		await assert.rejects(waiting, /cancelled/);
	});
});
