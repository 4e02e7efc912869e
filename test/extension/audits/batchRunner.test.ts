import assert from 'node:assert/strict';
import { firstSlice, freeCapacity, runBatch } from '../../../src/extension/audits/batchRunner';

describe('Batches never lose a URL to BUSY', () => {
	it('computes the room left in the engine', () => {
		const stats = (active: number, queued: number) => ({
			audits: { active, queued },
			settings: { maxConcurrentAudits: 2, queueSize: 3 },
		});
		assert.equal(freeCapacity(stats(0, 0)), 5);
		assert.equal(freeCapacity(stats(2, 2)), 1);
		assert.equal(freeCapacity(stats(2, 4)), 0, 'never negative');
	});

	it('slices no larger than the free room, and at least one', () => {
		assert.deepEqual(firstSlice([1, 2, 3, 4], 2), [1, 2]);
		assert.deepEqual(firstSlice([1, 2, 3], 10), [1, 2, 3]);
		assert.deepEqual(firstSlice([1, 2, 3], 0), [1]);
		assert.throws(() => firstSlice([1], -1), TypeError);
	});

	/**
	 * An engine admission like the real one: `room` audits at once, BUSY past that; `others` slots held by another
	 * client.
	 */
	function boundedEngine(room: number, others = 0) {
		let busy = others;
		let maxSeen = 0;
		let rejected = 0;
		const gates: (() => void)[] = [];
		return {
			get maxSeen() {
				return maxSeen;
			},
			get rejected() {
				return rejected;
			},
			capacity: async () => Math.max(0, room - busy),
			/** Another client's audit ends. */
			releaseOther: () => busy--,
			run: (n: number): Promise<number> => {
				if (busy >= room) {
					rejected++;
					return Promise.reject(Object.assign(new Error('busy'), { code: 'BUSY' }));
				}
				busy++;
				maxSeen = Math.max(maxSeen, busy);
				// Each audit ends when the test lets the next one go (no timers): in order, one per tick.
				return new Promise<number>((resolve) => gates.push(() => resolve(n * 10))).finally(() => busy--);
			},
			finishOne: () => gates.shift()?.(),
			get pending() {
				return gates.length;
			},
		};
	}

	async function drive(engine: ReturnType<typeof boundedEngine>, done: Promise<unknown>): Promise<void> {
		let finished = false;
		void done.then(() => (finished = true));
		while (!finished) {
			await new Promise<void>((r) => setImmediate(r));
			engine.finishOne();
		}
	}

	it('audits 12 URLs through an engine with room for 3, none lost, never more than 3 at once', async () => {
		const engine = boundedEngine(3);
		const urls = Array.from({ length: 12 }, (_, i) => i);
		const done = runBatch(urls, {
			capacity: engine.capacity,
			run: (n) => engine.run(n),
			isBusy: (e) => (e as { code?: string }).code === 'BUSY',
			slotFreed: () => Promise.resolve(),
		});
		await drive(engine, done);
		const outcomes = await done;
		assert.deepEqual(
			outcomes.map((o) => (o.status === 'done' ? o.value : o.status)),
			urls.map((n) => n * 10),
		);
		assert.equal(engine.maxSeen, 3);
		assert.equal(engine.rejected, 0, 'it never sent more than the room it was told of');
	});

	it('retries a URL answered BUSY (another client took the room) once a slot frees', async () => {
		const engine = boundedEngine(2);
		let looked = 0;
		// The room looks free, but another client fills it before the sends arrive.
		const capacity = async () => {
			const free = await engine.capacity();
			if (looked++ === 0) {
				void engine.run(-1);
				void engine.run(-2);
			}
			return free;
		};
		const slotFreed = () => new Promise<void>((r) => setImmediate(r));
		const done = runBatch([1, 2, 3], {
			capacity,
			run: (n) => engine.run(n),
			isBusy: (e) => (e as { code?: string }).code === 'BUSY',
			slotFreed,
		});
		await drive(engine, done);
		const outcomes = await done;
		assert.ok(engine.rejected >= 2, 'the first sends were answered BUSY');
		assert.deepEqual(
			outcomes.map((o) => (o.status === 'done' ? o.value : o.status)),
			[10, 20, 30],
		);
	});

	it('keeps other errors as they are and stops sending when cancelled', async () => {
		const abort = new AbortController();
		const seen: number[] = [];
		const outcomes = await runBatch([1, 2, 3, 4], {
			capacity: async () => 1,
			run: async (n) => {
				seen.push(n);
				if (n === 2) abort.abort();
				if (n === 1) throw new Error('HTTP 500');
				return n;
			},
			isBusy: () => false,
			slotFreed: () => Promise.resolve(),
			signal: abort.signal,
		});
		assert.deepEqual(seen, [1, 2]);
		assert.deepEqual(
			outcomes.map((o) => o.status),
			['error', 'done', 'cancelled', 'cancelled'],
		);
	});
});
