/**
 * The `--json` documents of `audit` and `scan`: what they carry beyond the engine's own types (status, budget
 * verdict, files written, placed findings), and how they are printed.
 */
import type { AuditStatus, BatchItem, LocatedFinding, ScanReport, ScanRoute } from '../../protocol';

/** One entry of `audit --json`: what the audit is (status), its result or error, budget and reports. */
export interface AuditJsonEntry extends BatchItem {
	status: AuditStatus;
	budget?: { passed: boolean; failures: string[] };
	/** Lighthouse HTML reports written (with --html). */
	reports?: string[];
	/** Why an output of this audit (its reports) could not be written; the result is still here. */
	outputError?: string;
	/** With --json, --root or --sarif: the audit's findings, each with its place in the workspace when it has one. */
	findings?: LocatedFinding[];
	/** With --json, --root or --sarif: the workspace files the page came from, its entry file first. */
	files?: string[];
	/** Why the findings could not be placed in the workspace; the result is still here. */
	locateError?: string;
}

/** A route in `scan --json`: its findings placed in the workspace (or why they could not be). */
export type ScanJsonRoute = ScanRoute & { findings?: LocatedFinding[]; files?: string[]; locateError?: string };

/**
 * The `scan --json` document: the ScanReport, with the budget's verdict when --budget was given and the files
 * written.
 */
export type ScanJson = Omit<ScanReport, 'routes'> & {
	routes: ScanJsonRoute[];
	budget?: { passed: boolean; failures: { path: string; failures: string[] }[] };
	html?: string;
	/** The SARIF file written (with --sarif) and how many results it has. */
	sarif?: string;
	sarifResults?: number;
	outputError?: string;
};

/** Print `doc` as one JSON document (two-space indent) and a newline. */
export function writeJson(out: NodeJS.WritableStream, doc: unknown): void {
	out.write(`${JSON.stringify(doc, null, 2)}\n`);
}
