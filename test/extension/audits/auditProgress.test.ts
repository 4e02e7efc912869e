import assert from 'node:assert/strict';
import { AuditProgress, expectedStages } from '../../../src/extension/audits/auditProgress';

describe('Audit progress', () => {
	it('reports per-stage progress that adds up to 100 at the end', () => {
		const t = new AuditProgress(expectedStages(['mobile', 'desktop']));
		const base = { auditId: 'a', url: 'http://x/' };
		let total = 0;
		const steps = [
			t.update({ ...base, stage: 'audit', state: 'queued', position: 2 }),
			t.update({ ...base, stage: 'audit', state: 'started' }),
			t.update({ ...base, stage: 'capture', state: 'started' }),
			t.update({ ...base, stage: 'capture', state: 'done' }),
			t.update({ ...base, stage: 'cro', state: 'done' }),
			t.update({ ...base, stage: 'lighthouse-mobile', state: 'done' }),
			t.update({ ...base, stage: 'lighthouse-desktop', state: 'error' }),
			t.update({ ...base, stage: 'audit', state: 'done' }),
		];
		assert.equal(steps[0].message, 'Queued (position 2)');
		assert.match(steps[2].message, /Running Screenshots/);
		assert.match(steps[4].message, /2\/4 stages/);
		for (const s of steps) {
			assert.ok(s.increment >= 0);
			total += s.increment;
		}
		assert.equal(total, 100);
	});
});
