import { Parser } from 'htmlparser2';

/** What a page links to, as written, and the base its relative links resolve against. */
export interface PageLinks {
	/** `href`s of `<a>` and `<area>` elements in document order, `rel=nofollow` ones left out. */
	hrefs: string[];
	/** The page's URL, or its first `<base href>` resolved against it. */
	base: string;
}

/**
 * The links of an HTML document (htmlparser2, the tolerant streaming parser: no DOM is built). Links a script
 * would add are not seen; single-page apps whose links come from JavaScript are found by their sitemap.
 */
export function pageLinks(html: string, pageUrl: string): PageLinks {
	const hrefs: string[] = [];
	let base = pageUrl;
	let baseSeen = false;
	const parser = new Parser(
		{
			onopentag(name, attrs) {
				if (name === 'base' && !baseSeen && attrs.href !== undefined) {
					baseSeen = true;
					try {
						base = new URL(attrs.href, pageUrl).href;
					} catch {
						// An unusable <base> is ignored, as a browser does.
					}
					return;
				}
				if ((name !== 'a' && name !== 'area') || attrs.href === undefined) return;
				if (/(^|\s)nofollow(\s|$)/i.test(attrs.rel ?? '')) return;
				hrefs.push(attrs.href);
			},
		},
		{ decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
	);
	parser.end(html);
	return { hrefs, base };
}
