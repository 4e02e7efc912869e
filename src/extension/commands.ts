/**
 * Every command, registered from one table. Each entry is a `(ctx) => handler` factory
 * (rust-analyzer's commands.ts).
 */
import * as vscode from 'vscode';
import {
	type AuditResult,
	clearCacheRequest,
	deleteHistoryRequest,
	type FormFactor,
	getReportRequest,
	getResultRequest,
	listHistoryRequest,
	type ScanReport,
	statsRequest,
} from '../protocol';
import { resetAiConsent } from './secrets/aiConsent';
import { resolveDevServer } from './audits/auditOnSave';
import { runAudit, runAudits, type BatchAuditItem } from './audits/audits';
import type { Ctx } from './ctx';
import { parseCookieLine, parseHeaderLine, parsePattern } from './secrets/credentials';
import { errorMessage } from './engine/engineClient';
import { FORM_FACTOR_LABEL } from '../format/scores';
import type { HistoryNode } from './views/historyTree';
import { ResultPanel } from './views/resultPanel';
import { runScan } from './audits/scans';
import { SitePanel } from './views/sitePanel';
import { SECRET_ANTHROPIC_KEY, SECRETS, type SecretSpec } from './secrets/secrets';
import { parseAuditUrl, parseAuditUrls, pushRecent } from './audits/urls';

type Handler = (...args: unknown[]) => unknown;
type CommandFactory = (ctx: Ctx) => Handler;

const RECENT_URLS_KEY = 'auditlens.recentUrls';

export const COMMANDS: Record<string, CommandFactory> = {
	'auditlens.auditUrl': auditUrl,
	'auditlens.auditUrls': auditUrls,
	'auditlens.auditSite': auditSite,
	'auditlens.auditDevServer': auditDevServer,
	'auditlens.showStats': showStats,
	'auditlens.clearCache': clearCache,
	'auditlens.setApiKey': (ctx) => setSecret(ctx, SECRETS[0]),
	'auditlens.setCruxApiKey': (ctx) => setSecret(ctx, SECRETS[1]),
	'auditlens.setCredentials': setCredentials,
	'auditlens.clearCredentials': clearCredentials,
	'auditlens.exportResult': exportResult,
	'auditlens.openLighthouseReport': openLighthouseReport,
	'auditlens.restartEngine': (ctx) => () => withErrors(ctx, 'restart the engine', () => ctx.client.restart()),
	'auditlens.showLog': (ctx) => () => ctx.log.show(),
	'auditlens.history.refresh': (ctx) => () => ctx.history.refresh(),
	'auditlens.history.open': openResult,
	'auditlens.history.rerun': rerun,
	'auditlens.history.delete': deleteHistory,
	'auditlens.history.clear': clearHistory,
	'auditlens.scans.open': openScan,
};

export function registerCommands(ctx: Ctx): void {
	for (const [id, factory] of Object.entries(COMMANDS))
		ctx.pushExtCleanup(vscode.commands.registerCommand(id, factory(ctx)));
}

/** Audit URL: the URL given (tests, other extensions) or asked for, with the recent ones offered. */
function auditUrl(ctx: Ctx): Handler {
	return async (arg?: unknown): Promise<AuditResult | undefined> => {
		const recent = ctx.extension.globalState.get<string[]>(RECENT_URLS_KEY, []);
		const url =
			typeof arg === 'string'
				? parseOrWarn(arg)
				: await askForUrl(recent, { title: 'AuditLens: Audit URL', action: 'Audit this URL' });
		if (!url) return undefined;
		await ctx.extension.globalState.update(RECENT_URLS_KEY, pushRecent(recent, url, ctx.config.recentUrlCount));
		// A result audited within the cache TTL is shown at once, labelled with its age; Re-run runs afresh.
		return runAudit(ctx, url);
	};
}

