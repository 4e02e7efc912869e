/**
 * Performance insights (Lighthouse 13) and opportunities (Lighthouse 12) in the summaries: read from real
 * reports of test/fixtures/pages/insights/ (a render-blocking stylesheet and script, an oversized hero image),
 * kept through the history (an audit saved by the previous version, on Lighthouse 12.8.2, still opens with
 * its opportunities), used by the CRO rules, and produced by the real engine running Lighthouse 13.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { formatResult, insightLines } from '../../../src/cli/output/text';
import { heavyTbt, slowLcp } from '../../../src/engine/derive/croRules';
import { HistoryStore } from '../../../src/engine/history/historyStore';
import { historyCommand } from '../../../src/cli/commands/history';
import { shortLabel } from '../../../src/engine/lighthouse/insights';
import { summarizeLhr } from '../../../src/engine/lighthouse/summarize';
import type { LhrLike } from '../../../src/engine/lighthouse/workerProtocol';
import { crossMajorNote, insightSavings, otherFailingAudits } from '../../../src/format/insights';
import { entryLine } from '../../../src/format/scores';
import {
	auditRequest,
	getResultRequest,
	type AuditResult,
	type Insight,
	type LighthouseRun,
} from '../../../src/protocol';
import { type EngineProcess, startEngine } from '../../helpers/engineProcess';
import { type FixtureServer, startFixtureServer } from '../../helpers/fixtureServer';
import {
	loadInsightsLhr,
	recordingLogger,
	sampleOptions,
	sampleResult,
	testSettings,
} from '../../helpers/sampleResult';

const lhr = (major: 12 | 13) => loadInsightsLhr(major) as unknown as LhrLike;
const run = (major: 12 | 13): LighthouseRun => summarizeLhr(lhr(major), 'mobile', []);
const byId = (r: LighthouseRun, id: string): Insight => {
	const found = r.insights?.find((i) => i.id === id);
	assert.ok(found, `${id} among ${r.insights?.map((i) => i.id).join(', ')}`);
	return found;
};

/** Scored insights come lowest score first, then the unscored (informative) ones. */
function assertWorstFirst(insights: Insight[]): void {
	const ranks = insights.map((i) => i.score ?? 0.9);
	assert.deepEqual(
		ranks,
		[...ranks].sort((a, b) => a - b),
		insights.map((i) => `${i.id} ${i.score}`).join(', '),
	);
}

