/**
 * Link types with little or no header: BSD loopback (LINKTYPE_NULL = 0, a 4-byte address family
 * in the capturing host's byte order; LINKTYPE_LOOP = 108, network order), raw IP (101, and the
 * old DLT 12/14 values, 228 IPv4, 229 IPv6) and PPP (9: optional FF 03, then the protocol).
 */
import type { Decoder } from './decoder.js';
import type { Packet } from './packet.js';
import { truncated } from './stop.js';
import { ETH_IPV4, ETH_IPV6, decodePppProtocol } from './ethernet.js';

/** AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux). */
function familyToEtherType(f: number): number {
  if (f === 2) return ETH_IPV4;
  if (f === 24 || f === 28 || f === 30 || f === 10) return ETH_IPV6;
  return -1;
}

export function decodeNull(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number, networkOrder: boolean): void {
  if (end - o < 4) {
    p.stop = truncated('null', o - p.off, 'frame shorter than the loopback header');
    return;
  }
  const be = ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  const le = ((b[o + 3]! << 24) | (b[o + 2]! << 16) | (b[o + 1]! << 8) | b[o]!) >>> 0;
  // LINKTYPE_NULL is in the writer's byte order, which the file does not record: the family is
  // a small number, so whichever reading is small is the right one.
  const fam = networkOrder ? be : be < 256 ? be : le;
  const t = familyToEtherType(fam);
  if (t < 0) return;
  d.ipByVersion(p, b, o + 4, end, t === ETH_IPV4 ? 4 : 6);
}

export function decodeRaw(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number, version: 0 | 4 | 6): void {
  if (end - o < 1) {
    p.stop = truncated('raw', o - p.off, 'empty frame');
    return;
  }
  d.ipByVersion(p, b, o, end, version || b[o]! >> 4);
}

export function decodePpp(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number): void {
  if (end - o >= 2 && b[o] === 0xff && b[o + 1] === 0x03) o += 2; // HDLC address/control
  if (end - o < 1) {
    p.stop = truncated('ppp', o - p.off, 'frame ends before the PPP protocol');
    return;
  }
  // The protocol field may be compressed to one byte when its low bit is set (RFC 1661 §6.5).
  let proto: number;
  if (b[o]! & 1) {
    proto = b[o]!;
    o += 1;
  } else {
    if (end - o < 2) {
      p.stop = truncated('ppp', o - p.off, 'frame ends inside the PPP protocol');
      return;
    }
    proto = (b[o]! << 8) | b[o + 1]!;
    o += 2;
  }
  decodePppProtocol(d, p, b, o, end, proto);
}
