/**
 * Pieces of the command line shared by `auditlens audit` and `auditlens scan`: budgets, credentials, the output
 * folder and history file checks, warnings on stderr.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AuditAuth, Category, EngineSettings, FormFactor, WorkspaceMapping } from '../protocol';
import { CATEGORIES } from '../protocol';
import type { ScoresByFormFactor } from '../format/scores';
import { splitNameValue } from '../shared/credentialSyntax';
import { safeText } from '../shared/terminalText';
import { asUsage, intOption, type OptionTable, UsageError } from './args';
import { auditAuthSchema, resolveAuth } from '../engine/auth/authRequest';
import { AuditError } from '../engine/errors';
import { checkDbPath, defaultHistoryPath } from '../engine/history/dbFile';
import { DEFAULT_QUEUE, QUEUE_KEY_ENV } from '../engine/queue/jobs';
import { queueNameArg, redisUrlArg } from '../engine/queue/redisConnection';
import { warn } from './output/text';

/** Parse `--budget performance=0.9,seo=80` (scores as 0..1 or 0..100). */
export function parseBudget(spec: string): Partial<Record<Category, number>> {
	const out: Partial<Record<Category, number>> = {};
	for (const part of spec
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean)) {
		const [name, value] = part.split('=');
		if (!(CATEGORIES as readonly string[]).includes(name))
			throw new UsageError(`--budget: unknown category "${name}" (use ${CATEGORIES.join(', ')})`);
		const n = Number(value);
		if (!Number.isFinite(n) || n < 0 || n > 100)
			throw new UsageError(`--budget: "${part}" needs a score from 0 to 1 (or 0 to 100)`);
		out[name as Category] = n > 1 ? n / 100 : n;
	}
	return out;
}

/**
 * `--header "Name: value"`, `--cookie name=value` and `--login-script FILE` as the request's `auth`, checked with
 * the engine's own schema. A mistake names the flag and the header or cookie, never its value.
 */
export function authArgs(
	headerArgs: readonly string[],
	cookieArgs: readonly string[],
	loginScript: string | undefined,
): { auth?: AuditAuth } {
	const headers: Record<string, string> = {};
	for (const arg of headerArgs) {
		const { name, value, at } = splitNameValue(arg, ':');
		// The argument is not quoted back: without its colon, it may be the value alone.
		if (at < 0)
			throw new UsageError(
				`--header takes "Name: value" (a name, a colon, the value); --header number ${headerArgs.indexOf(arg) + 1} has no colon`,
			);
		if (Object.keys(headers).some((n) => n.toLowerCase() === name.toLowerCase()))
			throw new UsageError(`--header ${safeText(name, { max: 60 })} is given twice`);
		headers[name] = value;
	}
	const cookies: { name: string; value: string }[] = [];
	for (const arg of cookieArgs) {
		const { name, value, at } = splitNameValue(arg, '=');
		if (at <= 0)
			throw new UsageError(
				`--cookie takes name=value; --cookie number ${cookieArgs.indexOf(arg) + 1} has no name before an "="`,
			);
		cookies.push({ name, value });
	}
	if (headerArgs.length === 0 && cookieArgs.length === 0 && loginScript === undefined) return {};
	if (loginScript === '') throw new UsageError('--login-script needs a file');
	const auth: AuditAuth = {
		...(headerArgs.length ? { headers } : {}),
		...(cookies.length ? { cookies } : {}),
		...(loginScript !== undefined ? { loginScript: path.resolve(loginScript) } : {}),
	};
	const parsed = auditAuthSchema.safeParse(auth);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const [part, at] = issue.path;
		const what =
			part === 'headers' && typeof at === 'string'
				? `--header ${safeText(at, { max: 60 })}`
				: part === 'cookies' && typeof at === 'number'
					? `--cookie ${safeText(cookies[at]?.name ?? '', { max: 60 })}`
					: part === 'loginScript'
						? '--login-script'
						: part === 'cookies'
							? '--cookie'
							: '--header/--cookie';
		throw new UsageError(`${what}: ${issue.message}`);
	}
	return { auth };
}

