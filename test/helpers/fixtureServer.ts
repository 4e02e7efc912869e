import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

/** The folder of fixture pages (test/fixtures/pages), found from either src or compiled out/. */
export const FIXTURE_PAGES = (() => {
	for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const candidate = path.join(dir, 'test', 'fixtures', 'pages');
		if (fs.existsSync(candidate) && !dir.endsWith(`${path.sep}out`)) return candidate;
	}
	throw new Error('test/fixtures/pages not found');
})();

/** A request the server holds until the test opens its gate. */
export interface Gate {
	/** Resolves when the first request the gate holds has arrived. */
	readonly reached: Promise<void>;
	/** How many requests the gate has held so far. */
	readonly held: number;
	/** Answer every held request and let later ones through. Idempotent. */
	open(): void;
}

export interface GateOptions {
	/** Which requests to hold; the others pass (e.g. let the engine's preflight through, hold the browser). */
	hold?: (req: http.IncomingMessage) => boolean;
}

/** Requests from a browser (Chrome, Lighthouse's Chrome or Playwright's), not from the engine's own fetch. */
export const fromBrowser = (req: http.IncomingMessage): boolean => /Chrome\//.test(req.headers['user-agent'] ?? '');

/** Lighthouse's emulated user agents (mobile, desktop), read from Lighthouse itself by `startFixtureServer`. */
const lighthouseAgents = new Set<string>();

/** Lighthouse 13 puts the Chrome it runs in into its user agents' `Chrome/N.0.0.0`: compare without it. */
const sansChromeVersion = (ua: string): string => ua.replace(/(Chrome\/)[\d.]+/, '$1*');

/** Requests from Lighthouse's Chrome only, not from the capture browser: Lighthouse sends its own user agents. */
export const fromLighthouse = (req: http.IncomingMessage): boolean =>
	lighthouseAgents.has(sansChromeVersion(req.headers['user-agent'] ?? ''));

/** The credential `/protected` wants: as the `X-Fixture-Token` header, or as the `session` cookie. */
export const FIXTURE_TOKEN = 'fixture-secret-5f2c9a71e0d44b8c';

/** A request the server saw: path with query, the user agent and the Cookie header it came with. */
export interface SeenRequest {
	path: string;
	userAgent: string;
	cookie?: string;
	token?: string;
}

export interface FixtureServer {
	/** Base URL, e.g. http://127.0.0.1:PORT */
	origin: string;
	/** The port it listens on (127.0.0.1; also reachable as http://localhost:PORT, another origin). */
	port: number;
	url(p: string): string;
	/** Requests seen, by path. */
	hits: Map<string, number>;
	/** Every request, in order of arrival. */
	seen: SeenRequest[];
	/**
	 * Hold requests for `pathAndQuery` (an exact path with its query, e.g. `/gated/x?run=1`, or a bare
	 * path, which matches every query) until `open()`: the test catches the work in the middle without
	 * guessing how long it takes. `/gated/NAME` answers a small HTML page once its gate is open.
	 */
	gate(pathAndQuery: string, opts?: GateOptions): Gate;
	close(): Promise<void>;
}

/**
 * The signed-in page: a heading and a call to action for the capture's DOM facts; `?img=URL` adds an image from URL.
 */
function membersPage(img: string | null): string {
	const image =
		img && /^https?:\/\/[\w.:-]+\/[\w./?=&-]*$/.test(img) ? `<img src="${img}" alt="" width="10" height="10">` : '';
	return `<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width"><title>Members area</title></head><body><main><h1>Welcome back, member</h1><p>Your account.</p><a href="/account" style="display:inline-block;padding:12px 20px;background:#0a58ca;color:#fff">Open your account</a>${image}</main></body></html>`;
}

const LOGIN_FORM =
	'<!doctype html><html lang="en"><title>Sign in</title><form method="post" action="/login"><label>Password <input name="password" type="password"></label><button>Sign in</button></form></html>';

function cookieValue(req: http.IncomingMessage, name: string): string | undefined {
	for (const part of (req.headers.cookie ?? '').split(';')) {
		const [k, ...v] = part.trim().split('=');
		if (k === name) return v.join('=');
	}
	return undefined;
}

