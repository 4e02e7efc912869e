import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { discoverDevServers, isUp } from '../../../src/extension/audits/devServer';

describe('Dev server discovery', () => {
	it('finds a server listening on one of the given ports and not the closed ones', async () => {
		const server = http.createServer((_req, res) => res.end('ok'));
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		const { port } = server.address() as AddressInfo;
		const closed = http.createServer();
		await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
		const closedPort = (closed.address() as AddressInfo).port;
		await new Promise<void>((r) => closed.close(() => r()));
		try {
			assert.deepEqual(await discoverDevServers([closedPort, port], '127.0.0.1'), [`http://127.0.0.1:${port}/`]);
			assert.equal(await isUp(`http://127.0.0.1:${closedPort}/`, 500), false);
			assert.equal(await isUp('not a url'), false);
		} finally {
			await new Promise<void>((r) => server.close(() => r()));
		}
	});

	describe('over https', () => {
		let dir: string;
		let server: https.Server | undefined;

		before(function () {
			dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-tls-'));
			try {
				// A throwaway self-signed certificate, like the ones dev servers make.
				execFileSync(
					'openssl',
					[
						'req',
						'-x509',
						'-newkey',
						'rsa:2048',
						'-nodes',
						'-keyout',
						path.join(dir, 'key.pem'),
						'-out',
						path.join(dir, 'cert.pem'),
						'-days',
						'1',
						'-subj',
						'/CN=localhost',
					],
					{
						stdio: 'ignore',
					},
				);
			} catch {
				this.skip(); // no openssl on this machine
			}
		});

		after(async () => {
			if (server) await new Promise<void>((r) => server?.close(() => r()));
			fs.rmSync(dir, { recursive: true, force: true });
		});

		it('finds an https dev server with a self-signed certificate, as https', async () => {
			server = https.createServer(
				{ key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) },
				(_req, res) => res.end('ok'),
			);
			await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
			const { port } = server.address() as AddressInfo;
			assert.equal(await isUp(`https://127.0.0.1:${port}/`), true);
			assert.equal(await isUp(`http://127.0.0.1:${port}/`, 1000), false, 'plain http to a TLS port is not an answer');
			assert.deepEqual(await discoverDevServers([port], '127.0.0.1'), [`https://127.0.0.1:${port}/`]);
		});
	});
});
