/**
 * A child process for the crash test: writes audits to a history database in a tight loop
 * (flushing after every one) until it is killed. Usage: node historyWriterChild.js <db path>
 * Prints `saved <n>` to stdout after each persisted audit; warnings (e.g. a file set aside) go to stderr.
 */
import { createLogger } from '../../src/engine/log';
import { HistoryStore } from '../../src/engine/history/historyStore';
import { loadLhr, sampleResult, testSettings } from './sampleResult';

async function main(): Promise<void> {
	const dbPath = process.argv[2];
	if (!dbPath) throw new Error('usage: historyWriterChild <db path>');
	const store = await HistoryStore.open({
		path: dbPath,
		settings: testSettings(),
		log: createLogger('warn'),
		flushDelayMs: 0,
		compressionQuality: 1,
	});
	const artifacts = new Map<string, unknown>([
		['lhr:mobile', loadLhr('mobile')],
		['lhr:desktop', loadLhr('desktop')],
	]);
	for (let n = 1; ; n++) {
		const result = sampleResult({ url: `https://example.com/page-${n % 7}`, id: `child-${process.pid}-${n}` });
		await store.save(`key-${n}`, result, artifacts);
		await store.flush();
		process.stdout.write(`saved ${n}\n`);
	}
}

main().catch((err: unknown) => {
	process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
	process.exit(1);
});
