import { Parser } from 'htmlparser2';
import { SiteAttrs, SiteSink, valueWithHoles, type Flavour } from './tagSites';

/** Where an element's DOM parent is not known from the file: template roots, slots, components. */
const opaqueParents = /^(template|slot)$|[A-Z.:]|-/;

/**
 * The opening tags of HTML and HTML-like templates (Handlebars, Nunjucks, EJS, Liquid, PHP, Vue single-file
 * components), by htmlparser2, the tolerant streaming parser that reports each tag's offsets. `offset` places a
 * fragment (HTML in a script's string) in its file.
 */
export function markupTags(text: string, flavour: Flavour, offset: number, sink: SiteSink): void {
	// Open elements: site index (-1 for tags that are not HTML elements) and name, to match closing tags.
	const stack: { site: number; name: string }[] = [];
	const parentOf = (): number => {
		const top = stack.at(-1);
		return top && !opaqueParents.test(top.name) ? top.site : -1;
	};
	const parser = new Parser(
		{
			onopentag(name, attribs, isImplied) {
				if (isImplied) return;
				const attrs = new SiteAttrs(flavour);
				for (const [k, v] of Object.entries(attribs)) attrs.add(k, valueWithHoles(v, false));
				const site = sink.add(name, offset + parser.startIndex, offset + parser.endIndex + 1, attrs, parentOf());
				stack.push({ site, name });
			},
			onclosetag(name) {
				for (let i = stack.length - 1; i >= 0; i--) {
					if (stack[i].name !== name) continue;
					const site = sink.sites[stack[i].site];
					const at = offset + parser.startIndex;
					if (site && at >= site.end) site.contentEnd = at;
					stack.length = i;
					return;
				}
			},
		},
		{ decodeEntities: true, lowerCaseTags: false, lowerCaseAttributeNames: false, recognizeSelfClosing: true },
	);
	parser.end(text);
}
