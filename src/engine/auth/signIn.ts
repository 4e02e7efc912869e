import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { abortError, AuditError } from '../errors';
import { redact } from '../log';
import { type AuthPlan, originCookies } from './authRequest';

/**
 * Signing a browser in before it loads the audited page: the plan's cookies for the page's origin, then the
 * user's login script on a page of that same browser. Playwright, because the engine already loads it for the
 * capture stage: the script gets the same `page` API in Lighthouse's Chrome and in the capture context.
 */

/** What a login module's default export is called with. */
export interface LoginArgs {
	/** A Playwright page in the browser that audits next; the cookies and storage it leaves are used. */
	page: Page;
	/** The URL about to be audited. */
	url: string;
}

/** How long a login script may take: half the time the stage has left, at least 5 s and at most 2 minutes. */
export function loginBudget(timeLeftMs: number): number {
	return Math.round(Math.min(120_000, Math.max(5_000, timeLeftMs * 0.5)));
}

/** Add the plan's cookies to `context` and run its login script (if any) on a page of it, which is left open. */
export async function signInContext(
	context: BrowserContext,
	plan: AuthPlan,
	url: string,
	signal: AbortSignal,
	timeLeftMs: number,
	page?: Page,
): Promise<void> {
	if (plan.cookies.length > 0) await context.addCookies(originCookies(plan, url));
	if (plan.loginScript)
		await runLoginScript(page ?? (await context.newPage()), plan.loginScript, url, signal, loginBudget(timeLeftMs));
}

/**
 * Sign in the pooled Chrome on `port` (its default profile, the one Lighthouse uses): connect over CDP, add the
 * cookies, run the login script in a new tab, close the tab and disconnect, leaving Chrome running.
 */
export async function signInChrome(
	port: number,
	plan: AuthPlan,
	url: string,
	signal: AbortSignal,
	timeLeftMs: number,
): Promise<void> {
	const { chromium } = require('playwright-core') as typeof import('playwright-core');
	const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`, { timeout: 15_000 });
	try {
		const context = browser.contexts()[0];
		if (!context)
			throw new AuditError('LIGHTHOUSE_ERROR', 'The Chrome for Lighthouse has no default profile to sign in.');
		const page = plan.loginScript ? await context.newPage() : undefined;
		try {
			await signInContext(context, plan, url, signal, timeLeftMs, page);
		} finally {
			await page?.close().catch(() => undefined);
		}
	} finally {
		// A browser reached over CDP is only disconnected from, not closed.
		await browser.close().catch(() => undefined);
	}
}

type LoginModule = { default?: unknown };

/**
 * Run the login script's default export on `page`, bounded by `budgetMs` and the audit's signal. A script that
 * throws, hangs or is not a module with a default function fails with a message that names the script (and never
 * a credential: the message goes through the log's redaction).
 */
export async function runLoginScript(
	page: Page,
	script: { path: string; sha256: string },
	url: string,
	signal: AbortSignal,
	budgetMs: number,
): Promise<void> {
	if (signal.aborted) throw abortError(signal);
	let mod: LoginModule;
	try {
		// The content hash in the query makes an edited script load afresh instead of from the module cache.
		mod = (await import(`${pathToFileURL(script.path).href}?sha256=${script.sha256}`)) as LoginModule;
	} catch (err) {
		throw new AuditError('LOGIN_ERROR', `The login script ${script.path} could not be loaded: ${firstLine(err)}`);
	}
	const login = mod.default;
	if (typeof login !== 'function') {
		throw new AuditError(
			'LOGIN_ERROR',
			`The login script ${script.path} has no default export function; write \`export default async ({ page, url }) => { … }\`.`,
		);
	}
	let timer: NodeJS.Timeout | undefined;
	let onAbort: (() => void) | undefined;
	const stopped = new Promise<never>((_, reject) => {
		timer = setTimeout(
			() =>
				reject(
					new AuditError(
						'LOGIN_ERROR',
						`The login script ${script.path} did not finish within ${Math.round(budgetMs / 1000)} s; check that it ends (e.g. waits for a selector that appears).`,
					),
				),
			budgetMs,
		);
		onAbort = () => reject(abortError(signal));
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([Promise.resolve().then(() => (login as (args: LoginArgs) => unknown)({ page, url })), stopped]);
	} catch (err) {
		if (err instanceof AuditError || signal.aborted) throw err;
		throw new AuditError('LOGIN_ERROR', `The login script ${script.path} failed: ${firstLine(err)}`);
	} finally {
		clearTimeout(timer);
		if (onAbort) signal.removeEventListener('abort', onAbort);
		// A script still running after a timeout or abort must not go on driving the page.
		stopped.catch(() => undefined);
	}
}

function firstLine(err: unknown): string {
	const message = err instanceof Error ? err.message : String(err);
	return redact(message.split('\n')[0].slice(0, 500));
}
