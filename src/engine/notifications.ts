import type { ProgressParams, ProgressState, StageName, StageOutcomes, StageResultParams } from '../protocol';

/** Where a client hears about an audit while it runs. */
export interface AuditListener {
	progress?(params: ProgressParams): void;
	stageResult?(params: StageResultParams): void;
}

interface Subscriber {
	auditId: string;
	listener: AuditListener;
}

/**
 * The notifications step: every caller waiting on a run (one per audit id, several when identical requests
 * share a run) hears its progress and its stage results the moment they are ready, under its own audit id.
 * It also remembers the run's outcomes so far, for a caller that stops waiting before the run ends.
 */
export class Subscribers {
	private readonly byKey = new Map<string, Set<Subscriber>>();
	private readonly seen = new Map<string, { startedAt: number; stages: StageOutcomes; running: Set<string> }>();

	/** Subscribe `listener` to the run of `key`; answers the unsubscribe function. */
	add(key: string, auditId: string, listener: AuditListener): () => void {
		const subscriber: Subscriber = { auditId, listener };
		const subs = this.byKey.get(key) ?? new Set<Subscriber>();
		subs.add(subscriber);
		this.byKey.set(key, subs);
		return () => {
			subs.delete(subscriber);
			if (subs.size === 0 && this.byKey.get(key) === subs) this.byKey.delete(key);
		};
	}

	/** A run of `key` starts: forget what an earlier run of it reported. */
	started(key: string, url: string): void {
		this.seen.set(key, { startedAt: Date.now(), stages: {}, running: new Set() });
		this.progress(key, url, 'audit', 'started');
	}

	/** The run of `key` has ended. */
	ended(key: string): void {
		this.seen.delete(key);
	}

	progress(
		key: string,
		url: string,
		stage: StageName | 'audit',
		state: ProgressState,
		message?: string,
		position?: number,
	): void {
		const seen = this.seen.get(key);
		if (seen && stage !== 'audit') {
			if (state === 'started') seen.running.add(stage);
			else seen.running.delete(stage);
		}
		for (const s of this.byKey.get(key) ?? [])
			s.listener.progress?.({
				auditId: s.auditId,
				url,
				stage,
				state,
				...(message === undefined ? {} : { message }),
				...(position === undefined ? {} : { position }),
			});
	}

	stageResult(key: string, url: string, stages: StageOutcomes): void {
		const seen = this.seen.get(key);
		if (seen) Object.assign(seen.stages, stages);
		for (const s of this.byKey.get(key) ?? []) s.listener.stageResult?.({ auditId: s.auditId, url, stages });
	}

	/**
	 * When the run of `key` left the queue (undefined while it waits), its outcomes so far, and the stages still running.
	 */
	snapshot(key: string): { startedAt?: number; stages: StageOutcomes; running: StageName[] } {
		const seen = this.seen.get(key);
		return {
			startedAt: seen?.startedAt,
			stages: { ...seen?.stages },
			running: [...(seen?.running ?? [])] as StageName[],
		};
	}
}
