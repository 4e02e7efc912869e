/**
 * Credentials per URL pattern in VS Code's SecretStorage (one JSON secret per pattern; the list of patterns, which
 * are not secret, in the global state), and the login script setting. Every audit the extension sends asks
 * `authFor(url)` for what to attach.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { AuditAuth } from '../../protocol';
import { Config } from '../config';
import { bestPattern, credentialKey, parseStored, type StoredCredentials, toAuditAuth } from './credentials';

const PATTERNS_KEY = 'auditlens.credentialPatterns';

export class CredentialStore {
	constructor(
		private readonly extension: vscode.ExtensionContext,
		private readonly log: vscode.LogOutputChannel,
	) {}

	/** The patterns that have credentials, in the order they were added. */
	patterns(): string[] {
		return this.extension.globalState.get<string[]>(PATTERNS_KEY, []);
	}

	async get(pattern: string): Promise<StoredCredentials | undefined> {
		return parseStored(await this.extension.secrets.get(credentialKey(pattern)));
	}

	async set(credentials: StoredCredentials): Promise<void> {
		await this.extension.secrets.store(credentialKey(credentials.pattern), JSON.stringify(credentials));
		const patterns = this.patterns().filter((p) => p !== credentials.pattern);
		await this.extension.globalState.update(PATTERNS_KEY, [...patterns, credentials.pattern]);
	}

	async clear(pattern: string): Promise<void> {
		await this.extension.secrets.delete(credentialKey(pattern));
		await this.extension.globalState.update(
			PATTERNS_KEY,
			this.patterns().filter((p) => p !== pattern),
		);
	}

	/** What an audit of `url` sends: the most specific pattern's headers and cookies, and the login script. */
	async authFor(url: string): Promise<AuditAuth | undefined> {
		const pattern = bestPattern(this.patterns(), url);
		const stored = pattern ? await this.get(pattern) : undefined;
		return toAuditAuth(stored, this.loginScript());
	}

	/**
	 * `auditlens.loginScript` as an absolute path, resolved against the workspace folder that sets it. A login
	 * script is code the engine runs: only in a trusted workspace.
	 */
	loginScript(): string | undefined {
		for (const folder of vscode.workspace.workspaceFolders ?? []) {
			const value = new Config(vscode.workspace.getConfiguration('auditlens', folder.uri)).loginScript;
			if (!value) continue;
			if (!vscode.workspace.isTrusted) {
				this.log.warn(
					'auditlens.loginScript is set, but this workspace is not trusted: audits run without the login script.',
				);
				return undefined;
			}
			return path.resolve(folder.uri.fsPath, value);
		}
		return undefined;
	}
}
