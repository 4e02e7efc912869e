// The accuracy bench's local pages (a plain one, render-blocking resources, a large image, a slow one, late work),
// served on 127.0.0.1: bench/accuracy.mjs and bench/lighthouseVersions.mjs audit the same pages.
import http from 'node:http';

// Main-thread work of a fixed size (not a fixed time), as real scripts are: contention makes it take longer.
const WORK = `function work(n) { let x = 0; for (let i = 0; i < n * 1e5; i++) x += Math.sqrt(i + x % 7); return x; }`;

/** A large uncompressed BMP: a hero image that costs real bytes over the simulated network. */
function bmp(width, height) {
	const row = Math.ceil((width * 3) / 4) * 4;
	const size = 54 + row * height;
	const b = Buffer.alloc(size);
	b.write('BM', 0);
	b.writeUInt32LE(size, 2);
	b.writeUInt32LE(54, 10);
	b.writeUInt32LE(40, 14);
	b.writeInt32LE(width, 18);
	b.writeInt32LE(height, 22);
	b.writeUInt16LE(1, 26);
	b.writeUInt16LE(24, 28);
	b.writeUInt32LE(row * height, 34);
	for (let y = 0; y < height; y++)
		for (let x = 0; x < width; x++)
			b.writeUIntLE(
				((x * 255) / width) | (((y * 255) / height) << 8) | (((x ^ y) & 255) << 16),
				54 + y * row + x * 3,
				3,
			);
	return b;
}

const head = (title, extra = '') =>
	`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><meta name="description" content="An accuracy fixture page.">${extra}</head>`;
export const PAGES = {
	// A small static page: scores 1.00 when nothing skews it.
	'/plain': () =>
		`${head('Plain')}<body><h1>A plain page</h1><p>Some text and a <a href="/plain">link</a>.</p><button>Buy</button></body></html>`,
	// Render-blocking CSS and a render-blocking script with some main-thread work.
	'/blocking': () =>
		`${head('Blocking', '<link rel="stylesheet" href="/blocking.css"><script src="/blocking.js"></script>')}<body><h1>Render-blocking resources</h1><p>Styled text.</p></body></html>`,
	// A large hero image (the LCP element).
	'/image': () =>
		`${head('Image')}<body><h1>A hero image</h1><img src="/hero.bmp" width="360" height="240" alt="Hero"></body></html>`,
	// The slow one: a delayed document, render-blocking CSS and JS, a large image and long main-thread tasks.
	'/slow': () =>
		`${head('Slow', '<link rel="stylesheet" href="/blocking.css"><script src="/blocking.js"></script>')}<body><h1>A slow page</h1><img src="/hero.bmp" width="360" height="240" alt="Hero"><div id="list"></div>
<script>${WORK}
work(50);
setTimeout(() => { work(30); const l = document.getElementById('list'); for (let i = 0; i < 300; i++) { const d = document.createElement('p'); d.textContent = 'Item ' + i; l.appendChild(d); } }, 150);
setTimeout(() => work(40), 700);
</script></body></html>`,
	// Work after the page has gone quiet: 1.3 s after its load, with nothing in flight, one task of about 150 ms. The
	// trace slot passes on at quiet, so this task runs while the next page loads; Lighthouse's own CPU-quiet wait still
	// traces it.
	'/late': () => `${head('Late')}<body><h1>Late work</h1><p>A task 1.3 s after the load.</p>
<script>${WORK}
addEventListener('load', () => setTimeout(() => work(90), 1300));
</script></body></html>`,
};
const ASSETS = {
	'/blocking.css': {
		type: 'text/css',
		body: `body{font:16px/1.5 sans-serif;margin:2rem}${Array.from({ length: 300 }, (_, i) => `.c${i}{color:#${(i * 4373).toString(16).padStart(6, '0').slice(0, 6)}}`).join('')}`,
	},
	'/blocking.js': { type: 'text/javascript', body: `${WORK}\nwork(8);` },
	'/hero.bmp': { type: 'image/bmp', body: bmp(360, 240) },
};

/** Serve PAGES and their assets on 127.0.0.1 at a free port; resolves with the http.Server. */
export function startServer() {
	const server = http.createServer((req, res) => {
		const u = new URL(req.url ?? '/', 'http://x');
		const page = PAGES[u.pathname];
		const send = (type, body) => res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
		if (page) return void setTimeout(() => send('text/html; charset=utf-8', page()), u.pathname === '/slow' ? 400 : 0);
		const asset = ASSETS[u.pathname];
		if (asset) return send(asset.type, asset.body);
		res.writeHead(404).end();
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
