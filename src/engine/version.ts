import fs from 'node:fs';
import path from 'node:path';

/** AuditLens's version, from its package.json (found from dist/ when bundled, or out/src/engine/ in tests). */
export const ENGINE_VERSION: string = (() => {
	for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const file = path.join(dir, 'package.json');
		try {
			const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
			if (pkg.name === 'auditlens' && pkg.version) return pkg.version;
		} catch {
			// no package.json here: keep looking up
		}
	}
	return '0.0.0';
})();