const PIXEL = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
	'base64',
);
const LOCAL_STORAGE_PAGE =
	'<!doctype html><html lang="en"><title>Local storage</title><link rel="stylesheet" href="/cached.css"><h1>Your dashboard</h1><script>' +
	"const found = localStorage.getItem('auditlens-session') === 'signed-in';" +
	"new Image().src = '/beacon?signed-in=' + found + '&' + location.search.slice(1);</script></html>";
const SMALL_PAGE =
	'<!doctype html><html lang="en"><title>Gated page</title><h1>A page the test held back</h1><p>Served once the gate opened.</p></html>';

const CONTENT_TYPES: Record<string, string> = {
	'.map': 'application/json',
	'.xml': 'application/xml',
	'.txt': 'text/plain',
	'.pdf': 'application/pdf',
	'.gz': 'application/gzip',
};

/** Folders a fixture server may serve: test/fixtures (pages, workspaces) and temporary folders a test builds. */
function mayServe(root: string): boolean {
	const allowed = [path.dirname(FIXTURE_PAGES), os.tmpdir(), fs.realpathSync(os.tmpdir())];
	return allowed.some((dir) => root === dir || root.startsWith(dir + path.sep));
}

/**
 * Serves test/fixtures/pages (or the folder `root`: relative to it, e.g. `scan-site` or `../workspaces/static-site`,
 * or an absolute temporary folder a test built) on 127.0.0.1 plus a few misbehaving routes:
 * /hang (never answers), /500, /loop (redirect loop), /redirect?to=URL (302 to URL), /json (not HTML), /slow?ms=N
 * (answers after N ms), /slow-page (a page that is heavy on the main thread), /gated/NAME (see `gate`),
 * /delayed/NAME?ms=A,B,C (a small page whose Nth load by a browser answers after the Nth delay),
 * /noise.png?w=W&h=H (a W×H PNG of noise: large and incompressible, for image-size insights),
 * /desktop-fails (a page for phones and for the engine's preflight; a desktop browser's request is dropped
 * without an answer), /protected (200 with a members page given FIXTURE_TOKEN as the X-Fixture-Token header
 * or the `session` cookie, 401 otherwise), /login (a form; POSTing password=FIXTURE_TOKEN sets the `session`
 * cookie and redirects to /protected), /pixel.png (a 1x1 image), /whoami (a page for anyone), /local-storage (a
 * page that requests /beacon?signed-in=true|false&QUERY: whether its localStorage has `auditlens-session`; and
 * /cached.css, which a browser may cache for an hour).
 */
