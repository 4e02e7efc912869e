import type { AuditListener } from '../engine';
import type { AuditError } from '../errors';
import type { AuditJobData, AuditJobReturn } from './jobs';

/** How a job ended for the audits waiting for it; `earlier` when it had finished before this submitter asked. */
export type JobOutcome = { ret: AuditJobReturn; earlier: boolean } | { error: AuditError };

/** One local audit waiting for a job (several when a URL is given twice, or a scan finds it twice). */
export interface Waiter {
	auditId: string;
	url: string;
	listener: AuditListener;
	/** Resolve or reject this audit's wait; a second call does nothing. */
	settle(outcome: JobOutcome): void;
}

/** A job this submitter waits for: its waiters and the data to put it back with should Redis lose it. */
interface WaitedJob {
	data: AuditJobData;
	waiters: Set<Waiter>;
}

/**
 * Which local audits wait for which queue job, in this process. Several audits of the same URL and options
 * share one job; each hears how it ended once. Redis knows nothing of this; the submitter keeps it in step.
 */
export class JobWaiters {
	private readonly jobs = new Map<string, WaitedJob>();
	/** The job each waiter joined, to tell later whether it stopped waiting. */
	private readonly joined = new WeakMap<Waiter, WaitedJob>();

	/**
	 * Add an audit to those waiting for a job (the first one brings the job's data). `outcome` settles when the
	 * job ends or the waiter is settled alone; a rejection nobody awaits yet is not reported as unhandled.
	 */
	add(
		jobId: string,
		data: AuditJobData,
		who: Omit<Waiter, 'settle'>,
	): { waiter: Waiter; outcome: Promise<{ ret: AuditJobReturn; earlier: boolean }> } {
		let waiter!: Waiter;
		const outcome = new Promise<{ ret: AuditJobReturn; earlier: boolean }>((resolve, reject) => {
			waiter = { ...who, settle: (o) => ('error' in o ? reject(o.error) : resolve(o)) };
		});
		outcome.catch(() => undefined);
		const job = this.jobs.get(jobId) ?? { data, waiters: new Set<Waiter>() };
		job.waiters.add(waiter);
		this.jobs.set(jobId, job);
		this.joined.set(waiter, job);
		return { waiter, outcome };
	}

	/** Whether any audit here still waits for the job. */
	isWaitedFor(jobId: string): boolean {
		return this.jobs.has(jobId);
	}

	/** Whether the waiter stopped waiting (`stopWaiting`); one whose job ended has not. */
	hasStopped(waiter: Waiter): boolean {
		return !this.joined.get(waiter)?.waiters.has(waiter);
	}

	/** The audits waiting for a job, to pass its progress on to. */
	waitersOf(jobId: string): Iterable<Waiter> {
		return this.jobs.get(jobId)?.waiters ?? [];
	}

	/** Every job waited for, with the data to add it again. */
	waitedJobs(): [jobId: string, data: AuditJobData][] {
		return [...this.jobs].map(([jobId, job]) => [jobId, job.data]);
	}

	/**
	 * One audit stops waiting for the job (without being settled); answers true when it was the last one here,
	 * and the job is no longer waited for.
	 */
	stopWaiting(jobId: string, waiter: Waiter): boolean {
		const job = this.jobs.get(jobId);
		if (!job?.waiters.delete(waiter) || job.waiters.size > 0) return false;
		this.jobs.delete(jobId);
		return true;
	}

	/** The job ended: every audit waiting for it hears `outcome` once, and it is no longer waited for. */
	settle(jobId: string, outcome: JobOutcome): boolean {
		const job = this.jobs.get(jobId);
		if (!job) return false;
		this.jobs.delete(jobId);
		for (const w of job.waiters) w.settle(outcome);
		return true;
	}
}
