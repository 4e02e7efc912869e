import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
	type AuditAuth,
	type AuditOptionsInput,
	auditRequest,
	type AuditResult,
	configureRequest,
	getReportRequest,
	getResultRequest,
	listHistoryRequest,
	statsRequest,
} from '../../../src/protocol';
import { auditError, type EngineProcess, startEngine } from '../../helpers/engineProcess';
import { FIXTURE_TOKEN, type FixtureServer, fromLighthouse, startFixtureServer } from '../../helpers/fixtureServer';

/** Lighthouse on mobile and the capture, taken in the page Lighthouse loaded. */
const SIGNED_IN: AuditOptionsInput = { formFactors: ['mobile'], stages: { cro: false, ai: false, crux: false } };
/** The capture alone: the capture browser loads the page (and signs in) itself. */
const CAPTURE_ONLY: AuditOptionsInput = {
	formFactors: ['mobile'],
	stages: { lighthouse: false, cro: false, ai: false, crux: false },
};
const LH_ONLY: AuditOptionsInput = {
	formFactors: ['mobile'],
	stages: { capture: false, cro: false, ai: false, crux: false },
};

const HEADER: AuditAuth = { headers: { 'X-Fixture-Token': FIXTURE_TOKEN } };
const COOKIE: AuditAuth = { cookies: [{ name: 'session', value: FIXTURE_TOKEN }] };

function perf(r: AuditResult): number | null | undefined {
	const s = r.stages['lighthouse-mobile'];
	return s?.status === 'ok' ? s.data.scores.performance : undefined;
}

function facts(r: AuditResult) {
	const s = r.stages.capture;
	return s?.status === 'ok' ? s.data.facts.mobile : undefined;
}

/** A login module in a temp folder; `body` is the default export's body, `page` and `url` in scope. */
function loginScript(dir: string, name: string, body: string): string {
	const file = path.join(dir, `${name}.mjs`);
	fs.writeFileSync(file, `export default async ({ page, url }) => {\n${body}\n};\n`);
	return file;
}

