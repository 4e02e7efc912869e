/**
 * Messages between the result panel's webview and the extension host, each declared once as a typed
 * message type with an `is()` guard (GitLens' webview protocol). No `vscode`, no DOM.
 */
import type { AuditResult, ErrorInfo, FormFactor, ProgressState, StageName, StageOutcomes } from '../protocol';

export interface IpcMessage<P> {
	method: string;
	params: P;
}

export class IpcMessageType<P> {
	constructor(readonly method: string) {}

	is(msg: unknown): msg is IpcMessage<P> {
		return (
			typeof msg === 'object' && msg !== null && (msg as { method?: unknown }).method === this.method && 'params' in msg
		);
	}

	create(params: P): IpcMessage<P> {
		return { method: this.method, params };
	}
}

/** What one panel shows; the host keeps it and sends it whole when the webview (re)loads. */
export interface PanelState {
	url: string;
	auditId?: string;
	resultId?: string;
	devServer: boolean;
	status: 'running' | 'done' | 'failed';
	progress: Partial<Record<StageName, ProgressState>>;
	stages: StageOutcomes;
	/** The result without its stages (kept in `stages`). */
	result?: Omit<AuditResult, 'stages'>;
	/** The previous audit of the same URL, for the comparison. */
	previous?: { id: string; requestedAt: string; stages: StageOutcomes };
	error?: ErrorInfo;
	/** Screenshot file path → webview URI. */
	images: Record<string, string>;
	/** The audit-on-save panel of a URL: it shows that URL's latest audit, after a window reload too. */
	followsLatest?: boolean;
}

/** What the webview keeps in `setState` so a reload can restore the panel (via the serializer). */
export interface PersistedState {
	url: string;
	resultId?: string;
	followsLatest?: boolean;
}

// Host → webview
/** The whole state (after the webview loaded, or a new audit in this panel). */
export const InitMessage = new IpcMessageType<{ state: PanelState }>('init');
/** Stage outcomes that arrived; merged into what is shown. */
export const StagesMessage = new IpcMessageType<{ stages: StageOutcomes; images: Record<string, string> }>('stages');
/** A stage changed state. */
export const ProgressMessage = new IpcMessageType<{ stage: StageName; state: ProgressState }>('progress');
/** The audit finished (or failed): final result fields, the previous audit, any error. */
export const DoneMessage = new IpcMessageType<{
	result?: Omit<AuditResult, 'stages'>;
	stages: StageOutcomes;
	previous?: PanelState['previous'];
	error?: ErrorInfo;
	images: Record<string, string>;
}>('done');

// Webview → host
export const ReadyCommand = new IpcMessageType<Record<string, never>>('ready');
export const OpenReportCommand = new IpcMessageType<{ formFactor: FormFactor }>('openReport');
export const ExportCommand = new IpcMessageType<Record<string, never>>('export');
export const RerunCommand = new IpcMessageType<Record<string, never>>('rerun');