/** A problem with `--db` is one with the command line: nothing has been touched yet. */
export function checkDbArg(db: string): void {
	try {
		checkDbPath(db);
	} catch (err) {
		throw new UsageError(`--db: ${(err as Error).message}`);
	}
}

/** `dir` is a writable folder, or can be made one (its nearest existing parent is a writable folder). */
export function checkOutputDir(dir: string, flag: string): void {
	if (dir === '') throw new UsageError(`${flag} needs a folder`);
	const target = path.resolve(dir);
	for (let at = target; ; at = path.dirname(at)) {
		let stat: fs.Stats | undefined;
		try {
			stat = fs.statSync(at);
		} catch (err) {
			const code = (err as NodeJS.ErrnoException).code;
			if (code !== 'ENOENT')
				throw new UsageError(`${flag} ${dir}: ${at} cannot be used (${code ?? (err as Error).message})`);
		}
		if (stat) {
			if (!stat.isDirectory())
				throw new UsageError(
					`${flag} ${dir}: ${at === target ? 'it' : at} exists and is not a folder; give a folder to write in`,
				);
			// A folder made and removed at once says what permission bits cannot: root passes every access check, and
			// /proc or /sys look writable but take no folder (Node's recursive mkdir never returns on /proc).
			try {
				fs.rmdirSync(fs.mkdtempSync(path.join(at, '.auditlens-check-')));
			} catch (err) {
				const code = (err as NodeJS.ErrnoException).code;
				throw new UsageError(
					`${flag} ${dir}: ${at} is not a folder files can be written in (${code ?? (err as Error).message})`,
				);
			}
			return;
		}
		if (path.dirname(at) === at) throw new UsageError(`${flag} ${dir}: no folder on that path exists`);
	}
}

/** Budget failures of scores per form factor, e.g. "mobile performance 0.72 < 0.90". */
export function scoreBudgetFailures(scores: ScoresByFormFactor, budget: Partial<Record<Category, number>>): string[] {
	const out: string[] = [];
	for (const ff of ['mobile', 'desktop'] as const) {
		const s = scores[ff];
		if (!s) continue;
		for (const [cat, min] of Object.entries(budget) as [Category, number][]) {
			const score = s[cat];
			if (typeof score === 'number' && score < min) out.push(`${ff} ${cat} ${score.toFixed(2)} < ${min.toFixed(2)}`);
		}
	}
	return out;
}

/** Said once, before anything is sent: where the AI stage sends what. */
export function privacyNotice(stages: { capture: boolean; ai: boolean }, queued = false): void {
	// The AI stage works from the capture's screenshots and page facts: without capture nothing is sent. On the queue,
	// the workers' own keys decide, not this machine's.
	if (queued || !stages.ai || !stages.capture || !process.env.ANTHROPIC_API_KEY) return;
	warn(
		'AI suggestions are on (ANTHROPIC_API_KEY is set): screenshots and page text of each audited page are sent to Anthropic. Add --no-ai to keep audits on this machine.',
	);
}

/** Reads the login script now: a missing one is a mistake in the command line, not an audit failure. */
export function checkLoginScript(auth: AuditAuth | undefined): void {
	try {
		resolveAuth(auth);
	} catch (err) {
		if (err instanceof AuditError) throw new UsageError(`--login-script: ${err.message}`);
		throw err;
	}
}

/** Where findings are placed and written: set when --sarif or --root is given. */
export interface LocateArgs {
	/** The workspace root (absolute): --root, else the current folder. */
	root: string;
	/** The SARIF file to write (absolute), when --sarif is given. */
	sarif?: string;
	/** --map URLPATH=DIR: URL paths served from folders the root's layout does not suggest, on any host. */
	mappings?: WorkspaceMapping[];
}

/**
 * --sarif and --root as LocateArgs. --json places the findings too (under the current folder by default), as its
 * document carries them; a plain text run places nothing, so it never reads the folder it is run in unasked.
 */
