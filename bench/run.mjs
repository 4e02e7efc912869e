// `npm run bench`: every benchmark section, one after another, each printing its own figures and
// writing bench/results/<name>.json. Run a single section with `node bench/<name>.mjs`.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const sections = ['engine', 'accuracy', 'store', 'capture', 'site', 'locate', 'queue'];
// Options that take a value (`--repeat 2`): the value goes with its option, not as a section's name.
const VALUE_OPTIONS = new Set(['--rounds', '--set', '--repeat', '--ours-arg', '--pages', '--worker-concurrency']);
const args = process.argv.slice(2);
const isFlag = (a, i) => a.startsWith('--') || VALUE_OPTIONS.has(args[i - 1]);
const only = args.filter((a, i) => !isFlag(a, i));
const flags = args.filter(isFlag);
let failed = 0;
for (const name of only.length ? only : sections) {
	console.log(`\n=== bench/${name}.mjs`);
	const r = spawnSync(process.execPath, [path.join(here, `${name}.mjs`), ...flags], { stdio: 'inherit' });
	if (r.status !== 0) {
		failed++;
		console.error(`bench/${name}.mjs failed (exit ${r.status})`);
	}
}
process.exitCode = failed ? 1 : 0;
