import type { AuditResult, ErrorCode, ErrorInfo, StageName } from '../../protocol';

/**
 * Which failures a worker hands back to BullMQ to retry (with the submitter's attempts and exponential backoff),
 * and which belong to the URL. Retrying a page that answers 500 or is not HTML costs another full audit and gives
 * the same answer; a Chrome that crashed, an engine that was full or shutting down, or a lost connection says
 * nothing about the page, and another attempt (maybe on another worker) can succeed.
 *
 * - `page`: the page's own fault or the audit's outcome. A failed result is returned as the job's result
 *   (completed, not retried); a rejection without a result fails the job unrecoverably.
 * - `transient`: the job throws and BullMQ retries it. On its last attempt a failed result is returned after
 *   all, so the error stays with its URL like any other result. A partial result is retried too when a stage
 *   that loads the page (Lighthouse, capture) failed for such a reason: a Chrome that crashed mid-run says nothing
 *   about the page. The AI and CrUX stages' errors are their remote services' (with their own breakers), and
 *   retrying them would redo the whole audit.
 *
 * UNREACHABLE is transient: a refused connection or a DNS failure is as often the site restarting (or this
 * worker's network) as a wrong host, and a few retries with backoff are cheap next to a lost URL. TIMEOUT is the
 * page's: a page slow enough to miss the audit timeout once will on a retry too, and each attempt costs the whole
 * timeout. INTERNAL (an unexpected error in the engine) is retried: it is not the page's fault.
 */
export type FailureKind = 'page' | 'transient';

const TRANSIENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
	'UNREACHABLE',
	'CHROME_CRASHED',
	'CHROME_NOT_FOUND',
	'BUSY',
	'SHUTTING_DOWN',
	'INTERNAL',
]);

/** The kind of a failure by its engine error code (see the module comment for the list and why). */
export function failureKind(code: ErrorCode): FailureKind {
	return TRANSIENT.has(code) ? 'transient' : 'page';
}

/** The stages whose transient errors make a partial result worth another attempt: they load the page in a Chrome. */
const PAGE_STAGES: readonly StageName[] = ['lighthouse-mobile', 'lighthouse-desktop', 'capture'];

/** Why a finished audit should be tried again (a transient failure, see above), or undefined to return it. */
export function retryReason(result: AuditResult): ErrorInfo | undefined {
	if (result.status === 'failed')
		return result.error && failureKind(result.error.code) === 'transient' ? result.error : undefined;
	if (result.status !== 'partial') return undefined;
	return PAGE_STAGES.map((stage) => result.stageErrors?.[stage]).find(
		(e) => e !== undefined && failureKind(e.code) === 'transient',
	);
}
