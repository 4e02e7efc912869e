import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { imageSize } from 'image-size';
import { createEngine } from '../../../src/engine/createEngine';
import type { Engine } from '../../../src/engine/engine';
import type { AuditOptionsInput, CaptureData, Screenshot } from '../../../src/protocol';
import { type FixtureServer, fromBrowser, fromLighthouse, startFixtureServer } from '../../helpers/fixtureServer';
import { recordingLogger } from '../../helpers/sampleResult';

const CAPTURE: AuditOptionsInput = { stages: { capture: true, cro: true, ai: false, crux: false } };

/** The image file's own size, and that it is the size the result says. */
function fileSize(shot: Screenshot): { width: number; height: number } {
	const size = imageSize(fs.readFileSync(shot.path));
	assert.deepEqual(
		[size.width, size.height],
		[shot.width, shot.height],
		`${path.basename(shot.path)} is the size the result says`,
	);
	return { width: shot.width, height: shot.height };
}

/** Requests for `pagePath` from a browser that is not Lighthouse's: the capture browser's own page loads. */
function captureBrowserLoads(seen: { path: string; userAgent: string }[], pagePath: string): number {
	const ua = (userAgent: string) => ({ headers: { 'user-agent': userAgent } }) as unknown as http.IncomingMessage;
	return seen.filter((r) => r.path === pagePath && fromBrowser(ua(r.userAgent)) && !fromLighthouse(ua(r.userAgent)))
		.length;
}

describe('capture in the page Lighthouse loaded (real Chromium, real Lighthouse)', function () {
	this.timeout(300_000);
	let dir: string;
	let engine: Engine;
	let server: FixtureServer;
	before(async () => {
		server = await startFixtureServer();
	});
	after(async () => {
		await server.close();
	});
	beforeEach(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-navcapture-'));
		engine = await createEngine({ artifactsDir: path.join(dir, 'artifacts'), log: recordingLogger() });
	});
	afterEach(async () => {
		await engine.close();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	it("takes the screenshots and DOM facts in Lighthouse's page, as its device sees it, with no second page load", async () => {
		const page = '/cro/tall.html';
		const result = await engine.audit({ url: server.url(page), options: CAPTURE });
		assert.equal(result.status, 'ok', JSON.stringify(result.stageErrors));
		const capture = result.stages.capture;
		assert.equal(capture?.status, 'ok');
		const data = (capture as { data: CaptureData }).data;
		// Lighthouse's devices: the mobile one is 412x823 CSS px, the desktop one 1350x940 (one image px per CSS px).
		assert.deepEqual(fileSize(data.shots.mobile!.viewport), { width: 412, height: 823 });
		assert.deepEqual(fileSize(data.shots.desktop!.viewport), { width: 1350, height: 940 });
		for (const formFactor of ['mobile', 'desktop'] as const) {
			const shots = data.shots[formFactor]!;
			const full = fileSize(shots.fullPage);
			assert.ok(
				full.height > fileSize(shots.viewport).height,
				`${formFactor}: the tall page's full-page shot is taller than the viewport`,
			);
			assert.equal(shots.viewport.foldY, shots.viewport.height);
			assert.deepEqual(data.facts[formFactor]!.viewport, {
				width: shots.viewport.width,
				height: shots.viewport.height,
			});
		}
		assert.ok(data.facts.mobile!.ctas.length > 0, 'the facts were gathered in the page');
		assert.equal(result.stages.cro?.status, 'ok');
		assert.equal(captureBrowserLoads(server.seen, page), 0, 'the capture browser never loaded the page');
	});

	it('loads the page in the capture browser when Lighthouse could not audit it', async () => {
		// A page that answers Lighthouse's browser with a 500 and everyone else (the engine's preflight, the capture
		// browser) with a page.
		const seen: { path: string; userAgent: string }[] = [];
		const picky = http.createServer((req, res) => {
			seen.push({ path: req.url ?? '', userAgent: req.headers['user-agent'] ?? '' });
			if (fromLighthouse(req)) {
				res
					.writeHead(500, { 'content-type': 'text/html' })
					.end('<!doctype html><title>Error</title><h1>Server error</h1>');
				return;
			}
			res
				.writeHead(200, { 'content-type': 'text/html' })
				.end(
					'<!doctype html><html lang="en"><title>Picky</title><h1>Start your trial</h1><a href="/signup">Sign up free</a></html>',
				);
		});
		await new Promise<void>((resolve) => picky.listen(0, '127.0.0.1', resolve));
		try {
			const url = `http://127.0.0.1:${(picky.address() as AddressInfo).port}/picky`;
			const result = await engine.audit({ url, options: { ...CAPTURE, formFactors: ['mobile'] } });
			assert.equal(result.stages['lighthouse-mobile']?.status, 'error');
			assert.equal(result.stages.capture?.status, 'ok', JSON.stringify(result.stageErrors));
			const data = (result.stages.capture as { data: CaptureData }).data;
			assert.ok(fileSize(data.shots.mobile!.viewport).width > 0);
			assert.ok(
				data.facts.mobile!.ctas.some((c) => /Sign up free/.test(c.text)),
				'the facts are those of the page itself',
			);
			assert.ok(captureBrowserLoads(seen, '/picky') >= 1, 'the capture browser loaded the page');
		} finally {
			picky.closeAllConnections();
			await new Promise((resolve) => picky.close(resolve));
		}
	});
});
