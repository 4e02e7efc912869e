import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../../../src/engine/createEngine';
import type { Engine } from '../../../src/engine/engine';
import { AuditError } from '../../../src/engine/errors';
import type { AuditOptionsInput, LocatedFinding, LocateResult } from '../../../src/protocol';
import { type FixtureServer, startFixtureServer } from '../../helpers/fixtureServer';
import { recordingLogger } from '../../helpers/sampleResult';
import { FIXTURE_WORKSPACES, plantedDefects, type ServedApp, serveBundledApp } from '../../helpers/workspaces';

const STATIC_SITE = path.join(FIXTURE_WORKSPACES, 'static-site');
const LH_ONLY: AuditOptionsInput = {
	formFactors: ['mobile'],
	stages: { capture: false, cro: false, ai: false, crux: false },
};

/** Where `rule`'s findings landed, as `file:line` (or `file` without a line), for a readable failure. */
function landed(result: LocateResult, rule: string): string[] {
	return result.findings
		.filter((f) => f.rule === rule)
		.map((f) =>
			f.location
				? `${path.relative(FIXTURE_WORKSPACES, f.location.file)}${f.location.line ? `:${f.location.line}` : ''}`
				: '(nowhere)',
		);
}

/** Every defect planted in `files` is found by its audit on exactly its file and line. */
function assertDefectsLanded(result: LocateResult, workspace: string, files: (f: string) => boolean): void {
	const defects = plantedDefects(workspace).filter((d) => files(d.file));
	assert.ok(defects.length > 0, 'the fixture plants defects');
	for (const defect of defects) {
		for (const id of defect.ids) {
			const hit = result.findings.some(
				(f) => f.rule === id && f.location?.file === defect.file && f.location.line === defect.line,
			);
			assert.ok(
				hit,
				`${id} should land on ${path.relative(FIXTURE_WORKSPACES, defect.file)}:${defect.line}; it landed on ${JSON.stringify(landed(result, id))}`,
			);
		}
	}
}

/** No finding is on a line below the confidence floor. */
function assertNoGuessedLines(findings: readonly LocatedFinding[]): void {
	for (const f of findings)
		if (f.location?.line !== undefined)
			assert.ok(f.location.confidence >= 0.7, `${f.rule} has a line at confidence ${f.location.confidence}`);
}

