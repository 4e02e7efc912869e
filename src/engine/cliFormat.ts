import type { BatchItem, Category, ProgressParams, StageName } from '../protocol';
import { CATEGORIES } from '../protocol';

const SHORT: Record<Category, string> = { performance: 'perf', accessibility: 'a11y', 'best-practices': 'bp', seo: 'seo' };

function pct(score: number | null | undefined): string {
	return typeof score === 'number' ? String(Math.round(score * 100)).padStart(3) : '  -';
}

/** A readable block for one audited URL: scores per form factor, key metrics, stage errors, CRO findings. */
export function formatResult(item: BatchItem, budgetFailures: string[]): string {
	const error = item.error ?? item.result?.error;
	if (error) return `✗ ${item.url}\n    ${error.code}: ${error.message}`;
	const r = item.result!;
	const lines = [`${budgetFailures.length ? '!' : '✓'} ${r.url}${r.fromCache ? '  (cached)' : ''}  ${(r.durationMs / 1000).toFixed(1)} s`];
	for (const ff of r.options.formFactors) {
		const stage = r.stages[ff === 'mobile' ? 'lighthouse-mobile' : 'lighthouse-desktop'];
		if (!stage) continue;
		if (stage.status === 'ok') {
			const s = stage.data.scores;
			const m = stage.data.metrics;
			const scores = CATEGORIES.filter((c) => c in s)
				.map((c) => `${SHORT[c]} ${pct(s[c])}`)
				.join('  ');
			const metrics = [m.lcp !== undefined ? `LCP ${(m.lcp / 1000).toFixed(1)}s` : '', m.tbt !== undefined ? `TBT ${Math.round(m.tbt)}ms` : '', m.cls !== undefined ? `CLS ${m.cls.toFixed(3)}` : '']
				.filter(Boolean)
				.join(' ');
			lines.push(`    ${ff.padEnd(7)} ${scores}   ${metrics}`);
		} else if (stage.status === 'error') {
			lines.push(`    ${ff.padEnd(7)} failed: ${stage.error.message}`);
		}
	}
	for (const [name, stage] of Object.entries(r.stages)) {
		if (name.startsWith('lighthouse')) continue;
		if (stage.status === 'error') lines.push(`    ${name}: failed: ${stage.error.message}`);
	}
	const cro = r.stages.cro;
	if (cro?.status === 'ok' && cro.data.findings.length) {
		lines.push(`    CRO findings (${cro.data.findings.length}):`);
		for (const f of cro.data.findings.slice(0, 8)) lines.push(`      [${f.severity}] ${f.title}${f.formFactor && !f.title.includes(f.formFactor) ? ` (${f.formFactor})` : ''}`);
	}
	const ai = r.stages.ai;
	if (ai?.status === 'ok') {
		if (ai.data.suggestions.length)
			lines.push(
				`    AI suggestions (${ai.data.suggestions.length}): ${ai.data.suggestions
					.map((s) => s.title)
					.slice(0, 3)
					.join('; ')}`,
			);
		if (ai.data.note) lines.push(`    AI: ${ai.data.note}`);
	} else if (ai?.status === 'skipped') lines.push(`    AI: skipped (${ai.reason})`);
	for (const f of budgetFailures) lines.push(`    budget failed: ${f}`);
	return lines.join('\n');
}

/** One status line per running URL on a TTY; quiet otherwise. */
export class ProgressDisplay {
	private readonly state = new Map<string, Map<StageName | 'audit', string>>();
	private finished = 0;
	private lastLines = 0;

	constructor(
		private readonly out: NodeJS.WriteStream,
		private readonly total: number,
		private readonly enabled: boolean,
	) {}

	update(p: ProgressParams): void {
		const stages = this.state.get(p.url) ?? new Map<StageName | 'audit', string>();
		this.state.set(p.url, stages);
		stages.set(p.stage, p.state);
		if (p.stage === 'audit' && ['done', 'error', 'cancelled'].includes(p.state)) {
			this.finished++;
			this.state.delete(p.url);
		}
		this.render();
	}

	done(): void {
		if (!this.enabled) return;
		this.clear();
	}

	private clear(): void {
		for (let i = 0; i < this.lastLines; i++) this.out.write('\x1b[1A\x1b[2K');
		this.lastLines = 0;
	}

	private render(): void {
		if (!this.enabled) return;
		this.clear();
		const icon: Record<string, string> = { queued: '…', started: '▸', done: '✓', error: '✗', skipped: '-', cancelled: '⊘' };
		const lines = [`Auditing: ${this.finished}/${this.total} done`];
		for (const [url, stages] of this.state) {
			const parts = [...stages].filter(([s]) => s !== 'audit').map(([s, st]) => `${icon[st] ?? st} ${s}`);
			lines.push(`  ${url.slice(0, 60)}  ${parts.join('  ') || icon[stages.get('audit') ?? ''] || ''}`);
		}
		this.out.write(`${lines.join('\n')}\n`);
		this.lastLines = lines.length;
	}
}
