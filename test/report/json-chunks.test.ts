/**
 * The CLI writes JSON reports in pieces (renderJsonChunks); the pieces must join to exactly the
 * bytes of renderJson — for every sample, with pieces small enough to cut inside every record.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openCapture } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import { prettyJson, renderJson, renderJsonArrayChunks, renderJsonChunks, reportDocument } from '../../src/report/json.js';
import { renderReports } from '../../src/report/render.js';
import { SAMPLES } from '../tshark-fixture.js';

const files = readdirSync(SAMPLES).filter((f) => /\.pcap(ng)?$/.test(f)).sort();

describe('JSON in pieces', () => {
  it('joins to the same bytes as the whole report, every sample', async () => {
    expect(files.length).toBeGreaterThan(30);
    for (const f of files) {
      const r = await analyze(await openCapture(join(SAMPLES, f)), { all: true });
      for (const lang of ['en', 'zh'] as const) {
        const whole = renderJson(r, lang);
        const small = [...renderJsonChunks(r, lang, 64)];
        expect(small.join(''), f).toBe(whole);
        expect(small.length, f).toBeGreaterThan(1);
        expect([...renderJsonChunks(r, lang)].join('')).toBe(whole);
      }
    }
  });

  it('empty record lists and a report with nothing in it', async () => {
    const r = await analyze(await openCapture(join(SAMPLES, files[0]!)));
    const bare = { ...r, verdicts: [], connections: [], dns: [], tls: [], icmp: [], http: [] };
    expect([...renderJsonChunks(bare, 'en', 1)].join('')).toBe(renderJson(bare, 'en'));
  });

  it('several reports are one JSON array, the same bytes in pieces of any size', async () => {
    const rs = await Promise.all(files.slice(0, 5).map(async (f) => analyze(await openCapture(join(SAMPLES, f)), { all: true })));
    for (const lang of ['en', 'zh'] as const) {
      const want = `${prettyJson(rs.map((r) => reportDocument(r, lang)))}\n`;
      for (const size of [1, 64, 1 << 16]) expect([...renderJsonArrayChunks(rs, lang, size)].join(''), `${size}`).toBe(want);
      expect(renderReports(rs, 'json', { lang })).toBe(want);
      // One report: the report object itself, as before.
      expect(renderReports(rs.slice(0, 1), 'json', { lang })).toBe(renderJson(rs[0]!, lang));
    }
  });
});
