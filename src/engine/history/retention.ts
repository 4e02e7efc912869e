import type { EngineSettings } from '../../protocol';
import type { Logger } from '../log';
import type { AuditRecords } from './auditRecords';
import type { HistoryDb } from './historyDb';
import type { ScanRecords } from './scanRecords';

const DAY_MS = 24 * 3600_000;

/**
 * Remove audits older than historyMaxAgeDays and beyond the newest historyMaxCount, and the scans older
 * than that age; answers how many audits went.
 */
export function applyRetention(
	db: HistoryDb,
	audits: AuditRecords,
	scans: ScanRecords,
	settings: Pick<EngineSettings, 'historyMaxAgeDays' | 'historyMaxCount'>,
	log: Logger,
	now: number,
): number {
	const cutoff = now - settings.historyMaxAgeDays * DAY_MS;
	const deleted = audits.deleteOutside(cutoff, settings.historyMaxCount);
	if (scans.deleteBefore(cutoff) > 0) db.changed();
	if (deleted > 0) {
		log.debug(`Retention removed ${deleted} audit(s) from the history.`);
		db.changed();
	}
	return deleted;
}
