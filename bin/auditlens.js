#!/usr/bin/env node
'use strict';
// The AuditLens CLI; the code lives in dist/cli.js (built by `npm run build`).
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
	process.stderr.write('auditlens: dist/cli.js is missing; run "npm run build" first.\n');
	process.exit(1);
}
require(cli)
	.main(process.argv.slice(2))
	.then((code) => {
		process.exitCode = code;
	});
