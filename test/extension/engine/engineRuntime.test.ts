import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
	findEngineRuntime,
	MIN_NODE_VERSION,
	nodeVersionOk,
	RuntimeNotFoundError,
} from '../../../src/extension/engine/engineRuntime';

/**
 * The engine's Node: the editor's when it is new enough, else auditlens.nodePath, else PATH. "New" Node is the
 * Node running these tests (the project's scripts run on 22.19+); "old" ones are small executables that answer
 * `-p process.versions.node` as an old Node would, since an old Node binary may not exist on the machine.
 */
describe('Engine runtime (which Node runs the engine)', () => {
	let dir: string;
	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-runtime-'));
	});
	afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

	/** A folder holding an executable `node` that reports `version`. */
	function oldNodeDir(name: string, version: string): string {
		const d = path.join(dir, name);
		fs.mkdirSync(d);
		fs.writeFileSync(path.join(d, 'node'), `#!/bin/sh\necho ${version}\n`, { mode: 0o755 });
		return d;
	}
	/** A folder holding `node`: a link to the Node running this test. */
	function newNodeDir(name: string): string {
		const d = path.join(dir, name);
		fs.mkdirSync(d);
		fs.symlinkSync(process.execPath, path.join(d, 'node'));
		return d;
	}

	it('compares versions against 22.19', () => {
		assert.equal(MIN_NODE_VERSION, '22.19.0');
		for (const v of ['22.19.0', 'v22.20.1', '23.0.0', '24.11.1']) assert.equal(nodeVersionOk(v), true, v);
		for (const v of ['22.18.9', '20.20.2', 'v18.0.0', 'garbage', '']) assert.equal(nodeVersionOk(v), false, v);
	});

	it("uses the editor's own Node when it is new enough, without looking further", async () => {
		const r = await findEngineRuntime({
			hostVersion: '22.20.0',
			hostExecPath: '/opt/editor/code',
			nodePath: '/nowhere/node',
			pathEnv: '',
		});
		assert.deepEqual(r, { execPath: '/opt/editor/code', version: '22.20.0', source: 'editor' });
	});

	it('on an old editor Node, takes the first suitable node on PATH, skipping older ones', async () => {
		const pathEnv = [oldNodeDir('old', '20.20.2'), path.join(dir, 'missing'), newNodeDir('new')].join(path.delimiter);
		const r = await findEngineRuntime({ hostVersion: '20.18.3', hostExecPath: '/opt/editor/code', pathEnv });
		assert.equal(r.source, 'path');
		assert.equal(r.execPath, path.join(dir, 'new', 'node'));
		assert.equal(r.version, process.versions.node);
	});

	it('prefers auditlens.nodePath to PATH', async () => {
		const chosen = path.join(newNodeDir('chosen'), 'node');
		const r = await findEngineRuntime({
			hostVersion: '20.18.3',
			hostExecPath: '/opt/editor/code',
			nodePath: ` ${chosen} `,
			pathEnv: newNodeDir('other'),
		});
		assert.deepEqual(r, { execPath: chosen, version: process.versions.node, source: 'setting' });
	});

	it('says what to do when auditlens.nodePath is too old or not a Node', async () => {
		const old = path.join(oldNodeDir('old', '21.7.3'), 'node');
		await assert.rejects(
			findEngineRuntime({ hostVersion: '20.18.3', hostExecPath: 'x', nodePath: old, pathEnv: newNodeDir('new') }),
			(e: Error) => {
				assert.ok(e instanceof RuntimeNotFoundError);
				assert.match(e.message, /needs Node\.js 22\.19\.0 or newer/);
				assert.match(e.message, /is Node 21\.7\.3: set it to a Node 22\.19\.0\+ binary/);
				return true;
			},
		);
		await assert.rejects(
			findEngineRuntime({ hostVersion: '20.18.3', hostExecPath: 'x', nodePath: path.join(dir, 'no-such-node') }),
			/does not run as Node\.js/,
		);
	});

	it('with no suitable Node anywhere, names what it found and the ways out', async () => {
		const pathEnv = oldNodeDir('old', '20.20.2');
		await assert.rejects(findEngineRuntime({ hostVersion: '20.18.3', hostExecPath: 'x', pathEnv }), (e: Error) => {
			assert.ok(e instanceof RuntimeNotFoundError);
			assert.match(e.message, /this editor runs Node 20\.18\.3/);
			assert.ok(e.message.includes(`${path.join(pathEnv, 'node')} is 20.20.2`), e.message);
			assert.match(e.message, /auditlens\.nodePath/);
			assert.match(e.message, /Restart Engine/);
			return true;
		});
		await assert.rejects(
			findEngineRuntime({ hostVersion: '20.18.3', hostExecPath: 'x', pathEnv: '' }),
			/There is no node on PATH/,
		);
	});
});
