import fs from 'node:fs';
import path from 'node:path';

/** Every entry under `dir` with its bytes (folders as `/`), to compare a folder before and after. */
export function snapshot(dir: string): Record<string, string> {
	const out: Record<string, string> = {};
	const walk = (at: string) => {
		for (const name of fs.readdirSync(at).sort()) {
			const p = path.join(at, name);
			const rel = path.relative(dir, p);
			if (fs.statSync(p).isDirectory()) {
				out[`${rel}/`] = '';
				walk(p);
			} else out[rel] = fs.readFileSync(p).toString('base64');
		}
	};
	walk(dir);
	return out;
}
