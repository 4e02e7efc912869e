/**
 * The performance insights of a Lighthouse result, as the panel and the CLI show them: Lighthouse 13's
 * insight audits (the performance category's `insights` group) and Lighthouse 12's opportunities (audits
 * with `opportunity` details; Lighthouse 13 keeps a few as diagnostics). Only those that did not pass, each
 * with its estimated savings and its first rows, worst first: by score, then by the share of the
 * performance score its metric savings stand for, then by ms and bytes saved (Lighthouse's report sorts by
 * score and the same impact: performance-category-renderer.js). Pure: a function of the report, so old
 * reports give the same answer.
 */
import type { Insight, InsightItem, InsightMetric } from '../../protocol';
import type { LhrAudit, LhrLike } from './workerProtocol';

/** Rows kept per insight. */
export const MAX_INSIGHT_ITEMS = 5;
/** Longest label kept, in characters. */
const MAX_LABEL = 100;
/** Lighthouse's pass threshold (report-utils.js RATINGS.PASS). */
const PASS = 0.9;

const METRIC_AUDITS: Record<InsightMetric, string> = {
	FCP: 'first-contentful-paint',
	LCP: 'largest-contentful-paint',
	TBT: 'total-blocking-time',
	CLS: 'cumulative-layout-shift',
	INP: 'interaction-to-next-paint',
};
const METRICS = Object.keys(METRIC_AUDITS) as InsightMetric[];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const positive = (v: unknown): number | undefined =>
	typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;

/** The insights and opportunities of `lhr` that did not pass, worst first. */
export function summarizeInsights(lhr: LhrLike): Insight[] {
	const perf = lhr.categories.performance;
	if (!perf) return [];
	const pageUrl = lhr.finalDisplayedUrl ?? lhr.mainDocumentUrl ?? lhr.requestedUrl;
	const ranked: { insight: Insight; impact: number }[] = [];
	for (const ref of perf.auditRefs) {
		const audit = lhr.audits[ref.id];
		const details = isObject(audit?.details) ? audit.details : undefined;
		if (!audit || (ref.group !== 'insights' && details?.type !== 'opportunity') || showsAsPassed(audit)) continue;
		const insight = toInsight(audit, details, pageUrl);
		// An informative insight with nothing to show (no LCP element, say) says nothing.
		if (insight.score === null && insight.items.length === 0) continue;
		ranked.push({ insight, impact: linearImpact(insight, lhr) });
	}
	ranked.sort(
		(a, b) =>
			scoreRank(a.insight) - scoreRank(b.insight) ||
			b.impact - a.impact ||
			(b.insight.wastedMs ?? 0) - (a.insight.wastedMs ?? 0) ||
			(b.insight.wastedBytes ?? 0) - (a.insight.wastedBytes ?? 0),
	);
	return ranked.map((r) => r.insight);
}

/** Lighthouse's ReportUtils.showAsPassed; an audit that errored is left out too (it has nothing to show). */
function showsAsPassed(audit: LhrAudit): boolean {
	switch (audit.scoreDisplayMode) {
		case 'manual':
		case 'notApplicable':
		case 'error':
			return true;
		case 'informative':
			return false;
		default:
			return typeof audit.score === 'number' && audit.score >= PASS;
	}
}

/** Failing scores first, lowest first; unscored (informative) insights after them. */
function scoreRank(insight: Insight): number {
	return insight.score ?? PASS;
}

/**
 * The share of the performance score the savings stand for, linearly (Lighthouse's `overallLinearImpact`):
 * each metric's saving over its value, times the metric's weight.
 */
function linearImpact(insight: Insight, lhr: LhrLike): number {
	const refs = lhr.categories.performance?.auditRefs ?? [];
	let impact = 0;
	for (const [metric, saving] of Object.entries(insight.metricSavings ?? {}) as [InsightMetric, number][]) {
		const id = METRIC_AUDITS[metric];
		const value = lhr.audits[id]?.numericValue;
		const weight = refs.find((r) => r.id === id)?.weight ?? 0;
		if (value) impact += (saving / value) * weight;
	}
	return impact;
}

