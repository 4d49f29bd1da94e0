/**
 * ICMP (RFC 792, 1191, 1812) and ICMPv6 (RFC 4443). Errors quote the offending packet's IP
 * header and at least its first 8 transport bytes (RFC 792; ICMPv6 quotes as much as fits):
 * that quote names the failing flow — addresses, protocol, ports, TCP sequence number.
 */
import { RARE_ICMP, type Packet, type Quoted } from './packet.js';
import { truncated } from './stop.js';
import { u16, u32 } from './bytes.js';
import { extHeaderLen, isExtensionHeader, NH_FRAGMENT } from './ipv6.js';

/** ICMPv4 types whose body quotes the packet that caused them. */
export function isIcmpv4Error(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/** ICMPv6 error types (RFC 4443 §2.1: types 0–127 are errors; 1–4 are defined). */
export function isIcmpv6Error(type: number): boolean {
  return type >= 1 && type <= 4;
}

export function decodeIcmp(p: Packet, b: Uint8Array, o: number, end: number, v6: boolean): void {
  p.l4Off = o;
  if (end - o < 4) {
    p.stop = truncated(v6 ? 'icmpv6' : 'icmp', o - p.off, 'packet ends inside the ICMP header');
    return;
  }
  p.rare |= RARE_ICMP;
  p.icmpType = b[o]!;
  p.icmpCode = b[o + 1]!;
  if (end - o < 8) {
    p.stop = truncated(v6 ? 'icmpv6' : 'icmp', o - p.off, 'packet ends inside the ICMP header');
    return;
  }
  p.icmpRest = u32(b, o + 4);
  p.payOff = o + 8;
  p.payLen = end - p.payOff;
  p.payWireLen = p.payLen;
  if (v6 ? isIcmpv6Error(p.icmpType) : isIcmpv4Error(p.icmpType)) {
    decodeQuoted(p.quoted, b, o + 8, end);
  }
}

/** Reads the quoted IP header (either version) and the first transport bytes. */
function decodeQuoted(q: Quoted, b: Uint8Array, o: number, end: number): void {
  q.used = true;
  if (end - o < 1) return;
  const v = b[o]! >> 4;
  let proto: number;
  let x: number;
  if (v === 4) {
    if (end - o < 20) return;
    const ihl = (b[o]! & 15) * 4;
    if (ihl < 20) return;
    q.present = true;
    q.version = 4;
    q.ipId = u16(b, o + 4);
    q.ttl = b[o + 8]!;
    proto = b[o + 9]!;
    q.src4 = u32(b, o + 12);
    q.dst4 = u32(b, o + 16);
    // A non-first fragment quotes no transport header.
    if ((u16(b, o + 6) & 0x1fff) !== 0) {
      q.proto = proto;
      return;
    }
    x = o + ihl;
  } else if (v === 6) {
    if (end - o < 40) return;
    q.present = true;
    q.version = 6;
    q.srcOff = o + 8;
    q.dstOff = o + 24;
    q.ttl = b[o + 7]!;
    proto = b[o + 6]!;
    x = o + 40;
    for (let n = 0; n < 8 && isExtensionHeader(proto); n++) {
      if (end - x < 8) {
        q.proto = proto;
        return;
      }
      if (proto === NH_FRAGMENT) {
        if ((u16(b, x + 2) & 0xfff8) !== 0) {
          q.proto = b[x]!;
          return;
        }
        proto = b[x]!;
        x += 8;
        continue;
      }
      const len = extHeaderLen(b, x, proto);
      proto = b[x]!;
      x += len;
    }
  } else return;
  q.proto = proto;
  if (proto === 6 || proto === 17 || proto === 132 || proto === 136) {
    if (end - x >= 4) {
      q.sport = u16(b, x);
      q.dport = u16(b, x + 2);
    }
    if (proto === 6 && end - x >= 8) q.tcpSeq = u32(b, x + 4);
  } else if (proto === 1 || proto === 58) {
    if (end - x >= 1) q.icmpType = b[x]!;
    if (end - x >= 6) q.icmpId = u16(b, x + 4);
    if (end - x >= 8) q.icmpSeq = u16(b, x + 6);
  }
}
