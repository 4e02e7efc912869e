/** What every section of the result panel shares: its signature, its heading, text in paragraphs. */
import { h, type Child } from '../dom';
import type { PanelState } from '../protocol';

/** Renders one section of the panel into its own element, from the whole state. */
export type Section = (el: HTMLElement, s: PanelState) => void;

/** A section's title, with anything beside it (a count, a version). */
export function heading(text: string, ...rest: Child[]): HTMLElement {
	return h('h2', {}, text, ...rest);
}

/** An explanation's paragraphs (separated by a blank line) as text with line breaks. */
export function lines(text: string): Child[] {
	return text.split('\n\n').flatMap((t, i) => (i ? [h('br'), h('br'), t] : [t]));
}
