/**
 * Tunnels whose inner packet is the one analysed: GRE (RFC 2784 / 2890) and PPTP's enhanced GRE
 * (version 1, RFC 2637 §4.1, carrying PPP), and the UDP ones: VXLAN (RFC 7348), GENEVE (RFC 8926),
 * Teredo (RFC 4380) and AYIYA (draft-massar-v6ops-ayiya). GTP is in gtp.ts.
 *
 * Each UDP decoder returns false when the payload is not a tunnel packet it can read (the caller
 * then keeps the UDP datagram as the innermost layer), true once it has taken the packet (the
 * inner layers are decoded, or a stop says why they are not).
 */
import type { Decoder } from './decoder.js';
import type { Packet } from './packet.js';
import { decodeEthernet, ETH_IPV4, ETH_IPV6, ETH_TEB } from './ethernet.js';
import { decodePpp } from './null.js';
import { truncated } from './stop.js';

export const VXLAN_PORT = 4789;
export const GENEVE_PORT = 6081;
export const TEREDO_PORT = 3544;
export const AYIYA_PORT = 5072;

/** The Teredo prefix, 2001:0::/32 (RFC 4380 §2.6), as its first four bytes. */
function teredoPrefix(b: Uint8Array, x: number): boolean {
  return b[x] === 0x20 && b[x + 1] === 0x01 && b[x + 2] === 0 && b[x + 3] === 0;
}

/**
 * GENEVE (RFC 8926 §3.4): version (2 bits, 0), options length (6 bits, in 4-byte words), O and C
 * flags, protocol type, VNI, then the options (class, type, length TLVs: skipped as a whole) and
 * the payload: an Ethernet frame (0x6558) or an IP packet (0x0800, 0x86DD).
 */
export function decodeGeneve(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number): boolean {
  if (end - o < 8 || b[o]! >> 6 !== 0) return false;
  const type = (b[o + 2]! << 8) | b[o + 3]!;
  if (type !== ETH_TEB && type !== ETH_IPV4 && type !== ETH_IPV6) return false;
  const x = o + 8 + (b[o]! & 0x3f) * 4;
  if (x >= end) {
    p.stop = truncated('geneve', o - p.off, 'packet ends inside the GENEVE options');
    return true;
  }
  if (type === ETH_TEB) decodeEthernet(d, p, b, x, end);
  else d.ipByVersion(p, b, x, end, type === ETH_IPV4 ? 4 : 6);
  return true;
}

/**
 * Teredo (RFC 4380 §5.1.1): an IPv6 packet in UDP, optionally preceded by an authentication
 * header (0x0001, client-id and authentication lengths, client id, authentication value, 8-byte
 * nonce, confirmation byte) and then an origin indication (0x0000, obfuscated port and IPv4
 * address: 8 bytes). The IPv6 header's payload length must account for exactly the rest of the
 * datagram (`wireEnd`), except for a bubble (no next header, no payload), which may be padded.
 * Off port 3544 (`anyPort`), only a bare IPv6 packet from or to a Teredo address (2001:0::/32) is
 * taken, as Zeek's protocol detection does.
 */
export function decodeTeredo(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number, wireEnd: number, anyPort: boolean): boolean {
  let x = o;
  if (!anyPort) {
    if (end - x >= 4 && b[x] === 0 && b[x + 1] === 1) x += 13 + b[x + 2]! + b[x + 3]!;
    if (end - x >= 8 && b[x] === 0 && b[x + 1] === 0) x += 8;
  }
  if (end - x < 40 || b[x]! >> 4 !== 6) return false;
  if (anyPort && !teredoPrefix(b, x + 8) && !teredoPrefix(b, x + 24)) return false;
  const plen = (b[x + 4]! << 8) | b[x + 5]!;
  const rest = wireEnd - x - 40;
  if (plen !== rest && !(b[x + 6] === 59 && plen === 0)) return false;
  d.ipv6(p, b, x, end);
  return true;
}

/**
 * AYIYA (draft-massar-v6ops-ayiya §5): identity length (2^n bytes) and type, signature length (in
 * 4-byte words) and hash method, authentication method and opcode, next header, epoch time, then
 * the identity, the signature and the payload. Only "forward" (opcode 1) carries a packet: IPv4
 * (next header 4) or IPv6 (41).
 */
export function decodeAyiya(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number): boolean {
  if (end - o < 8) return false;
  const next = b[o + 3]!;
  if ((b[o + 2]! & 0x0f) !== 1 || (next !== 4 && next !== 41)) return false;
  const x = o + 8 + (1 << (b[o]! >> 4)) + (b[o + 1]! >> 4) * 4;
  if (x >= end) {
    p.stop = truncated('ayiya', o - p.off, 'packet ends inside the AYIYA header');
    return true;
  }
  d.ipByVersion(p, b, x, end, next === 4 ? 4 : 6);
  return true;
}

const GRE_PPP = 0x880b;

/**
 * GRE. Version 0 (RFC 2784, with RFC 2890's key and sequence number): checksum, key and sequence
 * fields skipped; IPv4, IPv6 or an Ethernet frame (transparent bridging) inside. Version 1 is
 * PPTP's enhanced GRE (RFC 2637 §4.1): the key field holds the payload length and call id, then an
 * optional sequence number (S) and acknowledgment number (A, the high bit of the second byte);
 * the payload is a PPP frame, read up to the payload length (0: an acknowledgment alone).
 */
export function decodeGre(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number): void {
  if (end - o < 4) {
    p.stop = truncated('gre', o - p.off, 'packet ends inside the GRE header');
    return;
  }
  const flags = b[o]!;
  const version = b[o + 1]! & 7;
  const type = (b[o + 2]! << 8) | b[o + 3]!;
  let x = o + 4;
  if (version === 1) {
    // C and R are 0, K is 1 (RFC 2637 §4.1), and the protocol is PPP.
    if ((flags & 0xe0) !== 0x20 || type !== GRE_PPP) return;
    if (end - o < 8) {
      p.stop = truncated('gre', o - p.off, 'packet ends inside the GRE header');
      return;
    }
    const len = (b[o + 4]! << 8) | b[o + 5]!;
    x += 4;
    if (flags & 0x10) x += 4;
    if (b[o + 1]! & 0x80) x += 4;
    if (x > end) {
      p.stop = truncated('gre', o - p.off, 'packet ends inside the GRE header');
      return;
    }
    if (len === 0) return;
    decodePpp(d, p, b, x, end - x > len ? x + len : end);
    return;
  }
  if (version !== 0) return;
  if (flags & 0x80) x += 4;
  if (flags & 0x20) x += 4;
  if (flags & 0x10) x += 4;
  if (x > end) {
    p.stop = truncated('gre', o - p.off, 'packet ends inside the GRE header');
    return;
  }
  if (type === ETH_IPV4 || type === ETH_IPV6) {
    d.ipByVersion(p, b, x, end, type === ETH_IPV4 ? 4 : 6);
  } else if (type === ETH_TEB) {
    d.enterTunnel(p);
    decodeEthernet(d, p, b, x, end);
  }
}
