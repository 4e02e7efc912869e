/** `auditlens demo`: serve the bundled landing page on 127.0.0.1, audit it, print scores, write the HTML report. */
import path from 'node:path';
import { startOrphanWatchdog } from '../../engine/chrome/watchdog';
import { type Command, UsageError } from '../args';
import { API_KEY_NOTES } from '../auditOptions';
import { serveDemo } from '../demoServer';
import { EXIT_CODES_HELP } from '../exitCodes';
import { AUDIT_SECTIONS, auditCommand, checkAuditArgs, parseAuditArgs } from './audit';

export const demo: Command = {
	name: 'demo',
	usage: ['demo [audit options]'],
	brief: 'serve the bundled demo page on 127.0.0.1 and audit it',
	summary:
		'Serve the bundled demo landing page on 127.0.0.1 and audit it: scores, CRO findings, and the Lighthouse\nreports in ./auditlens-demo (its history too).',
	sections: AUDIT_SECTIONS.slice(0, 2),
	notes: [EXIT_CODES_HELP, API_KEY_NOTES].join('\n\n'),
	async run(argv) {
		const outDir = path.resolve('auditlens-demo');
		const args = {
			...parseAuditArgs(['demo-url', '--db', path.join(outDir, 'history.sqlite'), '--no-cache', ...argv]),
			htmlDir: outDir,
		};
		// The demo page is served on this machine's loopback, where workers elsewhere cannot reach it.
		if (args.queue) throw new UsageError('the demo audits a page served on this machine: run it without --redis');
		checkAuditArgs(args);
		startOrphanWatchdog();
		const page = await serveDemo();
		process.stderr.write(`Serving the demo landing page at ${page.url}\n`);
		try {
			return await auditCommand({ ...args, urls: [page.url] }, { reportName: 'demo-report' });
		} finally {
			await page.close();
		}
	},
};
