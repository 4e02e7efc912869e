/** Finding and probing local development servers. No `vscode`: uses node:http only. */
import http from 'node:http';

/** Usual dev-server ports: Next/CRA/Express, Vite, Angular, generic, Django/Python, Vite preview, Astro, Flask, Rails. */
export const DEV_SERVER_PORTS: readonly number[] = [3000, 5173, 4200, 8080, 8000, 4173, 4321, 5000, 3001, 5174, 8081, 8888];

/** True when something answers HTTP at `url` within `timeoutMs` (any status counts: the server is up). */
export function isUp(url: string, timeoutMs = 1500): Promise<boolean> {
	return new Promise((resolve) => {
		let req: http.ClientRequest;
		try {
			req = http.get(url, { timeout: timeoutMs, headers: { 'user-agent': 'AuditLens dev-server probe' } }, (res) => {
				res.resume();
				resolve(true);
			});
		} catch {
			resolve(false);
			return;
		}
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', () => resolve(false));
	});
}

/** Dev servers answering on `ports` of `host`, in port order. */
export async function discoverDevServers(ports: readonly number[] = DEV_SERVER_PORTS, host = 'localhost', timeoutMs = 800): Promise<string[]> {
	const urls = ports.map((p) => `http://${host}:${p}/`);
	const up = await Promise.all(urls.map((u) => isUp(u, timeoutMs)));
	return urls.filter((_, i) => up[i]);
}
