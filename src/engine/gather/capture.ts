import type { BrowserContextOptions, Page } from 'playwright-core';
import type { CaptureData, CaptureShots, DomFacts, FormFactor } from '../../protocol';
import { signInContext } from '../auth/signIn';
import { type CaptureBrowser, untilAborted } from '../capture/captureBrowser';
import { gatherDomFacts } from '../capture/gatherDomFacts';
import { takeShots } from '../capture/screenshots';
import { AuditError, throwIfAborted } from '../errors';
import type { NavigationCapture } from '../lighthouse/navigationCapture';
import { lighthouseStageName, navigationCaptureKey } from './lighthouse';
import type { Stage, StageContext } from './stage';

/**
 * Browser context per form factor: a 1920x1080 desktop and Playwright's Pixel 7 phone profile.
 * playwright-core is loaded on first use: it takes most of a second, which engine start-up must not pay.
 */
export function captureProfile(formFactor: FormFactor): BrowserContextOptions {
	if (formFactor === 'desktop')
		return { viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1, isMobile: false, hasTouch: false };
	const { devices } = require('playwright-core') as typeof import('playwright-core');
	return { ...devices['Pixel 7'] };
}

/** Time budget of the capture stage and of its navigation, derived from the audit timeout. */
export function captureBudget(auditTimeoutMs: number): { totalMs: number; navigationMs: number } {
	const totalMs = Math.max(4_000, Math.round(auditTimeoutMs * 0.8));
	return { totalMs, navigationMs: Math.max(2_500, Math.min(45_000, Math.round(totalMs * 0.5))) };
}

/**
 * The capture stage: the DOM facts and the compressed screenshots of the page, per form factor. Where Lighthouse
 * runs for a form factor, they are taken in the page its run loaded (navigationCapture.ts): no second load. Else,
 * or when that run failed, the page is loaded in a browser context of the capture browser. Form factors run
 * concurrently, bounded by the browser's limit.
 */
export function createCaptureStage(browser: CaptureBrowser): Stage<'capture'> {
	return {
		name: 'capture',
		skipReason: (ctx) => (ctx.options.stages.capture ? undefined : 'capture is off for this audit'),
		async run(ctx: StageContext): Promise<CaptureData> {
			const formFactors =
				ctx.options.formFactors.length > 0 ? ctx.options.formFactors : (['mobile', 'desktop'] as FormFactor[]);
			const budget = captureBudget(ctx.settings.auditTimeoutMs);
			// One controller for the stage: the audit's signal, our own time budget, and the first failure all stop every
			// context.
			const stop = new AbortController();
			const onAbort = () => stop.abort(ctx.signal.reason);
			ctx.signal.addEventListener('abort', onAbort, { once: true });
			const phases = new Map<FormFactor, Phase>(formFactors.map((f) => [f, 'queued']));
			// The time budget counts from the first page load of our own (Lighthouse's runs have their own limits).
			let timer: NodeJS.Timeout | undefined;
			const ownLoad = () =>
				(timer ??= setTimeout(() => stop.abort(budgetError(ctx, budget.totalMs, phases)), budget.totalMs));
			try {
				throwIfAborted(ctx.signal);
				let firstError: unknown;
				// allSettled, not all: the stage returns only once every context it opened is closed
				const jobs = Promise.allSettled(
					formFactors.map(async (formFactor) => {
						try {
							const taken = await fromNavigation(ctx, formFactor, stop.signal);
							if (taken) return taken;
							ownLoad();
							return await captureOne(browser, ctx, formFactor, budget.navigationMs, stop.signal, (phase) =>
								phases.set(formFactor, phase),
							);
						} catch (err) {
							firstError ??= err;
							if (!stop.signal.aborted)
								stop.abort(
									err instanceof AuditError
										? err
										: new AuditError('CAPTURE_ERROR', 'Another form factor of the capture failed.'),
								);
							throw err;
						}
					}),
				);
				// Once stopped, give the jobs a moment to close their contexts, but never hang on a stuck browser call:
				// the browser closes those contexts in the background.
				const settled = await Promise.race([jobs, afterAbort(stop.signal, ABORT_GRACE_MS)]);
				if (!settled) throw stop.signal.reason;
				const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
				if (failed) throw firstError ?? failed.reason;
				const results = settled.map((s) => (s as PromiseFulfilledResult<OneCapture>).value);
				const data: CaptureData = { shots: {}, facts: {}, warm: results.every((r) => r.warm) };
				for (const r of results) {
					data.shots[r.formFactor] = r.shots;
					data.facts[r.formFactor] = r.facts;
				}
				return data;
			} catch (err) {
				throwIfAborted(ctx.signal);
				throw err;
			} finally {
				clearTimeout(timer);
				ctx.signal.removeEventListener('abort', onAbort);
			}
		},
	};
}

