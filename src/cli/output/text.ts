/**
 * The CLI's text output. Every piece of page-derived text goes through `safeText` (a page controls its
 * title, headings and call-to-action texts, and error messages quote it); colour only through `Paint`.
 */
import { authLabel } from '../../format/auth';
import { checkMark, insightSavings, insightsTitle, itemDetail } from '../../format/insights';
import { cacheLabel } from '../../format/status';
import type {
	AuditResult,
	AuditStatus,
	BatchItem,
	Category,
	CruxData,
	CruxMetricSet,
	ErrorInfo,
	LighthouseRun,
	ProgressParams,
	StageName,
} from '../../protocol';
import { CATEGORIES } from '../../protocol';
import { safeText } from '../../shared/terminalText';

const SHORT: Record<Category, string> = {
	performance: 'perf',
	accessibility: 'a11y',
	'best-practices': 'bp',
	seo: 'seo',
};

/** ANSI colours, or none (not a terminal, NO_COLOR set). */
export interface Paint {
	ok(s: string): string;
	warn(s: string): string;
	bad(s: string): string;
}
const ansi = (code: number) => (s: string) => `\x1b[${code}m${s}\x1b[39m`;
export const COLOR: Paint = { ok: ansi(32), warn: ansi(33), bad: ansi(31) };
export const NO_COLOR: Paint = { ok: (s) => s, warn: (s) => s, bad: (s) => s };

function pct(score: number | null | undefined): string {
	return typeof score === 'number' ? String(Math.round(score * 100)).padStart(3) : '  -';
}

/**
 * What a result is. Engines that predate `status` (or resolve failures as rejections) are read honestly
 * too: a result with a failed stage is partial whatever it claims.
 */
export function statusOf(item: BatchItem): AuditStatus {
	if (item.error || !item.result) return 'failed';
	const r = item.result;
	if (r.status === 'failed' || r.error) return 'failed';
	if (r.status === 'partial' || Object.values(r.stages).some((s) => s.status === 'error')) return 'partial';
	return 'ok';
}

/** The error of each failed stage, from `stageErrors` or else from the stages themselves. */
export function stageErrorsOf(r: AuditResult): [StageName, ErrorInfo][] {
	const out = new Map<StageName, ErrorInfo>(Object.entries(r.stageErrors ?? {}) as [StageName, ErrorInfo][]);
	for (const [name, stage] of Object.entries(r.stages) as [
		StageName,
		NonNullable<AuditResult['stages'][StageName]>,
	][]) {
		if (stage.status === 'error' && !out.has(name)) out.set(name, stage.error);
	}
	return [...out];
}

const errorLine = (e: ErrorInfo) => `${e.code}: ${safeText(e.message, { max: 500 })}`;

/**
 * A readable block for one audited URL: its status, scores per form factor, key metrics, stage errors, field data, CRO
 * findings.
 */
export function formatResult(item: BatchItem, budgetFailures: string[], paint: Paint = NO_COLOR): string {
	const url = safeText(item.url, { max: 200 });
	const status = statusOf(item);
	const r = item.result;
	if (!r) return `${paint.bad('✗')} ${url}  failed\n    ${item.error ? errorLine(item.error) : 'no result'}`;
	const mark =
		status === 'failed'
			? paint.bad('✗')
			: status === 'partial' || budgetFailures.length
				? paint.warn('!')
				: paint.ok('✓');
	const errors = stageErrorsOf(r);
	const label =
		status === 'ok'
			? ''
			: `  ${status === 'failed' ? paint.bad('failed') : paint.warn(`partial: ${errors.length} stage${errors.length === 1 ? '' : 's'} failed`)}`;
	// A cached result says how old it is, as in VS Code, not how long its audit once took.
	const took = r.fromCache ? `(${cacheLabel(r, Date.now())})` : `${(r.durationMs / 1000).toFixed(1)} s`;
	const lines = [`${mark} ${safeText(r.url, { max: 200 })}${label}  ${took}`];
	if (status === 'failed' && r.error) lines.push(`    ${errorLine(r.error)}`);
	if (r.auth) lines.push(`    ${safeText(authLabel(r.auth), { max: 300 })}`);
	const insights: string[] = [];
	for (const ff of r.options.formFactors) {
		const stage = r.stages[ff === 'mobile' ? 'lighthouse-mobile' : 'lighthouse-desktop'];
		if (stage?.status !== 'ok') continue;
		const s = stage.data.scores;
		const m = stage.data.metrics;
		const scores = CATEGORIES.filter((c) => c in s)
			.map((c) => `${SHORT[c]} ${pct(s[c])}`)
			.join('  ');
		const metrics = [
			m.lcp !== undefined ? `LCP ${(m.lcp / 1000).toFixed(1)}s` : '',
			m.tbt !== undefined ? `TBT ${Math.round(m.tbt)}ms` : '',
			m.cls !== undefined ? `CLS ${m.cls.toFixed(3)}` : '',
		]
			.filter(Boolean)
			.join(' ');
		lines.push(
			`    ${ff.padEnd(7)} ${scores}   ${metrics}${stage.data.contention ? `  ${paint.warn('(under CPU contention: perf may read low)')}` : ''}`,
		);
		insights.push(...insightLines(stage.data));
	}
	lines.push(...insights);
	for (const [name, e] of errors)
		lines.push(`    ${name.replace(/^lighthouse-/, '')}: ${paint.bad('failed')}: ${errorLine(e)}`);
	const crux = r.stages.crux;
	if (crux?.status === 'ok') lines.push(...cruxLines(crux.data));
	else if (crux?.status === 'skipped') lines.push(`    field data: skipped (${safeText(crux.reason)})`);
	const cro = r.stages.cro;
	if (cro?.status === 'ok' && cro.data.findings.length) {
		lines.push(`    CRO findings (${cro.data.findings.length}):`);
		for (const f of cro.data.findings.slice(0, 8))
			lines.push(
				`      [${f.severity}] ${safeText(f.title, { max: 160 })}${f.formFactor && !f.title.includes(f.formFactor) ? ` (${f.formFactor})` : ''}`,
			);
	}
	const ai = r.stages.ai;
	if (ai?.status === 'ok') {
		if (ai.data.suggestions.length)
			lines.push(
				`    AI suggestions (${ai.data.suggestions.length}): ${ai.data.suggestions
					.map((s) => safeText(s.title, { max: 120 }))
					.slice(0, 3)
					.join('; ')}`,
			);
		if (ai.data.note) lines.push(`    AI: ${safeText(ai.data.note)}`);
	} else if (ai?.status === 'skipped') lines.push(`    AI: skipped (${safeText(ai.reason)})`);
	for (const f of budgetFailures) lines.push(`    ${paint.warn('budget failed')}: ${f}`);
	return lines.join('\n');
}

