/**
 * Page-derived text (titles, headings, calls to action, findings, error messages that quote a page) made
 * safe to print to a terminal, a CI log or the editor's log channel. A page controls those strings: raw,
 * an `ESC[2K ESC[1A` erases and fakes report lines and an `ESC]0;…BEL` retitles the terminal.
 * No imports: the CLI, the engine and the extension all use it.
 */

export interface SafeTextOptions {
	/** Longest text kept, in characters (code points); longer text is cut and ends with `…`. Default 300. */
	max?: number;
	/** Keep line breaks (for multi-line log entries); otherwise they are shown as `\n`. Default false. */
	multiline?: boolean;
}

/**
 * Control characters and escape sequences become visible (`\x1b[2K`, `\x07`, `\x9b`), so nothing reaches
 * the terminal that it would act on, and a reader still sees what the page held.
 * C0 controls, DEL and C1 controls (U+0080–U+009F, which some terminals read as ESC sequences), and the
 * bidirectional overrides that make text display in another order than it reads (U+202A–U+202E,
 * U+2066–U+2069), and the Unicode line and paragraph separators.
 */
export function safeText(text: unknown, options: SafeTextOptions = {}): string {
	const max = options.max ?? 300;
	if (!Number.isInteger(max) || max < 1)
		throw new TypeError(`safeText: max must be a whole number above 0, not ${String(max)}`);
	const s = typeof text === 'string' ? text : String(text);
	const chars = Array.from(s);
	const cut = chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : s;
	return cut.replace(UNSAFE, (c) =>
		c === '\t' ? ' ' : options.multiline && (c === '\n' || c === '\r\n') ? '\n' : visible(c),
	);
}

// \r\n first so that a Windows line break stays one break in multi-line text.
const UNSAFE = /\r\n|[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function visible(c: string): string {
	if (c === '\r\n') return '\\r\\n';
	if (c === '\n') return '\\n';
	if (c === '\r') return '\\r';
	const code = c.charCodeAt(0);
	return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Whether to colour output to `stream`: only a terminal, and never when NO_COLOR is set (no-color.org). */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
	return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}