/**
 * The capture the Lighthouse run of `formFactor` took in its page, as soon as it is taken; undefined when Lighthouse
 * does not run it in this audit, or its stage ended without one (it failed before, or could not capture): the
 * stage then loads the page itself.
 */
async function fromNavigation(
	ctx: StageContext,
	formFactor: FormFactor,
	signal: AbortSignal,
): Promise<OneCapture | undefined> {
	if (!ctx.options.stages.lighthouse || !ctx.options.formFactors.includes(formFactor)) return undefined;
	const stageOver = ctx.outcome(lighthouseStageName(formFactor)).then(() => undefined);
	// Shared before the stage ends, when at all: the race is won by the capture if there is one.
	const taken = (await untilAborted(
		Promise.race([ctx.shared(navigationCaptureKey(formFactor)), stageOver]),
		signal,
	)) as NavigationCapture | undefined;
	if (!taken) return undefined;
	if ('error' in taken) {
		ctx.log.debug(`capture ${formFactor}: not taken in Lighthouse's page (${taken.error}); loading the page`);
		return undefined;
	}
	ctx.log.debug(
		`capture ${formFactor}: taken in Lighthouse's page in ${taken.ms} ms, ${taken.facts.ctas.length} CTAs, shots ${taken.shots.viewport.bytes}+${taken.shots.fullPage.bytes} bytes`,
	);
	return { formFactor, shots: taken.shots, facts: taken.facts, warm: true };
}

/** How long a stopped capture waits for its contexts to close before it returns anyway. */
const ABORT_GRACE_MS = 2_000;

/** Resolves to undefined `graceMs` after `signal` aborts (never, if it does not). */
function afterAbort(signal: AbortSignal, graceMs: number): Promise<undefined> {
	return new Promise((resolve) => {
		const arm = () => setTimeout(resolve, graceMs, undefined).unref();
		if (signal.aborted) arm();
		else signal.addEventListener('abort', arm, { once: true });
	});
}

interface OneCapture {
	formFactor: FormFactor;
	shots: CaptureShots;
	facts: DomFacts;
	warm: boolean;
}

/** Where one form factor's capture is, for a useful message when the time budget runs out. */
type Phase = 'queued' | 'loading' | 'gathering' | 'screenshots';

function budgetError(ctx: StageContext, totalMs: number, phases: Map<FormFactor, Phase>): AuditError {
	const s = Math.round(totalMs / 1000);
	const where = [...phases].map(([f, p]) => `${f}: ${p}`).join(', ');
	if ([...phases.values()].every((p) => p === 'queued')) {
		return new AuditError(
			'CAPTURE_ERROR',
			`Capturing ${ctx.url} waited ${s} s for a free browser context (limit ${ctx.settings.maxCaptureContexts}) and was stopped. Raise "maxCaptureContexts" or the audit timeout, or run fewer audits at once.`,
		);
	}
	return new AuditError(
		'CAPTURE_ERROR',
		`Capturing ${ctx.url} took longer than ${s} s (most of the audit timeout; ${where}), so it was stopped. The page may be very large or keep loading; raise the audit timeout or check the page.`,
	);
}

