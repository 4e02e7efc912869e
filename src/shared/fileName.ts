/**
 * A file-name slug of `text` (a URL or a path): letters and digits, every other run as one `-`, at most `max`
 * characters; `fallback` when nothing is left (the home page `/`).
 */
export function fileSlug(text: string, max: number, fallback: string): string {
	return (
		text
			.replace(/[^a-z0-9]+/gi, '-')
			.replace(/^-|-$/g, '')
			.slice(0, max) || fallback
	);
}
