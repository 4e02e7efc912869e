import { createRequire } from 'node:module';
import path from 'node:path';

/** The statics of intl-messageformat's class that its constructor calls for every message it formats. */
export interface MessageFormatStatics {
	resolveLocale(locales: string | string[]): unknown;
	__parse?: (message: string, opts?: Record<string, unknown>) => unknown;
}

/** Past this many distinct messages a cache starts again (Lighthouse's strings are a few thousand). */
export const MEMO_MAX_ENTRIES = 20_000;

/**
 * Lighthouse formats every string of every report with a new IntlMessageFormat, whose constructor resolves the
 * locale through Intl (slow in Node: `supportedLocalesOf` on every call) and parses the ICU message again. Profiled
 * in a 13-page scan, the two took about a seventh of the Lighthouse workers' time. Both are pure functions of their
 * arguments, and intl-messageformat only reads what they return (an immutable Intl.Locale, an AST it walks), so
 * each is answered once per distinct argument. Idempotent.
 */
export function memoizeMessageFormat(mf: MessageFormatStatics): void {
	const marked = mf as MessageFormatStatics & { auditlensMemo?: true };
	if (marked.auditlensMemo) return;
	marked.auditlensMemo = true;
	mf.resolveLocale = boundedMemo(mf.resolveLocale.bind(mf), (wanted) =>
		typeof wanted === 'string' ? wanted : JSON.stringify(wanted),
	);
	// The resolved locale is an Intl.Locale (or undefined): keyed by its tag; the other options are plain values.
	if (mf.__parse)
		mf.__parse = boundedMemo(mf.__parse, (message, opts) => {
			const { locale, ...rest } = opts ?? {};
			return `${String(locale)}\u0000${JSON.stringify(rest)}\u0000${message}`;
		});
}

/** `fn`, answered once per key, from a cache that starts again past MEMO_MAX_ENTRIES. */
function boundedMemo<A extends unknown[], R>(fn: (...args: A) => R, keyOf: (...args: A) => string): (...args: A) => R {
	const cache = new Map<string, R>();
	return (...args) => {
		const key = keyOf(...args);
		if (cache.has(key)) return cache.get(key)!;
		const value = fn(...args);
		if (cache.size >= MEMO_MAX_ENTRIES) cache.clear();
		cache.set(key, value);
		return value;
	};
}

/**
 * The intl-messageformat class Lighthouse formats its strings with: resolved from Lighthouse's own folder, so it is the
 * same module instance.
 */
export function lighthouseMessageFormat(): MessageFormatStatics {
	const lighthouseRoot = path.dirname(require.resolve('lighthouse/package.json'));
	const fromLighthouse = createRequire(path.join(lighthouseRoot, 'shared', 'localization', 'format.js'));
	return (fromLighthouse('intl-messageformat') as { IntlMessageFormat: MessageFormatStatics }).IntlMessageFormat;
}