export function locateArgs(v: { sarif?: string; root?: string; json?: boolean; map?: string[] }): {
	locate?: LocateArgs;
} {
	if (v.sarif === undefined && v.root === undefined && v.json !== true) {
		if (v.map?.length) throw new UsageError('--map places findings: give it with --json, --sarif or --root');
		return {};
	}
	if (v.sarif === '') throw new UsageError('--sarif needs a file name, e.g. --sarif auditlens.sarif');
	if (v.root === '') throw new UsageError('--root needs a folder');
	const root = path.resolve(v.root ?? '.');
	const mappings = (v.map ?? []).map((m) => {
		const eq = m.indexOf('=');
		const urlPath = m.slice(0, eq).trim();
		const dir = m.slice(eq + 1).trim();
		if (eq < 0 || !urlPath.startsWith('/') || dir === '')
			throw new UsageError(`--map takes URLPATH=DIR, e.g. --map /static/=assets (got "${m}")`);
		// Relative to the root, as the VS Code setting is relative to the first workspace folder.
		return { urlPath, dir: path.resolve(root, dir) };
	});
	return {
		locate: {
			root,
			...(v.sarif !== undefined ? { sarif: path.resolve(v.sarif) } : {}),
			...(mappings.length ? { mappings } : {}),
		},
	};
}

/**
 * Before the first audit: the root is a folder, and the SARIF file can be written (not a folder, its folder writable).
 */
export function checkLocateArgs(a: LocateArgs | undefined): void {
	if (!a) return;
	let root: fs.Stats;
	try {
		root = fs.statSync(a.root);
	} catch (err) {
		const code = (err as NodeJS.ErrnoException).code;
		throw new UsageError(
			`--root ${a.root}: ${code === 'ENOENT' ? 'no such folder' : `cannot be read (${code ?? (err as Error).message})`}; give the folder the pages are served from`,
		);
	}
	if (!root.isDirectory())
		throw new UsageError(`--root ${a.root} is a file, not a folder; give the folder the pages are served from`);
	for (const m of a.mappings ?? []) {
		const rel = path.relative(a.root, m.dir);
		if (rel.startsWith('..') || path.isAbsolute(rel))
			throw new UsageError(
				`--map ${m.urlPath}=${m.dir}: the folder is outside --root ${a.root}; findings are only placed in the root`,
			);
	}
	if (a.sarif === undefined) return;
	if (fs.existsSync(a.sarif) && fs.statSync(a.sarif).isDirectory())
		throw new UsageError(
			`--sarif ${a.sarif} is a folder; give a file name, e.g. ${path.join(a.sarif, 'auditlens.sarif')}`,
		);
	checkOutputDir(path.dirname(a.sarif), '--sarif');
}

/** What the engine's settings depend on in a command line. */
export interface EngineArgs {
	concurrency: number;
	formFactors: FormFactor[];
	accuracy: boolean;
	usePool: boolean;
	traceSlot: boolean;
	chromePath?: string;
	timeoutMs?: number;
}

/** The engine settings a command line asks for; `queued` is how many audits it may queue at once. */
export function engineSettings(a: EngineArgs, queued: number): Partial<EngineSettings> {
	return {
		maxConcurrentAudits: a.concurrency,
		maxBrowsers: Math.min(16, a.concurrency * a.formFactors.length),
		accuracyMode: a.accuracy,
		usePool: a.usePool,
		traceSlot: a.traceSlot,
		chromePath: a.chromePath,
		queueSize: Math.min(10_000, Math.max(50, queued)),
		...(a.timeoutMs ? { auditTimeoutMs: a.timeoutMs } : {}),
		...(process.env.ANTHROPIC_API_KEY ? { anthropicApiKey: process.env.ANTHROPIC_API_KEY } : {}),
		...(process.env.CRUX_API_KEY ? { cruxApiKey: process.env.CRUX_API_KEY } : {}),
	};
}

