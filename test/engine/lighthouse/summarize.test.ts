import assert from 'node:assert/strict';
import { AuditError } from '../../../src/engine/errors';
import { assertNoRuntimeError, medianRun, summarizeLhr } from '../../../src/engine/lighthouse/summarize';
import type { LhrLike } from '../../../src/engine/lighthouse/workerProtocol';
import { loadLhr } from '../../helpers/sampleResult';

const lhr = (ff: 'mobile' | 'desktop') => loadLhr(ff) as unknown as LhrLike;

describe('Lighthouse result summaries (pure, on real Lighthouse reports)', function () {
	it('keeps the four category scores and the core metrics', () => {
		const full = lhr('mobile');
		const run = summarizeLhr(full, 'mobile', [0.9]);
		for (const cat of ['performance', 'accessibility', 'best-practices', 'seo'] as const)
			assert.equal(run.scores[cat], full.categories[cat].score);
		assert.equal(run.metrics.lcp, full.audits['largest-contentful-paint'].numericValue);
		assert.equal(run.metrics.tbt, full.audits['total-blocking-time'].numericValue);
		assert.equal(run.metrics.cls, full.audits['cumulative-layout-shift'].numericValue);
		assert.equal(run.lighthouseVersion, full.lighthouseVersion);
		assert.deepEqual(run.performanceScores, [0.9]);
		assert.equal(typeof full.environment?.benchmarkIndex, 'number');
		assert.equal(run.benchmarkIndex, full.environment?.benchmarkIndex, "Lighthouse's benchmarkIndex of the run");
	});

	it('lists failing audits with their titles, worst first, and only scored ones', () => {
		const run = summarizeLhr(lhr('desktop'), 'desktop', []);
		assert.ok(run.failingAudits.length > 0);
		for (const a of run.failingAudits) {
			assert.ok(a.title.length > 0 && a.score !== null && a.score < 0.9, JSON.stringify(a));
			assert.ok(a.categories.length > 0);
		}
		const scores = run.failingAudits.map((a) => a.score ?? 0);
		assert.deepEqual(
			scores,
			[...scores].sort((x, y) => x - y),
		);
	});

	it('leaves out categories beyond the four (a report with agentic-browsing) and their audits', () => {
		const full = lhr('mobile');
		const withAgentic: LhrLike = {
			...full,
			categories: {
				...full.categories,
				'agentic-browsing': { score: 0.5, auditRefs: [{ id: 'llms-txt', weight: 1 }] },
			},
			audits: {
				...full.audits,
				'llms-txt': { id: 'llms-txt', title: 'llms.txt', score: 0, scoreDisplayMode: 'binary' },
			},
		};
		const run = summarizeLhr(withAgentic, 'mobile', []);
		assert.deepEqual(Object.keys(run.scores).sort(), ['accessibility', 'best-practices', 'performance', 'seo']);
		assert.ok(!run.failingAudits.some((a) => a.id === 'llms-txt'));
	});

	it('turns a Lighthouse runtime error into a clear, coded error', () => {
		const broken = {
			...lhr('mobile'),
			runtimeError: { code: 'NO_FCP', message: 'The page did not paint any content.' },
		};
		assert.throws(
			() => assertNoRuntimeError(broken, 'http://localhost:3000/'),
			(err: unknown) =>
				err instanceof AuditError &&
				err.code === 'LIGHTHOUSE_ERROR' &&
				/NO_FCP/.test(err.message) &&
				/blank page|dev server/.test(err.message),
		);
		assert.throws(
			() => assertNoRuntimeError({ ...broken, runtimeError: { code: 'FAILED_DOCUMENT_REQUEST', message: 'x' } }, 'u'),
			(err: unknown) => err instanceof AuditError && err.code === 'UNREACHABLE',
		);
		assert.doesNotThrow(() => assertNoRuntimeError(lhr('mobile'), 'u'));
	});

	it("picks Lighthouse's median run of three", async () => {
		const base = lhr('mobile');
		const withFcp = (fcp: number, tti: number): LhrLike => ({
			...base,
			fetchTime: `t${fcp}`,
			audits: {
				...base.audits,
				'first-contentful-paint': { ...base.audits['first-contentful-paint'], numericValue: fcp },
				interactive: { ...base.audits.interactive, numericValue: tti },
			},
		});
		const median = await medianRun([withFcp(3000, 6000), withFcp(1000, 2000), withFcp(2000, 4000)]);
		assert.equal(median.fetchTime, 't2000');
	});
});
