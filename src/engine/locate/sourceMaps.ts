import {
	FlattenMap,
	originalPositionFor,
	type SectionedSourceMapInput,
	type TraceMap,
} from '@jridgewell/trace-mapping';
import { Parser } from 'htmlparser2';

/** What a fetch of a page resource gives: its text, and the `SourceMap` response header when it had one. */
export interface FetchedText {
	text: string;
	sourceMap?: string;
}

/**
 * Fetches a page resource (HTML, script, source map); undefined when it cannot (refused, failed, too big, too slow).
 */
export type FetchText = (url: string) => Promise<string | FetchedText | undefined>;

/** Scripts of a page beyond this many are not looked at: their maps would cost more than they tell. */
export const MAX_PAGE_SCRIPTS = 32;

/** A script's source map, loaded. `sources` are as the map names them, its `sourceRoot` joined. */
export interface LoadedMap {
	/** The map's URL (the script's own for an inline `data:` map): relative sources resolve against it. */
	url: string;
	sources: readonly string[];
	trace: TraceMap;
}

/** A served position's original one: the map's source (as named, sourceRoot joined) and a 1-based line and column. */
export interface OriginalPosition {
	source: string;
	mapUrl: string;
	line: number;
	column: number;
}

/**
 * The scripts a page loads (`<script src>`, classic and module, and `<link rel=modulepreload>`), as absolute URLs in
 * document order, `<base href>` honoured.
 */
export function pageScripts(html: string, pageUrl: string): string[] {
	const found: string[] = [];
	let base = pageUrl;
	const parser = new Parser(
		{
			onopentag(name, attribs) {
				if (name === 'base' && attribs.href) {
					try {
						base = new URL(attribs.href, pageUrl).href;
					} catch {
						// A broken base: keep the page's URL.
					}
				}
				// Module preloads name the chunks a built app loads next (Vite): their maps list its components too.
				const src =
					name === 'script'
						? attribs.src
						: name === 'link' && /(^|\s)modulepreload(\s|$)/i.test(attribs.rel ?? '')
							? attribs.href
							: undefined;
				if (!src || found.length >= MAX_PAGE_SCRIPTS) return;
				// Templates and data blocks are not scripts the browser runs.
				const type = name === 'script' ? (attribs.type ?? '').trim().toLowerCase() : '';
				if (type && type !== 'module' && !/^(text|application)\/(x-)?(java|ecma)script$/.test(type)) return;
				try {
					const url = new URL(src, base);
					if (/^https?:$/.test(url.protocol) && !found.includes(url.href)) found.push(url.href);
				} catch {
					// An unparsable src: the browser skips it too.
				}
			},
		},
		{ decodeEntities: true },
	);
	parser.write(html);
	parser.end();
	return found;
}

