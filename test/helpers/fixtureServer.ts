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

export interface FixtureServer {
	/** Base URL, e.g. http://127.0.0.1:PORT */
	origin: string;
	url(p: string): string;
	/** Requests seen, by path. */
	hits: Map<string, number>;
	/**
	 * A page at `/gate/<name>` that answers only once the test opens the gate: it holds an audit at a known
	 * point (the preflight, or Lighthouse's load) for as long as the test needs.
	 */
	gate(name: string): Gate;
	close(): Promise<void>;
}

export interface Gate {
	/** The URL of the gated page. */
	url: string;
	/** Resolves when the first request for the page has arrived (and is being held). */
	requested: Promise<void>;
	/** Answer every held request, and every later one at once. */
	open(): void;
}

const GATED_PAGE =
	'<!doctype html><html lang="en"><title>Gated</title><meta name="description" content="A page held by the test."><h1>Gated page</h1><p>Held until the test opened the gate.</p></html>';

/**
 * Serves test/fixtures/pages on 127.0.0.1 plus a few misbehaving routes:
 * /hang (never answers), /500, /loop (redirect loop), /json (not HTML), /slow?ms=N (answers after N ms),
 * /slow-page (a page that is heavy on the main thread), /gate/<name> (see `gate`), /desktop-fails (a page for
 * phones and for the engine's preflight; a desktop browser's request is dropped without an answer).
 */
export async function startFixtureServer(): Promise<FixtureServer> {
	const hits = new Map<string, number>();
	const hanging = new Set<http.ServerResponse>();
	const gates = new Map<string, { opened: boolean; held: http.ServerResponse[]; arrived: () => void }>();
	const server = http.createServer((req, res) => {
		const u = new URL(req.url ?? '/', 'http://x');
		hits.set(u.pathname, (hits.get(u.pathname) ?? 0) + 1);
		if (u.pathname.startsWith('/gate/')) {
			const gate = gates.get(u.pathname.slice('/gate/'.length));
			if (!gate) {
				res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>No such gate</h1>');
				return;
			}
			gate.arrived();
			if (gate.opened) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(GATED_PAGE);
			else {
				gate.held.push(res);
				hanging.add(res);
				res.on('close', () => hanging.delete(res));
			}
			return;
		}
		switch (u.pathname) {
			case '/desktop-fails':
				// Lighthouse's and Playwright's phone profiles say "Mobile"; the preflight says "AuditLens".
				if (/Mobile|AuditLens/.test(req.headers['user-agent'] ?? '')) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(GATED_PAGE);
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
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	const origin = `http://127.0.0.1:${port}`;
	return {
		origin,
		url: (p) => origin + (p.startsWith('/') ? p : `/${p}`),
		hits,
		gate: (name) => {
			let arrived!: () => void;
			const requested = new Promise<void>((resolve) => (arrived = resolve));
			const gate = { opened: false, held: [] as http.ServerResponse[], arrived };
			gates.set(name, gate);
			return {
				url: `${origin}/gate/${name}`,
				requested,
				open: () => {
					gate.opened = true;
					for (const res of gate.held.splice(0)) if (!res.destroyed) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(GATED_PAGE);
				},
			};
		},
		close: () =>
			new Promise<void>((resolve) => {
				for (const res of hanging) res.destroy();
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
