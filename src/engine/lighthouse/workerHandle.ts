import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { abortError, AuditError } from '../errors';
import type { Logger } from '../log';
import type { LhrLike, WorkerReply, WorkerRunMessage } from './workerProtocol';

/** dist/lighthouseWorker.js when bundled; the compiled worker.js beside this file otherwise (tests). */
export function defaultWorkerPath(): string {
	const candidates = [path.join(__dirname, 'lighthouseWorker.js'), path.join(__dirname, 'worker.js')];
	const found = candidates.find((p) => fs.existsSync(p));
	if (!found) throw new Error(`Lighthouse worker script not found (looked for ${candidates.join(', ')}); run "npm run build".`);
	return found;
}

export type RunRequest = Omit<WorkerRunMessage, 'type' | 'id'>;

/**
 * A warm worker thread that runs Lighthouse, one run at a time. Its console output goes to the
 * engine's stderr. Abort terminates the thread (Lighthouse has no cancel); the owner replaces it.
 */
export class LighthouseWorker {
	private nextId = 1;
	private pending: { id: number; resolve: (lhr: LhrLike) => void; reject: (err: Error) => void } | undefined;
	private exited = false;
	runs = 0;

	private constructor(
		private readonly worker: Worker,
		readonly lighthouseVersion: string,
		private readonly log: Logger,
	) {
		worker.on('message', (reply: WorkerReply) => {
			if (reply.type === 'ready' || !this.pending || reply.id !== this.pending.id) return;
			const { resolve, reject } = this.pending;
			this.pending = undefined;
			if (reply.type === 'result') resolve(reply.lhr);
			else reject(new AuditError('LIGHTHOUSE_ERROR', `Lighthouse failed: ${reply.message}`));
		});
		const onGone = (err?: Error) => {
			this.exited = true;
			if (this.pending) {
				this.pending.reject(new AuditError('LIGHTHOUSE_ERROR', `The Lighthouse worker stopped unexpectedly${err ? `: ${err.message}` : ''}.`));
				this.pending = undefined;
			}
		};
		worker.on('error', (err) => {
			this.log.error(`lighthouse worker error: ${err.message}`);
			onGone(err);
		});
		worker.on('exit', () => onGone());
	}

	/** Start a worker and wait until Lighthouse is loaded in it. */
	static start(log: Logger, workerPath = defaultWorkerPath()): Promise<LighthouseWorker> {
		const worker = new Worker(workerPath, { stdout: true, stderr: true });
		worker.stdout.on('data', (chunk: Buffer) => process.stderr.write(chunk));
		worker.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
		return new Promise((resolve, reject) => {
			const onMessage = (reply: WorkerReply) => {
				if (reply.type !== 'ready') return;
				worker.off('message', onMessage);
				worker.off('exit', onExit);
				resolve(new LighthouseWorker(worker, reply.lighthouseVersion, log));
			};
			const onExit = (code: number) => reject(new AuditError('LIGHTHOUSE_ERROR', `The Lighthouse worker could not start (exit code ${code}).`));
			worker.on('message', onMessage);
			worker.once('exit', onExit);
		});
	}

	get alive(): boolean {
		return !this.exited;
	}

	get busy(): boolean {
		return this.pending !== undefined;
	}

	/** Run Lighthouse once. On abort the thread is terminated and the promise rejects with the abort reason. */
	run(request: RunRequest, signal: AbortSignal): Promise<LhrLike> {
		if (this.exited) return Promise.reject(new AuditError('LIGHTHOUSE_ERROR', 'The Lighthouse worker has stopped.'));
		if (this.pending) return Promise.reject(new Error('LighthouseWorker.run called while a run is in progress'));
		const id = this.nextId++;
		this.runs++;
		return new Promise<LhrLike>((resolve, reject) => {
			const onAbort = () => {
				this.pending = undefined;
				reject(abortError(signal));
				void this.terminate();
			};
			if (signal.aborted) return onAbort();
			signal.addEventListener('abort', onAbort, { once: true });
			const done = () => signal.removeEventListener('abort', onAbort);
			this.pending = {
				id,
				resolve: (lhr) => {
					done();
					resolve(lhr);
				},
				reject: (err) => {
					done();
					reject(err);
				},
			};
			this.worker.postMessage({ type: 'run', id, ...request } satisfies WorkerRunMessage);
		});
	}

	async terminate(): Promise<void> {
		this.exited = true;
		await this.worker.terminate();
	}
}
