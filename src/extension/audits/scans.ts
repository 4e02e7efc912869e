/**
 * Running a site scan from the editor: a cancellable progress notification ("3 of 12 routes · about 1 min
 * left"), the Site view filled in as routes finish, then the history refreshed and a summary.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { explainError } from '../../format/errors';
import { scanOutcomeLine, scanProgressLine } from '../../format/scanTable';
import { cancelRequest, scanRequest, type ScanProgressParams } from '../../protocol';
import type { AuditOptionsInput, ScanReport } from '../../protocol';
import type { Ctx } from '../ctx';
import { EngineError, errorMessage } from '../engine/engineClient';
import { SitePanel } from '../views/sitePanel';
import { shortUrl } from '../views/statusBar';

/**
 * Scan the site of `url`; resolves with the report (also a cancelled one), or undefined when no scan took place
 * (already reported). Routes audited within the cache TTL come from the cache (marked so) unless `noCache`.
 */
export async function runScan(
	ctx: Ctx,
	url: string,
	opts: { noCache?: boolean } = {},
): Promise<ScanReport | undefined> {
	const scanId = `vscode-scan-${randomUUID()}`;
	const formFactors = ctx.config.scanFormFactors;
	const scan = ctx.config.scanOptions;
	// Every route would be sent to Anthropic: a scan leaves AI suggestions to Audit URL on the pages that matter.
	const options: AuditOptionsInput = { formFactors, stages: { ai: false }, ...(opts.noCache ? { noCache: true } : {}) };
	const panel = SitePanel.forScan(ctx, { scanId, startUrl: url, formFactors });
	ctx.log.info(
		`scan ${scanId}: ${url} (${formFactors.join(', ')}; up to ${scan.maxRoutes} routes, depth ${scan.maxDepth})`,
	);

	const title = `AuditLens: scanning ${shortUrl(url)}`;
	const report = await vscode.window.withProgress(
		{ location: vscode.ProgressLocation.Notification, title, cancellable: true },
		async (progress, token) => {
			let reported = 0;
			const subs = [
				ctx.client.onScanProgress((p: ScanProgressParams) => {
					if (p.scanId !== scanId) return;
					panel.onProgress(p);
					const goal = p.total ? Math.round((p.done / p.total) * 100) : 0;
					progress.report({ message: scanProgressLine(p), increment: Math.max(0, goal - reported) });
					reported = Math.max(reported, goal);
				}),
				token.onCancellationRequested(() => {
					ctx.log.info(`scan ${scanId}: cancel requested`);
					// The scan resolves `cancelled` with the routes audited so far.
					ctx.client
						.request(cancelRequest, { auditId: scanId }, 'cancel scan')
						.catch((err: unknown) => ctx.log.warn(`cancel ${scanId}: ${errorMessage(err)}`));
				}),
			];
			try {
				const auth = await ctx.credentials.authFor(url);
				return await ctx.client.request(
					scanRequest,
					{ url, scanId, scan, options, ...(auth ? { auth } : {}) },
					`scan ${url}`,
				);
			} catch (err) {
				const e = err instanceof EngineError ? err : new EngineError(errorMessage(err));
				const cancelled = e.code === 'CANCELLED' || token.isCancellationRequested;
				const code = cancelled
					? 'CANCELLED'
					: e.code === 'ENGINE_STOPPED' || e.code === 'ENGINE_UNAVAILABLE'
						? 'INTERNAL'
						: e.code;
				const message = cancelled
					? 'The scan was cancelled before any route was audited.'
					: explainError({ code, message: e.message }, false);
				panel.fail({ code, message });
				ctx.log[cancelled ? 'info' : 'error'](`scan ${scanId}: ${e.message}`);
				if (!cancelled) void vscode.window.showErrorMessage(`AuditLens: the scan of ${url} failed: ${message}`);
				return undefined;
			} finally {
				for (const s of subs) s.dispose();
			}
		},
	);
	// The routes' audits are in the history too.
	ctx.history.refresh();
	if (!report) return undefined;
	panel.finish(report);
	ctx.log.info(`scan ${scanId}: ${report.status}, ${report.routes.length} route(s) in ${report.durationMs} ms`);
	void vscode.window.showInformationMessage(`AuditLens: ${scanOutcomeLine(report)}`);
	return report;
}
