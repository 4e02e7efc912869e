/**
 * Owns the engine child process: starts it on first use, talks to it over Node IPC with the shared
 * protocol, restarts it with backoff when it dies (failing the requests in flight with a clear
 * message), and shuts it down on deactivate.
 */
import * as cp from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import * as vscode from 'vscode';
import {
	createMessageConnection,
	IPCMessageReader,
	IPCMessageWriter,
	ResponseError,
	type MessageConnection,
	type RequestType,
} from 'vscode-jsonrpc/node';
import {
	type ConfigureParams,
	configureRequest,
	type ErrorCode,
	type ErrorInfo,
	logNotification,
	progressNotification,
	type ProgressParams,
	scanProgressNotification,
	type ScanProgressParams,
	shutdownRequest,
	stageResultNotification,
	type StageResultParams,
} from '../../protocol';
import { redactSettings } from '../config';
import type { EngineRuntime } from './engineRuntime';
import { RestartPolicy } from './restartPolicy';
import type { Scope } from '../scope';

/** An engine request that failed, with a message a person can act on. */
export class EngineError extends Error {
	constructor(
		message: string,
		readonly code: ErrorCode | 'ENGINE_STOPPED' | 'ENGINE_UNAVAILABLE' = 'INTERNAL',
	) {
		super(message);
		this.name = 'EngineError';
	}
}

export type EngineState = 'stopped' | 'starting' | 'running' | 'restarting' | 'failed';

export interface EngineClientOptions {
	enginePath: string;
	storageDir: string;
	log: vscode.LogOutputChannel;
	/** The settings to send when a session starts (with secrets). */
	settings(): Promise<ConfigureParams>;
	/** The Node to run the engine with, looked up at each start; rejects with a message saying what to do. */
	runtime(): Promise<EngineRuntime>;
	/** Disposed at the end of every engine session. */
	sessionScope: Scope;
}

interface Session {
	child: cp.ChildProcess;
	connection: MessageConnection;
	stopping: boolean;
	exited: Promise<void>;
}

interface InFlight {
	label: string;
	reject(err: Error): void;
}

export class EngineClient implements vscode.Disposable {
	private session: Session | undefined;
	private starting: Promise<Session> | undefined;
	private restartTimer: ReturnType<typeof setTimeout> | undefined;
	private readonly inFlight = new Set<InFlight>();
	private readonly policy = new RestartPolicy();
	private toldOfDeath = false;
	private disposed = false;
	private stateValue: EngineState = 'stopped';

	private readonly progressEmitter = new vscode.EventEmitter<ProgressParams>();
	private readonly stageResultEmitter = new vscode.EventEmitter<StageResultParams>();
	private readonly scanProgressEmitter = new vscode.EventEmitter<ScanProgressParams>();
	private readonly stateEmitter = new vscode.EventEmitter<EngineState>();
	/** An audit or stage changed state (any session). */
	readonly onProgress = this.progressEmitter.event;
	/** A stage of an audit finished. */
	readonly onStageResult = this.stageResultEmitter.event;
	/** A site scan found or audited a route. */
	readonly onScanProgress = this.scanProgressEmitter.event;
	readonly onDidChangeState = this.stateEmitter.event;

	constructor(private readonly options: EngineClientOptions) {}

	get state(): EngineState {
		return this.stateValue;
	}

	/** Process id of the running engine, if any (for stats and tests). */
	get pid(): number | undefined {
		return this.session?.child.pid;
	}

	/** Send a request, starting the engine if needed. `label` names the work in error messages. */
	async request<P, R, E>(type: RequestType<P, R, E>, params: P, label: string = type.method): Promise<R> {
		const session = await this.ensureStarted();
		return new Promise<R>((resolve, reject) => {
			const entry: InFlight = { label, reject };
			this.inFlight.add(entry);
			// By method name: a RequestType from another copy of vscode-jsonrpc (a test, another bundle)
			// carries parameter-structure objects this copy does not recognise.
			session.connection.sendRequest<R>(type.method, params).then(
				(r) => {
					this.inFlight.delete(entry);
					resolve(r);
				},
				async (err: unknown) => {
					// A transport error usually means the engine is exiting: let onExit fail the request with
					// the message that says so (a promise settles once, so a later reject is a no-op).
					if (!(err instanceof ResponseError && isErrorInfo(err.data)))
						await Promise.race([session.exited, delay(1_000)]);
					this.inFlight.delete(entry);
					reject(toEngineError(err));
				},
			);
		});
	}

	/** Apply settings to the running engine; a no-op when it is not running (they are sent at start). */
	async configure(params: ConfigureParams): Promise<void> {
		if (!this.session) return;
		this.options.log.info('configure', JSON.stringify(redactSettings(params)));
		await this.request(configureRequest, params, 'apply settings');
	}

