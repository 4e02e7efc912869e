/**
 * Turns the engine's per-stage progress notifications of one audit into increments and messages
 * for a progress notification. Pure: no `vscode`.
 */
import type { ProgressParams } from '../../protocol';
import type { FormFactor, StageName } from '../../protocol';
import { STAGE_LABEL } from '../../format/status';

const FINISHED = new Set(['done', 'error', 'skipped', 'cancelled']);

/** The stages an audit is expected to run before the engine says otherwise. */
export function expectedStages(formFactors: readonly FormFactor[]): StageName[] {
	return [...formFactors.map((ff) => `lighthouse-${ff}` as const), 'capture', 'cro'];
}

export interface ProgressStep {
	/** Percent to add to the progress bar (0..100 in total). */
	increment: number;
	message: string;
}

export class AuditProgress {
	private readonly states = new Map<StageName, string>();
	private reported = 0;
	private queued: number | undefined;

	constructor(expected: readonly StageName[]) {
		for (const s of expected) this.states.set(s, 'expected');
	}

	/** Apply one notification; the progress step to report. */
	update(p: ProgressParams): ProgressStep {
		if (p.stage === 'audit') {
			if (p.state === 'queued') this.queued = p.position;
			if (p.state === 'started') this.queued = undefined;
			if (p.state === 'done') return this.step('Finishing…', 100);
		} else {
			this.queued = undefined;
			this.states.set(p.stage, p.state);
		}
		return this.step(this.describe());
	}

	/** Stages finished and known. */
	get counts(): { finished: number; total: number } {
		let finished = 0;
		for (const s of this.states.values()) if (FINISHED.has(s)) finished++;
		return { finished, total: this.states.size };
	}

	private describe(): string {
		if (this.queued !== undefined) return `Queued (position ${this.queued})`;
		const running = [...this.states].filter(([, s]) => s === 'started').map(([n]) => STAGE_LABEL[n]);
		const { finished, total } = this.counts;
		const head = running.length ? `Running ${running.join(', ')}` : finished === total ? 'Finishing' : 'Waiting';
		return `${head} · ${finished}/${total} stages`;
	}

	private step(message: string, target?: number): ProgressStep {
		const { finished, total } = this.counts;
		// Keep 5% back until the audit itself is done: the result still has to be stored and sent.
		const goal = target ?? (total ? Math.min(95, Math.round((finished / total) * 95)) : 0);
		const increment = Math.max(0, goal - this.reported);
		this.reported += increment;
		return { increment, message };
	}
}
