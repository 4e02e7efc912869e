/** Findings in the code: what a finding is about on the page, and where it is in the workspace. */
import type { FormFactor } from './options';

/** What a finding is about on the page, as Lighthouse or the capture saw it. */
export type FindingTarget =
	/** A DOM element: Lighthouse's node details (selector, snippet, label) or a CRO finding's selector. */
	| { kind: 'element'; selector?: string; snippet?: string; nodeLabel?: string }
	/** A position in a script as served (1-based line and column), with Lighthouse's source-mapped one when it had it. */
	| {
			kind: 'script';
			url: string;
			line: number;
			column: number;
			original?: { file: string; line: number; column: number };
	  }
	/** A whole resource (a script with unused bytes, a slow origin). */
	| { kind: 'resource'; url: string }
	/** The page as a whole (a missing meta description, a slow LCP). */
	| { kind: 'page' };

/** A quick fix a finding can offer; the editor makes the edit, and only when the user picks it. */
export type QuickFix =
	| { kind: 'add-alt' }
	| { kind: 'add-lang'; lang: string }
	/** The image's intrinsic size in CSS px, for `width`/`height` attributes. */
	| { kind: 'add-size'; width: number; height: number }
	| { kind: 'add-meta-description' }
	/** Tie a `<label>` to this input (the input's id, made up from its name when it has none). */
	| { kind: 'label-for'; inputId: string }
	| { kind: 'lazy-load' }
	| { kind: 'fetchpriority-high' }
	| { kind: 'preconnect'; origin: string };

export type FindingSeverity = 'error' | 'warning' | 'info';

/** One finding of an audit about one place on the page (a failing audit with 5 nodes gives 5 findings). */
export interface PageFinding {
	/** The Lighthouse audit id or the CRO rule id, e.g. `image-alt`, `cta-above-fold`. */
	rule: string;
	source: 'lighthouse' | 'cro';
	/** The audit's or rule's title. */
	title: string;
	/** One line about this place: what is wrong, with the measured value against its threshold when there is one. */
	message: string;
	severity: FindingSeverity;
	/** The audit's documentation (https only). */
	helpUrl?: string;
	/** The run it came from; absent when the same finding holds for every form factor audited. */
	formFactor?: FormFactor;
	target: FindingTarget;
	fix?: QuickFix;
}

/** How a finding was placed in a workspace file. */
export type PlacementVia =
	'static-file' | 'source-map' | 'lighthouse-original' | 'snippet' | 'attributes' | 'dev-hint' | 'entry-file';

/** Where a finding is in the workspace. */
export interface SourceLocation {
	/** Absolute path of the workspace file. */
	file: string;
	/** 1-based; absent when the finding is only put on the file (the page's entry file, no confident line). */
	line?: number;
	/** 1-based. */
	column?: number;
	endLine?: number;
	endColumn?: number;
	/** 0..1: how sure the placement is. A line is only given at or above LOCATE_MIN_CONFIDENCE. */
	confidence: number;
	via: PlacementVia;
	/**
	 * The file changed after the audit started: its line is left out, as the audit saw other text (audit again to place
	 * it).
	 */
	changedSinceAudit?: boolean;
}

/** Placements below this confidence get no line: the finding goes on the page's entry file, or stays in the panel. */
export const LOCATE_MIN_CONFIDENCE = 0.7;

export interface LocatedFinding extends PageFinding {
	/** Absent when the finding could not be tied to any workspace file. */
	location?: SourceLocation;
}

/**
 * A URL path served from a folder other than the one a workspace root's layout suggests (setting
 * `auditlens.locate.mappings`).
 */
export interface WorkspaceMapping {
	/** URL path prefix, e.g. `/static/`. */
	urlPath: string;
	/** The folder it is served from: absolute, or relative to the first workspace root. */
	dir: string;
}
