import fs from 'node:fs';
import { listProcesses } from './procfs';
import type { StageName, StageTiming } from '../protocol';

/** Rolling p50/p95 of recent durations per stage. */
export class StageTimings {
	private readonly samples = new Map<StageName, number[]>();
	private readonly counts = new Map<StageName, number>();

	constructor(private readonly window = 500) {}

	record(stage: StageName, ms: number): void {
		const list = this.samples.get(stage) ?? [];
		list.push(ms);
		if (list.length > this.window) list.shift();
		this.samples.set(stage, list);
		this.counts.set(stage, (this.counts.get(stage) ?? 0) + 1);
	}

	snapshot(): Partial<Record<StageName, StageTiming>> {
		const out: Partial<Record<StageName, StageTiming>> = {};
		for (const [stage, list] of this.samples) {
			out[stage] = {
				count: this.counts.get(stage) ?? list.length,
				p50: percentile(list, 50),
				p95: percentile(list, 95),
			};
		}
		return out;
	}
}

/** Nearest-rank percentile; 0 for an empty list. */
export function percentile(values: readonly number[], p: number): number {
	if (values.length === 0) return 0;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * Memory in bytes of each process group led by one of `leaders` (a Chrome and its renderers, GPU
 * and utility processes), as proportional set size: shared pages are split between the processes
 * that share them, so the sum is not inflated by Chrome's shared libraries. Falls back to RSS.
 * Linux only (reads /proc); empty elsewhere.
 */
export function groupRss(leaders: readonly number[]): Record<string, number> {
	const out: Record<string, number> = {};
	if (leaders.length === 0) return out;
	const wanted = new Set(leaders);
	for (const l of leaders) out[l] = 0;
	for (const p of listProcesses()) {
		if (wanted.has(p.pgrp)) out[p.pgrp] += pss(p.pid) ?? p.rssPages * 4096;
	}
	return out;
}

function pss(pid: number): number | undefined {
	try {
		const m = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
		return m ? Number(m[1]) * 1024 : undefined;
	} catch {
		return undefined;
	}
}
