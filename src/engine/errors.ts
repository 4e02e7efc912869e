import type { ErrorCode, ErrorInfo } from '../protocol';

/** An error a person can act on: a code for programs and a message for people. */
export class AuditError extends Error {
	constructor(
		readonly code: ErrorCode,
		message: string,
	) {
		super(message);
		this.name = 'AuditError';
	}

	toInfo(): ErrorInfo {
		return { code: this.code, message: this.message };
	}
}

/**
 * A setting or argument given to the engine that is not valid (a Redis URL, a queue name, a flag of the engine
 * process): the caller's mistake, said before anything runs. A command line shows it as a usage error.
 */
export class ConfigError extends Error {
	override name = 'ConfigError';
}

/** Turn anything thrown into an ErrorInfo, keeping AuditError codes. */
export function toErrorInfo(err: unknown, fallback: ErrorCode = 'INTERNAL'): ErrorInfo {
	if (err instanceof AuditError) return err.toInfo();
	if (err instanceof Error && err.name === 'AbortError')
		return { code: 'CANCELLED', message: 'The audit was cancelled.' };
	const message = err instanceof Error ? err.message : String(err);
	return { code: fallback, message };
}

/** The error an aborted signal stands for: its reason when that is an Error, else CANCELLED. */
export function abortError(signal: AbortSignal, message = 'The audit was cancelled.'): Error {
	return signal.reason instanceof Error ? signal.reason : new AuditError('CANCELLED', message);
}

/** Throw the signal's reason as an AuditError when it is aborted. */
export function throwIfAborted(signal: AbortSignal): void {
	if (!signal.aborted) return;
	const reason: unknown = signal.reason;
	if (reason instanceof AuditError) throw reason;
	throw new AuditError('CANCELLED', 'The audit was cancelled.');
}
