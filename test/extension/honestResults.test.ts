/**
 * The pure pieces behind issue 8's editor side: the age of a cached result, the banner of a partial or
 * failed one, CrUX in words, when the AI stage may run, batches that never lose a URL to BUSY, and
 * https dev servers.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { aiDecision } from '../../src/extension/aiPolicy';
import { firstSlice, freeCapacity, runBatch } from '../../src/extension/batchRunner';
import { discoverDevServers, isUp } from '../../src/extension/devServer';
import { parseAuditUrls } from '../../src/extension/urls';
import { cruxPeriod, cruxRows, formatCrux } from '../../src/format/crux';
import { entryLine } from '../../src/format/scores';
import { ageLabel, cacheLabel, resultBanner, stageProblems } from '../../src/format/status';
import type { HistoryEntry } from '../../src/protocol';

const MIN = 60_000;
const at = Date.parse('2026-11-24T12:00:00Z');

describe('Cached results: age labels', () => {
	it('says how long ago, in the largest whole unit', () => {
		assert.equal(ageLabel(at - 20_000, at), 'just now');
		assert.equal(ageLabel(at - 12 * MIN - 59_000, at), '12 min ago');
		assert.equal(ageLabel(new Date(at - 3 * 60 * MIN).toISOString(), at), '3 h ago');
		assert.equal(ageLabel(at - 24 * 60 * MIN, at), '1 day ago');
		assert.equal(ageLabel(at - 50 * 60 * MIN, at), '2 days ago');
		assert.equal(ageLabel(at + 5 * MIN, at), 'just now', 'a clock a little ahead is not "-5 min ago"');
		assert.throws(() => ageLabel('yesterday', at), TypeError);
	});

	it('labels only results that came from the cache', () => {
		const requestedAt = new Date(at - 12 * MIN).toISOString();
		assert.equal(cacheLabel({ fromCache: true, requestedAt }, at), 'cached, 12 min ago');
		assert.equal(cacheLabel({ fromCache: false, requestedAt }, at), '');
	});
});

describe('Partial and failed results: the banner', () => {
	const err = (code: 'LIGHTHOUSE_ERROR' | 'TIMEOUT', message: string) => ({
		status: 'error' as const,
		startedAt: '',
		durationMs: 1,
		error: { code, message },
	});

	it('has no banner for a complete result', () => {
		assert.equal(resultBanner({ status: 'ok', stages: {} }), undefined);
	});

	it('lists every failed stage of a partial result, in reading order, with its message', () => {
		const banner = resultBanner({
			status: 'partial',
			stageErrors: { crux: { code: 'CRUX_ERROR', message: 'CrUX answered 403' } },
			stages: {
				'lighthouse-desktop': err('TIMEOUT', 'desktop run timed out after 60 s'),
				capture: { status: 'ok', startedAt: '', durationMs: 1, data: { shots: {}, facts: {}, warm: true } },
			},
		});
		assert.ok(banner);
		assert.equal(banner.kind, 'warning');
		assert.equal(banner.title, 'Partial result: 2 stages failed');
		assert.deepEqual(
			banner.problems.map((p) => `${p.label}: ${p.message}`),
			['Lighthouse (desktop): desktop run timed out after 60 s', 'Field data (CrUX): CrUX answered 403'],
		);
		assert.match(banner.hint, /not cached/);
	});

	it('says why a failed result failed, without repeating the same error for a stage', () => {
		const banner = resultBanner({
			status: 'failed',
			error: { code: 'HTTP_ERROR', message: 'http://x.test/ answered HTTP 500' },
			stages: {
				'lighthouse-mobile': err('LIGHTHOUSE_ERROR', 'http://x.test/ answered HTTP 500'),
				capture: err('LIGHTHOUSE_ERROR', 'capture: page crashed'),
			},
		});
		assert.ok(banner);
		assert.equal(banner.kind, 'error');
		assert.equal(banner.title, 'The audit failed');
		assert.deepEqual(
			banner.problems.map((p) => `${p.label}: ${p.message}`),
			['Audit: http://x.test/ answered HTTP 500', 'Screenshots and page facts: capture: page crashed'],
		);
	});

	it('trusts the status: an ok result has no banner (a stage error, if any, is listed with the others)', () => {
		const banner = resultBanner({ status: 'ok', stages: { 'lighthouse-mobile': err('LIGHTHOUSE_ERROR', 'NO_FCP') } });
		assert.equal(banner, undefined, 'ok is ok: the contract says every stage that ran succeeded');
		assert.equal(stageProblems({ stages: { 'lighthouse-mobile': err('LIGHTHOUSE_ERROR', 'NO_FCP') } }).length, 1);
	});

	it('marks partial and failed audits in history labels', () => {
		const e: HistoryEntry = {
			id: 'a',
			url: 'https://a.test/',
			requestedAt: '2026-01-01T00:00:00Z',
			durationMs: 1,
			status: 'partial',
			scores: { mobile: { performance: 0.9 } },
			error: { code: 'TIMEOUT', message: 'x' },
		};
		assert.equal(entryLine(e), 'P 90 · partial: TIMEOUT');
		assert.equal(entryLine({ ...e, scores: {} }), 'partial: TIMEOUT');
		assert.equal(
			entryLine({ ...e, status: 'failed', error: { code: 'HTTP_ERROR', message: 'x' } }),
			'failed: HTTP_ERROR',
		);
	});
});

describe('CrUX field data in words', () => {
	it('formats p75 values with units and Core Web Vitals bands, URL and origin side by side', () => {
		const rows = cruxRows({ url: { lcp: 2400, cls: 0.31 }, origin: { lcp: 4100, inp: 180, cls: 0.05, ttfb: 900 } });
		assert.deepEqual(
			rows.map((r) => [r.metric, r.url, r.urlBand, r.origin, r.originBand]),
			[
				['lcp', '2.4 s', 'good', '4.1 s', 'poor'],
				['inp', '–', 'none', '180 ms', 'good'],
				['cls', '0.31', 'poor', '0.05', 'good'],
				['ttfb', '–', 'none', '900 ms', 'needs-improvement'],
			],
		);
		assert.equal(formatCrux('fcp', undefined), '–');
	});

	it('has no rows when CrUX has no data, and names the period and devices when it has', () => {
		assert.deepEqual(cruxRows({ note: 'CrUX has no field data for this page.' }), []);
		assert.equal(
			cruxPeriod({ formFactor: 'PHONE', collectionPeriod: { firstDate: '2026-10-20', lastDate: '2026-11-16' } }),
			'Real Chrome users on phones, 20 Oct 2026 to 16 Nov 2026 (75th percentile).',
		);
		assert.equal(cruxPeriod({}), '');
	});
});

describe('AI stage: privacy', () => {
	const base = { keySet: true, onSave: false, aiOnSave: false, answer: undefined };

	it('never sends audits on save to the AI unless auditlens.aiOnSave opts in', () => {
		assert.equal(aiDecision({ ...base, onSave: true, answer: 'allow' }), 'off');
		assert.equal(aiDecision({ ...base, onSave: true, aiOnSave: true, answer: 'allow' }), 'run');
	});

	it('asks before the first AI call, then follows the answer', () => {
		assert.equal(aiDecision(base), 'ask');
		assert.equal(aiDecision({ ...base, onSave: true, aiOnSave: true }), 'ask');
		assert.equal(aiDecision({ ...base, answer: 'allow' }), 'run');
		assert.equal(aiDecision({ ...base, answer: 'deny' }), 'off');
	});

	it('does not ask when no key is set (the engine sends nothing then)', () => {
		assert.equal(aiDecision({ ...base, keySet: false }), 'run');
	});
});

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

	it('reads a pasted list of URLs, one problem at a time', () => {
		assert.deepEqual(parseAuditUrls('example.com, localhost:3000/a\nhttps://example.com/'), {
			urls: ['https://example.com/', 'http://localhost:3000/a'],
		});
		assert.deepEqual(parseAuditUrls('  '), {
			error: 'Enter one or more URLs, separated by spaces, commas or new lines',
		});
		assert.ok('error' in parseAuditUrls('example.com ftp://x.test/'));
	});
});

describe('Dev server discovery over https', () => {
	let dir: string;
	let server: https.Server | undefined;

	before(function () {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-tls-'));
		try {
			// A throwaway self-signed certificate, like the ones dev servers make.
			execFileSync(
				'openssl',
				[
					'req',
					'-x509',
					'-newkey',
					'rsa:2048',
					'-nodes',
					'-keyout',
					path.join(dir, 'key.pem'),
					'-out',
					path.join(dir, 'cert.pem'),
					'-days',
					'1',
					'-subj',
					'/CN=localhost',
				],
				{
					stdio: 'ignore',
				},
			);
		} catch {
			this.skip(); // no openssl on this machine
		}
	});

	after(async () => {
		if (server) await new Promise<void>((r) => server?.close(() => r()));
		fs.rmSync(dir, { recursive: true, force: true });
	});

	it('finds an https dev server with a self-signed certificate, as https', async () => {
		server = https.createServer(
			{ key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) },
			(_req, res) => res.end('ok'),
		);
		await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
		const { port } = server.address() as AddressInfo;
		assert.equal(await isUp(`https://127.0.0.1:${port}/`), true);
		assert.equal(await isUp(`http://127.0.0.1:${port}/`, 1000), false, 'plain http to a TLS port is not an answer');
		assert.deepEqual(await discoverDevServers([port], '127.0.0.1'), [`https://127.0.0.1:${port}/`]);
	});
});
