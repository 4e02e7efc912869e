import type { CaptureShots, DomFacts } from '../../protocol';
import { gatherDomFacts } from '../capture/gatherDomFacts';
import { takeShotsOf, type ShootSpec, type ShotTaker } from '../capture/screenshots';

/** What a Lighthouse run is asked to capture of the page it has loaded (the capture stage's files and facts). */
export interface NavigationCaptureRequest {
	/** Folder for the screenshot files. */
	dir: string;
	/** File name prefix (the form factor). */
	prefix: string;
	/** Target size of each screenshot file in bytes. */
	targetBytes: number;
}

/**
 * The capture a Lighthouse run took of its page, or why it could not (the capture stage then loads the page itself).
 */
export type NavigationCapture =
	{ shots: CaptureShots; facts: DomFacts; viewport: { width: number; height: number }; ms: number } | { error: string };

/** What the capture uses of Lighthouse's driver: its DevTools session and its page evaluation. */
export interface CaptureDriver {
	defaultSession: { sendCommand(method: string, params?: object): Promise<unknown> };
	executionContext: { evaluate(mainFn: unknown, options: { args: unknown[] }): Promise<unknown> };
}

/** A capture that takes longer than this gives up: the capture stage loads the page itself. */
const CAPTURE_LIMIT_MS = 20_000;

/**
 * The capture stage's DOM facts and screenshots, taken in the page a Lighthouse run has just loaded and traced,
 * as Lighthouse's device sees it (its screen emulation), instead of loading the page again in another browser.
 * Runs in the Lighthouse worker, in place of Lighthouse's own full-page screenshot (turned off in our reports):
 * after every other gatherer, so nothing Lighthouse measures sees it. Never throws.
 */
export async function captureNavigation(
	driver: CaptureDriver,
	request: NavigationCaptureRequest,
): Promise<NavigationCapture> {
	const started = Date.now();
	let timer: NodeJS.Timeout | undefined;
	const limit = new Promise<never>((_, reject) => {
		timer = setTimeout(
			() => reject(new Error(`the capture in Lighthouse's page took longer than ${CAPTURE_LIMIT_MS / 1000} s`)),
			CAPTURE_LIMIT_MS,
		);
	});
	try {
		return await Promise.race([capture(driver, request, started), limit]);
	} catch (err) {
		return { error: err instanceof Error ? err.message : String(err) };
	} finally {
		clearTimeout(timer);
	}
}

async function capture(
	driver: CaptureDriver,
	request: NavigationCaptureRequest,
	started: number,
): Promise<NavigationCapture> {
	const page = (await driver.executionContext.evaluate(settlePage, { args: [] })) as PageMetrics;
	// An error page is not the page: Lighthouse fails on it, and the capture stage reports it as its own load would.
	if (page.status >= 400) throw new Error(`the page answered HTTP ${page.status}`);
	if (!/html/i.test(page.contentType)) throw new Error(`the page is not HTML (${page.contentType})`);
	const viewport = { width: page.width, height: page.height };
	const facts = (await driver.executionContext.evaluate(gatherDomFacts, {
		args: [{ foldY: viewport.height }],
	})) as DomFacts;
	const session = driver.defaultSession;
	const shots = await takeShotsOf(
		{ viewport, docHeight: page.docHeight, taker: (spec) => cdpTaker(session, spec, page.dpr) },
		request,
	);
	return { shots, facts, viewport, ms: Date.now() - started };
}

interface PageMetrics {
	/** The document's HTTP status (0 where the browser does not tell). */
	status: number;
	contentType: string;
	width: number;
	height: number;
	dpr: number;
	docHeight: number;
}

/* eslint-disable no-restricted-globals -- settlePage runs in the page */
/** In the page: let late fonts settle (briefly), scroll to the top, and measure the viewport and the document. */
async function settlePage(): Promise<PageMetrics> {
	if ('fonts' in document)
		await Promise.race([document.fonts.ready, new Promise((resolve) => setTimeout(resolve, 1_500))]);
	window.scrollTo(0, 0);
	const navigation = performance.getEntriesByType('navigation')[0] as { responseStatus?: number } | undefined;
	return {
		status: navigation?.responseStatus ?? 0,
		contentType: document.contentType,
		width: window.innerWidth,
		height: window.innerHeight,
		dpr: window.devicePixelRatio || 1,
		docHeight: Math.max(document.documentElement.scrollHeight, document.body?.scrollHeight ?? 0),
	};
}
/* eslint-enable no-restricted-globals */

/**
 * Screenshots over DevTools: one image pixel per CSS px (the device's pixel ratio undone), smaller by `factor` when
 * scaled.
 */
function cdpTaker(session: CaptureDriver['defaultSession'], spec: ShootSpec, dpr: number): ShotTaker {
	const take = async (quality: number, factor: number) => {
		const clip = { x: 0, y: 0, width: spec.width, height: spec.height, scale: factor / dpr };
		const shot = (await session.sendCommand('Page.captureScreenshot', {
			format: 'jpeg',
			quality,
			clip,
			captureBeyondViewport: spec.fullPage,
		})) as { data: string };
		return Buffer.from(shot.data, 'base64');
	};
	return { full: (quality) => take(quality, 1), scaled: (_input, factor) => take(60, factor) };
}