describe('performance insights in the summary (pure, real Lighthouse 13 and 12 reports)', function () {
	it('keeps the Lighthouse 13 insights that did not pass, with metric savings and their rows, worst first', () => {
		const r = run(13);
		assert.match(r.lighthouseVersion, /^13\./);
		const blocking = byId(r, 'render-blocking-insight');
		assert.equal(blocking.title, 'Render-blocking requests');
		assert.ok((blocking.metricSavings?.FCP ?? 0) > 0, JSON.stringify(blocking));
		assert.deepEqual(
			blocking.items.map((i) => i.label).sort(),
			['/insights/blocking.css', '/insights/blocking.js'],
			'URLs of the page’s own origin without it',
		);
		assert.ok(blocking.items.every((i) => (i.wastedMs ?? 0) > 0));
		const images = byId(r, 'image-delivery-insight');
		assert.ok((images.wastedBytes ?? 0) > 1_000_000, JSON.stringify(images));
		assert.equal(images.items[0]?.label, '/noise.png?w=1600&h=1000');
		assert.match(images.displayValue ?? '', /Est savings of [\d,]+\s*KiB/u);
		const report = lhr(13);
		for (const i of r.insights ?? []) {
			const audit = report.audits[i.id];
			assert.ok(
				audit && !(audit.scoreDisplayMode !== 'informative' && (audit.score ?? 0) >= 0.9),
				`${i.id} passed and is not listed`,
			);
			assert.ok(i.items.length <= 5 && i.itemCount >= i.items.length);
		}
		assert.equal(
			r.insights?.some((i) => i.id === 'cache-insight'),
			false,
			'a passed insight is left out',
		);
		assert.equal(byId(r, 'lcp-breakdown-insight').score, null, 'the informative LCP breakdown has no score to show');
		assertWorstFirst(r.insights ?? []);
	});

	it('gives a statistics table (DOM size) its names and counts, and leaves out a row that names and measures nothing', () => {
		// The fixture page passed both; failed here as a page with a large DOM and without a viewport would.
		const report = structuredClone(lhr(13));
		report.audits['dom-size-insight']!.score = 0;
		Object.assign(report.audits['viewport-insight']!, {
			score: 0,
			details: {
				type: 'table',
				headings: [{ key: 'node', valueType: 'node', label: '' }],
				items: [{ node: { type: 'node' } }],
			},
		});
		// A numeric column that is not a count: a layout shift's score stays off the row.
		Object.assign(report.audits['cls-culprits-insight']!, {
			score: 0,
			details: {
				type: 'table',
				headings: [
					{ key: 'node', valueType: 'node' },
					{ key: 'score', valueType: 'numeric', granularity: 0.001 },
				],
				items: [{ node: { type: 'node', selector: 'div.banner' }, score: 0.0004 }],
			},
		});
		const r = summarizeLhr(report, 'mobile', []);
		assert.deepEqual(byId(r, 'cls-culprits-insight').items, [{ label: 'div.banner' }]);
		const dom = byId(r, 'dom-size-insight');
		assert.deepEqual(
			dom.items.map((i) => [i.label, i.count]),
			[
				['Total elements', 7],
				['DOM depth', 3],
				['Most children', 4],
			],
		);
		const viewport = byId(r, 'viewport-insight');
		assert.deepEqual(viewport.items, []);
		assert.equal(viewport.itemCount, 0);
		const text = insightLines(r).join('\n');
		assert.match(text, /Total elements\s+7\b/);
		assert.doesNotMatch(text, /\n\s*\n/, 'no empty row');
	});

	it('reads a Lighthouse 12 report’s opportunities the same way, with their overall ms and bytes', () => {
		const r = run(12);
		assert.equal(r.lighthouseVersion, '12.8.2');
		const blocking = byId(r, 'render-blocking-resources');
		assert.ok((blocking.wastedMs ?? 0) > 0 && (blocking.metricSavings?.FCP ?? 0) > 0, JSON.stringify(blocking));
		assert.deepEqual(blocking.items.map((i) => i.label).sort(), ['/insights/blocking.css', '/insights/blocking.js']);
		const sizes = byId(r, 'uses-responsive-images');
		assert.ok((sizes.wastedBytes ?? 0) > 1_000_000);
		assert.equal(sizes.items[0]?.label, '/noise.png?w=1600&h=1000');
		assert.ok(r.insights?.every((i) => i.score !== null && i.score < 0.9));
		assertWorstFirst(r.insights ?? []);
		assert.match(insightSavings(blocking), /^FCP \d+ ms$/);
		assert.match(insightSavings(sizes), /^LCP [\d.]+ s · [\d.]+ MiB$/);
	});

	it('lists an insight once: the failing audits shown beside the insights leave it out', () => {
		const r = run(13);
		assert.ok(r.failingAudits.some((a) => a.id === 'render-blocking-insight'));
		assert.equal(
			otherFailingAudits(r).some((a) => r.insights?.some((i) => i.id === a.id)),
			false,
		);
	});

	it('shortens labels by whole characters, keeping the end of a long URL and the host of another origin', () => {
		const page = 'https://shop.example/';
		const long = `https://shop.example/assets/${'a'.repeat(150)}/hero-😀-final.webp`;
		const cut = shortLabel(long, page);
		assert.equal(Array.from(cut).length, 100);
		assert.match(cut, /^\/assets\/a+…a*\/hero-😀-final\.webp$/);
		assert.equal(shortLabel('https://cdn.other.example/lib.js?v=2', page), 'cdn.other.example/lib.js?v=2');
		assert.equal(shortLabel(`data:image/png;base64,${'A'.repeat(5000)}`, page), 'data:image/png;base64,…');
		assert.equal(shortLabel('body > main > img.hero', page), 'body > main > img.hero');
		assert.equal(
			shortLabel('https://shop.example/a%1B%5B2Kb.js', page),
			'/a%1B%5B2Kb.js',
			'escapes that hide control characters stay escaped',
		);
	});
});

