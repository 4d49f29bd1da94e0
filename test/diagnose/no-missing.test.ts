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

describe('evidence notes in Chinese reports', () => {
  it('every note of every sample has a known shape, and reads in Chinese where it has prose', async () => {
    const { knownNoteShape, localNote } = await import('../../src/diagnose/notes.js');
    let notes = 0;
    for (const f of files) {
      const en = await analyze(await openCapture(join(SAMPLES, f)), { lang: 'en', all: true });
      const zh = await analyze(await openCapture(join(SAMPLES, f)), { lang: 'zh', all: true });
      en.verdicts.forEach((v, i) => {
        v.evidence.forEach((e, j) => {
          notes++;
          const z = zh.verdicts[i]!.evidence[j]!;
          expect(z.frame).toBe(e.frame);
          if (/^ICMP/.test(e.note)) expect(z.note, e.note).toMatch(/^来自 /);
          else expect(knownNoteShape(e.note), e.note).toBe(true);
          // Prose words are translated: no English sentence words left in the Chinese note.
          expect(z.note, `${f}: ${z.note}`).not.toMatch(/\b(from the|in reply|retransmission|never|first data|no response|to \d|valid|sent \d)\b/);
        });
      });
    }
    expect(notes).toBeGreaterThan(60);
    expect(localNote('SYN (retransmission 3)', 'zh')).toBe('SYN（第 3 次重传）');
    expect(localNote('TLS alert unknown_ca (fatal) from the client', 'zh')).toBe('客户端发出的 TLS 告警 unknown_ca（致命）');
    expect(localNote('SYN (retransmission 3)', 'en')).toBe('SYN (retransmission 3)');
  });
});