/**
 * Audit Site: the start URL given (tests, other extensions, the Site view's Scan Again with `{ noCache: true }`)
 * or asked for like Audit URL; its site is scanned.
 */
function auditSite(ctx: Ctx): Handler {
	return async (arg?: unknown, opts?: unknown): Promise<ScanReport | undefined> => {
		const recent = ctx.extension.globalState.get<string[]>(RECENT_URLS_KEY, []);
		const url =
			typeof arg === 'string'
				? parseOrWarn(arg)
				: await askForUrl(recent, {
						title: 'AuditLens: Audit Site (start URL)',
						action: 'Scan the site from this URL',
					});
		if (!url) return undefined;
		await ctx.extension.globalState.update(RECENT_URLS_KEY, pushRecent(recent, url, ctx.config.recentUrlCount));
		return runScan(ctx, url, { noCache: (opts as { noCache?: unknown } | undefined)?.noCache === true });
	};
}

/** Open a stored scan's Site view: a scan id or a node of the history tree. */
function openScan(ctx: Ctx): Handler {
	return (arg?: unknown) =>
		withErrors(ctx, 'open the site scan', async () => {
			const node = arg as HistoryNode | undefined;
			const id = typeof arg === 'string' ? arg : node?.kind === 'scan' ? node.summary.id : undefined;
			if (id) await SitePanel.show(ctx, id);
		});
}

/**
 * Audit several URLs: the URLs given (tests, other extensions) or typed/pasted, separated by spaces, commas or lines.
 */
function auditUrls(ctx: Ctx): Handler {
	return async (arg?: unknown): Promise<BatchAuditItem[] | undefined> => {
		let urls: string[] | undefined;
		if (Array.isArray(arg) && arg.every((u) => typeof u === 'string')) {
			const parsed = parseAuditUrls(arg.join(' '));
			if ('error' in parsed) {
				void vscode.window.showErrorMessage(`AuditLens: ${parsed.error}`);
				return undefined;
			}
			urls = parsed.urls;
		} else {
			const text = await vscode.window.showInputBox({
				title: 'AuditLens: Audit URL List',
				prompt: 'URLs separated by spaces, commas or new lines. They wait in the engine’s queue; none is dropped.',
				placeHolder: 'https://example.com https://example.com/pricing localhost:3000/signup',
				ignoreFocusOut: true,
				validateInput: (v) => {
					const parsed = parseAuditUrls(v);
					return 'error' in parsed ? parsed.error : undefined;
				},
			});
			const parsed = text === undefined ? undefined : parseAuditUrls(text);
			urls = parsed && 'urls' in parsed ? parsed.urls : undefined;
		}
		if (!urls?.length) return undefined;
		return runAudits(ctx, urls);
	};
}

function parseOrWarn(input: string): string | undefined {
	const parsed = parseAuditUrl(input);
	if ('url' in parsed) return parsed.url;
	void vscode.window.showErrorMessage(`AuditLens: ${parsed.error}`);
	return undefined;
}

interface UrlItem extends vscode.QuickPickItem {
	url?: string;
}

/** A quick pick that takes a typed URL (validated as you type) or one of the recent URLs. */
function askForUrl(recent: readonly string[], labels: { title: string; action: string }): Promise<string | undefined> {
	return new Promise((resolve) => {
		const qp = vscode.window.createQuickPick<UrlItem>();
		qp.title = labels.title;
		qp.placeholder = recent.length
			? 'Type a URL, or pick a recent one'
			: 'Type a URL, e.g. https://example.com or localhost:3000';
		qp.ignoreFocusOut = true;
		const recentItems: UrlItem[] = recent.map((u) => ({
			label: u,
			url: u,
			description: 'recent',
			iconPath: new vscode.ThemeIcon('history'),
		}));
		const update = (): void => {
			const text = qp.value.trim();
			if (!text) {
				qp.items = recentItems;
				return;
			}
			const parsed = parseAuditUrl(text);
			const typed: UrlItem =
				'url' in parsed
					? {
							label: parsed.url,
							url: parsed.url,
							description: labels.action,
							alwaysShow: true,
							iconPath: new vscode.ThemeIcon('globe'),
						}
					: { label: parsed.error, alwaysShow: true, iconPath: new vscode.ThemeIcon('error') };
			qp.items = [typed, ...recentItems.filter((i) => i.url !== typed.url)];
			qp.activeItems = [typed];
		};
		update();
		let done = false;
		qp.onDidChangeValue(update);
		qp.onDidAccept(() => {
			const item = qp.activeItems[0] ?? qp.selectedItems[0];
			if (!item?.url) return; // an invalid URL: the picker stays open showing what is wrong
			done = true;
			resolve(item.url);
			qp.hide();
		});
		qp.onDidHide(() => {
			if (!done) resolve(undefined);
			qp.dispose();
		});
		qp.show();
	});
}

