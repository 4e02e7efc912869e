/**
 * Located findings as Problems-panel entries, without `vscode` (so they are unit-tested): severity, range,
 * message, code and related information of each, and which files show what once several URLs have been
 * audited. problems.ts turns these specs into `vscode.Diagnostic`s.
 */
import type { FindingSeverity, FormFactor, LocatedFinding, SourceLocation } from '../../protocol';

/** The name of a `vscode.DiagnosticSeverity` member. */
export type DiagnosticSeverityName = 'Error' | 'Warning' | 'Information';

/** A 0-based range, as VS Code counts (locations are 1-based); the end character is exclusive. */
export interface ZeroRange {
	startLine: number;
	startCharacter: number;
	endLine: number;
	endCharacter: number;
}

export interface DiagnosticSpec {
	/** Absolute path of the workspace file. */
	file: string;
	range: ZeroRange;
	/** The finding is on the file but on no line (no confident placement): shown at line 0. */
	wholeFile: boolean;
	severity: DiagnosticSeverityName;
	message: string;
	/** The rule, linked to its documentation when that is an https page. */
	code: string | { value: string; target: string };
	/** Related information: the form factor and the audited URL. */
	related: string;
	finding: LocatedFinding;
}

/** Past any line's end: VS Code clamps a range to the line when it shows it. */
export const LINE_END = 1_000_000_000;

const SEVERITY: Record<FindingSeverity, DiagnosticSeverityName> = {
	error: 'Error',
	warning: 'Warning',
	info: 'Information',
};

export function diagnosticSeverity(severity: FindingSeverity): DiagnosticSeverityName {
	return SEVERITY[severity] ?? 'Information';
}

/**
 * The 0-based range of a location with a line: its start, and its end when given (else the rest of the start
 * line). Undefined for a location on a file only.
 */
export function locationRange(loc: SourceLocation): ZeroRange | undefined {
	if (loc.line === undefined || loc.line < 1) return undefined;
	const startLine = loc.line - 1;
	const startCharacter = Math.max(0, (loc.column ?? 1) - 1);
	if (loc.endLine !== undefined && loc.endLine >= loc.line && loc.endColumn !== undefined) {
		const endLine = loc.endLine - 1;
		const endCharacter = Math.max(0, loc.endColumn - 1);
		if (endLine > startLine || endCharacter > startCharacter)
			return { startLine, startCharacter, endLine, endCharacter };
	}
	return { startLine, startCharacter, endLine: startLine, endCharacter: LINE_END };
}

/** The finding's message with its form factor, and a word when it could not be put on a line. */
export function diagnosticMessage(
	finding: Pick<LocatedFinding, 'message' | 'formFactor' | 'location'>,
	wholeFile: boolean,
): string {
	const notes = [
		finding.formFactor,
		wholeFile
			? finding.location?.changedSinceAudit
				? 'file changed since the audit: audit again to place it'
				: 'not placed on a line'
			: undefined,
	].filter(Boolean);
	return notes.length ? `${finding.message} (${notes.join(', ')})` : finding.message;
}

/** `mobile · http://localhost:5173/`: where and how the page was audited. */
export function relatedMessage(url: string, formFactor: FormFactor | undefined): string {
	return formFactor ? `${formFactor} · ${url}` : url;
}

/** The rule as the diagnostic's code: linked to its documentation only when that is an https URL. */
export function diagnosticCode(finding: Pick<LocatedFinding, 'rule' | 'helpUrl'>): DiagnosticSpec['code'] {
	if (finding.helpUrl) {
		try {
			if (new URL(finding.helpUrl).protocol === 'https:') return { value: finding.rule, target: finding.helpUrl };
		} catch {
			// Not a URL: the rule alone.
		}
	}
	return finding.rule;
}

/** One spec per finding with a location (a finding without one stays in the result panel only). */
export function diagnosticSpecs(url: string, findings: readonly LocatedFinding[]): DiagnosticSpec[] {
	const out: DiagnosticSpec[] = [];
	for (const finding of findings) {
		const loc = finding.location;
		if (!loc?.file) continue;
		const lined = locationRange(loc);
		const wholeFile = lined === undefined;
		out.push({
			file: loc.file,
			range: lined ?? { startLine: 0, startCharacter: 0, endLine: 0, endCharacter: LINE_END },
			wholeFile,
			severity: diagnosticSeverity(finding.severity),
			message: diagnosticMessage(finding, wholeFile),
			code: diagnosticCode(finding),
			related: relatedMessage(url, finding.formFactor),
			finding,
		});
	}
	return out;
}

/**
 * The diagnostics of each audited URL (the latest audit of it), merged per file: a file served on several URLs
 * shows what each of them found. Replacing or clearing a URL says which files to refresh.
 */
export class DiagnosticsByUrl {
	private readonly byUrl = new Map<string, DiagnosticSpec[]>();

	/** Replace what `url` shows; returns the files whose diagnostics changed (had some of it, or now have). */
	set(url: string, specs: readonly DiagnosticSpec[]): Set<string> {
		const changed = this.files(url);
		if (specs.length) this.byUrl.set(url, [...specs]);
		else this.byUrl.delete(url);
		for (const s of specs) changed.add(s.file);
		return changed;
	}

	/** Clear what `url` shows; returns the files to refresh. */
	delete(url: string): Set<string> {
		return this.set(url, []);
	}

	/** Clear everything; returns the files to refresh. */
	clear(): Set<string> {
		const changed = new Set<string>();
		for (const url of [...this.byUrl.keys()]) for (const f of this.delete(url)) changed.add(f);
		return changed;
	}

	/** What `file` shows now, across every URL. */
	forFile(file: string): DiagnosticSpec[] {
		const out: DiagnosticSpec[] = [];
		for (const specs of this.byUrl.values()) for (const s of specs) if (s.file === file) out.push(s);
		return out;
	}

	/** The URLs with diagnostics. */
	urls(): string[] {
		return [...this.byUrl.keys()];
	}

	private files(url: string): Set<string> {
		return new Set((this.byUrl.get(url) ?? []).map((s) => s.file));
	}
}
