/**
 * Packet builders for tests: pure functions that return wire bytes (Uint8Array).
 *
 * Every builder computes lengths and checksums itself (IPv4 header checksum, TCP/UDP/ICMPv6 with
 * the pseudo-header of RFC 793 §3.1 / RFC 768 / RFC 8200 §8.1, ICMPv4 over the message, RFC 792),
 * so that tshark decodes the output without "Malformed" or "bad checksum". Builders compose from
 * the inside out:
 *
 *   ethernet({ type: ETH_IPV4 }, ipv4({ src, dst, proto: IPPROTO_TCP }, tcp({ src, dst, ... }, data)))
 *
 * or with the shortcuts `tcpIp` / `udpIp` / `icmpIp`, which pick IPv4 or IPv6 from the address.
 *
 * Naming: message builders (clientHello, serverHello, certificateMsg, ...) return a *handshake
 * message*; wrap it with `handshakeRecord([...])` to get a TLS record. alert / changeCipherSpec /
 * applicationData have no handshake layer and return whole records.
 */
import { validCertB64, expiredCertB64, notYetValidCertB64, noSanCertB64 } from './certs-data.js';

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

/** pcap / pcapng LINKTYPE_* values (tcpdump.org/linktypes.html). */
export const LINKTYPE = { NULL: 0, ETHERNET: 1, RAW: 101, LOOP: 108, LINUX_SLL: 113, LINUX_SLL2: 276 } as const;
export const ETH_IPV4 = 0x0800;
export const ETH_ARP = 0x0806;
export const ETH_IPV6 = 0x86dd;
export const ETH_VLAN = 0x8100;
export const ETH_QINQ = 0x88a8;
export const IPPROTO_HOPOPTS = 0;
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ROUTING = 43;
export const IPPROTO_FRAGMENT = 44;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_NONE = 59;
export const IPPROTO_DSTOPTS = 60;