function auditDevServer(ctx: Ctx): Handler {
	return async (): Promise<AuditResult | undefined> => {
		const url = await resolveDevServer(ctx, { interactive: true });
		// A dev server changes with every save: a cached result of it would show the code as it was.
		return url ? runAudit(ctx, url, { devServer: true, noCache: true }) : undefined;
	};
}

function showStats(ctx: Ctx): Handler {
	return () =>
		withErrors(ctx, 'read the engine statistics', async () => {
			const stats = await ctx.client.request(statsRequest, {}, 'engine stats');
			const doc = await vscode.workspace.openTextDocument({
				language: 'json',
				content: JSON.stringify(stats, null, '\t'),
			});
			await vscode.window.showTextDocument(doc, { preview: true });
		});
}

function clearCache(ctx: Ctx): Handler {
	return () =>
		withErrors(ctx, 'clear the cache', async () => {
			const { cleared } = await ctx.client.request(clearCacheRequest, {}, 'clear cache');
			void vscode.window.showInformationMessage(`AuditLens: cleared ${cleared} cached result(s). History is kept.`);
		});
}

/** Stores a key in SecretStorage; the secrets listener (extension.ts) hands it to the engine. Never logged. */
function setSecret(ctx: Ctx, secret: SecretSpec): Handler {
	return async () => {
		const key = await vscode.window.showInputBox({
			title: `AuditLens: ${secret.name}`,
			prompt: secret.prompt,
			password: true,
			ignoreFocusOut: true,
			placeHolder: secret.placeHolder,
			validateInput: (v) => (/\s/.test(v.trim()) ? 'An API key has no spaces' : undefined),
		});
		if (key === undefined) return;
		const trimmed = key.trim();
		if (trimmed) await ctx.extension.secrets.store(secret.key, trimmed);
		else await ctx.extension.secrets.delete(secret.key);
		// A new Anthropic key: say again what AI audits send before the next one (aiConsent.ts).
		if (secret.key === SECRET_ANTHROPIC_KEY) await resetAiConsent(ctx);
		ctx.log.info(`${secret.name} ${trimmed ? 'set' : 'removed'}`);
		void vscode.window.showInformationMessage(`AuditLens: ${secret.name} ${trimmed ? 'saved' : 'removed'}.`);
	};
}

/** The result id an argument names: an id, a history node, or else the panel in front / latest audit. */
function resultIdOf(ctx: Ctx, arg: unknown): string | undefined {
	if (typeof arg === 'string') return arg;
	const node = arg as HistoryNode | undefined;
	if (node?.kind === 'audit') return node.entry.id;
	if (node?.kind === 'url') return node.summary.latest.id;
	return ResultPanel.active?.resultId ?? ctx.statusBar.resultId;
}

interface ExportItem extends vscode.QuickPickItem {
	format: 'result' | 'html' | 'json';
	formFactor?: FormFactor;
}

