/** Errors as values: a machine-readable code and a message a person can act on. */

/** Machine-readable error codes. Every error also carries a message a person can act on. */
export type ErrorCode =
	| 'INVALID_URL'
	| 'INVALID_PARAMS'
	| 'UNREACHABLE'
	| 'HTTP_ERROR'
	| 'NOT_HTML'
	| 'REDIRECT_LOOP'
	| 'TIMEOUT'
	| 'CANCELLED'
	| 'BUSY'
	| 'CHROME_NOT_FOUND'
	| 'CHROME_CRASHED'
	| 'LIGHTHOUSE_ERROR'
	| 'CAPTURE_ERROR'
	| 'LOGIN_ERROR'
	| 'AI_ERROR'
	| 'CRUX_ERROR'
	| 'SHUTTING_DOWN'
	| 'NOT_FOUND'
	| 'INTERNAL';

export interface ErrorInfo {
	code: ErrorCode;
	message: string;
}
