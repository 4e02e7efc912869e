/**
 * The Lighthouse internals the worker wraps (worker.ts `hookLighthouse`): the Trace gatherer's traced phase, the
 * page-side evaluation of the machine benchmark, and the full-page screenshot step. They are not Lighthouse's public
 * API, so a new Lighthouse may move or rename them; each is looked up here, and a missing one fails the worker's
 * start with a message that names it, instead of runs that quietly go without the trace slot or the capture.
 */
import type { CaptureDriver } from './navigationCapture';

export type Session = {
	on(event: string, listener: (params: unknown) => void): void;
	off(event: string, listener: (params: unknown) => void): void;
};
export type Phase = (this: unknown, ctx: { driver: { defaultSession: Session } }) => Promise<void>;
export type Evaluate = (this: unknown, mainFn: unknown, options: unknown) => Promise<unknown>;

export interface HookPoints {
	trace: { prototype: { startSensitiveInstrumentation: Phase; stopSensitiveInstrumentation: Phase } };
	executionContext: { prototype: { evaluate: Evaluate } };
	/** The page function Lighthouse evaluates to measure the machine's benchmarkIndex. */
	computeBenchmarkIndex: unknown;
	fullPageScreenshot: { prototype: { getArtifact(this: unknown, ctx: { driver: CaptureDriver }): Promise<unknown> } };
}

/** The modules the hook points live in, relative to Lighthouse's package folder. */
export const HOOK_MODULES = {
	trace: 'core/gather/gatherers/trace.js',
	executionContext: 'core/gather/driver/execution-context.js',
	pageFunctions: 'core/lib/page-functions.js',
	fullPageScreenshot: 'core/gather/gatherers/full-page-screenshot.js',
} as const;

/** The namespaces of HOOK_MODULES, as `import()` gives them. */
export type HookModules = Record<keyof typeof HOOK_MODULES, unknown>;

/** HOOK_MODULES of the Lighthouse this engine runs (the `lighthouse` package it resolves). */
export async function importHookModules(): Promise<HookModules> {
	// Literal specifiers: the bundler keeps them as imports of the external `lighthouse` package.
	const [trace, executionContext, pageFunctions, fullPageScreenshot] = await Promise.all([
		import('lighthouse/core/gather/gatherers/trace.js'),
		import('lighthouse/core/gather/driver/execution-context.js'),
		import('lighthouse/core/lib/page-functions.js'),
		import('lighthouse/core/gather/gatherers/full-page-screenshot.js'),
	]);
	return { trace, executionContext, pageFunctions, fullPageScreenshot };
}

type Json = Record<string, unknown>;
const member = (value: unknown, key: string): unknown =>
	(typeof value === 'object' || typeof value === 'function') && value !== null ? (value as Json)[key] : undefined;
const isFunction = (value: unknown): boolean => typeof value === 'function';

/** Each hook point: where it is (for the message) and whether `modules` have it. */
const CHECKS: { name: string; present(modules: HookModules): boolean }[] = [
	...(['startSensitiveInstrumentation', 'stopSensitiveInstrumentation'] as const).map((method) => ({
		name: `${HOOK_MODULES.trace}: default.prototype.${method}`,
		present: (m: HookModules) => isFunction(member(member(member(m.trace, 'default'), 'prototype'), method)),
	})),
	{
		name: `${HOOK_MODULES.executionContext}: ExecutionContext.prototype.evaluate`,
		present: (m) => isFunction(member(member(member(m.executionContext, 'ExecutionContext'), 'prototype'), 'evaluate')),
	},
	{
		name: `${HOOK_MODULES.pageFunctions}: pageFunctions.computeBenchmarkIndex`,
		present: (m) => isFunction(member(member(m.pageFunctions, 'pageFunctions'), 'computeBenchmarkIndex')),
	},
	{
		name: `${HOOK_MODULES.fullPageScreenshot}: default.prototype.getArtifact`,
		present: (m) => isFunction(member(member(member(m.fullPageScreenshot, 'default'), 'prototype'), 'getArtifact')),
	},
];

/** The hook points `modules` lack, by name; none for the pinned Lighthouse. */
export function missingHookPoints(modules: HookModules): string[] {
	return CHECKS.filter((c) => !c.present(modules)).map((c) => c.name);
}

/** The hook points of `modules`; throws, naming each missing one, when this Lighthouse lacks any. */
export function hookPoints(modules: HookModules, lighthouseVersion: string): HookPoints {
	const missing = missingHookPoints(modules);
	if (missing.length)
		throw new Error(
			`Lighthouse ${lighthouseVersion} lacks what AuditLens hooks into (${missing.join('; ')}): ` +
				'use the Lighthouse version in package.json, or update src/engine/lighthouse/hookPoints.ts and worker.ts',
		);
	return {
		trace: member(modules.trace, 'default') as HookPoints['trace'],
		executionContext: member(modules.executionContext, 'ExecutionContext') as HookPoints['executionContext'],
		computeBenchmarkIndex: member(member(modules.pageFunctions, 'pageFunctions'), 'computeBenchmarkIndex'),
		fullPageScreenshot: member(modules.fullPageScreenshot, 'default') as HookPoints['fullPageScreenshot'],
	};
}