function exportResult(ctx: Ctx): Handler {
	return (arg?: unknown) =>
		withErrors(ctx, 'export the result', async () => {
			const id = resultIdOf(ctx, arg);
			if (!id) {
				void vscode.window.showInformationMessage(
					'AuditLens: open a result (or pick one in the history) to export it.',
				);
				return;
			}
			const result = await ctx.client.request(getResultRequest, { id }, 'load result');
			if (!result) throw new Error('this audit is no longer in the history');
			const items: ExportItem[] = [
				{
					label: 'AuditLens result (JSON)',
					description: 'scores, metrics, CRO findings, AI suggestions',
					format: 'result',
				},
			];
			for (const ff of result.options.formFactors) {
				if (result.stages[`lighthouse-${ff}`]?.status !== 'ok') continue;
				items.push({ label: `Lighthouse report, ${FORM_FACTOR_LABEL[ff]} (HTML)`, format: 'html', formFactor: ff });
				items.push({ label: `Lighthouse report, ${FORM_FACTOR_LABEL[ff]} (JSON)`, format: 'json', formFactor: ff });
			}
			const pick = await vscode.window.showQuickPick(items, { title: `Export ${result.url}` });
			if (!pick) return;
			const content =
				pick.format === 'result'
					? JSON.stringify(result, null, '\t')
					: (
							await ctx.client.request(
								getReportRequest,
								{ id, formFactor: pick.formFactor ?? 'mobile', format: pick.format },
								'get report',
							)
						).content;
			const ext = pick.format === 'html' ? 'html' : 'json';
			const stamp = result.requestedAt.slice(0, 19).replace(/[:T]/g, '-');
			const name = `auditlens-${safeName(new URL(result.url).host)}-${stamp}${pick.formFactor ? `-${pick.formFactor}` : ''}.${ext}`;
			const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? ctx.extension.globalStorageUri;
			const target = await vscode.window.showSaveDialog({
				defaultUri: vscode.Uri.joinPath(base, name),
				filters: ext === 'html' ? { HTML: ['html'] } : { JSON: ['json'] },
			});
			if (!target) return;
			await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(content));
			void vscode.window.showInformationMessage(`AuditLens: exported to ${target.fsPath}`);
		});
}

/** Lighthouse's own HTML report in a panel: it needs its inline scripts; nothing loads from the network. */
function openLighthouseReport(ctx: Ctx): Handler {
	return (arg?: unknown, formFactor?: unknown) =>
		withErrors(ctx, 'open the Lighthouse report', async () => {
			const id = resultIdOf(ctx, arg);
			if (!id) return;
			const ff: FormFactor = formFactor === 'desktop' ? 'desktop' : 'mobile';
			const { content } = await ctx.client.request(
				getReportRequest,
				{ id, formFactor: ff, format: 'html' },
				'get report',
			);
			const panel = vscode.window.createWebviewPanel(
				'auditlens.report',
				`Lighthouse (${FORM_FACTOR_LABEL[ff]})`,
				vscode.ViewColumn.Active,
				{ enableScripts: true, localResourceRoots: [] },
			);
			const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data: ${panel.webview.cspSource}; style-src 'unsafe-inline'; script-src 'unsafe-inline'; font-src data:">`;
			panel.webview.html = /<head[^>]*>/i.test(content)
				? content.replace(/<head[^>]*>/i, (m) => `${m}${csp}`)
				: `${csp}${content}`;
		});
}

function openResult(ctx: Ctx): Handler {
	return (arg?: unknown) =>
		withErrors(ctx, 'open the result', async () => {
			const id = resultIdOf(ctx, arg);
			if (id) await ResultPanel.show(ctx, id);
			// The newest audit of a URL opened from the history puts its findings in the Problems panel (after a restart,
			// say).
			const node = arg as HistoryNode | undefined;
			if (node?.kind === 'url') void ctx.problems.show(node.summary.latest);
			if (node?.kind === 'audit') {
				const newest = async () =>
					(await ctx.client.request(listHistoryRequest, { url: node.entry.url, limit: 1 }, 'list history')).entries?.[0]
						?.id;
				void ctx.problems.showIfNewest(node.entry, newest);
			}
		});
}

