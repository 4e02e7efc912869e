import type {
	AuditResult,
	CroFinding,
	FindingSeverity,
	FindingTarget,
	FormFactor,
	PageFinding,
	QuickFix,
} from '../../protocol';
import { imageSizeOf } from '../gather/imageSize';
import { inputIdOf, type LighthouseFinding, lighthouseFindings, targetKey } from './lighthouseFindings';

/** An image's intrinsic size in CSS px, or undefined when it cannot be read (for the `add-size` quick fix). */
export type ImageSizeOf = (url: string) => Promise<{ width: number; height: number } | undefined>;

export { imageSizeOf };

const FORM_FACTORS: FormFactor[] = ['mobile', 'desktop'];
const SEVERITY_RANK: Record<FindingSeverity, number> = { error: 0, warning: 1, info: 2 };

/**
 * The findings of an audit, one per place on the page: each failing Lighthouse audit's items (its nodes, its
 * source locations, its resources), and each CRO finding. The same finding in the mobile and the desktop run
 * is given once, without a form factor. `lhrs` are the stored Lighthouse reports (JSON) by form factor.
 * `imageSize` reads the intrinsic size of an unsized image for its `add-size` fix; it defaults to fetching the
 * image (`imageSizeOf`): pass `async () => undefined` for no network. Errors first, then warnings, then
 * information, each in the reports' order.
 *
 * Issue 11, owner: the findings helper. The signature is the contract the others build on.
 */
export async function pageFindings(
	result: AuditResult,
	lhrs: Partial<Record<FormFactor, unknown>>,
	imageSize: ImageSizeOf = imageSizeOf,
): Promise<PageFinding[]> {
	const audited = auditedFormFactors(result, lhrs);
	const perRun: { formFactor?: FormFactor; findings: LighthouseFinding[] }[] = [];
	for (const ff of FORM_FACTORS)
		if (lhrs[ff] !== undefined) perRun.push({ formFactor: ff, findings: lighthouseFindings(lhrs[ff]) });
	const cro = result.stages.cro?.status === 'ok' ? result.stages.cro.data.findings : [];
	perRun.push(...cro.map((f) => ({ formFactor: f.formFactor, findings: [croFinding(f)] })));
	const merged = mergeFormFactors(perRun, audited);
	await addSizes(merged, imageSize);
	return merged.map(({ finding }) => finding).sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
}

/** The form factors the audit asked for; the reports' own when the result does not say. */
function auditedFormFactors(result: AuditResult, lhrs: Partial<Record<FormFactor, unknown>>): Set<FormFactor> {
	const asked = result.options?.formFactors;
	return new Set(asked?.length ? asked : FORM_FACTORS.filter((ff) => lhrs[ff] !== undefined));
}

/**
 * One finding per source, rule and place: with a form factor only when some audited form factor did not
 * give it. When the runs measured different values, the message gives both.
 */
function mergeFormFactors(
	runs: { formFactor?: FormFactor; findings: LighthouseFinding[] }[],
	audited: Set<FormFactor>,
): { finding: PageFinding; sizeOf?: string }[] {
	const groups = new Map<string, { found: { formFactor?: FormFactor; finding: LighthouseFinding }[] }>();
	for (const run of runs) {
		for (const finding of run.findings) {
			const key = `${finding.source}\u0000${finding.rule}\u0000${targetKey(finding.target)}`;
			const group = groups.get(key) ?? { found: [] };
			group.found.push({ formFactor: run.formFactor, finding });
			groups.set(key, group);
		}
	}
	return [...groups.values()].map(({ found }) => {
		const everywhere =
			found.some((f) => f.formFactor === undefined) ||
			[...audited].every((ff) => found.some((f) => f.formFactor === ff));
		const worst = found.reduce((a, b) =>
			SEVERITY_RANK[b.finding.severity] < SEVERITY_RANK[a.finding.severity] ? b : a,
		);
		const { sizeOf, ...finding } = worst.finding;
		const messages = [...new Set(found.map((f) => f.finding.message))];
		const out: PageFinding = { ...finding, fix: found.map((f) => f.finding.fix).find(Boolean) };
		if (!out.fix) delete out.fix;
		if (messages.length > 1)
			out.message = found
				.map((f) => (f.formFactor ? `${f.formFactor}: ${f.finding.message}` : f.finding.message))
				.join(' · ');
		if (!everywhere && worst.formFactor) out.formFactor = worst.formFactor;
		return { finding: out, sizeOf: sizeOf ?? found.map((f) => f.finding.sizeOf).find(Boolean) };
	});
}

/** The `add-size` fix of each unsized image whose size can be read (each image read once, all at once). */
async function addSizes(findings: { finding: PageFinding; sizeOf?: string }[], imageSize: ImageSizeOf): Promise<void> {
	const urls = [...new Set(findings.map((f) => f.sizeOf).filter((u): u is string => !!u))];
	const sizes = new Map(
		await Promise.all(urls.map(async (url) => [url, await imageSize(url).catch(() => undefined)] as const)),
	);
	for (const { finding, sizeOf } of findings) {
		const size = sizeOf ? sizes.get(sizeOf) : undefined;
		if (!size) continue;
		finding.fix = { kind: 'add-size', width: size.width, height: size.height };
		finding.message = `${finding.message} (intrinsic size ${size.width}×${size.height})`;
	}
}

/**
 * A CRO finding as a page finding: on its element when it names one. CRO findings are advice about
 * conversion, not defects: a high one is a warning, the others information.
 */
function croFinding(f: CroFinding): LighthouseFinding {
	const target: FindingTarget = f.element
		? { kind: 'element', selector: f.element.selector, ...(f.element.text ? { nodeLabel: f.element.text } : {}) }
		: { kind: 'page' };
	const finding: LighthouseFinding = {
		rule: f.rule,
		source: 'cro',
		title: f.title,
		message: `${f.title}: ${f.fix}`,
		severity: f.severity === 'high' ? 'warning' : 'info',
		target,
	};
	const fix = croFix(f);
	if (fix) finding.fix = fix;
	return finding;
}

function croFix(f: CroFinding): QuickFix | undefined {
	switch (f.rule) {
		case 'meta-description':
			return f.element ? undefined : { kind: 'add-meta-description' };
		case 'images-alt':
			return { kind: 'add-alt' };
		case 'unlabeled-inputs': {
			// The selector names the field (`#email` or a path); its text is the field's name.
			const id = f.element?.selector.match(/#([A-Za-z][\w-]*)$/)?.[1];
			return { kind: 'label-for', inputId: id ?? inputIdOf(f.element?.text ? ` name="${f.element.text}"` : undefined) };
		}
		default:
			return undefined;
	}
}
