import fs from 'node:fs/promises';
import type Anthropic from '@anthropic-ai/sdk';

/** The SDK, loaded on the first AI call so that engine start-up does not pay for it. */
function sdk(): typeof import('@anthropic-ai/sdk') {
	return require('@anthropic-ai/sdk') as typeof import('@anthropic-ai/sdk');
}
import pLimit, { type LimitFunction } from 'p-limit';
import type { AiSuggestion, CaptureData, CroFinding, EngineSettings, EngineStats, FormFactor } from '../../protocol';
import type { FactsByFormFactor } from '../derive/croRules';
import { AuditError } from '../errors';
import { redact, registerSecret, type Logger } from '../log';
import type { EngineService } from '../gather';
import { BreakerOpenError, CircuitBreaker, LatencyWindow } from './breaker';
import {
	buildUserContent,
	SUGGESTION_TOOL,
	SYSTEM_PROMPT,
	toolDefinition,
	toolInputSchema,
	validateSuggestions,
	type PromptImage,
} from './prompt';
import type { Clock } from '../clock';

/** What one suggestion request is about. */
export interface SuggestInput {
	url: string;
	facts: FactsByFormFactor;
	findings: CroFinding[];
	shots: CaptureData['shots'];
}

export interface SuggestResult {
	model: string;
	suggestions: AiSuggestion[];
	dropped: number;
	usage: { inputTokens: number; outputTokens: number };
}

export interface AnthropicClientOptions {
	/** SDK retries on 408/409/429/5xx and connection errors (with backoff, honouring retry-after). */
	maxRetries?: number;
	/** Timeout of each HTTP attempt. */
	timeoutMs?: number;
	failureThreshold?: number;
	cooldownMs?: number;
	/** What the breaker's cooldown is measured on (tests). */
	clock?: Clock;
	/**
	 * API base URL; defaults to ANTHROPIC_BASE_URL from the environment, else the SDK's (tests point it at a local fake).
	 */
	baseUrl?: string;
}

/**
 * The engine's Anthropic client: builds the CRO request (screenshots, DOM facts, heuristic findings),
 * asks for structured output through a forced tool call, validates it, and keeps calls bounded by
 * `maxAiCalls`, retried by the SDK and guarded by a circuit breaker. The API key is registered as a
 * secret so it is redacted from every log line and error message.
 */
export class AnthropicClient implements EngineService {
	private readonly limit: LimitFunction;
	readonly breaker: CircuitBreaker;
	private readonly latency = new LatencyWindow();
	private sdk: { key: string; baseUrl: string | undefined; client: Anthropic } | undefined;
	private calls = 0;
	private failures = 0;

	constructor(
		settings: Readonly<EngineSettings>,
		private readonly log: Logger,
		private readonly opts: AnthropicClientOptions = {},
	) {
		this.limit = pLimit(settings.maxAiCalls);
		this.breaker = new CircuitBreaker('Anthropic API', {
			failureThreshold: opts.failureThreshold ?? 3,
			cooldownMs: opts.cooldownMs ?? 60_000,
			clock: opts.clock,
		});
		this.configure(settings);
	}

	private get baseUrl(): string | undefined {
		return this.opts.baseUrl ?? (process.env.ANTHROPIC_BASE_URL || undefined);
	}

	configure(settings: Readonly<EngineSettings>): void {
		this.limit.concurrency = settings.maxAiCalls;
		registerSecret(settings.anthropicApiKey);
		if (this.sdk && (this.sdk.key !== settings.anthropicApiKey || this.sdk.baseUrl !== this.baseUrl)) {
			this.sdk = undefined;
			this.breaker.reset();
		}
	}

	stats(): Partial<EngineStats> {
		return {
			ai: { calls: this.calls, failures: this.failures, breaker: this.breaker.state, p50Ms: this.latency.p50() },
		};
	}

	async close(): Promise<void> {
		this.limit.clearQueue();
		this.sdk = undefined;
	}

	/**
	 * Ask the model for CRO suggestions. Throws AuditError('AI_ERROR') with a redacted message when the API
	 * fails after retries, BreakerOpenError while the breaker is open, and the abort reason when cancelled.
	 */
	suggest(input: SuggestInput, settings: Readonly<EngineSettings>, signal: AbortSignal): Promise<SuggestResult> {
		const key = settings.anthropicApiKey;
		if (!key)
			return Promise.reject(
				new AuditError(
					'AI_ERROR',
					'No Anthropic API key is set; add one in the AuditLens settings (or ANTHROPIC_API_KEY for the CLI).',
				),
			);
		registerSecret(key);
		return this.limit(() =>
			this.breaker.run(
				() => this.call(input, settings, key, signal),
				() => !signal.aborted,
			),
		);
	}

