import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkDbPath, DbPathError, SQLITE_HEADER } from '../../../src/engine/history/dbFile';
import { HistoryStore } from '../../../src/engine/history/historyStore';
import { statsRequest } from '../../../src/protocol';
import { startEngine } from '../../helpers/engineProcess';
import { recordingLogger, sampleResult, testSettings } from '../../helpers/sampleResult';
import { snapshot } from '../../helpers/snapshot';

/** A real history database file with one audit, then its pages after the header overwritten. */
async function damagedDatabase(file: string): Promise<Buffer> {
	const store = await HistoryStore.open({
		path: file,
		settings: testSettings(),
		log: recordingLogger(),
		flushDelayMs: 0,
	});
	await store.save('k', sampleResult(), new Map());
	await store.close();
	const bytes = fs.readFileSync(file);
	bytes.fill(0xa5, 100);
	fs.writeFileSync(file, bytes);
	return bytes;
}

describe('the history file: only what is clearly its own and broken is set aside', function () {
	this.timeout(60_000);
	let dir: string;
	const open = (file: string) =>
		HistoryStore.open({ path: file, settings: testSettings(), log: recordingLogger(), flushDelayMs: 0 });

	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-dbfile-'));
	});
	afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

	it('refuses a folder, and leaves it and its parent exactly as they were', async () => {
		const project = path.join(dir, 'project');
		fs.mkdirSync(path.join(project, 'src'), { recursive: true });
		fs.writeFileSync(path.join(project, 'src', 'index.ts'), 'export {};\n');
		const before = snapshot(dir);
		await assert.rejects(
			open(project),
			(err: Error) => err instanceof DbPathError && /project is a folder, not a history database/.test(err.message),
		);
		assert.deepEqual(snapshot(dir), before);
	});

	it('refuses a file that is not an SQLite database, and leaves it and its folder as they were', async () => {
		const notes = path.join(dir, 'notes.txt');
		fs.writeFileSync(notes, 'my notes: do not lose these\n'.repeat(20));
		const before = snapshot(dir);
		await assert.rejects(open(notes), /notes\.txt is not an SQLite database.*leaves it as it is/);
		assert.deepEqual(snapshot(dir), before);
		assert.throws(() => checkDbPath(notes), DbPathError);
	});

	it('sets aside a file with SQLite’s header whose pages are damaged, and starts a new history', async () => {
		const file = path.join(dir, 'mine.sqlite');
		const damaged = await damagedDatabase(file);
		const log = recordingLogger();
		const store = await HistoryStore.open({ path: file, settings: testSettings(), log, flushDelayMs: 0 });
		assert.equal(store.stats().history.audits, 0);
		await store.close();
		const aside = fs.readdirSync(dir).filter((n) => n.startsWith('mine.sqlite.corrupt-'));
		assert.equal(aside.length, 1);
		assert.deepEqual(fs.readFileSync(path.join(dir, aside[0]!)), damaged, 'the damaged file is kept, byte for byte');
		assert.ok(log.lines.some((l) => l.level === 'warn' && /moved to/.test(l.message)));
	});

	it('sets aside anything unreadable at the default history path: that file is its own', async () => {
		const home = process.env.HOME;
		process.env.HOME = dir;
		try {
			const file = path.join(dir, '.auditlens', 'history.sqlite');
			fs.mkdirSync(path.dirname(file));
			fs.writeFileSync(file, 'not a database at all');
			assert.doesNotThrow(() => checkDbPath(file));
			const store = await open(file);
			await store.close();
			assert.equal(fs.readdirSync(path.dirname(file)).filter((n) => n.startsWith('history.sqlite.corrupt-')).length, 1);
		} finally {
			process.env.HOME = home;
		}
	});

	it('takes a missing or empty file as a new history', async () => {
		assert.doesNotThrow(() => checkDbPath(path.join(dir, 'new.sqlite')));
		fs.writeFileSync(path.join(dir, 'empty.sqlite'), '');
		const store = await open(path.join(dir, 'empty.sqlite'));
		await store.close();
		assert.ok(fs.readFileSync(path.join(dir, 'empty.sqlite')).subarray(0, 16).equals(SQLITE_HEADER));
	});

	it('the engine process takes its --db as its own (the editor picks it): garbage there is set aside, and it serves', async () => {
		const file = path.join(dir, 'history.sqlite');
		fs.writeFileSync(file, 'zeroed by a disk error, not even a header');
		const engine = await startEngine({ db: file });
		try {
			const stats = await engine.connection.sendRequest(statsRequest, {});
			assert.equal(stats.history.audits, 0);
			const aside = fs.readdirSync(dir).filter((n) => n.startsWith('history.sqlite.corrupt-'));
			assert.equal(aside.length, 1);
			assert.equal(fs.readFileSync(path.join(dir, aside[0]!), 'utf8'), 'zeroed by a disk error, not even a header');
		} finally {
			await engine.stop();
			fs.rmSync(engine.dir, { recursive: true, force: true });
		}
	});

	it('the engine process refuses a folder as its --db, leaving it as it was', async () => {
		const project = path.join(dir, 'project');
		fs.mkdirSync(path.join(project, 'src'), { recursive: true });
		fs.writeFileSync(path.join(project, 'src', 'a.ts'), 'x');
		const before = snapshot(dir);
		const engine = await startEngine({ db: project });
		try {
			assert.equal(await engine.exited, 1);
			assert.match(engine.stderr(), /project is a folder, not a history database/);
			assert.deepEqual(snapshot(dir), before);
		} finally {
			await engine.stop();
			fs.rmSync(engine.dir, { recursive: true, force: true });
		}
	});
});