/** The options `audit` and `scan` share (their words are audit's; scan changes some of them). */
export const SHARED_AUDIT_OPTIONS = {
	'form-factor': { type: 'string', value: 'mobile|desktop|both', help: 'default both' },
	concurrency: { type: 'string', value: 'N', help: 'audits at once (default 2)' },
	timeout: { type: 'string', value: 'SECONDS', help: 'per-audit timeout (default 120)' },
	budget: {
		type: 'string',
		value: 'performance=0.9,seo=0.8',
		help: 'fail (exit 2) when a category scores below its budget',
	},
	json: { type: 'boolean', help: 'print one JSON document: an entry per URL with its result or error' },
	html: { type: 'string', value: 'DIR', help: 'write the Lighthouse HTML reports to DIR' },
	sarif: {
		type: 'string',
		value: 'FILE',
		help: 'write the findings as SARIF 2.1.0 (GitHub code scanning, SARIF viewers),\neach on its file and line under --root',
	},
	root: {
		type: 'string',
		value: 'DIR',
		help: 'the project folder the pages come from, where findings are placed (default:\nthe current folder); --json entries carry the placed findings',
	},
	map: {
		type: 'string',
		multiple: true,
		value: 'URLPATH=DIR',
		help: 'URL paths served from DIR (relative to --root), on any host: --map /=dist\n(repeatable; without it only pages on this machine are placed by path)',
	},
	'no-cache': { type: 'boolean', help: 'audit again even when a fresh cached result exists' },
	'no-capture': { type: 'boolean', help: 'no screenshots or page facts (the capture stage)' },
	'no-cro': { type: 'boolean', help: 'no conversion-rate (CRO) findings' },
	'no-ai': { type: 'boolean', help: 'no AI suggestions: nothing is sent to Anthropic' },
	'chrome-path': { type: 'string', value: 'PATH', help: 'Chrome/Chromium binary (else CHROME_PATH, else discovery)' },
	header: {
		type: 'string',
		multiple: true,
		value: '"Name: value"',
		help: 'send this header with every request of the page (repeatable)',
	},
	cookie: {
		type: 'string',
		multiple: true,
		value: 'name=value',
		help: "set this cookie for the audited URL's origin only (repeatable)",
	},
	'login-script': {
		type: 'string',
		value: 'FILE',
		help: 'a module whose default export async ({ page, url }) signs in\n(a Playwright page) in each browser before it loads the page',
	},
	db: {
		type: 'string',
		value: 'PATH',
		help: 'history database (default ~/.auditlens/history.sqlite); a folder or\na file that is not an SQLite database is refused and left as it is',
	},
	verbose: { type: 'boolean', help: 'engine logs on stderr' },
} as const satisfies OptionTable;

/** --redis and --queue of `audit` and `scan`: run the audits on `auditlens worker` processes. */
export const QUEUE_OPTIONS = {
	redis: {
		type: 'string',
		value: 'URL',
		help: 'submit each URL (each route of a scan) as a job to the BullMQ queue on this\nRedis (redis://[:password@]host:port[/db], rediss:// for TLS); progress and\nresults come back here and are saved to --db; identical jobs are shared',
	},
	queue: { type: 'string', value: 'NAME', help: "the queue (default auditlens; the workers' --queue)" },
} as const satisfies OptionTable;

/** What the queue options mean, for the help of `audit` and `scan`. */
export const QUEUE_NOTES = `With --redis, the audits run on "auditlens worker" processes, on this machine or others. With --header,
--cookie or --login-script, set AUDITLENS_QUEUE_KEY to the workers' passphrase: credentials go on the queue only
sealed with it. A --login-script must be at the same path on the workers. The workers use their own
ANTHROPIC_API_KEY and CRUX_API_KEY. Ctrl-C cancels the jobs (the audits done so far are reported, exit 130).`;

/** Where the API keys come from, for the help of the commands that audit. */
export const API_KEY_NOTES = `The Anthropic API key for AI suggestions is read from ANTHROPIC_API_KEY (screenshots and page text then go
to Anthropic; --no-ai keeps audits local); the CrUX key for field data from CRUX_API_KEY.`;

