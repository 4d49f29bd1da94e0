/**
 * Decodes a RawPacket into the reused Packet struct: link layer by registry, then network,
 * tunnels (IP-in-IP, 6in4, GRE, VXLAN) and transport. Never throws on packet bytes: a problem
 * leaves `packet.stop` set and the layers before it filled in.
 */
import type { RawPacket } from '../capture/types.js';
import { Packet, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from './packet.js';
import { LINK_DECODERS } from './registry.js';
import { decodeEtherType, decodeEthernet, ETH_IPV4, ETH_IPV6, ETH_TEB } from './ethernet.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';
import { decodeIcmp } from './icmp.js';
import { Reassembler } from './fragments.js';
import { truncated } from './stop.js';
import { decodeGtp, GTP0_PORT, GTPU_PORT } from './gtp.js';

const MAX_TUNNELS = 4;
const VXLAN_PORT = 4789;

export interface DecoderOptions {
  /** Decode VXLAN (UDP 4789) payloads as inner Ethernet frames (default true). */
  vxlan?: boolean;
}

export class Decoder {
  readonly frags = new Reassembler();
  /** Packets per link type we cannot decode (reported, not fatal). */
  readonly unknownLinkTypes = new Map<number, number>();
  private readonly vxlan: boolean;

  constructor(opts: DecoderOptions = {}) {
    this.vxlan = opts.vxlan ?? true;
  }

  decode(raw: RawPacket, p: Packet = new Packet()): Packet {
    p.reset();
    p.frame = raw.frame;
    p.tsSec = raw.tsSec;
    p.tsNsec = raw.tsNsec;
    p.linkType = raw.linkType;
    p.iface = raw.iface;
    p.origLen = raw.origLen;
    p.capLen = raw.capLen;
    p.buf = raw.buf;
    p.off = raw.off;
    p.nb = raw.buf;
    if (raw.linkType === 1) {
      // Ethernet, most captures: no table lookup per packet.
      decodeEthernet(this, p, raw.buf, raw.off, raw.off + raw.capLen);
      return p;
    }
    const link = LINK_DECODERS.get(raw.linkType);
    if (link === undefined) {
      this.unknownLinkTypes.set(raw.linkType, (this.unknownLinkTypes.get(raw.linkType) ?? 0) + 1);
      return p;
    }
    link(this, p, raw.buf, raw.off, raw.off + raw.capLen);
    return p;
  }

  etherType(p: Packet, b: Uint8Array, o: number, end: number, type: number): void {
    decodeEtherType(this, p, b, o, end, type);
  }

  ipv4(p: Packet, b: Uint8Array, o: number, end: number): void {
    decodeIpv4(this, p, b, o, end);
  }

  ipv6(p: Packet, b: Uint8Array, o: number, end: number): void {
    decodeIpv6(this, p, b, o, end);
  }

  /**
   * An IP datagram whose version only its first nibble names (MPLS, raw and loopback links, PPP,
   * GTP): decoded as IPv4 or IPv6 (`v` overrides the nibble); false when it is neither.
   */
  ipByVersion(p: Packet, b: Uint8Array, o: number, end: number, v = b[o]! >> 4): boolean {
    if (v === 4) {
      p.etherType = ETH_IPV4;
      decodeIpv4(this, p, b, o, end);
      return true;
    }
    if (v === 6) {
      p.etherType = ETH_IPV6;
      decodeIpv6(this, p, b, o, end);
      return true;
    }
    return false;
  }

  /** Upper layer of an IP datagram; `wireEnd` is where the datagram ends per its headers. */
  transport(p: Packet, b: Uint8Array, o: number, end: number, proto: number, wireEnd: number): void {
    switch (proto) {
      case PROTO_TCP:
        decodeTcp(p, b, o, end, wireEnd);
        return;
      case PROTO_UDP:
        decodeUdp(p, b, o, end);
        if ((p.dport === GTPU_PORT || p.dport === GTP0_PORT || p.sport === GTP0_PORT) && p.tunnels < MAX_TUNNELS && p.payLen > 8) {
          const { sport, dport, payOff, payLen, payWireLen } = p;
          this.enterTunnel(p);
          if (!decodeGtp(this, p, b, payOff, payOff + payLen)) {
            // Not a T-PDU: the UDP datagram itself is the innermost layer.
            p.sport = sport;
            p.dport = dport;
            p.payOff = payOff;
            p.payLen = payLen;
            p.payWireLen = payWireLen;
          }
          return;
        }
        if (this.vxlan && p.dport === VXLAN_PORT && p.payLen >= 8 + 14 && (b[p.payOff]! & 0x08) !== 0 && p.tunnels < MAX_TUNNELS) {
          // VXLAN (RFC 7348): 8-byte header with the I flag, then an Ethernet frame.
          this.enterTunnel(p);
          decodeEthernet(this, p, b, p.payOff + 8, p.payOff + p.payLen);
        }
        return;
      case PROTO_ICMP:
        decodeIcmp(p, b, o, end, false);
        return;
      case PROTO_ICMPV6:
        decodeIcmp(p, b, o, end, true);
        return;
      case 4: // IPv4 in IP (RFC 2003)
        if (p.tunnels < MAX_TUNNELS) decodeIpv4(this, p, b, o, end);
        return;
      case 41: // IPv6 in IP (6in4, RFC 4213)
        if (p.tunnels < MAX_TUNNELS) decodeIpv6(this, p, b, o, end);
        return;
      case 47:
        if (p.tunnels < MAX_TUNNELS) this.gre(p, b, o, end);
        return;
      default:
        p.l4Off = o;
        p.payOff = o;
        p.payLen = end - o;
        p.payWireLen = p.payLen;
        return;
    }
  }

  /** Resets transport fields before decoding an inner packet (the outer ones are superseded). */
  private enterTunnel(p: Packet): void {
    p.sport = p.dport = -1;
    p.payOff = p.payLen = p.payWireLen = 0;
  }

  /** GRE (RFC 2784/2890): version 0 only; checksum, key and sequence fields skipped. */
  private gre(p: Packet, b: Uint8Array, o: number, end: number): void {
    if (end - o < 4) {
      p.stop = truncated('gre', o - p.off, 'packet ends inside the GRE header');
      return;
    }
    const flags = b[o]!;
    if ((b[o + 1]! & 7) !== 0) return; // version 1 is PPTP's enhanced GRE
    let x = o + 4;
    if (flags & 0x80) x += 4;
    if (flags & 0x20) x += 4;
    if (flags & 0x10) x += 4;
    if (x > end) {
      p.stop = truncated('gre', o - p.off, 'packet ends inside the GRE header');
      return;
    }
    const type = (b[o + 2]! << 8) | b[o + 3]!;
    if (type === ETH_IPV4 || type === ETH_IPV6) {
      this.ipByVersion(p, b, x, end, type === ETH_IPV4 ? 4 : 6);
    } else if (type === ETH_TEB) {
      this.enterTunnel(p);
      decodeEthernet(this, p, b, x, end);
    }
  }
}
