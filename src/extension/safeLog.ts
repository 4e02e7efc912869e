/**
 * The AuditLens log channel with every line passed through `safeText`: engine log lines and errors quote
 * pages (titles, URLs, messages), and the log file is read in terminals too.
 */
import type * as vscode from 'vscode';
import { safeText } from '../shared/terminalText';

const WRITERS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'append', 'appendLine', 'replace']);
// Long enough for a stack trace; a page can still not flood the log with one line.
const clean = (v: unknown): unknown =>
	typeof v === 'string'
		? safeText(v, { multiline: true, max: 20_000 })
		: v instanceof Error
			? clean(v.stack ?? v.message)
			: v;

/** `channel` with the same API, whose writers clean their arguments first. */
export function safeLogChannel(channel: vscode.LogOutputChannel): vscode.LogOutputChannel {
	return new Proxy(channel, {
		get(target, prop, receiver) {
			const value: unknown = Reflect.get(target, prop, receiver);
			if (typeof value !== 'function') return value;
			if (typeof prop === 'string' && WRITERS.has(prop))
				return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args.map(clean));
			return (value as (...a: unknown[]) => unknown).bind(target);
		},
	});
}
