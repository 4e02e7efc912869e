import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { FIXTURE_PAGES } from './fixtureServer';

/** The official SARIF 2.1.0 schema (test/fixtures/sarif, its source in the README there). */
const SCHEMA = JSON.parse(
	fs.readFileSync(path.join(FIXTURE_PAGES, '..', 'sarif', 'sarif-schema-2.1.0.json'), 'utf8'),
) as object;

let validate: ReturnType<Ajv['compile']> | undefined;

/** What makes `log` invalid SARIF 2.1.0 by the official schema, one line per error; empty when it is valid. */
export function sarifSchemaErrors(log: unknown): string[] {
	if (!validate) {
		// The schema is draft-04 (`id`, not `$id`); strict mode would refuse its unknown keywords.
		const ajv = new Ajv({ allErrors: true, strict: false });
		addFormats(ajv);
		validate = ajv.compile(SCHEMA);
	}
	if (validate(log)) return [];
	return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
