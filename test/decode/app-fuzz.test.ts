/**
 * Property tests for the application-layer decoders: random bytes and mutated real messages
 * must never throw, must never read outside (off, len), and DNS name decoding must terminate
 * whatever the compression pointers say.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeDns, dnsOverTcpMessages } from '../../src/decode/dns.js';
import { decodeHttpStart } from '../../src/decode/http.js';
import {
  decodeAlert,
  decodeCertificate12,
  decodeCertificate13,
  decodeClientHello,
  decodeHandshakeMessages,
  decodeServerHello,
  decodeSslv2ClientHello,
  tlsRecordHeader,
  tlsRecords,
} from '../../src/decode/tls.js';
import { decodeCertificate } from '../../src/decode/x509.js';

function fixture(name: string): Uint8Array {
  const t = readFileSync(new URL(`../fixtures/app/${name}`, import.meta.url), 'utf8');
  return Uint8Array.from(Buffer.from(t.replace(/#.*$/gm, '').replace(/\s+/g, ''), 'hex'));
}

type Dec = (b: Uint8Array, off: number, len: number) => unknown;
const DECODERS: [string, Dec][] = [
  ['decodeDns', decodeDns],
  ['dnsOverTcpMessages', dnsOverTcpMessages],
  ['tlsRecordHeader', tlsRecordHeader],
  ['tlsRecords', tlsRecords],
  ['decodeHandshakeMessages', decodeHandshakeMessages],
  ['decodeClientHello', decodeClientHello],
  ['decodeServerHello', decodeServerHello],
  ['decodeCertificate12', decodeCertificate12],
  ['decodeCertificate13', decodeCertificate13],
  ['decodeAlert', decodeAlert],
  ['decodeSslv2ClientHello', decodeSslv2ClientHello],
  ['decodeHttpStart', decodeHttpStart],
];

/** Bytes framed by random garbage on both sides, so reads outside (off, len) would change results. */
const framed = fc
  .record({
    before: fc.uint8Array({ maxLength: 8 }),
    body: fc.uint8Array({ maxLength: 600 }),
    after: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  })
  .map(({ before, body, after }) => ({ b: new Uint8Array([...before, ...body, ...after]), off: before.length, len: body.length }));

describe('random bytes', () => {
  for (const [name, dec] of DECODERS) {
    test(`${name} never throws and reads only its range`, () => {
      fc.assert(
        fc.property(framed, ({ b, off, len }) => {
          const r = dec(b, off, len);
          const alone = b.slice(off, off + len);
          expect(dec(alone, 0, len)).toEqual(relocate(r, off));
        }),
        { numRuns: 300 },
      );
    });
  }
});

/** Results hold absolute offsets (chunk offsets); shift them so a decode at 0 compares equal. */
function relocate(r: unknown, off: number): unknown {
  if (Array.isArray(r)) return r.map((x) => relocate(x, off));
  if (r === null || typeof r !== 'object' || r instanceof Uint8Array) return r;
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    o[k] = (k === 'offset' || k === 'payloadOffset' || k === 'bodyOffset') && typeof v === 'number' && !('layer' in r) ? v - off : relocate(v, off);
  }
  return o;
}

describe('mutated real messages', () => {
  const seeds: [string, Uint8Array, Dec[]][] = [
    ['dns edns', fixture('dns-edns-ecs-response.hex'), [decodeDns]],
    ['dns 6in4', fixture('dns-6in4-aaaa-response.hex'), [decodeDns]],
    ['client hello', fixture('tls13-chrome-kyber-client-hello.hex'), [tlsRecords, (b, o, l) => decodeClientHello(b, o + 9, l - 9)]],
    ['server flight', fixture('tls12-selfsigned-server-flight.hex'), [tlsRecords, (b, o, l) => decodeServerHello(b, o + 9, l - 9), (b, o, l) => decodeCertificate12(b, o + 103, l - 103)]],
  ];
  for (const [name, seed, decs] of seeds) {
    test(name, () => {
      fc.assert(
        fc.property(
          fc.array(fc.record({ at: fc.nat({ max: seed.length - 1 }), v: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 }),
          fc.nat({ max: seed.length }),
          (edits, cut) => {
            const b = Uint8Array.from(seed);
            for (const { at, v } of edits) b[at] = v;
            for (const d of decs) {
              d(b, 0, b.length);
              d(b, 0, cut);
            }
          },
        ),
        { numRuns: 400 },
      );
    });
  }

  test('certificates from mutated DER', () => {
    const der = Uint8Array.from(readFileSync(new URL('../fixtures/app/wirewhy-test.der', import.meta.url)));
    fc.assert(
      fc.property(fc.nat({ max: der.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, v) => {
        const b = Uint8Array.from(der);
        b[at] = v;
        const r = decodeCertificate(b);
        expect(typeof r).toBe('object');
      }),
      { numRuns: 200 },
    );
  });
});

describe('DNS compression pointers always terminate', () => {
  test('messages made mostly of pointers', () => {
    // A header with large counts, then a body where every other byte pair is a pointer.
    const body = fc.array(
      fc.oneof(
        fc.integer({ min: 0, max: 0x3fff }).map((p) => [0xc0 | (p >> 8), p & 0xff]),
        fc.integer({ min: 0, max: 63 }).map((l) => [l]),
        fc.integer({ min: 0, max: 255 }).map((x) => [x]),
      ),
      { maxLength: 400 },
    );
    fc.assert(
      fc.property(body, fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 4, maxLength: 4 }), (parts, counts) => {
        const head = [0x12, 0x34, 0x81, 0x80, ...counts.flatMap((c) => [c >> 8, c & 0xff])];
        const b = new Uint8Array([...head, ...parts.flat()]);
        const t0 = performance.now();
        const r = decodeDns(b, 0, b.length);
        expect(performance.now() - t0).toBeLessThan(200);
        if ('questions' in r) {
          for (const q of r.questions) expect(q.name.length).toBeLessThanOrEqual(255 * 4);
        }
      }),
      { numRuns: 500 },
    );
  });
});
