import fs from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { CaptureShots, Screenshot } from '../../protocol';

/** Full-page shots stop at this many CSS px: a long page is still one readable image, and Chromium has texture limits. */
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
	await fs.mkdir(opts.dir, { recursive: true });
	const viewport = page.viewportSize() ?? { width: 1280, height: 720 };
	const docHeight = await page.evaluate(() => Math.max(document.documentElement.scrollHeight, document.body?.scrollHeight ?? 0));
	const fullHeight = Math.max(viewport.height, Math.min(docHeight, opts.maxFullPageHeight ?? MAX_FULL_PAGE_HEIGHT));

	const viewportShot = await shoot(page, {
		width: viewport.width,
		height: viewport.height,
		foldY: viewport.height,
		file: path.join(opts.dir, `${opts.prefix}-viewport.jpg`),
		targetBytes: opts.targetBytes,
		fullPage: false,
	});
	const fullPageShot = await shoot(page, {
		width: viewport.width,
		height: fullHeight,
		foldY: viewport.height,
		file: path.join(opts.dir, `${opts.prefix}-full.jpg`),
		targetBytes: opts.targetBytes,
		fullPage: true,
	});
	return { viewport: viewportShot, fullPage: fullPageShot };
}

interface ShootSpec {
	width: number;
	height: number;
	foldY: number;
	file: string;
	targetBytes: number;
	fullPage: boolean;
}

async function shoot(page: Page, spec: ShootSpec): Promise<Screenshot> {
	const clip = { x: 0, y: 0, width: spec.width, height: spec.height };
	let buffer: Buffer | undefined;
	for (const quality of QUALITIES) {
		buffer = await page.screenshot({ type: 'jpeg', quality, scale: 'css', fullPage: spec.fullPage, clip, animations: 'disabled', caret: 'hide', timeout: 30_000 });
		if (buffer.length <= spec.targetBytes) break;
	}
	let width = spec.width;
	let height = spec.height;
	if (buffer && buffer.length > spec.targetBytes) {
		const scaled = await downscale(page, buffer, spec.targetBytes, width, height);
		buffer = scaled.buffer;
		width = scaled.width;
		height = scaled.height;
	}
	if (!buffer) throw new Error('no screenshot was taken');
	await fs.writeFile(spec.file, buffer);
	// the fold scales with the image height (a viewport shot's fold is its bottom edge)
	const foldY = Math.min(height, Math.round((spec.foldY * height) / spec.height));
	return { path: spec.file, mime: 'image/jpeg', width, height, bytes: buffer.length, foldY };
}

/** Scale a JPEG down in a blank page's canvas until it fits the target (JPEG size grows roughly with pixel count). */
async function downscale(page: Page, input: Buffer, targetBytes: number, width: number, height: number): Promise<{ buffer: Buffer; width: number; height: number }> {
	const blank = await page.context().newPage();
	try {
		let best = { buffer: input, width, height };
		let factor = Math.sqrt(targetBytes / input.length) * 0.9;
		for (let attempt = 0; attempt < 4 && best.buffer.length > targetBytes; attempt++) {
			const w = Math.max(64, Math.round(width * factor));
			const h = Math.max(64, Math.round(height * factor));
			const dataUrl = await blank.evaluate(
				async ({ src, w, h }) => {
					const img = new Image();
					img.src = src;
					await img.decode();
					const canvas = document.createElement('canvas');
					canvas.width = w;
					canvas.height = h;
					const g = canvas.getContext('2d');
					if (!g) throw new Error('no 2d canvas');
					g.imageSmoothingQuality = 'high';
					g.drawImage(img, 0, 0, w, h);
					return canvas.toDataURL('image/jpeg', 0.6);
				},
				{ src: `data:image/jpeg;base64,${input.toString('base64')}`, w, h },
			);
			const buffer = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
			best = { buffer, width: w, height: h };
			factor *= Math.sqrt(targetBytes / buffer.length) * 0.95;
		}
		return best;
	} finally {
		await blank.close().catch(() => undefined);
	}
}
