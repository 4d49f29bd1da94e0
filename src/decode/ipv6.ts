/**
 * IPv6 (RFC 8200): fixed header, extension headers walked to the upper layer (hop-by-hop,
 * routing, destination options, AH, fragment — fragments reassembled), bounded in number.
 */
import type { Decoder } from './decoder.js';
import { FRAG_PART, FRAG_REASSEMBLED, type Packet } from './packet.js';
import { malformed, truncated } from './stop.js';
import { hex, u16, u32 } from './bytes.js';

const NH_HOP = 0;
const NH_ROUTING = 43;
export const NH_FRAGMENT = 44;
const NH_AH = 51;
const NH_DEST = 60;
const NH_MOBILITY = 135;

const MAX_EXT = 16;

export function isExtensionHeader(nh: number): boolean {
  return nh === NH_HOP || nh === NH_ROUTING || nh === NH_DEST || nh === NH_AH || nh === NH_FRAGMENT || nh === NH_MOBILITY;
}

/** Length in bytes of the extension header `nh` at x (AH counts 4-byte units, RFC 4302 §2.2;
 *  the others 8-byte units beyond the first 8, RFC 8200 §4). */
export function extHeaderLen(b: Uint8Array, x: number, nh: number): number {
  return nh === NH_AH ? (b[x + 1]! + 2) * 4 : (b[x + 1]! + 1) * 8;
}

export function decodeIpv6(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number): void {
  if (end - o < 40) {
    p.stop = truncated('ipv6', o - p.off, 'packet ends inside the IPv6 header');
    return;
  }
  if (b[o]! >> 4 !== 6) {
    p.stop = malformed('ipv6', o - p.off, `IP version ${b[o]! >> 4} in an IPv6 header`);
    return;
  }
  if (p.ipVersion !== 0) p.tunnels++;
  const plen = u16(b, o + 4);
  p.ipVersion = 6;
  p.nb = b;
  p.ipOff = o;
  p.ipHdrLen = 40;
  p.tos = ((b[o]! & 15) << 4) | (b[o + 1]! >> 4);
  p.ttl = b[o + 7]!;
  p.ipId = -1;
  p.df = true; // IPv6 routers never fragment
  p.srcOff = o + 8;
  p.dstOff = o + 24;
  // Jumbograms (payload length 0 with a hop-by-hop jumbo option) are taken at captured length.
  let ipEnd = plen === 0 ? end : o + 40 + plen;
  if (ipEnd > end) ipEnd = end;
  p.ipEnd = ipEnd;
  let nh = b[o + 6]!;
  let x = o + 40;
  for (let n = 0; n < MAX_EXT && isExtensionHeader(nh); n++) {
    if (ipEnd - x < 8) {
      p.proto = nh;
      p.stop = truncated('ipv6', x - p.off, 'packet ends inside an IPv6 extension header');
      return;
    }
    if (nh === NH_FRAGMENT) {
      const offFlags = u16(b, x + 2);
      const fragOff = offFlags & 0xfff8;
      const more = (offFlags & 1) === 1;
      const id = u32(b, x + 4);
      const inner = b[x]!;
      p.ipId = id;
      p.proto = inner;
      if (fragOff === 0 && !more) {
        // An "atomic" fragment (RFC 6946): nothing to reassemble.
        nh = inner;
        x += 8;
        continue;
      }
      const key = `6:${hex(b, o + 8, 32)}:${id}`;
      const r = d.frags.add(key, p.tsSec, b.subarray(o, x), fragOff, more, b.subarray(x + 8, ipEnd), inner);
      if (!r) {
        p.fragment = FRAG_PART;
        p.fragOff = fragOff;
        return;
      }
      p.fragment = FRAG_REASSEMBLED;
      p.fragOff = fragOff;
      p.nb = r.bytes;
      p.ipOff = 0;
      p.srcOff = 8;
      p.dstOff = 24;
      p.ipEnd = r.bytes.length;
      walkFrom(d, p, r.bytes, r.headLen, r.bytes.length, r.next, r.bytes.length);
      return;
    }
    const len = extHeaderLen(b, x, nh);
    nh = b[x]!;
    x += len;
  }
  if (x > ipEnd) {
    p.stop = truncated('ipv6', ipEnd - p.off, 'packet ends inside an IPv6 extension header');
    return;
  }
  p.proto = nh;
  d.transport(p, b, x, ipEnd, nh, o + 40 + plen);
}

/** Continues the extension-header walk in a reassembled datagram. */
function walkFrom(d: Decoder, p: Packet, b: Uint8Array, x: number, end: number, nh: number, wireEnd: number): void {
  for (let n = 0; n < MAX_EXT && isExtensionHeader(nh) && nh !== NH_FRAGMENT; n++) {
    if (end - x < 8) {
      p.stop = truncated('ipv6', x, 'reassembled datagram ends inside an extension header');
      return;
    }
    const len = extHeaderLen(b, x, nh);
    nh = b[x]!;
    x += len;
  }
  p.proto = nh;
  if (x > end) return;
  d.transport(p, b, x, end, nh, wireEnd);
}
