import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../../src/engine/createEngine';
import type { Engine } from '../../src/engine/engine';
import { delay } from '../helpers/async';
import { lighthouseScores } from '../helpers/engineProcess';
import { type FixtureServer, startFixtureServer } from '../helpers/fixtureServer';
import { recordingLogger } from '../helpers/sampleResult';

const LH_ONLY = { stages: { capture: false, cro: false, ai: false, crux: false } };
/** The preflight's least wait, shortened from 30 s so the test need not wait past the real one. */
const MIN_MS = 2_000;

describe('preflight: the wait for a first answer (real engine in process, real Chromium and Lighthouse)', function () {
	this.timeout(180_000);
	let dir: string;
	let engine: Engine;
	let server: FixtureServer;
	before(async () => (server = await startFixtureServer()));
	after(() => server.close());
	beforeEach(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-preflight-'));
		engine = await createEngine({ artifactsDir: dir, log: recordingLogger(), preflightMinMs: MIN_MS });
	});
	afterEach(async () => {
		await engine.close();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	it('waits for a slow server past its least wait when the audit timeout is raised, as its TIMEOUT message advises', async () => {
		// 140 s: the first answer is waited for a quarter of it (35 s). The fixture holds the preflight's request
		// until the least wait has passed (the wait began before the request arrived), and lets the browsers through.
		const gate = server.gate('/gated/slow-first-answer', {
			hold: (req) => req.headers['user-agent'] === 'AuditLens preflight',
		});
		try {
			const pending = engine.audit({
				url: server.url('/gated/slow-first-answer'),
				options: { ...LH_ONLY, formFactors: ['mobile'], timeoutMs: 140_000 },
			});
			await gate.reached;
			await delay(MIN_MS + 500);
			gate.open();
			const result = await pending;
			assert.equal(result.status, 'ok', JSON.stringify(result.error));
			lighthouseScores(result, 'mobile');
		} finally {
			gate.open();
		}
	});
});
