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
	close(): Promise<void>;
}

/**
 * Serves test/fixtures/pages on 127.0.0.1 plus a few misbehaving routes:
 * /hang (never answers), /500, /loop (redirect loop), /json (not HTML), /slow?ms=N (answers after N ms),
 * /slow-page (a page that is heavy on the main thread).
 */
export async function startFixtureServer(): Promise<FixtureServer> {
	const hits = new Map<string, number>();
	const hanging = new Set<http.ServerResponse>();
	const server = http.createServer((req, res) => {
		const u = new URL(req.url ?? '/', 'http://x');
		hits.set(u.pathname, (hits.get(u.pathname) ?? 0) + 1);
		switch (u.pathname) {
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
		close: () =>
			new Promise<void>((resolve) => {
				for (const res of hanging) res.destroy();
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
