import type { ListScansParams, ScanReport, ScanSummary } from '../../protocol';
import { scanSummary } from '../scan/siteReport';
import type { AuditRecords } from './auditRecords';
import type { HistoryDb } from './historyDb';
import { clampLimit, lenientUrl } from './historyParams';
import { packText, unpackJson } from './lhrPack';

/** The scans table: site reports, whose routes point at their audits by id. Changes are the caller's to flush. */
export class ScanRecords {
	constructor(
		private readonly db: HistoryDb,
		private readonly audits: Pick<AuditRecords, 'existing'>,
		/** Brotli quality for stored JSON, 0..11. */
		private readonly compressionQuality: number,
	) {}

	async save(report: ScanReport): Promise<void> {
		const blob = await packText(JSON.stringify(report), this.compressionQuality);
		this.db.assertWritable();
		const startedAt = Date.parse(report.startedAt);
		this.db.run(
			'INSERT OR REPLACE INTO scans (id, start_url, origin, started_at, duration_ms, status, summary, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
			[
				report.id,
				report.startUrl,
				report.origin,
				Number.isFinite(startedAt) ? startedAt : Date.now(),
				Math.round(report.durationMs),
				report.status,
				JSON.stringify(scanSummary(report)),
				blob,
			],
		);
	}

	async get(id: string): Promise<ScanReport | undefined> {
		const row = this.db.row('SELECT report FROM scans WHERE id = ?', [id]);
		if (!row) return undefined;
		const report = await unpackJson<ScanReport>(row.report as Uint8Array);
		// Audits deleted since (by id, by retention) no longer open: their routes keep their scores, not the link.
		const kept = this.audits.existing(report.routes.flatMap((r) => (r.auditId ? [r.auditId] : [])));
		for (const route of report.routes) if (route.auditId && !kept.has(route.auditId)) delete route.auditId;
		return report;
	}

	list(params: ListScansParams = {}): ScanSummary[] {
		const limit = clampLimit(params.limit ?? 100);
		const rows =
			params.url === undefined
				? this.db.rows('SELECT summary FROM scans ORDER BY started_at DESC, rowid DESC LIMIT ?', [limit])
				: this.db.rows('SELECT summary FROM scans WHERE start_url = ? ORDER BY started_at DESC, rowid DESC LIMIT ?', [
						lenientUrl(params.url),
						limit,
					]);
		return rows.map((r) => JSON.parse(String(r.summary)) as ScanSummary);
	}

	/** Delete every scan, or those that started at `url`; answers how many. */
	delete(url?: string): number {
		return url === undefined
			? this.db.run('DELETE FROM scans')
			: this.db.run('DELETE FROM scans WHERE start_url = ?', [lenientUrl(url)]);
	}

	/** Delete the scans started before `cutoff`; answers how many. */
	deleteBefore(cutoff: number): number {
		return this.db.run('DELETE FROM scans WHERE started_at < ?', [cutoff]);
	}
}