// ---------------------------------------------------------------------------------------------
// Byte utilities
// ---------------------------------------------------------------------------------------------

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function u8(...bytes: number[]): Uint8Array {
  return Uint8Array.from(bytes);
}
export function be16(v: number): Uint8Array {
  return u8((v >>> 8) & 0xff, v & 0xff);
}
export function be24(v: number): Uint8Array {
  return u8((v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}
export function be32(v: number): Uint8Array {
  return u8((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}
export function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
/** Parses "de ad be ef" / "deadbeef" (whitespace and ':' ignored). */
export function hex(s: string): Uint8Array {
  const clean = s.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new Error(`bad hex: ${s}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}
export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
/** Deterministic filler bytes (a simple LCG), for opaque payloads such as ciphertext. */
export function filler(len: number, seed = 1): Uint8Array {
  const out = new Uint8Array(len);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
/** Wraps `body` with a big-endian length prefix of `width` bytes (1, 2 or 3). */
function lenPrefixed(width: 1 | 2 | 3, body: Uint8Array): Uint8Array {
  const max = 2 ** (8 * width) - 1;
  if (body.length > max) throw new Error(`length ${body.length} does not fit in ${width} bytes`);
  const head = width === 1 ? u8(body.length) : width === 2 ? be16(body.length) : be24(body.length);
  return concat([head, body]);
}

// ---------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------

export function isIpv6(addr: string): boolean {
  return addr.includes(':');
}

export function parseIpv4(s: string): Uint8Array {
  const parts = s.split('.');
  if (parts.length !== 4) throw new Error(`bad IPv4 address: ${s}`);
  return Uint8Array.from(parts, (p) => {
    const n = Number(p);
    if (!/^\d{1,3}$/.test(p) || n > 255) throw new Error(`bad IPv4 address: ${s}`);
    return n;
  });
}

/** RFC 4291 §2.2 text forms, including "::" and a trailing dotted IPv4. */
export function parseIpv6(s: string): Uint8Array {
  let text = s;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    // Trailing dotted quad (e.g. ::ffff:192.0.2.1) becomes two hex groups.
    const v4 = parseIpv4(text.slice(lastColon + 1));
    text = text.slice(0, lastColon + 1) + ((v4[0]! << 8) | v4[1]!).toString(16) + ':' + ((v4[2]! << 8) | v4[3]!).toString(16);
  }
  const halves = text.split('::');
  if (halves.length > 2) throw new Error(`bad IPv6 address: ${s}`);
  const parse = (h: string): number[] =>
    h === '' ? [] : h.split(':').map((g) => {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) throw new Error(`bad IPv6 address: ${s}`);
      return parseInt(g, 16);
    });
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const fill = 8 - head.length - rest.length;
  if (halves.length === 2 && fill < 1) throw new Error(`bad IPv6 address: ${s}`);
  const groups = halves.length === 2 ? [...head, ...new Array<number>(fill).fill(0), ...rest] : head;
  if (groups.length !== 8) throw new Error(`bad IPv6 address: ${s}`);
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

export function parseIp(s: string): Uint8Array {
  return isIpv6(s) ? parseIpv6(s) : parseIpv4(s);
}

export function parseMac(s: string): Uint8Array {
  const b = hex(s);
  if (b.length !== 6) throw new Error(`bad MAC address: ${s}`);
  return b;
}

// ---------------------------------------------------------------------------------------------
// Checksums (RFC 1071)
// ---------------------------------------------------------------------------------------------

/** One's-complement sum of 16-bit big-endian words, not folded or inverted. Odd tail is padded. */
export function sum16(b: Uint8Array, initial = 0): number {
  let s = initial;
  const n = b.length & ~1;
  for (let i = 0; i < n; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (b.length & 1) s += b[b.length - 1]! << 8;
  return s;
}
/** Folds carries and inverts: the value to store in a checksum field. */
export function finishChecksum(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}
export function internetChecksum(b: Uint8Array): number {
  return finishChecksum(sum16(b));
}
/** Sum of the TCP/UDP/ICMPv6 pseudo-header (RFC 793 §3.1, RFC 8200 §8.1). */
export function pseudoHeaderSum(src: string, dst: string, proto: number, length: number): number {
  const s = parseIp(src);
  const d = parseIp(dst);
  if (s.length !== d.length) throw new Error(`address families differ: ${src} ${dst}`);
  return sum16(d, sum16(s)) + proto + (length >>> 16) + (length & 0xffff);
}
function withChecksum(b: Uint8Array, at: number, sum: number, zeroAsOnes = false): Uint8Array {
  let c = finishChecksum(sum);
  if (zeroAsOnes && c === 0) c = 0xffff; // RFC 768: a computed zero is sent as all ones
  b[at] = c >> 8;
  b[at + 1] = c & 0xff;
  return b;
}

// ---------------------------------------------------------------------------------------------
// Link layers
// ---------------------------------------------------------------------------------------------

export interface EthernetOptions {
  src?: string;
  dst?: string;
  /** EtherType of the payload (after any VLAN tags). */
  type: number;
  /** VLAN IDs, outermost first. With two or more tags the outer one is 802.1ad (0x88a8). */
  vlans?: number[];
  /** Priority code point put in every tag. */
  pcp?: number;
}
/** Ethernet II frame (no FCS). Tags: 802.1Q TPID 0x8100 / 802.1ad 0x88a8 for the outer of 2+. */
export function ethernet(o: EthernetOptions, payload: Uint8Array): Uint8Array {
  const parts = [parseMac(o.dst ?? '02:00:00:00:00:02'), parseMac(o.src ?? '02:00:00:00:00:01')];
  const vlans = o.vlans ?? [];
  vlans.forEach((vid, i) => {
    const tpid = vlans.length >= 2 && i === 0 ? ETH_QINQ : ETH_VLAN;
    parts.push(be16(tpid), be16((((o.pcp ?? 0) & 7) << 13) | (vid & 0xfff)));
  });
  parts.push(be16(o.type), payload);
  return concat(parts);
}

export interface SllOptions {
  /** Protocol type (an EtherType such as 0x0800). */
  protocol: number;
  /** 0 to us, 1 broadcast, 2 multicast, 3 to someone else, 4 sent by us. */
  packetType?: number;
  /** ARPHRD_ type; 1 = Ethernet. */
  arphrd?: number;
  /** Link-layer address, up to 8 bytes (MAC string or bytes). */
  addr?: string | Uint8Array;
  /** SLL2 only. */
  ifindex?: number;
}
function sllAddr(a: string | Uint8Array | undefined): { len: number; bytes: Uint8Array } {
  const b = a === undefined ? parseMac('02:00:00:00:00:01') : typeof a === 'string' ? parseMac(a) : a;
  const bytes = new Uint8Array(8);
  bytes.set(b.subarray(0, 8));
  return { len: b.length, bytes };
}
/** Linux cooked capture v1 (LINKTYPE_LINUX_SLL), 16-byte header. */
export function sll(o: SllOptions, payload: Uint8Array): Uint8Array {
  const a = sllAddr(o.addr);
  return concat([be16(o.packetType ?? 0), be16(o.arphrd ?? 1), be16(a.len), a.bytes, be16(o.protocol), payload]);
}
/** Linux cooked capture v2 (LINKTYPE_LINUX_SLL2), 20-byte header. */
export function sll2(o: SllOptions, payload: Uint8Array): Uint8Array {
  const a = sllAddr(o.addr);
  return concat([
    be16(o.protocol), be16(0), be32(o.ifindex ?? 1), be16(o.arphrd ?? 1),
    u8(o.packetType ?? 0, a.len), a.bytes, payload,
  ]);
}
/**
 * BSD loopback (LINKTYPE_NULL): a 4-byte address family in the capturing host's byte order.
 * 'ipv4' → AF_INET 2; 'ipv6' → 30 (Darwin AF_INET6; Wireshark also accepts 24 and 28).
 */
export function nullLoopback(family: 'ipv4' | 'ipv6' | number, payload: Uint8Array, littleEndian = true): Uint8Array {
  const af = family === 'ipv4' ? 2 : family === 'ipv6' ? 30 : family;
  const head = new Uint8Array(4);
  new DataView(head.buffer).setUint32(0, af, littleEndian);
  return concat([head, payload]);
}

// ---------------------------------------------------------------------------------------------
// IPv4 (RFC 791) and IPv6 (RFC 8200)
// ---------------------------------------------------------------------------------------------

export interface Ipv4Options {
  src: string;
  dst: string;
  proto: number;
  ttl?: number;
  id?: number;
  tos?: number;
  df?: boolean;
  mf?: boolean;
  /** Fragment offset in bytes (multiple of 8). */
  fragOffset?: number;
  /** Raw option bytes; padded with EOL (0) to a multiple of 4. */
  options?: Uint8Array;
  /** Overrides the computed total length (for malformed-input tests). */
  totalLength?: number;
  /** Overrides the computed header checksum (for bad-checksum tests). */
  checksum?: number;
}
export function ipv4(o: Ipv4Options, payload: Uint8Array): Uint8Array {
  const opts = o.options ?? new Uint8Array(0);
  const optLen = (opts.length + 3) & ~3;
  const hl = 20 + optLen;
  if (hl > 60) throw new Error('IPv4 options longer than 40 bytes');
  const off = o.fragOffset ?? 0;
  if (off % 8 !== 0) throw new Error('fragOffset must be a multiple of 8');
  const h = new Uint8Array(hl);
  const v = new DataView(h.buffer);
  h[0] = 0x40 | (hl / 4);
  h[1] = o.tos ?? 0;
  v.setUint16(2, o.totalLength ?? hl + payload.length);
  v.setUint16(4, (o.id ?? 1) & 0xffff);
  v.setUint16(6, (o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | (off / 8));
  h[8] = o.ttl ?? 64;
  h[9] = o.proto;
  h.set(parseIpv4(o.src), 12);
  h.set(parseIpv4(o.dst), 16);
  h.set(opts, 20);
  if (o.checksum !== undefined) v.setUint16(10, o.checksum);
  else withChecksum(h, 10, sum16(h));
  return concat([h, payload]);
}

export type Ipv6Ext =
  | { type: 'hop' | 'dest'; data?: Uint8Array }
  /** data = bytes after Next Header / Hdr Ext Len (routing type, segments left, ...). */
  | { type: 'routing'; data?: Uint8Array }
  | { type: 'fragment'; offset: number; more: boolean; id: number };

export interface Ipv6Options {
  src: string;
  dst: string;
  /** Upper-layer protocol after all extension headers. */
  next: number;
  hopLimit?: number;
  flowLabel?: number;
  trafficClass?: number;
  /** Extension headers in order of appearance. */
  ext?: Ipv6Ext[];
  /** Overrides the computed payload length. */
  payloadLength?: number;
}
const EXT_PROTO = { hop: IPPROTO_HOPOPTS, dest: IPPROTO_DSTOPTS, routing: IPPROTO_ROUTING, fragment: IPPROTO_FRAGMENT } as const;

/** Pads option data (after the 2-byte next/len) with Pad1/PadN (RFC 8200 §4.2) to 8n+6 bytes. */
function padOptions(data: Uint8Array): Uint8Array {
  const total = Math.max(8, (data.length + 2 + 7) & ~7);
  const pad = total - 2 - data.length;
  if (pad === 0) return data;
  const p = pad === 1 ? u8(0) : concat([u8(1, pad - 2), new Uint8Array(pad - 2)]);
  return concat([data, p]);
}
function extHeader(e: Ipv6Ext, next: number, dst: string): Uint8Array {
  if (e.type === 'fragment') {
    if (e.offset % 8 !== 0) throw new Error('fragment offset must be a multiple of 8');
    return concat([u8(next, 0), be16(e.offset | (e.more ? 1 : 0)), be32(e.id)]);
  }
  let body: Uint8Array;
  if (e.type === 'routing') {
    // Default: type 2 (RFC 6275 §6.4), Segments Left 1, home address = the destination, so the
    // final destination (used in the upper-layer checksum, RFC 8200 §8.1) stays the same.
    body = e.data ?? concat([u8(2, 1), new Uint8Array(4), parseIpv6(dst)]);
    const total = (body.length + 2 + 7) & ~7;
    body = concat([body, new Uint8Array(total - 2 - body.length)]);
  } else {
    body = padOptions(e.data ?? new Uint8Array(0));
  }
  return concat([u8(next, (body.length + 2) / 8 - 1), body]);
}
export function ipv6(o: Ipv6Options, payload: Uint8Array): Uint8Array {
  const ext = o.ext ?? [];
  const exts: Uint8Array[] = [];
  for (let i = 0; i < ext.length; i++) {
    const after = ext[i + 1];
    exts.push(extHeader(ext[i]!, after ? EXT_PROTO[after.type] : o.next, o.dst));
  }
  const first = ext[0] ? EXT_PROTO[ext[0].type] : o.next;
  const body = concat([...exts, payload]);
  const h = new Uint8Array(40);
  const v = new DataView(h.buffer);
  v.setUint32(0, (6 << 28) | ((o.trafficClass ?? 0) << 20) | ((o.flowLabel ?? 0) & 0xfffff));
  v.setUint16(4, o.payloadLength ?? body.length);
  h[6] = first;
  h[7] = o.hopLimit ?? 64;
  h.set(parseIpv6(o.src), 8);
  h.set(parseIpv6(o.dst), 24);
  return concat([h, body]);
}

/** Splits an IPv4 packet into fragments whose total length is at most `mtu`. */
export function fragmentIpv4(packet: Uint8Array, mtu: number): Uint8Array[] {
  const hl = (packet[0]! & 0x0f) * 4;
  const v = new DataView(packet.buffer, packet.byteOffset, packet.length);
  const total = v.getUint16(2);
  const payload = packet.subarray(hl, total);
  const base = (v.getUint16(6) & 0x1fff) * 8;
  const mfOrig = (v.getUint16(6) & 0x2000) !== 0;
  const options = packet.subarray(20, hl);
  // RFC 791 §3.2: only options with the copied flag go into later fragments.
  const copied: number[] = [];
  for (let i = 0; i < options.length; ) {
    const t = options[i]!;
    if (t === 0) break;
    if (t === 1) { i++; continue; }
    const l = options[i + 1] ?? 2;
    if (t & 0x80) copied.push(...options.subarray(i, i + l));
    i += Math.max(2, l);
  }
  const common = {
    src: Array.from(packet.subarray(12, 16)).join('.'),
    dst: Array.from(packet.subarray(16, 20)).join('.'),
    proto: packet[9]!, ttl: packet[8]!, id: v.getUint16(4), tos: packet[1]!, df: false,
  };
  const out: Uint8Array[] = [];
  for (let off = 0; off < payload.length || off === 0; ) {
    const opts = off === 0 ? options : Uint8Array.from(copied);
    const hlen = 20 + ((opts.length + 3) & ~3);
    const room = (mtu - hlen) & ~7;
    if (room <= 0) throw new Error('MTU too small');
    const chunk = payload.subarray(off, off + room);
    const more = off + chunk.length < payload.length || mfOrig;
    out.push(ipv4({ ...common, options: opts, mf: more, fragOffset: base + off }, chunk));
    off += chunk.length;
    if (chunk.length === 0) break;
  }
  return out;
}

/**
 * Splits an IPv6 packet (RFC 8200 §4.5): the unfragmentable part (IPv6 header plus Hop-by-Hop,
 * Routing, and Destination Options that precede a Routing header) is repeated, a Fragment header
 * follows it, and the rest is cut into multiples of 8 bytes so that each packet is at most `mtu`.
 */
export function fragmentIpv6(packet: Uint8Array, mtu: number, id = 0x12345678): Uint8Array[] {
  let next = packet[6]!;
  let off = 40;
  let unfragEnd = 40;
  let unfragNextAt = 6;
  while (next === IPPROTO_HOPOPTS || next === IPPROTO_ROUTING || next === IPPROTO_DSTOPTS) {
    const len = (packet[off + 1]! + 1) * 8;
    // A Destination Options header belongs to the unfragmentable part only before a Routing header.
    const afterNext = packet[off]!;
    if (next !== IPPROTO_DSTOPTS || afterNext === IPPROTO_ROUTING) {
      unfragEnd = off + len;
      unfragNextAt = off;
    } else break;
    next = afterNext;
    off += len;
  }
  const payloadLen = new DataView(packet.buffer, packet.byteOffset).getUint16(4);
  const unfrag = Uint8Array.from(packet.subarray(0, unfragEnd));
  const fragNext = packet[unfragNextAt]!;
  const rest = packet.subarray(unfragEnd, 40 + payloadLen);
  const room = (mtu - unfragEnd - 8) & ~7;
  if (room <= 0) throw new Error('MTU too small');
  const out: Uint8Array[] = [];
  for (let o = 0; o < rest.length; o += room) {
    const chunk = rest.subarray(o, o + room);
    const more = o + chunk.length < rest.length;
    const head = Uint8Array.from(unfrag);
    head[unfragNextAt] = IPPROTO_FRAGMENT;
    const frag = concat([u8(fragNext, 0), be16(o | (more ? 1 : 0)), be32(id)]);
    const p = concat([head, frag, chunk]);
    new DataView(p.buffer).setUint16(4, p.length - 40);
    out.push(p);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// TCP (RFC 9293), UDP (RFC 768), ICMP (RFC 792), ICMPv6 (RFC 4443)
// ---------------------------------------------------------------------------------------------

export interface TcpOptionSet {
  mss?: number;
  wscale?: number;
  sackPerm?: boolean;
  sack?: [number, number][];
  /** [TSval, TSecr] (RFC 7323). */
  ts?: [number, number];
  /** Raw option bytes appended after the others (before padding). */
  raw?: Uint8Array;
}
/** Encodes options in the order Linux uses (MSS, SACK-permitted+TS, NOP+WS), padded with NOPs/EOL. */
export function tcpOptions(o: TcpOptionSet): Uint8Array {
  const p: Uint8Array[] = [];
  if (o.mss !== undefined) p.push(u8(2, 4), be16(o.mss));
  if (o.sackPerm && o.ts) p.push(u8(4, 2, 8, 10), be32(o.ts[0]), be32(o.ts[1]));
  else if (o.ts) p.push(u8(1, 1, 8, 10), be32(o.ts[0]), be32(o.ts[1]));
  else if (o.sackPerm) p.push(u8(1, 1, 4, 2));
  if (o.wscale !== undefined) p.push(u8(1, 3, 3, o.wscale));
  if (o.sack && o.sack.length) {
    p.push(u8(1, 1, 5, 2 + 8 * o.sack.length));
    for (const [l, r] of o.sack) p.push(be32(l), be32(r));
  }
  if (o.raw) p.push(o.raw);
  const b = concat(p);
  const padded = new Uint8Array((b.length + 3) & ~3);
  padded.set(b);
  if (padded.length > 40) throw new Error('TCP options longer than 40 bytes');
  return padded;
}

const TCP_FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20, E: 0x40, C: 0x80 };
/** 'SA' → 0x12. Letters: S A F R P U E(CE) C(WR). */
export function tcpFlagBits(flags: string): number {
  let b = 0;
  for (const ch of flags.toUpperCase()) {
    const bit = TCP_FLAG_BITS[ch];
    if (bit === undefined) throw new Error(`unknown TCP flag ${ch}`);
    b |= bit;
  }
  return b;
}

export interface TcpSegmentOptions {
  /** IP addresses, for the pseudo-header checksum. */
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  /** Acknowledgment number; written only when 'A' is among the flags. */
  ack?: number;
  flags: string;
  win?: number;
  urg?: number;
  options?: TcpOptionSet;
  /** Overrides the computed checksum. */
  checksum?: number;
}
export function tcp(o: TcpSegmentOptions, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const opts = o.options ? tcpOptions(o.options) : new Uint8Array(0);
  const hl = 20 + opts.length;
  const seg = new Uint8Array(hl + payload.length);
  const v = new DataView(seg.buffer);
  const bits = tcpFlagBits(o.flags);
  v.setUint16(0, o.sport);
  v.setUint16(2, o.dport);
  v.setUint32(4, o.seq >>> 0);
  v.setUint32(8, bits & 0x10 ? (o.ack ?? 0) >>> 0 : 0);
  seg[12] = (hl / 4) << 4;
  seg[13] = bits;
  v.setUint16(14, o.win ?? 64240);
  v.setUint16(18, bits & 0x20 ? (o.urg ?? 0) : 0);
  seg.set(opts, 20);
  seg.set(payload, hl);
  if (o.checksum !== undefined) {
    v.setUint16(16, o.checksum);
    return seg;
  }
  return withChecksum(seg, 16, sum16(seg, pseudoHeaderSum(o.src, o.dst, IPPROTO_TCP, seg.length)));
}

export interface UdpOptions {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** IPv4 only: send checksum 0 ("not computed"). */
  noChecksum?: boolean;
}
export function udp(o: UdpOptions, payload: Uint8Array): Uint8Array {
  const d = new Uint8Array(8 + payload.length);
  const v = new DataView(d.buffer);
  v.setUint16(0, o.sport);
  v.setUint16(2, o.dport);
  v.setUint16(4, d.length);
  d.set(payload, 8);
  if (o.noChecksum && !isIpv6(o.src)) return d;
  return withChecksum(d, 6, sum16(d, pseudoHeaderSum(o.src, o.dst, IPPROTO_UDP, d.length)), true);
}

export interface IcmpOptions {
  type: number;
  code: number;
  /**
   * The 4 bytes after the checksum, as a 32-bit value: identifier<<16|sequence for echo, the
   * next-hop MTU in the low 16 bits for "fragmentation needed" (RFC 1191), the MTU for ICMPv6
   * Packet Too Big, the pointer for parameter problems, zero otherwise.
   */
  rest?: number;
}
/** ICMP message; for errors, payload = `quote(originalPacket)`. */
export function icmpv4(o: IcmpOptions, payload: Uint8Array): Uint8Array {
  const m = concat([u8(o.type, o.code, 0, 0), be32(o.rest ?? 0), payload]);
  return withChecksum(m, 2, sum16(m));
}
/** ICMPv6 message; needs the addresses for the pseudo-header checksum (RFC 4443 §2.3). */
export function icmpv6(o: IcmpOptions & { src: string; dst: string }, payload: Uint8Array): Uint8Array {
  const m = concat([u8(o.type, o.code, 0, 0), be32(o.rest ?? 0), payload]);
  return withChecksum(m, 2, sum16(m, pseudoHeaderSum(o.src, o.dst, IPPROTO_ICMPV6, m.length)));
}
export const ICMP = {
  ECHO_REPLY: 0, DEST_UNREACH: 3, ECHO_REQUEST: 8, TIME_EXCEEDED: 11,
  // codes for DEST_UNREACH
  NET_UNREACH: 0, HOST_UNREACH: 1, PROTO_UNREACH: 2, PORT_UNREACH: 3, FRAG_NEEDED: 4, ADMIN_PROHIBITED: 13,
} as const;
export const ICMPV6 = {
  DEST_UNREACH: 1, PACKET_TOO_BIG: 2, TIME_EXCEEDED: 3, PARAM_PROBLEM: 4, ECHO_REQUEST: 128, ECHO_REPLY: 129,
  // codes for DEST_UNREACH
  NO_ROUTE: 0, ADMIN_PROHIBITED: 1, ADDR_UNREACH: 3, PORT_UNREACH: 4, REJECT_ROUTE: 6,
} as const;

/**
 * The part of an offending packet that an ICMP error quotes: for IPv4 its header (with options)
 * plus the first `n` bytes of data (RFC 792); for IPv6 as much as fits in the minimum MTU (RFC 4443
 * §2.4 (c)) unless `n` is given.
 */
export function quote(ipPacket: Uint8Array, n?: number): Uint8Array {
  // Uint8Array.from copies even when given a Buffer (whose slice() is a view).
  if (ipPacket[0]! >> 4 === 6) return Uint8Array.from(ipPacket.subarray(0, n === undefined ? 1280 - 48 : 40 + n));
  const hl = (ipPacket[0]! & 0x0f) * 4;
  return Uint8Array.from(ipPacket.subarray(0, hl + (n ?? 8)));
}

// ---------------------------------------------------------------------------------------------
// Whole IP packets (the address family is picked from the source address)
// ---------------------------------------------------------------------------------------------

export interface IpCommon {
  src: string;
  dst: string;
  /** TTL or hop limit. */
  ttl?: number;
  /** IPv4 identification. */
  id?: number;
  df?: boolean;
  flowLabel?: number;
}
function ipWrap(c: IpCommon, proto: number, l4: Uint8Array): Uint8Array {
  if (isIpv6(c.src)) {
    const o: Ipv6Options = { src: c.src, dst: c.dst, next: proto, hopLimit: c.ttl ?? 64 };
    if (c.flowLabel !== undefined) o.flowLabel = c.flowLabel;
    return ipv6(o, l4);
  }
  const o: Ipv4Options = { src: c.src, dst: c.dst, proto, ttl: c.ttl ?? 64, df: c.df ?? true };
  if (c.id !== undefined) o.id = c.id;
  return ipv4(o, l4);
}
export function tcpIp(o: TcpSegmentOptions & IpCommon, payload?: Uint8Array): Uint8Array {
  return ipWrap(o, IPPROTO_TCP, tcp(o, payload));
}
export function udpIp(o: UdpOptions & IpCommon, payload: Uint8Array): Uint8Array {
  return ipWrap({ ...o, df: o.df ?? false }, IPPROTO_UDP, udp(o, payload));
}
/** ICMPv4 or ICMPv6 packet, by the source address family. */
export function icmpIp(o: IcmpOptions & IpCommon, payload: Uint8Array): Uint8Array {
  if (isIpv6(o.src)) return ipWrap(o, IPPROTO_ICMPV6, icmpv6(o, payload));
  return ipWrap({ ...o, df: o.df ?? false }, IPPROTO_ICMP, icmpv4(o, payload));
}
/** Ethernet frame around an IP packet, EtherType chosen from the version nibble. */
export function ethIp(ipPacket: Uint8Array, o: Omit<EthernetOptions, 'type'> = {}): Uint8Array {
  return ethernet({ ...o, type: ipPacket[0]! >> 4 === 6 ? ETH_IPV6 : ETH_IPV4 }, ipPacket);
}

// ---------------------------------------------------------------------------------------------
// DNS (RFC 1035, EDNS RFC 6891)
// ---------------------------------------------------------------------------------------------

export const DNS_TYPE: Record<string, number> = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, HTTPS: 65, ANY: 255,
};
export const DNS_RCODE: Record<string, number> = {
  NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5,
};
export interface DnsQuestion {
  name: string;
  type: string | number;
  class?: number;
}
export interface DnsRecord {
  name: string;
  type: string | number;
  class?: number;
  ttl?: number;
  /**
   * A/AAAA: address text; CNAME/NS/PTR: a name (compressible); TXT: text, split into 255-byte
   * character-strings; anything else, or raw RDATA: bytes.
   */
  data: string | Uint8Array;
}
export interface DnsMessageOptions {
  id: number;
  qr: boolean;
  opcode?: number;
  aa?: boolean;
  tc?: boolean;
  rd?: boolean;
  ra?: boolean;
  ad?: boolean;
  cd?: boolean;
  /** Low 4 bits of the RCODE (the EDNS extended bits go in `edns.extRcode`). */
  rcode?: number | keyof typeof DNS_RCODE;
  questions?: DnsQuestion[];
  answers?: DnsRecord[];
  authority?: DnsRecord[];
  additional?: DnsRecord[];
  /** Appends an OPT pseudo-record to the additional section. */
  edns?: { udpSize: number; extRcode?: number; version?: number; do?: boolean; options?: Uint8Array };
  /** Compress names with pointers to earlier occurrences (RFC 1035 §4.1.4). */
  compress?: boolean;
}

function typeCode(t: string | number): number {
  if (typeof t === 'number') return t;
  const c = DNS_TYPE[t.toUpperCase()];
  if (c === undefined) throw new Error(`unknown DNS type ${t}`);
  return c;
}

/** Writes DNS messages; tracks earlier name suffixes for compression. */
class DnsWriter {
  parts: Uint8Array[] = [];
  len = 0;
  private seen = new Map<string, number>();
  constructor(private compress: boolean) {}
  push(b: Uint8Array): void {
    this.parts.push(b);
    this.len += b.length;
  }
  name(n: string, compressible = true): void {
    this.push(this.nameBytes(n, this.len, compressible));
  }
  /** Encodes `n` as if written at offset `at`, registering its suffixes. */
  nameBytes(n: string, at: number, compressible = true): Uint8Array {
    const labels = n === '.' || n === '' ? [] : n.replace(/\.$/, '').split('.');
    const out: Uint8Array[] = [];
    let o = at;
    for (let i = 0; i < labels.length; i++) {
      const key = labels.slice(i).join('.').toLowerCase();
      const ptr = this.seen.get(key);
      if (this.compress && compressible && ptr !== undefined) {
        out.push(be16(0xc000 | ptr));
        return concat(out);
      }
      if (o < 0x4000) this.seen.set(key, o);
      const l = ascii(labels[i]!);
      if (l.length === 0 || l.length > 63) throw new Error(`bad DNS label in ${n}`);
      out.push(u8(l.length), l);
      o += 1 + l.length;
    }
    out.push(u8(0));
    return concat(out);
  }
}

/** A name in DNS wire form, uncompressed (RFC 1035 §3.1): length-prefixed labels, then 0. */
export function dnsName(name: string): Uint8Array {
  return new DnsWriter(false).nameBytes(name, 0);
}

function rdata(w: DnsWriter, r: DnsRecord, at: number): Uint8Array {
  if (r.data instanceof Uint8Array) return r.data;
  const t = typeCode(r.type);
  switch (t) {
    case 1: return parseIpv4(r.data);
    case 28: return parseIpv6(r.data);
    case 2: case 5: case 12: return w.nameBytes(r.data, at);
    case 16: {
      const b = ascii(r.data);
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < b.length || i === 0; i += 255) chunks.push(lenPrefixed(1, b.subarray(i, i + 255)));
      return concat(chunks);
    }
    default: return ascii(r.data);
  }
}

export function dnsMessage(o: DnsMessageOptions): Uint8Array {
  const w = new DnsWriter(o.compress ?? false);
  const rcode = typeof o.rcode === 'string' ? DNS_RCODE[o.rcode]! : o.rcode ?? 0;
  const questions = o.questions ?? [];
  const answers = o.answers ?? [];
  const authority = o.authority ?? [];
  const additional = [...(o.additional ?? [])];
  const arCount = additional.length + (o.edns ? 1 : 0);
  const flags =
    (o.qr ? 0x8000 : 0) | ((o.opcode ?? 0) << 11) | (o.aa ? 0x400 : 0) | (o.tc ? 0x200 : 0) |
    (o.rd ? 0x100 : 0) | (o.ra ? 0x80 : 0) | (o.ad ? 0x20 : 0) | (o.cd ? 0x10 : 0) | (rcode & 0xf);
  w.push(concat([be16(o.id), be16(flags), be16(questions.length), be16(answers.length), be16(authority.length), be16(arCount)]));
  for (const q of questions) {
    w.name(q.name);
    w.push(concat([be16(typeCode(q.type)), be16(q.class ?? 1)]));
  }
  for (const r of [...answers, ...authority, ...additional]) {
    w.name(r.name);
    w.push(concat([be16(typeCode(r.type)), be16(r.class ?? 1), be32(r.ttl ?? 300)]));
    const rd = rdata(w, r, w.len + 2);
    w.push(lenPrefixed(2, rd));
  }
  if (o.edns) {
    const e = o.edns;
    const opts = e.options ?? new Uint8Array(0);
    const ttl = (((e.extRcode ?? 0) & 0xff) << 24) | (((e.version ?? 0) & 0xff) << 16) | (e.do ? 0x8000 : 0);
    w.push(concat([u8(0), be16(41), be16(e.udpSize), be32(ttl >>> 0), lenPrefixed(2, opts)]));
  }
  return concat(w.parts);
}

/** DNS over TCP (RFC 1035 §4.2.2 / RFC 7766): each message prefixed by its 2-byte length. */
export function dnsOverTcp(msgs: Uint8Array[]): Uint8Array {
  return concat(msgs.map((m) => lenPrefixed(2, m)));
}

// ---------------------------------------------------------------------------------------------
// TLS (RFC 8446, RFC 5246)
// ---------------------------------------------------------------------------------------------

export const TLS_CONTENT = { CHANGE_CIPHER_SPEC: 20, ALERT: 21, HANDSHAKE: 22, APPLICATION_DATA: 23 } as const;
export const TLS_HS = {
  CLIENT_HELLO: 1, SERVER_HELLO: 2, NEW_SESSION_TICKET: 4, ENCRYPTED_EXTENSIONS: 8, CERTIFICATE: 11,
  SERVER_KEY_EXCHANGE: 12, CERTIFICATE_REQUEST: 13, SERVER_HELLO_DONE: 14, CERTIFICATE_VERIFY: 15,
  CLIENT_KEY_EXCHANGE: 16, FINISHED: 20,
} as const;
export const TLS_VERSION = { SSL3: 0x0300, TLS10: 0x0301, TLS11: 0x0302, TLS12: 0x0303, TLS13: 0x0304 } as const;
export const TLS_ALERT = {
  close_notify: 0, unexpected_message: 10, bad_record_mac: 20, handshake_failure: 40, bad_certificate: 42,
  certificate_expired: 45, certificate_unknown: 46, illegal_parameter: 47, unknown_ca: 48, decode_error: 50,
  decrypt_error: 51, protocol_version: 70, insufficient_security: 71, internal_error: 80,
  unrecognized_name: 112, no_application_protocol: 120,
} as const;
export const TLS_CIPHER = {
  TLS_AES_128_GCM_SHA256: 0x1301, TLS_AES_256_GCM_SHA384: 0x1302, TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 0xc02f,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 0xc030, TLS_RSA_WITH_AES_128_GCM_SHA256: 0x009c,
  TLS_RSA_WITH_AES_128_CBC_SHA: 0x002f,
} as const;
export const TLS_GROUP = { secp256r1: 23, secp384r1: 24, x25519: 29, ffdhe2048: 256, X25519MLKEM768: 0x11ec } as const;
/** RFC 8446 §4.1.3: the ServerHello.random that marks a HelloRetryRequest. */
export const HRR_RANDOM = hex('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c');

export function tlsRecord(contentType: number, version: number, body: Uint8Array): Uint8Array {
  if (body.length > 16384 + 2048) throw new Error('TLS record body too long');
  return concat([u8(contentType), be16(version), lenPrefixed(2, body)]);
}
/** Handshake message: 1-byte type, 3-byte length, body (RFC 8446 §4). */
export function handshake(type: number, body: Uint8Array): Uint8Array {
  return concat([u8(type), lenPrefixed(3, body)]);
}
/** Wraps handshake messages in one record (record version 0x0301 is what ClientHellos use). */
export function handshakeRecord(msgs: Uint8Array[], version: number = TLS_VERSION.TLS12): Uint8Array {
  return tlsRecord(TLS_CONTENT.HANDSHAKE, version, concat(msgs));
}
function extension(type: number, body: Uint8Array): Uint8Array {
  return concat([be16(type), lenPrefixed(2, body)]);
}
function keyShareLength(group: number): number {
  switch (group) {
    case 29: return 32;
    case 30: return 56;
    case 23: return 65;
    case 24: return 97;
    case 25: return 133;
    case 0x11ec: return 1216;
    default: return group >= 256 && group <= 260 ? 256 : 32;
  }
}
function keyShareEntry(group: number): Uint8Array {
  const k = filler(keyShareLength(group), group);
  if (group >= 23 && group <= 25) k[0] = 4; // uncompressed point
  return concat([be16(group), lenPrefixed(2, k)]);
}

export interface ClientHelloOptions {
  /** legacy_version; 0x0303 for TLS 1.2 and 1.3. */
  version?: number;
  random?: Uint8Array;
  sessionId?: Uint8Array;
  ciphers: number[];
  compression?: number[];
  sni?: string;
  alpn?: string[];
  /** supported_versions (RFC 8446 §4.2.1); omitted when absent. */
  supportedVersions?: number[];
  /** supported_groups; defaults to [x25519, secp256r1] when keyShareGroups or supportedVersions is set. */
  groups?: number[];
  /** Groups for which a key share is offered. */
  keyShareGroups?: number[];
  /** signature_algorithms; a common default list unless [] is given. */
  sigAlgs?: number[];
  extraExtensions?: [number, Uint8Array][];
}
/** ClientHello handshake message (wrap with `handshakeRecord([...], 0x0301)`). */
export function clientHello(o: ClientHelloOptions): Uint8Array {
  const exts: Uint8Array[] = [];
  if (o.sni !== undefined) {
    const host = ascii(o.sni);
    exts.push(extension(0, lenPrefixed(2, concat([u8(0), lenPrefixed(2, host)]))));
  }
  const groups = o.groups ?? (o.keyShareGroups || o.supportedVersions ? [TLS_GROUP.x25519, TLS_GROUP.secp256r1] : undefined);
  if (groups) exts.push(extension(10, lenPrefixed(2, concat(groups.map(be16)))));
  exts.push(extension(11, lenPrefixed(1, u8(0)))); // ec_point_formats: uncompressed
  const sig = o.sigAlgs ?? [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
  if (sig.length) exts.push(extension(13, lenPrefixed(2, concat(sig.map(be16)))));
  if (o.alpn?.length) exts.push(extension(16, lenPrefixed(2, concat(o.alpn.map((p) => lenPrefixed(1, ascii(p)))))));
  if (o.supportedVersions) exts.push(extension(43, lenPrefixed(1, concat(o.supportedVersions.map(be16)))));
  if (o.supportedVersions?.includes(TLS_VERSION.TLS13)) exts.push(extension(45, lenPrefixed(1, u8(1)))); // psk_dhe_ke
  if (o.keyShareGroups) exts.push(extension(51, lenPrefixed(2, concat(o.keyShareGroups.map(keyShareEntry)))));
  for (const [t, b] of o.extraExtensions ?? []) exts.push(extension(t, b));
  const body = concat([
    be16(o.version ?? TLS_VERSION.TLS12),
    o.random ?? filler(32, 7),
    lenPrefixed(1, o.sessionId ?? new Uint8Array(0)),
    lenPrefixed(2, concat(o.ciphers.map(be16))),
    lenPrefixed(1, Uint8Array.from(o.compression ?? [0])),
    lenPrefixed(2, concat(exts)),
  ]);
  return handshake(TLS_HS.CLIENT_HELLO, body);
}

export interface ServerHelloOptions {
  version?: number;
  random?: Uint8Array;
  sessionId?: Uint8Array;
  cipher: number;
  /** Adds supported_versions with this value (0x0304 for TLS 1.3). */
  supportedVersion?: number;
  /** Adds key_share (a full share, or just the selected group in a HelloRetryRequest). */
  keyShareGroup?: number;
  /** Uses the HelloRetryRequest random (RFC 8446 §4.1.3); key_share then names only the group. */
  helloRetryRequest?: boolean;
  /** One ALPN protocol (TLS 1.2 puts it in ServerHello; TLS 1.3 would use EncryptedExtensions). */
  alpn?: string;
  extraExtensions?: [number, Uint8Array][];
}
/** ServerHello (or HelloRetryRequest) handshake message. */
export function serverHello(o: ServerHelloOptions): Uint8Array {
  const exts: Uint8Array[] = [];
  if (o.supportedVersion !== undefined) exts.push(extension(43, be16(o.supportedVersion)));
  const group = o.keyShareGroup ?? (o.supportedVersion === TLS_VERSION.TLS13 ? TLS_GROUP.x25519 : undefined);
  if (group !== undefined) exts.push(extension(51, o.helloRetryRequest ? be16(group) : keyShareEntry(group)));
  if (o.alpn !== undefined) exts.push(extension(16, lenPrefixed(2, lenPrefixed(1, ascii(o.alpn)))));
  for (const [t, b] of o.extraExtensions ?? []) exts.push(extension(t, b));
  const body = concat([
    be16(o.version ?? TLS_VERSION.TLS12),
    o.helloRetryRequest ? HRR_RANDOM : o.random ?? filler(32, 9),
    lenPrefixed(1, o.sessionId ?? new Uint8Array(0)),
    be16(o.cipher),
    u8(0),
    exts.length ? lenPrefixed(2, concat(exts)) : new Uint8Array(0),
  ]);
  return handshake(TLS_HS.SERVER_HELLO, body);
}
/** TLS 1.2 Certificate message (RFC 5246 §7.4.2): a 3-byte-length list of 3-byte-length DERs. */
export function certificateMsg(ders: Uint8Array[]): Uint8Array {
  return handshake(TLS_HS.CERTIFICATE, lenPrefixed(3, concat(ders.map((d) => lenPrefixed(3, d)))));
}
export function serverHelloDone(): Uint8Array {
  return handshake(TLS_HS.SERVER_HELLO_DONE, new Uint8Array(0));
}
/** RSA ClientKeyExchange: a 2-byte-length encrypted premaster secret (opaque here). */
export function clientKeyExchangeRsa(len = 256): Uint8Array {
  return handshake(TLS_HS.CLIENT_KEY_EXCHANGE, lenPrefixed(2, filler(len, 16)));
}
/** Alert record (RFC 8446 §6). level: 1 warning, 2 fatal. */
export function alert(level: number, description: number, version: number = TLS_VERSION.TLS12): Uint8Array {
  return tlsRecord(TLS_CONTENT.ALERT, version, u8(level, description));
}
export function changeCipherSpec(version: number = TLS_VERSION.TLS12): Uint8Array {
  return tlsRecord(TLS_CONTENT.CHANGE_CIPHER_SPEC, version, u8(1));
}
/** `len` bytes of opaque application data, as one record or several of at most 16384+256 bytes. */
export function applicationData(len: number, version: number = TLS_VERSION.TLS12, seed = 3): Uint8Array {
  const recs: Uint8Array[] = [];
  for (let left = len; left > 0 || recs.length === 0; ) {
    const n = Math.min(left, 16384 + 256);
    recs.push(tlsRecord(TLS_CONTENT.APPLICATION_DATA, version, filler(n, seed + recs.length)));
    left -= n;
    if (n === 0) break;
  }
  return concat(recs);
}
/** Opaque encrypted handshake record (e.g. a TLS 1.2 Finished after ChangeCipherSpec). */
export function encryptedHandshake(len = 40, version: number = TLS_VERSION.TLS12): Uint8Array {
  return tlsRecord(TLS_CONTENT.HANDSHAKE, version, filler(len, 21));
}

/**
 * SSLv2-compatible ClientHello (RFC 5246 Appendix E.2; RFC 6101 style 2-byte header with the
 * high bit set). Cipher specs are 3 bytes; TLS suites (< 0x10000) are written as 0x00XXXX.
 */
export function sslv2ClientHello(o: { ciphers: number[]; version?: number; challenge?: Uint8Array; sessionId?: Uint8Array }): Uint8Array {
  const challenge = o.challenge ?? filler(16, 5);
  const sid = o.sessionId ?? new Uint8Array(0);
  const specs = concat(o.ciphers.map(be24));
  const body = concat([
    u8(1), be16(o.version ?? TLS_VERSION.TLS10), be16(specs.length), be16(sid.length), be16(challenge.length),
    specs, sid, challenge,
  ]);
  if (body.length > 0x7fff) throw new Error('SSLv2 hello too long');
  return concat([be16(0x8000 | body.length), body]);
}

// ---- Test certificates (see certs/README.md) ----

function fromB64(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64'));
}
export type TestCertName = 'valid' | 'expired' | 'not-yet-valid' | 'no-san';
/**
 * Committed self-signed EC P-256 certificates (DER):
 * - valid: CN www.example.com, SAN www.example.com, example.com, *.cdn.example.com; 2024-01-01 … 2049-12-31
 * - expired: CN/SAN expired.example.com; 2020-01-01 … 2021-01-01
 * - not-yet-valid: CN/SAN future.example.com; 2090-01-01 … 2091-01-01
 */
export function testCertDer(name: TestCertName): Uint8Array {
  return fromB64(name === 'valid' ? validCertB64 : name === 'expired' ? expiredCertB64 : name === 'no-san' ? noSanCertB64 : notYetValidCertB64);
}
export function testCertPem(name: TestCertName): string {
  const b64 = Buffer.from(testCertDer(name)).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

// ---------------------------------------------------------------------------------------------
// HTTP/1.1 (RFC 9112)
// ---------------------------------------------------------------------------------------------

export function httpRequest(o: {
  method: string; target: string; host?: string; headers?: [string, string][]; body?: Uint8Array | string; version?: string;
}): Uint8Array {
  const body = typeof o.body === 'string' ? ascii(o.body) : o.body;
  let head = `${o.method} ${o.target} ${o.version ?? 'HTTP/1.1'}\r\n`;
  if (o.host !== undefined) head += `Host: ${o.host}\r\n`;
  for (const [k, v] of o.headers ?? []) head += `${k}: ${v}\r\n`;
  if (body && !(o.headers ?? []).some(([k]) => k.toLowerCase() === 'content-length')) head += `Content-Length: ${body.length}\r\n`;
  return concat([ascii(head + '\r\n'), body ?? new Uint8Array(0)]);
}
const REASONS: Record<number, string> = {
  200: 'OK', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified', 400: 'Bad Request',
  401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
};
/** Response with Content-Length added (unless given or the status has no body). */
export function httpResponse(o: {
  status: number; reason?: string; headers?: [string, string][]; body?: Uint8Array | string; version?: string;
}): Uint8Array {
  const body = typeof o.body === 'string' ? ascii(o.body) : o.body ?? new Uint8Array(0);
  let head = `${o.version ?? 'HTTP/1.1'} ${o.status} ${o.reason ?? REASONS[o.status] ?? 'Unknown'}\r\n`;
  for (const [k, v] of o.headers ?? []) head += `${k}: ${v}\r\n`;
  const noBody = o.status === 204 || o.status === 304 || (o.status >= 100 && o.status < 200);
  if (!noBody && !(o.headers ?? []).some(([k]) => /^(content-length|transfer-encoding)$/i.test(k))) head += `Content-Length: ${body.length}\r\n`;
  return concat([ascii(head + '\r\n'), body]);
}

// ---------------------------------------------------------------------------------------------
// Tunnel headers: GENEVE (RFC 8926), Teredo (RFC 4380), AYIYA (draft-massar-v6ops-ayiya),
// PPTP's enhanced GRE (RFC 2637 §4.1) with PPP (RFC 1661). Each returns the bytes that precede
// (and include) the inner packet; wrap the result in UDP / IP yourself.
// ---------------------------------------------------------------------------------------------

export interface GeneveOption {
  /** Option class (16 bits), type (8 bits; the high bit is "critical"), data (a multiple of 4 bytes). */
  cls: number;
  type: number;
  data: Uint8Array;
}
/** GENEVE header (version 0) with its options, then `inner` of protocol type `proto` (0x6558 Ethernet, 0x0800, 0x86DD). */
export function geneve(o: { vni: number; proto: number; options?: GeneveOption[]; oam?: boolean; critical?: boolean }, inner: Uint8Array): Uint8Array {
  const opts = (o.options ?? []).map((x) => {
    if (x.data.length % 4 !== 0 || x.data.length > 124) throw new Error('GENEVE option data must be a multiple of 4 bytes, at most 124');
    return concat([be16(x.cls), u8(x.type, x.data.length / 4), x.data]);
  });
  const body = concat(opts);
  if (body.length > 252) throw new Error('GENEVE options longer than 252 bytes');
  const flags = (o.oam ? 0x80 : 0) | (o.critical ? 0x40 : 0);
  return concat([u8(body.length / 4, flags), be16(o.proto), be24(o.vni), u8(0), body, inner]);
}

/** Teredo authentication header (RFC 4380 §5.1.1): client id, authentication value, nonce, confirmation. */
export function teredoAuth(o: { clientId?: Uint8Array; auth?: Uint8Array; nonce: Uint8Array; confirmation?: number }): Uint8Array {
  const id = o.clientId ?? new Uint8Array(0);
  const au = o.auth ?? new Uint8Array(0);
  if (o.nonce.length !== 8) throw new Error('the Teredo nonce is 8 bytes');
  return concat([u8(0, 1, id.length, au.length), id, au, o.nonce, u8(o.confirmation ?? 0)]);
}
/** Teredo origin indication (RFC 4380 §5.1.1): the origin's port and IPv4 address, each bit inverted. */
export function teredoOrigin(port: number, addr: string): Uint8Array {
  const a = parseIpv4(addr).map((x) => x ^ 0xff);
  return concat([u8(0, 0), be16(port ^ 0xffff), a]);
}

/**
 * AYIYA header (draft-massar-v6ops-ayiya §5): identity (2^idLen bytes: 16 for an IPv6 address,
 * type 1), signature (SHA-1: 5 words, hash method 2), authentication method 1 (shared secret),
 * opcode (1 = forward), next header (41 IPv6, 4 IPv4), epoch time; then `inner`.
 */
export function ayiya(o: { identity: Uint8Array; signature: Uint8Array; next: number; epoch: number; opcode?: number; idType?: number; hashMethod?: number; authMethod?: number }, inner: Uint8Array): Uint8Array {
  const idLen = Math.log2(o.identity.length);
  if (!Number.isInteger(idLen) || idLen > 15) throw new Error('AYIYA identity length must be a power of two');
  if (o.signature.length % 4 !== 0 || o.signature.length > 60) throw new Error('AYIYA signature: a multiple of 4 bytes, at most 60');
  return concat([
    u8((idLen << 4) | (o.idType ?? 1), ((o.signature.length / 4) << 4) | (o.hashMethod ?? 2), ((o.authMethod ?? 1) << 4) | (o.opcode ?? 1), o.next),
    be32(o.epoch), o.identity, o.signature, inner,
  ]);
}

/**
 * PPTP's enhanced GRE header (version 1, protocol 0x880B) around a PPP frame: key = payload
 * length and call id, then the sequence number (when given) and the acknowledgment number (when
 * given). `ppp` is the PPP frame (see `pppFrame`), empty for an acknowledgment alone.
 */
export function greV1(o: { callId: number; seq?: number; ack?: number }, ppp: Uint8Array): Uint8Array {
  const f0 = 0x20 | (o.seq !== undefined ? 0x10 : 0);
  const f1 = (o.ack !== undefined ? 0x80 : 0) | 1;
  return concat([
    u8(f0, f1), be16(0x880b), be16(ppp.length), be16(o.callId),
    o.seq !== undefined ? be32(o.seq) : new Uint8Array(0),
    o.ack !== undefined ? be32(o.ack) : new Uint8Array(0),
    ppp,
  ]);
}
/**
 * A PPP frame (RFC 1661 §2) as PPTP carries it: address and control (FF 03) unless compressed
 * away (RFC 1661 §6.6), then the protocol (0x0021 IPv4, 0x0057 IPv6), one byte when
 * protocol-field compression is on (§6.5).
 */
export function pppFrame(o: { proto: number; acfc?: boolean; pfc?: boolean }, payload: Uint8Array): Uint8Array {
  const head = o.acfc ? new Uint8Array(0) : u8(0xff, 0x03);
  const proto = o.pfc && o.proto < 0x100 ? u8(o.proto) : be16(o.proto);
  return concat([head, proto, payload]);
}
