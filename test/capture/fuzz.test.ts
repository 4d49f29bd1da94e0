/**
 * Mutated gzip captures, through the whole library (reader, analysis, every renderer): never an
 * exception other than a CaptureError, the same outcome whether the bytes come from a file or
 * from a stream cut into chunks of any size, a gzip problem always named with a compressed
 * offset inside the file, and a capture that was only cut short or followed by garbage keeps
 * exactly the packets it had before. (The decoders' own fuzzing is test/decode/fuzz.)
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { gzipSync } from 'node:zlib';
import { openCapture, openStream } from '../../src/capture/open.js';
import { CaptureError } from '../../src/capture/types.js';
import { analyze } from '../../src/analyze.js';
import { renderReport } from '../../src/report/render.js';
import type { Report } from '../../src/report/model.js';
import { SAMPLES } from '../tshark-fixture.js';import { warningText } from '../../src/report/warnings.js';


const tmp = tempDir('wirewhy-fuzz-');
const NAMES = ['tcp-reset-after-request.pcap', 'https-ok-tls12.pcapng', 'multi-failure.pcap', 'dns-nxdomain-v6.pcap'];
const RAW = NAMES.map((n) => readFileSync(join(SAMPLES, n)));

type Outcome = { report: Report; frames: string[] } | { error: string };

async function outcome(open: () => Promise<import('../../src/capture/reader.js').PacketSource>): Promise<Outcome> {
  try {
    const src = await open();
    // The frames the analysis saw, by their bytes, before the analysis reuses them.
    const frames: string[] = [];
    const report = await analyze({
      info: src.info,
      close: () => src.close(),
      forEach: (f) => src.forEach((p) => {
        frames.push(Buffer.from(p.buf.subarray(p.off, p.off + p.capLen)).toString('base64'));
        return f(p);
      }),
      [Symbol.asyncIterator]: () => src[Symbol.asyncIterator](),
    });
    return { report, frames };
  } catch (e) {
    // A file's messages say "the file", a stream's its name ("x"): the rest must be the same.
    if (e instanceof CaptureError) return { error: `${e.code} ${e.offset} ${e.message.replace(/^(the file|x) /, '')}` };
    throw e;
  }
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
);

describe('gzip mutations through the library', () => {
  it('no exception but CaptureError, the same outcome however the bytes are split, offsets inside the file', async () => {
    let damaged = 0;
    let errors = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(RAW.length - 1),
        fc.constantFrom(0, 1, 6, 9),
        // Split into two gzip members at this fraction (0: one member).
        fc.constantFrom(0, 0, 0.3, 0.7),
        fc.array(mutation, { minLength: 0, maxLength: 3 }),
        fc.integer({ min: 64, max: 5000 }),
        async (which, level, split, muts, chunk) => {
          const raw = RAW[which]!;
          const at = Math.floor(raw.length * split);
          const gz0 = split === 0 ? gzipSync(raw, { level }) : Buffer.concat([gzipSync(raw.subarray(0, at), { level }), gzipSync(raw.subarray(at), { level })]);
          let b: Buffer = Buffer.from(gz0);
          for (const m of muts) {
            if (m.kind === 'flip') b[m.at % b.length] ^= m.bits;
            else if (m.kind === 'cut') b = b.subarray(0, Math.max(2, m.at % b.length));
            else if (m.kind === 'append') b = Buffer.concat([b, m.bytes]);
            else b = Buffer.concat([b.subarray(0, m.at % b.length), m.bytes, b.subarray(m.at % b.length)]);
          }
          // gzip's own magic stays, so that it is read as gzip at all.
          b[0] = 0x1f;
          b[1] = 0x8b;
          const path = join(tmp, 'f.gz');
          writeFileSync(path, b);
          const viaFile = await outcome(() => openCapture(path, { name: 'x' }));
          const viaStream = await outcome(() => openStream((async function* () {
            for (let i = 0; i < b.length; i += chunk) yield b.subarray(i, i + chunk);
          })(), { name: 'x' }));
          if ('error' in viaFile) {
            errors++;
            expect(viaStream).toEqual(viaFile);
            const m = /compressed offset (\d+)/.exec(viaFile.error);
            if (m) expect(Number(m[1])).toBeLessThanOrEqual(b.length);
            return;
          }
          expect('report' in viaStream).toBe(true);
          if (!('report' in viaStream)) return;
          expect(viaStream.frames).toEqual(viaFile.frames);
          expect(JSON.stringify(viaStream.report)).toBe(JSON.stringify(viaFile.report));
          const c = viaFile.report.capture;
          if (c.damage) {
            damaged++;
            const m = /compressed offset (\d+)/.exec(c.damage.message);
            if (m) {
              expect(c.damage.offset).toBe(Number(m[1]));
              expect(c.damage.offset).toBeLessThanOrEqual(b.length);
            }
          }
          for (const w of c.warnings) {
            const m = /compressed offset (\d+)/.exec(warningText(w, 'en'));
            if (m) expect(Number(m[1])).toBeLessThanOrEqual(b.length);
          }
          // Only cut short, or only followed by bytes after its end: a prefix of the original
          // packets. (Bytes appended to a cut file are read as the rest of its data.)
          if (muts.every((m) => m.kind === 'cut') || muts.every((m) => m.kind === 'append')) {
            const whole = await outcome(() => openCapture(join(SAMPLES, NAMES[which]!)));
            if ('frames' in whole) expect(viaFile.frames).toEqual(whole.frames.slice(0, viaFile.frames.length));
          }
          // Every format renders.
          for (const lang of ['en', 'zh'] as const) for (const f of ['table', 'json', 'md', 'html'] as const) expect(renderReport(viaFile.report, f, { lang }).length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 250 },
    );
    // The mutations do reach the damage paths.
    expect(damaged).toBeGreaterThan(20);
    expect(errors).toBeGreaterThan(5);
  });
});
