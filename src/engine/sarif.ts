/**
 * SARIF 2.1.0 from the located findings of audits (`auditlens audit|scan --sarif`), for GitHub code scanning and
 * any SARIF viewer. Pure: the findings and the workspace root in, a SARIF log out; nothing is read or written.
 *
 * Choices a viewer depends on:
 * - URIs are relative to the root (`uriBaseId` %SRCROOT%, whose file:// URI is in `originalUriBaseIds`); GitHub
 *   reads a relative URI against the repository root, so the root should be the repository's.
 * - Every result has a physical location: GitHub rejects the whole file when one result has none. A finding the
 *   engine could not place goes on its page's entry file without a region (GitHub shows it as a file-level alert);
 *   one with no file inside the root at all is left out of `results` and counted in the run's properties.
 * - A file outside the root never gets a `../` URI that escapes it, nor an absolute one (GitHub would have to map
 *   it to the checkout, and it names folders of the machine): it is treated as no location.
 * - The same finding at the same place on several pages (a shared layout) or form factors is one result listing
 *   its URLs: one alert per place in the code, the way code scanning counts them.
 * - `partialFingerprints` hash the rule, the file and what the finding is about (the element's selector with its
 *   generated class names blurred, the script or resource path without its origin, the page): not the line, so an
 *   alert survives edits above it and another run.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { FindingSeverity, FormFactor, LocatedFinding, LocateResult, PlacementVia } from '../protocol';
import { ENGINE_VERSION } from './version';

export const SARIF_SCHEMA_URI =
	'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
/** The key of AuditLens's fingerprint in `partialFingerprints` (versioned: a new way of hashing takes a new key). */
export const FINGERPRINT_KEY = 'auditlensFinding/v1';
const SRCROOT = '%SRCROOT%';

export interface SarifInput {
	/** The workspace root the findings were located in; result URIs are relative to it. */
	root: string;
	/** The located findings of each audited page, in the order they are reported. */
	pages: readonly LocateResult[];
	/** Pages that gave no findings because their audit or their locating failed: said in the run's invocation. */
	failures?: readonly { url: string; message: string }[];
	/** AuditLens's version (default: this build's). */
	toolVersion?: string;
}

/** Where a result is: a file inside the root (URI relative to it) and, when the finding has a line, its region. */
interface Place {
	uri: string;
	region?: Sarif.Region;
	/** How the engine placed it, and how sure it is; `entry-file` with no confidence when SARIF put it there. */
	via: PlacementVia;
	confidence?: number;
}

interface Pending {
	result: Sarif.Result;
	identity: string;
	urls: string[];
	formFactors: Set<FormFactor | 'all'>;
}

const LEVEL: Record<FindingSeverity, Sarif.ReportingConfiguration.level> = {
	error: 'error',
	warning: 'warning',
	info: 'note',
};
const RANK: Record<Sarif.ReportingConfiguration.level, number> = { none: 0, note: 1, warning: 2, error: 3 };

/** The SARIF log of the findings of `input.pages`: one run, one result per rule and place. */
export function toSarif(input: SarifInput): Sarif.Log {
	const root = path.resolve(input.root);
	const rules: Sarif.ReportingDescriptor[] = [];
	const ruleIndex = new Map<string, number>();
	const pending = new Map<string, Pending>();
	const unlocatedByRule: Record<string, number> = {};
	let unlocated = 0;
	for (const page of input.pages) {
		for (const finding of page.findings) {
			const place = placeOf(finding, page, root);
			if (!place) {
				unlocated++;
				unlocatedByRule[ruleIdOf(finding)] = (unlocatedByRule[ruleIdOf(finding)] ?? 0) + 1;
				continue;
			}
			const index = ruleOf(finding, rules, ruleIndex);
			const identity = `${ruleIdOf(finding)}\n${place.uri}\n${targetIdentity(finding, page.url)}`;
			const key = `${identity}\n${place.region?.startLine ?? 0}:${place.region?.startColumn ?? 0}`;
			const formFactor = finding.formFactor ?? 'all';
			const seen = pending.get(key);
			if (seen) {
				if (!seen.urls.includes(page.url)) seen.urls.push(page.url);
				seen.formFactors.add(formFactor);
				continue;
			}
			pending.set(key, {
				result: resultOf(finding, index, place),
				identity,
				urls: [page.url],
				formFactors: new Set([formFactor]),
			});
		}
	}
	const results = fingerprinted([...pending.values()]);
	const driver: Sarif.ToolComponent = {
		name: 'AuditLens',
		version: input.toolVersion ?? ENGINE_VERSION,
		semanticVersion: input.toolVersion ?? ENGINE_VERSION,
		rules,
	};
	const failures = input.failures ?? [];
	return {
		$schema: SARIF_SCHEMA_URI,
		version: '2.1.0',
		runs: [
			{
				tool: { driver },
				originalUriBaseIds: { [SRCROOT]: { uri: directoryUri(root) } },
				invocations: [
					{
						executionSuccessful: failures.length === 0,
						...(failures.length
							? {
									toolExecutionNotifications: failures.map((f) => ({
										level: 'error' as const,
										message: { text: `${f.url}: ${f.message}` },
									})),
								}
							: {}),
					},
				],
				columnKind: 'utf16CodeUnits',
				results,
				properties: { auditedUrls: input.pages.map((p) => p.url), unlocatedFindings: unlocated, unlocatedByRule },
			},
		],
	};
}

