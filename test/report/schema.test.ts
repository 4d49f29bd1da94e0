/**
 * src/report/report.schema.json describes the contract's report: every sample's report (both
 * languages, with --all, and redacted) and every shared and field capture's report (both
 * languages) validate against it (ajv, JSON Schema draft 2020-12); reports that break the
 * contract do not; the schema's cause list is the catalogue's. (test/report/clock.test.ts
 * validates reports of samples whose timestamps are mutated.)
 */
import { describe, expect, it } from 'vitest';
import { CAUSE_CODES } from '../../src/diagnose/catalogue.js';
import { redactReport } from '../../src/report/redact.js';
import type { Report } from '../../src/report/model.js';
import { SAMPLE_FILES, docOf, fieldCaptures, hostileCaptureReport, sampleReport, sharedCaptures, sharedReport, type ReportDoc } from './reports.js';
import { problems, schema } from './schema-check.js';

describe('report JSON schema', () => {
  it('lists exactly the catalogue cause codes', () => {
    expect([...schema.$defs.verdict.properties.cause.enum].sort()).toEqual([...CAUSE_CODES].sort());
  });

  it.each(SAMPLE_FILES)('%s', async (f) => {
    for (const lang of ['en', 'zh'] as const) {
      const r = await sampleReport(f, true);
      expect(problems(docOf(r, lang)), `${f} ${lang}`).toEqual([]);
      expect(problems(docOf(redactReport(r), lang)), `${f} ${lang} redacted`).toEqual([]);
    }
  });

  it('a capture with hostile names', async () => {
    expect(problems(docOf(await hostileCaptureReport()))).toEqual([]);
  });

  it('rejects reports that break the contract', async () => {
    const good = docOf(await sampleReport('tls-unknown-ca.pcapng'));
    const broken: Array<[string, (r: ReportDoc) => void]> = [
      ['unknown cause', (r) => { r.verdicts[0]!.cause = 'tls.oops'; }],
      ['frame 0', (r) => { r.verdicts[0]!.evidence[0]!.frame = 0; }],
      ['time not ISO', (r) => { r.verdicts[0]!.evidence[0]!.time = '14:24:21'; }],
      ['missing summary', (r) => { delete (r.verdicts[0] as Partial<ReportDoc['verdicts'][number]>).summary; }],
      ['unknown field', (r) => { (r as unknown as Record<string, unknown>)['extra'] = 1; }],
      ['port out of range', (r) => { (r.connections as Report['connections'])[0]!.server.port = 70000; }],
      ['Zeek state', (r) => { (r.connections as Report['connections'])[0]!.state = 'ESTABLISHED'; }],
      ['from without to', (r) => { delete r.verdicts[0]!.evidence[0]!.to; }],
      ['tls.alert without details.alert', (r) => { r.verdicts[0]!.details = {}; }],
      ['wrong schema name', (r) => { (r as unknown as { schema: string }).schema = 'wirewhy.report/2'; }],
    ];
    for (const [what, change] of broken) {
      const r = structuredClone(good);
      change(r);
      expect(problems(r).length, what).toBeGreaterThan(0);
    }
  });
});

// The field captures too: real files whose clocks step back (by µs, by years) or whose
// timestamps are out of any date's range (pcapng-example: 100 packets).
const shared = [...sharedCaptures(), ...fieldCaptures()];
describe.skipIf(shared.length === 0)('report JSON schema: shared captures', () => {
  it.each(shared)('%s', async (p) => {
    const r = await sharedReport(p);
    for (const lang of ['en', 'zh'] as const) expect(problems(docOf(r, lang)), lang).toEqual([]);
  });
});
