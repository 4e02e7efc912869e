import assert from 'node:assert/strict';
import { aiDecision } from '../../../src/extension/secrets/aiPolicy';

describe('AI stage: privacy', () => {
	const base = { keySet: true, onSave: false, aiOnSave: false, answer: undefined };

	it('never sends audits on save to the AI unless auditlens.aiOnSave opts in', () => {
		assert.equal(aiDecision({ ...base, onSave: true, answer: 'allow' }), 'off');
		assert.equal(aiDecision({ ...base, onSave: true, aiOnSave: true, answer: 'allow' }), 'run');
	});

	it('asks before the first AI call, then follows the answer', () => {
		assert.equal(aiDecision(base), 'ask');
		assert.equal(aiDecision({ ...base, onSave: true, aiOnSave: true }), 'ask');
		assert.equal(aiDecision({ ...base, answer: 'allow' }), 'run');
		assert.equal(aiDecision({ ...base, answer: 'deny' }), 'off');
	});

	it('does not ask when no key is set (the engine sends nothing then)', () => {
		assert.equal(aiDecision({ ...base, keySet: false }), 'run');
	});
});