function rerun(ctx: Ctx): Handler {
	return async (arg?: unknown) => {
		const node = arg as HistoryNode | undefined;
		// A site scan in the history: scan its site again, afresh like every Re-run (with today's settings).
		if (node?.kind === 'scan') return runScan(ctx, node.summary.startUrl, { noCache: true });
		const url =
			typeof arg === 'string'
				? arg
				: node?.kind === 'url'
					? node.summary.url
					: node?.kind === 'audit'
						? node.entry.url
						: undefined;
		return url ? runAudit(ctx, url, { noCache: true, devServer: ctx.config.devServerUrl === url }) : undefined;
	};
}

function deleteHistory(ctx: Ctx): Handler {
	return (arg?: unknown) =>
		withErrors(ctx, 'delete from the history', async () => {
			const node = arg as HistoryNode | undefined;
			if (node?.kind === 'audit') {
				await ctx.client.request(deleteHistoryRequest, { id: node.entry.id }, 'delete audit');
				ctx.problems.clearAudit(node.entry.id);
				// Its screenshots are gone with it: close its panel rather than show broken images.
				ResultPanel.find(node.entry.id)?.panel.dispose();
			} else if (node?.kind === 'url') {
				const ok = await vscode.window.showWarningMessage(
					`Delete all ${node.summary.audits} audit(s) of ${node.summary.url}?`,
					{ modal: true },
					'Delete',
				);
				if (ok !== 'Delete') return;
				await ctx.client.request(deleteHistoryRequest, { url: node.summary.url }, 'delete audits');
				ctx.problems.clearUrl(node.summary.url);
				ResultPanel.disposeWhere((p) => p.url === node.summary.url && p.resultId !== undefined);
				// The engine deletes the scans that started at this URL with its audits.
				SitePanel.disposeWhere((p) => p.finished && p.startUrl === node.summary.url);
			} else {
				return;
			}
			ctx.history.refresh();
		});
}

function clearHistory(ctx: Ctx): Handler {
	return () =>
		withErrors(ctx, 'clear the history', async () => {
			const ok = await vscode.window.showWarningMessage(
				'Delete every audit and site scan in the AuditLens history?',
				{ modal: true },
				'Delete All',
			);
			if (ok !== 'Delete All') return;
			const { deleted } = await ctx.client.request(deleteHistoryRequest, { all: true }, 'clear history');
			ctx.problems.clearAll();
			ResultPanel.disposeWhere((p) => p.resultId !== undefined);
			SitePanel.disposeWhere((p) => p.finished);
			ctx.history.refresh();
			void vscode.window.showInformationMessage(`AuditLens: deleted ${deleted} audit(s).`);
		});
}

async function withErrors(ctx: Ctx, what: string, fn: () => Promise<void>): Promise<void> {
	try {
		await fn();
	} catch (err) {
		ctx.log.error(`could not ${what}: ${errorMessage(err)}`);
		void vscode.window.showErrorMessage(`AuditLens: could not ${what}: ${errorMessage(err)}`);
	}
}

function safeName(s: string): string {
	return s.replace(/[^a-z0-9.-]+/gi, '_');
}

/**
 * Set Credentials for URL…: a URL pattern, then headers and cookies one at a time (password boxes: the values are
 * never shown), stored as one secret for the pattern. Every audit of a URL the pattern covers sends them.
 */
