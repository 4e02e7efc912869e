import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkspaceMapping } from '../../protocol';

/** At most this many files are indexed across the roots: a huge workspace is indexed in part, never for minutes. */
export const MAX_INDEXED_FILES = 20_000;
/** Folders deeper than this are not walked (a deep tree is almost always generated). */
const MAX_DEPTH = 24;
/** Files larger than this are not read (a minified bundle or a data dump has no element to place). */
export const MAX_READ_BYTES = 2 * 1024 * 1024;

/**
 * Folders whose files are not the page's sources: dependencies, VCS data, build output, caches. A mapping that names
 * one is walked anyway.
 */
const SKIPPED_DIRS = new Set([
	'node_modules',
	'.git',
	'.hg',
	'.svn',
	'bower_components',
	'dist',
	'build',
	'out',
	'.next',
	'.nuxt',
	'.output',
	'.svelte-kit',
	'.astro',
	'.vercel',
	'.netlify',
	'.turbo',
	'.parcel-cache',
	'.cache',
	'coverage',
	'target',
	'vendor',
]);

/** Folders a plain site's files are often served from, besides the root itself. */
const STATIC_DIRS = ['', 'public', 'static', 'www', 'src'];

/**
 * The files of the workspace roots, indexed once per locate call (ignoring node_modules, .git, build output
 * folders unless a mapping names them), so a URL path or a source map's source path finds its file in O(1).
 * Every answer is a file inside a root: `..` and symlinks that lead out of the roots are refused.
 *
 * Issue 11, owner: the sources helper. The signatures are the contract the others build on.
 */
export class WorkspaceIndex {
	private readonly texts = new Map<string, Promise<string>>();

	private constructor(
		readonly roots: readonly string[],
		readonly mappings: readonly WorkspaceMapping[],
		/** Every indexed file (absolute path). */
		private readonly files: ReadonlySet<string>,
		/** Indexed files by lower-cased base name, for source paths known only by their tail. */
		private readonly byBase: ReadonlyMap<string, readonly string[]>,
		/** Mappings with their folder resolved (inside a root). */
		private readonly mapped: readonly { urlPath: string; dir: string }[],
		/** True when MAX_INDEXED_FILES cut the walk short. */
		readonly truncated: boolean,
	) {}

	/**
	 * Index `roots` (absolute folders; symlinks resolved). Mappings whose folder is outside every root are ignored:
	 * the index never reaches out of the workspace. At most `maxFiles` (MAX_INDEXED_FILES) files, nearest first.
	 */
	static async open(
		roots: readonly string[],
		mappings: readonly WorkspaceMapping[] = [],
		opts: { maxFiles?: number } = {},
	): Promise<WorkspaceIndex> {
		const maxFiles = opts.maxFiles ?? MAX_INDEXED_FILES;
		const realRoots: string[] = [];
		for (const root of roots) {
			if (!path.isAbsolute(root)) throw new TypeError(`WorkspaceIndex: the root "${root}" is not an absolute path`);
			const real = await fs.realpath(root).catch(() => undefined);
			if (real && !realRoots.includes(real)) realRoots.push(real);
		}
		const within = (p: string): boolean => realRoots.some((r) => isInside(r, p));
		const mapped: { urlPath: string; dir: string }[] = [];
		for (const m of mappings) {
			if (!realRoots[0]) break;
			const dir = await fs.realpath(path.resolve(realRoots[0], m.dir)).catch(() => undefined);
			if (dir && within(dir)) mapped.push({ urlPath: urlPrefix(m.urlPath), dir });
		}
		// Longest prefix first, so `/static/img/` wins over `/static/`.
		mapped.sort((a, b) => b.urlPath.length - a.urlPath.length);
		const mappedDirs = new Set(mapped.map((m) => m.dir));

		const files = new Set<string>();
		const visited = new Set<string>();
		let truncated = false;
		// Breadth first, so a cap keeps the shallow files (pages, top-level sources) rather than one deep corner.
		const queue: { dir: string; depth: number }[] = [...realRoots, ...mappedDirs].map((dir) => ({ dir, depth: 0 }));
		for (let next = 0; next < queue.length && !truncated; next++) {
			const { dir, depth } = queue[next];
			// A folder is walked once, however many links lead to it: symlink loops end here.
			if (visited.has(dir)) continue;
			visited.add(dir);
			const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
			for (const entry of entries) {
				let full = path.join(dir, entry.name);
				let isDir = entry.isDirectory();
				let isFile = entry.isFile();
				if (entry.isSymbolicLink()) {
					const real = await fs.realpath(full).catch(() => undefined);
					if (!real || !within(real)) continue;
					const stat = await fs.stat(real).catch(() => undefined);
					isDir = stat?.isDirectory() ?? false;
					isFile = stat?.isFile() ?? false;
					// A linked folder is indexed where it really is, so each file has one path.
					if (isDir) full = real;
				}
				if (isDir) {
					if (depth < MAX_DEPTH && (!SKIPPED_DIRS.has(entry.name) || mappedDirs.has(full)))
						queue.push({ dir: full, depth: depth + 1 });
				} else if (isFile) {
					if (files.size >= maxFiles) {
						truncated = true;
						break;
					}
					files.add(full);
				}
			}
		}
		const byBase = new Map<string, string[]>();
		for (const file of files) {
			const base = path.basename(file).toLowerCase();
			const list = byBase.get(base);
			if (list) list.push(file);
			else byBase.set(base, [file]);
		}
		return new WorkspaceIndex(realRoots, mappings, files, byBase, mapped, truncated);
	}

