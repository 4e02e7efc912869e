import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { imageSizeOf } from '../../../src/engine/gather/imageSize';
import { FIXTURE_PAGES, type FixtureServer, startFixtureServer } from '../../helpers/fixtureServer';

const WORKSPACE = path.join(FIXTURE_PAGES, '..', 'workspaces', 'static-site');

describe('imageSizeOf: an image’s intrinsic size from its header', function () {
	let server: FixtureServer;
	before(async () => (server = await startFixtureServer()));
	after(() => server?.close());

	it('reads the size of a PNG over http', async () => {
		assert.deepEqual(await imageSizeOf(server.url('/noise.png?w=500&h=400')), { width: 500, height: 400 });
	});

	it('gives no size for what is not an http(s) image', async () => {
		const found = await Promise.all([
			imageSizeOf(`file://${path.join(WORKSPACE, 'img', 'hero.png')}`),
			imageSizeOf(
				`data:image/png;base64,${fs.readFileSync(path.join(WORKSPACE, 'img', 'hero.png')).toString('base64')}`,
			),
			imageSizeOf(server.url('/noise.png?w=10&h=10').replace('http://', 'http://user:pw@')),
			imageSizeOf(server.url('/no-such.png')),
			imageSizeOf(server.url('/json')),
		]);
		assert.deepEqual(found, [undefined, undefined, undefined, undefined, undefined]);
	});

	it('gives up on an image that does not answer within the timeout, and reads no further than the cap', async () => {
		const gate = server.gate('/noise.png?w=64&h=64&held');
		assert.equal(await imageSizeOf(server.url('/noise.png?w=64&h=64&held'), { timeoutMs: 300 }), undefined);
		assert.equal(gate.held, 1, 'the request was held, not refused');
		gate.open();
		assert.equal(
			await imageSizeOf(server.url('/noise.png?w=64&h=64'), { maxBytes: 16 }),
			undefined,
			'a PNG gives its size from byte 24 on',
		);
		assert.deepEqual(await imageSizeOf(server.url('/noise.png?w=64&h=64'), { maxBytes: 24 }), {
			width: 64,
			height: 64,
		});
	});
});