function toInsight(audit: LhrAudit, details: Json | undefined, pageUrl: string | undefined): Insight {
	// Lighthouse scores some informative insights 1 (the LCP breakdown): they have no score to show.
	const scored = audit.scoreDisplayMode !== 'informative' && typeof audit.score === 'number';
	const insight: Insight = {
		id: audit.id,
		title: audit.title,
		score: scored ? audit.score : null,
		items: [],
		itemCount: 0,
	};
	if (audit.displayValue) insight.displayValue = audit.displayValue;
	const savings: Partial<Record<InsightMetric, number>> = {};
	for (const m of METRICS) {
		const v = positive(audit.metricSavings?.[m]);
		if (v !== undefined) savings[m] = v;
	}
	if (Object.keys(savings).length) insight.metricSavings = savings;
	if (details) {
		// A row that names nothing and measures nothing (a missing element's) says nothing.
		const rows = rowsOf(details, pageUrl).filter((r) => r.label !== '' || Object.keys(r).length > 1);
		insight.items = rows.slice(0, MAX_INSIGHT_ITEMS);
		insight.itemCount = rows.length;
		const ms = positive(details.overallSavingsMs);
		if (ms !== undefined) insight.wastedMs = ms;
		const bytes =
			positive(details.overallSavingsBytes) ??
			(isObject(details.debugData) ? positive(details.debugData.wastedBytes) : undefined) ??
			positive(sum(rows.map((r) => r.wastedBytes)));
		if (bytes !== undefined) insight.wastedBytes = bytes;
	}
	return insight;
}

function sum(values: (number | undefined)[]): number {
	return values.reduce<number>((a, v) => a + (v ?? 0), 0);
}

/** The rows of Lighthouse details of any kind, in Lighthouse's order. */
function rowsOf(details: Json, pageUrl: string | undefined): InsightItem[] {
	const items = details.items;
	switch (details.type) {
		case 'table':
		case 'opportunity': {
			const headings = Array.isArray(details.headings) ? details.headings.filter(isObject) : [];
			return Array.isArray(items) ? items.filter(isObject).map((item) => tableRow(item, headings, pageUrl)) : [];
		}
		case 'checklist':
			return isObject(items)
				? Object.values(items)
						.filter(isObject)
						.map((c) => ({ label: shortLabel(text(c.label) ?? ''), passed: c.value === true }))
				: [];
		case 'list':
			return Array.isArray(items) ? items.filter(isObject).flatMap((part) => rowsOf(part, pageUrl)) : [];
		case 'list-section':
			return isObject(details.value) ? rowsOf(details.value, pageUrl) : [];
		case 'network-tree':
			return isObject(details.chains) ? longestChain(details.chains, pageUrl) : [];
		case 'node': {
			const label = text(details);
			return label ? [{ label: shortLabel(label) }] : [];
		}
		default:
			return [];
	}
}

/** Heading value types that name what a row is about, most telling first. */
const LABEL_TYPES = ['url', 'source-location', 'node', 'text', 'code'];