/** The finding's place in the root: its own location, else its page's entry file without a region, else none. */
function placeOf(finding: LocatedFinding, page: LocateResult, root: string): Place | undefined {
	const loc = finding.location;
	const uri = loc && relativeUri(root, loc.file);
	if (loc && uri !== undefined) {
		if (loc.line === undefined) return { uri, via: loc.via, confidence: loc.confidence };
		const region: Sarif.Region = { startLine: loc.line };
		if (loc.column !== undefined) region.startColumn = loc.column;
		if (loc.endLine !== undefined) region.endLine = loc.endLine;
		if (loc.endColumn !== undefined) region.endColumn = loc.endColumn;
		return { uri, region, via: loc.via, confidence: loc.confidence };
	}
	const entry = page.files[0];
	const entryUri = entry === undefined ? undefined : relativeUri(root, entry);
	return entryUri === undefined ? undefined : { uri: entryUri, via: 'entry-file' };
}

/** `file` as a URI relative to `root` (each segment percent-encoded, `/` between), or undefined when outside it. */
export function relativeUri(root: string, file: string): string | undefined {
	const rel = path.relative(path.resolve(root), path.resolve(root, file));
	if (rel === '' || path.isAbsolute(rel) || rel.split(path.sep)[0] === '..') return undefined;
	return rel.split(path.sep).map(encodeURIComponent).join('/');
}

/** A folder's file:// URI, ending in `/` as `originalUriBaseIds` requires. */
function directoryUri(dir: string): string {
	const href = pathToFileURL(dir).href;
	return href.endsWith('/') ? href : `${href}/`;
}

/**
 * The SARIF rule id: a Lighthouse audit's id, a CRO rule's under `cro/` (both have a `meta-description`, and one
 * rule id would merge their results and lose one text).
 */
export function ruleIdOf(finding: Pick<LocatedFinding, 'rule' | 'source'>): string {
	return finding.source === 'cro' ? `cro/${finding.rule}` : finding.rule;
}

/** The result's text; a resource's findings name it ("Could save 12 KiB" alone does not say which file). */
function messageOf(finding: LocatedFinding): string {
	const text = finding.message || finding.title;
	if (finding.target.kind !== 'resource') return text;
	let shown = finding.target.url;
	try {
		const u = new URL(shown);
		shown = u.pathname + u.search;
	} catch {
		// not a URL: as it is
	}
	return text.includes(shown) ? text : `${text} (${shown})`;
}

/** The rule's index in `rules`, adding it at its first finding; its default level is its most severe finding's. */
function ruleOf(finding: LocatedFinding, rules: Sarif.ReportingDescriptor[], ruleIndex: Map<string, number>): number {
	const level = LEVEL[finding.severity];
	const id = ruleIdOf(finding);
	const known = ruleIndex.get(id);
	if (known !== undefined) {
		const config = rules[known]!.defaultConfiguration!;
		if (RANK[level] > RANK[config.level ?? 'warning']) config.level = level;
		return known;
	}
	const help = httpsUrl(finding.helpUrl);
	rules.push({
		id,
		name: pascalCase(id),
		shortDescription: { text: finding.title },
		...(help ? { helpUri: help } : {}),
		defaultConfiguration: { level },
		properties: { tags: [finding.source === 'cro' ? 'conversion' : 'lighthouse'] },
	});
	ruleIndex.set(id, rules.length - 1);
	return rules.length - 1;
}

