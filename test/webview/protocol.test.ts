import assert from 'node:assert/strict';
import { DoneMessage, ReadyCommand, StagesMessage } from '../../src/webview/protocol';

describe('Webview messages', () => {
	it('recognise their own type only', () => {
		const msg = StagesMessage.create({ stages: {}, images: {} });
		assert.equal(StagesMessage.is(msg), true);
		assert.equal(DoneMessage.is(msg), false);
		assert.equal(ReadyCommand.is({ method: 'ready' }), false, 'params are required');
		assert.equal(ReadyCommand.is(null), false);
		assert.equal(ReadyCommand.is('ready'), false);
	});
});
