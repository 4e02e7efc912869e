import type { FormFactor, GetReportParams, LocateParams, LocateResult, ScanReport } from '../../protocol';
import { AuditError } from '../errors';
import { checkRoots, locateAudit } from '../locate/locateAudit';
import type { ResultStore } from './resultStore';

/**
 * What can be read back from the history of a finished audit: its Lighthouse report, its findings placed in a
 * workspace, the previous scan of a site. Shared by the engine and by the queue submitter (queue/submit.ts), whose
 * results come from workers but are kept in the same kind of history.
 */

/** The stored Lighthouse report of an audit, as JSON or as Lighthouse's HTML page. */
export async function storedReport(history: ResultStore | undefined, params: GetReportParams): Promise<string> {
	const lhr = await history?.getLhr(params.id, params.formFactor);
	if (!lhr)
		throw new AuditError(
			'NOT_FOUND',
			`No ${params.formFactor} Lighthouse report is stored for audit ${params.id}. It may have been deleted, or that form factor was not audited.`,
		);
	if (params.format === 'json') return JSON.stringify(lhr);
	const { ReportGenerator } = (await import('lighthouse/report/generator/report-generator.js')) as {
		ReportGenerator: { generateReportHtml(lhr: unknown): string };
	};
	return ReportGenerator.generateReportHtml(lhr);
}

/** The findings of a stored audit placed on the files and lines of the given workspace roots. */
export async function locateStored(history: ResultStore | undefined, params: LocateParams): Promise<LocateResult> {
	await checkRoots(params.roots);
	const result = await history?.get(params.id);
	if (!result)
		throw new AuditError(
			'NOT_FOUND',
			`No audit ${params.id} is stored. It may have been deleted; audit the URL again.`,
		);
	const lhrs: Partial<Record<FormFactor, unknown>> = {};
	for (const formFactor of result.options.formFactors) lhrs[formFactor] = await history?.getLhr(params.id, formFactor);
	return locateAudit(result, lhrs, params.roots, params.mappings);
}

/** The latest scan of `startUrl` that ran to its end (a cancelled one saw only part of the site). */
export async function previousScan(
	history: ResultStore | undefined,
	startUrl: string,
): Promise<ScanReport | undefined> {
	if (!history) return undefined;
	const latest = (await history.listScans({ url: startUrl, limit: 20 })).find((s) => s.status !== 'cancelled');
	return latest ? history.getScan(latest.id) : undefined;
}
