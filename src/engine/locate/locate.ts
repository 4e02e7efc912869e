import path from 'node:path';
import {
	LOCATE_MIN_CONFIDENCE,
	type FindingTarget,
	type LocatedFinding,
	type PageFinding,
	type SourceLocation,
} from '../../protocol';
import { mayFetch } from './pageFetch';
import { type ElementTarget, placeElement, type SourceText } from './placeElement';
import { type FetchText, MAX_PAGE_SCRIPTS, pageScripts, SourceMaps } from './sourceMaps';
import type { WorkspaceIndex } from './workspace';

export interface LocateInput {
	/** The audited page's final URL. */
	pageUrl: string;
	findings: readonly PageFinding[];
	workspace: WorkspaceIndex;
	/**
	 * Fetches a page resource (HTML, script, source map) from where it was served; undefined when it cannot. It may
	 * answer `{ text, sourceMap }` to pass on a `SourceMap` response header.
	 */
	fetchText: FetchText;
}

export interface Located {
	findings: LocatedFinding[];
	/** The workspace files the page came from, its entry file first. */
	files: string[];
}

/** Files elements are looked for in: markup and the components and templates that render it. */
const MARKUP_EXTENSIONS = new Set([
	'.html',
	'.htm',
	'.jsx',
	'.tsx',
	'.vue',
	'.svelte',
	'.astro',
	'.hbs',
	'.njk',
	'.ejs',
	'.liquid',
	'.php',
]);

/** How sure a placement is when the served file is the workspace file, or a source map says so. */
const CONFIDENCE = { staticFile: 1, lighthouseOriginal: 0.95, sourceMap: 0.9, mapEntry: 0.8 } as const;

/** What the page is made of in the workspace. */
interface PageSources {
	/** The static HTML served for the URL, or the first component of its bundle that renders markup. */
	entry?: { file: string; confidence: number };
	/** Candidate files for element findings (the entry HTML, then the maps' markup sources), with their text. */
	markup: SourceText[];
	/** Every workspace file the page came from, the entry first. */
	files: string[];
	maps: SourceMaps;
}

/**
 * Places each finding in the workspace: elements by placeElement over the page's source files, script
 * positions through source maps (Lighthouse's `original` first), resources by URL. A finding with no
 * confident line goes on the page's entry file without a line, or stays without a location.
 *
 * Issue 11, owner: the sources helper. The signature is the contract the others build on.
 */
export async function locateFindings(input: LocateInput): Promise<Located> {
	// Scripts the findings name (a lazily loaded chunk the HTML does not list) are read for their maps too.
	const named = input.findings.flatMap((f) =>
		f.target.kind === 'script' || (f.target.kind === 'resource' && /\.m?js(\?|$)/.test(f.target.url))
			? [f.target.url]
			: [],
	);
	const page = await pageSources({ ...input, fetchText: once(input.fetchText) }, named);
	const findings = await Promise.all(
		input.findings.map(async (f) => withLocation(f, await locate(f.target, page, input))),
	);
	return { findings, files: page.files };
}

function withLocation(finding: PageFinding, location: SourceLocation | undefined): LocatedFinding {
	return location ? { ...finding, location } : { ...finding };
}

async function locate(
	target: FindingTarget,
	page: PageSources,
	input: LocateInput,
): Promise<SourceLocation | undefined> {
	const { workspace, pageUrl } = input;
	const entry = page.entry && { file: page.entry.file, confidence: page.entry.confidence, via: 'entry-file' as const };
	switch (target.kind) {
		case 'element': {
			const placed = safePlace(target, page.markup);
			if (!placed || placed.confidence < LOCATE_MIN_CONFIDENCE) return entry;
			// Sure of the file but not the line: the file, no line.
			if (placed.line === undefined) return { file: placed.file, confidence: placed.confidence, via: placed.via };
			return placed;
		}
		case 'script': {
			if (target.original) {
				const file = workspace.resolveSource(target.original.file, target.url);
				if (file)
					return {
						file,
						line: target.original.line,
						column: target.original.column,
						confidence: CONFIDENCE.lighthouseOriginal,
						via: 'lighthouse-original',
					};
			}
			const pos = await page.maps.original(target.url, target.line, target.column);
			const mapped =
				pos &&
				(workspace.resolveSource(pos.source, pos.mapUrl) ??
					workspace.resolveSource(pos.source, pos.mapUrl, page.files));
			if (pos && mapped)
				return {
					file: mapped,
					line: pos.line,
					column: pos.column,
					confidence: CONFIDENCE.sourceMap,
					via: 'source-map',
				};
			// A script its map does not place (a position in a dependency, or none): its served lines are not a source's.
			if (await page.maps.load(target.url)) return undefined;
			const served = mayFetch(pageUrl, target.url) ? workspace.fileForUrl(target.url) : undefined;
			if (served)
				return {
					file: served,
					line: target.line,
					column: target.column,
					confidence: CONFIDENCE.staticFile,
					via: 'static-file',
				};
			return undefined;
		}
		case 'resource': {
			const served = mayFetch(pageUrl, target.url) ? workspace.fileForUrl(target.url) : undefined;
			return served ? { file: served, confidence: CONFIDENCE.staticFile, via: 'static-file' } : undefined;
		}
		case 'page':
			return entry;
	}
}

