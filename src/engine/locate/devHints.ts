import type { TargetValue } from './elementTarget';

/** Where a framework's dev build says an element was written. */
export interface DevHint {
	/** The source, as one of the candidate files. */
	file: string;
	line?: number;
	column?: number;
}

/** `path`, `path:line` or `path:line:col`. */
function splitLoc(raw: string): { path: string; line?: number; column?: number } {
	const m = /^(.*?):(\d+)(?::(\d+))?$/.exec(raw);
	return m ? { path: m[1], line: Number(m[2]), column: m[3] ? Number(m[3]) : undefined } : { path: raw };
}

function lineCol(raw: string | undefined): { line?: number; column?: number } {
	const m = raw ? /^(\d+)(?::(\d+))?$/.exec(raw) : null;
	return m ? { line: Number(m[1]), column: m[2] ? Number(m[2]) : undefined } : {};
}

/**
 * The path and position the element's dev-build attributes name: Astro's `data-astro-source-file` +
 * `data-astro-source-loc`, Vue's `data-v-inspector="path:line:col"`, react-dev-inspector's
 * `data-inspector-relative-path` + `data-inspector-line`/`-column`, and the `data-source-file` + `data-source-line`
 * family. A value Lighthouse shortened keeps its start only: the path still counts, a lost line does not.
 */
function readHint(
	attrs: ReadonlyMap<string, TargetValue>,
): { path: TargetValue; line?: number; column?: number } | undefined {
	const get = (name: string) => attrs.get(name);
	const astro = get('data-astro-source-file');
	if (astro)
		return {
			path: astro,
			...(get('data-astro-source-loc')?.truncated ? {} : lineCol(get('data-astro-source-loc')?.value)),
		};
	const vue = get('data-v-inspector');
	if (vue) {
		if (vue.truncated) return { path: vue };
		const loc = splitLoc(vue.value);
		return { path: { value: loc.path, truncated: false }, line: loc.line, column: loc.column };
	}
	const inspector = get('data-inspector-relative-path');
	if (inspector) {
		return {
			path: inspector,
			...lineCol(get('data-inspector-line')?.value),
			...pick(lineCol(get('data-inspector-column')?.value).line),
		};
	}
	for (const [name, value] of attrs) {
		const m = /^data-((?:[\w-]+-)?source)-(?:file|path)$/.exec(name);
		if (!m) continue;
		const line = lineCol(get(`data-${m[1]}-line`)?.value).line ?? lineCol(get(`data-${m[1]}-loc`)?.value).line;
		const column = lineCol(get(`data-${m[1]}-column`)?.value).line ?? lineCol(get(`data-${m[1]}-loc`)?.value).column;
		if (!value.truncated && line === undefined) {
			const loc = splitLoc(value.value);
			return { path: { value: loc.path, truncated: false }, line: loc.line, column: loc.column };
		}
		return { path: value, line, column };
	}
	return undefined;
}

const pick = (column: number | undefined) => (column === undefined ? {} : { column });

function segmentsOf(path: string): string[] {
	return path
		.replace(/\\/g, '/')
		.replace(/^file:\/\//, '')
		.replace(/^\/@fs\//, '/')
		.split('/')
		.filter((s) => s && s !== '.');
}

/**
 * The candidate file a hint's path names: the one whose path ends with the longest tail of the hint's segments
 * (dev servers write paths relative to their root, or absolute on another machine). Undefined unless exactly one
 * file matches at that length. A shortened path matches by its start, the last segment as a prefix.
 */
function resolvePath(path: TargetValue, files: readonly string[]): string | undefined {
	const hint = segmentsOf(path.value);
	if (!hint.length) return undefined;
	const normalized = files.map((f) => '/' + segmentsOf(f).join('/'));
	for (let k = 0; k < hint.length; k++) {
		const tail = '/' + hint.slice(k).join('/');
		const hits = normalized.flatMap((f, i) =>
			(path.truncated ? f.includes(tail) : f.endsWith(tail)) ? [files[i]] : [],
		);
		if (hits.length === 1) return hits[0];
		if (hits.length > 1) return undefined;
	}
	return undefined;
}

/** The dev-build hint in an element's attributes, resolved to one of the candidate files; undefined when none. */
export function devHint(attrs: ReadonlyMap<string, TargetValue>, files: readonly string[]): DevHint | undefined {
	const hint = readHint(attrs);
	if (!hint) return undefined;
	const file = resolvePath(hint.path, files);
	if (!file) return undefined;
	return { file, ...(hint.line ? { line: hint.line } : {}), ...(hint.column ? { column: hint.column } : {}) };
}

/** Attributes dev builds, frameworks and extensions add to the DOM that no source states. */
export function isAddedAttribute(name: string): boolean {
	return /^(title|autofill-|data-v-|data-astro-|data-svelte|data-inspector-|data-source|data-[\w-]+-source-|data-nimg|data-reactroot|data-gr-|data-new-gr-|data-lt-|_ngcontent-|_nghost-|ng-reflect-|ng-version)/.test(
		name,
	);
}

/** Classes frameworks add (Svelte's and Astro's scoped-style classes, Angular's animation markers). */
export function isAddedClass(name: string): boolean {
	return /^(svelte-[a-z0-9]+|astro-[A-Za-z0-9]{6,}|ng-star-inserted|ng-tns-[\w-]+|ng-trigger(-[\w-]+)?)$/.test(name);
}
