import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type {
	AuditAuth,
	AuditOptionsInput,
	AuditResult,
	EngineStats,
	ErrorCode,
	FormFactor,
	ProgressParams,
} from '../../protocol';

/**
 * The wire contract between `auditlens audit|scan --redis` (the submitter) and `auditlens worker` (BullMQ
 * workers over Redis). Both sides import this module and nothing else of each other. Everything written into
 * Redis is in this file's shapes; secrets only ever as `SealedSecret`.
 */

/** The BullMQ queue name unless `--queue NAME` is given. */
export const DEFAULT_QUEUE = 'auditlens';

/** The one job name on the queue. */
export const AUDIT_JOB = 'audit';

/** The version of the job data and return value shapes; a worker refuses (unrecoverably) a job of another. */
export const JOB_FORMAT = 1;

/** Environment variable holding the passphrase that seals credentials on the queue (same on submitter and workers). */
export const QUEUE_KEY_ENV = 'AUDITLENS_QUEUE_KEY';

/** What the submitter puts on the queue for one URL. */
export interface AuditJobData {
	format: typeof JOB_FORMAT;
	url: string;
	/** The audit options as the submitter gave them (no secrets in them: they are resolved by the worker's settings). */
	options: AuditOptionsInput;
	/** `auth` sealed with the queue key (`sealSecret(JSON.stringify(auth))`); absent for a signed-out audit. */
	auth?: SealedSecret;
	/** Who submitted it (`host:pid:random`), for logs and stats. Jobs shared by single-flight keep the first one's. */
	submitter: string;
	/** When the submitter asked, epoch ms. */
	submittedAt: number;
}

/** What a worker returns for a job: the result and everything the submitter's history needs, compressed. */
export interface AuditJobReturn {
	format: typeof JOB_FORMAT;
	/** The worker's result as it is; its screenshot paths are the worker's and are rewritten by the submitter. */
	result: AuditResult;
	/** `encodePayload(AuditJobPayload)`: gzip + base64 of the Lighthouse reports and the screenshot files. */
	payload: string;
	/** The worker that ran it (`host:pid`). */
	worker: string;
}

/** The bulky part of a job's return value. */
export interface AuditJobPayload {
	/** The Lighthouse result (LHR JSON) of each form factor that ran. */
	lhrs: Partial<Record<FormFactor, unknown>>;
	/** Screenshot files by the path the result names, base64. */
	files: Record<string, string>;
}

/** Job progress (`job.updateProgress`): the engine's own progress notification, so clients show the same text. */
export type AuditJobProgress = ProgressParams;

/**
 * The job id of an audit: a hash of its cache key, so identical concurrent submissions (from any machine) share
 * one job, as identical requests share one audit inside an engine. BullMQ ids must not contain ':' or be numbers.
 */
export function auditJobId(cacheKey: string): string {
	return `audit-${createHash('sha256').update(cacheKey).digest('hex').slice(0, 40)}`;
}

/**
 * Redis key under which a worker publishes its EngineStats (a JSON `WorkerStats`), refreshed every few seconds, with an
 * expiry.
 */
export function workerStatsKey(queue: string, workerId: string): string {
	return `auditlens:${queue}:workers:${workerId}`;
}

/** What `workerStatsKey` holds. */
export interface WorkerStats {
	worker: string;
	queue: string;
	startedAt: number;
	updatedAt: number;
	concurrency: number;
	/** Jobs this worker finished, by outcome. */
	jobs: { completed: number; failed: number; active: number };
	engine: EngineStats;
}

/** A credential sealed for the queue: AES-256-GCM under a key derived from the queue passphrase. */
export interface SealedSecret {
	alg: 'aes-256-gcm';
	salt: string;
	iv: string;
	tag: string;
	data: string;
}

function queueKey(passphrase: string, salt: Buffer): Buffer {
	return scryptSync(passphrase, salt, 32);
}

/** Seal `plain` with the passphrase (fresh salt and IV each time). */
export function sealSecret(plain: string, passphrase: string): SealedSecret {
	const salt = randomBytes(16);
	const iv = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', queueKey(passphrase, salt), iv);
	const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
	return {
		alg: 'aes-256-gcm',
		salt: salt.toString('base64'),
		iv: iv.toString('base64'),
		tag: cipher.getAuthTag().toString('base64'),
		data: data.toString('base64'),
	};
}

/** Open a sealed secret; throws when the passphrase is not the one it was sealed with or the data was changed. */
export function openSecret(sealed: SealedSecret, passphrase: string): string {
	const decipher = createDecipheriv(
		'aes-256-gcm',
		queueKey(passphrase, Buffer.from(sealed.salt, 'base64')),
		Buffer.from(sealed.iv, 'base64'),
	);
	decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
	return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
}

/** Seal an audit's credentials for the queue. */
export function sealAuth(auth: AuditAuth, passphrase: string): SealedSecret {
	return sealSecret(JSON.stringify(auth), passphrase);
}

/** Open an audit's credentials sealed by `sealAuth`. */
export function openAuth(sealed: SealedSecret, passphrase: string): AuditAuth {
	return JSON.parse(openSecret(sealed, passphrase)) as AuditAuth;
}

export function encodePayload(payload: AuditJobPayload): string {
	return gzipSync(JSON.stringify(payload)).toString('base64');
}

export function decodePayload(encoded: string): AuditJobPayload {
	return JSON.parse(gunzipSync(Buffer.from(encoded, 'base64')).toString('utf8')) as AuditJobPayload;
}

/**
 * The BullMQ Relay topic on which a submitter asks the workers of `queue` to cancel a running job (BullMQ's own
 * mechanism, docs.bullmq.io "Cancelling jobs on other workers"): every worker subscribes with a `Relay` of default
 * prefix and namespace on the queue's Redis; the one running the job aborts it, the others ignore the message. A
 * message reaches only the workers alive when it is published: remove a job that is not active (`job.remove()`)
 * and publish only when that fails because a worker holds it. A cancelled job fails unrecoverably (not retried).
 */
export function cancelTopic(queue: string): string {
	return `jobs.${queue}.cancel`;
}

/** What is published on `cancelTopic`. */
export interface CancelRequest {
	jobId: string;
	/** Shown in the job's failure, e.g. `cancelled by the submitter (Ctrl-C)`. */
	reason?: string;
}

/**
 * A job's `failedReason`, as a worker writes it: `CODE: message` (the engine's ErrorCode), so the submitter can
 * report the error with its URL as a local audit would. A reason without a code reads as INTERNAL.
 */
export function jobFailure(error: { code: ErrorCode; message: string }): string {
	return `${error.code}: ${error.message}`;
}

/** The ErrorInfo in a job's `failedReason` written by `jobFailure`. */
export function parseJobFailure(reason: string): { code: ErrorCode; message: string } {
	const m = /^([A-Z_]+): ([\s\S]*)$/.exec(reason);
	return m ? { code: m[1] as ErrorCode, message: m[2] } : { code: 'INTERNAL', message: reason };
}
