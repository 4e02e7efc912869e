import assert from 'node:assert/strict';
import { explainError } from '../../src/format/errors';

describe('Errors explained (format/errors)', () => {
	it('explains NO_FCP on a dev server with steps a person can take', () => {
		const err = { code: 'LIGHTHOUSE_ERROR' as const, message: 'NO_FCP: The page did not paint any content.' };
		const dev = explainError(err, true);
		assert.match(dev, /development server/);
		assert.match(dev, /Open the URL in a browser once/);
		assert.doesNotMatch(explainError(err, false), /development server/);
		assert.equal(explainError({ code: 'TIMEOUT', message: 'took too long' }, true), 'took too long');
	});
});
