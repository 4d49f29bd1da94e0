/**
 * The decoded view of one packet: a single mutable struct, refilled for every packet, holding
 * numbers and offsets into the packet's bytes. Nothing is allocated per packet on the normal
 * path; strings (addresses) are built only when asked for. Copy what you keep: the struct and
 * the bytes belong to the next packet as soon as the callback returns.
 */
import type { DecodeStop } from './stop.js';
import { ipv4ToString, ipv6ToString } from './addr.js';
import { DOUBLE } from './shape.js';

/** Facts about the IP header (and first transport bytes) quoted inside an ICMP error. */
export class Quoted {
  present = false;
  version = 0;
  /** IPv4 addresses as uint32 (version 4), else offsets into `Packet.nb` of 16-byte IPv6 addresses. */
  src4 = DOUBLE;
  dst4 = DOUBLE;
  srcOff = 0;
  dstOff = 0;
  proto = -1;
  /** -1 when the quoted bytes stop before the ports. */
  sport = -1;
  dport = -1;
  tcpSeq = DOUBLE;
  ipId = -1;
  /** The quoted TTL / hop limit: as the packet reached the router or host that sent the error. */
  ttl = -1;
  /** ICMP echo id inside a quoted ICMP echo (for errors about pings), else -1. */
  icmpId = -1;
  /** Type and sequence number of a quoted ICMP message (8 / 128: an echo request), else -1. */
  icmpType = -1;
  icmpSeq = -1;
  /** Set when a decoder wrote any field (so that a packet without a quote resets nothing). */
  used = false;

  constructor() {
    this.reset();
  }

  reset(): void {
    this.used = false;
    this.present = false;
    this.version = 0;
    this.src4 = this.dst4 = this.srcOff = this.dstOff = 0;
    this.proto = this.sport = this.dport = this.tcpSeq = this.ipId = this.ttl = this.icmpId = this.icmpType = this.icmpSeq = -1;
  }
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_ACK = 0x10;

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;

/** Bits of `Packet.rare`: fields that only some packets set, reset only after a packet that set them. */
export const RARE_TCP_OPTIONS = 1;
export const RARE_ICMP = 2;
export const RARE_LINK = 4;

/** Fragment state of the IP layer of this frame. */
export const FRAG_NONE = 0;
/** A fragment that did not (yet) complete its datagram: no transport layer on this frame. */
export const FRAG_PART = 1;
/** The fragment that completed a datagram: the transport fields come from the reassembled bytes. */
export const FRAG_REASSEMBLED = 2;

export class Packet {
  // --- from the capture record
  frame = 0;
  tsSec = 0;
  tsNsec = 0;
  linkType = 0;
  iface = 0;
  origLen = 0;
  capLen = 0;
  /** Frame bytes are buf[off .. off + capLen). */
  buf: Uint8Array = new Uint8Array(0);
  off = 0;

  // --- link layer
  /** Number of 802.1Q/802.1ad tags, and the outermost VLAN id (-1 when none). */
  vlanCount = 0;
  vlan = -1;
  /** EtherType (or equivalent) of the network layer found (0x0800, 0x86dd, 0x0806 ARP ...), -1 unknown. */
  etherType = -1;
  /** True when the link layer says the frame was sent by this host (SLL "outgoing"), null when unknown. */
  outgoing: boolean | null = null;

  // --- network layer: the innermost IP header, the one carrying the transport
  ipVersion = 0;
  /** Bytes of the network layer: the frame's buffer, or a reassembled datagram. */
  nb: Uint8Array = new Uint8Array(0);
  ipOff = 0;
  ipHdrLen = 0;
  /** End of the IP datagram in nb: its length field, clamped to the captured bytes. */
  ipEnd = 0;
  /** IPv4 addresses as uint32. */
  src4 = DOUBLE;
  dst4 = DOUBLE;
  /** IPv6 address offsets in nb. */
  srcOff = 0;
  dstOff = 0;
  /** TTL / hop limit, IPv4 identification (-1 for IPv6 unless a fragment header gave one). */
  ttl = 0;
  ipId = -1;
  df = false;
  tos = 0;
  /** Transport protocol number (after IPv6 extension headers and tunnels), -1 when none. */
  proto = -1;
  fragment = FRAG_NONE;
  /** A fragment's offset in bytes (IPv4 or IPv6 fragment header), 0 when not a fragment. */
  fragOff = 0;
  /** IP-in-IP / GRE / 6in4 encapsulations passed through to reach this header. */
  tunnels = 0;