	/** How many files are indexed. */
	get size(): number {
		return this.files.size;
	}

	/** True when `file` (absolute) is an indexed workspace file. */
	has(file: string): boolean {
		return this.files.has(file);
	}

	/**
	 * The workspace file a page or static file URL is served from, if any: through a mapping (any host), else by the
	 * roots' layout (`public/`-like folders) for a page on this machine (localhost, 127.x, [::1], *.localhost).
	 */
	fileForUrl(url: string): string | undefined {
		let pathname: string;
		let local: boolean;
		try {
			const u = new URL(url);
			pathname = decodeURIComponent(u.pathname);
			local = isLocalHost(u.hostname);
		} catch {
			return undefined;
		}
		const rel = safeRelative(pathname);
		if (rel === undefined) return undefined;
		const names = rel === '' || rel.endsWith('/') ? [`${rel}index.html`] : [rel, `${rel}.html`, `${rel}/index.html`];
		for (const m of this.mapped) {
			if (!`/${rel}`.startsWith(m.urlPath) && `/${rel}/` !== m.urlPath) continue;
			const inside = `/${rel}`.slice(m.urlPath.length);
			const hit = this.first(
				m.dir,
				inside === '' || inside.endsWith('/')
					? [`${inside}index.html`]
					: [inside, `${inside}.html`, `${inside}/index.html`],
			);
			if (hit) return hit;
		}
		// A page on another machine is not served from this workspace unless a mapping says so: the findings of an
		// unrelated site must not land on a local index.html because both have a `/`.
		if (!local) return undefined;
		for (const root of this.roots) {
			for (const dir of STATIC_DIRS) {
				const hit = this.first(path.join(root, dir), names);
				if (hit) return hit;
			}
		}
		return undefined;
	}

	/**
	 * The workspace file a source map's source is (`webpack://app/./src/App.tsx`, `/@fs/abs/path`, `/src/App.tsx`,
	 * `../src/a.ts`, `file:///abs/path`), if any. `mapUrl` is the map's URL: relative sources are resolved against it
	 * (join a map's `sourceRoot` to the source before calling). A source known only by a tail (`src/App.tsx` under some
	 * build folder) is found by its longest unique path suffix of at least two segments.
	 */
	resolveSource(source: string, mapUrl?: string, near: readonly string[] = []): string | undefined {
		const candidates = sourcePaths(source, mapUrl);
		for (const c of candidates) {
			if (path.isAbsolute(c.path) && c.absolute) {
				const file = path.normalize(c.path);
				if (this.files.has(file)) return file;
			}
		}
		for (const c of candidates) {
			const rel = safeRelative(c.path);
			if (rel === undefined || rel === '') continue;
			for (const root of this.roots) {
				const file = path.join(root, rel);
				if (this.files.has(file)) return file;
			}
		}
		for (const c of candidates) {
			const hit = this.bySuffix(c.path, near);
			if (hit) return hit;
		}
		return undefined;
	}

	/**
	 * A file's text (read once per index); only indexed files, and only up to MAX_READ_BYTES (a larger one reads as
	 * empty).
	 */
	async read(file: string): Promise<string> {
		if (!this.files.has(file))
			throw new Error(`WorkspaceIndex.read: ${file} is not a file of the workspace roots (${this.roots.join(', ')})`);
		let text = this.texts.get(file);
		if (!text) {
			text = (async () => {
				const stat = await fs.stat(file);
				return stat.size > MAX_READ_BYTES ? '' : fs.readFile(file, 'utf8');
			})();
			this.texts.set(file, text);
		}
		return text;
	}

	private first(dir: string, names: readonly string[]): string | undefined {
		for (const name of names) {
			const file = path.join(dir, name);
			if (this.files.has(file)) return file;
		}
		return undefined;
	}

