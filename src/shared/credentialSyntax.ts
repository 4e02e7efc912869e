/**
 * The syntax of a signed-in audit's headers and cookies, defined once for the engine's schema, the CLI's
 * `--header`/`--cookie` and the editor's input boxes. Pure, no dependencies: the extension bundles it too.
 */

/** RFC 9110 token: the characters a header (or cookie) name may have. */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Visible ASCII, space and tab: no CR, LF or NUL that could split a request. */
export const HEADER_VALUE = /^[\t\x20-\x7e]*$/;
/** RFC 6265 cookie-octets: no controls, whitespace, quote, comma, semicolon or backslash. */
export const COOKIE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

/**
 * `Name: value` (separator `:`) or `name=value` (separator `=`) as typed: the name and the value, trimmed, split at
 * the first separator; `at` is the separator's index, -1 when there is none (then name and value are empty).
 */
export function splitNameValue(text: string, separator: ':' | '='): { name: string; value: string; at: number } {
	const at = text.indexOf(separator);
	if (at < 0) return { name: '', value: '', at };
	return { name: text.slice(0, at).trim(), value: text.slice(at + 1).trim(), at };
}
