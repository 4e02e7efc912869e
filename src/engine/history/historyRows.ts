// Pure helpers between an AuditResult and the columns of the audits table.
import type { AuditResult, Category, CoreMetrics, ErrorInfo, FormFactor, HistoryEntry } from '../../protocol';
import { FORM_FACTORS } from '../../protocol';

/** One row as sql.js answers it. */
export type Row = Record<string, number | string | Uint8Array | null>;
type Scores = HistoryEntry['scores'];

const CATEGORY_LABEL: Record<Category, string> = {
	performance: 'perf',
	accessibility: 'a11y',
	'best-practices': 'bp',
	seo: 'seo',
};

export function toEntry(row: Row): HistoryEntry {
	const entry: HistoryEntry = {
		id: String(row.id),
		url: String(row.url),
		requestedAt: new Date(Number(row.requested_at)).toISOString(),
		durationMs: Number(row.duration_ms),
		// Rows written before results had a status read as ok (the migration's default).
		status: row.status === 'partial' || row.status === 'failed' ? row.status : 'ok',
		scores: JSON.parse(String(row.scores)) as Scores,
	};
	if (typeof row.lighthouse_version === 'string' && row.lighthouse_version)
		entry.lighthouseVersion = row.lighthouse_version;
	if (row.error !== null && row.error !== undefined) entry.error = JSON.parse(String(row.error)) as ErrorInfo;
	return entry;
}

function lighthouseRuns(result: AuditResult) {
	const runs = [];
	for (const formFactor of FORM_FACTORS) {
		const outcome = result.stages[`lighthouse-${formFactor}`];
		if (outcome?.status === 'ok') runs.push(outcome.data);
	}
	return runs;
}

export function scoresOf(result: AuditResult): Scores {
	const scores: Scores = {};
	for (const run of lighthouseRuns(result)) scores[run.formFactor] = run.scores;
	return scores;
}

export function metricsOf(result: AuditResult): Partial<Record<FormFactor, CoreMetrics>> {
	const metrics: Partial<Record<FormFactor, CoreMetrics>> = {};
	for (const run of lighthouseRuns(result)) metrics[run.formFactor] = run.metrics;
	return metrics;
}

/** Status, time and error of every stage, without its data. */
export function stageSummary(
	result: AuditResult,
): Record<string, { status: string; durationMs: number; error?: ErrorInfo; reason?: string }> {
	const out: Record<string, { status: string; durationMs: number; error?: ErrorInfo; reason?: string }> = {};
	for (const [name, outcome] of Object.entries(result.stages)) {
		if (!outcome) continue;
		const item: { status: string; durationMs: number; error?: ErrorInfo; reason?: string } = {
			status: outcome.status,
			durationMs: outcome.durationMs,
		};
		if (outcome.status === 'error') item.error = outcome.error;
		if (outcome.status === 'skipped') item.reason = outcome.reason;
		out[name] = item;
	}
	return out;
}

/** A one-line summary for lists, e.g. `mobile perf 92 a11y 100 · desktop perf 99 · 3 CRO findings`. */
export function summaryOf(result: AuditResult): string {
	if (result.error) return `failed: ${result.error.message}`;
	const failedStages = Object.keys(result.stageErrors ?? {});
	const parts = lighthouseRuns(result).map((run) => {
		const scores = (Object.entries(run.scores) as [Category, number | null][])
			.map(
				([category, score]) =>
					`${CATEGORY_LABEL[category] ?? category} ${score === null ? '–' : Math.round(score * 100)}`,
			)
			.join(' ');
		return `${run.formFactor} ${scores}`.trim();
	});
	const cro = result.stages.cro;
	if (cro?.status === 'ok')
		parts.push(`${cro.data.findings.length} CRO finding${cro.data.findings.length === 1 ? '' : 's'}`);
	if (failedStages.length > 0) parts.push(`partial: ${failedStages.join(', ')} failed`);
	return parts.join(' · ');
}

/** Screenshot files the capture stage wrote for this audit; they are deleted with it. */
export function screenshotFiles(result: AuditResult): string[] {
	const capture = result.stages.capture;
	if (capture?.status !== 'ok') return [];
	const files: string[] = [];
	for (const shots of Object.values(capture.data.shots)) {
		if (!shots) continue;
		for (const shot of [shots.viewport, shots.fullPage]) if (shot?.path) files.push(shot.path);
	}
	return files;
}