function resultOf(finding: LocatedFinding, ruleIndex: number, place: Place): Sarif.Result {
	const physicalLocation: Sarif.PhysicalLocation = { artifactLocation: { uri: place.uri, uriBaseId: SRCROOT } };
	if (place.region) physicalLocation.region = place.region;
	return {
		ruleId: ruleIdOf(finding),
		ruleIndex,
		level: LEVEL[finding.severity],
		message: { text: messageOf(finding) },
		locations: [{ physicalLocation }],
		properties: {
			source: finding.source,
			placement: { via: place.via, ...(place.confidence !== undefined ? { confidence: place.confidence } : {}) },
			...(finding.target.kind === 'element' && finding.target.selector ? { selector: finding.target.selector } : {}),
			...(finding.target.kind === 'resource' ? { resource: finding.target.url } : {}),
			...(finding.fix ? { quickFix: finding.fix.kind } : {}),
		},
	};
}

/**
 * Fill in each result's URLs, form factors and fingerprint. Results with the same rule, file and target (two
 * identical `<img>` in one file) are told apart by their order in the file, as CodeQL's line hashes are.
 */
function fingerprinted(pending: Pending[]): Sarif.Result[] {
	const byIdentity = new Map<string, Pending[]>();
	for (const p of pending) byIdentity.set(p.identity, [...(byIdentity.get(p.identity) ?? []), p]);
	for (const [identity, same] of byIdentity) {
		const hash = createHash('sha256').update(identity).digest('hex').slice(0, 32);
		const ordered = [...same].sort((a, b) => lineOf(a) - lineOf(b) || columnOf(a) - columnOf(b));
		ordered.forEach((p, i) => {
			p.result.partialFingerprints = { [FINGERPRINT_KEY]: `${hash}:${i + 1}` };
			const formFactors = p.formFactors.has('all') ? ['all'] : [...p.formFactors].sort();
			p.result.properties = { ...p.result.properties, urls: p.urls, formFactors };
		});
	}
	return pending.map((p) => p.result);
}

const lineOf = (p: Pending) => p.result.locations?.[0]?.physicalLocation?.region?.startLine ?? 0;
const columnOf = (p: Pending) => p.result.locations?.[0]?.physicalLocation?.region?.startColumn ?? 0;

/**
 * What a finding is about, the same across runs: the element's selector (else its snippet or label), the
 * script's or resource's path with the page's own origin left out (a test server's port changes per run).
 */
function targetIdentity(finding: LocatedFinding, pageUrl: string): string {
	const t = finding.target;
	switch (t.kind) {
		case 'element':
			return `element ${withoutHashes(t.selector ?? t.snippet ?? t.nodeLabel ?? '')}`;
		case 'script':
			// Two errors in one script differ by their text; positions and origins in it are left out.
			return `script ${t.original?.file ?? urlKey(t.url, pageUrl)} ${finding.message.replace(/https?:\/\/[^/\s]+/g, '').replace(/:\d+(:\d+)?/g, '')}`;
		case 'resource':
			return `resource ${urlKey(t.url, pageUrl)}`;
		case 'page':
			return 'page';
	}
}

/**
 * `text` with its generated names blurred: a word of 5 or more letters and digits mixed (`css-1x2y3z`,
 * `generated-je7yokpde5`) is a build's or a script's hash, which changes between runs; `main`, `h1`, `col-6` stay.
 */
function withoutHashes(text: string): string {
	return text.replace(/[a-z0-9]{5,}/gi, (w) => (/\d/.test(w) && /[a-z]/i.test(w) ? '*' : w));
}

/** A URL's path, with its host when it is not the page's origin; no query or fragment (cache busters change). */
function urlKey(url: string, pageUrl: string): string {
	try {
		const u = new URL(url, pageUrl);
		return u.origin === new URL(pageUrl).origin ? u.pathname : `${u.host}${u.pathname}`;
	} catch {
		return url;
	}
}

function httpsUrl(url: string | undefined): string | undefined {
	if (!url) return undefined;
	try {
		return new URL(url).protocol === 'https:' ? url : undefined;
	} catch {
		return undefined;
	}
}

/** `image-alt` → `ImageAlt`: SARIF's `name` is an identifier, the id is what viewers show. */
function pascalCase(id: string): string {
	return id
		.split(/[^a-zA-Z0-9]+/)
		.filter(Boolean)
		.map((w) => w[0]!.toUpperCase() + w.slice(1))
		.join('');
}
