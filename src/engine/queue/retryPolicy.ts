import type { ErrorCode } from '../../protocol';

/**
 * Which failures a worker hands back to BullMQ to retry (with the submitter's attempts and exponential backoff),
 * and which belong to the URL. Retrying a page that answers 500 or is not HTML costs another full audit and gives
 * the same answer; a Chrome that crashed, an engine that was full or shutting down, or a lost connection says
 * nothing about the page, and another attempt (maybe on another worker) can succeed.
 *
 * - `page`: the page's own fault or the audit's outcome. A failed result is returned as the job's result
 *   (completed, not retried); a rejection without a result fails the job unrecoverably.
 * - `transient`: the job throws and BullMQ retries it. On its last attempt a failed result is returned after
 *   all, so the error stays with its URL like any other result.
 *
 * UNREACHABLE is transient: a refused connection or a DNS failure is as often the site restarting (or this
 * worker's network) as a wrong host, and a few retries with backoff are cheap next to a lost URL. TIMEOUT is the
 * page's: a page slow enough to miss the audit timeout once will on a retry too, and each attempt costs the whole
 * timeout. INTERNAL (an unexpected error in the engine) is retried: it is not the page's fault.
 */
export type FailureKind = 'page' | 'transient';

const TRANSIENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['UNREACHABLE', 'CHROME_CRASHED', 'CHROME_NOT_FOUND', 'BUSY', 'SHUTTING_DOWN', 'INTERNAL']);

/** The kind of a failure by its engine error code (see the module comment for the list and why). */
export function failureKind(code: ErrorCode): FailureKind {
	return TRANSIENT.has(code) ? 'transient' : 'page';
}
