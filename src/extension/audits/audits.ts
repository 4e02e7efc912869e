/**
 * Running one audit from the editor: progress (a cancellable notification, or quietly in the status
 * bar for audit on save), the result panel filled in as stages finish, then the status bar and the
 * history updated.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { explainError } from '../../format/errors';
import { cacheLabel, stageProblems } from '../../format/status';
import { auditRequest, cancelRequest, listHistoryRequest, statsRequest } from '../../protocol';
import type { AuditOptionsInput, AuditResult, ErrorInfo, HistoryEntry } from '../../protocol';
import { aiStageAllowed } from '../secrets/aiConsent';
import { AuditProgress, expectedStages } from './auditProgress';
import { freeCapacity, runBatch } from './batchRunner';
import type { Ctx } from '../ctx';
import { EngineError, errorMessage, toEngineError } from '../engine/engineClient';
import { previousAudit, ResultPanel } from '../views/resultPanel';
import { shortUrl } from '../views/statusBar';

export interface RunAuditOptions {
	/** A development server: results are labelled as a development build. */
	devServer?: boolean;
	/** Audit on save: progress in the status bar, panel reused per URL and not focused; no AI unless opted in. */
	quiet?: boolean;
	/** Run afresh (Re-run, audit on save); otherwise a result cached within the TTL is shown at once. */
	noCache?: boolean;
}

/** The options of one audit from the editor: the settings, the cache choice, and the AI stage only when allowed. */
async function auditOptions(
	ctx: Ctx,
	opts: { devServer: boolean; noCache: boolean; onSave: boolean },
): Promise<AuditOptionsInput> {
	const ai = await aiStageAllowed(ctx, opts.onSave);
	return {
		formFactors: ctx.config.formFactors,
		devServer: opts.devServer,
		...(opts.noCache ? { noCache: true } : {}),
		...(ai ? {} : { stages: { ai: false } }),
	};
}

/**
 * Audit `url`; resolves with the result whatever its status, or undefined when no audit took place (rejected,
 * cancelled: already reported).
 */
export async function runAudit(ctx: Ctx, url: string, opts: RunAuditOptions = {}): Promise<AuditResult | undefined> {
	const auditId = `vscode-${randomUUID()}`;
	const devServer = opts.devServer ?? false;
	const formFactors = ctx.config.formFactors;
	// Asked (once ever) before the progress shows: the question may be about this very audit.
	const options = await auditOptions(ctx, { devServer, noCache: opts.noCache ?? false, onSave: opts.quiet ?? false });
	const panel = ResultPanel.forAudit(ctx, url, auditId, devServer, {
		reuseForUrl: opts.quiet ?? false,
		preserveFocus: opts.quiet ?? false,
	});
	const tracker = new AuditProgress(expectedStages(formFactors));
	ctx.statusBar.started(auditId, url);
	ctx.log.info(`audit ${auditId}: ${url}${devServer ? ' (dev server)' : ''}`);

	const task = async (
		progress: vscode.Progress<{ message?: string; increment?: number }>,
		token?: vscode.CancellationToken,
	): Promise<AuditResult | undefined> => {
		const subs = [
			ctx.client.onProgress((p) => {
				if (p.auditId !== auditId) return;
				panel.onProgress(p);
				const step = tracker.update(p);
				progress.report(opts.quiet ? { message: `AuditLens: ${shortUrl(url)} · ${step.message}` } : step);
			}),
			ctx.client.onStageResult((p) => {
				if (p.auditId === auditId) panel.onStages(p.stages);
			}),
			token?.onCancellationRequested(() => {
				ctx.log.info(`audit ${auditId}: cancel requested`);
				ctx.client
					.request(cancelRequest, { auditId }, 'cancel audit')
					.catch((err: unknown) => ctx.log.warn(`cancel ${auditId}: ${errorMessage(err)}`));
			}),
		];
		try {
			const auth = await ctx.credentials.authFor(url);
			const result = await ctx.client.request(
				auditRequest,
				{ url, auditId, options, ...(auth ? { auth } : {}) },
				`audit ${url}`,
			);
			const previous = await previousAudit(ctx, result);
			panel.finish(result, previous);
			const previousEntry: HistoryEntry | undefined = previous
				? await historyEntry(ctx, result.url, previous.id)
				: undefined;
			ctx.statusBar.showResult(auditId, result, previousEntry);
			ctx.finished(result);
			if (result.status === 'failed' && result.error)
				reportFailure(ctx, url, new EngineError(explainError(result.error, devServer), result.error.code), opts);
			for (const p of stageProblems(result)) ctx.log.warn(`audit ${auditId}: ${p.label} failed: ${p.message}`);
			ctx.log.info(
				`audit ${auditId}: ${result.status} in ${result.durationMs} ms${result.fromCache ? ` (${cacheLabel(result, Date.now())})` : ''}`,
			);
			return result;
		} catch (err) {
			const e = err instanceof EngineError ? err : new EngineError(errorMessage(err));
			const cancelled = e.code === 'CANCELLED' || token?.isCancellationRequested === true;
			const info = {
				code: cancelled
					? ('CANCELLED' as const)
					: e.code === 'ENGINE_STOPPED' || e.code === 'ENGINE_UNAVAILABLE'
						? ('INTERNAL' as const)
						: e.code,
				message: cancelled
					? 'The audit was cancelled.'
					: explainError({ code: 'INTERNAL', message: e.message }, devServer),
			};
			panel.fail(info);
			ctx.statusBar.ended(auditId);
			ctx.statusBar.flash(`AuditLens: ${cancelled ? 'cancelled' : 'failed'}: ${shortUrl(url)}`);
			ctx.log[cancelled ? 'info' : 'error'](`audit ${auditId}: ${e.message}`);
			if (!cancelled) reportFailure(ctx, url, e, opts);
			return undefined;
		} finally {
			for (const s of subs) s?.dispose();
		}
	};

	if (opts.quiet)
		return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'AuditLens' }, (p) => task(p));
	return vscode.window.withProgress(
		{
			location: vscode.ProgressLocation.Notification,
			title: `AuditLens: auditing ${shortUrl(url)}`,
			cancellable: true,
		},
		task,
	);
}

