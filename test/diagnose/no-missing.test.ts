/**
 * Every verdict text of every sample, in both languages, has all its placeholders filled: a
 * value the rule forgot shows as MISSING ('?') in the middle of a sentence.
 */
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import { MISSING } from '../../src/diagnose/text.js';
import { SAMPLES } from '../tshark-fixture.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const files = readdirSync(SAMPLES).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
const esc = MISSING.replace(/[?]/g, '\\?');
const hole = new RegExp(`(^|[\\s(（:：])${esc}([\\s,.，。)）]|$)`);

describe('no unfilled placeholder in any verdict', () => {
  it('has samples', () => expect(files.length).toBeGreaterThan(30));
  for (const f of files) {
    it(f, async () => {
      for (const lang of ['en', 'zh'] as const) {
        const r = await analyze(await openCapture(join(SAMPLES, f)), { lang, all: true });
        for (const v of r.verdicts) {
          for (const t of [v.summary, v.explanation, ...v.advice]) expect(t, `${lang}: ${t}`).not.toMatch(hole);
        }
      }
    });
  }
});
