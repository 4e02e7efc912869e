import type { WorkspaceMapping } from '../../protocol';

/**
 * The files of the workspace roots, indexed once per locate call (ignoring node_modules, .git, build output
 * folders unless a mapping names them), so a URL path or a source map's source path finds its file in O(1).
 *
 * Issue 11, owner: the sources helper. The signatures are the contract the others build on.
 */
export class WorkspaceIndex {
	private constructor(
		readonly roots: readonly string[],
		readonly mappings: readonly WorkspaceMapping[],
	) {}

	static async open(roots: readonly string[], mappings: readonly WorkspaceMapping[] = []): Promise<WorkspaceIndex> {
		return new WorkspaceIndex(roots, mappings);
	}

	/** The workspace file a page or static file URL is served from (root layout, `public/`-like folders, mappings), if any. */
	fileForUrl(url: string): string | undefined {
		void url;
		throw new Error('WorkspaceIndex.fileForUrl: not built yet (issue 11)');
	}

	/** The workspace file a source map's source is (`webpack://app/./src/App.tsx`, `/@fs/abs/path`, `/src/App.tsx`, `../src/a.ts`), if any. */
	resolveSource(source: string, mapUrl?: string): string | undefined {
		void source;
		void mapUrl;
		throw new Error('WorkspaceIndex.resolveSource: not built yet (issue 11)');
	}

	/** A file's text (read once per index). */
	async read(file: string): Promise<string> {
		void file;
		throw new Error('WorkspaceIndex.read: not built yet (issue 11)');
	}
}