/** The `sourceMappingURL` a script's text ends with (`//# …` or `/*# … *\/`), if any. */
export function sourceMappingUrl(text: string): string | undefined {
	// The last one counts, and only as the script's final comment: a bundle may hold the string elsewhere.
	const at = text.lastIndexOf('sourceMappingURL=');
	if (at < 0 || !/(?:\/\/|\/\*)[#@]\s*$/.test(text.slice(Math.max(0, at - 8), at))) return undefined;
	return /^sourceMappingURL=([^\s'"*]+)\s*(?:\*\/)?\s*$/.exec(text.slice(at))?.[1];
}

/** The JSON of a `data:` URL (base64 or percent-encoded), or undefined when it is not one. */
function dataUrlText(url: string): string | undefined {
	const m = /^data:([^,]*),(.*)$/s.exec(url);
	if (!m) return undefined;
	if (/;base64$/i.test(m[1])) return Buffer.from(m[2], 'base64').toString('utf8');
	try {
		return decodeURIComponent(m[2]);
	} catch {
		return undefined;
	}
}

function parseMap(
	text: string,
): (SectionedSourceMapInput & { sources?: (string | null)[]; sourceRoot?: string }) | undefined {
	try {
		// Some servers prefix JSON with `)]}'` against XSSI; the spec allows it.
		const json: unknown = JSON.parse(text.replace(/^\)\]\}'[^\n]*\n/, ''));
		if (!json || typeof json !== 'object') return undefined;
		const map = json as { version?: unknown; mappings?: unknown; sections?: unknown };
		if (typeof map.mappings !== 'string' && !Array.isArray(map.sections)) return undefined;
		return json as SectionedSourceMapInput & { sources?: (string | null)[]; sourceRoot?: string };
	} catch {
		return undefined;
	}
}

/** A map's source as it names it, with its `sourceRoot` joined (as the source map spec says: a prefix). */
function withRoot(source: string, sourceRoot: string | undefined): string {
	if (!sourceRoot || /^[a-z][a-z0-9+.-]*:/i.test(source) || source.startsWith('/')) return source;
	return sourceRoot.endsWith('/') ? sourceRoot + source : `${sourceRoot}/${source}`;
}

/**
 * The source maps of one page's scripts, each fetched at most once (through the caller's bounded fetch): linked
 * (`sourceMappingURL`, relative or absolute), inline (`data:` base64 or percent-encoded) or named by the
 * `SourceMap` response header. Sectioned (index) maps are flattened.
 */
export class SourceMaps {
	private readonly maps = new Map<string, Promise<LoadedMap | undefined>>();

	constructor(private readonly fetchText: FetchText) {}

	/** The map of the script at `scriptUrl`, or undefined when it has none (or it could not be fetched or read). */
	load(scriptUrl: string): Promise<LoadedMap | undefined> {
		let loaded = this.maps.get(scriptUrl);
		if (!loaded) {
			loaded = this.fetchMap(scriptUrl).catch(() => undefined);
			this.maps.set(scriptUrl, loaded);
		}
		return loaded;
	}

	/** Where a served position (1-based line and column) of `scriptUrl` comes from, when its map says. */
	async original(scriptUrl: string, line: number, column: number): Promise<OriginalPosition | undefined> {
		const map = await this.load(scriptUrl);
		if (!map || line < 1) return undefined;
		// trace-mapping takes 1-based lines and 0-based columns; the nearest mapping at or before the column.
		const pos = originalPositionFor(map.trace, { line, column: Math.max(0, column - 1) });
		if (pos.source === null || pos.line === null) return undefined;
		const index = map.trace.resolvedSources.indexOf(pos.source);
		const source = index >= 0 ? map.sources[index] : pos.source;
		return { source, mapUrl: map.url, line: pos.line, column: pos.column + 1 };
	}

	private async fetchMap(scriptUrl: string): Promise<LoadedMap | undefined> {
		const fetched = await this.fetchText(scriptUrl);
		if (fetched === undefined) return undefined;
		const { text, sourceMap } = typeof fetched === 'string' ? { text: fetched, sourceMap: undefined } : fetched;
		const ref = sourceMap ?? sourceMappingUrl(text);
		if (!ref) return undefined;
		let mapUrl: string;
		let mapText: string | undefined;
		if (/^data:/i.test(ref)) {
			mapUrl = scriptUrl;
			mapText = dataUrlText(ref);
		} else {
			mapUrl = new URL(ref, scriptUrl).href;
			const got = await this.fetchText(mapUrl);
			mapText = typeof got === 'string' ? got : got?.text;
		}
		const json = mapText === undefined ? undefined : parseMap(mapText);
		if (!json) return undefined;
		// No map URL given to trace-mapping: sources are resolved here, by WorkspaceIndex.resolveSource, against the map's
		// URL.
		const trace = new FlattenMap(json);
		const sourceRoot = 'sourceRoot' in json ? json.sourceRoot : undefined;
		const sources = (trace.sources as (string | null)[]).map((s) => withRoot(s ?? '', sourceRoot));
		return { url: mapUrl, sources, trace };
	}
}
