/**
 * Every verdict text of every sample, in both languages, has all its placeholders filled: a
 * value the rule forgot shows as MISSING ('?') in the middle of a sentence. Every kind of
 * evidence and limit a sample produces is declared with words in both languages.
 */
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import { EVIDENCE_KINDS, LIMIT_KINDS, MISSING } from '../../src/diagnose/words.js';
import { evidenceNote, verdictWords } from '../../src/report/words.js';
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
      const r = await analyze(await openCapture(join(SAMPLES, f)), { all: true });
      for (const lang of ['en', 'zh'] as const) {
        for (const v of r.verdicts) {
          const w = verdictWords(v, lang);
          for (const t of [w.summary, w.explanation, ...w.advice]) expect(t, `${lang}: ${t}`).not.toMatch(hole);
        }
      }
    });
  }
});

describe('evidence notes and limits', () => {
  it('every kind a sample produces is declared, and its Chinese note has no English prose', async () => {
    let notes = 0;
    for (const f of files) {
      const r = await analyze(await openCapture(join(SAMPLES, f)), { all: true });
      for (const v of r.verdicts) {
        for (const l of v.limits) expect(LIMIT_KINDS.has(l.kind), `${f}: limit ${l.kind}`).toBe(true);
        for (const e of v.evidence) {
          notes++;
          expect(EVIDENCE_KINDS.has(e.kind), `${f}: evidence ${e.kind}`).toBe(true);
          const zh = evidenceNote(e, 'zh');
          if (e.kind === 'icmp') expect(zh).toMatch(/^来自 /);
          // Prose words are translated: no English sentence words left in the Chinese note.
          expect(zh, `${f}: ${zh}`).not.toMatch(/\b(from the|in reply|retransmission|never|first data|no response|to \d|valid|sent \d)\b/);
          expect(evidenceNote(e, 'en')).not.toBe(e.kind);
        }
      }
    }
    expect(notes).toBeGreaterThan(60);
    expect(evidenceNote({ kind: 'syn', args: { retransmission: 3 } }, 'zh')).toBe('SYN（第 3 次重传）');
    expect(evidenceNote({ kind: 'tls_alert', args: { name: 'unknown_ca', level: 'fatal', sender: 'client' } }, 'zh')).toBe('客户端发出的 TLS 告警 unknown_ca（致命）');
    expect(evidenceNote({ kind: 'syn', args: { retransmission: 3 } }, 'en')).toBe('SYN (retransmission 3)');
  });
});
