/** Entry point VS Code loads as `extensionTestsPath`: runs every *.test.js beside it with mocha. */
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
	// AUDITLENS_VSCODE_GREP runs only the tests whose titles match it (e.g. while working on one feature).
	const grep = process.env.AUDITLENS_VSCODE_GREP;
	const mocha = new Mocha({
		ui: 'bdd',
		timeout: 240_000,
		slow: 20_000,
		color: false,
		reporter: 'spec',
		...(grep ? { grep } : {}),
	});
	for (const f of fs.readdirSync(__dirname).sort()) if (f.endsWith('.test.js')) mocha.addFile(path.join(__dirname, f));
	return new Promise((resolve, reject) => {
		mocha.run((failures) => (failures ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
	});
}
