import type { AuditOptions, EngineSettings, StageDataMap, StageName, StageOutcome } from '../../protocol';
import type { AuthPlan } from '../auth/authRequest';
import type { Logger } from '../log';

/** What a stage sees of the audit it belongs to. */
export interface StageContext {
	readonly auditId: string;
	/** The normalised URL being audited. */
	readonly url: string;
	readonly options: AuditOptions;
	/** A snapshot of the engine settings taken when the audit started. */
	readonly settings: Readonly<EngineSettings>;
	/** Aborted on cancel, timeout or engine shutdown; a stage must stop promptly and release what it holds. */
	readonly signal: AbortSignal;
	/** Folder where this audit may write files (screenshots); created on demand by the stage. */
	readonly artifactsDir: string;
	readonly log: Logger;
	/** Credentials of a signed-in audit: the browsers that load the page use them. */
	readonly auth?: AuthPlan;
	/** Another stage's outcome once it has finished (undefined if that stage is not part of this audit). */
	outcome<K extends StageName>(name: K): Promise<StageOutcome<StageDataMap[K]> | undefined>;
	/** Keep a large artifact beside the result (e.g. the Lighthouse JSON as `lhr:mobile`) for the result store. */
	keep(key: string, value: unknown): void;
	/**
	 * Hand something to another stage of this audit before this stage's outcome (e.g. the capture a Lighthouse run took).
	 */
	share(key: string, value: unknown): void;
	/**
	 * Resolves with what another stage shares under `key`, once it does (never, if it does not: race it with that stage's
	 * outcome).
	 */
	shared(key: string): Promise<unknown>;
}

/**
 * One stage of an audit. Gathering stages talk to a browser; rule stages are pure functions over
 * other stages' data. Stages of one audit run concurrently; a stage that depends on another awaits
 * `ctx.outcome(name)`.
 */
export interface Stage<K extends StageName = StageName> {
	readonly name: K;
	/** A reason to skip this stage for this audit, or undefined to run it. */
	skipReason(ctx: StageContext): string | undefined;
	run(ctx: StageContext): Promise<StageDataMap[K]>;
}
