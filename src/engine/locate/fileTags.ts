import { LRUCache } from 'lru-cache';
import { jsxTags } from './jsxTags';
import { markupTags } from './markupTags';
import { flavourOf, SiteSink, tagOpeners, type FileTags } from './tagSites';

function lineStartsOf(text: string): number[] {
	const starts = [0];
	for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
	return starts;
}

/** 1-based line and column of an offset. */
export function positionOf(tags: FileTags, offset: number): { line: number; column: number } {
	const starts = tags.lineStarts;
	let lo = 0;
	let hi = starts.length - 1;
	while (lo < hi) {
		const mid = (lo + hi + 1) >> 1;
		if (starts[mid] <= offset) lo = mid;
		else hi = mid - 1;
	}
	return { line: lo + 1, column: offset - starts[lo] + 1 };
}

/** The offset of a 1-based line's start, or -1 past the end. */
export function lineOffset(tags: FileTags, line: number): number {
	return line >= 1 && line <= tags.lineStarts.length ? tags.lineStarts[line - 1] : -1;
}

function tokenize(file: string, text: string): FileTags {
	const sink = new SiteSink();
	const flavour = flavourOf(file) ?? 'html';
	if (flavour === 'html' || flavour === 'vue') markupTags(text, flavour, 0, sink);
	else jsxTags(text, flavour, sink);
	const byTag = new Map<string, number[]>();
	sink.sites.forEach((site, i) => {
		const list = byTag.get(site.tag);
		if (list) list.push(i);
		else byTag.set(site.tag, [i]);
	});
	return { flavour, sites: sink.sites, byTag, lineStarts: lineStartsOf(text) };
}

interface Entry {
	text: string;
	tags?: FileTags;
	/** Tag names the text was found not to write, while it is not tokenized. */
	absent: Set<string>;
}

// Each text is tokenized once: an audit places dozens of elements over the same files, and the next audit of the
// page mostly sees the same texts again. Keyed by file, checked against the text itself (the same string is a
// pointer compare); bounded by the texts' total size.
const cache = new LRUCache<string, Entry>({
	max: 10_000,
	maxSize: 64 * 1024 * 1024,
	sizeCalculation: (entry) => entry.text.length + 1,
});

function entryOf(file: string, text: string): Entry {
	const hit = cache.get(file);
	if (hit && hit.text === text) return hit;
	const entry: Entry = { text, absent: new Set() };
	cache.set(file, entry);
	return entry;
}

/** The tags of a source text, tokenized once per text. */
export function tagsOf(file: string, text: string): FileTags {
	const entry = entryOf(file, text);
	return (entry.tags ??= tokenize(file, text));
}

/**
 * The tags of a source text that may hold a tag of this name, or undefined when the text never writes it: most
 * files have no `<input`, and a search for `<input` is far cheaper than tokenizing them. Remembered per text.
 */
export function tagsFor(file: string, text: string, tag: string): FileTags | undefined {
	const entry = entryOf(file, text);
	if (entry.tags) return entry.tags;
	if (entry.absent.has(tag)) return undefined;
	if (!tagOpeners(tag).some((o) => text.includes(o))) {
		entry.absent.add(tag);
		return undefined;
	}
	return (entry.tags = tokenize(file, text));
}