/** Insights (or opportunities) printed per form factor, and rows per insight. */
const CLI_INSIGHTS = 5;
const CLI_ROWS = 3;

/**
 * A run's insights, worst first, like Lighthouse's own report: the title, the estimated savings, the first
 * rows (URLs and selectors come from the page, so they go through safeText like every page-derived text).
 */
export function insightLines(run: LighthouseRun): string[] {
	const insights = run.insights;
	if (!insights?.length) return [];
	const shown = insights.slice(0, CLI_INSIGHTS);
	const more = insights.length - shown.length;
	const lines = [
		`    ${run.formFactor} ${insightsTitle(run.lighthouseVersion).toLowerCase()} (Lighthouse ${safeText(run.lighthouseVersion, { max: 20 })}${more > 0 ? `, worst ${shown.length} of ${insights.length}` : ''}):`,
	];
	for (const i of shown) {
		const savings = insightSavings(i);
		lines.push(
			`      ${safeText(i.title, { max: 120 })}${savings ? `  est. savings ${savings}` : i.displayValue ? `  ${safeText(i.displayValue, { max: 60 })}` : ''}`,
		);
		for (const item of i.items.slice(0, CLI_ROWS)) {
			const detail = itemDetail(item);
			const mark = checkMark(item);
			lines.push(
				`        ${mark ? `${mark} ` : ''}${safeText(item.label, { max: 100 })}${detail ? `  ${detail}` : ''}`,
			);
		}
		const rest = i.itemCount - Math.min(i.items.length, CLI_ROWS);
		if (rest > 0) lines.push(`        +${rest} more`);
	}
	return lines;
}

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : `${(ms / 1000).toFixed(1)} s`);
const millis = (ms: number | undefined) => (ms === undefined ? undefined : `${Math.round(ms)} ms`);

function cruxMetrics(m: CruxMetricSet): string {
	const parts: [string, string | undefined][] = [
		['LCP', seconds(m.lcp)],
		['INP', millis(m.inp)],
		['CLS', m.cls === undefined ? undefined : m.cls.toFixed(2)],
		['FCP', seconds(m.fcp)],
		['TTFB', seconds(m.ttfb)],
	];
	return (
		parts
			.filter(([, v]) => v !== undefined)
			.map(([k, v]) => `${k} ${v}`)
			.join('  ') || 'no metrics'
	);
}

/** Field data from the Chrome UX Report: p75 of real visits, for the URL and its origin. */
export function cruxLines(d: CruxData): string[] {
	if (!d.url && !d.origin)
		return [`    field data (CrUX): ${safeText(d.note ?? 'no field data for this page or its origin')}`];
	const period = d.collectionPeriod
		? `, ${safeText(d.collectionPeriod.firstDate, { max: 20 })} to ${safeText(d.collectionPeriod.lastDate, { max: 20 })}`
		: '';
	const lines = [
		`    field data (CrUX p75${d.formFactor ? `, ${safeText(d.formFactor, { max: 20 }).toLowerCase()}` : ''}${period}):`,
	];
	lines.push(`      URL     ${d.url ? cruxMetrics(d.url) : 'no data for this URL'}`);
	lines.push(`      origin  ${d.origin ? cruxMetrics(d.origin) : 'no data for this origin'}`);
	if (d.note) lines.push(`      ${safeText(d.note)}`);
	return lines;
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
		const icon: Record<string, string> = {
			queued: '…',
			started: '▸',
			done: '✓',
			error: '✗',
			skipped: '-',
			cancelled: '⊘',
		};
		const lines = [`Auditing: ${this.finished}/${this.total} done`];
		for (const [url, stages] of this.state) {
			const parts = [...stages].filter(([s]) => s !== 'audit').map(([s, st]) => `${icon[st] ?? st} ${s}`);
			lines.push(`  ${safeText(url, { max: 60 })}  ${parts.join('  ') || icon[stages.get('audit') ?? ''] || ''}`);
		}
		this.out.write(`${lines.join('\n')}\n`);
		this.lastLines = lines.length;
	}
}

/** A line on stderr for the person running the CLI, its page-derived parts made safe. */
export function warn(message: string): void {
	process.stderr.write(`auditlens: ${safeText(message, { max: 2000, multiline: true })}\n`);
}
