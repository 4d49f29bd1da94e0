/**
 * The report schema (src/report/report.schema.json) compiled once with ajv (JSON Schema draft
 * 2020-12, strict), for every test that validates reports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { REPO } from '../tshark-fixture.js';

export const schema = JSON.parse(readFileSync(join(REPO, 'src/report/report.schema.json'), 'utf8')) as Record<string, unknown> & {
  $defs: { verdict: { properties: { cause: { enum: string[] } } } };
};
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(schema);

/** What breaks the schema in a report's document (what a consumer reads: the JSON text). */
export function problems(doc: unknown): string[] {
  const ok = validate(JSON.parse(JSON.stringify(doc)));
  return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}
