import assert from 'node:assert/strict';
import { RestartPolicy } from '../../../src/extension/engine/restartPolicy';

describe('Engine restart policy', () => {
	it('backs off exponentially, then gives up on a crash loop', () => {
		const p = new RestartPolicy(100, 1000, 3, 60_000);
		assert.equal(p.onCrash(0), 100);
		assert.equal(p.onCrash(1), 200);
		assert.equal(p.onCrash(2), 400);
		assert.equal(p.onCrash(3), undefined);
	});

	it('forgets crashes outside the window and after a manual restart', () => {
		const p = new RestartPolicy(100, 1000, 2, 1000);
		p.onCrash(0);
		p.onCrash(10);
		assert.equal(p.onCrash(5000), 100);
		p.onCrash(5001);
		p.reset();
		assert.equal(p.onCrash(5002), 100);
	});
});
