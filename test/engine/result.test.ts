import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { deriveCro } from '../../src/engine/derive/cro';
import { judge } from '../../src/engine/result';
import type { StageOutcomes } from '../../src/protocol';
import { sampleOptions, sampleResult } from '../helpers/sampleResult';

const at = new Date().toISOString();
const lhError = { code: 'LIGHTHOUSE_ERROR' as const, message: 'desktop did not load' };
const timeout = { code: 'TIMEOUT' as const, message: 'too slow' };

describe('result status', () => {
	const full = sampleResult().stages;

	it('is ok when every stage that ran succeeded (skipped ones do not count)', () => {
		assert.deepEqual(judge(full), { status: 'ok' });
		assert.deepEqual(judge({}), { status: 'ok' });
	});

	it('is partial with the error of each failed stage when something is left to show', () => {
		const stages: StageOutcomes = {
			...full,
			'lighthouse-desktop': { status: 'error', error: lhError, startedAt: at, durationMs: 1 },
		};
		assert.deepEqual(judge(stages), { status: 'partial', stageErrors: { 'lighthouse-desktop': lhError } });
		assert.deepEqual(judge(stages, timeout), { status: 'partial', stageErrors: { 'lighthouse-desktop': lhError } });
	});

	it("is failed with the audit's error when nothing ran or nothing succeeded", () => {
		assert.deepEqual(judge({}, { code: 'HTTP_ERROR', message: '500' }), {
			status: 'failed',
			error: { code: 'HTTP_ERROR', message: '500' },
		});
		const allFailed: StageOutcomes = {
			capture: { status: 'error', error: { code: 'CAPTURE_ERROR', message: 'c' }, startedAt: at, durationMs: 1 },
			'lighthouse-mobile': { status: 'error', error: lhError, startedAt: at, durationMs: 1 },
			crux: { status: 'skipped', reason: 'no key', startedAt: at, durationMs: 0 },
		};
		const judged = judge(allFailed);
		assert.equal(judged.status, 'failed');
		assert.deepEqual(judged.error, lhError, "Lighthouse's error says most about the page");
		assert.deepEqual(judge(allFailed, timeout).error, timeout, 'a timeout is the reason when it happened');
	});
});

describe('derived CRO findings', () => {
	const { capture, 'lighthouse-mobile': mobile } = sampleResult().stages;

	it('wait for the capture, then follow every Lighthouse run that has finished', () => {
		const options = sampleOptions();
		assert.equal(deriveCro(options, {}), undefined);
		const early = deriveCro(options, { capture });
		const late = deriveCro(options, { capture, 'lighthouse-mobile': mobile });
		assert.equal(early?.status, 'ok');
		assert.equal(late?.status, 'ok');
		const again = deriveCro(options, { capture, 'lighthouse-mobile': mobile });
		// Findings only: the outcome's durationMs is the time the rules took, which may differ by a millisecond.
		assert.deepEqual(
			again?.status === 'ok' && again.data,
			late?.status === 'ok' && late.data,
			'the same artifacts give the same findings',
		);
	});

	it('say why there are none when the capture failed or is off', () => {
		const failed = deriveCro(sampleOptions(), {
			capture: { status: 'error', error: { code: 'CAPTURE_ERROR', message: 'boom' }, startedAt: at, durationMs: 1 },
		});
		assert.equal(failed?.status, 'error');
		assert.match(failed?.status === 'error' ? failed.error.message : '', /capture failed \(boom\)/);
		const options = sampleOptions();
		options.stages = { ...options.stages, capture: false };
		assert.equal(deriveCro(options, {})?.status, 'skipped');
	});
});
