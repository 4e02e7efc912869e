import assert from 'node:assert/strict';
import path from 'node:path';
import { locateRequest, RpcErrorCodes } from '../../src/protocol';
import { auditError, type EngineProcess, startEngine } from '../helpers/engineProcess';
import { FIXTURE_WORKSPACES } from '../helpers/workspaces';

describe('auditlens/locate over JSON-RPC (the engine process)', function () {
	this.timeout(120_000);
	let engine: EngineProcess;
	beforeEach(async () => (engine = await startEngine()));
	afterEach(() => engine.stop());

	it('refuses malformed params and roots that are not absolute existing folders with INVALID_PARAMS that names the problem', async () => {
		const missing = await auditError(engine.connection.sendRequest(locateRequest.method, { id: 'a1' }));
		assert.deepEqual([missing.rpcCode, missing.info.code], [RpcErrorCodes.invalidParams, 'INVALID_PARAMS']);
		assert.match(missing.message, /roots/);
		const relative = await auditError(engine.connection.sendRequest(locateRequest, { id: 'a1', roots: ['src'] }));
		assert.equal(relative.info.code, 'INVALID_PARAMS');
		assert.match(relative.message, /"src" is not an absolute path/);
		const absent = await auditError(
			engine.connection.sendRequest(locateRequest, {
				id: 'a1',
				roots: [path.join(FIXTURE_WORKSPACES, 'no-such-folder')],
			}),
		);
		assert.match(absent.message, /is not an existing folder/);
	});

	it('answers NOT_FOUND for an audit id the history does not hold', async () => {
		const e = await auditError(
			engine.connection.sendRequest(locateRequest, {
				id: 'no-such-audit',
				roots: [path.join(FIXTURE_WORKSPACES, 'static-site')],
			}),
		);
		assert.deepEqual([e.rpcCode, e.info.code], [RpcErrorCodes.notFound, 'NOT_FOUND']);
		assert.match(e.message, /No audit no-such-audit is stored/);
	});
});
