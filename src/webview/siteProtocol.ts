/**
 * Messages between the Site view's webview (a site scan's report) and the extension host, typed like the
 * result panel's (protocol.ts). No `vscode`, no DOM.
 */
import type { SortOrder } from '../format/scanTable';
import type { ErrorInfo, FormFactor, ScanProgressParams, ScanReport, ScanRoute } from '../protocol';
import { IpcMessageType } from './protocol';

/** How far a running scan is, as the last progress notification said. */
export type SiteProgress = Pick<ScanProgressParams, 'phase' | 'discovered' | 'done' | 'total' | 'etaMs'>;

/** What one Site view shows; the host keeps it and sends it whole when the webview (re)loads or the scan ends. */
export interface SiteState {
	/** The scan's id (the history id once it ended). */
	scanId: string;
	startUrl: string;
	formFactors: FormFactor[];
	/**
	 * `running` until the report arrives; `loading` while a stored report is read; `failed` when no report came
	 * (the start URL did not answer, the engine stopped, the scan is not in the history).
	 */
	status: 'running' | 'loading' | 'failed' | ScanReport['status'];
	progress?: SiteProgress;
	/** The routes audited so far (while running), then the report's. */
	routes: ScanRoute[];
	/** The report without its routes (kept in `routes`). */
	report?: Omit<ScanReport, 'routes'>;
	error?: ErrorInfo;
	/** In a static page (`scan --html`): each route's Lighthouse report files beside the page, by route URL. */
	lighthouseReports?: Record<string, Partial<Record<FormFactor, string>>>;
}

/** The Site view's state for a finished report: its routes apart from the rest. */
export function siteStateOf(report: ScanReport): SiteState {
	const { routes, ...rest } = report;
	return {
		scanId: report.id,
		startUrl: report.startUrl,
		formFactors: report.formFactors,
		status: report.status,
		routes,
		report: rest,
	};
}

/**
 * What the webview keeps in `setState` so a reload can restore the view (via the serializer), with the order chosen.
 */
export interface SitePersistedState {
	scanId: string;
	startUrl: string;
	sort?: SortOrder;
}

// Host → webview
/** The whole state (after the webview loaded, and when the scan ended). */
export const SiteInitMessage = new IpcMessageType<{ state: SiteState }>('siteInit');
/** A running scan moved on: its progress and the route that just ended, if any. */
export const SiteProgressMessage = new IpcMessageType<{ progress: SiteProgress; route?: ScanRoute }>('siteProgress');

// Webview → host
export const SiteReadyCommand = new IpcMessageType<Record<string, never>>('siteReady');
/** Open the result panel of a route's audit. */
export const OpenRouteCommand = new IpcMessageType<{ auditId: string }>('openRoute');
/** Scan the site again, afresh (the new scan compares with this one). */
export const RescanCommand = new IpcMessageType<Record<string, never>>('rescan');
