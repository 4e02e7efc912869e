/**
 * Running one audit from the editor: progress (a cancellable notification, or quietly in the status
 * bar for audit on save), the result panel filled in as stages finish, then the status bar and the
 * history updated.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { auditRequest, cancelRequest, listHistoryRequest } from '../protocol/messages';
import type { AuditResult, HistoryEntry } from '../protocol/types';
import { AuditProgress, expectedStages } from './auditProgress';
import type { Ctx } from './ctx';
import { EngineError, errorMessage } from './engineClient';
import { explainError } from './format';
import { previousAudit, ResultPanel } from './resultPanel';
import { shortUrl } from './statusBar';

export interface RunAuditOptions {
	/** A development server: results are labelled as a development build. */
	devServer?: boolean;
	/** Audit on save: progress in the status bar, panel reused per URL and not focused. */
	quiet?: boolean;
	noCache?: boolean;
}

/** Audit `url`; resolves with the result, or undefined when it failed or was cancelled (already reported). */
export async function runAudit(ctx: Ctx, url: string, opts: RunAuditOptions = {}): Promise<AuditResult | undefined> {
	const auditId = `vscode-${randomUUID()}`;
	const devServer = opts.devServer ?? false;
	const formFactors = ctx.config.formFactors;
	const panel = ResultPanel.forAudit(ctx, url, auditId, devServer, { reuseForUrl: opts.quiet ?? false, preserveFocus: opts.quiet ?? false });
	const tracker = new AuditProgress(expectedStages(formFactors));
	ctx.statusBar.started(auditId, url);
	ctx.log.info(`audit ${auditId}: ${url}${devServer ? ' (dev server)' : ''}`);

	const task = async (progress: vscode.Progress<{ message?: string; increment?: number }>, token?: vscode.CancellationToken): Promise<AuditResult | undefined> => {
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
				ctx.client.request(cancelRequest, { auditId }, 'cancel audit').catch((err: unknown) => ctx.log.warn(`cancel ${auditId}: ${errorMessage(err)}`));
			}),
		];
		try {
			const result = await ctx.client.request(auditRequest, { url, auditId, options: { formFactors, devServer, noCache: opts.noCache } }, `audit ${url}`);
			const previous = await previousAudit(ctx, result);
			panel.finish(result, previous);
			const previousEntry: HistoryEntry | undefined = previous ? await historyEntry(ctx, result.url, previous.id) : undefined;
			ctx.statusBar.showResult(auditId, result, previousEntry);
			ctx.finished(result);
			if (result.error) reportFailure(ctx, url, new EngineError(explainError(result.error, devServer), result.error.code), opts);
			ctx.log.info(`audit ${auditId}: done in ${result.durationMs} ms${result.fromCache ? ' (from cache)' : ''}`);
			return result;
		} catch (err) {
			const e = err instanceof EngineError ? err : new EngineError(errorMessage(err));
			const cancelled = e.code === 'CANCELLED' || token?.isCancellationRequested === true;
			const info = {
				code: cancelled ? ('CANCELLED' as const) : e.code === 'ENGINE_STOPPED' || e.code === 'ENGINE_UNAVAILABLE' ? ('INTERNAL' as const) : e.code,
				message: cancelled ? 'The audit was cancelled.' : explainError({ code: 'INTERNAL', message: e.message }, devServer),
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

	if (opts.quiet) return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'AuditLens' }, (p) => task(p));
	return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `AuditLens: auditing ${shortUrl(url)}`, cancellable: true }, task);
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
