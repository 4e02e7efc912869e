import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { historyCommand } from '../../../src/cli/commands/history';
import { HistoryStore } from '../../../src/engine/history/historyStore';
import { COLOR, cruxLines, formatResult, statusOf } from '../../../src/cli/output/text';
import type { AuditResult } from '../../../src/protocol';
import { safeText, useColor } from '../../../src/shared/terminalText';
import { recordingLogger, sampleResult, testSettings } from '../../helpers/sampleResult';
import { CONTROL, ESC } from '../../helpers/terminalChars';

/** Page text that would drive a terminal if it reached one as it is. */
const HOSTILE = [
	`${ESC}[2K${ESC}[1A✓ fake line`,
	`${ESC}]0;pwned title\x07`,
	`${ESC}]8;;http://evil/${ESC}\\link`,
	'\x9b31mred',
	'a\u202eb',
	'line\nbreak\r',
];

describe('auditlens CLI: output a page cannot drive the terminal with (pure)', () => {
	it('shows escape sequences and control characters visibly instead of passing them on', () => {
		assert.equal(safeText(`${ESC}[2K${ESC}[1AOK`), '\\x1b[2K\\x1b[1AOK');
		assert.equal(safeText(`${ESC}]0;title\x07`), '\\x1b]0;title\\x07');
		assert.equal(safeText('\x9b31m'), '\\x9b31m');
		assert.equal(safeText('a\u202eb'), 'a\\u202eb');
		assert.equal(safeText('a\nb\tc'), 'a\\nb c');
		assert.equal(safeText('a\r\nb', { multiline: true }), 'a\nb');
		for (const h of HOSTILE) assert.doesNotMatch(safeText(h), CONTROL, JSON.stringify(h));
	});

	it('cuts long text to the limit, whole characters only', () => {
		assert.equal(safeText('x'.repeat(1000), { max: 10 }), `${'x'.repeat(9)}…`);
		assert.equal(Array.from(safeText('😀'.repeat(20), { max: 5 })).length, 5);
		assert.equal(safeText('short', { max: 10 }), 'short');
		assert.throws(() => safeText('x', { max: 0 }), TypeError);
	});

	it('colours only a terminal, and never with NO_COLOR', () => {
		assert.equal(useColor({ isTTY: true }, {}), true);
		assert.equal(useColor({ isTTY: true }, { NO_COLOR: '1' }), false);
		assert.equal(useColor({ isTTY: false }, {}), false);
		assert.equal(useColor({}, {}), false);
	});

	it('prints hostile finding titles, AI text, notes and errors without a control character', () => {
		const r = sampleResult();
		r.stages.cro = {
			status: 'ok',
			startedAt: r.requestedAt,
			durationMs: 1,
			data: {
				findings: HOSTILE.map((t) => ({
					rule: 'h1-value-prop',
					severity: 'medium',
					title: `The H1 "${t}"`,
					why: '',
					fix: '',
				})),
			},
		};
		r.stages.ai = {
			status: 'ok',
			startedAt: r.requestedAt,
			durationMs: 1,
			data: {
				model: 'm',
				dropped: 0,
				note: HOSTILE[1],
				suggestions: [{ title: HOSTILE[0]!, target: 'h1', detail: '', impact: 'low', effort: 'low' }],
			},
		};
		r.stages.capture = {
			status: 'error',
			startedAt: r.requestedAt,
			durationMs: 1,
			error: { code: 'CAPTURE_ERROR', message: `page said ${HOSTILE[2]}` },
		};
		const text = formatResult({ url: r.url, result: r }, []);
		assert.doesNotMatch(text, CONTROL);
		assert.match(text, /\\x1b\]0;pwned title\\x07/);
		assert.doesNotMatch(
			formatResult({ url: `http://x/${HOSTILE[0]}`, error: { code: 'UNREACHABLE', message: HOSTILE[1]! } }, []),
			CONTROL,
		);
	});

	it('prints insights worst first with their savings and rows, page-derived labels made safe', () => {
		const r = sampleResult();
		const mobile = r.stages['lighthouse-mobile'];
		assert.ok(mobile?.status === 'ok');
		mobile.data.lighthouseVersion = '13.5.0';
		mobile.data.insights = [
			{
				id: 'render-blocking-insight',
				title: 'Render-blocking requests',
				score: 0,
				metricSavings: { FCP: 750 },
				items: [{ label: `/${HOSTILE[0]}.css`, wastedMs: 303 }],
				itemCount: 1,
			},
			{
				id: 'lcp-discovery-insight',
				title: 'LCP request discovery',
				score: 0,
				items: [
					{ label: 'fetchpriority=high should be applied', passed: false },
					{ label: 'Request is discoverable in initial document', passed: true },
					{ label: 'a', passed: true },
					{ label: 'b' },
				],
				itemCount: 6,
			},
			{
				id: 'image-delivery-insight',
				title: HOSTILE[1]!,
				score: 0.5,
				wastedBytes: 4_769_866,
				items: [{ label: '/noise.png', wastedBytes: 4_769_866 }],
				itemCount: 1,
			},
		];
		const text = formatResult({ url: r.url, result: r }, []);
		assert.doesNotMatch(text, CONTROL);
		const block = text.slice(text.indexOf('    mobile insights'));
		assert.match(
			block,
			/^ {4}mobile insights \(Lighthouse 13\.5\.0\):\n {6}Render-blocking requests {2}est\. savings FCP 750 ms\n {8}\/.*\\x1b.*\.css {2}303 ms\n {6}LCP request discovery\n {8}✗ fetchpriority=high should be applied\n {8}✓ Request is discoverable in initial document\n {8}✓ a\n {8}\+3 more\n {6}.*\\x07.* {2}est\. savings 4\.5 MiB\n/,
		);
		assert.doesNotMatch(text, /desktop insights/, 'a run without insights (an older summary) prints none');
	});

	it('says when a result is partial or failed, with each stage error', () => {
		const partial = sampleResult();
		partial.stages['lighthouse-desktop'] = {
			status: 'error',
			startedAt: partial.requestedAt,
			durationMs: 1,
			error: { code: 'TIMEOUT', message: 'desktop timed out after 120 s' },
		};
		// An engine from before `status` says ok; the failed stage makes it partial all the same.
		assert.equal(statusOf({ url: partial.url, result: partial }), 'partial');
		const text = formatResult({ url: partial.url, result: { ...partial, status: 'partial' } }, []);
		assert.match(text.split('\n')[0]!, /^! \S+ {2}partial: 1 stage failed/);
		assert.match(text, /desktop: failed: TIMEOUT: desktop timed out after 120 s/);
		assert.match(text, /mobile +perf/);
		const failed: AuditResult = {
			...sampleResult(),
			status: 'failed',
			error: { code: 'HTTP_ERROR', message: 'The page answered 500.' },
			stages: {},
		};
		assert.equal(statusOf({ url: failed.url, result: failed }), 'failed');
		assert.match(
			formatResult({ url: failed.url, result: failed }, []),
			/^✗ \S+ {2}failed.*\n {4}HTTP_ERROR: The page answered 500\./,
		);
		assert.equal(statusOf({ url: 'u', error: { code: 'UNREACHABLE', message: 'no' } }), 'failed');
		assert.match(formatResult({ url: failed.url, result: failed }, [], COLOR), /\x1b\[31m✗/);
	});

	it('marks a Lighthouse run made under CPU contention, and only that one', () => {
		const r = sampleResult();
		const mobile = r.stages['lighthouse-mobile'];
		assert.equal(mobile?.status, 'ok');
		if (mobile?.status !== 'ok') return;
		mobile.data = { ...mobile.data, traceCpu: { waitRatio: 0.9, besideCores: 1.3, cores: 2 }, contention: true };
		const lines = formatResult({ url: r.url, result: r }, []).split('\n');
		assert.match(
			lines.find((l) => /^ {4}mobile/.test(l))!,
			/under CPU contention/,
		);
		assert.doesNotMatch(
			lines.find((l) => /^ {4}desktop/.test(l))!,
			/contention/,
		);
	});

	it('lists a failed audit in the history with its status, and its page-quoting error made safe', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-cli-history-'));
		try {
			const db = path.join(dir, 'h.sqlite');
			const store = await HistoryStore.open({
				path: db,
				settings: testSettings(),
				log: recordingLogger(),
				flushDelayMs: 0,
			});
			const failed: AuditResult = {
				...sampleResult(),
				status: 'failed',
				error: { code: 'HTTP_ERROR', message: `The page answered 500: ${HOSTILE[0]} ${HOSTILE[1]}` },
			};
			await store.save('k', failed, new Map());
			await store.close();
			for (const url of [undefined, failed.url]) {
				const out = new PassThrough();
				let text = '';
				out.on('data', (d: Buffer) => (text += d.toString()));
				assert.equal(await historyCommand({ db, url, json: false, out }), 0);
				assert.doesNotMatch(text, CONTROL);
				assert.match(text, url ? /failed HTTP_ERROR: The page answered 500: \\x1b\[2K/ : /failed HTTP_ERROR/);
			}
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	it('prints CrUX field data for the URL and the origin, or the note when there is none', () => {
		const lines = cruxLines({
			url: { lcp: 2100, inp: 180, cls: 0.05, fcp: 1200, ttfb: 600 },
			origin: { lcp: 2500, inp: 210, cls: 0.1 },
			formFactor: 'PHONE',
			collectionPeriod: { firstDate: '2026-10-01', lastDate: '2026-10-28' },
		});
		assert.match(lines[0]!, /field data \(CrUX p75, phone, 2026-10-01 to 2026-10-28\)/);
		assert.match(lines[1]!, /URL +LCP 2\.1 s {2}INP 180 ms {2}CLS 0\.05 {2}FCP 1\.2 s {2}TTFB 0\.6 s/);
		assert.match(lines[2]!, /origin +LCP 2\.5 s {2}INP 210 ms {2}CLS 0\.10$/);
		assert.deepEqual(cruxLines({ note: 'CrUX has no field data for this page or its origin.' }), [
			'    field data (CrUX): CrUX has no field data for this page or its origin.',
		]);
		const r = sampleResult();
		r.stages.crux = { status: 'ok', startedAt: r.requestedAt, durationMs: 1, data: { url: { lcp: 1000 } } };
		assert.match(formatResult({ url: r.url, result: r }, []), /URL +LCP 1\.0 s\n +origin +no data for this origin/);
	});
});

/**
 * A page server whose `/held` page answers only once the test opens the gate; `arrived` resolves at its first
 * request.
 */
