/**
 * The findings of one Lighthouse report (12.x or 13.x), one per place on the page: each failing audit's
 * elements (node details), script positions (source locations), resources (URLs, origins), or the page
 * itself when the audit names no place. Pure: a function of the stored report, so old reports give the same
 * answer. Reports are read defensively (they come from disk and from two Lighthouse majors).
 */
import type { FindingSeverity, FindingTarget, PageFinding, QuickFix } from '../../protocol';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** A finding of one report, before the form factors are merged; `sizeOf` asks for the `add-size` fix of that image. */
export interface LighthouseFinding extends Omit<PageFinding, 'formFactor'> {
	sizeOf?: string;
}

/** Lighthouse's pass threshold (summarize.ts: an audit scoring below it is failing). */
const PASS = 0.9;
/** Savings below these are small: the finding is information, not a warning. */
const SMALL_MS = 100;
const SMALL_BYTES = 20 * 1024;
const SMALL_CLS = 0.05;
/** Longest message kept, in characters. */
const MAX_MESSAGE = 240;

/**
 * Severity of an accessibility finding from axe's impact (Lighthouse 12+ carries it in `debugData`):
 * critical and serious ones keep people out (an image with no text, a field with no name), moderate ones
 * get in their way, minor ones are polish.
 */
const IMPACT: Record<string, FindingSeverity> = {
	critical: 'error',
	serious: 'error',
	moderate: 'warning',
	minor: 'info',
};

/** The informative audit that names the LCP element, shown when the LCP metric fails (13.x, 12.x). */
const LCP_ELEMENT_AUDITS = ['lcp-breakdown-insight', 'largest-contentful-paint-element'];
/** Audits whose rows' sub-items name the elements that caused a layout shift (unsized images). */
const SHIFT_AUDITS = new Set(['cls-culprits-insight', 'layout-shifts', 'layout-shift-elements']);
/** Audits whose rows are origins to preconnect to (13.x's candidates table, 12.x's opportunity). */
const PRECONNECT_AUDITS = new Set(['network-dependency-tree-insight', 'uses-rel-preconnect']);
/** The quick fix each audit's element findings offer. */
const ELEMENT_FIXES: Record<string, QuickFix> = {
	'image-alt': { kind: 'add-alt' },
	'html-has-lang': { kind: 'add-lang', lang: 'en' },
	'offscreen-images': { kind: 'lazy-load' },
	'prioritize-lcp-image': { kind: 'fetchpriority-high' },
};

/** The findings of one stored Lighthouse report; none when it is not a report. */
export function lighthouseFindings(lhr: unknown): LighthouseFinding[] {
	if (!isObject(lhr) || !isObject(lhr.audits) || !isObject(lhr.categories)) return [];
	const audits = lhr.audits;
	const pageUrl = str(lhr.finalDisplayedUrl) ?? str(lhr.mainDocumentUrl) ?? str(lhr.requestedUrl);
	const shown = shownAudits(lhr.categories);
	const out: LighthouseFinding[] = [];
	for (const audit of Object.values(audits)) {
		if (
			!isObject(audit) ||
			typeof audit.id !== 'string' ||
			!shown.has(audit.id) ||
			!failing(audit) ||
			LCP_ELEMENT_AUDITS.includes(audit.id)
		)
			continue;
		out.push(...auditFindings(audit, audits, pageUrl));
	}
	out.push(...lcpElementFindings(audits, shown));
	return unique(out);
}

/**
 * Audits in a category and not in its `hidden` group, as the report shows them. This keeps one of each pair
 * a Lighthouse major carries twice: 12.x hides its insights behind the classic audits, 13.x hides
 * `layout-shifts` behind `cls-culprits-insight`.
 */
