import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findChrome } from '../../../src/engine/chrome/findChrome';
import { CaptureBrowser } from '../../../src/engine/capture/captureBrowser';
import { lighthouseConcurrency, LighthouseService, loadCap } from '../../../src/engine/lighthouse/lighthouseService';
import { hasDied, readdir, statFields } from '../../../src/engine/procfs';
import { resolveOptions } from '../../../src/engine/request';
import { type FixtureServer, startFixtureServer } from '../../helpers/fixtureServer';
import { until } from '../../helpers/async';
import { recordingLogger, testSettings } from '../../helpers/sampleResult';

/** The test's own timeout bounds these waits, as before. */
const POLL = { timeoutMs: 180_000 };

describe('lighthouseConcurrency: how many Lighthouse runs go at once', () => {
	it('is maxBrowsers, at most the cores + 1 with the trace slot, none of that past maxBrowsers, and one in accuracy mode', () => {
		const at = (maxBrowsers: number, traceSlot: boolean, cores: number, accuracyMode = false, usePool = true) =>
			lighthouseConcurrency({ maxBrowsers, traceSlot, accuracyMode, usePool }, cores);
		assert.equal(
			at(4, true, 2),
			3,
			'the slot on 2 cores: a third run keeps the traced loads fed, a fourth would only wait',
		);
		assert.equal(at(4, false, 2), 4, 'the slot off: the loads overlap, every run allowed feeds the cores');
		assert.equal(at(2, true, 2), 2);
		assert.equal(at(8, true, 1), 2);
		assert.equal(at(4, true, 8), 4);
		assert.equal(at(4, true, 8, true), 1);
		assert.equal(at(4, true, 2, false, false), 4, 'without the pool: the CLI runs take no slot');
	});
});

