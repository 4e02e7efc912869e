import { decodeBasicEntities } from './jsxTags';
import type { Flavour, TagSite } from './tagSites';

/** Enough of an element's content to compare with an 80-character label. */
const MAX_CONTENT = 2000;

/**
 * The text an element's source content renders, as far as the source states it, lowercase: tags and comments dropped,
 * each expression or template hole (`{x}`, `{{ t('a') }}`, `<%= a %>`, `${a}`) a `\u0001`. Undefined for void and
 * unclosed elements. Computed once per site, on demand: only findings with a label need it.
 */
export function elementText(text: string, site: TagSite, flavour: Flavour): string | undefined {
	if (site.text !== undefined) return site.text;
	if (site.contentEnd < site.end) return undefined;
	const content = text.slice(site.end, Math.min(site.contentEnd, site.end + MAX_CONTENT));
	const braces = flavour !== 'html' && flavour !== 'vue';
	let s = content
		.replace(/<!--[\s\S]*?-->/g, ' ')
		.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|<%[\s\S]*?%>|<\?[\s\S]*?\?>|\$\{[^{}]*\}/g, '\u0001');
	// Innermost braces first, so `{items.map((i) => <li>{i}</li>)}` ends as one hole. A string literal is its text.
	for (let round = 0; braces && round < 8 && /\{[^{}]*\}/.test(s); round++) {
		s = s.replace(/\{[^{}]*\}/g, (m) => /^\{\s*(["'`])([^"'`]*)\1\s*\}$/.exec(m)?.[2] ?? '\u0001');
	}
	site.text = decodeBasicEntities(s.replace(/<[^>]*>/g, ' '))
		.replace(/\s+/g, ' ')
		.trim()
		.toLowerCase();
	return site.text;
}