function shownAudits(categories: Json): Set<string> {
	const shown = new Set<string>();
	for (const category of Object.values(categories)) {
		if (!isObject(category) || !Array.isArray(category.auditRefs)) continue;
		for (const ref of category.auditRefs)
			if (isObject(ref) && typeof ref.id === 'string' && ref.group !== 'hidden') shown.add(ref.id);
	}
	return shown;
}

/** Failing as summarize.ts decides: a scored audit below 0.9. */
function failing(audit: Json): boolean {
	const scored =
		audit.scoreDisplayMode === 'binary' ||
		audit.scoreDisplayMode === 'numeric' ||
		audit.scoreDisplayMode === 'metricSavings';
	const score = num(audit.score);
	return scored && score !== undefined && score < PASS;
}

function auditFindings(audit: Json, audits: Json, pageUrl: string | undefined): LighthouseFinding[] {
	const id = audit.id as string;
	const details = isObject(audit.details) ? audit.details : undefined;
	const base = { rule: id, source: 'lighthouse' as const, title: str(audit.title) ?? id, ...helpUrlOf(audit) };
	const impact = isObject(details?.debugData) ? str(details.debugData.impact) : undefined;
	const out: LighthouseFinding[] = [];
	const rows = details ? rowsOf(details) : [];
	for (const row of rows) {
		for (const place of placesOf(id, row)) {
			const finding: LighthouseFinding = {
				...base,
				message: clip(place.message ?? rowMessage(audit, row, place.target, audits)),
				severity: impact ? (IMPACT[impact] ?? 'warning') : rowSeverity(audit, row),
				target: place.target,
			};
			const fix = place.fix ?? fixOf(id, place.target, details);
			if (fix) finding.fix = fix;
			if (id === 'unsized-images' && place.target.kind === 'element') {
				const url = str(row.url) ?? srcOf(place.target.snippet, pageUrl);
				if (url) finding.sizeOf = url;
			}
			out.push(finding);
		}
	}
	// An audit that names no place is about the page (no meta description, a slow metric, bf-cache reasons).
	if (out.length === 0) {
		const finding: LighthouseFinding = {
			...base,
			message: clip(pageMessage(audit, rows)),
			severity: rowSeverity(audit, {}),
			target: { kind: 'page' },
		};
		if (id === 'meta-description') finding.fix = { kind: 'add-meta-description' };
		out.push(finding);
	}
	return out;
}

/**
 * The rows of any details, in Lighthouse's order: table and opportunity items, the parts of a list and its
 * sections (13.x insights are lists of tables, checklists and bare nodes; a bare node becomes a row of its own).
 */
function rowsOf(details: Json): Json[] {
	switch (details.type) {
		case 'table':
		case 'opportunity':
			return Array.isArray(details.items) ? details.items.filter(isObject) : [];
		case 'list':
			return Array.isArray(details.items) ? details.items.filter(isObject).flatMap(rowsOf) : [];
		case 'list-section':
			return isObject(details.value) ? rowsOf(details.value) : [];
		case 'node':
			return [{ node: details }];
		default:
			return [];
	}
}

interface Place {
	target: FindingTarget;
	message?: string;
	fix?: QuickFix;
}

