/**
 * The packet decoder never throws on packet bytes and never reads outside the packet: the same
 * bytes placed in buffers with different surroundings decode to the same fields.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decoder } from '../../src/decode/decoder.js';
import { Packet } from '../../src/decode/packet.js';
import { LINK_DECODERS } from '../../src/decode/registry.js';
import { newRawPacket } from '../../src/capture/types.js';
import { openCapture } from '../../src/capture/open.js';
import { fixtureCaptures } from '../tshark-fixture.js';

const LINK_TYPES = [...LINK_DECODERS.keys(), 147 /* unknown */];

function snapshot(p: Packet): string {
  return JSON.stringify([
    p.etherType, p.vlanCount, p.vlan, p.ipVersion, p.ipHdrLen, p.ipEnd - p.ipOff, p.src4, p.dst4,
    p.ipVersion === 6 ? p.srcAddr() + p.dstAddr() : '', p.ttl, p.ipId, p.proto, p.fragment, p.tunnels,
    p.sport, p.dport, p.tcpFlags, p.seq, p.ack, p.win, p.mss, p.wscale, p.tsVal, p.payLen, p.payWireLen,
    p.icmpType, p.icmpCode, p.quoted.present ? p.quotedSrc() + p.quotedDst() + p.quoted.sport : '',
    p.payLen > 0 ? Buffer.from(p.payload()).toString('hex') : '', p.stop?.stop ?? null, p.stop?.layer ?? null,
  ]);
}

/** Decodes `bytes` placed at offset 13 of a buffer filled with `fill` around it. */
function decodeIn(bytes: Uint8Array, linkType: number, fill: number): string {
  const buf = new Uint8Array(bytes.length + 40).fill(fill);
  buf.set(bytes, 13);
  const raw = newRawPacket();
  Object.assign(raw, { frame: 1, linkType, buf, off: 13, capLen: bytes.length, origLen: bytes.length });
  // A fresh decoder each time: fragment state must not leak between the two decodes.
  return snapshot(new Decoder().decode(raw, new Packet()));
}

function agrees(bytes: Uint8Array, linkType: number): void {
  const a = decodeIn(bytes, linkType, 0x00);
  const b = decodeIn(bytes, linkType, 0xff);
  if (a !== b) throw new Error(`read outside the packet (link type ${linkType}): ${a} vs ${b}`);
}

/** Real frames from the shared captures, to mutate. */
async function realFrames(): Promise<Array<{ linkType: number; bytes: Uint8Array }>> {
  const out: Array<{ linkType: number; bytes: Uint8Array }> = [];
  for (const c of fixtureCaptures()) {
    const src = await openCapture(c.file);
    await src.forEach((r) => {
      if (out.length < 4000) out.push({ linkType: r.linkType, bytes: r.buf.slice(r.off, r.off + r.capLen) });
    });
  }
  return out;
}

describe('packet decoder robustness', () => {
  it('random bytes under every link type', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LINK_TYPES), fc.uint8Array({ minLength: 0, maxLength: 200 }), (lt, bytes) => {
        agrees(bytes, lt);
      }),
      { numRuns: 3000 },
    );
  });

  it('plausible headers with random tails (gets past the first layers)', () => {
    const ethIp4 = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00]);
    const ethIp6 = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x86, 0xdd]);
    const vlan = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x81, 0x00, 0, 5, 0x88, 0xa8, 0, 6, 0x08, 0x00]);
    fc.assert(
      fc.property(
        fc.constantFrom(ethIp4, ethIp6, vlan),
        fc.constantFrom(0x45, 0x46, 0x4f, 0x60),
        fc.constantFrom(1, 4, 6, 17, 41, 47, 58, 0, 43, 44, 60),
        fc.uint8Array({ minLength: 0, maxLength: 120 }),
        (head, vihl, proto, tail) => {
          const ip = new Uint8Array(40 + tail.length);
          ip.set(tail.subarray(0, 40), 0);
          ip[0] = vihl;
          if (vihl >> 4 === 4) ip[9] = proto;
          else ip[6] = proto;
          ip.set(tail, 40);
          const f = new Uint8Array(head.length + ip.length);
          f.set(head, 0);
          f.set(ip, head.length);
          agrees(f, 1);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('every real frame cut at every length, and mutated', async () => {
    const frames = await realFrames();
    // samples/ alone hold ~380 frames; ../shared/captures adds ~2000 more when present.
    expect(frames.length).toBeGreaterThan(300);
    let cuts = 0;
    for (const { linkType, bytes } of frames.slice(0, 600)) {
      for (let n = 0; n <= Math.min(bytes.length, 200); n++) {
        agrees(bytes.subarray(0, n), linkType);
        cuts++;
      }
    }
    expect(cuts).toBeGreaterThan(15000);
    fc.assert(
      fc.property(fc.constantFrom(...frames), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (f, muts) => {
        const b = f.bytes.slice();
        for (const [i, v] of muts) if (b.length) b[i % b.length] = v;
        agrees(b, f.linkType);
      }),
      { numRuns: 5000 },
    );
  });

  it('a reused Packet decodes each frame as a new one would (nothing left over from the frame before)', async () => {
    const frames = await realFrames();
    // Every field, the quote's included; the byte buffers are compared through the fields that point into them.
    const all = (p: Packet): string => JSON.stringify(p, (k, v: unknown) => (k === 'buf' || k === 'nb' ? undefined : v));
    const reused = new Packet();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...frames), fc.nat(200), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 })), { minLength: 2, maxLength: 12 }),
        (seq) => {
          for (const [f, cut, muts] of seq) {
            const b = f.bytes.slice(0, Math.max(0, f.bytes.length - cut));
            for (const [i, v] of muts) if (b.length) b[i % b.length] = v;
            const raw = newRawPacket();
            Object.assign(raw, { frame: 1, linkType: f.linkType, buf: b, off: 0, capLen: b.length, origLen: f.bytes.length });
            // A new decoder each time: only the packet object is reused.
            const fresh = all(new Decoder().decode(raw, new Packet()));
            expect(all(new Decoder().decode(raw, reused))).toBe(fresh);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('a cut inside a header is marked truncated at that layer', () => {
    // Ethernet + IPv4 (IHL 5) + 10 bytes of a TCP header.
    const f = new Uint8Array(14 + 20 + 10);
    f[12] = 0x08;
    f[14] = 0x45;
    f[14 + 3] = 40; // total length 40 (a full TCP header would need 20)
    f[14 + 9] = 6;
    const raw = newRawPacket();
    Object.assign(raw, { linkType: 1, buf: f, off: 0, capLen: f.length, origLen: 60 });
    const p = new Decoder().decode(raw);
    expect(p.ipVersion).toBe(4);
    expect(p.stop).toMatchObject({ stop: 'truncated', layer: 'tcp', offset: 34 });
    const bad = f.slice();
    bad[14] = 0x43; // IHL 3
    Object.assign(raw, { buf: bad });
    expect(new Decoder().decode(raw).stop).toMatchObject({ stop: 'malformed', layer: 'ipv4', offset: 14 });
  });
});

