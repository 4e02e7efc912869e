import assert from 'node:assert/strict';
import { CruxClient, privateHostReason } from '../../../src/engine/crux/cruxClient';
import { createLogger } from '../../../src/engine/log';
import { DEFAULT_SETTINGS } from '../../../src/engine/settings';
import { createCruxStage, NO_CRUX_KEY_REASON } from '../../../src/engine/gather/crux';
import type { EngineSettings, FormFactor } from '../../../src/protocol';
import { cruxError, cruxRecord, noData, startFakeCrux, type FakeCrux } from '../../helpers/fakeCrux';
import { StageHarness } from '../../helpers/stageHarness';

const KEY = 'AIzaSyFAKE-crux-key-0123456789abcdef';

describe('CrUX field data (fake CrUX API on 127.0.0.1)', function () {
	this.timeout(20_000);
	let fake: FakeCrux;
	beforeEach(async () => (fake = await startFakeCrux({ apiKey: KEY })));
	afterEach(() => fake.close());

	function setup(over: Partial<EngineSettings> = {}, clientOpts = {}) {
		const settings: EngineSettings = { ...DEFAULT_SETTINGS, cruxApiKey: KEY, ...over };
		const client = new CruxClient(settings, createLogger('error'), { baseUrl: fake.url, ...clientOpts });
		const stage = createCruxStage(client);
		const run = (url = 'https://shop.example.com/pricing', formFactors: FormFactor[] = ['mobile', 'desktop']) => {
			const ctx = new StageHarness({ url, settings, options: { formFactors }, logLevel: 'debug' });
			return ctx.runStage(stage).then((outcome) => ({ outcome, ctx }));
		};
		return { client, run };
	}

	it('is skipped without a key', async () => {
		const { outcome } = await setup({ cruxApiKey: undefined }).run();
		assert.deepEqual([outcome.status, outcome.status === 'skipped' && outcome.reason], ['skipped', NO_CRUX_KEY_REASON]);
	});

	it('is skipped with a reason for localhost and private hosts', async () => {
		for (const url of [
			'http://localhost:3000/',
			'http://127.0.0.1:8080/x',
			'http://192.168.1.20/',
			'http://10.0.0.5/',
			'http://[::1]:3000/',
			'http://myapp.local/',
			'http://intranet/',
		]) {
			const { outcome } = await setup().run(url);
			assert.equal(outcome.status, 'skipped', url);
			assert.match(outcome.status === 'skipped' ? outcome.reason : '', /local or private hosts/, url);
		}
		assert.equal(privateHostReason('https://example.org/'), undefined);
		assert.equal(privateHostReason('http://8.8.8.8/'), undefined);
		assert.equal(fake.requests.length, 0);
	});

	it('asks for origin and URL records with the key and returns p75 LCP, INP, CLS, FCP, TTFB', async () => {
		fake.answer = (body) =>
			body.origin
				? cruxRecord({ origin: body.origin }, { lcp: 2400, inp: 190, cls: 0.08, fcp: 1500, ttfb: 700 })
				: cruxRecord({ url: body.url }, { lcp: 3100, inp: 250, cls: 0.12, fcp: 1800, ttfb: 900 });
		const { outcome } = await setup().run();
		assert.equal(outcome.status, 'ok', JSON.stringify(outcome));
		if (outcome.status !== 'ok') return;
		assert.deepEqual(outcome.data.origin, { lcp: 2400, inp: 190, cls: 0.08, fcp: 1500, ttfb: 700 });
		assert.deepEqual(outcome.data.url, { lcp: 3100, inp: 250, cls: 0.12, fcp: 1800, ttfb: 900 });
		assert.equal(outcome.data.formFactor, 'ALL_FORM_FACTORS');
		assert.deepEqual(outcome.data.collectionPeriod, { firstDate: '2026-10-20', lastDate: '2026-11-16' });
		assert.deepEqual(
			fake.requests.map((r) => r.key),
			[KEY, KEY],
		);
		assert.deepEqual(
			fake.requests.map((r) => r.body).sort((a, b) => String(a.origin).localeCompare(String(b.origin))),
			[{ origin: 'https://shop.example.com' }, { url: 'https://shop.example.com/pricing' }],
		);
	});

	it('queries PHONE when the audit is mobile only', async () => {
		await setup().run('https://shop.example.com/', ['mobile']);
		assert.ok(fake.requests.every((r) => r.body.formFactor === 'PHONE'));
	});

	it('treats 404 as "no field data", with a note', async () => {
		fake.answer = (body) => (body.origin ? cruxRecord({ origin: body.origin }, { lcp: 2000 }) : noData());
		const { outcome } = await setup().run();
		assert.equal(outcome.status, 'ok');
		if (outcome.status !== 'ok') return;
		assert.deepEqual(outcome.data.origin, { lcp: 2000 });
		assert.equal(outcome.data.url, undefined);
		assert.match(outcome.data.note ?? '', /no field data for this exact URL/);
	});

	it('retries 429 and 5xx with backoff, then succeeds', async () => {
		fake.enqueue(
			cruxError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded', { 'retry-after': '0' }),
			cruxError(503, 'UNAVAILABLE', 'The service is currently unavailable.'),
		);
		const { outcome } = await setup().run();
		assert.equal(outcome.status, 'ok', JSON.stringify(outcome));
		assert.equal(fake.requests.length, 4);
	});

	it('opens its breaker after repeated failures and reports a clear error without the key', async () => {
		fake.answer = () => cruxError(500, 'INTERNAL', 'Internal error encountered.');
		const { client, run } = setup({}, { maxRetries: 0, failureThreshold: 2 });
		const first = await run();
		assert.equal(first.outcome.status, 'error');
		assert.match(first.outcome.status === 'error' ? first.outcome.error.message : '', /CrUX API answered HTTP 500/);
		assert.equal(client.stats().crux?.breaker, 'open');
		const before = fake.requests.length;
		const second = await run();
		assert.equal(second.outcome.status === 'error' && second.outcome.error.code, 'CRUX_ERROR');
		assert.match(
			second.outcome.status === 'error' ? second.outcome.error.message : '',
			/paused after repeated failures/,
		);
		assert.equal(fake.requests.length, before, 'no call while open');
		assert.ok(!JSON.stringify([first, second].map((r) => [r.outcome, r.ctx.logLines])).includes(KEY));
		const stats = client.stats().crux;
		assert.ok(stats && stats.calls >= 2 && stats.failures >= 2);
	});

	it('reports a bad key clearly', async () => {
		const { outcome } = await setup({ cruxApiKey: 'AIzaSy-wrong-key-000000000' }).run();
		assert.equal(outcome.status, 'error');
		assert.match(outcome.status === 'error' ? outcome.error.message : '', /HTTP 400.*Check the CrUX API key/);
	});
});