	private client(key: string, baseUrl: string | undefined): Anthropic {
		if (this.sdk?.key === key && this.sdk.baseUrl === baseUrl) return this.sdk.client;
		const client = new (sdk().default)({
			apiKey: key,
			...(baseUrl ? { baseURL: baseUrl } : {}),
			maxRetries: this.opts.maxRetries ?? 2,
			timeout: this.opts.timeoutMs ?? 60_000,
			logLevel: 'off',
		});
		this.sdk = { key, baseUrl, client };
		return client;
	}

	private async call(
		input: SuggestInput,
		settings: Readonly<EngineSettings>,
		key: string,
		signal: AbortSignal,
	): Promise<SuggestResult> {
		if (signal.aborted) throw signal.reason;
		const deep = settings.aiDeep;
		const maxSuggestions = deep ? 10 : 5;
		const images = await readImages(input.shots, deep);
		const started = Date.now();
		this.calls++;
		try {
			const message = await this.client(key, this.baseUrl).messages.create(
				{
					model: settings.aiModel,
					max_tokens: settings.aiMaxTokens,
					system: SYSTEM_PROMPT,
					tools: [toolDefinition(maxSuggestions)],
					tool_choice: { type: 'tool', name: SUGGESTION_TOOL },
					messages: [
						{
							role: 'user',
							content: buildUserContent(input.url, input.facts, input.findings, images, maxSuggestions, deep),
						},
					],
				},
				{ signal },
			);
			this.latency.add(Date.now() - started);
			const toolUse = message.content.find((b) => b.type === 'tool_use' && b.name === SUGGESTION_TOOL);
			if (!toolUse || toolUse.type !== 'tool_use') {
				throw new AuditError(
					'AI_ERROR',
					`The model (${settings.aiModel}) answered without structured suggestions (stop reason: ${message.stop_reason ?? 'unknown'}).`,
				);
			}
			const parsed = toolInputSchema.safeParse(toolUse.input);
			if (!parsed.success)
				throw new AuditError(
					'AI_ERROR',
					`The model's suggestions did not match the expected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}.`,
				);
			const { suggestions, dropped } = validateSuggestions(parsed.data.suggestions, input.facts);
			if (dropped > 0)
				this.log.debug(`AI: dropped ${dropped} suggestion(s) that were malformed or named nothing on the page.`);
			return {
				model: message.model || settings.aiModel,
				suggestions,
				dropped,
				usage: { inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens },
			};
		} catch (err) {
			if (signal.aborted || err instanceof sdk().APIUserAbortError) throw signal.aborted ? signal.reason : err;
			this.failures++;
			const error = toAiError(err);
			this.log.warn(error.message);
			throw error;
		}
	}
}

/** An API failure as an AuditError a person can act on, never carrying the key. */
function toAiError(err: unknown): AuditError {
	if (err instanceof AuditError) return new AuditError(err.code, redact(err.message));
	if (err instanceof BreakerOpenError) return new AuditError('AI_ERROR', redact(err.message));
	if (err instanceof sdk().APIError) {
		const status = err.status;
		const body = err.error as { error?: { type?: string; message?: string } } | undefined;
		const type = body?.error?.type ?? 'error';
		const detail = body?.error?.message ?? err.message;
		const hint =
			status === 401
				? ' Check the Anthropic API key in the AuditLens settings.'
				: status === 403
					? ' The key is not allowed to use this model.'
					: status === 404
						? ' Check the AI model setting.'
						: status === 429
							? ' Rate limited even after retries; try again later or lower the AI call limit.'
							: status === undefined
								? ' Check the network connection.'
								: status >= 500
									? ' The API is having problems; try again later.'
									: '';
		return new AuditError(
			'AI_ERROR',
			redact(`The Anthropic API call failed${status ? ` with HTTP ${status}` : ''} (${type}): ${detail}.${hint}`),
		);
	}
	return new AuditError(
		'AI_ERROR',
		redact(`The Anthropic API call failed: ${err instanceof Error ? err.message : String(err)}`),
	);
}

/** The screenshots sent to the model: the viewport shots, plus full pages in deep mode. */
async function readImages(shots: CaptureData['shots'], deep: boolean): Promise<PromptImage[]> {
	const images: PromptImage[] = [];
	for (const [formFactor, s] of Object.entries(shots) as [
		FormFactor,
		NonNullable<CaptureData['shots'][FormFactor]>,
	][]) {
		const picks = deep
			? [['viewport', s.viewport] as const, ['full page', s.fullPage] as const]
			: [['viewport', s.viewport] as const];
		for (const [kind, shot] of picks) {
			const data = await fs.readFile(shot.path).catch(() => undefined);
			if (data)
				images.push({
					label: `${formFactor} ${kind}, ${shot.width}x${shot.height}, fold at y=${shot.foldY}`,
					mime: shot.mime,
					base64: data.toString('base64'),
				});
		}
	}
	return images;
}
