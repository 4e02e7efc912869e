import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { AuditResult, FormFactor, LocatedFinding, LocateResult, WorkspaceMapping } from '../../protocol';
import { pageFindings } from '../derive/findings';
import { AuditError } from '../errors';
import { locateFindings } from './locate';
import { pageFetch } from './pageFetch';
import { WorkspaceIndex } from './workspace';

/** The page's final URL: where Lighthouse ended up after redirects, else the URL as audited. */
export function finalUrlOf(result: AuditResult): string {
	for (const stage of ['lighthouse-mobile', 'lighthouse-desktop'] as const) {
		const outcome = result.stages[stage];
		if (outcome?.status === 'ok' && outcome.data.finalUrl) return outcome.data.finalUrl;
	}
	return result.url;
}

/** Every root an absolute path to an existing folder, or INVALID_PARAMS that says which one is not. */
export async function checkRoots(roots: readonly string[]): Promise<void> {
	if (roots.length === 0)
		throw new AuditError('INVALID_PARAMS', 'locate: give at least one workspace root (an absolute folder path).');
	for (const root of roots) {
		if (!path.isAbsolute(root))
			throw new AuditError(
				'INVALID_PARAMS',
				`locate: the workspace root "${root}" is not an absolute path; give the folder's full path.`,
			);
		const stat = await fs.stat(root).catch(() => undefined);
		if (!stat?.isDirectory())
			throw new AuditError('INVALID_PARAMS', `locate: the workspace root "${root}" is not an existing folder.`);
	}
}

/**
 * A stored audit's findings placed in the workspace: its findings (derive/findings.ts), the roots' files indexed,
 * the page's HTML, scripts and maps read from where it was served (bounded), each finding placed (locate.ts).
 * The roots are checked by the caller (checkRoots).
 */
export async function locateAudit(
	result: AuditResult,
	lhrs: Partial<Record<FormFactor, unknown>>,
	roots: readonly string[],
	mappings: readonly WorkspaceMapping[] = [],
): Promise<LocateResult> {
	const started = performance.now();
	const url = finalUrlOf(result);
	// pageFindings reads unsized images' intrinsic sizes itself (its default ImageSizeOf).
	const [findings, workspace] = await Promise.all([pageFindings(result, lhrs), WorkspaceIndex.open(roots, mappings)]);
	const located = await locateFindings({ pageUrl: url, findings, workspace, fetchText: pageFetch(url) });
	const placed = await withoutStaleLines(located.findings, Date.parse(result.requestedAt));
	return {
		auditId: result.id,
		url,
		findings: placed,
		files: located.files,
		ms: Math.round(performance.now() - started),
	};
}

/**
 * A line in a file changed since the audit started is the audit's line in other text (a cached audit placed after an
 * edit: the console error moved down, the image got its alt): the finding keeps the file and loses the line.
 */
async function withoutStaleLines(findings: LocatedFinding[], auditedAt: number): Promise<LocatedFinding[]> {
	if (!Number.isFinite(auditedAt)) return findings;
	const changed = new Map<string, Promise<boolean>>();
	const changedSince = (file: string) => {
		let known = changed.get(file);
		if (!known) {
			// To the millisecond, as requestedAt is: a file written in the millisecond the audit was admitted (mtimes are
			// finer) was there before the page was served, so the audit read it as it is.
			known = fs.stat(file).then(
				(s) => Math.floor(s.mtimeMs) > auditedAt,
				() => true,
			);
			changed.set(file, known);
		}
		return known;
	};
	return Promise.all(
		findings.map(async (f) => {
			const loc = f.location;
			if (!loc || loc.line === undefined || !(await changedSince(loc.file))) return f;
			return { ...f, location: { file: loc.file, confidence: loc.confidence, via: loc.via, changedSinceAudit: true } };
		}),
	);
}