export async function startFixtureServer(opts: { root?: string } = {}): Promise<FixtureServer> {
	// A site of its own (e.g. `scan-site`, with its robots.txt and sitemap.xml at the origin's root), or a fixture
	// workspace served as is (`../workspaces/static-site`): any folder under test/fixtures.
	const root = opts.root ? path.resolve(FIXTURE_PAGES, opts.root) : FIXTURE_PAGES;
	if (!mayServe(root) || !fs.existsSync(root)) throw new Error(`startFixtureServer: no fixture folder ${opts.root}`);
	if (lighthouseAgents.size === 0) {
		const { userAgents } = (await import('lighthouse/core/config/constants.js')) as {
			userAgents: Record<string, string>;
		};
		for (const ua of Object.values(userAgents)) lighthouseAgents.add(sansChromeVersion(ua));
	}
	const hits = new Map<string, number>();
	const hanging = new Set<http.ServerResponse>();
	const gates = new Map<
		string,
		{ opts: GateOptions; isOpen: boolean; held: (() => void)[]; reached: () => void; count: number }
	>();
	const browserHits = new Map<string, number>();
	let origin = '';
	const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
		const u = new URL(req.url ?? '/', 'http://x');
		if (u.pathname.startsWith('/gated/')) {
			res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(SMALL_PAGE);
			return;
		}
		if (u.pathname.startsWith('/delayed/')) {
			// The Nth request from a browser for this URL waits ms[N]: runs of one page that differ on purpose.
			const key = u.pathname + u.search;
			const n = fromBrowser(req) ? (browserHits.get(key) ?? 0) : -1;
			if (n >= 0) browserHits.set(key, n + 1);
			const delays = (u.searchParams.get('ms') ?? '0').split(',').map(Number);
			const ms = n < 0 ? 0 : (delays[n] ?? 0);
			setTimeout(
				() =>
					res
						.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
						.end(SMALL_PAGE),
				ms,
			);
			return;
		}
		switch (u.pathname) {
			case '/protected': {
				const ok = req.headers['x-fixture-token'] === FIXTURE_TOKEN || cookieValue(req, 'session') === FIXTURE_TOKEN;
				if (ok)
					res
						.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
						.end(membersPage(u.searchParams.get('img')));
				else
					res
						.writeHead(401, { 'content-type': 'text/html; charset=utf-8', 'www-authenticate': 'Bearer' })
						.end('<h1>Sign in first</h1>');
				return;
			}
			case '/login': {
				if (req.method !== 'POST') {
					res
						.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
						.end(LOGIN_FORM);
					return;
				}
				let body = '';
				req.on('data', (c: Buffer) => (body += c.toString()));
				req.on('end', () => {
					if (new URLSearchParams(body).get('password') !== FIXTURE_TOKEN) {
						res.writeHead(403, { 'content-type': 'text/html' }).end('<h1>Wrong password</h1>');
						return;
					}
					res
						.writeHead(303, {
							location: '/protected',
							'set-cookie': `session=${FIXTURE_TOKEN}; Path=/; HttpOnly; SameSite=Lax`,
						})
						.end();
				});
				return;
			}
			case '/pixel.png':
				res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(PIXEL);
				return;
			case '/local-storage':
				// Signed in by localStorage, as single-page apps often are: the page tells the server what it found.
				res
					.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
					.end(LOCAL_STORAGE_PAGE);
				return;
			case '/cached.css':
				res.writeHead(200, { 'content-type': 'text/css', 'cache-control': 'max-age=3600' }).end('h1 { color: #123; }');
				return;
			case '/beacon':
				res.writeHead(204).end();
				return;
			case '/whoami':
				res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(SMALL_PAGE);
				return;
			case '/desktop-fails':
				// Lighthouse's and Playwright's phone profiles say "Mobile"; the preflight says "AuditLens".
				if (/Mobile|AuditLens/.test(req.headers['user-agent'] ?? ''))
					res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(SMALL_PAGE);
				else res.socket?.destroy();
				return;
			case '/hang':
				hanging.add(res);
				res.on('close', () => hanging.delete(res));
				return;
			case '/500':
				res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Internal error</h1>');
				return;
			case '/redirect':
				// Anywhere, as an open redirect of a real site would: `to` is a path or a URL.
				res.writeHead(302, { location: u.searchParams.get('to') ?? '/' }).end();
				return;
			case '/loop':
				res.writeHead(302, { location: '/loop2' }).end();
				return;
			case '/loop2':
				res.writeHead(302, { location: '/loop' }).end();
				return;
			case '/json':
				res.writeHead(200, { 'content-type': 'application/json' }).end('{"not":"html"}');
				return;
			case '/noise.png': {
				const png = noisePng(Number(u.searchParams.get('w') ?? '64'), Number(u.searchParams.get('h') ?? '64'));
				res
					.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length, 'cache-control': 'no-store' })
					.end(png);
				return;
			}
			case '/slow': {
				const ms = Number(u.searchParams.get('ms') ?? '1000');
				setTimeout(
					() =>
						res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>slow</title><h1>Slow</h1>'),
					ms,
				);
				return;
			}
		}
		const rel = u.pathname === '/' ? 'index.html' : decodeURIComponent(u.pathname).replace(/^\/+/, '');
		const file = path.resolve(root, rel.endsWith('/') ? `${rel}index.html` : rel);
		if (opts.root && /\.(xml|txt)(\.gz)?$/.test(file) && file.startsWith(root)) {
			// Sitemaps and robots.txt name absolute URLs: `{{origin}}` in them is this server's origin. `X.gz` is X gzipped.
			const plain = file.replace(/\.gz$/, '');
			if (fs.existsSync(plain)) {
				const text = Buffer.from(fs.readFileSync(plain, 'utf8').replaceAll('{{origin}}', origin));
				const body = plain === file ? text : zlib.gzipSync(text);
				res
					.writeHead(200, {
						'content-type': CONTENT_TYPES[path.extname(file)] ?? 'text/plain',
						'cache-control': 'no-store',
					})
					.end(body);
				return;
			}
		}
		if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
			res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>');
			return;
		}
		const type = file.endsWith('.html')
			? 'text/html; charset=utf-8'
			: file.endsWith('.css')
				? 'text/css'
				: file.endsWith('.js')
					? 'text/javascript'
					: file.endsWith('.svg')
						? 'image/svg+xml'
						: file.endsWith('.png')
							? 'image/png'
							: (CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream');
		res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
		fs.createReadStream(file).pipe(res);
	};
	const seen: SeenRequest[] = [];
	const server = http.createServer((req, res) => {
		const u = new URL(req.url ?? '/', 'http://x');
		hits.set(u.pathname, (hits.get(u.pathname) ?? 0) + 1);
		const token = req.headers['x-fixture-token'];
		seen.push({
			path: u.pathname + u.search,
			userAgent: req.headers['user-agent'] ?? '',
			...(req.headers.cookie ? { cookie: req.headers.cookie } : {}),
			...(typeof token === 'string' ? { token } : {}),
		});
		const gate = gates.get(u.pathname + u.search) ?? gates.get(u.pathname);
		if (gate && !gate.isOpen && (gate.opts.hold?.(req) ?? true)) {
			gate.count++;
			gate.reached();
			// A client that went away (a killed Chrome) is answered into the void: that is fine.
			res.on('error', () => undefined);
			gate.held.push(() => handle(req, res));
			return;
		}
		handle(req, res);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	origin = `http://127.0.0.1:${port}`;
	return {
		origin,
		port,
		seen,
		url: (p) => origin + (p.startsWith('/') ? p : `/${p}`),
		hits,
		gate(pathAndQuery, opts = {}) {
			if (gates.has(pathAndQuery))
				throw new Error(`a gate for ${pathAndQuery} already exists: use a path of its own per test`);
			let reached!: () => void;
			const entry = { opts, isOpen: false, held: [] as (() => void)[], reached: () => reached(), count: 0 };
			const reachedP = new Promise<void>((resolve) => (reached = resolve));
			gates.set(pathAndQuery, entry);
			return {
				reached: reachedP,
				get held() {
					return entry.count;
				},
				open() {
					entry.isOpen = true;
					for (const answer of entry.held.splice(0)) answer();
				},
			};
		},
		close: () =>
			new Promise<void>((resolve) => {
				for (const g of gates.values()) g.isOpen = true;
				for (const res of hanging) res.destroy();
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

/** A PNG of deterministic noise (the same bytes every time), W×H RGB, at most 4096 on a side. */
export function noisePng(width: number, height: number): Buffer {
	if (![width, height].every((n) => Number.isInteger(n) && n > 0 && n <= 4096))
		throw new TypeError(`noisePng: sides must be whole numbers 1..4096, not ${width}x${height}`);
	const raw = Buffer.alloc((width * 3 + 1) * height);
	let seed = 0x2545f491;
	for (let i = 0; i < raw.length; i++) {
		// xorshift32; each row's first byte (the PNG filter type) stays 0.
		seed ^= seed << 13;
		seed ^= seed >>> 17;
		seed ^= seed << 5;
		if (i % (width * 3 + 1) !== 0) raw[i] = seed & 0xff;
	}
	const chunk = (type: string, data: Buffer) => {
		const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
		const out = Buffer.alloc(body.length + 8);
		out.writeUInt32BE(data.length, 0);
		body.copy(out, 4);
		out.writeUInt32BE(zlib.crc32(body), body.length + 4);
		return out;
	};
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', zlib.deflateSync(raw)),
		chunk('IEND', Buffer.alloc(0)),
	]);
}
