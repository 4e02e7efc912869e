/**
 * Findings in the Problems panel (vscode-eslint's way: the engine places findings, the client shows them): after
 * each audit, the engine's `locate` puts its findings on workspace files and lines, and they replace what the
 * previous audit of that URL showed. A CodeActionProvider offers each finding's quick fix; edits are only ever
 * made when the person picks one.
 */
import * as vscode from 'vscode';
import { locateRequest } from '../../protocol';
import type { AuditStatus, LocatedFinding } from '../../protocol';
import type { Ctx } from '../ctx';
import { errorMessage } from '../engine/engineClient';
import { DiagnosticsByUrl, diagnosticSpecs, type DiagnosticSpec, type ZeroRange } from './findingDiagnostics';
import { isJsxFile, quickFixPlan, type TextInsert } from './quickFixEdits';

export const DIAGNOSTIC_SOURCE = 'AuditLens';

/** What the Problems panel needs of an audit: a result, or a history entry. */
export interface AuditRef {
	id: string;
	url: string;
	requestedAt: string;
	status: AuditStatus;
}

/** What changed in the Problems panel: a URL's diagnostics (from an audit, or cleared), or why they could not be. */
export interface ProblemsUpdate {
	url: string;
	/** The audit shown now; absent when the URL's diagnostics were cleared. */
	auditId?: string;
	/** Placing the audit's findings failed: the previous diagnostics stay. */
	error?: string;
}

export class FindingProblems implements vscode.Disposable {
	private readonly collection = vscode.languages.createDiagnosticCollection('auditlens');
	private readonly store = new DiagnosticsByUrl();
	/** The finding behind each diagnostic shown, by diagnostic key (the provider may get copies of them). */
	private readonly findings = new Map<string, LocatedFinding>();
	/** The newest audit of each URL asked for: an older one that arrives later (a slow locate) is dropped. */
	private readonly latest = new Map<string, AuditRef>();
	private readonly updated = new vscode.EventEmitter<ProblemsUpdate>();
	/** The diagnostics of a URL were replaced or cleared, or placing an audit's findings failed (for tests). */
	readonly onDidUpdate = this.updated.event;

	constructor(private readonly ctx: Ctx) {}

	/**
	 * Show the findings of `audit` in place of those of the URL's previous audit. A failed audit says nothing about
	 * the code and a failing locate is logged: both leave the previous diagnostics. Never throws.
	 */
	async show(audit: AuditRef): Promise<void> {
		const current = this.latest.get(audit.url);
		if (current && current.requestedAt > audit.requestedAt) return;
		this.latest.set(audit.url, audit);
		if (audit.status === 'failed' || !this.ctx.config.diagnosticsEnabled) return;
		const roots = (vscode.workspace.workspaceFolders ?? [])
			.filter((f) => f.uri.scheme === 'file')
			.map((f) => f.uri.fsPath);
		if (!roots.length) return;
		const problems: string[] = [];
		const mappings = this.ctx.config.locateMappings(problems);
		for (const p of problems) this.ctx.log.warn(p);
		try {
			const located = await this.ctx.client.request(
				locateRequest,
				{ id: audit.id, roots, mappings },
				`place the findings of ${audit.url}`,
			);
			// Another audit of the URL, or the setting, may have changed while the engine worked.
			if (this.latest.get(audit.url) !== audit || !this.ctx.config.diagnosticsEnabled) return;
			const specs = diagnosticSpecs(audit.url, located.findings);
			this.ctx.log.info(
				`problems: ${audit.url}: ${specs.length} of ${located.findings.length} finding(s) on workspace files (${located.ms} ms)`,
			);
			this.apply(this.store.set(audit.url, specs));
			this.updated.fire({ url: audit.url, auditId: audit.id });
		} catch (err) {
			this.ctx.log.warn(
				`problems: could not place the findings of ${audit.url} (audit ${audit.id}) in the workspace; the Problems panel keeps what it showed: ${errorMessage(err)}`,
			);
			this.updated.fire({ url: audit.url, auditId: audit.id, error: errorMessage(err) });
		}
	}

	/** Show the findings of a history entry when it is its URL's newest audit (opened from the history). */
	async showIfNewest(audit: AuditRef, newestId: () => Promise<string | undefined>): Promise<void> {
		if (!this.ctx.config.diagnosticsEnabled) return;
		try {
			if ((await newestId()) === audit.id) await this.show(audit);
		} catch (err) {
			this.ctx.log.warn(`problems: ${audit.url}: ${errorMessage(err)}`);
		}
	}

	/** The URL's history was deleted: its diagnostics go. */
	clearUrl(url: string): void {
		this.latest.delete(url);
		this.apply(this.store.delete(url));
		this.updated.fire({ url });
	}

	/** One audit was deleted: the diagnostics go if they were its. */
	clearAudit(id: string): void {
		for (const [url, audit] of this.latest) if (audit.id === id) this.clearUrl(url);
	}