describe('Engine.locate (real Chromium, real Lighthouse, real sql.js file)', function () {
	this.timeout(300_000);
	let dir: string;
	let engine: Engine;
	beforeEach(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-locate-'));
		engine = await createEngine({
			db: path.join(dir, 'history.sqlite'),
			artifactsDir: path.join(dir, 'artifacts'),
			log: recordingLogger(),
		});
	});
	afterEach(async () => {
		await engine.close();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	it('refuses roots that are not absolute existing folders, and an unknown audit id', async () => {
		const reject = async (params: Parameters<Engine['locate']>[0], code: string, message: RegExp) => {
			const err = await engine.locate(params).then(
				() => assert.fail('expected a rejection'),
				(e: unknown) => e,
			);
			assert.ok(err instanceof AuditError);
			assert.equal(err.code, code);
			assert.match(err.message, message);
		};
		await reject({ id: 'x', roots: ['relative/dir'] }, 'INVALID_PARAMS', /not an absolute path/);
		await reject({ id: 'x', roots: [path.join(dir, 'missing')] }, 'INVALID_PARAMS', /not an existing folder/);
		await reject({ id: 'x', roots: [path.join(dir, 'history.sqlite')] }, 'INVALID_PARAMS', /not an existing folder/);
		await reject({ id: 'x', roots: [] }, 'INVALID_PARAMS', /at least one workspace root/);
		await reject({ id: 'no-such-audit', roots: [dir] }, 'NOT_FOUND', /No audit no-such-audit/);
	});

	describe('the static-site fixture', () => {
		let server: FixtureServer;
		beforeEach(async () => (server = await startFixtureServer({ root: '../workspaces/static-site' })));
		afterEach(() => server.close());

		it('leaves out the line of a file changed since the audit (a cached audit placed after an edit)', async () => {
			const copy = path.join(dir, 'site');
			fs.cpSync(STATIC_SITE, copy, { recursive: true });
			const site = await startFixtureServer({ root: copy });
			try {
				const result = await engine.audit({ url: site.url('/'), options: LH_ONLY });
				assert.equal(result.status, 'ok', JSON.stringify(result.error ?? result.stageErrors));
				const index = path.join(copy, 'index.html');
				const onIndex = (r: LocateResult) =>
					r.findings.filter((f) => f.rule === 'image-alt' && f.location?.file === index);
				// Written in the millisecond the audit was admitted, before its page was served (mtimes are finer than
				// requestedAt's milliseconds; CI once copied the site in that millisecond): as audited.
				const admitted = (Date.parse(result.requestedAt) + 0.5) / 1000;
				fs.utimesSync(index, admitted, admitted);
				const fresh = onIndex(await engine.locate({ id: result.id, roots: [copy] }));
				assert.ok(
					fresh.some((f) => f.location?.line !== undefined && !f.location.changedSinceAudit),
					'placed on its line while the file is as audited',
				);
				// Edited after the audit started: the audit's lines are of other text.
				const later = new Date(Date.parse(result.requestedAt) + 60_000);
				fs.utimesSync(index, later, later);
				const stale = onIndex(await engine.locate({ id: result.id, roots: [copy] }));
				assert.ok(stale.length > 0, 'still on its file');
				for (const f of stale) assert.equal(f.location?.line, undefined, 'no line in a file changed since the audit');
				assert.ok(stale.some((f) => f.location?.changedSinceAudit === true));
			} finally {
				await site.close();
			}
		});

		it('puts each planted defect of the home page on its exact line, and the image late.js adds on none', async () => {
			const result = await engine.audit({ url: server.url('/'), options: LH_ONLY });
			assert.equal(result.status, 'ok', JSON.stringify(result.error ?? result.stageErrors));
			const located = await engine.locate({ id: result.id, roots: [STATIC_SITE] });
			assert.equal(located.auditId, result.id);
			assert.equal(located.url, server.url('/'));
			assert.equal(located.files[0], path.join(STATIC_SITE, 'index.html'));
			assert.ok(located.ms >= 0);
			assertDefectsLanded(located, STATIC_SITE, (f) => f === path.join(STATIC_SITE, 'index.html'));
			const generated = located.findings.filter(
				(f) => f.target.kind === 'element' && /generated/.test(`${f.target.snippet} ${f.target.selector}`),
			);
			assert.ok(generated.length > 0, 'the image late.js adds is a finding (no alt, no size)');
			for (const f of generated)
				assert.equal(f.location?.line, undefined, `${f.rule}: the generated image has no source line`);
			const meta = located.findings.find((f) => f.rule === 'meta-description');
			assert.equal(meta?.location?.file, path.join(STATIC_SITE, 'index.html'), 'a page finding goes on the entry file');
			assertNoGuessedLines(located.findings);
		});

		it('puts the color-contrast defect of another page on its own file, not on the copy of it', async () => {
			const result = await engine.audit({ url: server.url('/about.html'), options: LH_ONLY });
			const located = await engine.locate({ id: result.id, roots: [STATIC_SITE] });
			assert.equal(located.files[0], path.join(STATIC_SITE, 'about.html'));
			assertDefectsLanded(located, STATIC_SITE, (f) => f === path.join(STATIC_SITE, 'about.html'));
			assertNoGuessedLines(located.findings);
		});
	});

	describe('the bundled-app fixture (esbuild, linked source map)', () => {
		let app: ServedApp;
		beforeEach(async () => (app = await serveBundledApp()));
		afterEach(() => app.close());

		it('puts the image without alt on its JSX line and the console error on its line of src/, through the map', async () => {
			const result = await engine.audit({ url: app.server.url('/'), options: LH_ONLY });
			assert.equal(result.status, 'ok', JSON.stringify(result.error ?? result.stageErrors));
			const located = await engine.locate({ id: result.id, roots: [app.workspace] });
			assert.equal(located.files[0], path.join(app.workspace, 'index.html'));
			assert.ok(located.files.includes(path.join(app.workspace, 'src/App.tsx')));
			assertDefectsLanded(located, app.workspace, (f) => f.includes(`${path.sep}src${path.sep}`));
			assertNoGuessedLines(located.findings);
		});
	});
});
