#!/usr/bin/env node
'use strict';
// The AuditLens CLI; the code lives in dist/cli.js (built by `npm run build`).
const path = require('node:path');
const fs = require('node:fs');

// Lighthouse 13 needs Node 22.19 or newer; say so before anything loads it. (Plain old JavaScript up to here,
// so that this message shows on any Node.)
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
	process.stderr.write(
		'auditlens: needs Node.js 22.19 or newer (Lighthouse 13 does); this is Node ' +
			process.versions.node +
			'.\nInstall a current Node.js (https://nodejs.org), or, in a clone of the AuditLens repository, run ' +
			'"bash scripts/setup.sh": it provides a Node 24 that "npm run" and "npx auditlens" use there.\n',
	);
	process.exit(1);
}
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
