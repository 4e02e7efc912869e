import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auditRequest, cancelRequest } from '../../../src/protocol';
import { chromiumOf, type EngineProcess, ROOT, startEngine, waitFor } from '../../helpers/engineProcess';
import { type FixtureServer, startFixtureServer } from '../../helpers/fixtureServer';
import { alive, watchdogOf } from '../../helpers/orphanWatchdog';

/** Lighthouse (pool Chrome) with the capture taken in its page; no remote APIs. */
const OPTIONS = { formFactors: ['mobile' as const], stages: { ai: false, crux: false } };
/** The capture alone: Playwright's Chrome (the capture browser) loads the page. */
const CAPTURE_ONLY = { formFactors: ['mobile' as const], stages: { lighthouse: false, ai: false, crux: false } };

/** Every entry under `dir`, relative, for a readable failure message. */
function entries(dir: string): string[] {
	return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

describe('temp folders (engine process with a private TMPDIR)', function () {
	if (process.platform !== 'linux') return;
	this.timeout(120_000);
	let server: FixtureServer;
	let tmp: string;
	let engine: EngineProcess;
	let watchdog: number;

	before(async () => (server = await startFixtureServer()));
	after(async () => server?.close());

	beforeEach(async () => {
		// Short: Chrome's socket path under TMPDIR must stay within 107 bytes.
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'al-'));
		assert.deepEqual(entries(tmp), [], 'the private TMPDIR starts empty');
		// The history and artifacts live outside the private TMPDIR (startEngine's own folder).
		engine = await startEngine({ env: { TMPDIR: tmp } });
		await waitFor(() => watchdogOf(engine.child.pid!) !== undefined, 10_000, 'the orphan watchdog to start');
		watchdog = watchdogOf(engine.child.pid!)!;
	});
	afterEach(async () => {
		if (engine.child.exitCode === null && engine.child.signalCode === null) engine.child.kill('SIGKILL');
		await engine.stop();
		fs.rmSync(tmp, { recursive: true, force: true });
	});

	/** The engine is gone and its watchdog has finished its sweep: the private TMPDIR must be as it was. */
	async function assertNothingLeft(): Promise<void> {
		await engine.exited;
		await waitFor(() => !alive(watchdog), 15_000, 'the orphan watchdog to finish');
		assert.deepEqual(chromiumOf(engine.child.pid!), [], 'no Chromium of this engine is left');
		assert.deepEqual(entries(tmp), [], 'nothing is left in TMPDIR');
	}

	/**
	 * Hold an audit on a page that never finishes loading, and a capture-only one beside it (the capture browser runs
	 * only for a capture Lighthouse does not take), until both Chromes have their profiles in the engine's folder.
	 */
	async function holdAudit(auditId: string): Promise<{ pending: Promise<unknown> }> {
		const pending = engine.connection.sendRequest(auditRequest, {
			url: server.url(`/hang-subresource.html?${auditId}`),
			auditId,
			options: OPTIONS,
		});
		pending.catch(() => undefined);
		const capture = engine.connection.sendRequest(auditRequest, {
			url: server.url(`/hang-subresource.html?${auditId}-capture`),
			auditId: `${auditId}-capture`,
			options: CAPTURE_ONLY,
		});
		capture.catch(() => undefined);
		await waitFor(
			() => {
				const [own] = fs.readdirSync(tmp);
				if (!own) return false;
				const inside = fs.readdirSync(path.join(tmp, own));
				return (
					inside.some((e) => e.startsWith('pool')) &&
					inside.some((e) => e.startsWith('playwright_chromiumdev_profile-'))
				);
			},
			60_000,
			'the pool Chrome and the capture browser to have their profiles',
		);
		assert.equal(fs.readdirSync(tmp).length, 1, `one folder of the engine's own: ${entries(tmp).join(', ')}`);
		return { pending };
	}

	it('leaves nothing after an audit and a normal exit (stdin closed), and says once why the sandbox is off', async () => {
		const result = await engine.connection.sendRequest(auditRequest, {
			url: server.url('/?temp-run'),
			options: OPTIONS,
		});
		assert.equal(result.stages.capture?.status, 'ok');
		await engine.stop();
		await assertNothingLeft();
		if (process.getuid?.() === 0) assert.equal(engine.stderr().split('Chrome sandbox off').length - 1, 1, 'said once');
	});

	it('leaves nothing after a cancelled audit and SIGTERM', async () => {
		const { pending } = await holdAudit('temp-cancel');
		const { cancelled } = await engine.connection.sendRequest(cancelRequest, { auditId: 'temp-cancel' });
		assert.equal(cancelled, 1);
		await assert.rejects(pending);
		engine.child.kill('SIGTERM');
		await assertNothingLeft();
	});

	it('leaves nothing after SIGINT mid-audit', async () => {
		await holdAudit('temp-sigint');
		engine.child.kill('SIGINT');
		await assertNothingLeft();
	});

	it('leaves nothing after the engine is SIGKILLed mid-audit: the watchdog kills its Chromes and removes its folder', async () => {
		await holdAudit('temp-kill');
		engine.child.kill('SIGKILL');
		await assertNothingLeft();
	});
});

describe('temp folders (CLI with a private TMPDIR)', function () {
	if (process.platform !== 'linux') return;
	this.timeout(120_000);

	it('leaves nothing after an audit from the command line', async () => {
		const server = await startFixtureServer();
		const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'al-'));
		const db = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-cli-db-'));
		try {
			const cli = spawn(
				process.execPath,
				[
					path.join(ROOT, 'bin', 'auditlens.js'),
					'audit',
					server.url('/?cli'),
					'--db',
					path.join(db, 'h.sqlite'),
					'--no-cache',
					'--no-ai',
					'--form-factor',
					'mobile',
				],
				{
					env: { ...process.env, TMPDIR: tmp },
					stdio: ['ignore', 'pipe', 'pipe'],
				},
			);
			let out = '';
			cli.stdout.on('data', (c: Buffer) => (out += c.toString()));
			const code = await new Promise<number | null>((resolve) => cli.once('exit', resolve));
			assert.equal(code, 0, out);
			// The CLI removes its folder as it exits; its watchdog sweeps what a dying Chrome wrote after that.
			await waitFor(() => entries(tmp).length === 0, 15_000, `TMPDIR to be empty (left: ${entries(tmp).join(', ')})`);
			assert.deepEqual(chromiumOf(cli.pid!), []);
		} finally {
			await server.close();
			fs.rmSync(tmp, { recursive: true, force: true });
			fs.rmSync(db, { recursive: true, force: true });
		}
	});
});