	/** The whole history was deleted. */
	clearAll(): void {
		this.latest.clear();
		this.apply(this.store.clear());
	}

	/** `auditlens.diagnostics.enabled` or the mappings changed: clear, or place the latest audits again. */
	settingsChanged(): void {
		if (!this.ctx.config.diagnosticsEnabled) {
			this.apply(this.store.clear());
			return;
		}
		for (const audit of [...this.latest.values()]) void this.show(audit);
	}

	/** The finding a diagnostic of ours shows, if it still does. */
	findingOf(uri: vscode.Uri, d: vscode.Diagnostic): LocatedFinding | undefined {
		if (d.source !== DIAGNOSTIC_SOURCE) return undefined;
		return this.findings.get(diagnosticKey(uri, d));
	}

	dispose(): void {
		this.collection.dispose();
		this.updated.dispose();
	}

	private apply(files: Iterable<string>): void {
		for (const file of files) {
			const uri = vscode.Uri.file(file);
			for (const key of [...this.findings.keys()]) if (key.startsWith(`${uri.toString()}#`)) this.findings.delete(key);
			const diagnostics = this.store.forFile(file).map((spec) => {
				const d = toDiagnostic(uri, spec);
				this.findings.set(diagnosticKey(uri, d), spec.finding);
				return d;
			});
			this.collection.set(uri, diagnostics.length ? diagnostics : undefined);
		}
	}
}

function toRange(r: ZeroRange): vscode.Range {
	return new vscode.Range(r.startLine, r.startCharacter, r.endLine, r.endCharacter);
}

function toDiagnostic(uri: vscode.Uri, spec: DiagnosticSpec): vscode.Diagnostic {
	const range = toRange(spec.range);
	const d = new vscode.Diagnostic(range, spec.message, vscode.DiagnosticSeverity[spec.severity]);
	d.source = DIAGNOSTIC_SOURCE;
	d.code =
		typeof spec.code === 'string' ? spec.code : { value: spec.code.value, target: vscode.Uri.parse(spec.code.target) };
	d.relatedInformation = [new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, range), spec.related)];
	return d;
}

/** Which finding a diagnostic shows: its file, range, message and rule. */
function diagnosticKey(uri: vscode.Uri, d: vscode.Diagnostic): string {
	const code = typeof d.code === 'object' ? d.code.value : d.code;
	const r = d.range;
	return `${uri.toString()}#${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}#${String(code)}#${d.message}`;
}

/** Quick fixes for the diagnostics of ours that carry one, computed on the document as it is now. */
export class FindingQuickFixes implements vscode.CodeActionProvider {
	static readonly kinds = [vscode.CodeActionKind.QuickFix];

	constructor(private readonly problems: FindingProblems) {}

	provideCodeActions(
		document: vscode.TextDocument,
		_range: vscode.Range,
		context: vscode.CodeActionContext,
	): vscode.CodeAction[] {
		if (context.only && !vscode.CodeActionKind.QuickFix.intersects(context.only)) return [];
		const fixable = context.diagnostics.flatMap((d) => {
			const fix = this.problems.findingOf(document.uri, d)?.fix;
			return fix ? [{ d, fix }] : [];
		});
		if (!fixable.length) return [];
		const actions: vscode.CodeAction[] = [];
		const text = document.getText();
		for (const { d, fix } of fixable) {
			const r = d.range;
			const plan = quickFixPlan(
				text,
				{
					startLine: r.start.line,
					startCharacter: r.start.character,
					endLine: r.end.line,
					endCharacter: r.end.character,
				},
				fix,
				{
					jsx: isJsxFile(document.fileName),
				},
			);
			if (!plan) continue;
			const action = new vscode.CodeAction(plan.title, vscode.CodeActionKind.QuickFix);
			action.diagnostics = [d];
			action.isPreferred = plan.preferred;
			action.edit = new vscode.WorkspaceEdit();
			action.edit.set(
				document.uri,
				plan.inserts.map((i) => toEdit(document, i)),
			);
			actions.push(action);
		}
		return actions;
	}
}

/** A plain insert, or a snippet when the caret has a place in it (one undo step either way). */
function toEdit(document: vscode.TextDocument, insert: TextInsert): vscode.TextEdit | vscode.SnippetTextEdit {
	const at = new vscode.Range(document.positionAt(insert.offset), document.positionAt(insert.offset));
	if (!insert.cursor) return vscode.TextEdit.insert(at.start, insert.text);
	const { at: caret, length } = insert.cursor;
	const snippet = new vscode.SnippetString()
		.appendText(insert.text.slice(0, caret))
		.appendPlaceholder(insert.text.slice(caret, caret + length))
		.appendText(insert.text.slice(caret + length));
	return new vscode.SnippetTextEdit(at, snippet);
}