describe('CRO metric findings name what Lighthouse found (13, with 12 as the fallback)', function () {
	const slow = (r: LighthouseRun): LighthouseRun => ({ ...r, metrics: { ...r.metrics, lcp: 5200, tbt: 900 } });

	it('points a slow LCP at the render-blocking requests and the oversized image of a Lighthouse 13 run', () => {
		const [finding] = slowLcp(slow(run(13)));
		assert.ok(finding);
		assert.match(finding.fix, /^Start where Lighthouse points: /);
		assert.match(finding.fix, /render-blocking CSS and scripts \(\/insights\/blocking\.(css|js)\)/);
		assert.match(finding.fix, /main image early|modern formats/);
	});

	it('does the same from a Lighthouse 12 run’s opportunities', () => {
		const [finding] = slowLcp(slow(run(12)));
		assert.ok(finding);
		assert.match(finding.fix, /render-blocking CSS and scripts \(\/insights\/blocking\.(css|js)\)/);
		assert.match(finding.fix, /modern formats at the size they are shown \(\/noise\.png\?w=1600&h=1000\)/);
	});

	it('gives the general advice when the run has no insights (a summary from before they were kept)', () => {
		const { insights: _none, ...old } = slow(run(12));
		assert.match(slowLcp(old)[0]?.fix ?? '', /^Serve the hero image small and early/);
		assert.match(heavyTbt(old)[0]?.fix ?? '', /^Split and defer scripts/);
	});
});

describe('a history entry made with Lighthouse 12 (real sql.js file)', function () {
	this.timeout(60_000);
	let dir: string;

	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-lh12-history-'));
	});
	afterEach(() => {
		fs.rmSync(dir, { recursive: true, force: true });
	});

	/** The audit as the previous version saved it: Lighthouse 12.8.2, its summary without insights, its report kept. */
	function lighthouse12Audit(): { result: AuditResult; report: Record<string, unknown> } {
		const report = loadInsightsLhr(12);
		const { insights: _notKept, ...summary } = summarizeLhr(report as unknown as LhrLike, 'mobile', []);
		const result = sampleResult({
			url: 'http://127.0.0.1:4173/insights/',
			requestedAt: new Date(Date.now() - 86_400_000),
			options: sampleOptions({ formFactors: ['mobile'] }),
		});
		delete result.stages['lighthouse-desktop'];
		result.stages['lighthouse-mobile'] = {
			status: 'ok',
			startedAt: result.requestedAt,
			durationMs: 6000,
			data: summary,
		};
		result.lighthouseVersion = '12.8.2';
		return { result, report };
	}

	it('opens with its opportunities and its version, and a comparison with a Lighthouse 13 audit is marked across majors', async () => {
		const db = path.join(dir, 'history.sqlite');
		const old = lighthouse12Audit();
		const first = await HistoryStore.open({ path: db, settings: testSettings(), log: recordingLogger() });
		await first.save('k12', old.result, new Map([['lhr:mobile', old.report]]));
		await first.close();

		const store = await HistoryStore.open({ path: db, settings: testSettings(), log: recordingLogger() });
		try {
			const opened = await store.get(old.result.id);
			const mobile = opened?.stages['lighthouse-mobile'];
			assert.ok(mobile?.status === 'ok');
			assert.equal(mobile.data.lighthouseVersion, '12.8.2');
			const ids = mobile.data.insights?.map((i) => i.id) ?? [];
			assert.ok(ids.includes('render-blocking-resources') && ids.includes('uses-responsive-images'), ids.join(', '));
			assert.deepEqual(
				mobile.data.insights,
				run(12).insights,
				'the same opportunities as a fresh summary of the report',
			);
			assert.match(insightLines(mobile.data).join('\n'), /mobile opportunities \(Lighthouse 12\.8\.2\):\n {6}\S/);

			const now = sampleResult({ url: old.result.url, options: sampleOptions({ formFactors: ['mobile'] }) });
			delete now.stages['lighthouse-desktop'];
			now.stages['lighthouse-mobile'] = { status: 'ok', startedAt: now.requestedAt, durationMs: 6000, data: run(13) };
			now.lighthouseVersion = run(13).lighthouseVersion;
			await store.save('k13', now, new Map([['lhr:mobile', loadInsightsLhr(13)]]));
			const [newer, older] = await store.listAudits(old.result.url);
			assert.equal(older?.lighthouseVersion, '12.8.2');
			assert.match(newer?.lighthouseVersion ?? '', /^13\./);
			assert.ok(newer && older);
			assert.match(entryLine(newer, older), / · LH 12→13$/, 'the history label marks the change of major');
			assert.equal(
				crossMajorNote(newer.lighthouseVersion, older.lighthouseVersion),
				'Lighthouse 12 → 13: scores not directly comparable',
			);
			assert.equal(crossMajorNote('13.5.0', '13.0.1'), undefined, 'one major: nothing to mark');
		} finally {
			await store.close();
		}
		const out = new PassThrough();
		let text = '';
		out.on('data', (d: Buffer) => (text += d.toString()));
		assert.equal(await historyCommand({ db, url: old.result.url, json: false, out }), 0);
		assert.match(text, /LIGHTHOUSE/);
		assert.match(text, /\b12\.8\.2\b/);
		assert.match(text, /^Lighthouse 12 → 13: scores not directly comparable\.$/m, text);
	});
});

