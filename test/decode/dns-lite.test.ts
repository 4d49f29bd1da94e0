/**
 * decodeDns(..., { lite: true }) (what the tracker uses) must agree with the full decode on
 * everything but the authority / additional owner names and RDATA text; and the one-pass name
 * reader (plain names, pointer memo) must give what the escaping reader gives.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { decodeDns, type DnsMessage } from '../../src/decode/dns.js';
import { isStop } from '../../src/decode/stop.js';

function h(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/#.*$/gm, '').replace(/\s+/g, ''), 'hex'));
}

const fixtures = readdirSync(new URL('../fixtures/app/', import.meta.url))
  .filter((f) => f.startsWith('dns'))
  .map((f) => h(readFileSync(new URL(`../fixtures/app/${f}`, import.meta.url), 'utf8')));

function strip(m: DnsMessage): unknown {
  const rr = (l: DnsMessage['authority']): unknown => l.map((r) => ({ type: r.type, cls: r.cls, ttl: r.ttl, rdlength: r.rdlength }));
  return { ...m, authority: rr(m.authority), additional: rr(m.additional) };
}

function agree(b: Uint8Array): void {
  const full = decodeDns(b, 0, b.length);
  const lite = decodeDns(b, 0, b.length, { lite: true });
  if (isStop(full) || isStop(lite)) {
    expect(lite).toEqual(full);
    return;
  }
  expect(strip(lite)).toEqual(strip(full));
  for (const r of [...lite.authority, ...lite.additional]) {
    expect(r.name).toBe('');
    expect(r.data).toBeNull();
  }
}

describe('decodeDns lite', () => {
  test('fixtures exist', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  test('agrees with the full decode on fixtures', () => {
    for (const b of fixtures) agree(b);
  });

  test('agrees with the full decode on mutated fixtures and random bytes', () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), (pick, edits) => {
        const src = fixtures[pick % fixtures.length]!;
        const b = src.slice();
        for (const [i, v] of edits) b[i % b.length] = v;
        agree(b);
      }),
      { numRuns: 3000 },
    );
    fc.assert(fc.property(fc.uint8Array({ minLength: 12, maxLength: 200 }), (b) => agree(b)), { numRuns: 2000 });
  });

  test('a pointer to a name read before gives the same text; escaped names keep their escapes', () => {
    // id 1, response, 1 question, 2 answers: q "a.b" A; answer owner = pointer to 12; CNAME to "x\.y" + pointer.
    const b = h(`
      0001 8180 0001 0002 0000 0000
      01 61 01 62 00  0001 0001
      c00c 0005 0001 00000010 0007  04 78 2e 79 20 c00c
      c00c 0001 0001 00000010 0004  0a000001`);
    const m = decodeDns(b, 0, b.length);
    if (isStop(m)) throw new Error('stop');
    expect(m.questions[0]!.name).toBe('a.b');
    expect(m.answers.map((a) => [a.name, a.data])).toEqual([['a.b', 'x\\.y\\032.a.b'], ['a.b', '10.0.0.1']]);
  });
});
