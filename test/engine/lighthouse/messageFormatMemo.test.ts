import assert from 'node:assert/strict';
import {
	lighthouseMessageFormat,
	MEMO_MAX_ENTRIES,
	memoizeMessageFormat,
	type MessageFormatStatics,
} from '../../../src/engine/lighthouse/messageFormatMemo';

type Formatter = { format(values?: Record<string, unknown>): unknown; resolvedOptions(): { locale: string } };
type FormatterClass = MessageFormatStatics &
	(new (message: string, locales: string | string[], formats?: unknown, opts?: unknown) => Formatter);

/** Messages the way Lighthouse writes them: plurals, numbers with its own formats, quotes, markdown links. */
const MESSAGES: [string, Record<string, unknown>][] = [
	['Reduce unused JavaScript', {}],
	['{itemCount, plural, =1 {1 element found} other {# elements found}}', { itemCount: 1 }],
	['{itemCount, plural, =1 {1 element found} other {# elements found}}', { itemCount: 37 }],
	['Potential savings of {wastedBytes, number, bytes} KiB', { wastedBytes: 12.5 }],
	['{timeInMs, number, milliseconds} ms', { timeInMs: 1234.567 }],
	["Avoid an excessive DOM size ''[Learn more](https://developer.chrome.com/)''", {}],
	[
		'{numRequests, plural, =1 {1 request} other {# requests}} • {numBytes, number, bytes} KiB',
		{ numRequests: 3, numBytes: 2048.4 },
	],
];
const FORMATS = { number: { bytes: { maximumFractionDigits: 0 }, milliseconds: { maximumFractionDigits: 0 } } };

function formatAll(Ctor: FormatterClass, locale: string | string[]): unknown[] {
	return MESSAGES.map(([message, values]) => {
		const f = new Ctor(message, locale, FORMATS, { ignoreTag: true });
		return [f.format(values), f.resolvedOptions().locale];
	});
}

describe('Lighthouse string formatting, memoised (messageFormatMemo)', () => {
	it("formats Lighthouse's kind of messages exactly as before, in every locale, and the class is Lighthouse's own", () => {
		const Ctor = lighthouseMessageFormat() as FormatterClass;
		assert.equal(typeof Ctor, 'function');
		assert.equal(typeof Ctor.__parse, 'function', 'intl-messageformat still parses through its __parse static');
		const locales: (string | string[])[] = ['en-US', 'de-DE', 'fr', ['ja', 'en'], 'en-XA-unknown'];
		const before = locales.map((l) => formatAll(Ctor, l));
		memoizeMessageFormat(Ctor);
		memoizeMessageFormat(Ctor);
		for (let round = 0; round < 3; round++)
			assert.deepEqual(
				locales.map((l) => formatAll(Ctor, l)),
				before,
				`round ${round}`,
			);
		// Different values through one cached AST give different text.
		assert.notDeepEqual(formatAll(Ctor, 'de-DE')[1], formatAll(Ctor, 'de-DE')[2]);
	});

	it('asks the original once per distinct locale and message, and starts again past its bound', () => {
		const calls = { resolve: 0, parse: 0 };
		const statics: MessageFormatStatics = {
			resolveLocale: (l) => {
				calls.resolve++;
				return { tag: String(l) };
			},
			__parse: (message, opts) => {
				calls.parse++;
				return [{ message, locale: String(opts?.locale) }];
			},
		};
		memoizeMessageFormat(statics);
		const en = statics.resolveLocale('en-US');
		assert.equal(statics.resolveLocale('en-US'), en);
		assert.notEqual(statics.resolveLocale(['en-US', 'de']), en);
		assert.equal(calls.resolve, 2);

		const ast = statics.__parse!('a {x}', { locale: 'en-US', ignoreTag: true });
		assert.equal(statics.__parse!('a {x}', { locale: 'en-US', ignoreTag: true }), ast);
		assert.notEqual(
			statics.__parse!('a {x}', { locale: 'de-DE', ignoreTag: true }),
			ast,
			'another locale is another entry',
		);
		assert.notEqual(
			statics.__parse!('a {x}', { locale: 'en-US', ignoreTag: false }),
			ast,
			'other options are another entry',
		);
		assert.notEqual(statics.__parse!('b {x}', { locale: 'en-US', ignoreTag: true }), ast);
		assert.equal(calls.parse, 4);

		for (let i = 0; i < MEMO_MAX_ENTRIES + 10; i++) statics.__parse!(`m${i}`, { locale: 'en-US' });
		const parsed = calls.parse;
		statics.__parse!('a {x}', { locale: 'en-US', ignoreTag: true });
		assert.equal(calls.parse, parsed + 1, 'the cache was started again, not grown past its bound');
	});
});
