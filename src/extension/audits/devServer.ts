/** Finding and probing local development servers, over http or https. No `vscode`: node:http(s) only. */
import http from 'node:http';
import https from 'node:https';

/**
 * Usual dev-server ports: Next/CRA/Express, Vite, Angular, generic, Django/Python, Vite preview, Astro, Flask, Rails.
 */
export const DEV_SERVER_PORTS: readonly number[] = [
	3000, 5173, 4200, 8080, 8000, 4173, 4321, 5000, 3001, 5174, 8081, 8888,
];

/**
 * True when something answers HTTP(S) at `url` within `timeoutMs` (any status counts: the server is up).
 * An https dev server usually has a self-signed or locally trusted certificate: the probe only asks
 * whether it answers, so the certificate is not checked here.
 */
export function isUp(url: string, timeoutMs = 1500): Promise<boolean> {
	return new Promise((resolve) => {
		let req: http.ClientRequest;
		try {
			const secure = new URL(url).protocol === 'https:';
			const options = {
				timeout: timeoutMs,
				headers: { 'user-agent': 'AuditLens dev-server probe' },
				...(secure ? { rejectUnauthorized: false } : {}),
			};
			const onResponse = (res: http.IncomingMessage): void => {
				res.resume();
				resolve(true);
			};
			req = secure ? https.get(url, options, onResponse) : http.get(url, options, onResponse);
		} catch {
			resolve(false);
			return;
		}
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', () => resolve(false));
	});
}

/**
 * Dev servers answering on `ports` of `host`, in port order: `http://host:port/`, or `https://…` for a
 * port that speaks TLS (Vite with `server.https`, `next dev --experimental-https`, Angular `--ssl`).
 */
export async function discoverDevServers(
	ports: readonly number[] = DEV_SERVER_PORTS,
	host = 'localhost',
	timeoutMs = 800,
): Promise<string[]> {
	const found = await Promise.all(
		ports.map(async (p) => {
			const [plain, secure] = await Promise.all([
				isUp(`http://${host}:${p}/`, timeoutMs),
				isUp(`https://${host}:${p}/`, timeoutMs),
			]);
			// Only a TLS server completes a handshake; some answer plain HTTP on the same port with a 400.
			return secure ? `https://${host}:${p}/` : plain ? `http://${host}:${p}/` : undefined;
		}),
	);
	return found.filter((u): u is string => u !== undefined);
}