	ensureStarted(): Promise<Session> {
		if (this.disposed)
			return Promise.reject(new EngineError('The AuditLens engine is shutting down.', 'SHUTTING_DOWN'));
		if (this.session) return Promise.resolve(this.session);
		if (this.restartTimer) {
			clearTimeout(this.restartTimer);
			this.restartTimer = undefined;
		}
		this.starting ??= this.start().finally(() => (this.starting = undefined));
		return this.starting;
	}

	/** Stop and start again (the Restart Engine command, or a setting that needs a fresh process). */
	async restart(): Promise<void> {
		this.policy.reset();
		this.toldOfDeath = false;
		await this.stop();
		await this.ensureStarted();
	}

	/** Ask the engine to finish and exit; kill it if it does not within a few seconds. */
	async stop(): Promise<void> {
		if (this.restartTimer) clearTimeout(this.restartTimer);
		this.restartTimer = undefined;
		const session = this.session ?? (await this.starting?.catch(() => undefined));
		if (!session) return;
		session.stopping = true;
		try {
			await withTimeout(session.connection.sendRequest(shutdownRequest, {}), 5_000);
		} catch (err) {
			this.options.log.warn(`engine did not confirm shutdown: ${errorMessage(err)}`);
		}
		if (
			!(await withTimeout(session.exited, 3_000).then(
				() => true,
				() => false,
			))
		) {
			// Closing the IPC channel makes the engine exit; a hung one gets SIGTERM, then SIGKILL.
			if (session.child.connected) session.child.disconnect();
			session.child.kill('SIGTERM');
			if (
				!(await withTimeout(session.exited, 2_000).then(
					() => true,
					() => false,
				))
			) {
				session.child.kill('SIGKILL');
				// Resolve once it is gone (the state is 'stopped'), but never hang on a process the kernel has not reaped.
				await withTimeout(session.exited, 2_000).catch(() => undefined);
			}
		}
	}

	async dispose(): Promise<void> {
		await this.stop();
		this.disposed = true;
		this.progressEmitter.dispose();
		this.stageResultEmitter.dispose();
		this.scanProgressEmitter.dispose();
		this.stateEmitter.dispose();
	}

	private setState(state: EngineState): void {
		this.stateValue = state;
		this.stateEmitter.fire(state);
	}

	private async start(): Promise<Session> {
		const { enginePath, storageDir, log, sessionScope } = this.options;
		if (!fs.existsSync(enginePath)) {
			this.setState('failed');
			throw new EngineError(
				`The AuditLens engine is missing (${enginePath}). Reinstall the extension; when developing, run \`npm run build\`.`,
				'ENGINE_UNAVAILABLE',
			);
		}
		this.setState('starting');
		let runtime: EngineRuntime;
		try {
			runtime = await this.options.runtime();
		} catch (err) {
			this.setState('failed');
			throw new EngineError(errorMessage(err), 'ENGINE_UNAVAILABLE');
		}
		await fs.promises.mkdir(path.join(storageDir, 'artifacts'), { recursive: true });
		const args = [
			'--node-ipc',
			'--db',
			path.join(storageDir, 'history.sqlite'),
			'--artifacts',
			path.join(storageDir, 'artifacts'),
		];
		log.info(
			`starting engine on Node ${runtime.version} (${runtime.source === 'editor' ? "the editor's" : runtime.source === 'setting' ? 'auditlens.nodePath' : 'from PATH'}: ${runtime.execPath}): ${enginePath} ${args.join(' ')}`,
		);
		const child = cp.fork(enginePath, args, {
			execPath: runtime.execPath,
			env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
			stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
		});
		const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
		const spawned = await new Promise<Error | undefined>((resolve) => {
			child.once('spawn', () => resolve(undefined));
			child.once('error', (err) => resolve(err));
		});
		if (spawned) {
			this.setState('failed');
			throw new EngineError(
				`Could not start the AuditLens engine with ${runtime.execPath}: ${spawned.message}`,
				'ENGINE_UNAVAILABLE',
			);
		}
		for (const [stream, level] of [
			[child.stdout, 'info'],
			[child.stderr, 'warn'],
		] as const) {
			if (!stream) continue;
			readline.createInterface({ input: stream }).on('line', (line) => log[level](`[engine] ${line}`));
		}
		const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
		const session: Session = { child, connection, stopping: false, exited };
		sessionScope.push(connection);
		sessionScope.push(connection.onNotification(progressNotification, (p) => this.progressEmitter.fire(p)));
		sessionScope.push(connection.onNotification(stageResultNotification, (p) => this.stageResultEmitter.fire(p)));
		sessionScope.push(connection.onNotification(scanProgressNotification, (p) => this.scanProgressEmitter.fire(p)));
		sessionScope.push(
			connection.onNotification(logNotification, (p) => {
				const method = p.level === 'debug' ? 'debug' : p.level;
				log[method](`[engine] ${p.message}`);
			}),
		);
		sessionScope.push(connection.onError(([err]) => log.error(`engine connection: ${err.message}`)));
		child.once('exit', (code, signal) => this.onExit(session, code, signal));
		connection.listen();
		this.session = session;

		const settings = await this.options.settings();
		log.info('configure', JSON.stringify(redactSettings(settings)));
		try {
			await withTimeout(connection.sendRequest(configureRequest, settings), 15_000);
		} catch (err) {
			// A dead engine is handled by onExit; a live one that rejects settings still audits with its defaults.
			if (this.session !== session)
				throw new EngineError(`The AuditLens engine exited while starting; see the AuditLens log.`, 'ENGINE_STOPPED');
			log.error(`engine rejected the settings: ${errorMessage(err)}`);
			void vscode.window.showWarningMessage(
				`AuditLens: the engine rejected the settings (${errorMessage(err)}); it runs with its defaults.`,
			);
		}
		log.info(`engine started (pid ${child.pid})`);
		this.setState('running');
		return session;
	}