function tableRow(item: Json, headings: Json[], pageUrl: string | undefined): InsightItem {
	// A statistics table (DOM size: a statistic's name and its count): the name and the count, not the element it
	// points at. Other numeric columns (a layout shift's score) are not counts.
	const statistic = headings.find((h) => h.valueType === 'text' && typeof h.key === 'string' && text(item[h.key]));
	const countHeading = statistic && headings.find((h) => h.valueType === 'numeric' && typeof h.key === 'string');
	const countValue = countHeading ? item[countHeading.key as string] : undefined;
	const number =
		typeof countValue === 'number'
			? countValue
			: isObject(countValue) && typeof countValue.value === 'number'
				? countValue.value
				: undefined;
	const count = number !== undefined && Number.isInteger(number) ? number : undefined;
	let label: string | undefined = statistic && count !== undefined ? text(item[statistic.key as string]) : undefined;
	for (const type of label ? [] : LABEL_TYPES) {
		const heading = headings.find(
			(h) => h.valueType === type && typeof h.key === 'string' && item[h.key] !== undefined,
		);
		label = heading ? text(item[heading.key as string]) : undefined;
		if (label) break;
	}
	label ??= text(item.url) ?? text(item.source) ?? text(item.node) ?? text(item.entity) ?? text(item.label) ?? '';
	const row: InsightItem = { label: shortLabel(label, pageUrl) };
	const wastedMs = positive(item.wastedMs);
	const wastedBytes = positive(item.wastedBytes);
	const ms = positive(item.duration);
	if (wastedMs !== undefined) row.wastedMs = wastedMs;
	if (wastedBytes !== undefined) row.wastedBytes = wastedBytes;
	if (ms !== undefined && wastedMs === undefined) row.ms = ms;
	if (count !== undefined) row.count = count;
	return row;
}

/** The requests of the longest critical chain, from the document on (Lighthouse marks it `isLongest`). */
function longestChain(chains: Json, pageUrl: string | undefined): InsightItem[] {
	const rows: InsightItem[] = [];
	let level: Json | undefined = chains;
	while (level) {
		const nodes: Json[] = Object.values(level).filter(isObject);
		const next: Json | undefined = nodes.find((n) => n.isLongest === true) ?? nodes[0];
		if (!next) break;
		const row: InsightItem = { label: shortLabel(text(next.url) ?? '', pageUrl) };
		const ms = positive(next.navStartToEndTime);
		if (ms !== undefined) row.ms = ms;
		rows.push(row);
		level = isObject(next.children) ? next.children : undefined;
	}
	return rows;
}

/** The text of a details value: a string, a URL, an element (its selector or label), a source location, a link. */
function text(value: unknown): string | undefined {
	if (typeof value === 'string') return value || undefined;
	if (!isObject(value)) return undefined;
	switch (value.type) {
		case 'node':
			return text(value.selector) ?? text(value.nodeLabel) ?? text(value.snippet);
		case 'source-location':
			return typeof value.url === 'string'
				? `${value.url}${typeof value.line === 'number' ? `:${value.line + 1}` : ''}`
				: undefined;
		case 'link':
			return text(value.text) ?? text(value.url);
		default:
			return text(value.value) ?? text(value.text);
	}
}

/**
 * Percent-escapes decoded for reading (`hero-😀.webp`), unless that would bring back control or direction characters.
 */
function readable(path: string): string {
	try {
		const decoded = decodeURI(path);
		return /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(decoded) ? path : decoded;
	} catch {
		return path;
	}
}

/**
 * A label short enough for a row: a URL without the page's own origin (or without its scheme), a data URL
 * cut after its type, and anything longer than 100 characters cut in the middle (keeping a file's name),
 * by whole characters so no surrogate pair is split. Control characters are left for the display to make
 * visible (the panel writes text only as text; the CLI goes through safeText).
 */
export function shortLabel(label: string, pageUrl?: string): string {
	let s = label.trim();
	if (/^data:/i.test(s)) {
		const comma = s.indexOf(',');
		s = `${s.slice(0, comma > 0 ? Math.min(comma + 1, 40) : 40)}…`;
	} else if (/^https?:\/\//i.test(s)) {
		try {
			const u = new URL(s);
			const sameOrigin = pageUrl !== undefined && URL.canParse(pageUrl) && new URL(pageUrl).origin === u.origin;
			s = readable(
				sameOrigin
					? `${u.pathname}${u.search}`
					: `${u.host}${u.pathname === '/' && !u.search ? '' : u.pathname}${u.search}`,
			);
		} catch {
			// not a URL after all: shown as it is
		}
	}
	const chars = Array.from(s);
	if (chars.length <= MAX_LABEL) return s;
	const tail = Math.floor(MAX_LABEL / 3);
	return `${chars.slice(0, MAX_LABEL - tail - 1).join('')}…${chars.slice(-tail).join('')}`;
}
