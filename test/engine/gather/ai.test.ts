import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AnthropicClient } from '../../../src/engine/ai/anthropicClient';
import { SUGGESTION_TOOL, targetExists, pageTargets } from '../../../src/engine/ai/prompt';
import { domFindings } from '../../../src/engine/derive/croRules';
import { createLogger } from '../../../src/engine/log';
import { DEFAULT_SETTINGS } from '../../../src/engine/settings';
import { createAiStage, NO_KEY_REASON } from '../../../src/engine/gather/ai';
import type { CaptureData, DomFacts, EngineSettings, Screenshot } from '../../../src/protocol';
import { waitFor } from '../../helpers/engineProcess';
import {
	errorReply,
	presentedKey,
	rateLimited,
	serverError,
	startFakeAnthropic,
	textReply,
	toolUseReply,
	type FakeAnthropic,
} from '../../helpers/fakeAnthropic';
import { manualClock } from '../../helpers/clock';
import { FIXTURE_PAGES } from '../../helpers/fixtureServer';
import { StageHarness } from '../../helpers/stageHarness';

const KEY = 'sk-ant-api03-TESTKEY-0123456789abcdefghijklmnop';

/** Saved DomFacts of the good fixture page (captured once, re-used without a browser). */
const FACTS = JSON.parse(fs.readFileSync(path.join(FIXTURE_PAGES, '..', 'facts', 'good.json'), 'utf8')) as {
	mobile: DomFacts;
	desktop: DomFacts;
};

function fakeCapture(): CaptureData {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-ai-'));
	const shot = (name: string, width: number, height: number): Screenshot => {
		const file = path.join(dir, `${name}.jpg`);
		fs.writeFileSync(file, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]));
		return { path: file, mime: 'image/jpeg', width, height, bytes: 14, foldY: Math.min(height, 839) };
	};
	return {
		shots: {
			mobile: { viewport: shot('mobile-viewport', 412, 839), fullPage: shot('mobile-full', 412, 2140) },
			desktop: { viewport: shot('desktop-viewport', 1920, 1080), fullPage: shot('desktop-full', 1920, 1586) },
		},
		facts: FACTS,
		warm: true,
	};
}

const GOOD_SUGGESTIONS = [
	{
		title: 'Add a customer quote under the trial button',
		target: '#hero',
		detail: 'Move one short testimonial directly below the primary CTA to reduce doubt at the decision point.',
		impact: 'medium',
		effort: 'low',
	},
	{
		title: 'Say what happens after signup',
		target: 'the "Start free trial" button',
		detail: 'Add a micro-line "14 days free, no card" beside the button.',
		impact: 'high',
		effort: 'low',
	},
	{
		title: 'Shorten the signup form',
		target: '#signup > form',
		detail: 'Drop the name field; ask only for the work email.',
		impact: 'medium',
		effort: 'low',
	},
];
const INVENTED = [
	{
		title: 'Fix the video carousel',
		target: '#video-carousel',
		detail: 'The carousel autoplays too fast.',
		impact: 'high',
		effort: 'medium',
	},
	{
		title: 'Improve the chatbot',
		target: 'live chat widget',
		detail: 'Greet visitors proactively.',
		impact: 'low',
		effort: 'low',
	},
];