	private bySuffix(p: string, near: readonly string[]): string | undefined {
		const segments = p.split(/[\\/]+/).filter((s) => s !== '' && s !== '.' && s !== '..');
		// A dependency's file is never the workspace's, however its tail reads (`node_modules/react/index.js`).
		if (segments.length < 2 || segments.some((s) => SKIPPED_DIRS.has(s))) return undefined;
		const list = this.byBase.get(segments[segments.length - 1].toLowerCase());
		if (!list) return undefined;
		let best: string[] = [];
		let bestLen = 1;
		for (const file of list) {
			const fileSegs = file.split(path.sep);
			let n = 0;
			while (
				n < segments.length &&
				n < fileSegs.length &&
				fileSegs[fileSegs.length - 1 - n] === segments[segments.length - 1 - n]
			)
				n++;
			if (n > bestLen) {
				best = [file];
				bestLen = n;
			} else if (n === bestLen && best.length) best.push(file);
		}
		if (best.length === 1) return best[0];
		// Two files that end the same way (`packages/web/src/App.tsx`, `packages/admin/src/App.tsx`): the one in the
		// folder of the map's other sources (already found without doubt), when exactly one is; else a guess, so none.
		const closeness = (file: string) => Math.max(0, ...near.map((n) => sharedDirs(file, n)));
		const scored = best.map((file) => ({ file, n: closeness(file) })).sort((a, b) => b.n - a.n);
		return scored.length > 1 && scored[0].n > 0 && scored[0].n > scored[1].n ? scored[0].file : undefined;
	}
}

/** How many leading folders two paths share. */
function sharedDirs(a: string, b: string): number {
	const x = path.dirname(a).split(path.sep);
	const y = path.dirname(b).split(path.sep);
	let n = 0;
	while (n < x.length && n < y.length && x[n] === y[n]) n++;
	return n;
}

/** `child` is `parent` or inside it. */
function isInside(parent: string, child: string): boolean {
	const rel = path.relative(parent, child);
	return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** A URL path prefix with its slashes: `static` → `/static/`. */
function urlPrefix(p: string): string {
	const trimmed = p.replace(/^\/+|\/+$/g, '');
	return trimmed === '' ? '/' : `/${trimmed}/`;
}

/**
 * A URL or source path as a relative path inside a root (posix separators, a trailing `/` kept), or undefined
 * when it would climb out of it (`..`), holds a NUL or a backslash trick.
 */
function safeRelative(p: string): string | undefined {
	if (p.includes('\0') || p.includes('\\')) return undefined;
	const trailing = p.endsWith('/');
	const parts: string[] = [];
	for (const seg of p.split('/')) {
		if (seg === '' || seg === '.') continue;
		if (seg === '..') return undefined;
		parts.push(seg);
	}
	const rel = parts.join('/');
	return trailing && rel !== '' ? `${rel}/` : rel;
}

/** The paths a source map source may name, most specific first; `absolute` marks a file system path. */
function sourcePaths(source: string, mapUrl?: string): { path: string; absolute: boolean }[] {
	const out: { path: string; absolute: boolean }[] = [];
	// Query and hash (`App.vue?vue&type=script`, webpack's `?a1b2`) are not part of the file.
	const bare = source.replace(/[?#].*$/, '');
	const add = (p: string, absolute = false): void => {
		let decoded = p;
		try {
			decoded = decodeURIComponent(p);
		} catch {
			// A stray `%` in a file name: keep it as written.
		}
		// Vite serves files outside its root under `/@fs/<absolute path>`.
		const fsPath = /^\/@fs(\/.*)$/.exec(decoded);
		if (fsPath) out.push({ path: fsPath[1], absolute: true });
		// Turbopack names project files `[project]/src/...`.
		const stripped = decoded.replace(/^\/?\[project\]\//, '/');
		out.push({ path: stripped, absolute: absolute || (path.isAbsolute(stripped) && !fsPath) });
	};
	if (/^file:\/\//i.test(bare)) {
		try {
			add(fileURLToPath(bare), true);
		} catch {
			return out;
		}
		return out;
	}
	// The path after the namespace: `webpack://<name>/./src/App.tsx`, `webpack:///src/App.tsx`,
	// `turbopack:///[project]/…`, `vite://…`.
	const scheme = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)(\/.*)?$/i.exec(bare);
	if (scheme && !/^https?$/i.test(scheme[1])) {
		const rest = scheme[3] ?? '';
		// `webpack:///home/me/app/src/x.ts` (no namespace) may be an absolute path; try that first.
		if (scheme[2] === '') add(rest, true);
		add(rest.replace(/^\/(\.\/)?/, '/'));
		return out;
	}
	if (/^https?:\/\//i.test(bare) || mapUrl) {
		try {
			const resolved = new URL(bare, mapUrl);
			if (/^https?:$/.test(resolved.protocol)) {
				add(resolved.pathname);
				// A path that is absolute on this machine (esbuild and Vite write them into dev maps).
				if (!/^\/@fs\//.test(resolved.pathname)) out.push({ path: safeDecode(resolved.pathname), absolute: true });
			}
		} catch {
			// Not a URL: treated as a path below.
		}
	}
	add(bare, path.isAbsolute(bare));
	return out;
}

function safeDecode(p: string): string {
	try {
		return decodeURIComponent(p);
	} catch {
		return p;
	}
}

/** A host name of this machine: the only pages the workspace layout can be said to serve without a mapping. */
export function isLocalHost(hostname: string): boolean {
	const h = hostname.toLowerCase();
	return (
		h === 'localhost' || h.endsWith('.localhost') || h === '[::1]' || h === '0.0.0.0' || /^127(\.\d{1,3}){3}$/.test(h)
	);
}
