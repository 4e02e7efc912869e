/**
 * A warm Lighthouse worker thread. Lighthouse cannot run twice at once in one JS realm, so each
 * concurrent run gets its own worker; the worker stays alive and runs one audit at a time.
 * Entry point of dist/lighthouseWorker.js.
 */
import { parentPort } from 'node:worker_threads';
import type { LhrLike, WorkerReply, WorkerRunMessage } from './workerProtocol';

type LighthouseModule = typeof import('lighthouse');

if (!parentPort) throw new Error('lighthouseWorker must run as a worker thread');
const port = parentPort;

// Anything the libraries print goes to stderr, never to a protocol channel.
console.log = console.error;
console.info = console.error;

const post = (reply: WorkerReply) => port.postMessage(reply);

async function main(): Promise<void> {
	const lh: LighthouseModule = await import('lighthouse');
	const version = (require('lighthouse/package.json') as { version: string }).version;
	post({ type: 'ready', lighthouseVersion: version });

	port.on('message', (msg: WorkerRunMessage) => {
		if (msg.type !== 'run') return;
		void run(lh, msg).then(
			(lhr) => post({ type: 'result', id: msg.id, lhr }),
			(err: unknown) => post({ type: 'error', id: msg.id, message: err instanceof Error ? err.message : String(err) }),
		);
	});
}

async function run(lh: LighthouseModule, msg: WorkerRunMessage): Promise<LhrLike> {
	const common = {
		onlyCategories: msg.categories,
		throttlingMethod: msg.throttling,
		// The capture stage takes our own screenshots; skipping Lighthouse's saves CPU.
		disableFullPageScreenshot: true,
		maxWaitForLoad: msg.maxWaitForLoadMs,
		maxWaitForFcp: Math.min(30_000, msg.maxWaitForLoadMs),
		...(msg.extraHeaders ? { extraHeaders: msg.extraHeaders } : {}),
	};
	const config = msg.formFactor === 'desktop' ? { ...lh.desktopConfig, settings: { ...lh.desktopConfig.settings, ...common } } : { extends: 'lighthouse:default' as const, settings: common };
	const result = await lh.default(msg.url, { port: msg.port, output: 'json', logLevel: 'error' }, config);
	if (!result) throw new Error('Lighthouse returned no result');
	return result.lhr as unknown as LhrLike;
}

main().catch((err: unknown) => {
	console.error(`lighthouse worker failed to start: ${err instanceof Error ? err.stack : String(err)}`);
	process.exit(1);
});
