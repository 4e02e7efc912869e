import assert from 'node:assert/strict';
import type { LocatedFinding } from '../../../src/protocol';
import {
	DiagnosticsByUrl,
	diagnosticCode,
	diagnosticMessage,
	diagnosticSeverity,
	diagnosticSpecs,
	LINE_END,
	locationRange,
	relatedMessage,
} from '../../../src/extension/problems/findingDiagnostics';

const URL_A = 'http://localhost:5173/';
const URL_B = 'http://localhost:5173/about.html';

function finding(over: Partial<LocatedFinding> = {}): LocatedFinding {
	return {
		rule: 'image-alt',
		source: 'lighthouse',
		title: 'Image elements have [alt] attributes',
		message: 'Image elements do not have [alt] attributes',
		severity: 'error',
		helpUrl: 'https://dequeuniversity.com/rules/axe/4.10/image-alt',
		target: { kind: 'element', selector: 'img.hero-image' },
		location: { file: '/ws/index.html', line: 20, column: 4, confidence: 0.95, via: 'snippet' },
		...over,
	};
}

describe('Findings as Problems-panel diagnostics', () => {
	it('maps finding severities to VS Code severities', () => {
		assert.equal(diagnosticSeverity('error'), 'Error');
		assert.equal(diagnosticSeverity('warning'), 'Warning');
		assert.equal(diagnosticSeverity('info'), 'Information');
	});

	it('turns 1-based locations into 0-based ranges, to the end of the line when no end is given', () => {
		assert.deepEqual(locationRange({ file: '/f', line: 20, column: 4, confidence: 1, via: 'snippet' }), {
			startLine: 19,
			startCharacter: 3,
			endLine: 19,
			endCharacter: LINE_END,
		});
		assert.deepEqual(locationRange({ file: '/f', line: 3, confidence: 1, via: 'snippet' }), {
			startLine: 2,
			startCharacter: 0,
			endLine: 2,
			endCharacter: LINE_END,
		});
		assert.deepEqual(
			locationRange({ file: '/f', line: 3, column: 5, endLine: 4, endColumn: 2, confidence: 1, via: 'snippet' }),
			{
				startLine: 2,
				startCharacter: 4,
				endLine: 3,
				endCharacter: 1,
			},
		);
		// An end before the start is not trusted.
		assert.equal(
			locationRange({ file: '/f', line: 3, column: 5, endLine: 3, endColumn: 2, confidence: 1, via: 'snippet' })
				?.endCharacter,
			LINE_END,
		);
		assert.equal(locationRange({ file: '/f', confidence: 0.5, via: 'entry-file' }), undefined);
	});

	it('writes the message with its form factor, and says when it is not on a line', () => {
		assert.equal(
			diagnosticMessage({ message: 'LCP 4.1 s (good ≤ 2.5 s)', formFactor: 'mobile' }, false),
			'LCP 4.1 s (good ≤ 2.5 s) (mobile)',
		);
		assert.equal(diagnosticMessage({ message: 'No meta description' }, false), 'No meta description');
		assert.equal(
			diagnosticMessage({ message: 'An image has no alt', formFactor: 'desktop' }, true),
			'An image has no alt (desktop, not placed on a line)',
		);
		assert.equal(
			diagnosticMessage(
				{
					message: 'An image has no alt',
					location: { file: '/w/index.html', confidence: 1, via: 'snippet', changedSinceAudit: true },
				},
				true,
			),
			'An image has no alt (file changed since the audit: audit again to place it)',
		);
		assert.equal(relatedMessage(URL_A, 'mobile'), `mobile · ${URL_A}`);
		assert.equal(relatedMessage(URL_A, undefined), URL_A);
	});

	it('links the rule to its documentation only over https', () => {
		assert.deepEqual(diagnosticCode(finding()), {
			value: 'image-alt',
			target: 'https://dequeuniversity.com/rules/axe/4.10/image-alt',
		});
		assert.equal(diagnosticCode(finding({ helpUrl: 'http://example.com/doc' })), 'image-alt');
		assert.equal(diagnosticCode(finding({ helpUrl: 'javascript:alert(1)' })), 'image-alt');
		assert.equal(diagnosticCode(finding({ helpUrl: 'not a url' })), 'image-alt');
		assert.equal(diagnosticCode(finding({ helpUrl: undefined })), 'image-alt');
	});

	it('gives a diagnostic per located finding: on its line, at line 0 for a file only, none without a location', () => {
		const specs = diagnosticSpecs(URL_A, [
			finding({ formFactor: 'mobile' }),
			finding({
				rule: 'meta-description',
				message: 'No meta description',
				severity: 'warning',
				helpUrl: undefined,
				location: { file: '/ws/index.html', confidence: 0.6, via: 'entry-file' },
			}),
			finding({ rule: 'unsized-images', location: undefined }),
		]);
		assert.equal(specs.length, 2);
		const [lined, whole] = specs;
		assert.deepEqual(lined.range, { startLine: 19, startCharacter: 3, endLine: 19, endCharacter: LINE_END });
		assert.equal(lined.wholeFile, false);
		assert.equal(lined.severity, 'Error');
		assert.equal(lined.message, 'Image elements do not have [alt] attributes (mobile)');
		assert.equal(lined.related, `mobile · ${URL_A}`);
		assert.equal(whole.wholeFile, true);
		assert.deepEqual(whole.range, { startLine: 0, startCharacter: 0, endLine: 0, endCharacter: LINE_END });
		assert.equal(whole.severity, 'Warning');
		assert.match(whole.message, /not placed on a line/);
		assert.equal(whole.code, 'meta-description', 'no https help URL: the rule alone');
	});

	it('keeps each URL’s latest diagnostics and merges them per file', () => {
		const store = new DiagnosticsByUrl();
		const shared = { file: '/ws/css/site.css', confidence: 1, via: 'static-file' as const, line: 1 };
		const a = diagnosticSpecs(URL_A, [finding(), finding({ rule: 'unused-css-rules', location: shared })]);
		const b = diagnosticSpecs(URL_B, [finding({ rule: 'unused-css-rules', location: shared })]);
		assert.deepEqual([...store.set(URL_A, a)].sort(), ['/ws/css/site.css', '/ws/index.html']);
		assert.deepEqual([...store.set(URL_B, b)], ['/ws/css/site.css']);
		assert.equal(store.forFile('/ws/css/site.css').length, 2, 'a file shows what every URL found in it');
		// The next audit of URL_A fixed the image: index.html is refreshed (to nothing), the CSS keeps B's.
		const next = diagnosticSpecs(URL_A, [finding({ rule: 'unused-css-rules', location: shared })]);
		assert.deepEqual([...store.set(URL_A, next)].sort(), ['/ws/css/site.css', '/ws/index.html']);
		assert.equal(store.forFile('/ws/index.html').length, 0);
		assert.equal(store.forFile('/ws/css/site.css').length, 2);
		assert.deepEqual([...store.delete(URL_B)], ['/ws/css/site.css']);
		assert.deepEqual(
			store.forFile('/ws/css/site.css').map((s) => s.related),
			[URL_A],
		);
		assert.deepEqual([...store.clear()], ['/ws/css/site.css']);
		assert.deepEqual(store.urls(), []);
	});
});
