import type { AuditResult, FormFactor, PageFinding } from '../../protocol';

/** An image's intrinsic size in CSS px, or undefined when it cannot be read (for the `add-size` quick fix). */
export type ImageSizeOf = (url: string) => Promise<{ width: number; height: number } | undefined>;

/**
 * The findings of an audit, one per place on the page: each failing Lighthouse audit's items (its nodes, its
 * source locations, its resources), and each CRO finding. The same finding in the mobile and the desktop run
 * is given once, without a form factor. `lhrs` are the stored Lighthouse reports (JSON) by form factor.
 *
 * Issue 11, owner: the findings helper. The signature is the contract the others build on.
 */
export async function pageFindings(result: AuditResult, lhrs: Partial<Record<FormFactor, unknown>>, imageSize?: ImageSizeOf): Promise<PageFinding[]> {
	void result;
	void lhrs;
	void imageSize;
	throw new Error('pageFindings: not built yet (issue 11)');
}
