/**
 * The command line is a shell over the library: one language-free `analyze()` of a capture,
 * rendered with `renderReports(…, format, { lang })`, is byte for byte what `wirewhy analyze
 * --format F --lang L` prints — for every sample and shared capture, in both languages and all
 * four formats (with --all, as the richest reports). One run of the real executable per format
 * and language, with every capture on its command line.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { openCapture } from '../../src/capture/open.js';
import { CaptureError } from '../../src/capture/types.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { FORMATS, renderReports } from '../../src/report/render.js';
import { REPO, SAMPLES, SHARED } from '../tshark-fixture.js';
import { SAMPLE_FILES, sharedCaptures } from '../report/reports.js';

const BIN = join(REPO, 'dist/src/cli/main.js');

/** Every capture, as the command line names it (relative to the repository), with its report. */
async function reports(): Promise<Array<{ arg: string; report: Report }>> {
  const out: Array<{ arg: string; report: Report }> = [];
  const paths = [...SAMPLE_FILES.map((f) => join(SAMPLES, f)), ...sharedCaptures().map((p) => join(SHARED, p))];
  for (const p of paths) {
    const arg = relative(REPO, p);
    try {
      out.push({ arg, report: await analyze(await openCapture(arg), { all: true }) });
    } catch (e) {
      // A file the reader refuses is left out of both sides (the CLI says so on stderr).
      if (!(e instanceof CaptureError)) throw e;
    }
  }
  return out;
}

describe('wirewhy analyze prints what the library renders', () => {
  it('every capture, both languages, all formats', async () => {
    const all = await reports();
    expect(all.length).toBeGreaterThan(SAMPLE_FILES.length - 1);
    for (const lang of ['en', 'zh'] as const) {
      for (const format of FORMATS) {
        const r = spawnSync(process.execPath, [BIN, 'analyze', '--all', '--format', format, '--lang', lang, ...all.map((x) => x.arg)],
          { cwd: REPO, encoding: 'utf8', maxBuffer: 256 << 20, timeout: 120_000 });
        expect(r.status, r.stderr).toBe(1);
        const want = renderReports(all.map((x) => x.report), format, { lang });
        expect(r.stdout === want, `${format} ${lang}: the CLI's output differs from the library's rendering`).toBe(true);
      }
    }
  }, 300_000);
});
