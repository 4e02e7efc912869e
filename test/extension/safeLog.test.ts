import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { safeLogChannel } from '../../src/extension/safeLog';

/** Records what reaches the channel; the rest of the LogOutputChannel API is not used here. */
function recordingChannel() {
	const lines: string[] = [];
	const write = (message: string | Error, ...args: unknown[]) =>
		void lines.push([String(message), ...args.map(String)].join(' '));
	const channel = {
		name: 'AuditLens',
		trace: write,
		debug: write,
		info: write,
		warn: write,
		error: write,
		appendLine: write,
		append: write,
		show: () => lines.push('<shown>'),
	};
	return { lines, channel: channel as unknown as vscode.LogOutputChannel };
}

describe("The extension's log channel", () => {
	it('shows escape sequences and control characters from engine lines visibly', () => {
		const { lines, channel } = recordingChannel();
		const log = safeLogChannel(channel);
		log.info('[engine] audit of http://x/: H1 \x1b]0;pwned\x07 \x1b[2K\x1b[1A \x9b31m');
		log.warn('engine said', 'arg \x1b[31mred');
		log.error(new Error('page \x1b]8;;http://evil/\x1b\\link'));
		log.appendLine('stack\n  at line 2');
		assert.equal(lines.length, 4);
		for (const l of lines) assert.doesNotMatch(l, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/, JSON.stringify(l));
		assert.match(lines[0]!, /H1 \\x1b\]0;pwned\\x07 \\x1b\[2K\\x1b\[1A \\x9b31m/);
		assert.match(lines[1]!, /arg \\x1b\[31mred/);
		assert.equal(lines[3], 'stack\n  at line 2', 'line breaks of a multi-line entry stay');
	});

	it('passes the rest of the channel through', () => {
		const { lines, channel } = recordingChannel();
		const log = safeLogChannel(channel);
		assert.equal(log.name, 'AuditLens');
		log.show();
		assert.deepEqual(lines, ['<shown>']);
	});
});