function reportFailure(ctx: Ctx, url: string, err: EngineError, opts: RunAuditOptions): void {
	const text = `AuditLens: the audit of ${url} failed: ${err.message}`;
	if (opts.quiet) {
		ctx.statusBar.flash(`$(warning) AuditLens: audit of ${shortUrl(url)} failed (see the panel)`, 10_000);
		return;
	}
	void vscode.window.showErrorMessage(text, 'Retry', 'Show Log').then((choice) => {
		if (choice === 'Retry') void runAudit(ctx, url, opts);
		if (choice === 'Show Log') ctx.log.show();
	});
}

async function historyEntry(ctx: Ctx, url: string, id: string): Promise<HistoryEntry | undefined> {
	try {
		const { entries = [] } = await ctx.client.request(listHistoryRequest, { url, limit: 10 }, 'list history');
		return entries.find((e) => e.id === id);
	} catch {
		return undefined;
	}
}

export interface BatchAuditItem {
	url: string;
	result?: AuditResult;
	error?: ErrorInfo;
}

/**
 * Audit many URLs: never more at once than the engine has room for, so none is lost to BUSY; one
 * progress notification for the batch, results into the history (no panel per URL), a summary at the end.
 */
export async function runAudits(ctx: Ctx, urls: readonly string[]): Promise<BatchAuditItem[]> {
	const batchId = `vscode-batch-${randomUUID()}`;
	const options = await auditOptions(ctx, { devServer: false, noCache: false, onSave: false });
	ctx.log.info(`batch ${batchId}: ${urls.length} URL(s)`);
	const items = await vscode.window.withProgress(
		{
			location: vscode.ProgressLocation.Notification,
			title: `AuditLens: auditing ${urls.length} URLs`,
			cancellable: true,
		},
		async (progress, token) => {
			const abort = new AbortController();
			const running = new Set<string>();
			const cancelSub = token.onCancellationRequested(() => {
				abort.abort();
				for (const auditId of running)
					ctx.client
						.request(cancelRequest, { auditId }, 'cancel audit')
						.catch((err: unknown) => ctx.log.warn(`cancel ${auditId}: ${errorMessage(err)}`));
			});
			let finished = 0;
			try {
				const outcomes = await runBatch(urls, {
					capacity: async () => freeCapacity(await ctx.client.request(statsRequest, {}, 'engine stats')),
					isBusy: (err) => err instanceof EngineError && err.code === 'BUSY',
					slotFreed: () => slotFreed(ctx),
					signal: abort.signal,
					run: async (url, i) => {
						const auditId = `${batchId}:${i}`;
						running.add(auditId);
						try {
							const auth = await ctx.credentials.authFor(url);
							const result = await ctx.client.request(
								auditRequest,
								{ url, auditId, options, ...(auth ? { auth } : {}) },
								`audit ${url}`,
							);
							finished++;
							progress.report({
								increment: 100 / urls.length,
								message: `${finished}/${urls.length} · ${shortUrl(url)} ${result.status}`,
							});
							ctx.finished(result);
							return result;
						} finally {
							running.delete(auditId);
						}
					},
				});
				return outcomes.map((o, i): BatchAuditItem => {
					if (o.status === 'done') return { url: urls[i], result: o.value };
					if (o.status === 'cancelled')
						return {
							url: urls[i],
							error: { code: 'CANCELLED', message: 'The batch was cancelled before this URL was audited.' },
						};
					const e = toEngineError(o.error);
					return {
						url: urls[i],
						error: {
							code: e.code === 'ENGINE_STOPPED' || e.code === 'ENGINE_UNAVAILABLE' ? 'INTERNAL' : e.code,
							message: e.message,
						},
					};
				});
			} finally {
				cancelSub.dispose();
			}
		},
	);
	const count = (pred: (i: BatchAuditItem) => boolean) => items.filter(pred).length;
	const ok = count((i) => i.result?.status === 'ok');
	const partial = count((i) => i.result?.status === 'partial');
	const failed = count((i) => i.result?.status === 'failed' || (i.error !== undefined && i.error.code !== 'CANCELLED'));
	const cancelled = count((i) => i.error?.code === 'CANCELLED');
	for (const i of items)
		if (i.error && i.error.code !== 'CANCELLED') ctx.log.error(`batch ${batchId}: ${i.url}: ${i.error.message}`);
	const summary = [
		`${ok} complete`,
		partial ? `${partial} partial` : '',
		failed ? `${failed} failed` : '',
		cancelled ? `${cancelled} cancelled` : '',
	]
		.filter(Boolean)
		.join(', ');
	const show = failed || partial ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
	void show(`AuditLens: audited ${urls.length} URLs: ${summary}.`, 'Show History').then((choice) => {
		if (choice === 'Show History') void vscode.commands.executeCommand('auditlens.history.focus');
	});
	return items;
}

/** Resolves when some audit of this engine ends (a slot may be free), or after a short while (other clients). */
function slotFreed(ctx: Ctx): Promise<void> {
	return new Promise((resolve) => {
		const timer = setTimeout(done, 2_000);
		const sub = ctx.client.onProgress((p) => {
			if (p.stage === 'audit' && (p.state === 'done' || p.state === 'error' || p.state === 'cancelled')) done();
		});
		function done(): void {
			clearTimeout(timer);
			sub.dispose();
			resolve();
		}
	});
}
