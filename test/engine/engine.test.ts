import assert from 'node:assert/strict';
import { ResponseError } from 'vscode-jsonrpc';
import {
	auditRequest,
	type AuditOptionsInput,
	type AuditResult,
	batchAuditRequest,
	cancelRequest,
	configureRequest,
	type ErrorInfo,
	listHistoryRequest,
	statsRequest,
} from '../../src/protocol';
import { type EngineProcess, startEngine, waitFor } from '../helpers/engineProcess';
import { type FixtureServer, startFixtureServer } from '../helpers/fixtureServer';

/** No stage at all: the audit is the pipeline alone (request, cache, flight, queue, preflight, result, history). */
const NO_STAGES: AuditOptionsInput = {
	stages: { lighthouse: false, capture: false, cro: false, ai: false, crux: false },
};
const LH_ONLY: AuditOptionsInput = { stages: { capture: false, cro: false, ai: false, crux: false } };

async function rejection(p: Promise<unknown>): Promise<ResponseError<ErrorInfo>> {
	try {
		await p;
	} catch (err) {
		assert.ok(err instanceof ResponseError, `expected a ResponseError, got ${String(err)}`);
		return err as ResponseError<ErrorInfo>;
	}
	assert.fail('expected the request to be refused');
}

describe('engine pipeline: honest results, cache, flight and queue (real engine process)', function () {
	let server: FixtureServer;
	let engine: EngineProcess;

	before(async () => {
		server = await startFixtureServer();
		engine = await startEngine();
	});
	after(async () => {
		await engine?.stop();
		await server?.close();
	});

	const audit = (url: string, options: AuditOptionsInput, auditId?: string) =>
		engine.connection.sendRequest(auditRequest, { url, options, ...(auditId ? { auditId } : {}) });
	const history = async (url: string) =>
		(await engine.connection.sendRequest(listHistoryRequest, { url })).entries ?? [];

	it('reports a page that loads on mobile but never on desktop as partial, records it with the stage error, and does not cache it', async () => {
		const url = server.url('/desktop-fails');
		const first = await audit(url, LH_ONLY);
		assert.equal(first.status, 'partial', JSON.stringify(first.stageErrors));
		assert.equal(first.error, undefined);
		assert.equal(first.stages['lighthouse-mobile']?.status, 'ok');
		assert.equal(first.stages['lighthouse-desktop']?.status, 'error');
		const desktopError = first.stageErrors?.['lighthouse-desktop'];
		assert.ok(desktopError, 'the desktop error is listed');
		assert.deepEqual(Object.keys(first.stageErrors ?? {}), ['lighthouse-desktop']);
		assert.match(first.chromeVersion ?? '', /\d+\.\d+\.\d+/, 'the Chrome version is reported');

		const [entry] = await history(url);
		assert.deepEqual([entry?.id, entry?.status, entry?.error], [first.id, 'partial', desktopError]);

		const second = await audit(url, LH_ONLY);
		assert.equal(second.fromCache, false, 'a partial result is not served from the cache');
		assert.notEqual(second.id, first.id);
		assert.equal(second.status, 'partial');
		assert.deepEqual(
			(await history(url)).map((e) => [e.id, e.status]),
			[[second.id, 'partial']],
			'the re-run replaced the earlier partial audit of the same key',
		);
	});

	it('answers a page that gives HTTP 500 with a failed result, records it in the history, and does not cache it', async () => {
		const url = server.url('/500');
		const first = await audit(url, LH_ONLY);
		assert.equal(first.status, 'failed');
		assert.equal(first.error?.code, 'HTTP_ERROR');
		assert.match(first.error?.message ?? '', /HTTP 500/);
		assert.deepEqual(first.stages, {}, 'no stage ran on a page that did not load');
		const [entry] = await history(url);
		assert.deepEqual([entry?.id, entry?.status, entry?.error?.code], [first.id, 'failed', 'HTTP_ERROR']);
		const second = await audit(url, LH_ONLY);
		assert.equal(second.fromCache, false);
		assert.notEqual(second.id, first.id);
		const stats = await engine.connection.sendRequest(statsRequest, {});
		assert.ok(stats.audits.failed >= 2, `failed audits counted: ${stats.audits.failed}`);
	});

	it('gives a failed batch item as a result with status failed, and an error only to a refused URL', async () => {
		const { items } = await engine.connection.sendRequest(batchAuditRequest, {
			urls: [server.url('/500?batch'), 'http://user:pw12345678@127.0.0.1/'],
			options: NO_STAGES,
		});
		assert.deepEqual([items[0]?.result?.status, items[0]?.error], ['failed', undefined]);
		assert.deepEqual([items[1]?.result, items[1]?.error?.code], [undefined, 'INVALID_URL']);
		assert.ok(!JSON.stringify(items).includes('pw12345678'), 'the password is not echoed');
	});

	it('does not serve a result cached without an Anthropic key once a key is set', async () => {
		const url = server.url('/site/page6.html');
		// AI on but capture off: the AI stage is skipped either way, for a reason that depends on the key.
		const options: AuditOptionsInput = {
			stages: { lighthouse: false, capture: false, cro: false, ai: true, crux: false },
		};
		const without = await audit(url, options);
		assert.equal((await audit(url, options)).fromCache, true);
		await engine.connection.sendRequest(configureRequest, { anthropicApiKey: 'sk-ant-api03-pipeline-test-key-000000' });
		try {
			const withKey = await audit(url, options);
			assert.equal(withKey.fromCache, false, 'a new key gives a new cache key');
			assert.notEqual(withKey.id, without.id);
			const reason = (r: AuditResult) => (r.stages.ai?.status === 'skipped' ? r.stages.ai.reason : '');
			assert.notEqual(reason(withKey), reason(without));
		} finally {
			await engine.connection.sendRequest(configureRequest, { anthropicApiKey: '' });
		}
		assert.equal((await audit(url, options)).id, without.id, 'without the key, the first result is served again');
	});

	it('takes a cancelled audit out of the queue at once, with no false BUSY, and reports the wait in the queue', async () => {
		await engine.connection.sendRequest(configureRequest, { maxConcurrentAudits: 1, queueSize: 1 });
		const gate = server.gate('/gated/queue');
		const gatedUrl = server.url('/gated/queue');
		try {
			const running = audit(gatedUrl, NO_STAGES, 'held');
			await gate.reached;
			const queued = rejection(audit(server.url('/site/page7.html'), NO_STAGES, 'queued-then-cancelled'));
			await waitFor(
				() => engine.progress.some((p) => p.auditId === 'queued-then-cancelled' && p.state === 'queued'),
				10_000,
				'the second audit to queue',
			);
			assert.equal((await engine.connection.sendRequest(statsRequest, {})).audits.queued, 1);

			assert.equal(
				(await engine.connection.sendRequest(cancelRequest, { auditId: 'queued-then-cancelled' })).cancelled,
				1,
			);
			const counts = (await engine.connection.sendRequest(statsRequest, {})).audits;
			assert.deepEqual([counts.active, counts.queued], [1, 0], 'the place in the queue is free at once');
			assert.equal((await queued).data?.code, 'CANCELLED');

			const next = audit(server.url('/site/page8.html'), NO_STAGES, 'queued-next');
			await waitFor(
				() => engine.progress.some((p) => p.auditId === 'queued-next' && p.state === 'queued'),
				10_000,
				'the third audit to queue (not BUSY)',
			);
			const queuedSeen = Date.now();
			gate.open();
			const openedAt = Date.now();
			const [held, after] = await Promise.all([running, next]);
			assert.deepEqual([held.status, after.status], ['ok', 'ok']);
			assert.ok(
				after.queuedMs >= openedAt - queuedSeen,
				`queuedMs ${after.queuedMs} covers the time the gate was held (${openedAt - queuedSeen} ms)`,
			);
			assert.ok(after.durationMs >= after.queuedMs);
			assert.ok(held.queuedMs < after.queuedMs, `the audit that did not wait reports less (${held.queuedMs} ms)`);
			assert.equal((await engine.connection.sendRequest(statsRequest, {})).audits.rejectedBusy, 0);
		} finally {
			gate.open();
			await engine.connection.sendRequest(configureRequest, { maxConcurrentAudits: 2, queueSize: 50 });
		}
	});

	it("times out one caller at its own deadline without stopping another caller's shared run", async () => {
		const gate = server.gate('/gated/flight');
		const gatedUrl = server.url('/gated/flight');
		try {
			const short = audit(gatedUrl, { ...NO_STAGES, noCache: true, timeoutMs: 5_000 }, 'short-deadline');
			await gate.reached;
			const patient = audit(gatedUrl, { ...NO_STAGES, noCache: true }, 'patient');
			const timedOut = await short;
			assert.equal(timedOut.status, 'failed');
			assert.equal(timedOut.error?.code, 'TIMEOUT');
			assert.match(timedOut.error?.message ?? '', /within 5 s/);
			assert.equal((await engine.connection.sendRequest(statsRequest, {})).audits.active, 1, 'the shared run goes on');
			gate.open();
			const result = await patient;
			assert.equal(result.status, 'ok');
			assert.equal(server.hits.get('/gated/flight'), 1, 'one run served both callers');
		} finally {
			gate.open();
		}
	});

	it('refuses a URL with credentials as INVALID_URL, and never shows the password', async () => {
		const password = 'hunter2-s3cret-pw';
		const url = `http://alice:${password}@127.0.0.1:${new URL(server.origin).port}/`;
		const err = await rejection(audit(url, NO_STAGES));
		assert.equal(err.data?.code, 'INVALID_URL');
		assert.match(err.message, /alice:\*\*\*@/);
		assert.match(err.message, /credentials/i);
		assert.match(err.message, /--header, --cookie/);
		for (const text of [err.message, JSON.stringify(err.data), JSON.stringify(err), engine.stderr()])
			assert.ok(!text.includes(password), `the password leaked: ${text.slice(0, 200)}`);
		const { urls } = await engine.connection.sendRequest(listHistoryRequest, {});
		assert.ok(!JSON.stringify(urls).includes(password));
	});
});
