/**
 * The history view: the site scans (newest first, opening their Site view), then one node per audited URL
 * (newest activity first), its audits newest first, scores and their change against the previous audit in
 * the labels. Refreshed when audits and scans finish.
 */
import * as vscode from 'vscode';
import { scanStatusWord, scanSummaryLine } from '../../format/scanTable';
import { listHistoryRequest, listScansRequest } from '../../protocol';
import type { AuditStatus, HistoryEntry, ScanSummary, UrlSummary } from '../../protocol';
import type { Ctx } from '../ctx';
import { errorMessage } from '../engine/engineClient';
import { shortUrl } from './statusBar';
import { entryLine } from '../../format/scores';
import { crossMajorNote } from '../../format/insights';

export type HistoryNode =
	| { kind: 'url'; summary: UrlSummary }
	| { kind: 'audit'; entry: HistoryEntry; previous?: HistoryEntry }
	| { kind: 'scans'; scans: ScanSummary[] }
	| { kind: 'scan'; summary: ScanSummary }
	| { kind: 'message'; text: string; tooltip?: string };

export const HISTORY_VIEW_ID = 'auditlens.history';
const AUDITS_PER_URL = 50;
const SCANS_LISTED = 50;

export class HistoryTreeProvider implements vscode.TreeDataProvider<HistoryNode>, vscode.Disposable {
	private readonly changed = new vscode.EventEmitter<HistoryNode | undefined>();
	readonly onDidChangeTreeData = this.changed.event;

	constructor(private readonly ctx: Ctx) {}

	refresh(): void {
		this.changed.fire(undefined);
	}

	dispose(): void {
		this.changed.dispose();
	}

	async getChildren(node?: HistoryNode): Promise<HistoryNode[]> {
		try {
			if (!node) {
				const [{ urls = [] }, scans] = await Promise.all([
					this.ctx.client.request(listHistoryRequest, {}, 'list history'),
					this.scans(),
				]);
				const byUrl = [...urls]
					.sort((a, b) => b.latest.requestedAt.localeCompare(a.latest.requestedAt))
					.map((summary): HistoryNode => ({ kind: 'url', summary }));
				return scans.length ? [{ kind: 'scans', scans }, ...byUrl] : byUrl;
			}
			if (node.kind === 'scans') return node.scans.map((summary) => ({ kind: 'scan', summary }));
			if (node.kind !== 'url') return [];
			const { entries = [] } = await this.ctx.client.request(
				listHistoryRequest,
				{ url: node.summary.url, limit: AUDITS_PER_URL },
				'list history',
			);
			const sorted = [...entries].sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
			return sorted.map((entry, i) => ({
				kind: 'audit',
				entry,
				previous: sorted.slice(i + 1).find((e) => hasScores(e)),
			}));
		} catch (err) {
			return [{ kind: 'message', text: 'History unavailable', tooltip: errorMessage(err) }];
		}
	}

	/** The site scans, newest first; none when the engine cannot list them (the URLs are still shown). */
	private async scans(): Promise<ScanSummary[]> {
		try {
			const { scans } = await this.ctx.client.request(listScansRequest, { limit: SCANS_LISTED }, 'list scans');
			return [...scans].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
		} catch (err) {
			this.ctx.log.warn(`listing site scans: ${errorMessage(err)}`);
			return [];
		}
	}

	getTreeItem(node: HistoryNode): vscode.TreeItem {
		switch (node.kind) {
			case 'scans': {
				const item = new vscode.TreeItem('Site scans', vscode.TreeItemCollapsibleState.Expanded);
				item.id = 'scans';
				item.description = String(node.scans.length);
				item.iconPath = new vscode.ThemeIcon('globe');
				item.contextValue = 'auditlens.scans';
				return item;
			}
			case 'scan': {
				const s = node.summary;
				const item = new vscode.TreeItem(
					`${shortUrl(s.startUrl)} · ${new Date(s.startedAt).toLocaleString()}`,
					vscode.TreeItemCollapsibleState.None,
				);
				item.id = `scan:${s.id}`;
				item.description = scanSummaryLine(s);
				item.tooltip = `${s.startUrl}\nScanned ${new Date(s.startedAt).toLocaleString()} in ${Math.round(s.durationMs / 1000)} s: ${scanStatusWord(s.status)}\n${item.description}`;
				item.iconPath =
					s.status === 'cancelled' ? new vscode.ThemeIcon('circle-slash') : statusIcon(s.failed ? 'partial' : 'ok');
				item.contextValue = 'auditlens.scan';
				item.command = { title: 'Open Site Report', command: 'auditlens.scans.open', arguments: [node] };
				return item;
			}
			case 'url': {
				const item = new vscode.TreeItem(node.summary.url, vscode.TreeItemCollapsibleState.Collapsed);
				item.id = `url:${node.summary.url}`;
				item.description = entryLine(node.summary.latest);
				item.tooltip = `${node.summary.url}\n${node.summary.audits} audit(s), latest ${new Date(node.summary.latest.requestedAt).toLocaleString()}`;
				item.iconPath =
					node.summary.latest.status === 'ok' ? new vscode.ThemeIcon('globe') : statusIcon(node.summary.latest.status);
				item.contextValue = 'auditlens.url';
				return item;
			}
			case 'audit': {
				const { entry, previous } = node;
				const item = new vscode.TreeItem(
					new Date(entry.requestedAt).toLocaleString(),
					vscode.TreeItemCollapsibleState.None,
				);
				item.id = `audit:${entry.id}`;
				item.description = entryLine(entry, previous);
				item.tooltip = [
					entry.url,
					STATUS_TEXT[entry.status] + (entry.error ? `: ${entry.error.message}` : ''),
					hasScores(entry) ? String(item.description) : '',
					previous && hasScores(entry) ? changesAgainst(entry, previous) : '',
				]
					.filter(Boolean)
					.join('\n');
				item.iconPath = statusIcon(entry.status);
				item.contextValue = 'auditlens.audit';
				item.command = { title: 'Open Result', command: 'auditlens.history.open', arguments: [node] };
				return item;
			}
			case 'message': {
				const item = new vscode.TreeItem(node.text);
				item.tooltip = node.tooltip;
				item.iconPath = new vscode.ThemeIcon('warning');
				return item;
			}
		}
	}
}

const STATUS_TEXT: Record<AuditStatus, string> = {
	ok: 'Complete',
	partial: 'Partial: some stages failed',
	failed: 'Failed',
};

/** Pass, warning (partial) or error (failed), coloured like problems in other views. */
export function statusIcon(status: AuditStatus): vscode.ThemeIcon {
	if (status === 'failed') return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
	if (status === 'partial') return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
	return new vscode.ThemeIcon('pass');
}

/** `Changes against <date>`, and why they may mislead when another Lighthouse major made the previous audit. */
function changesAgainst(entry: HistoryEntry, previous: HistoryEntry): string {
	const note = crossMajorNote(entry.lighthouseVersion, previous.lighthouseVersion);
	return `Changes against ${new Date(previous.requestedAt).toLocaleString()}${note ? ` (${note})` : ''}`;
}

/** A failed audit has no scores to compare with. */
function hasScores(entry: HistoryEntry): boolean {
	return entry.status !== 'failed';
}
