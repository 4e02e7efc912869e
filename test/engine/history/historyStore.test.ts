import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, it } from 'mocha';
import { PassThrough } from 'node:stream';
import { AuditError } from '../../../src/engine/errors';
import { cacheClearCommand } from '../../../src/cli/commands/cache';
import { historyCommand } from '../../../src/cli/commands/history';
import { cacheKey, ResultCache } from '../../../src/engine/resultCache';
import { SQLITE_HEADER } from '../../../src/engine/history/dbFile';
import { HistoryStore, type HistoryStoreOptions } from '../../../src/engine/history/historyStore';
import { loadSqlJs, MIGRATIONS, SCHEMA_VERSION } from '../../../src/engine/history/historySchema';
import { packText } from '../../../src/engine/history/lhrPack';
import type { AuditResult, EngineSettings } from '../../../src/protocol';
import { waitFor } from '../../helpers/engineProcess';
import { loadLhr, recordingLogger, sampleResult, testSettings } from '../../helpers/sampleResult';
import { type ManualClock, manualClock } from '../../helpers/clock';

const DAY_MS = 24 * 3600_000;
const noArtifacts = new Map<string, unknown>();

describe('HistoryStore', function () {
	this.timeout(60_000);
	let dir: string;
	let dbPath: string;
	const open: HistoryStore[] = [];

	async function openStore(
		settings: Partial<EngineSettings> = {},
		extra: Partial<HistoryStoreOptions> = {},
		clock?: ManualClock,
	) {
		const log = recordingLogger();
		const store = await HistoryStore.open({ path: dbPath, settings: testSettings(settings), log, clock, ...extra });
		open.push(store);
		// The result cache in front of the history, as the engine has it; on a clock the test moves, if given.
		const cache = new ResultCache(testSettings(settings), log, store, { clock });
		return { store, cache, log };
	}

	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-history-'));
		dbPath = path.join(dir, 'history.sqlite');
	});

	afterEach(async () => {
		for (const store of open.splice(0)) await store.close();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	describe('cache', () => {
		it('serves a repeat lookup from the cache with the same scores', async () => {
			const { store, cache } = await openStore();
			const result = sampleResult({ perf: 0.81 });
			const key = cacheKey(result.url, result.options);
			assert.equal(await cache.lookup(key), undefined);
			await store.save(key, result, noArtifacts);
			const cached = await cache.lookup(key);
			assert.ok(cached);
			assert.equal(cached.fromCache, true);
			assert.equal(cached.id, result.id);
			assert.deepEqual(cached.stages['lighthouse-mobile'], result.stages['lighthouse-mobile']);
			const stats = cache.stats();
			assert.equal(stats.hits, 1);
			assert.equal(stats.misses, 1);
			assert.equal(stats.entries, 1);
			assert.ok(stats.bytes > 1000, `cache bytes ${stats.bytes}`);
		});

		it('does not serve an entry past its TTL, from memory or from the history', async () => {
			const clock = manualClock();
			const { store, cache } = await openStore({ cacheTtlMs: 1_000 }, {}, clock);
			const result = sampleResult();
			await store.save('k', result, noArtifacts);
			assert.ok(await cache.lookup('k'));
			clock.advance(1_100);
			assert.equal(await cache.lookup('k'), undefined);
			// Still in the history, just not fresh.
			assert.equal((await store.get(result.id))?.id, result.id);
		});

		it('honours a TTL changed live with configure', async () => {
			const clock = manualClock();
			const { store, cache } = await openStore({}, {}, clock);
			await store.save('k', sampleResult(), noArtifacts);
			clock.advance(30);
			cache.configure(testSettings({ cacheTtlMs: 10 }));
			assert.equal(await cache.lookup('k'), undefined);
		});

		it('finds a fresh result in the history after it was evicted from memory', async () => {
			const { store, cache } = await openStore({ cacheMaxEntries: 1 });
			const a = sampleResult({ url: 'https://a.example/' });
			await store.save('a', a, noArtifacts);
			await store.save('b', sampleResult({ url: 'https://b.example/' }), noArtifacts);
			assert.equal(cache.stats().entries, 1);
			assert.equal((await cache.lookup('a'))?.id, a.id);
		});

		it('never serves a failed audit from the cache but keeps it in the history', async () => {
			const { store, cache } = await openStore();
			const failed = sampleResult({ failed: true });
			await store.save('k', failed, noArtifacts);
			assert.equal(await cache.lookup('k'), undefined);
			const [entry] = await store.listAudits(failed.url);
			assert.equal(entry?.status, 'failed');
			assert.equal(entry?.error?.code, 'UNREACHABLE');
			assert.deepEqual(await store.get(failed.id), failed);
		});

		it('never serves a partial audit from the cache; its history entry has the first stage error', async () => {
			const { store, cache } = await openStore();
			const partial = sampleResult({ partial: true });
			await store.save('k', partial, noArtifacts);
			assert.equal(await cache.lookup('k'), undefined);
			assert.equal(cache.stats().entries, 0);
			const [entry] = await store.listAudits(partial.url);
			assert.equal(entry?.status, 'partial');
			assert.deepEqual(entry?.error, partial.stageErrors?.['lighthouse-desktop']);
			assert.equal(entry?.scores.desktop, undefined);
			assert.ok(entry?.scores.mobile);
		});

		it('replaces the partial and failed audits of a key with the next audit of it, and keeps ok ones', async () => {
			const { store, cache } = await openStore();
			const url = 'https://example.com/again';
			const ok = sampleResult({ url, requestedAt: new Date(Date.now() - 3000) });
			const failed = sampleResult({ url, failed: true, requestedAt: new Date(Date.now() - 2000) });
			const partial = sampleResult({ url, partial: true, requestedAt: new Date(Date.now() - 1000) });
			const other = sampleResult({ url, failed: true, requestedAt: new Date(Date.now() - 1500) });
			await store.save('k', ok, noArtifacts);
			await store.save('k', failed, noArtifacts);
			await store.save('another key', other, noArtifacts);
			await store.save('k', partial, noArtifacts);
			assert.deepEqual(
				(await store.listAudits(url)).map((e) => [e.id, e.status]),
				[
					[partial.id, 'partial'],
					[other.id, 'failed'],
					[ok.id, 'ok'],
				],
			);
			const rerun = sampleResult({ url });
			await store.save('k', rerun, noArtifacts);
			assert.deepEqual(
				(await store.listAudits(url)).map((e) => e.id),
				[rerun.id, other.id, ok.id],
			);
			assert.equal((await cache.lookup('k'))?.id, rerun.id);
		});

		it('clearCache drops memory and stops older results being served after a restart', async () => {
			const first = await openStore();
			await first.store.save('k', sampleResult(), noArtifacts);
			assert.equal(first.cache.clear(), 1);
			assert.equal(await first.cache.lookup('k'), undefined);
			await first.store.close();
			const second = await openStore();
			assert.equal(second.cache.stats().entries, 0);
			assert.equal(await second.cache.lookup('k'), undefined);
			assert.equal(second.store.stats().history.audits, 1);
		});

		it('a forced refresh (save under the same key) replaces the cached result', async () => {
			const { store, cache } = await openStore();
			await store.save('k', sampleResult({ perf: 0.5 }), noArtifacts);
			const fresh = sampleResult({ perf: 0.9 });
			await store.save('k', fresh, noArtifacts);
			assert.equal((await cache.lookup('k'))?.id, fresh.id);
		});
	});

	describe('history', () => {
		it('survives close and reopen, with the cache warmed from it', async () => {
			const first = await openStore();
			const results = [0, 1, 2].map((i) =>
				sampleResult({ url: `https://example.com/p${i}`, requestedAt: new Date(Date.now() - (3 - i) * 1000) }),
			);
			for (const r of results) await first.store.save(cacheKey(r.url, r.options), r, noArtifacts);
			await first.store.close();

			const second = await openStore();
			await second.cache.warmed;
			assert.equal(second.cache.stats().entries, 3, 'warmed from the history');
			const urls = await second.store.listUrls();
			assert.deepEqual(
				urls.map((u) => u.url),
				['https://example.com/p2', 'https://example.com/p1', 'https://example.com/p0'],
			);
			const r0 = results[0];
			assert.ok(r0);
			const cached = await second.cache.lookup(cacheKey(r0.url, r0.options));
			assert.equal(cached?.id, r0.id);
			assert.equal(second.cache.stats().hits, 1);
			assert.deepEqual(await second.store.get(r0.id), r0);
		});

		it('lists one summary per URL and the audits of a URL newest first', async () => {
			const { store } = await openStore();
			const url = 'https://example.com/pricing';
			const older = sampleResult({ url, requestedAt: new Date(Date.now() - 60_000), perf: 0.5 });
			const newer = sampleResult({ url, perf: 0.7 });
			await store.save('a', older, noArtifacts);
			await store.save('b', newer, noArtifacts);
			await store.save(
				'c',
				sampleResult({ url: 'https://example.com/', requestedAt: new Date(Date.now() - 120_000) }),
				noArtifacts,
			);
			const urls = await store.listUrls();
			assert.equal(urls.length, 2);
			assert.equal(urls[0]?.url, url);
			assert.equal(urls[0]?.audits, 2);
			assert.equal(urls[0]?.latest.id, newer.id);
			assert.equal(urls[0]?.latest.scores.mobile?.performance, 0.7);
			// A URL as a person types it finds the normalised one.
			const entries = await store.listAudits('HTTPS://EXAMPLE.com/pricing#plans');
			assert.deepEqual(
				entries.map((e) => e.id),
				[newer.id, older.id],
			);
			assert.equal(entries[1]?.requestedAt, older.requestedAt);
			assert.equal((await store.listAudits(url, 1)).length, 1);
		});

		it('keeps the Lighthouse JSON losslessly, with its images in a file beside the database', async () => {
			const { store } = await openStore();
			const mobile = loadLhr('mobile');
			const desktop = loadLhr('desktop');
			const result = sampleResult();
			await store.save(
				'k',
				result,
				new Map<string, unknown>([
					['lhr:mobile', mobile],
					['lhr:desktop', JSON.stringify(desktop)],
				]),
			);
			assert.deepEqual(await store.getLhr(result.id, 'mobile'), mobile);
			assert.deepEqual(await store.getLhr(result.id, 'desktop'), desktop);
			const imageFiles = fs.readdirSync(path.join(`${dbPath}.files`, result.id));
			assert.deepEqual(imageFiles.sort(), ['lhr-desktop-images.json.gz', 'lhr-mobile-images.json.gz']);
			assert.equal(await store.getLhr('no-such-id', 'mobile'), undefined);
		});

		it('spends at most 55 KB of database per audit with real Lighthouse reports', async () => {
			const { store } = await openStore({}, { flushDelayMs: 0 });
			await store.flush();
			const empty = fs.statSync(dbPath).size;
			const artifacts = new Map<string, unknown>([
				['lhr:mobile', loadLhr('mobile')],
				['lhr:desktop', loadLhr('desktop')],
			]);
			const n = 5;
			for (let i = 0; i < n; i++)
				await store.save(`k${i}`, sampleResult({ url: `https://example.com/${i}` }), artifacts);
			await store.flush();
			const perAudit = (fs.statSync(dbPath).size - empty) / n;
			assert.ok(perAudit <= 55_000, `${Math.round(perAudit)} bytes per audit`);
		});

		it('deletes one audit, a URL, or everything, with their screenshot files', async () => {
			const { store, cache } = await openStore();
			const shots = path.join(dir, 'shots');
			const make = (url: string) => {
				const r = sampleResult({ url, screenshotDir: path.join(shots, url.replace(/\W/g, '_') + Math.random()) });
				const capture = r.stages.capture;
				assert.ok(capture?.status === 'ok');
				for (const s of Object.values(capture.data.shots)) {
					for (const shot of [s?.viewport, s?.fullPage]) {
						if (!shot) continue;
						fs.mkdirSync(path.dirname(shot.path), { recursive: true });
						fs.writeFileSync(shot.path, 'image');
					}
				}
				return r;
			};
			const a1 = make('https://a.example/');
			const a2 = make('https://a.example/');
			const b = make('https://b.example/');
			for (const r of [a1, a2, b]) await store.save(r.id, r, noArtifacts);
			assert.equal(fs.readdirSync(shots).length, 3);

			assert.equal(await store.delete({ id: a1.id }), 1);
			assert.equal(await store.get(a1.id), undefined);
			assert.equal(await cache.lookup(a1.id), undefined);
			assert.equal(await store.delete({ url: 'https://A.example' }), 1);
			assert.equal(await store.delete({ all: true }), 1);
			assert.equal(store.stats().history.audits, 0);
			// The folders go in the background: wait for it, however long the machine takes.
			await waitFor(() => fs.readdirSync(shots).length === 0, 10_000, 'the screenshot folders to be removed');
			await assert.rejects(
				store.delete({}),
				(err: unknown) => err instanceof AuditError && err.code === 'INVALID_PARAMS',
			);
		});
	});

	describe('retention', () => {
		it('keeps only the newest historyMaxCount audits and deletes the files of the others', async () => {
			const { store } = await openStore({ historyMaxCount: 3 });
			const results = Array.from({ length: 5 }, (_, i) =>
				sampleResult({
					url: 'https://example.com/',
					requestedAt: new Date(Date.now() - (5 - i) * 1000),
					screenshotDir: path.join(dir, `shots-${i}`),
				}),
			);
			for (const r of results) {
				const capture = r.stages.capture;
				if (capture?.status === 'ok')
					for (const s of Object.values(capture.data.shots))
						if (s)
							(fs.mkdirSync(path.dirname(s.viewport.path), { recursive: true }),
								fs.writeFileSync(s.viewport.path, 'x'));
				await store.save(r.id, r, noArtifacts);
			}
			const kept = await store.listAudits('https://example.com/');
			assert.deepEqual(
				kept.map((e) => e.id),
				results
					.slice(2)
					.reverse()
					.map((r) => r.id),
			);
			assert.equal(store.stats().history.audits, 3);
			await waitFor(
				() => !fs.existsSync(path.join(dir, 'shots-0')),
				10_000,
				"the pruned audit's screenshots to be removed",
			);
			assert.equal(fs.existsSync(path.join(dir, 'shots-4')), true);
		});

		it('removes audits older than historyMaxAgeDays after a write and at open', async () => {
			const first = await openStore({ historyMaxAgeDays: 365 });
			const old = sampleResult({ requestedAt: new Date(Date.now() - 40 * DAY_MS) });
			const recent = sampleResult({ requestedAt: new Date(Date.now() - 2 * DAY_MS) });
			await first.store.save('old', old, noArtifacts);
			await first.store.save('recent', recent, noArtifacts);
			assert.equal(first.store.stats().history.audits, 2);
			await first.store.close();

			const second = await openStore({ historyMaxAgeDays: 30 });
			assert.equal(second.store.stats().history.audits, 1, 'applied at open');
			assert.equal(await second.store.get(old.id), undefined);
			assert.equal((await second.store.get(recent.id))?.id, recent.id);
			await second.store.save('older', sampleResult({ requestedAt: new Date(Date.now() - 31 * DAY_MS) }), noArtifacts);
			assert.equal(second.store.stats().history.audits, 1, 'applied after a write');
		});
	});

	describe('the database file', () => {
		it('sets a database whose pages are garbage aside with a warning and starts afresh', async () => {
			const garbage = Buffer.alloc(64 * 1024);
			for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 251;
			// SQLite's header, then damage: a file only the store would have written (see
			// test/engine/history/dbFile.test.ts).
			SQLITE_HEADER.copy(garbage);
			fs.writeFileSync(dbPath, garbage);
			const { store, log } = await openStore({}, { flushDelayMs: 0 });
			const aside = fs.readdirSync(dir).filter((n) => n.startsWith('history.sqlite.corrupt-'));
			assert.equal(aside.length, 1);
			assert.deepEqual(fs.readFileSync(path.join(dir, aside[0] as string)), garbage);
			const warning = log.lines.find((l) => l.level === 'warn');
			assert.match(warning?.message ?? '', /could not be read.*moved to .*corrupt-.*new, empty history/s);
			const r = sampleResult();
			await store.save('k', r, noArtifacts);
			await store.flush();
			await store.close();
			const reopened = await openStore();
			assert.equal((await reopened.store.get(r.id))?.id, r.id);
		});

		it('sets aside a truncated database file', async () => {
			const first = await openStore({}, { flushDelayMs: 0 });
			for (let i = 0; i < 3; i++)
				await first.store.save(`k${i}`, sampleResult(), new Map([['lhr:mobile', loadLhr('mobile')]]));
			await first.store.close();
			const bytes = fs.readFileSync(dbPath);
			fs.writeFileSync(dbPath, bytes.subarray(0, Math.floor(bytes.length / 2)));
			const { store, log } = await openStore();
			assert.equal(store.stats().history.audits, 0);
			assert.ok(log.lines.some((l) => l.level === 'warn' && /moved to/.test(l.message)));
		});

		it('reads the rows of a version-1 history (before results had a status) as ok, and serves them from the cache', async () => {
			const SQL = await loadSqlJs();
			const db = new SQL.Database();
			db.exec(
				`CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1); ${MIGRATIONS[0]}`,
			);
			const old = sampleResult({ url: 'https://old.example/' }) as Partial<AuditResult>;
			delete old.status;
			const now = Date.now();
			db.run(
				`INSERT INTO audits (id, url, cache_key, requested_at, saved_at, duration_ms, options, engine_version, lighthouse_version,
					scores, metrics, stages, error, summary, files, result) VALUES (?, ?, 'k', ?, ?, 9000, '{}', '0.1.0', '12.8.2', '{}', '{}', '{}', NULL, '', '[]', ?)`,
				[old.id ?? '', old.url ?? '', now, now, await packText(JSON.stringify(old), 5)],
			);
			fs.writeFileSync(dbPath, db.export());
			db.close();
			const { store, cache } = await openStore();
			const [entry] = await store.listAudits('https://old.example/');
			assert.deepEqual([entry?.id, entry?.status, entry?.error], [old.id, 'ok', undefined]);
			assert.equal((await cache.lookup('k'))?.id, old.id);
		});

		it('refuses, and leaves alone, a file written by a newer schema', async () => {
			const first = await openStore();
			await first.store.save('k', sampleResult(), noArtifacts);
			await first.store.close();
			const SQL = await loadSqlJs();
			const db = new SQL.Database(fs.readFileSync(dbPath));
			assert.equal(db.exec('SELECT version FROM schema_version')[0]?.values[0]?.[0], SCHEMA_VERSION);
			db.run('UPDATE schema_version SET version = ?', [SCHEMA_VERSION + 1]);
			fs.writeFileSync(dbPath, db.export());
			db.close();
			await assert.rejects(
				HistoryStore.open({ path: dbPath, settings: testSettings(), log: recordingLogger() }),
				(err: unknown) => err instanceof AuditError && /newer than this AuditLens understands/.test(err.message),
			);
			assert.deepEqual(
				fs.readdirSync(dir).filter((n) => n.includes('corrupt')),
				[],
			);
			assert.equal(fs.existsSync(`${dbPath}.lock`), false, 'the lock is released after a refusal');
		});

		it('refuses a second store on the same file, naming the pid that holds it', async () => {
			const { store } = await openStore();
			await assert.rejects(
				HistoryStore.open({ path: dbPath, settings: testSettings(), log: recordingLogger() }),
				(err: unknown) =>
					err instanceof AuditError &&
					new RegExp(`in use by engine pid ${process.pid}`).test(err.message) &&
					err.message.includes(dbPath),
			);
			await store.close();
			const again = await openStore();
			assert.equal(again.store.stats().history.path, dbPath);
		});

		it('takes over a lock left by a dead process', async () => {
			const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
				encoding: 'utf8',
			});
			fs.writeFileSync(`${dbPath}.lock`, `${dead.stdout}\n`);
			const { store } = await openStore();
			assert.equal(fs.readFileSync(`${dbPath}.lock`, 'utf8').trim(), String(process.pid));
			await store.close();
			assert.equal(fs.existsSync(`${dbPath}.lock`), false, 'lock released at close');
		});

		it('lets a read-only store read a file another store holds', async () => {
			const { store } = await openStore({}, { flushDelayMs: 0 });
			const r = sampleResult();
			await store.save('k', r, noArtifacts);
			await store.flush();
			const reader = await HistoryStore.open({
				path: dbPath,
				settings: testSettings(),
				log: recordingLogger(),
				readOnly: true,
			});
			open.push(reader);
			assert.equal((await reader.listUrls())[0]?.latest.id, r.id);
			await assert.rejects(reader.save('k2', sampleResult(), noArtifacts), /read-only/);
		});

		it('writes nothing for an in-memory store', async () => {
			const store = await HistoryStore.open({ settings: testSettings(), log: recordingLogger() });
			open.push(store);
			const r = sampleResult();
			await store.save('k', r, new Map([['lhr:mobile', loadLhr('mobile')]]));
			assert.ok(await store.getLhr(r.id, 'mobile'));
			assert.equal(store.stats().history.path, undefined);
			assert.ok(store.stats().history.dbBytes > 0);
			assert.deepEqual(fs.readdirSync(dir), []);
		});

		it('ignores and removes a half-written temp file of a killed writer', async () => {
			const first = await openStore({}, { flushDelayMs: 0 });
			const r = sampleResult();
			await first.store.save('k', r, noArtifacts);
			await first.store.close();
			const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
				encoding: 'utf8',
			});
			const temp = `${dbPath}.tmp-${dead.stdout}`;
			fs.writeFileSync(temp, fs.readFileSync(dbPath).subarray(0, 3000));
			const { store, log } = await openStore();
			assert.equal((await store.get(r.id))?.id, r.id);
			assert.equal(fs.existsSync(temp), false);
			assert.equal(log.lines.filter((l) => l.level === 'warn').length, 0);
		});

		it('leaves a readable file when the writer is killed with SIGKILL mid-write', async function () {
			this.timeout(120_000);
			const child = path.join(__dirname, '..', '..', 'helpers', 'historyWriterChild.js');
			let lastSaved = 0;
			let midWrite = 0;
			const kills = 6;
			for (let round = 0; round < kills; round++) {
				const proc: ChildProcess = spawn(process.execPath, [child, dbPath], { stdio: ['ignore', 'pipe', 'pipe'] });
				let stderr = '';
				let saved = 0;
				proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
				proc.stdout?.on('data', (d: Buffer) => {
					const m = /saved (\d+)\s*$/.exec(d.toString());
					if (m) saved = Number(m[1]);
				});
				const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
				// Wait for the first persisted audit, then kill at a random moment of the write loop.
				const deadline = Date.now() + 30_000;
				while (saved === 0 && Date.now() < deadline && proc.exitCode === null) await sleep(10);
				assert.ok(saved > 0, `child wrote nothing: ${stderr}`);
				await sleep(20 + Math.random() * 300);
				proc.kill('SIGKILL');
				await exited;
				if (fs.existsSync(`${dbPath}.tmp-${proc.pid}`)) midWrite++;
				lastSaved += saved;
				assert.equal(stderr, '', 'the child reported no error');
			}
			const { store, log } = await openStore();
			assert.equal(log.lines.filter((l) => l.level === 'warn').length, 0, 'no corrupt file set aside');
			const audits = store.stats().history.audits;
			assert.ok(
				audits >= kills,
				`audits in history: ${audits} (children reported ${lastSaved}; ${midWrite} kills left a temp file)`,
			);
			const [latest] = await store.listUrls(1);
			assert.ok(latest && (await store.get(latest.latest.id)), 'the newest audit reads back');
			assert.deepEqual(
				fs.readdirSync(dir).filter((n) => n.includes('.tmp-')),
				[],
				'temp files of killed writers were removed',
			);
		});
	});

	describe('CLI commands', () => {
		function sink() {
			const stream = new PassThrough();
			let text = '';
			stream.on('data', (d: Buffer) => (text += d.toString()));
			return { stream, text: () => text };
		}

		it('history prints a table of URLs and, for a URL, its audits, while an engine holds the file', async () => {
			const { store } = await openStore({}, { flushDelayMs: 0 });
			const r = sampleResult({ url: 'https://example.com/pricing', perf: 0.42 });
			await store.save('k', r, noArtifacts);
			await store.flush();
			const all = sink();
			assert.equal(await historyCommand({ db: dbPath, json: false, out: all.stream }), 0);
			assert.match(all.text(), /^URL\s+AUDITS\s+LATEST/);
			assert.match(all.text(), /https:\/\/example\.com\/pricing\s+1\s+.*42\/95\/100\/91/);
			const one = sink();
			assert.equal(
				await historyCommand({ db: dbPath, url: 'HTTPS://example.com/pricing#top', json: true, out: one.stream }),
				0,
			);
			const parsed = JSON.parse(one.text()) as { entries: { id: string }[] };
			assert.deepEqual(
				parsed.entries.map((e) => e.id),
				[r.id],
			);
		});

		it('history answers 2 with a hint for a bad URL, and 0 for a missing database', async () => {
			const out = sink();
			const err = sink();
			assert.equal(
				await historyCommand({ db: dbPath, url: 'example.com', json: false, out: out.stream, err: err.stream }),
				2,
			);
			assert.match(err.text(), /Did you mean https:\/\/example\.com/);
			assert.equal(await historyCommand({ db: dbPath, json: false, out: out.stream }), 0);
			assert.match(out.text(), /No audit history yet/);
		});

		it('cache clear is refused while an engine holds the file, and works once it is free', async () => {
			const { store } = await openStore({}, { flushDelayMs: 0 });
			await store.save('k', sampleResult(), noArtifacts);
			const out = sink();
			const err = sink();
			assert.equal(await cacheClearCommand({ db: dbPath, json: false, out: out.stream, err: err.stream }), 1);
			assert.match(err.text(), /in use by engine pid \d+[\s\S]*Clear Cache/);
			await store.close();
			assert.equal(await cacheClearCommand({ db: dbPath, json: true, out: out.stream, err: err.stream }), 0);
			assert.deepEqual(JSON.parse(out.text()), { cleared: 1 });
			const reopened = await openStore();
			assert.equal(await reopened.cache.lookup('k'), undefined);
		});
	});
});
