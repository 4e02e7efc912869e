import fs from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { CaptureShots, Screenshot } from '../../protocol';

/**
 * Full-page shots stop at this many CSS px: a long page is still one readable image, and Chromium has texture limits.
 */
export const MAX_FULL_PAGE_HEIGHT = 8_000;

/** JPEG qualities tried in turn before the image is scaled down. */
const QUALITIES = [80, 60, 40];

export interface ShotOptions {
	/** Folder for the files (created when missing). */
	dir: string;
	/** File name prefix, e.g. `desktop`. */
	prefix: string;
	/** Target size of each file in bytes. */
	targetBytes: number;
	/** Cap of the full-page height in CSS px. */
	maxFullPageHeight?: number;
}

/**
 * A viewport and a full-page JPEG of the page, each compressed to about `targetBytes`: first by lowering the
 * JPEG quality, then by scaling the image down (re-encoded by the browser's canvas in a blank page of the same
 * context, so no image library is needed). The page is expected to be loaded and scrolled to the top.
 */
export async function takeShots(page: Page, opts: ShotOptions): Promise<CaptureShots> {
	const viewport = page.viewportSize() ?? { width: 1280, height: 720 };
	/* eslint-disable no-restricted-globals -- runs in the page */
	const docHeight = await page.evaluate(() =>
		Math.max(document.documentElement.scrollHeight, document.body?.scrollHeight ?? 0),
	);
	/* eslint-enable no-restricted-globals */
	return takeShotsOf({ viewport, docHeight, taker: (spec) => playwrightTaker(page, spec) }, opts);
}

/** A page to take shots of, whatever drives it (Playwright, or Lighthouse's own connection: navigationCapture.ts). */
export interface ShotSource {
	/** The viewport in CSS px. */
	viewport: { width: number; height: number };
	/** The document's height in CSS px. */
	docHeight: number;
	taker(spec: ShootSpec): ShotTaker;
}

/** The viewport and full-page shots of `source` (see `takeShots`). */
export async function takeShotsOf(source: ShotSource, opts: ShotOptions): Promise<CaptureShots> {
	await fs.mkdir(opts.dir, { recursive: true });
	const { viewport } = source;
	const fullHeight = Math.max(
		viewport.height,
		Math.min(source.docHeight, opts.maxFullPageHeight ?? MAX_FULL_PAGE_HEIGHT),
	);
	const shot = (spec: ShootSpec) => fitShot(source.taker(spec), spec);
	const viewportShot = await shot({
		width: viewport.width,
		height: viewport.height,
		foldY: viewport.height,
		file: path.join(opts.dir, `${opts.prefix}-viewport.jpg`),
		targetBytes: opts.targetBytes,
		fullPage: false,
	});
	const fullPageShot = await shot({
		width: viewport.width,
		height: fullHeight,
		foldY: viewport.height,
		file: path.join(opts.dir, `${opts.prefix}-full.jpg`),
		targetBytes: opts.targetBytes,
		fullPage: true,
	});
	return { viewport: viewportShot, fullPage: fullPageShot };
}

export interface ShootSpec {
	width: number;
	height: number;
	foldY: number;
	file: string;
	targetBytes: number;
	fullPage: boolean;
}

/**
 * Takes one image, compressed to about the target size: first by lowering the JPEG quality, then by
 * scaling the image down (`take` with a factor below 1 gives an image that much smaller on each side).
 */
export interface ShotTaker {
	/** The image at `quality`, full size (CSS px). */
	full(quality: number): Promise<Buffer>;
	/** `input` scaled by `factor` (0-1) on each side, at a middling quality. */
	scaled(input: Buffer, factor: number, width: number, height: number): Promise<Buffer>;
}

/** The shot of `spec` taken with `taker`, fitted to the target size and written to `spec.file`. */
export async function fitShot(taker: ShotTaker, spec: ShootSpec): Promise<Screenshot> {
	let buffer: Buffer | undefined;
	for (const quality of QUALITIES) {
		buffer = await taker.full(quality);
		if (buffer.length <= spec.targetBytes) break;
	}
	if (!buffer) throw new Error('no screenshot was taken');
	let width = spec.width;
	let height = spec.height;
	if (buffer.length > spec.targetBytes) {
		// JPEG size grows roughly with the pixel count
		const input = buffer;
		let factor = Math.sqrt(spec.targetBytes / input.length) * 0.9;
		for (let attempt = 0; attempt < 4 && buffer.length > spec.targetBytes; attempt++) {
			width = Math.max(64, Math.round(spec.width * factor));
			height = Math.max(64, Math.round(spec.height * factor));
			buffer = await taker.scaled(input, factor, width, height);
			factor *= Math.sqrt(spec.targetBytes / buffer.length) * 0.95;
		}
	}
	await fs.writeFile(spec.file, buffer);
	// the fold scales with the image height (a viewport shot's fold is its bottom edge)
	const foldY = Math.min(height, Math.round((spec.foldY * height) / spec.height));
	return { path: spec.file, mime: 'image/jpeg', width, height, bytes: buffer.length, foldY };
}

function playwrightTaker(page: Page, spec: ShootSpec): ShotTaker {
	const clip = { x: 0, y: 0, width: spec.width, height: spec.height };
	return {
		full: (quality) =>
			page.screenshot({
				type: 'jpeg',
				quality,
				scale: 'css',
				fullPage: spec.fullPage,
				clip,
				animations: 'disabled',
				caret: 'hide',
				timeout: 30_000,
			}),
		scaled: (input, _factor, width, height) => downscale(page, input, width, height),
	};
}

/** Scale a JPEG down to `width` x `height` in a blank page's canvas (no image library needed). */
async function downscale(page: Page, input: Buffer, width: number, height: number): Promise<Buffer> {
	const blank = await page.context().newPage();
	try {
		const dataUrl = await blank.evaluate(
			async ({ src, w, h }) => {
				const img = new Image();
				img.src = src;
				await img.decode();
				// eslint-disable-next-line no-restricted-globals -- runs in the page
				const canvas = document.createElement('canvas');
				canvas.width = w;
				canvas.height = h;
				const g = canvas.getContext('2d');
				if (!g) throw new Error('no 2d canvas');
				g.imageSmoothingQuality = 'high';
				g.drawImage(img, 0, 0, w, h);
				return canvas.toDataURL('image/jpeg', 0.6);
			},
			{ src: `data:image/jpeg;base64,${input.toString('base64')}`, w: width, h: height },
		);
		return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
	} finally {
		await blank.close().catch(() => undefined);
	}
}
