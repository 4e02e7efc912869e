/** Text and data made inert in HTML: the one escaper of every page AuditLens writes. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside HTML text and double- or single-quoted attributes. */
export function escapeHtml(s: string): string {
	return s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * `value` as JSON for a `<script type="application/json">` block: `<`, `>` and `&` as \u escapes, so no text in
 * it (a route path such as `</script><script>…`) can end the block or open a comment; JSON.parse reads them back.
 */
export function scriptJson(value: unknown): string {
	return JSON.stringify(value).replace(
		/[<>&\u2028\u2029]/g,
		(c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
	);
}

/** The element id of the JSON a static page (`scan --html`) inlines for its bundle. */
export const STATIC_DATA_ID = 'data';