async function captureOne(
	browser: CaptureBrowser,
	ctx: StageContext,
	formFactor: FormFactor,
	navigationMs: number,
	signal: AbortSignal,
	phase: (p: Phase) => void,
): Promise<OneCapture> {
	const started = Date.now();
	const auth = ctx.auth;
	// A signed-in audit's headers go with every request of the context, as Lighthouse's extraHeaders do.
	const profile =
		auth && Object.keys(auth.headers).length > 0
			? { ...captureProfile(formFactor), extraHTTPHeaders: auth.headers }
			: captureProfile(formFactor);
	return browser
		.withContext(profile, signal, async ({ context, warm, yieldCpu }) => {
			phase('loading');
			const page = await context.newPage();
			// Capture is background work beside Lighthouse, which measures timing: leave it the CPU.
			yieldCpu();
			// Its cookies, and what its login script leaves, are in this context only: it is closed after the capture.
			if (auth) await signInContext(context, auth, ctx.url, signal, navigationMs * 2, page);
			page.setDefaultTimeout(navigationMs);
			await load(page, ctx.url, formFactor, navigationMs);
			const viewport = page.viewportSize() ?? { width: 0, height: 0 };
			phase('gathering');
			const facts = await page.evaluate(gatherDomFacts, { foldY: viewport.height });
			phase('screenshots');
			const shots = await takeShots(page, {
				dir: ctx.artifactsDir,
				prefix: formFactor,
				targetBytes: ctx.settings.screenshotTargetBytes,
			});
			ctx.log.debug(
				`capture ${formFactor}: ${Date.now() - started} ms (${warm ? 'warm' : 'cold'} browser), ${facts.ctas.length} CTAs, shots ${shots.viewport.bytes}+${shots.fullPage.bytes} bytes`,
			);
			return { formFactor, shots, facts, warm };
		})
		.catch((err: unknown) => {
			throwIfAborted(signal);
			throw toCaptureError(err, ctx.url, formFactor, navigationMs);
		});
}

async function load(page: Page, url: string, formFactor: FormFactor, navigationMs: number): Promise<void> {
	const response = await page.goto(url, { waitUntil: 'load', timeout: navigationMs });
	if (!response) throw new AuditError('CAPTURE_ERROR', `Capture (${formFactor}): ${url} gave no HTTP response.`);
	if (response.status() >= 400)
		throw new AuditError(
			'HTTP_ERROR',
			`Capture (${formFactor}): ${url} answered HTTP ${response.status()}. Fix the page or audit another URL.`,
		);
	const type = (await response.headerValue('content-type')) ?? '';
	if (type && !/html/i.test(type))
		throw new AuditError('NOT_HTML', `Capture (${formFactor}): ${url} is not an HTML page (content-type ${type}).`);
	// Late content (fonts, client-side rendering) settles briefly; a page that never goes idle is captured as it is.
	await page.waitForLoadState('networkidle', { timeout: 1_500 }).catch(() => undefined);
	/* eslint-disable no-restricted-globals -- these two run in the page */
	await page.evaluate(() => document.fonts?.ready.then(() => undefined)).catch(() => undefined);
	await page.evaluate(() => window.scrollTo(0, 0));
	/* eslint-enable no-restricted-globals */
}

function toCaptureError(err: unknown, url: string, formFactor: FormFactor, navigationMs: number): AuditError {
	if (err instanceof AuditError) return err;
	const message = err instanceof Error ? err.message : String(err);
	const first = message.split('\n')[0];
	if (err instanceof Error && err.name === 'TimeoutError') {
		return new AuditError(
			'CAPTURE_ERROR',
			`Capture (${formFactor}): ${url} did not finish loading within ${Math.round(navigationMs / 1000)} s. Check that the page loads in a browser, or raise the audit timeout.`,
		);
	}
	if (/ERR_TOO_MANY_REDIRECTS/.test(message))
		return new AuditError('REDIRECT_LOOP', `Capture (${formFactor}): ${url} redirects in a loop.`);
	if (
		/ERR_CONNECTION_REFUSED|ERR_NAME_NOT_RESOLVED|ERR_ADDRESS_UNREACHABLE|ERR_CONNECTION_RESET|ERR_INTERNET_DISCONNECTED|ERR_EMPTY_RESPONSE/.test(
			message,
		)
	) {
		return new AuditError(
			'UNREACHABLE',
			`Capture (${formFactor}): ${url} could not be reached (${/net::\w+/.exec(message)?.[0] ?? first}). Check the URL and that the server is running.`,
		);
	}
	if (/has been closed|Target crashed|Browser closed|crash/i.test(message)) {
		return new AuditError(
			'CHROME_CRASHED',
			`Capture (${formFactor}): the capture browser closed or crashed while loading ${url}; it is relaunched for the next audit. (${first})`,
		);
	}
	return new AuditError('CAPTURE_ERROR', `Capture (${formFactor}) of ${url} failed: ${first}`);
}
