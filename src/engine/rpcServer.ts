import { type CancellationToken, type MessageConnection, ResponseError } from 'vscode-jsonrpc';
import type { Engine } from './engine';
import {
	auditRequest,
	batchAuditRequest,
	cancelRequest,
	clearCacheRequest,
	configureRequest,
	deleteHistoryRequest,
	type ErrorInfo,
	getReportRequest,
	getResultRequest,
	getScanRequest,
	listHistoryRequest,
	listScansRequest,
	locateRequest,
	progressNotification,
	RpcErrorCodes,
	scanProgressNotification,
	scanRequest,
	shutdownRequest,
	stageResultNotification,
	statsRequest,
} from '../protocol';
import { toErrorInfo } from './errors';
import type { Logger } from './log';
import type { ScanListener } from './scan/scan';
import { parseParams, schemas } from './schemas';

/**
 * Map an engine error to a JSON-RPC error whose `data` is the ErrorInfo. An audit that ran answers with its
 * result, failed or not; only a refused one (invalid, BUSY, cancelled, shutting down) or a bug gets here.
 */
export function toResponseError(err: unknown): ResponseError<ErrorInfo> {
	const info = toErrorInfo(err);
	const code =
		info.code === 'INVALID_PARAMS' || info.code === 'INVALID_URL'
			? RpcErrorCodes.invalidParams
			: info.code === 'BUSY'
				? RpcErrorCodes.busy
				: info.code === 'CANCELLED'
					? RpcErrorCodes.cancelled
					: info.code === 'NOT_FOUND'
						? RpcErrorCodes.notFound
						: info.code === 'SHUTTING_DOWN'
							? RpcErrorCodes.shuttingDown
							: RpcErrorCodes.auditFailed;
	return new ResponseError(code, info.message, info);
}

/** Wrap a handler so that every failure reaches the client as a clear ResponseError. */
function guarded<R>(log: Logger, method: string, fn: (params: unknown, token: CancellationToken) => Promise<R> | R) {
	return async (params: unknown, token: CancellationToken): Promise<R | ResponseError<ErrorInfo>> => {
		try {
			return await fn(params, token);
		} catch (err) {
			const info = toErrorInfo(err);
			if (info.code === 'INTERNAL') log.error(`${method} failed: ${err instanceof Error ? err.stack : String(err)}`);
			return toResponseError(err);
		}
	};
}

/** Register every request of the protocol on `connection`, backed by `engine`. */
export function registerHandlers(
	connection: MessageConnection,
	engine: Engine,
	log: Logger,
	onShutdown: () => void,
): void {
	const listener: ScanListener = {
		progress: (p) => void connection.sendNotification(progressNotification, p).catch(() => undefined),
		stageResult: (p) => void connection.sendNotification(stageResultNotification, p).catch(() => undefined),
		scanProgress: (p) => void connection.sendNotification(scanProgressNotification, p).catch(() => undefined),
	};

	connection.onRequest(
		auditRequest,
		guarded(log, auditRequest.method, (raw, token) => {
			const params = parseParams(schemas.audit, raw, auditRequest.method);
			const auditId = params.auditId ?? `rpc-${Math.random().toString(36).slice(2)}`;
			token.onCancellationRequested(() => engine.cancel(auditId));
			return engine.audit({ ...params, auditId }, listener);
		}),
	);
	connection.onRequest(
		batchAuditRequest,
		guarded(log, batchAuditRequest.method, (raw, token) => {
			const params = parseParams(schemas.batchAudit, raw, batchAuditRequest.method);
			const batchId = params.batchId ?? `batch-${Math.random().toString(36).slice(2)}`;
			token.onCancellationRequested(() => engine.cancel(batchId));
			return engine.batch({ ...params, batchId }, listener);
		}),
	);
	connection.onRequest(
		scanRequest,
		guarded(log, scanRequest.method, (raw, token) => {
			const params = parseParams(schemas.scan, raw, scanRequest.method);
			const scanId = params.scanId ?? `scan-${Math.random().toString(36).slice(2)}`;
			token.onCancellationRequested(() => engine.cancel(scanId));
			return engine.scan({ ...params, scanId }, listener);
		}),
	);
	connection.onRequest(
		listScansRequest,
		guarded(log, listScansRequest.method, (raw) =>
			engine.listScans(parseParams(schemas.listScans, raw ?? {}, listScansRequest.method)),
		),
	);
	connection.onRequest(
		getScanRequest,
		guarded(log, getScanRequest.method, (raw) =>
			engine.getScan(parseParams(schemas.getScan, raw, getScanRequest.method).id),
		),
	);
	connection.onRequest(
		cancelRequest,
		guarded(log, cancelRequest.method, (raw) => ({
			cancelled: engine.cancel(parseParams(schemas.cancel, raw, cancelRequest.method).auditId),
		})),
	);
	connection.onRequest(
		getResultRequest,
		guarded(log, getResultRequest.method, (raw) =>
			engine.getResult(parseParams(schemas.getResult, raw, getResultRequest.method).id),
		),
	);
	connection.onRequest(
		getReportRequest,
		guarded(log, getReportRequest.method, async (raw) => ({
			content: await engine.getReport(parseParams(schemas.getReport, raw, getReportRequest.method)),
		})),
	);
	connection.onRequest(
		locateRequest,
		guarded(log, locateRequest.method, (raw) => engine.locate(parseParams(schemas.locate, raw, locateRequest.method))),
	);
	connection.onRequest(
		listHistoryRequest,
		guarded(log, listHistoryRequest.method, (raw) =>
			engine.listHistory(parseParams(schemas.listHistory, raw ?? {}, listHistoryRequest.method)),
		),
	);
	connection.onRequest(
		deleteHistoryRequest,
		guarded(log, deleteHistoryRequest.method, async (raw) => ({
			deleted: await engine.deleteHistory(parseParams(schemas.deleteHistory, raw, deleteHistoryRequest.method)),
		})),
	);
	connection.onRequest(
		statsRequest,
		guarded(log, statsRequest.method, (raw) => {
			parseParams(schemas.empty, raw, statsRequest.method);
			return engine.stats();
		}),
	);
	connection.onRequest(
		configureRequest,
		guarded(log, configureRequest.method, (raw) =>
			engine.configure(parseParams(schemas.configure, raw, configureRequest.method)),
		),
	);
	connection.onRequest(
		clearCacheRequest,
		guarded(log, clearCacheRequest.method, (raw) => {
			parseParams(schemas.empty, raw, clearCacheRequest.method);
			return { cleared: engine.clearCache() };
		}),
	);
	connection.onRequest(
		shutdownRequest,
		guarded(log, shutdownRequest.method, async () => {
			await engine.close();
			// Answer first, then exit.
			setImmediate(onShutdown);
			return null;
		}),
	);
}
