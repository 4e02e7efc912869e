import type { FindingTarget, SourceLocation } from '../../protocol';

/** A candidate source file and its text. */
export interface SourceText {
	file: string;
	text: string;
}

export type ElementTarget = Extract<FindingTarget, { kind: 'element' }>;

/**
 * Where an element is in its source: the best match of its snippet and its distinctive attributes (id,
 * classes, src/href, name, alt, text) in HTML, JSX/TSX, Vue, Svelte, Astro and template files, with a
 * confidence (0..1) that says how sure the match is (a unique id match is sure; one class among many is not).
 * Undefined when nothing matches. The caller gives a line only at or above LOCATE_MIN_CONFIDENCE. Pure.
 *
 * Issue 11, owner: the element-placement helper. The signature is the contract the others build on.
 */
export function placeElement(target: ElementTarget, sources: readonly SourceText[]): SourceLocation | undefined {
	void target;
	void sources;
	throw new Error('placeElement: not built yet (issue 11)');
}