describe('AI suggestions (fake Anthropic API on 127.0.0.1)', function () {
	this.timeout(30_000);
	let fake: FakeAnthropic;
	let stderr: string[];
	let restoreStderr: () => void;

	beforeEach(async () => {
		fake = await startFakeAnthropic({ apiKey: KEY });
		stderr = [];
		const original = process.stderr.write.bind(process.stderr);
		process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
			stderr.push(String(chunk));
			return (original as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
		}) as typeof process.stderr.write;
		restoreStderr = () => (process.stderr.write = original);
	});
	afterEach(async () => {
		restoreStderr();
		await fake.close();
	});

	function setup(over: Partial<EngineSettings> = {}, clientOpts = {}) {
		const settings: EngineSettings = {
			...DEFAULT_SETTINGS,
			aiModel: 'claude-sonnet-4-6',
			anthropicApiKey: KEY,
			...over,
		};
		const client = new AnthropicClient(settings, createLogger('debug').child('ai'), {
			baseUrl: fake.url,
			...clientOpts,
		});
		const stage = createAiStage(client);
		const newCtx = (): StageHarness => {
			const ctx = new StageHarness({ url: 'https://lensly.example/cro/good.html', settings, logLevel: 'debug' });
			ctx.setOutcome('capture', {
				status: 'ok',
				data: fakeCapture(),
				startedAt: new Date().toISOString(),
				durationMs: 1,
			});
			ctx.setOutcome('cro', {
				status: 'ok',
				data: { findings: domFindings(FACTS) },
				startedAt: new Date().toISOString(),
				durationMs: 0,
			});
			return ctx;
		};
		return { settings, client, stage, newCtx };
	}

	const assertNoKey = (...things: unknown[]) => {
		for (const t of things) {
			const text = typeof t === 'string' ? t : JSON.stringify(t);
			assert.ok(!text.includes(KEY), `the API key leaked: ${text.slice(0, 300)}`);
			assert.ok(!text.includes('TESTKEY-0123'), 'no part of the key leaked');
		}
	};

	it(`is skipped with "${NO_KEY_REASON}" when no key is set`, async () => {
		const { stage, newCtx } = setup({ anthropicApiKey: undefined });
		const outcome = await newCtx().runStage(stage);
		assert.deepEqual([outcome.status, outcome.status === 'skipped' && outcome.reason], ['skipped', NO_KEY_REASON]);
		assert.equal(fake.requests.length, 0);
	});

	it('sends screenshots, facts and findings and forces the suggestion tool', async () => {
		fake.enqueue(toolUseReply(SUGGESTION_TOOL, { suggestions: GOOD_SUGGESTIONS }));
		const { stage, newCtx } = setup({ aiModel: 'claude-test-model', aiMaxTokens: 1500 });
		const outcome = await newCtx().runStage(stage);
		assert.equal(outcome.status, 'ok', JSON.stringify(outcome));
		const req = fake.requests[0];
		assert.equal(presentedKey(req.headers), KEY);
		assert.match(String(req.headers['anthropic-version']), /^\d{4}-\d{2}-\d{2}$/);
		assert.equal(req.body.model, 'claude-test-model');
		assert.equal(req.body.max_tokens, 1500);
		assert.deepEqual(req.body.tool_choice, { type: 'tool', name: SUGGESTION_TOOL });
		const content = (
			req.body.messages as {
				content: { type: string; source?: { type: string; media_type: string; data: string }; text?: string }[];
			}[]
		)[0].content;
		const images = content.filter((b) => b.type === 'image');
		assert.equal(images.length, 2, 'viewport shots of mobile and desktop');
		assert.deepEqual([images[0].source?.type, images[0].source?.media_type], ['base64', 'image/jpeg']);
		assert.equal(Buffer.from(images[0].source!.data, 'base64')[0], 0xff);
		const text = content
			.filter((b) => b.type === 'text')
			.map((b) => b.text)
			.join('\n');
		assert.match(text, /Start free trial/, 'DOM facts included');
		assert.match(text, /Heuristic findings/);
		assert.match(text, /TARGETS/);
	});

	it('returns validated suggestions and drops those naming nothing on the page', async () => {
		fake.enqueue(
			toolUseReply(SUGGESTION_TOOL, {
				suggestions: [...GOOD_SUGGESTIONS, ...INVENTED, { title: 'x', target: '#hero' }],
			}),
		);
		const { stage, newCtx } = setup();
		const outcome = await newCtx().runStage(stage);
		assert.equal(outcome.status, 'ok');
		if (outcome.status !== 'ok') return;
		assert.deepEqual(
			outcome.data.suggestions.map((s) => s.target),
			GOOD_SUGGESTIONS.map((s) => s.target),
		);
		assert.equal(outcome.data.dropped, 3);
		assert.match(outcome.data.note ?? '', /3 suggestion/);
		assert.deepEqual(outcome.data.usage, { inputTokens: 1234, outputTokens: 321 });
	});

	it('matches targets by selector, section name and element text only', () => {
		const targets = pageTargets(FACTS);
		assert.ok(targetExists('#signup > form', targets));
		assert.ok(targetExists('Pricing', targets));
		assert.ok(targetExists('hero', targets));
		assert.ok(targetExists('the "Create my free account" button', targets));
		assert.ok(!targetExists('#video-carousel', targets));
		assert.ok(!targetExists('.pricing-table > .col', targets));
		assert.ok(!targetExists('exit-intent popup', targets));
	});

	it('retries a 429 rate limit and then succeeds', async () => {
		fake.enqueue(rateLimited(0), toolUseReply(SUGGESTION_TOOL, { suggestions: GOOD_SUGGESTIONS }));
		const { stage, newCtx, client } = setup();
		const outcome = await newCtx().runStage(stage);
		assert.equal(outcome.status, 'ok');
		assert.equal(outcome.status === 'ok' && outcome.data.suggestions.length, 3);
		assert.equal(fake.requests.length, 2);
		assert.equal(client.stats().ai?.failures, 0);
		assert.equal(client.stats().ai?.breaker, 'closed');
	});

	it('opens the breaker after repeated 500s; the stage returns a note and stops calling', async () => {
		fake.fallback = serverError();
		const { stage, newCtx, client } = setup({}, { maxRetries: 1 });
		for (let i = 0; i < 3; i++) {
			const outcome = await newCtx().runStage(stage);
			assert.equal(outcome.status, 'ok', 'the audit still finishes');
			if (outcome.status !== 'ok') return;
			assert.deepEqual(outcome.data.suggestions, []);
			assert.match(outcome.data.note ?? '', /HTTP 500.*heuristic findings are complete/);
		}
		assert.equal(fake.requests.length, 6, 'each call retried once by the SDK');
		assert.equal(client.stats().ai?.breaker, 'open');
		assert.equal(client.stats().ai?.failures, 3);
		const paused = await newCtx().runStage(stage);
		assert.equal(paused.status, 'ok');
		assert.match(
			paused.status === 'ok' ? (paused.data.note ?? '') : '',
			/paused for about \d+ s after repeated Anthropic API failures/,
		);
		assert.equal(fake.requests.length, 6, 'no call while the breaker is open');
	});

	it('lets one trial call through after the cooldown and closes on success', async () => {
		fake.enqueue(serverError(), toolUseReply(SUGGESTION_TOOL, { suggestions: GOOD_SUGGESTIONS }));
		const clock = manualClock();
		const { stage, newCtx, client } = setup({}, { maxRetries: 0, failureThreshold: 1, cooldownMs: 1_000, clock });
		await newCtx().runStage(stage);
		assert.equal(client.stats().ai?.breaker, 'open');
		clock.advance(999);
		assert.equal(client.stats().ai?.breaker, 'open', 'open until the cooldown has passed');
		clock.advance(1);
		assert.equal(client.stats().ai?.breaker, 'half-open');
		const outcome = await newCtx().runStage(stage);
		assert.equal(outcome.status === 'ok' && outcome.data.suggestions.length, 3);
		assert.equal(client.stats().ai?.breaker, 'closed');
	});

	it('notes an answer without the tool call', async () => {
		fake.enqueue(textReply('I think the page is fine.'));
		const { stage, newCtx } = setup();
		const outcome = await newCtx().runStage(stage);
		assert.match(outcome.status === 'ok' ? (outcome.data.note ?? '') : '', /without structured suggestions/);
	});

	it('never lets the key reach logs, errors or results, even when the API echoes it', async () => {
		fake.enqueue(
			errorReply(400, 'invalid_request_error', `invalid x-api-key ${KEY}`),
			errorReply(401, 'authentication_error', 'invalid x-api-key'),
		);
		const { stage, newCtx } = setup({}, { maxRetries: 0 });
		const ctx = newCtx();
		const first = await ctx.runStage(stage);
		const second = await newCtx().runStage(stage);
		assert.match(second.status === 'ok' ? (second.data.note ?? '') : '', /HTTP 401.*Check the Anthropic API key/);
		assertNoKey(first, second, ctx.logLines.join('\n'), stderr.join(''));
		assert.ok(stderr.join('').includes('HTTP 400'), 'the failure was logged (redacted)');
	});

	it('uses full-page shots and more suggestions in deep mode', async () => {
		fake.enqueue(toolUseReply(SUGGESTION_TOOL, { suggestions: GOOD_SUGGESTIONS }));
		const { stage, newCtx } = setup({ aiDeep: true });
		await newCtx().runStage(stage);
		const body = fake.requests[0].body as {
			messages: { content: { type: string }[] }[];
			tools: { input_schema: { properties: { suggestions: { maxItems: number } } } }[];
		};
		assert.equal(body.messages[0].content.filter((b) => b.type === 'image').length, 4);
		assert.equal(body.tools[0].input_schema.properties.suggestions.maxItems, 10);
	});

	it('keeps at most maxAiCalls requests in flight', async () => {
		for (let i = 0; i < 3; i++)
			fake.enqueue({ ...toolUseReply(SUGGESTION_TOOL, { suggestions: GOOD_SUGGESTIONS }), delayMs: 150 });
		const { stage, newCtx } = setup({ maxAiCalls: 1 });
		const outcomes = await Promise.all([0, 1, 2].map(() => newCtx().runStage(stage)));
		assert.ok(outcomes.every((o) => o.status === 'ok'));
		assert.equal(fake.maxInFlight, 1);
	});

	it('stops at once when the audit is cancelled', async () => {
		fake.enqueue({ ...toolUseReply(SUGGESTION_TOOL, { suggestions: GOOD_SUGGESTIONS }), delayMs: 5_000 });
		const { stage, newCtx, client } = setup();
		const ctx = newCtx();
		const running = ctx.runStage(stage);
		// Cancel once the call is surely in flight: the fake has it and holds its answer for 5 s.
		await waitFor(() => fake.requests.length === 1, 10_000, 'the API call');
		ctx.abort();
		const t0 = Date.now();
		const outcome = await running;
		assert.equal(outcome.status, 'cancelled', JSON.stringify(outcome));
		assert.ok(Date.now() - t0 < 1_000);
		assert.equal(client.stats().ai?.failures, 0, 'a cancel is not an API failure');
	});
});
