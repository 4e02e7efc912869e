/**
 * `--sarif FILE` and `--root DIR` of `auditlens audit` and `auditlens scan` after the audits: their findings placed
 * in the workspace at DIR (the engine's `locate`) and written as SARIF. A locate that fails costs that page its
 * findings, never the audit's own output. (The flags are parsed and checked in auditOptions.ts.)
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LocateParams, LocateResult, WorkspaceMapping } from '../../protocol';
import { writeFileAtomic } from '../../engine/history/dbFile';
import { toSarif } from '../../engine/sarif';

/** What locating needs of the engine. */
export interface LocateEngine {
	locate(params: LocateParams): Promise<LocateResult>;
}

/**
 * Places the findings of each audit of a command in the workspace at `root`, keeping what the SARIF run needs:
 * the placed pages, and the pages that gave none (their audit failed, or placing them did) with the reason.
 */
export class FindingPlacer {
	readonly located: LocateResult[] = [];
	readonly unlocated: { url: string; message: string }[] = [];

	constructor(
		private readonly engine: LocateEngine,
		readonly root: string,
		private readonly mappings: readonly WorkspaceMapping[] = [],
	) {}

	/**
	 * The findings of the stored audit `id` placed in the root, or why they could not be (a message a person can act on).
	 */
	async place(
		id: string,
		url: string,
	): Promise<{ located: LocateResult; error?: undefined } | { located?: undefined; error: string }> {
		try {
			const located = await this.engine.locate({
				id,
				roots: [this.root],
				...(this.mappings.length ? { mappings: [...this.mappings] } : {}),
			});
			this.located.push(located);
			return { located };
		} catch (err) {
			const error = `could not place the findings of ${url} in ${this.root}: ${(err as Error).message}`;
			this.unlocated.push({ url, message: error });
			return { error };
		}
	}

	/** A page with no findings to place (its audit failed, or did not take place): said in the SARIF run's invocation. */
	skipped(url: string, why: string): void {
		this.unlocated.push({ url, message: `no findings: ${why}` });
	}

	/**
	 * Write the SARIF log to `file` atomically (a reader sees the old file or the new one, never half); answers its
	 * result count.
	 */
	async writeSarif(file: string): Promise<number> {
		const log = toSarif({ root: this.root, pages: this.located, failures: this.unlocated });
		await fs.promises.mkdir(path.dirname(file), { recursive: true });
		await writeFileAtomic(file, Buffer.from(`${JSON.stringify(log, null, 2)}\n`));
		return log.runs[0]?.results?.length ?? 0;
	}
}
