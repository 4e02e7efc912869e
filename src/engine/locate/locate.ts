import type { LocatedFinding, PageFinding } from '../../protocol';
import type { WorkspaceIndex } from './workspace';

export interface LocateInput {
	/** The audited page's final URL. */
	pageUrl: string;
	findings: readonly PageFinding[];
	workspace: WorkspaceIndex;
	/** Fetches a page resource (HTML, script, source map) from where it was served; undefined when it cannot. */
	fetchText(url: string): Promise<string | undefined>;
}

export interface Located {
	findings: LocatedFinding[];
	/** The workspace files the page came from, its entry file first. */
	files: string[];
}

/**
 * Places each finding in the workspace: elements by placeElement over the page's source files, script
 * positions through source maps (Lighthouse's `original` first), resources by URL. A finding with no
 * confident line goes on the page's entry file without a line, or stays without a location.
 *
 * Issue 11, owner: the sources helper. The signature is the contract the others build on.
 */
export async function locateFindings(input: LocateInput): Promise<Located> {
	void input;
	throw new Error('locateFindings: not built yet (issue 11)');
}