	private onExit(session: Session, code: number | null, signal: NodeJS.Signals | null): void {
		if (this.session !== session) return;
		this.session = undefined;
		const how = signal ? `killed by ${signal}` : `exit code ${code}`;
		const expected = session.stopping || this.disposed;
		this.options.log[expected ? 'info' : 'error'](`engine exited (${how})`);
		for (const entry of this.inFlight) {
			entry.reject(
				new EngineError(
					expected
						? `The AuditLens engine was stopped while running "${entry.label}".`
						: `The AuditLens engine stopped unexpectedly (${how}) while running "${entry.label}". It is being restarted; run it again.`,
					'ENGINE_STOPPED',
				),
			);
		}
		this.inFlight.clear();
		try {
			this.options.sessionScope.dispose();
		} catch (err) {
			this.options.log.warn(`engine session cleanup: ${errorMessage(err)}`);
		}
		if (expected) {
			this.setState('stopped');
			return;
		}
		const delay = this.policy.onCrash(Date.now());
		if (delay === undefined) {
			this.setState('failed');
			void vscode.window
				.showErrorMessage(
					`AuditLens: the engine keeps crashing (last: ${how}); it was not restarted. See the log for the cause.`,
					'Restart Engine',
					'Show Log',
				)
				.then((choice) => {
					if (choice === 'Restart Engine') void vscode.commands.executeCommand('auditlens.restartEngine');
					if (choice === 'Show Log') this.options.log.show();
				});
			return;
		}
		this.setState('restarting');
		if (!this.toldOfDeath) {
			this.toldOfDeath = true;
			void vscode.window
				.showWarningMessage(
					`AuditLens: the engine stopped unexpectedly (${how}) and is restarting. Audits that were running failed; run them again.`,
					'Show Log',
				)
				.then((choice) => {
					if (choice === 'Show Log') this.options.log.show();
				});
		}
		this.options.log.info(`restarting engine in ${delay} ms`);
		this.restartTimer = setTimeout(() => {
			this.restartTimer = undefined;
			this.ensureStarted().catch((err: unknown) =>
				this.options.log.error(`engine restart failed: ${errorMessage(err)}`),
			);
		}, delay);
	}
}

/** An EngineError from whatever a request rejected with (ResponseError data is an ErrorInfo). */
export function toEngineError(err: unknown): EngineError {
	if (err instanceof EngineError) return err;
	if (err instanceof ResponseError) {
		const data = err.data as Partial<ErrorInfo> | undefined;
		return new EngineError(
			typeof data?.message === 'string' ? data.message : err.message,
			(data?.code as ErrorCode | undefined) ?? 'INTERNAL',
		);
	}
	return new EngineError(errorMessage(err));
}

export function errorMessage(err: unknown): string {
	return err instanceof Error ? err.message : String(err);
}

function isErrorInfo(data: unknown): data is ErrorInfo {
	return (
		typeof data === 'object' &&
		data !== null &&
		typeof (data as ErrorInfo).code === 'string' &&
		typeof (data as ErrorInfo).message === 'string'
	);
}

function delay(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms));
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
		p.then(
			(v) => {
				clearTimeout(t);
				resolve(v);
			},
			(e: unknown) => {
				clearTimeout(t);
				reject(e instanceof Error ? e : new Error(String(e)));
			},
		);
	});
}