describe('warming up ahead of audits (real Chrome, real Lighthouse)', function () {
	this.timeout(180_000);
	let server: FixtureServer;
	beforeEach(async () => (server = await startFixtureServer()));
	afterEach(() => server.close());

	it('starts the Chromes and Lighthouse workers a scan will use, and the audits that follow use them', async () => {
		// Four allowed on two cores: with the trace slot, three (lighthouseConcurrency).
		const settings = testSettings({ maxBrowsers: 4 });
		const log = recordingLogger();
		const service = new LighthouseService(settings, log, undefined, 2);
		try {
			service.warm(2, resolveOptions({ formFactors: ['mobile'] }, settings));
			await until('two idle Chromes', () => service.pool.stats().idle === 2, POLL);
			const warmed = service.pool.stats();
			assert.equal(warmed.launched, 2, 'two Chromes for two audits at once');
			assert.equal(warmed.workers, 2, 'each with its Lighthouse worker');
			await service.run(
				{
					url: server.url('/index.html'),
					formFactor: 'mobile',
					categories: ['seo'],
					throttling: 'simulate',
					timeoutMs: 90_000,
				},
				new AbortController().signal,
			);
			assert.equal(service.pool.stats().launched, 2, 'the audit ran on a warmed Chrome');
			service.warm(1, resolveOptions({ stages: { lighthouse: false } }, settings));
			service.warm(5, resolveOptions({ formFactors: ['mobile', 'desktop'] }, settings));
			await until('three idle Chromes', () => service.pool.stats().idle === 3, POLL);
			assert.equal(
				service.pool.stats().launched,
				3,
				'never more than the cores + 1 with the trace slot; nothing for an audit without Lighthouse',
			);
			const pids = service.pool.stats().pids;
			await service.close();
			assert.ok(
				pids.every((pid) => hasDied(pid) || !isAlive(pid)),
				'every warmed Chrome is gone after close',
			);
			// Closing ends the Chromes itself: none of them died on its own, nothing to warn about.
			assert.equal(service.pool.stats().crashed, 0);
			assert.deepEqual(
				log.lines.filter((l) => l.level === 'warn'),
				[],
			);
		} finally {
			await service.close();
		}
	});

	it('keeps no more Chromes than runs go at once: an audit asked for while the warm-up starts them waits for one', async () => {
		const service = new LighthouseService(testSettings({ maxBrowsers: 4 }), recordingLogger(), undefined, 2);
		try {
			service.warm(4, resolveOptions({ formFactors: ['mobile'] }, testSettings()));
			const outcome = await service.run(
				{
					url: server.url('/index.html'),
					formFactor: 'mobile',
					categories: ['seo'],
					throttling: 'simulate',
					timeoutMs: 90_000,
				},
				new AbortController().signal,
			);
			assert.ok(outcome.lhr.categories.seo?.score !== undefined, 'the audit ran');
			// Every warm-up settled (a starting Chrome's slot counts as busy): how many started is final.
			await until('no busy Chrome', () => service.pool.stats().busy === 0, POLL);
			assert.equal(service.pool.stats().launched, 3, 'three on two cores, the audit on one of them');
		} finally {
			await service.close();
		}
	});

	it('runs its Lighthouse workers niced (Linux): their work yields to the traced page loads, the engine thread keeps its priority', async function () {
		if (process.platform !== 'linux') this.skip();
		const before = new Set(workerThreads().map((t) => t.tid));
		const settings = testSettings({ maxBrowsers: 2 });
		const service = new LighthouseService(settings, recordingLogger());
		try {
			service.warm(2, resolveOptions({ formFactors: ['mobile'] }, settings));
			await until('two Lighthouse workers', () => service.pool.stats().workers === 2, POLL);
			const started = workerThreads().filter((t) => !before.has(t.tid));
			assert.ok(started.length >= 2, `the two Lighthouse worker threads (${JSON.stringify(started)})`);
			assert.deepEqual(
				started.filter((t) => t.nice !== 10),
				[],
				'every Lighthouse worker thread at nice 10',
			);
			assert.equal(threadNice(process.pid), 0, 'the main thread keeps its priority');
		} finally {
			await service.close();
		}
	});

	it('closing while a warmed Chrome is still starting kills it at once, and nothing fails later', async () => {
		// A Chrome that starts only when the test says so (the sandbox check's test launch, --dump-dom, runs at once).
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-held-chrome-'));
		const chromePath = path.join(dir, 'held-chrome.sh');
		const realChrome = await findChrome(undefined);
		fs.writeFileSync(
			chromePath,
			`#!/bin/sh\ncase "$*" in *--dump-dom*) exec "${realChrome}" "$@";; esac\necho $$ > "${dir}/started"\nwhile [ ! -e "${dir}/go" ]; do sleep 0.05; done\nexec "${realChrome}" "$@"\n`,
			{ mode: 0o755 },
		);
		const unhandled: unknown[] = [];
		const onUnhandled = (reason: unknown) => unhandled.push(reason);
		process.on('unhandledRejection', onUnhandled);
		const settings = testSettings({ maxBrowsers: 1, chromePath });
		const service = new LighthouseService(settings, recordingLogger());
		try {
			service.warm(1, resolveOptions({ formFactors: ['mobile'] }, settings));
			await until(
				'the held Chrome to start',
				() =>
					fs.existsSync(path.join(dir, 'started')) && fs.readFileSync(path.join(dir, 'started'), 'utf8').trim() !== '',
				POLL,
			);
			const pid = Number(fs.readFileSync(path.join(dir, 'started'), 'utf8'));
			// chrome-launcher could not be stopped here: close() waited for its port polling (50 s), then it threw ENOENT
			// for its log in the removed profile out of a promise nobody held, and the engine died.
			await service.close();
			await until('the held Chrome to end', () => hasDied(pid) || !isAlive(pid), POLL);
			assert.equal(service.pool.stats().launched, 0, 'the held Chrome never counted as started');
			// Let the held start go on, as a slow Chrome would: nothing of it may surface after close.
			fs.writeFileSync(path.join(dir, 'go'), '');
			await new Promise((resolve) => setImmediate(resolve));
			assert.deepEqual(unhandled, []);
		} finally {
			process.off('unhandledRejection', onUnhandled);
			await service.close();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	it('launches the capture browser only for audits that capture without Lighthouse in the pool (its runs capture in their pages)', async () => {
		const settings = testSettings({});
		const capture = new CaptureBrowser(settings, recordingLogger());
		try {
			capture.warm(2, resolveOptions({ stages: { capture: false } }, settings));
			capture.warm(2, resolveOptions({}, settings));
			assert.equal(capture.info().launches, 0);
			capture.warm(2, resolveOptions({ stages: { lighthouse: false } }, settings));
			await until('the capture browser', () => capture.info().running, POLL);
			assert.equal(capture.info().launches, 1);
		} finally {
			await capture.close();
		}
	});
});

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** The niceness of one thread of this process (Linux). */
function threadNice(tid: number): number {
	// Field 19 of /proc/<pid>/task/<tid>/stat; statFields starts at field 3.
	return Number(statFields(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'))[16]);
}

/** This process's worker threads, as Node names them. */
function workerThreads(): { tid: number; nice: number }[] {
	return readdir('/proc/self/task').flatMap((t) => {
		try {
			if (fs.readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim() !== 'WorkerThread') return [];
			return [{ tid: Number(t), nice: threadNice(Number(t)) }];
		} catch {
			return []; // a thread that has just ended
		}
	});
}

describe('loadCap (pure)', () => {
	it("caps Lighthouse's page-load wait within the audit timeout", () => {
		assert.equal(loadCap(120_000), 45_000);
		assert.equal(loadCap(25_000), 10_000);
		assert.equal(loadCap(6_000), 5_000);
	});
});