/**
 * placeElement, with a throw (a bug, or a source it cannot read) taken as "not placed": one finding never sinks the
 * call.
 */
function safePlace(target: ElementTarget, sources: readonly SourceText[]): SourceLocation | undefined {
	if (sources.length === 0) return undefined;
	try {
		return placeElement(target, sources);
	} catch {
		return undefined;
	}
}

/** The page's files: its static HTML, the scripts it loads, their maps' sources in the workspace. */
async function pageSources(input: LocateInput, namedScripts: readonly string[]): Promise<PageSources> {
	const { workspace, pageUrl, fetchText } = input;
	const maps = new SourceMaps(fetchText);
	const served = workspace.fileForUrl(pageUrl);
	const staticEntry = served && MARKUP_EXTENSIONS.has(path.extname(served).toLowerCase()) ? served : undefined;
	const fetched = await fetchText(pageUrl);
	// The page as served; the workspace's copy when the server is gone (a static site read offline).
	const html =
		fetched === undefined
			? staticEntry
				? await readOrEmpty(workspace, staticEntry)
				: ''
			: typeof fetched === 'string'
				? fetched
				: fetched.text;
	const listed = pageScripts(html, pageUrl);
	const scripts = [...new Set([...listed, ...namedScripts.filter((u) => u !== pageUrl && mayFetch(pageUrl, u))])].slice(
		0,
		MAX_PAGE_SCRIPTS,
	);

	// In map order (the entry is the first that renders markup); a Set, as big apps' maps list thousands of sources.
	const mapped = new Set<string>();
	// Components of the page's own the workspace does not have (or has twice): the entry would be a guess among the rest.
	let missedMarkup = 0;
	const staticScripts: string[] = [];
	const loaded = await Promise.all(scripts.map(async (url) => ({ url, map: await maps.load(url) })));
	for (const { url, map } of loaded) {
		if (!map) {
			const file = mayFetch(pageUrl, url) ? workspace.fileForUrl(url) : undefined;
			if (file) staticScripts.push(file);
			continue;
		}
		// Sources found without doubt first; then one that two files could be is looked for beside them.
		const found = new Map(map.sources.map((source) => [source, workspace.resolveSource(source, map.url)]));
		const sure = [...found.values()].filter((f): f is string => f !== undefined);
		for (const [source, file] of found) {
			const resolved = file ?? (sure.length ? workspace.resolveSource(source, map.url, sure) : undefined);
			if (resolved) mapped.add(resolved);
			else if (
				MARKUP_EXTENSIONS.has(path.extname(source.split('?')[0]).toLowerCase()) &&
				!/[\\/]node_modules[\\/]/.test(source)
			)
				missedMarkup++;
		}
	}

	const markupFiles = [...mapped].filter((f) => MARKUP_EXTENSIONS.has(path.extname(f).toLowerCase()));
	const markup: SourceText[] = [];
	for (const file of staticEntry ? [staticEntry, ...markupFiles.filter((f) => f !== staticEntry)] : markupFiles) {
		const text = await readOrEmpty(workspace, file);
		if (text) markup.push({ file, text });
	}
	let entry: PageSources['entry'];
	if (staticEntry) entry = { file: staticEntry, confidence: CONFIDENCE.staticFile };
	else if (missedMarkup === 0) {
		const renders = markup.find((s) => rendersMarkup(s));
		if (renders) entry = { file: renders.file, confidence: CONFIDENCE.mapEntry };
	}
	const files = [...new Set([...(entry ? [entry.file] : []), ...markupFiles, ...mapped, ...staticScripts])];
	return { entry, markup, files, maps };
}

/** A component or template that writes elements (`<div …>`, `<img … />`), not one that only holds logic. */
function rendersMarkup(source: SourceText): boolean {
	if (!/\.(jsx|tsx)$/i.test(source.file)) return true;
	return (
		/<([a-z][a-z0-9-]*)(\s[^<>]*)?\/?>/.test(source.text) && (source.text.includes('</') || source.text.includes('/>'))
	);
}

async function readOrEmpty(workspace: WorkspaceIndex, file: string): Promise<string> {
	return workspace.read(file).catch(() => '');
}

/**
 * Each URL fetched at most once per locate call (the page's HTML is read for its scripts and again for an inline
 * script's finding).
 */
function once(fetchText: FetchText): FetchText {
	const seen = new Map<string, ReturnType<FetchText>>();
	return (url) => {
		let got = seen.get(url);
		if (!got) {
			got = fetchText(url);
			seen.set(url, got);
		}
		return got;
	};
}