/** The arguments `audit` and `scan` share, parsed from SHARED_AUDIT_OPTIONS and QUEUE_OPTIONS. */
export interface SharedAuditArgs {
	formFactors: FormFactor[];
	concurrency: number;
	budget: Partial<Record<Category, number>>;
	json: boolean;
	htmlDir?: string;
	noCache: boolean;
	stages: { capture: boolean; cro: boolean; ai: boolean };
	timeoutMs?: number;
	chromePath?: string;
	db: string;
	verbose: boolean;
	/** Credentials from --header, --cookie and --login-script; undefined when none were given. */
	auth?: AuditAuth;
	/** --sarif and --root: place the findings in a workspace; undefined when neither was given. */
	locate?: LocateArgs;
	/** --redis URL [--queue NAME]: submit the audits to workers on this BullMQ queue instead of running them here. */
	queue?: QueueArgs;
}

/** Where `--redis` sends the audits. */
export interface QueueArgs {
	redis: string;
	name: string;
}

/**
 * --redis URL and --queue NAME, checked. With them the audits run on the workers: flags that set up this machine's
 * engine mean nothing here (a usage error, not silently ignored), and credentials need the queue's passphrase.
 */
export function queueArgs(v: SharedValues, auth: AuditAuth | undefined): { queue?: QueueArgs } {
	if (v.redis === undefined) {
		if (v.queue !== undefined) throw new UsageError('--queue names a queue on Redis: give it with --redis URL');
		return {};
	}
	const local = (['concurrency', 'chrome-path'] as const).filter((flag) => v[flag] !== undefined);
	if (local.length)
		throw new UsageError(
			`--${local[0]} sets up this machine's engine; with --redis the workers' own settings apply (auditlens worker --concurrency N)`,
		);
	if (auth && !process.env[QUEUE_KEY_ENV])
		throw new UsageError(
			`--header, --cookie and --login-script go on the queue only sealed: set ${QUEUE_KEY_ENV} to the same passphrase here and on the workers`,
		);
	return {
		queue: { redis: asUsage(() => redisUrlArg(v.redis)), name: asUsage(() => queueNameArg(v.queue, DEFAULT_QUEUE)) },
	};
}

type SharedOptions = typeof SHARED_AUDIT_OPTIONS & typeof QUEUE_OPTIONS;
type SharedValues = {
	[K in keyof SharedOptions]?: SharedOptions[K] extends { multiple: true }
		? string[]
		: SharedOptions[K] extends { type: 'boolean' }
			? boolean
			: string;
};

/** The shared arguments from parseArgs values; `formFactor` is the command's default for --form-factor. */
export function sharedAuditArgs(v: SharedValues, formFactor: 'mobile' | 'both'): SharedAuditArgs {
	const ff = v['form-factor'] ?? formFactor;
	if (ff !== 'both' && ff !== 'mobile' && ff !== 'desktop')
		throw new UsageError('--form-factor takes mobile, desktop or both');
	const auth = authArgs(v.header ?? [], v.cookie ?? [], v['login-script']);
	return {
		formFactors: ff === 'both' ? ['mobile', 'desktop'] : [ff],
		concurrency: v.concurrency === undefined ? 2 : intOption(v.concurrency, '--concurrency', 1, 16),
		budget: v.budget === undefined ? {} : parseBudget(v.budget),
		json: v.json === true,
		htmlDir: v.html,
		noCache: v['no-cache'] === true,
		stages: { capture: v['no-capture'] !== true, cro: v['no-cro'] !== true, ai: v['no-ai'] !== true },
		timeoutMs: v.timeout === undefined ? undefined : intOption(v.timeout, '--timeout', 5, 1800) * 1000,
		chromePath: v['chrome-path'],
		db: v.db ?? defaultHistoryPath(),
		verbose: v.verbose === true,
		...auth,
		...locateArgs(v),
		...queueArgs(v, auth.auth),
	};
}
