/**
 * The hand judgements of ../shared/captures/field/FIELD.json (real captures judged against
 * tshark): no `wrong` judgement stands any more, and every `right` one is still reported.
 *
 * Per capture, verdicts are counted by cause|severity and compared with what was seen when the
 * judgements were made (`verdicts_seen`), as ../shared/tools/field-check.py counts them: a wrong
 * judgement is fixed when its cause is claimed (as an error or a warning) that many times fewer
 * (the judged count, shared with the other wrong judgements of the same cause); a right one is
 * kept while its cause is still reported at that severity. A `capture.*` warning in place of a
 * wrong verdict is fine: it is another cause.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCapture } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import { SHARED } from '../tshark-fixture.js';

interface Expect { judgement: 'right' | 'wrong' | string; keys: string[]; count: number }
interface Judgement { target: string; kind: string }
interface Entry {
  path: string;
  judgements: Judgement[];
  expect: Expect[];
  verdicts_seen: { by_cause_severity: Record<string, number> };
}

const FIELD = join(SHARED, 'field');
const entries: Entry[] = existsSync(join(FIELD, 'FIELD.json')) ? JSON.parse(readFileSync(join(FIELD, 'FIELD.json'), 'utf8')) : [];

type Counts = Map<string, number>;
const get = (m: Counts, k: string): number => m.get(k) ?? 0;
/** How often a key's cause is claimed: `ok|…` keys as they are, failures at either severity. */
const claims = (m: Counts, key: string): number => {
  const cause = key.split('|')[0]!;
  return cause === 'ok' ? get(m, key) : get(m, `${cause}|error`) + get(m, `${cause}|warning`);
};
const group = (key: string): string => (key.startsWith('ok|') ? key : key.split('|')[0]!);

describe.skipIf(entries.length === 0)('field judgements (../shared/captures/field)', () => {
  it('the judgements are there to check', () => {
    expect(entries.some((e) => e.expect.some((x) => x.judgement === 'wrong'))).toBe(true);
    expect(entries.some((e) => e.expect.some((x) => x.judgement === 'right'))).toBe(true);
  });
  for (const e of entries) {
    it(e.path, async () => {
      const r = await analyze(await openCapture(join(FIELD, e.path)), { all: true });
      const now: Counts = new Map();
      for (const v of r.verdicts) now.set(`${v.cause}|${v.severity}`, get(now, `${v.cause}|${v.severity}`) + 1);
      const base: Counts = new Map(Object.entries(e.verdicts_seen.by_cause_severity));
      const standing: string[] = [];
      e.expect.forEach((x, i) => {
        const j = e.judgements[i]!;
        if (x.judgement === 'right') {
          const ok = x.keys.every((k) => {
            const othersWrong = e.expect.filter((o) => o.judgement === 'wrong' && o.keys.includes(k)).reduce((s, o) => s + o.count, 0);
            return get(now, k) > 0 && get(now, k) >= Math.min(x.count, get(base, k)) - othersWrong;
          });
          if (!ok) standing.push(`lost right: ${j.target} ${x.keys.join(',')}`);
        } else if (x.judgement === 'wrong') {
          const gs = new Set(x.keys.map(group));
          const together = e.expect
            .filter((o) => o.judgement === 'wrong' && o.keys.some((k) => gs.has(group(k))))
            .reduce((s, o) => s + o.count, 0);
          const was = x.keys.reduce((s, k) => s + claims(base, k), 0);
          const is = x.keys.reduce((s, k) => s + claims(now, k), 0);
          if (is > Math.max(0, was - together)) standing.push(`wrong still claimed: ${j.target} ${x.keys.join(',')} ×${x.count} [${j.kind}]`);
        }
      });
      expect(standing).toEqual([]);
    });
  }
});
