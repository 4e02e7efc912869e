/** Entry point VS Code loads as `extensionTestsPath`: runs every *.test.js beside it with mocha. */
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
	const mocha = new Mocha({ ui: 'bdd', timeout: 240_000, slow: 20_000, color: false, reporter: 'spec' });
	for (const f of fs.readdirSync(__dirname).sort()) if (f.endsWith('.test.js')) mocha.addFile(path.join(__dirname, f));
	return new Promise((resolve, reject) => {
		mocha.run((failures) => (failures ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
	});
}
