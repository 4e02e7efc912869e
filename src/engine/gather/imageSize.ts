import { imageSize } from 'image-size';

export interface ImageSizeOptions {
	/** Give up on an image that has not shown its size by then. */
	timeoutMs?: number;
	/** Read at most this many bytes: a header that is not in them is not looked for further. */
	maxBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

/**
 * An image's intrinsic size in px, read from its header by `image-size` (PNG, JPEG, GIF, WebP, AVIF, SVG, …),
 * for the `add-size` quick fix. Only http(s) URLs without credentials; the download stops as soon as the
 * header has been read, at `maxBytes`, or at `timeoutMs`. Undefined when the size cannot be read: the
 * finding then offers no fix rather than a wrong one.
 */
export async function imageSizeOf(
	url: string,
	opts: ImageSizeOptions = {},
): Promise<{ width: number; height: number } | undefined> {
	if (!URL.canParse(url)) return undefined;
	const u = new URL(url);
	if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password) return undefined;
	const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
	const signal = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
	try {
		const res = await fetch(u, { signal, credentials: 'omit' });
		if (!res.ok || !res.body) {
			await res.body?.cancel();
			return undefined;
		}
		const reader = res.body.getReader();
		try {
			let bytes = new Uint8Array(0);
			for (;;) {
				const { done, value } = await reader.read();
				if (done) return undefined;
				const next = new Uint8Array(bytes.length + value.length);
				next.set(bytes);
				next.set(value, bytes.length);
				// A copy, not a view: image-size reads the underlying buffer past a view's end.
				bytes = next.length > maxBytes ? next.slice(0, maxBytes) : next;
				const size = sizeOf(bytes);
				if (size || bytes.length >= maxBytes) return size;
			}
		} finally {
			// The rest of the image is never downloaded once its header has been read.
			await reader.cancel().catch(() => undefined);
		}
	} catch {
		// Unreachable, timed out, or not an image: no size.
		return undefined;
	}
}

/** The size the header gives, turned when EXIF says the image is shown rotated by 90°. */
function sizeOf(bytes: Uint8Array): { width: number; height: number } | undefined {
	try {
		const { width, height, orientation } = imageSize(bytes);
		if (!(width > 0 && height > 0)) return undefined;
		return orientation !== undefined && orientation >= 5 ? { width: height, height: width } : { width, height };
	} catch {
		return undefined;
	}
}
