/**
 * TCP options: the usual NOP, NOP, Timestamps of a segment after the handshake is read at once;
 * every other layout by walking the options. Both must give the same fields.
 */
import { describe, expect, it } from 'vitest';
import { decodeTcp } from '../../src/decode/tcp.js';
import { Packet } from '../../src/decode/packet.js';
import { be16, be32, concat, u8 } from '../helpers/build.js';

function header(options: Uint8Array, payload = 0): Uint8Array {
  const hl = 20 + options.length;
  return concat([
    be16(40000), be16(443), be32(0x89abcdef), be32(0x01234567),
    u8((hl / 4) << 4, 0x18), be16(502), be16(0), be16(0),
    options,
    new Uint8Array(payload),
  ]);
}

function decoded(options: Uint8Array, payload = 0): Packet {
  const b = header(options, payload);
  const p = new Packet();
  p.reset();
  decodeTcp(p, b, 0, b.length, b.length);
  return p;
}

const ts = (val: number, ecr: number): Uint8Array => concat([u8(8, 10), be32(val), be32(ecr)]);

describe('TCP options', () => {
  it('NOP, NOP, Timestamps (the usual data segment)', () => {
    const p = decoded(concat([u8(1, 1), ts(0xfedcba98, 7)]), 100);
    expect([p.tsVal, p.tsEcr, p.mss, p.wscale, p.sackPerm]).toEqual([0xfedcba98, 7, -1, -1, false]);
    expect([p.tcpHdrLen, p.payOff, p.payLen, p.stop]).toEqual([32, 32, 100, null]);
  });

  it('Timestamps first, then NOPs: the same values through the option walk', () => {
    const p = decoded(concat([ts(0xfedcba98, 7), u8(1, 1)]), 100);
    expect([p.tsVal, p.tsEcr, p.tcpHdrLen, p.payOff, p.payLen]).toEqual([0xfedcba98, 7, 32, 32, 100]);
  });

  it('a 12-byte option block that is not NOP, NOP, Timestamps is walked', () => {
    // NOP, NOP, a SACK option (kind 5) with one block of 8 bytes.
    const p = decoded(concat([u8(1, 1, 5, 10), be32(1), be32(2)]));
    expect([p.tsVal, p.tsEcr, p.stop]).toEqual([-1, -1, null]);
    // NOP, NOP, kind 8 with a wrong length: not read as timestamps, and reported.
    const q = decoded(concat([u8(1, 1, 8, 12), be32(1), be32(2)]));
    expect([q.tsVal, q.stop?.stop]).toEqual([-1, 'malformed']);
  });

  it('a Linux SYN (MSS, SACK permitted, Timestamps, NOP, window scale)', () => {
    const p = decoded(concat([u8(2, 4), be16(1460), u8(4, 2), ts(1000, 0), u8(1, 3, 3, 7)]));
    expect([p.mss, p.sackPerm, p.tsVal, p.tsEcr, p.wscale, p.tcpHdrLen]).toEqual([1460, true, 1000, 0, 7, 40]);
  });
});