  // --- transport
  l4Off = 0;
  sport = -1;
  dport = -1;
  tcpFlags = 0;
  seq = DOUBLE;
  ack = DOUBLE;
  win = 0;
  tcpHdrLen = 0;
  mss = -1;
  wscale = -1;
  sackPerm = false;
  /** An MPTCP option (kind 30, RFC 8684) is present. */
  mptcp = false;
  /** A segment signature: TCP MD5 (kind 19, RFC 2385) or TCP-AO (kind 29, RFC 5925); 0 without. */
  tcpAuth = 0;
  tsVal = DOUBLE;
  tsEcr = DOUBLE;
  /** The first SACK block (RFC 2018: the most recently received data), -1 when none. */
  sackLe = DOUBLE;
  sackRe = DOUBLE;
  /** Transport payload in nb (captured part). */
  payOff = 0;
  payLen = 0;
  /** Payload length the headers claim (may exceed payLen when snaplen cut the packet). */
  payWireLen = 0;

  // --- ICMP / ICMPv6
  icmpType = -1;
  icmpCode = -1;
  /** The 4 bytes after the checksum (next-hop MTU, pointer, echo id/seq). */
  icmpRest = 0;
  readonly quoted = new Quoted();

  /** Why decoding stopped early (the layers before it are valid), or null. */
  stop: DecodeStop | null = null;

  /**
   * RARE_* bits of the groups of fields this packet's decoders wrote (TCP options, ICMP, VLAN
   * tags and link direction): the next reset() puts back only those groups.
   */
  rare = 0;

  constructor() {
    // Layout fixed once (shape.ts): every field written twice, the uint32 ones as doubles.
    this.rare = RARE_TCP_OPTIONS | RARE_ICMP | RARE_LINK;
    this.reset();
    this.frame = this.tsSec = this.tsNsec = this.linkType = this.iface = this.origLen = this.capLen = this.off = 0;
  }

  reset(): void {
    if (this.rare !== 0) this.resetRare();
    this.etherType = -1;
    this.ipVersion = 0;
    this.ipOff = this.ipHdrLen = this.ipEnd = 0;
    this.src4 = this.dst4 = this.srcOff = this.dstOff = 0;
    this.ttl = 0;
    this.ipId = -1;
    this.df = false;
    this.tos = 0;
    this.proto = -1;
    this.fragment = FRAG_NONE;
    this.fragOff = 0;
    this.tunnels = 0;
    this.l4Off = 0;
    this.sport = this.dport = -1;
    this.tcpFlags = 0;
    this.seq = this.ack = this.win = this.tcpHdrLen = 0;
    this.payOff = this.payLen = this.payWireLen = 0;
    if (this.quoted.used) this.quoted.reset();
    this.stop = null;
  }

  private resetRare(): void {
    const r = this.rare;
    this.rare = 0;
    if ((r & RARE_LINK) !== 0) {
      this.vlanCount = 0;
      this.vlan = -1;
      this.outgoing = null;
    }
    if ((r & RARE_TCP_OPTIONS) !== 0) {
      this.mss = this.wscale = -1;
      this.sackPerm = this.mptcp = false;
      this.tcpAuth = 0;
      this.tsVal = this.tsEcr = -1;
      this.sackLe = this.sackRe = -1;
    }
    if ((r & RARE_ICMP) !== 0) {
      this.icmpType = this.icmpCode = -1;
      this.icmpRest = 0;
    }
  }

  srcAddr(): string {
    return this.ipVersion === 4 ? ipv4ToString(this.src4) : this.ipVersion === 6 ? ipv6ToString(this.nb, this.srcOff) : '';
  }

  dstAddr(): string {
    return this.ipVersion === 4 ? ipv4ToString(this.dst4) : this.ipVersion === 6 ? ipv6ToString(this.nb, this.dstOff) : '';
  }

  quotedSrc(): string {
    const q = this.quoted;
    return q.version === 4 ? ipv4ToString(q.src4) : q.version === 6 ? ipv6ToString(this.nb, q.srcOff) : '';
  }

  quotedDst(): string {
    const q = this.quoted;
    return q.version === 4 ? ipv4ToString(q.dst4) : q.version === 6 ? ipv6ToString(this.nb, q.dstOff) : '';
  }

  /** Transport payload as a view (valid until the next packet). */
  payload(): Uint8Array {
    return this.nb.subarray(this.payOff, this.payOff + this.payLen);
  }
}