describe('signed-in audits: headers, cookies and a login script (real engine, Chromium and Lighthouse)', function () {
	let server: FixtureServer;
	let other: FixtureServer;
	let engine: EngineProcess;
	let dir: string;

	before(async () => {
		server = await startFixtureServer();
		other = await startFixtureServer();
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditlens-auth-'));
		engine = await startEngine({ db: path.join(dir, 'history.sqlite') });
	});
	after(async () => {
		await engine?.stop();
		await server?.close();
		await other?.close();
		if (dir) fs.rmSync(dir, { recursive: true, force: true });
	});

	const audit = (url: string, options: AuditOptionsInput, auth?: AuditAuth) =>
		engine.connection.sendRequest(auditRequest, { url, options, ...(auth ? { auth } : {}) });

	it('audits a page behind a header: ok with real scores and the DOM facts of the real page; without it, failed with the 401', async () => {
		const url = server.url('/protected?case=header');
		const signedIn = await audit(url, SIGNED_IN, HEADER);
		assert.equal(signedIn.status, 'ok', JSON.stringify(signedIn.stageErrors ?? signedIn.error));
		assert.ok(typeof perf(signedIn) === 'number', 'Lighthouse scored the page');
		assert.equal(facts(signedIn)?.title, 'Members area', 'the capture saw the signed-in page');
		assert.ok(facts(signedIn)?.ctas.some((c) => c.text === 'Open your account'));
		assert.deepEqual(
			signedIn.auth,
			{ headers: ['X-Fixture-Token'], cookies: [] },
			'the result says it was signed in, by name',
		);
		const lighthouseGotIt = server.seen.filter(
			(r) => r.path === '/protected?case=header' && fromLighthouse({ headers: { 'user-agent': r.userAgent } } as never),
		);
		assert.ok(
			lighthouseGotIt.length > 0 && lighthouseGotIt.every((r) => r.token === FIXTURE_TOKEN),
			'Lighthouse sent the header',
		);

		const signedOut = await audit(url, SIGNED_IN);
		assert.equal(signedOut.status, 'failed');
		assert.equal(signedOut.error?.code, 'HTTP_ERROR');
		assert.match(signedOut.error?.message ?? '', /HTTP 401/);
		assert.equal(signedOut.auth, undefined);
	});

	it('sets a cookie for the audited origin only: another origin the page loads from never gets it, in either browser', async () => {
		// The same server under another host name is another origin (and another site): a host-only cookie stays home.
		// Lighthouse's Chrome (which the capture shares) and the capture browser (capture alone) each set it.
		for (const [name, options] of [
			['lighthouse', SIGNED_IN],
			['capture', CAPTURE_ONLY],
		] as const) {
			const pixel = `http://localhost:${other.port}/pixel.png?case=cookie-${name}`;
			const url = server.url(`/protected?case=cookie-${name}&img=${encodeURIComponent(pixel)}`);
			const result = await audit(url, options, COOKIE);
			assert.equal(result.status, 'ok', JSON.stringify(result.stageErrors ?? result.error));
			assert.equal(facts(result)?.title, 'Members area', `${name}: the capture saw the signed-in page`);
			assert.deepEqual(result.auth, { headers: [], cookies: ['session'] });
			const home = server.seen.filter(
				(r) => r.path.startsWith(`/protected?case=cookie-${name}`) && /Chrome\//.test(r.userAgent),
			);
			assert.ok(home.length >= 1, `${name}: a browser loaded the page (${home.length} requests)`);
			assert.ok(
				home.every((r) => r.cookie === `session=${FIXTURE_TOKEN}`),
				`${name}: the page itself got the cookie`,
			);
			const away = other.seen.filter((r) => r.path === `/pixel.png?case=cookie-${name}`);
			assert.ok(
				away.length >= 1,
				`${name}: the browser loaded the image from the other origin (${away.length} requests)`,
			);
			assert.deepEqual(
				away.map((r) => r.cookie),
				away.map(() => undefined),
				`${name}: no cookie went to the other origin`,
			);
		}
	});

	it('signs in with a login script in the same Chrome Lighthouse then uses, and in the capture context', async () => {
		const script = loginScript(
			dir,
			'login-ok',
			`await page.goto(new URL('/login', url).href);
			await page.fill('input[name=password]', ${JSON.stringify(FIXTURE_TOKEN)});
			await Promise.all([page.waitForURL('**/protected'), page.click('button')]);`,
		);
		const url = server.url('/protected?case=login');
		const result = await audit(url, SIGNED_IN, { loginScript: script });
		assert.equal(result.status, 'ok', JSON.stringify(result.stageErrors ?? result.error));
		assert.ok(typeof perf(result) === 'number');
		assert.equal(facts(result)?.title, 'Members area', "the capture, in Lighthouse's page, saw the signed-in page");
		assert.deepEqual(result.auth, { headers: [], cookies: [], loginScript: script });
		const posts = () => server.seen.filter((r) => r.path === '/login' && /Chrome\//.test(r.userAgent)).length;
		assert.ok(posts() >= 1, "the script ran in Lighthouse's Chrome");
		const before = posts();
		const alone = await audit(server.url('/protected?case=login-capture'), CAPTURE_ONLY, { loginScript: script });
		assert.equal(facts(alone)?.title, 'Members area', 'the capture context has the cookie the script left');
		assert.ok(posts() > before, 'the script ran in the capture context');
	});

	it('keeps what a login script put in localStorage for Lighthouse, which still loads the page with a cold cache', async () => {
		// The script also caches the page's stylesheet (for an hour): Lighthouse must fetch it again all the same.
		const script = loginScript(
			dir,
			'login-storage',
			`await page.goto(new URL('/cached.css', url).href);
			await page.goto(new URL('/whoami', url).href);
			await page.evaluate(() => localStorage.setItem('auditlens-session', 'signed-in'));`,
		);
		const result = await audit(server.url('/local-storage?case=storage'), LH_ONLY, { loginScript: script });
		assert.equal(result.status, 'ok', JSON.stringify(result.stageErrors ?? result.error));
		const beacons = server.seen.filter(
			(r) =>
				r.path.startsWith('/beacon?') &&
				r.path.endsWith('case=storage') &&
				fromLighthouse({ headers: { 'user-agent': r.userAgent } } as never),
		);
		assert.deepEqual(
			beacons.map((r) => r.path),
			['/beacon?signed-in=true&case=storage'],
			'the page Lighthouse loaded found the login in localStorage',
		);
		const css = server.seen.filter((r) => r.path === '/cached.css');
		assert.ok(css.length >= 2, `the login script and Lighthouse both fetched the stylesheet (${css.length} requests)`);
		assert.ok(
			css.some((r) => fromLighthouse({ headers: { 'user-agent': r.userAgent } } as never)),
			'Lighthouse loaded it from the network, not from the cache the script filled',
		);
	});

	it('reports a login script that throws or hangs as a LOGIN_ERROR naming the script, within the audit deadline', async () => {
		const throws = loginScript(dir, 'login-throws', `throw new Error('the sign-in button is gone');`);
		const failed = await audit(server.url('/protected?case=throws'), SIGNED_IN, { loginScript: throws });
		assert.equal(failed.status, 'failed');
		assert.equal(failed.error?.code, 'LOGIN_ERROR');
		assert.match(failed.error?.message ?? '', /login-throws\.mjs failed: the sign-in button is gone/);
		assert.equal(failed.stageErrors?.capture?.code, 'LOGIN_ERROR');

		const hangs = loginScript(dir, 'login-hangs', 'await new Promise(() => undefined);');
		const t0 = Date.now();
		const hung = await audit(
			server.url('/protected?case=hangs'),
			{ ...LH_ONLY, timeoutMs: 20_000 },
			{ loginScript: hangs },
		);
		assert.equal(hung.error?.code, 'LOGIN_ERROR', JSON.stringify(hung.error));
		assert.match(hung.error?.message ?? '', /login-hangs\.mjs did not finish within \d+ s/);
		assert.ok(Date.now() - t0 < 20_000, 'within the audit deadline');

		const missing = await auditError(
			audit(server.url('/protected'), LH_ONLY, { loginScript: path.join(dir, 'nope.mjs') }),
		);
		assert.equal(missing.info.code, 'INVALID_PARAMS');
		assert.match(missing.message, /nope\.mjs cannot be read \(no such file\)/);
	});

	it('never serves a signed-out result to a signed-in request, nor one credential’s result for another’s', async () => {
		const url = server.url('/whoami?case=cache');
		const signedOut = await audit(url, LH_ONLY);
		assert.equal(signedOut.status, 'ok');
		assert.equal((await audit(url, LH_ONLY)).fromCache, true, 'the signed-out result is cached');

		const signedIn = await audit(url, LH_ONLY, COOKIE);
		assert.equal(signedIn.fromCache, false, 'a signed-in request is not served the signed-out result');
		assert.notEqual(signedIn.id, signedOut.id);
		const again = await audit(url, LH_ONLY, COOKIE);
		assert.equal(again.fromCache, true, 'the same credentials are served their own result');
		assert.equal(again.id, signedIn.id);
		assert.deepEqual(again.auth, { headers: [], cookies: ['session'] });

		const otherValue = await audit(url, LH_ONLY, { cookies: [{ name: 'session', value: 'another-session-value' }] });
		assert.equal(otherValue.fromCache, false, 'another cookie value is another audit');
		assert.equal((await audit(url, LH_ONLY)).id, signedOut.id, 'a signed-out request still gets the signed-out result');
	});

	it('keeps header and cookie values out of the logs, the history file, the exports and the stats', async () => {
		const secretHeader = 'hdr-secret-value-0c7e5b1d9a';
		const url = server.url('/protected?case=secrets');
		// An engine of its own, whose whole log and history file this test reads.
		const db = path.join(dir, 'secrets.sqlite');
		const own = await startEngine({ db, args: ['--log-level', 'debug'] });
		const audit = (auth: AuditAuth) => own.connection.sendRequest(auditRequest, { url, options: SIGNED_IN, auth });
		const result = await audit({
			headers: { 'X-Fixture-Token': FIXTURE_TOKEN, 'X-Extra': secretHeader },
			cookies: [{ name: 'session', value: FIXTURE_TOKEN }],
		});
		assert.equal(result.status, 'ok', JSON.stringify(result.stageErrors ?? result.error));
		const json = await own.connection.sendRequest(getReportRequest, {
			id: result.id,
			formFactor: 'mobile',
			format: 'json',
		});
		const html = await own.connection.sendRequest(getReportRequest, {
			id: result.id,
			formFactor: 'mobile',
			format: 'html',
		});
		assert.match(
			json.content,
			/"extraHeaders":\{"X-Fixture-Token":"\(hidden\)","X-Extra":"\(hidden\)"\}/,
			'the report keeps the header names only',
		);
		const stored = await own.connection.sendRequest(getResultRequest, { id: result.id });
		const { entries } = await own.connection.sendRequest(listHistoryRequest, { url });
		const stats = await own.connection.sendRequest(statsRequest, {});
		// A failed run of the same credentials: its error passes through the engine's log and history too.
		const failed = await audit({
			headers: { 'X-Fixture-Token': secretHeader },
			cookies: [{ name: 'session', value: secretHeader }],
		});
		assert.equal(failed.status, 'failed');
		// The history file is written when the engine exits; then every byte of it is read.
		await own.stop();
		const bytes = fs.readFileSync(db);
		const texts: [string, string][] = [
			['engine log', own.stderr()],
			['result', JSON.stringify(result)],
			['stored result', JSON.stringify(stored)],
			['history entries', JSON.stringify(entries)],
			['Lighthouse JSON', json.content],
			['Lighthouse HTML', html.content],
			['stats', JSON.stringify(stats)],
			['failed result', JSON.stringify(failed)],
			['history file', bytes.toString('latin1')],
		];
		assert.match(own.stderr(), /DEBUG .*capture mobile/, 'the log has the debug lines of the audit');
		assert.match(own.stderr(), /protected\?case=secrets is failed: .*HTTP 401/, 'and the failed audit');
		for (const [where, text] of texts) {
			for (const secret of [FIXTURE_TOKEN, secretHeader])
				assert.ok(!text.includes(secret), `${where} holds a secret value`);
		}
	});

	it('refuses bad credentials with INVALID_PARAMS that never quote a value', async () => {
		const bad: [AuditAuth, RegExp][] = [
			[
				{ headers: { 'X-Token': 'line\r\nInjected: yes-secret-1' } },
				/auth\.headers\.X-Token: a header value may only have printable ASCII/,
			],
			[{ headers: { Host: 'evil.example-secret-2' } }, /this header is set by the browser/],
			[{ headers: { Cookie: 'session=secret-3' } }, /give cookies as cookies/],
			[{ headers: { 'Bad Name': 'secret-4' } }, /a header name may only have/],
			[
				{ cookies: [{ name: 'session', value: 'has space secret-5' }] },
				/auth\.cookies\.0\.value: a cookie value may not have spaces/,
			],
			[{ loginScript: 'relative/login-secret-6.mjs' }, /the login script path must be absolute/],
		];
		for (const [auth, message] of bad) {
			const err = await auditError(audit(server.url('/protected'), LH_ONLY, auth));
			assert.equal(err.info.code, 'INVALID_PARAMS');
			assert.match(err.message, message);
			assert.doesNotMatch(err.message, /secret-\d/, 'no value is quoted');
		}
	});
});

describe('signed-in audits: a pooled Chrome (real engine, Chromium and Lighthouse)', function () {
	let server: FixtureServer;
	let engine: EngineProcess;

	before(async () => {
		server = await startFixtureServer();
		engine = await startEngine();
		// One Chrome: the next audit gets the same pool slot.
		await engine.connection.sendRequest(configureRequest, { maxBrowsers: 1 });
	});
	after(async () => {
		await engine?.stop();
		await server?.close();
	});

	it('does not carry a signed-in run’s cookie into the next audit: that Chrome is replaced', async () => {
		const before = await engine.connection.sendRequest(statsRequest, {});
		const signedIn = await engine.connection.sendRequest(auditRequest, {
			url: server.url('/whoami?run=signed-in'),
			options: LH_ONLY,
			auth: COOKIE,
		});
		assert.equal(signedIn.status, 'ok');
		const plain = await engine.connection.sendRequest(auditRequest, {
			url: server.url('/whoami?run=plain'),
			options: LH_ONLY,
		});
		assert.equal(plain.status, 'ok');
		const after = await engine.connection.sendRequest(statsRequest, {});
		const cookieOf = (run: string) =>
			server.seen.filter((r) => r.path === `/whoami?run=${run}` && /Chrome\//.test(r.userAgent)).map((r) => r.cookie);
		assert.ok(cookieOf('signed-in').length > 0 && cookieOf('signed-in').every((c) => c === `session=${FIXTURE_TOKEN}`));
		assert.ok(cookieOf('plain').length > 0);
		assert.deepEqual(
			cookieOf('plain'),
			cookieOf('plain').map(() => undefined),
			'the next audit sent no cookie',
		);
		assert.ok(
			after.browsers.launched - before.browsers.launched >= 2,
			'the signed-in Chrome was replaced by a fresh one',
		);
		assert.equal(after.browsers.crashed, before.browsers.crashed, 'retiring it is not a crash');
	});
});
