import { Parser } from 'htmlparser2';
import { jsxTags } from './jsxTags';
import { SiteAttrs, SiteSink, valueWithHoles, type Flavour } from './tagSites';

/** Where an element's DOM parent is not known from the file: template roots, slots, components. */
const opaqueParents = /^(template|slot)$|[A-Z.:]|-/;

/**
 * The opening tags of HTML and HTML-like templates (Handlebars, Nunjucks, EJS, Liquid, PHP, Vue single-file
 * components), by htmlparser2, the tolerant streaming parser that reports each tag's offsets. `offset` places a
 * fragment (HTML in a script's string) in its file. A page's inline scripts are read for the HTML in their strings
 * (`innerHTML = '<img …>'`), and `<script type="text/template">` bodies as markup.
 */
export function markupTags(text: string, flavour: Flavour, offset: number, sink: SiteSink): void {
	// Open elements: site index (-1 for tags that are not HTML elements) and name, to match closing tags.
	const stack: { site: number; name: string }[] = [];
	const parentOf = (): number => {
		const top = stack.at(-1);
		return top && !opaqueParents.test(top.name) ? top.site : -1;
	};
	// The inline script being read: where its text is, and how to read it.
	let script: { start: number; end: number; as: 'js' | 'jsx' | 'html' } | undefined;
	const scriptKind = (type = ''): 'js' | 'jsx' | 'html' | undefined => {
		const t = type.toLowerCase();
		if (!t || /javascript|ecmascript|^module$/.test(t)) return 'js';
		if (/babel|jsx/.test(t)) return 'jsx';
		return /template|html/.test(t) ? 'html' : undefined;
	};
	const readScript = (s: NonNullable<typeof script>): void => {
		if (s.as === 'html') markupTags(text.slice(s.start, s.end), 'html', offset + s.start, sink);
		// Only a whole file's scripts: the scanner reports offsets in the text it is given.
		else if (offset === 0) jsxTags(text, s.as === 'jsx' ? 'jsx' : 'script', sink, s.start, s.end);
	};
	const parser = new Parser(
		{
			ontext() {
				if (!script) return;
				if (script.start < 0) script.start = parser.startIndex;
				script.end = parser.endIndex + 1;
			},
			onopentag(name, attribs, isImplied) {
				if (isImplied) return;
				if (name.toLowerCase() === 'script') {
					const as = scriptKind(attribs.type);
					script = as && attribs.src === undefined ? { start: -1, end: -1, as } : undefined;
				}
				const attrs = new SiteAttrs(flavour);
				for (const [k, v] of Object.entries(attribs)) attrs.add(k, valueWithHoles(v, false));
				const site = sink.add(name, offset + parser.startIndex, offset + parser.endIndex + 1, attrs, parentOf());
				stack.push({ site, name });
			},
			onclosetag(name) {
				if (script && name.toLowerCase() === 'script') {
					if (script.start >= 0) readScript(script);
					script = undefined;
				}
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
