import type { LogParams } from '../protocol';

export type LogLevel = LogParams['level'];
const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** A small levelled logger. It writes to stderr only: stdout may carry the protocol. */
export interface Logger {
	error(message: string): void;
	warn(message: string): void;
	info(message: string): void;
	debug(message: string): void;
	child(prefix: string): Logger;
}

export type LogSink = (level: LogLevel, message: string) => void;

/** Secrets that must never reach a log line, each with how many holders registered it; values are replaced by `***`. */
const secrets = new Map<string, number>();
/**
 * Redact `value` from every log line (and from `redact`) until the returned function is called. Values under
 * 4 characters are left out: replacing them would garble every line and hide nothing worth hiding.
 */
export function registerSecret(value: string | undefined, minLength = 8): () => void {
	if (!value || value.length < Math.max(4, minLength)) return () => undefined;
	secrets.set(value, (secrets.get(value) ?? 0) + 1);
	let released = false;
	return () => {
		if (released) return;
		released = true;
		const n = (secrets.get(value) ?? 1) - 1;
		if (n > 0) secrets.set(value, n);
		else secrets.delete(value);
	};
}
export function redact(text: string): string {
	let out = text;
	for (const s of secrets.keys()) out = out.split(s).join('***');
	return maskCredentials(out.replace(/sk-ant-[A-Za-z0-9_-]{8,}/g, 'sk-ant-***'));
}

/** `user:password@` in any URL inside `text` becomes `user:***@`. */
export function maskCredentials(text: string): string {
	return text.replace(/(\/\/[^\s/?#@:]*):[^\s/?#@]*@/g, '$1:***@');
}

export function createLogger(level: LogLevel = 'info', sinks: LogSink[] = [], prefix = ''): Logger {
	const write = (l: LogLevel, message: string) => {
		if (ORDER[l] > ORDER[level]) return;
		const line = redact(prefix ? `[${prefix}] ${message}` : message);
		process.stderr.write(`${new Date().toISOString()} ${l.toUpperCase()} ${line}\n`);
		for (const sink of sinks) sink(l, line);
	};
	return {
		error: (m) => write('error', m),
		warn: (m) => write('warn', m),
		info: (m) => write('info', m),
		debug: (m) => write('debug', m),
		child: (p) => createLogger(level, sinks, prefix ? `${prefix}:${p}` : p),
	};
}
