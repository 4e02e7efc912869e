/** Conversion (CRO) findings: what the rules found on the page and how to fix it. */
import type { FormFactor } from './options';

export type Severity = 'high' | 'medium' | 'low';

export interface CroFinding {
	/** Stable rule id, e.g. `cta-above-fold`. */
	rule: string;
	severity: Severity;
	title: string;
	/** The element it is about, when there is one. */
	element?: { selector: string; text?: string };
	formFactor?: FormFactor;
	why: string;
	fix: string;
}

export interface CroData {
	findings: CroFinding[];
}
