import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

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

/** Requests from Lighthouse's Chrome only, not from the capture browser: Lighthouse sends its own user agents. */
export const fromLighthouse = (req: http.IncomingMessage): boolean => lighthouseAgents.has(anyChromeVersion(req.headers['user-agent'] ?? ''));
/** Lighthouse 13 puts the running Chrome's version into its emulated user agents: compare without it. */
const anyChromeVersion = (ua: string): string => ua.replace(/Chrome\/[\d.]+/, 'Chrome/x');

export interface FixtureServer {
	/** Base URL, e.g. http://127.0.0.1:PORT */
	origin: string;
	url(p: string): string;
	/** Requests seen, by path. */
	hits: Map<string, number>;
	/**
	 * Hold requests for `pathAndQuery` (an exact path with its query, e.g. `/gated/x?run=1`, or a bare
	 * path, which matches every query) until `open()`: the test catches the work in the middle without
	 * guessing how long it takes. `/gated/NAME` answers a small HTML page once its gate is open.
	 */
	gate(pathAndQuery: string, opts?: GateOptions): Gate;
	close(): Promise<void>;
}

const SMALL_PAGE = '<!doctype html><html lang="en"><title>Gated page</title><h1>A page the test held back</h1><p>Served once the gate opened.</p></html>';

/**
 * Serves test/fixtures/pages on 127.0.0.1 plus a few misbehaving routes:
 * /hang (never answers), /500, /loop (redirect loop), /json (not HTML), /slow?ms=N (answers after N ms),
 * /slow-page (a page that is heavy on the main thread), /gated/NAME (see `gate`),
 * /delayed/NAME?ms=A,B,C (a small page whose Nth load by a browser answers after the Nth delay),
 * /desktop-fails (a page for phones and for the engine's preflight; a desktop browser's request is dropped
 * without an answer).
 */
export async function startFixtureServer(): Promise<FixtureServer> {
	if (lighthouseAgents.size === 0) {
		const { userAgents } = (await import('lighthouse/core/config/constants.js')) as { userAgents: Record<string, string> };
		for (const ua of Object.values(userAgents)) lighthouseAgents.add(anyChromeVersion(ua));
	}
	const hits = new Map<string, number>();
	const hanging = new Set<http.ServerResponse>();
	const gates = new Map<string, { opts: GateOptions; isOpen: boolean; held: (() => void)[]; reached: () => void; count: number }>();
	const browserHits = new Map<string, number>();
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
			setTimeout(() => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(SMALL_PAGE), ms);
			return;
		}
		switch (u.pathname) {
			case '/desktop-fails':
				// Lighthouse's and Playwright's phone profiles say "Mobile"; the preflight says "AuditLens".
				if (/Mobile|AuditLens/.test(req.headers['user-agent'] ?? '')) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(SMALL_PAGE);
				else res.socket?.destroy();
				return;
			case '/hang':
				hanging.add(res);
				res.on('close', () => hanging.delete(res));
				return;
			case '/500':
				res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Internal error</h1>');
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
			case '/slow': {
				const ms = Number(u.searchParams.get('ms') ?? '1000');
				setTimeout(() => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>slow</title><h1>Slow</h1>'), ms);
				return;
			}
		}
		const rel = u.pathname === '/' ? 'index.html' : decodeURIComponent(u.pathname).replace(/^\/+/, '');
		const file = path.resolve(FIXTURE_PAGES, rel.endsWith('/') ? `${rel}index.html` : rel);
		if (!file.startsWith(FIXTURE_PAGES) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
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
							: 'application/octet-stream';
		res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
		fs.createReadStream(file).pipe(res);
	};
	const server = http.createServer((req, res) => {
		const u = new URL(req.url ?? '/', 'http://x');
		hits.set(u.pathname, (hits.get(u.pathname) ?? 0) + 1);
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
	const origin = `http://127.0.0.1:${port}`;
	return {
		origin,
		url: (p) => origin + (p.startsWith('/') ? p : `/${p}`),
		hits,
		gate(pathAndQuery, opts = {}) {
			if (gates.has(pathAndQuery)) throw new Error(`a gate for ${pathAndQuery} already exists: use a path of its own per test`);
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
