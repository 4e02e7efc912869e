import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { FormFactor } from '../../protocol';

const brotliCompress = promisify(zlib.brotliCompress);
const brotliDecompress = promisify(zlib.brotliDecompress);

/** Lighthouse audits whose details are base64 images (the filmstrip and the final frame). */
const IMAGE_AUDITS = ['final-screenshot', 'screenshot-thumbnails'] as const;

type Json = Record<string, unknown>;

/** The images of one Lighthouse report, kept in a file beside the database rather than in it. */
export interface LhrImages {
	fullPageScreenshot?: unknown;
	audits: Record<string, unknown>;
}

function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A Lighthouse JSON kept as an artifact may be the object or its serialised report. */
export function asLhr(value: unknown): Json | undefined {
	if (typeof value === 'string') {
		try {
			const parsed: unknown = JSON.parse(value);
			return isObject(parsed) ? parsed : undefined;
		} catch {
			return undefined;
		}
	}
	return isObject(value) ? value : undefined;
}

/**
 * Split the base64 images (about 70% of a report's bytes, and incompressible) from a Lighthouse
 * report. The input is not changed. Answers undefined images when there are none.
 */
export function splitImages(lhr: Json): { lean: Json; images?: LhrImages } {
	const audits = isObject(lhr.audits) ? lhr.audits : undefined;
	const images: LhrImages = { audits: {} };
	const lean: Json = { ...lhr };
	let found = false;
	if ('fullPageScreenshot' in lhr) {
		images.fullPageScreenshot = lhr.fullPageScreenshot;
		delete lean.fullPageScreenshot;
		found = true;
	}
	if (audits) {
		const leanAudits: Json = { ...audits };
		for (const id of IMAGE_AUDITS) {
			const audit = audits[id];
			if (!isObject(audit) || audit.details === undefined) continue;
			images.audits[id] = audit.details;
			const rest: Json = { ...audit };
			delete rest.details;
			leanAudits[id] = rest;
			found = true;
		}
		lean.audits = leanAudits;
	}
	return found ? { lean, images } : { lean };
}

/** Put images split off by `splitImages` back into a report (in place). */
export function mergeImages(lean: Json, images: LhrImages): Json {
	if (images.fullPageScreenshot !== undefined) lean.fullPageScreenshot = images.fullPageScreenshot;
	const audits = isObject(lean.audits) ? lean.audits : undefined;
	if (audits) {
		for (const [id, details] of Object.entries(images.audits)) {
			const audit = audits[id];
			if (isObject(audit)) audits[id] = { ...audit, details };
		}
	}
	return lean;
}

/** Brotli-compress JSON. Lighthouse reports of one audit share most of their text, so they are compressed together. */
export async function packJson(value: unknown, quality: number): Promise<Buffer> {
	return packText(JSON.stringify(value), quality);
}

/** Brotli-compress JSON text already serialised. */
export async function packText(text: string, quality: number): Promise<Buffer> {
	return brotliCompress(Buffer.from(text), {
		params: {
			[zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
			[zlib.constants.BROTLI_PARAM_QUALITY]: quality,
			[zlib.constants.BROTLI_PARAM_SIZE_HINT]: text.length,
		},
	});
}

export async function unpackJson<T>(blob: Uint8Array): Promise<T> {
	const text = (await brotliDecompress(blob)).toString('utf8');
	return JSON.parse(text) as T;
}

/** The JSON text of a packed blob, decompressed at once (for warming, where many small blobs are read in a row). */
export function unpackTextSync(blob: Uint8Array): string {
	return zlib.brotliDecompressSync(blob).toString('utf8');
}

export type LhrByFormFactor = Partial<Record<FormFactor, Json>>;