describe('insights from the real engine running Lighthouse 13 (real Chromium)', function () {
	this.timeout(180_000);
	let server: FixtureServer;
	let engine: EngineProcess;

	before(async () => {
		server = await startFixtureServer();
		engine = await startEngine();
	});
	after(async () => {
		await engine?.stop();
		await server?.close();
	});

	it('finds the render-blocking stylesheet and the oversized image of the fixture page, keeps them in the history and prints them', async () => {
		const url = server.url('/insights/');
		const result = await engine.connection.sendRequest(auditRequest, {
			url,
			options: { formFactors: ['mobile'], stages: { capture: false, cro: false, ai: false, crux: false } },
		});
		const mobile = result.stages['lighthouse-mobile'];
		assert.ok(mobile?.status === 'ok', JSON.stringify(result.stageErrors));
		assert.match(mobile.data.lighthouseVersion, /^13\./);
		const blocking = byId(mobile.data, 'render-blocking-insight');
		assert.ok(
			blocking.items.some((i) => i.label === '/insights/blocking.css' && (i.wastedMs ?? 0) > 0),
			JSON.stringify(blocking),
		);
		const images = byId(mobile.data, 'image-delivery-insight');
		assert.ok(
			images.items.some((i) => i.label.startsWith('/noise.png') && (i.wastedBytes ?? 0) > 1_000_000),
			JSON.stringify(images),
		);

		// The page's LCP is fast here; were it slow, the finding would start from these insights.
		const [finding] = slowLcp({ ...mobile.data, metrics: { ...mobile.data.metrics, lcp: 5200 } });
		assert.match(finding?.fix ?? '', /^Start where Lighthouse points: .*\/insights\/blocking\.(css|js)/);

		const stored = await engine.connection.sendRequest(getResultRequest, { id: result.id });
		const storedMobile = stored?.stages['lighthouse-mobile'];
		assert.ok(storedMobile?.status === 'ok');
		assert.deepEqual(storedMobile.data.insights, mobile.data.insights);

		const text = formatResult({ url, result }, []);
		assert.match(text, /mobile insights \(Lighthouse 13\.\d+\.\d+(, worst 5 of \d+)?\):/);
		assert.match(text, /Render-blocking requests {2}est\. savings FCP \d/);
		assert.match(text, /\/insights\/blocking\.css {2}\d+ ms/);
	});
});
