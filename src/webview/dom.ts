/**
 * A tiny DOM builder. Text is only ever set with `textContent` and attributes with `setAttribute`,
 * so page-derived text (titles, selectors, CTA text, AI output) can never become markup.
 */
export type Child = Node | string | number | null | undefined | false;

export interface Props {
	class?: string;
	title?: string;
	attrs?: Record<string, string | undefined>;
	on?: { click?: (ev: Event) => void };
}

export function h<K extends keyof HTMLElementTagNameMap>(
	tag: K,
	props: Props = {},
	...children: Child[]
): HTMLElementTagNameMap[K] {
	const el = document.createElement(tag);
	if (props.class) el.className = props.class;
	if (props.title) el.title = props.title;
	for (const [k, v] of Object.entries(props.attrs ?? {})) if (v !== undefined) el.setAttribute(k, v);
	if (props.on?.click) el.addEventListener('click', props.on.click);
	append(el, children);
	return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag: string, attrs: Record<string, string | number>, ...children: Element[]): SVGElement {
	const el = document.createElementNS(SVG_NS, tag) as SVGElement;
	for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
	for (const c of children) el.appendChild(c);
	return el;
}

export function append(el: Element, children: Child[]): void {
	for (const c of children) {
		if (c === null || c === undefined || c === false) continue;
		el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
	}
}

/** Replace an element's content (one section), leaving the rest of the page as it is. */
export function fill(el: Element, ...children: Child[]): void {
	el.replaceChildren();
	append(el, children);
}

/**
 * Empty `app` and give it one `<section>` per name, in order, kept in `into`: each message re-renders only its own
 * sections.
 */
export function layoutSections<N extends string>(
	app: HTMLElement,
	order: readonly N[],
	into: Record<N, HTMLElement>,
): void {
	fill(app);
	for (const name of order) {
		into[name] = h('section', { class: `section section-${name}`, attrs: { 'data-section': name } });
		app.appendChild(into[name]);
	}
}
