/**
 * Golden reports: every sample in samples/, in all four formats (table without colour, json,
 * md, html; English, --all), compared byte for byte with test/fixtures/golden/. A change in any
 * report shows up as a diff to review. Regenerate with
 *   UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts
 * Also: two independent analyses of the same capture render to the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { openCapture } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import { renderReport, FORMATS, type Format } from '../../src/report/render.js';
import { REPO, SAMPLES } from '../tshark-fixture.js';
import { SAMPLE_FILES, sampleReport } from './reports.js';

const GOLDEN = join(REPO, 'test/fixtures/golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const EXT: Record<Format, string> = { table: 'txt', json: 'json', md: 'md', html: 'html' };

describe('golden reports', () => {
  if (UPDATE) mkdirSync(GOLDEN, { recursive: true });

  it.each(SAMPLE_FILES)('%s', async (f) => {
    const r = await sampleReport(f, true);
    for (const format of FORMATS) {
      const text = renderReport(r, format, { lang: 'en', color: false });
      const path = join(GOLDEN, `${f}.${EXT[format]}`);
      if (UPDATE) writeFileSync(path, text);
      expect(existsSync(path), `${relative(REPO, path)} is missing: run UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts`).toBe(true);
      expect(text, `${relative(REPO, path)} differs (review, then UPDATE_GOLDEN=1)`).toBe(readFileSync(path, 'utf8'));
    }
  });

  it('no stale golden files, and the set stays small', () => {
    const files = readdirSync(GOLDEN);
    const want = new Set(SAMPLE_FILES.flatMap((f) => FORMATS.map((fmt) => `${f}.${EXT[fmt]}`)));
    expect(files.filter((x) => !want.has(x))).toEqual([]);
    const total = files.reduce((n, x) => n + statSync(join(GOLDEN, x)).size, 0);
    // About 22 KB a sample in four formats (70 samples: 1.5 MB); 88 samples, the SYN flood's 330
    // connection records among them (its JSON: 170 KB), 2.2 MB.
    expect(total).toBeLessThan(2.5 * 1024 * 1024);
  });

  it('is deterministic: two analyses render to the same bytes', async () => {
    for (const f of ['multi-failure.pcap', 'tls-unknown-ca.pcapng', 'dns-truncated-tcp-retry.pcap']) {
      const once = async (): Promise<string[]> => {
        const r = await analyze(await openCapture(join(SAMPLES, f)), { all: true });
        return FORMATS.map((fmt) => renderReport(r, fmt, { lang: 'zh' }));
      };
      expect(await once()).toEqual(await once());
    }
  });
});
