/** The status bar item: scores of the latest audit and their change since the previous one. */
import * as vscode from 'vscode';
import type { AuditResult, HistoryEntry } from '../../protocol';
import { CATEGORIES } from '../../protocol';
import { cacheLabel, stageProblems } from '../../format/status';
import { crossMajorMark, crossMajorNote, runsLighthouseVersion } from '../../format/insights';
import {
	CATEGORY_LABEL,
	FORM_FACTOR_LABEL,
	formatDelta,
	primaryFormFactor,
	scoreDelta,
	scoresLine,
	scoresOfResult,
	toPercent,
} from '../../format/scores';

export class AuditStatusBar implements vscode.Disposable {
	private readonly item = vscode.window.createStatusBarItem('auditlens.latest', vscode.StatusBarAlignment.Left, 10);
	private latestId: string | undefined;

	constructor() {
		this.item.name = 'AuditLens: latest audit';
		this.item.text = '$(pulse) AuditLens';
		this.item.tooltip = 'AuditLens: audit a URL';
		this.item.command = 'auditlens.auditUrl';
		this.item.show();
	}

	/** What the item says now (for tests). */
	get text(): string {
		return this.item.text;
	}

	/** The result shown, if any. */
	get resultId(): string | undefined {
		return this.latestId;
	}

	private running = new Map<string, string>();
	private idle: { text: string; tooltip: vscode.StatusBarItem['tooltip']; backgroundColor?: vscode.ThemeColor } = {
		text: '$(pulse) AuditLens',
		tooltip: 'AuditLens: audit a URL',
	};

	/** An audit started: a spinner until it ends (`ended`). */
	started(auditId: string, url: string): void {
		this.running.set(auditId, url);
		this.render();
	}

	/** An audit ended without a result to show (failed or cancelled). */
	ended(auditId: string): void {
		this.running.delete(auditId);
		this.render();
	}

	private render(): void {
		const urls = [...this.running.values()];
		if (urls.length) {
			this.item.text = `$(sync~spin) AuditLens: ${urls.length === 1 ? shortUrl(urls[0]) : `${urls.length} audits`}`;
			this.item.tooltip = `AuditLens: auditing ${urls.join(', ')}`;
			this.item.backgroundColor = undefined;
		} else {
			this.item.text = this.idle.text;
			this.item.tooltip = this.idle.tooltip;
			this.item.backgroundColor = this.idle.backgroundColor;
		}
	}

	showResult(auditId: string, result: AuditResult, previous?: HistoryEntry): void {
		this.running.delete(auditId);
		this.latestId = result.id;
		const scores = scoresOfResult(result);
		const ff = primaryFormFactor(scores);
		const problems = stageProblems(result);
		const cached = cacheLabel(result, Date.now());
		if (result.status === 'failed' || !ff) {
			this.item.text = `$(error) AuditLens: ${result.status === 'failed' ? `failed: ${result.error?.code ?? 'INTERNAL'}` : 'no scores'}`;
			this.item.tooltip = [
				result.url,
				result.error?.message ?? 'Lighthouse produced no scores.',
				...problems.map((p) => `${p.label}: ${p.message}`),
			].join('\n');
			this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
		} else {
			const line = scoresLine(scores[ff], previous?.scores[ff]);
			const partial = result.status === 'partial' || problems.length > 0;
			const version = runsLighthouseVersion(result.stages, result.lighthouseVersion);
			const mark = previous ? crossMajorMark(version, previous.lighthouseVersion) : '';
			this.item.text = `${partial ? '$(warning)' : '$(pulse)'} ${result.options.devServer ? 'dev ' : ''}${line}${mark ? ` · ${mark}` : ''}${partial ? ' · partial' : ''}${cached ? ' · cached' : ''}`;
			this.item.backgroundColor = partial ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
			const md = new vscode.MarkdownString(undefined, true);
			md.appendText(
				`${result.url}${result.options.devServer ? ' (development build)' : ''}${cached ? ` (${cached})` : ''}\n\n`,
			);
			if (partial)
				md.appendText(
					`Partial result: ${problems.map((p) => `${p.label}: ${p.message}`).join('; ') || 'some stages did not finish'}\n\n`,
				);
			md.appendMarkdown(
				`| | ${CATEGORIES.map((c) => CATEGORY_LABEL[c]).join(' | ')} |\n|---|${CATEGORIES.map(() => '---:').join('|')}|\n`,
			);
			for (const f of ['mobile', 'desktop'] as const) {
				const s = scores[f];
				if (!s) continue;
				const cells = CATEGORIES.map((c) => {
					const p = toPercent(s[c]);
					const d = formatDelta(scoreDelta(s[c], previous?.scores[f]?.[c]));
					return p === undefined ? '–' : d ? `${p} (${d})` : `${p}`;
				});
				md.appendMarkdown(`| ${FORM_FACTOR_LABEL[f]} | ${cells.join(' | ')} |\n`);
			}
			const note = previous ? crossMajorNote(version, previous.lighthouseVersion) : undefined;
			md.appendMarkdown(
				previous
					? `\nChanges are against the audit of ${new Date(previous.requestedAt).toLocaleString()}.`
					: '\nFirst audit of this URL.',
			);
			if (note) md.appendText(` ${note}.`);
			if (version) md.appendText(`\n\nLighthouse ${version}`);
			this.item.tooltip = md;
		}
		this.item.command = { title: 'Open result', command: 'auditlens.history.open', arguments: [result.id] };
		this.idle = { text: this.item.text, tooltip: this.item.tooltip, backgroundColor: this.item.backgroundColor };
		this.render();
	}

	/** A short, quiet message (e.g. audit on save skipped). */
	flash(text: string, ms = 5_000): vscode.Disposable {
		return vscode.window.setStatusBarMessage(text, ms);
	}

	dispose(): void {
		this.item.dispose();
	}
}

export function shortUrl(url: string): string {
	try {
		const u = new URL(url);
		const p = u.pathname === '/' ? '' : u.pathname;
		return `${u.host}${p}`.slice(0, 40);
	} catch {
		return url.slice(0, 40);
	}
}
