/**
 * The one object that owns the extension's lifecycle: two disposal scopes (the extension's life,
 * one engine session), the engine client, the views and the typed configuration.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { AuditResult, EngineSettings } from '../protocol';
import { Config } from './config';
import { CredentialStore } from './secrets/credentialStore';
import { EngineClient } from './engine/engineClient';
import { findEngineRuntime } from './engine/engineRuntime';
import { HistoryTreeProvider } from './views/historyTree';
import { FindingProblems } from './problems/problems';
import { safeLogChannel } from './safeLog';
import { Scope, type DisposableLike } from './scope';
import { SECRETS } from './secrets/secrets';
import { AuditStatusBar } from './views/statusBar';

export class Ctx implements vscode.Disposable {
	readonly log: vscode.LogOutputChannel;
	readonly client: EngineClient;
	readonly statusBar: AuditStatusBar;
	readonly history: HistoryTreeProvider;
	/** The findings of the latest audit of each URL in the Problems panel. */
	readonly problems: FindingProblems;
	/** Headers and cookies per URL pattern (SecretStorage) and the login script, for signed-in audits. */
	readonly credentials: CredentialStore;
	private readonly extScope = new Scope();
	private readonly sessionScope = new Scope();
	private readonly resultEmitter = new vscode.EventEmitter<AuditResult>();
	/** An audit finished (history, status bar and panels listen). */
	readonly onDidFinishAudit = this.resultEmitter.event;

	constructor(readonly extension: vscode.ExtensionContext) {
		this.log = safeLogChannel(this.pushExtCleanup(vscode.window.createOutputChannel('AuditLens', { log: true })));
		this.pushExtCleanup(this.resultEmitter);
		this.client = new EngineClient({
			enginePath: process.env.AUDITLENS_ENGINE_PATH || path.join(extension.extensionPath, 'dist', 'engine.js'),
			storageDir: this.storageDir,
			log: this.log,
			settings: () => this.engineSettings(),
			runtime: () =>
				findEngineRuntime({
					hostVersion: process.versions.node,
					hostExecPath: process.execPath,
					nodePath: this.config.nodePath,
					pathEnv: process.env.PATH,
				}),
			sessionScope: this.sessionScope,
		});
		this.credentials = new CredentialStore(extension, this.log);
		this.statusBar = this.pushExtCleanup(new AuditStatusBar());
		this.history = this.pushExtCleanup(new HistoryTreeProvider(this));
		this.pushExtCleanup(this.onDidFinishAudit(() => this.history.refresh()));
		this.problems = this.pushExtCleanup(new FindingProblems(this));
		// Every audit that finishes (Audit URL, on save, Re-run, a batch) replaces its URL's diagnostics.
		this.pushExtCleanup(this.onDidFinishAudit((result) => void this.problems.show(result)));
	}

	/** Typed settings, read afresh each time. */
	get config(): Config {
		return new Config(vscode.workspace.getConfiguration('auditlens'));
	}

	/** Where the engine keeps its history database and artifacts (screenshots). */
	get storageDir(): string {
		return this.extension.globalStorageUri.fsPath;
	}

	get artifactsDir(): string {
		return path.join(this.storageDir, 'artifacts');
	}

	/** Keep `d` until the extension deactivates. */
	pushExtCleanup<T extends DisposableLike>(d: T): T {
		return this.extScope.push(d);
	}

	/** Keep `d` until the current engine session ends (the engine exits or restarts). */
	pushSessionCleanup<T extends DisposableLike>(d: T): T {
		return this.sessionScope.push(d);
	}

	finished(result: AuditResult): void {
		this.resultEmitter.fire(result);
	}

	/** The settings for the engine, with the API keys from SecretStorage (never logged). */
	async engineSettings(): Promise<Partial<EngineSettings>> {
		const problems: string[] = [];
		const settings = this.config.engineSettings(problems);
		for (const p of problems) this.log.warn(p);
		for (const secret of SECRETS) {
			const key = await this.extension.secrets.get(secret.key);
			if (key) settings[secret.setting] = key;
		}
		return settings;
	}

	/** Ends the engine (shutdown request, then kill if needed) and disposes everything. */
	async dispose(): Promise<void> {
		try {
			await this.client.dispose();
		} finally {
			this.sessionScope.dispose();
			this.extScope.dispose();
		}
	}
}
