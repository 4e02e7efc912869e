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
	const resolveLocale = mf.resolveLocale.bind(mf);
	const locales = new Map<string, unknown>();
	mf.resolveLocale = (wanted) => {
		const key = typeof wanted === 'string' ? wanted : JSON.stringify(wanted);
		if (locales.has(key)) return locales.get(key);
		const locale = resolveLocale(wanted);
		if (locales.size >= MEMO_MAX_ENTRIES) locales.clear();
		locales.set(key, locale);
		return locale;
	};
	const parse = mf.__parse;
	if (!parse) return;
	const asts = new Map<string, unknown>();
	mf.__parse = (message, opts) => {
		// The resolved locale is an Intl.Locale (or undefined): keyed by its tag; the other options are plain values.
		const { locale, ...rest } = opts ?? {};
		const key = `${String(locale)}\u0000${JSON.stringify(rest)}\u0000${message}`;
		if (asts.has(key)) return asts.get(key);
		const ast = parse(message, opts);
		if (asts.size >= MEMO_MAX_ENTRIES) asts.clear();
		asts.set(key, ast);
		return ast;
	};
}

/** The intl-messageformat class Lighthouse formats its strings with: resolved from Lighthouse's own folder, so it is the same module instance. */
export function lighthouseMessageFormat(): MessageFormatStatics {
	const lighthouseRoot = path.dirname(require.resolve('lighthouse/package.json'));
	const fromLighthouse = createRequire(path.join(lighthouseRoot, 'shared', 'localization', 'format.js'));
	return (fromLighthouse('intl-messageformat') as { IntlMessageFormat: MessageFormatStatics }).IntlMessageFormat;
}
