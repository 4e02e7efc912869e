// The limits and URLs that history lists and deletes are given, read leniently.
import { normalizeUrl } from '../request';

export function clampLimit(limit: number): number {
	return Number.isInteger(limit) && limit > 0 ? Math.min(limit, 100_000) : 100;
}

/** History URLs are normalised; accept what a person types, but do not fail on it. */
export function lenientUrl(url: string): string {
	try {
		return normalizeUrl(url);
	} catch {
		return url;
	}
}