function setCredentials(ctx: Ctx): Handler {
	return async (arg?: unknown) => {
		const typed =
			typeof arg === 'string'
				? arg
				: await vscode.window.showInputBox({
						title: 'AuditLens: Set Credentials for URL',
						prompt:
							'The URLs these credentials are for: an origin, or a pattern with * (e.g. http://localhost:3000/admin/*).',
						placeHolder: 'http://localhost:3000',
						ignoreFocusOut: true,
						validateInput: (v) => {
							const parsed = parsePattern(v);
							return 'error' in parsed ? parsed.error : undefined;
						},
					});
		if (typed === undefined) return;
		const parsed = parsePattern(typed);
		if ('error' in parsed) {
			void vscode.window.showErrorMessage(`AuditLens: ${parsed.error}`);
			return;
		}
		const { pattern } = parsed;
		const headers: Record<string, string> = {};
		for (let n = 1; ; n++) {
			const h = await askNameValue(
				`Header ${n} for ${pattern}`,
				'Name: value, e.g. Authorization: Bearer …; leave empty when done.',
				parseHeaderLine,
			);
			if (h === undefined) return;
			if (h === null) break;
			headers[h.name] = h.value;
		}
		const cookies: { name: string; value: string }[] = [];
		for (let n = 1; ; n++) {
			const c = await askNameValue(
				`Cookie ${n} for ${pattern}`,
				'name=value, set for the audited origin only; leave empty when done.',
				parseCookieLine,
			);
			if (c === undefined) return;
			if (c === null) break;
			// The same name again replaces the earlier value.
			const at = cookies.findIndex((x) => x.name === c.name);
			if (at >= 0) cookies[at] = c;
			else cookies.push(c);
		}
		if (Object.keys(headers).length === 0 && cookies.length === 0) {
			await ctx.credentials.clear(pattern);
			void vscode.window.showInformationMessage(
				`AuditLens: no headers or cookies given; credentials for ${pattern} removed.`,
			);
			return;
		}
		await ctx.credentials.set({ pattern, headers, cookies });
		// Names only: the values stay in the secret storage.
		ctx.log.info(
			`credentials for ${pattern} set: headers [${Object.keys(headers).join(', ')}], cookies [${cookies.map((c) => c.name).join(', ')}]`,
		);
		void vscode.window.showInformationMessage(
			`AuditLens: audits of ${pattern} now send ${Object.keys(headers).length} header(s) and ${cookies.length} cookie(s).`,
		);
	};
}

type NameValue = { name: string; value: string };

/**
 * One header or cookie in a password box, parsed; null when the person is done (left it empty), undefined when they
 * cancelled.
 */
async function askNameValue(
	title: string,
	prompt: string,
	parse: (line: string) => NameValue | { error: string },
): Promise<NameValue | null | undefined> {
	const line = await vscode.window.showInputBox({
		title: `AuditLens: ${title}`,
		prompt,
		password: true,
		ignoreFocusOut: true,
		validateInput: (v) => {
			if (v.trim() === '') return undefined;
			const parsed = parse(v);
			return 'error' in parsed ? parsed.error : undefined;
		},
	});
	if (line === undefined) return undefined;
	if (line.trim() === '') return null;
	const parsed = parse(line);
	// validateInput has kept a line with an error from being accepted.
	return 'error' in parsed ? undefined : parsed;
}

/** Clear Credentials…: pick a pattern (or all) and delete its secret. */
function clearCredentials(ctx: Ctx): Handler {
	return async () => {
		const patterns = ctx.credentials.patterns();
		if (patterns.length === 0) {
			void vscode.window.showInformationMessage('AuditLens: no credentials are stored.');
			return;
		}
		const ALL = 'All patterns';
		const pick = await vscode.window.showQuickPick([...patterns, ALL], {
			title: 'AuditLens: Clear Credentials',
			placeHolder: 'The URL pattern whose headers and cookies to delete',
		});
		if (!pick) return;
		for (const p of pick === ALL ? patterns : [pick]) await ctx.credentials.clear(p);
		ctx.log.info(`credentials cleared: ${pick}`);
		void vscode.window.showInformationMessage(
			`AuditLens: credentials for ${pick === ALL ? 'every pattern' : pick} deleted.`,
		);
	};
}