/** The places one row names: its element, else its script position, else its resource. */
function placesOf(id: string, row: Json): Place[] {
	if (PRECONNECT_AUDITS.has(id)) {
		// 13.x's table of candidates has `origin` and `wastedMs`; its table of the page's preconnect links has no savings.
		const origin = originOf(str(row.origin) ?? str(row.url));
		const saved = num(row.wastedMs);
		return origin && saved !== undefined
			? [
					{
						target: { kind: 'resource', url: origin },
						fix: { kind: 'preconnect', origin },
						message: `Preconnect to ${origin}: could save ${ms(saved)}`,
					},
				]
			: [];
	}
	const places: Place[] = [];
	const values = Object.entries(row)
		.filter(([key]) => key !== 'subItems')
		.map(([, v]) => v);
	const node = values.find((v) => isObject(v) && v.type === 'node') as Json | undefined;
	const location = values.find((v) => isObject(v) && v.type === 'source-location') as Json | undefined;
	// A console error about a failed request (a 404) is about that resource, not a line of script.
	const script = location && !(id === 'errors-in-console' && row.source === 'network') ? scriptOf(location) : undefined;
	if (node) places.push({ target: elementOf(node) });
	else if (script) places.push({ target: script });
	else {
		const url = str(row.url) ?? (isObject(row.sourceLocation) ? str(row.sourceLocation.url) : undefined);
		if (url && /^https?:\/\//i.test(url)) places.push({ target: { kind: 'resource', url } });
	}
	if (SHIFT_AUDITS.has(id) && isObject(row.subItems) && Array.isArray(row.subItems.items)) {
		// The culprits of a shift (an unsized image) are places of their own: that is where the fix goes.
		for (const sub of row.subItems.items.filter(isObject)) {
			const culprit = Object.values(sub).find((v) => isObject(v) && v.type === 'node') as Json | undefined;
			if (!culprit) continue;
			const score = num(row.score);
			places.push({
				target: elementOf(culprit),
				message: `${str(sub.cause) ?? 'Caused a layout shift'}${score !== undefined ? ` (layout shift ${score.toFixed(3)})` : ''}`,
			});
		}
	}
	return places;
}

function elementOf(node: Json): FindingTarget {
	const target: FindingTarget = { kind: 'element' };
	const selector = str(node.selector);
	const snippet = str(node.snippet);
	const nodeLabel = str(node.nodeLabel);
	if (selector) target.selector = selector;
	if (snippet) target.snippet = snippet;
	if (nodeLabel) target.nodeLabel = nodeLabel;
	return target;
}

/** A script position, 1-based (Lighthouse's source locations and their source-mapped `original` are 0-based). */
function scriptOf(location: Json): FindingTarget | undefined {
	const url = str(location.url);
	const line = num(location.line);
	const column = num(location.column);
	if (!url || line === undefined || column === undefined) return undefined;
	const target: FindingTarget = { kind: 'script', url, line: line + 1, column: column + 1 };
	const original = isObject(location.original) ? location.original : undefined;
	const file = str(original?.file);
	const oLine = num(original?.line);
	const oColumn = num(original?.column);
	if (file && oLine !== undefined && oColumn !== undefined)
		target.original = { file, line: oLine + 1, column: oColumn + 1 };
	return target;
}

/**
 * Severity of a performance or best-practice finding: a warning, or information when what fixing it saves
 * is small (under 100 ms, 20 KiB, 0.05 CLS; for the row when it says, else for the audit) and the audit
 * scores at least 0.5. A binary audit (an error in the console, no meta description) and a failing metric
 * have no savings: a warning.
 */
function rowSeverity(audit: Json, row: Json): FindingSeverity {
	const rowMs = num(row.wastedMs);
	const rowBytes = num(row.wastedBytes);
	if (rowMs !== undefined || rowBytes !== undefined)
		return (rowMs ?? 0) >= SMALL_MS || (rowBytes ?? 0) >= SMALL_BYTES ? 'warning' : 'info';
	// A failing metric (it has a scoring curve) is the page's own problem, not a saving estimate.
	if (audit.scoreDisplayMode === 'binary' || isObject(audit.scoringOptions) || (num(audit.score) ?? 0) < 0.5)
		return 'warning';
	const savings = isObject(audit.metricSavings) ? audit.metricSavings : {};
	const big = Object.entries(savings).some(([metric, v]) => (num(v) ?? 0) >= (metric === 'CLS' ? SMALL_CLS : SMALL_MS));
	return big ? 'warning' : 'info';
}

function fixOf(id: string, target: FindingTarget, details: Json | undefined): QuickFix | undefined {
	if (target.kind !== 'element') return undefined;
	if (id === 'label') return { kind: 'label-for', inputId: inputIdOf(target.snippet) };
	if (id === 'lcp-discovery-insight' && checks(details).some((c) => c.key === 'priorityHinted' && !c.passed))
		return { kind: 'fetchpriority-high' };
	return ELEMENT_FIXES[id];
}

/** The id a `<label for>` can point at: the input's own, else one made from its name or type. */
export function inputIdOf(snippet: string | undefined): string {
	const attr = (name: string) =>
		snippet?.match(new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i'));
	const value = (m: RegExpMatchArray | null | undefined) => (m ? (m[1] ?? m[2] ?? m[3] ?? '').trim() : '');
	const id = value(attr('id'));
	if (id) return id;
	const made = (value(attr('name')) || `${value(attr('type')) || 'field'}-input`)
		.replace(/[^A-Za-z0-9_-]+/g, '-')
		.replace(/^-+|-+$/g, '');
	return /^[A-Za-z]/.test(made) ? made : `field-${made || 'input'}`;
}

/** The `src` of an element's snippet, resolved against the page. */
function srcOf(snippet: string | undefined, pageUrl: string | undefined): string | undefined {
	const src = snippet?.match(/\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)')/i);
	const value = src ? (src[1] ?? src[2]) : undefined;
	if (!value || !pageUrl || !URL.canParse(value, pageUrl)) return undefined;
	return new URL(value.replace(/&amp;/g, '&'), pageUrl).href;
}

function originOf(url: string | undefined): string | undefined {
	if (!url || !URL.canParse(url)) return undefined;
	const u = new URL(url);
	return /^https?:$/.test(u.protocol) ? u.origin : undefined;
}

/** The checks of 13.x's LCP discovery insight (its checklist), by key. */
function checks(details: Json | undefined): { key: string; label: string; passed: boolean }[] {
	const list = details?.type === 'list' && Array.isArray(details.items) ? details.items.filter(isObject) : [];
	const checklist = list.find((part) => part.type === 'checklist');
	if (!checklist || !isObject(checklist.items)) return [];
	return Object.entries(checklist.items)
		.filter((e): e is [string, Json] => isObject(e[1]))
		.map(([key, c]) => ({ key, label: str(c.label) ?? key, passed: c.value === true }));
}

/** What is wrong at this place, with the measured value against its threshold when the row has one. */
function rowMessage(audit: Json, row: Json, target: FindingTarget, audits: Json): string {
	const id = audit.id as string;
	const node = isObject(row.node) ? row.node : undefined;
	const explanation = str(node?.explanation);
	if (id === 'color-contrast' && explanation) return contrastMessage(explanation);
	if (explanation) return axeMessage(explanation);
	switch (id) {
		case 'errors-in-console':
			return firstLine(str(row.description)) ?? 'An error was logged to the console';
		case 'deprecations':
			return str(row.value) ?? 'Uses a deprecated API';
		case 'unsized-images':
			return 'Image has no explicit width and height';
		case 'image-size-responsive':
			if (str(row.displayedSize) && str(row.actualSize) && str(row.expectedSize))
				return `Image is ${row.actualSize} px, shown at ${row.displayedSize}: needs ${row.expectedSize} for this screen`;
			break;
		case 'lcp-discovery-insight': {
			const failed = checks(isObject(audit.details) ? audit.details : undefined).filter((c) => !c.passed);
			const lcp = lcpValue(audits);
			return [`LCP element${failed.length ? `: ${failed.map((c) => c.label).join('; ')}` : ''}`, lcp]
				.filter(Boolean)
				.join('; ');
		}
	}
	if (SHIFT_AUDITS.has(id) && num(row.score) !== undefined) return shiftMessage(num(row.score) ?? 0, audits);
	const wasted = num(row.wastedBytes);
	const total = num(row.totalBytes);
	if ((id === 'unused-javascript' || id === 'unused-css-rules') && wasted !== undefined && total !== undefined)
		return `${kib(wasted)} of ${kib(total)} unused`;
	const savings = [
		num(row.wastedMs) !== undefined ? ms(num(row.wastedMs) ?? 0) : '',
		wasted !== undefined ? kib(wasted) : '',
	]
		.filter(Boolean)
		.join(', ');
	// A resource's URL is its target already: the message says what fixing it saves.
	const what =
		str(row.description) ??
		str(row.reason) ??
		str(row.value) ??
		(target.kind === 'script' ? `${target.url}:${target.line}` : undefined);
	if (savings) return what ? `${what}: could save ${savings}` : `Could save ${savings}`;
	return what ?? str(audit.title) ?? id;
}

/** 'Contrast 1.21:1 (needs 4.5:1; #aaaaaa on #bbbbbb)' from axe's explanation. */
function contrastMessage(explanation: string): string {
	const ratio = explanation.match(/contrast of ([\d.]+)/)?.[1];
	const needed = explanation.match(/Expected contrast ratio of ([\d.]+:1)/)?.[1];
	const fg = explanation.match(/foreground color: (#[0-9a-f]{3,8})/i)?.[1];
	const bg = explanation.match(/background color: (#[0-9a-f]{3,8})/i)?.[1];
	if (!ratio) return axeMessage(explanation);
	const colours = fg && bg ? `; ${fg} on ${bg}` : '';
	return `Contrast ${ratio}:1${needed ? ` (needs ${needed}${colours})` : colours ? ` (${colours.slice(2)})` : ''}`;
}

/** The first check axe names (its explanation starts with 'Fix any of the following:'). */
function axeMessage(explanation: string): string {
	const lines = explanation
		.split('\n')
		.map((l) => l.trim())
		.filter((l) => l && !/^Fix (any|all) of the following:?$/i.test(l));
	return lines[0] ?? explanation.trim();
}

function shiftMessage(score: number, audits: Json): string {
	const cls = isObject(audits['cumulative-layout-shift']) ? audits['cumulative-layout-shift'] : undefined;
	const total = num(cls?.numericValue);
	const good = goodOf(cls) ?? 0.1;
	return `Layout shift ${score.toFixed(3)}${total !== undefined ? ` (CLS ${total.toFixed(3)}, good ≤ ${good})` : ` (good CLS ≤ ${good})`}`;
}

/** 'LCP 4.1 s (good ≤ 2.5 s)': the good threshold is Lighthouse's own for this form factor (its score 0.9). */
function lcpValue(audits: Json): string | undefined {
	const lcp = isObject(audits['largest-contentful-paint']) ? audits['largest-contentful-paint'] : undefined;
	const value = num(lcp?.numericValue);
	if (value === undefined) return undefined;
	const good = goodOf(lcp);
	return `LCP ${seconds(value)}${good !== undefined ? ` (good ≤ ${seconds(good)})` : ''}`;
}

/** The value that scores 0.9 (Lighthouse's `scoringOptions.p10`). */
function goodOf(audit: Json | undefined): number | undefined {
	return isObject(audit?.scoringOptions) ? num(audit.scoringOptions.p10) : undefined;
}

/**
 * The LCP element, when the LCP metric fails: 13.x names it in `lcp-breakdown-insight` (informative),
 * 12.x in `largest-contentful-paint-element`. Its subparts are left out: they are measured on the traced
 * load, while the LCP is Lighthouse's simulated one, so they do not add up to it.
 */
function lcpElementFindings(audits: Json, shown: Set<string>): LighthouseFinding[] {
	const lcp = isObject(audits['largest-contentful-paint']) ? audits['largest-contentful-paint'] : undefined;
	if (!lcp || !failing(lcp)) return [];
	for (const id of LCP_ELEMENT_AUDITS) {
		const audit = audits[id];
		if (!shown.has(id) || !isObject(audit) || !isObject(audit.details)) continue;
		const node = rowsOf(audit.details)
			.map((r) => r.node)
			.find((n): n is Json => isObject(n) && n.type === 'node');
		if (!node) continue;
		return [
			{
				rule: id,
				source: 'lighthouse',
				title: str(audit.title) ?? id,
				...helpUrlOf(audit),
				message: lcpValue(audits) ?? 'LCP is slow',
				severity: 'warning',
				target: elementOf(node),
			},
		];
	}
	return [];
}

/** The page finding's message: the audit's explanation, its first row, or its value against its threshold. */
function pageMessage(audit: Json, rows: Json[]): string {
	const explanation = str(audit.explanation);
	if (explanation) return firstLine(explanation) ?? explanation;
	const chain = longestChainMs(audit);
	if (chain !== undefined) return `Longest chain of critical requests: ${ms(chain)}`;
	const first = rows.map((r) => str(r.reason) ?? str(r.description) ?? str(r.value)).find(Boolean);
	if (first) return rows.length > 1 ? `${first} (and ${rows.length - 1} more)` : first;
	const value = str(audit.displayValue);
	const good = goodOf(audit);
	const numeric = num(audit.numericValue);
	if (value && good !== undefined && numeric !== undefined) {
		const threshold =
			audit.numericUnit === 'millisecond'
				? audit.id === 'total-blocking-time'
					? `${Math.round(good)} ms`
					: seconds(good)
				: String(good);
		return `${str(audit.title) ?? ''} ${value} (good ≤ ${threshold})`.trim();
	}
	return value ? `${str(audit.title) ?? ''}: ${value}` : (str(audit.title) ?? String(audit.id));
}

/** The duration of 13.x's longest network dependency chain (12.x's critical request chains say it the same way). */
function longestChainMs(audit: Json): number | undefined {
	const details = isObject(audit.details) ? audit.details : undefined;
	const parts =
		details?.type === 'list' && Array.isArray(details.items)
			? details.items.filter(isObject)
			: details
				? [details]
				: [];
	for (const part of parts) {
		const tree = isObject(part.value) ? part.value : part;
		if (isObject(tree.longestChain)) return num(tree.longestChain.duration);
	}
	return undefined;
}

/** The documentation link of an audit's description (`[Learn more …](https://…)`), https only. */
function helpUrlOf(audit: Json): { helpUrl?: string } {
	const links = [...(str(audit.description) ?? '').matchAll(/\[([^\]]*)\]\((https:\/\/[^)\s]+)\)/g)];
	const learn = links.find((m) => /learn more/i.test(m[1])) ?? links[0];
	return learn ? { helpUrl: learn[2] } : {};
}

/** One finding per rule and place (a node can appear in two clusters of layout shifts: the first is kept). */
function unique(findings: LighthouseFinding[]): LighthouseFinding[] {
	const seen = new Set<string>();
	return findings.filter((f) => {
		const key = `${f.rule}\u0000${targetKey(f.target)}`;
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
}

/** What makes two targets the same place. */
export function targetKey(target: FindingTarget): string {
	switch (target.kind) {
		case 'element':
			return `element\u0000${target.selector ?? ''}\u0000${target.snippet ?? ''}`;
		case 'script':
			return `script\u0000${target.url}\u0000${target.line}\u0000${target.column}`;
		case 'resource':
			return `resource\u0000${target.url}`;
		case 'page':
			return 'page';
	}
}

function firstLine(s: string | undefined): string | undefined {
	return s?.split('\n')[0]?.trim() || undefined;
}

function clip(s: string): string {
	const chars = Array.from(s.replace(/\s+/g, ' ').trim());
	return chars.length <= MAX_MESSAGE ? chars.join('') : `${chars.slice(0, MAX_MESSAGE - 1).join('')}…`;
}

const seconds = (msValue: number): string => `${(msValue / 1000).toFixed(1)} s`;
const ms = (v: number): string => `${Math.round(v)} ms`;
const kib = (bytes: number): string => `${Math.round(bytes / 1024)} KiB`;
