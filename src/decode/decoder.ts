/**
 * Decodes a RawPacket into the reused Packet struct: link layer by registry, then network,
 * tunnels (IP-in-IP, 6in4, GRE and PPTP's enhanced GRE, VXLAN, GENEVE, Teredo, AYIYA, GTP) and
 * transport. Never throws on packet bytes: a problem leaves `packet.stop` set and the layers
 * before it filled in.
 */
import type { RawPacket } from '../capture/types.js';
import { Packet, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from './packet.js';
import { LINK_DECODERS } from './registry.js';
import { decodeEtherType, decodeEthernet, ETH_IPV4, ETH_IPV6 } from './ethernet.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';
import { decodeIcmp } from './icmp.js';
import { Reassembler } from './fragments.js';
import { decodeGtp, GTP0_PORT, GTPU_PORT } from './gtp.js';
import { AYIYA_PORT, decodeAyiya, decodeGeneve, decodeGre, decodeTeredo, GENEVE_PORT, TEREDO_PORT, VXLAN_PORT } from './tunnels.js';

const MAX_TUNNELS = 4;

/** UDP ports (either side) that may carry a tunnel: the payload is looked at. */
const TUNNEL_PORT = new Uint8Array(65536);
for (const port of [GTPU_PORT, GTP0_PORT, VXLAN_PORT, GENEVE_PORT, TEREDO_PORT, AYIYA_PORT]) TUNNEL_PORT[port] = 1;

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
        if (p.payLen === 0 || p.tunnels >= MAX_TUNNELS) return;
        if (TUNNEL_PORT[p.dport] === 1 || TUNNEL_PORT[p.sport] === 1) this.udpTunnel(p, b, true);
        // Teredo between a client and a relay uses any port: an IPv6 packet from or to a Teredo
        // address (checked by decodeTeredo) in a datagram of its exact length.
        else if (p.payLen >= 40 && (b[p.payOff]! & 0xf0) === 0x60) this.udpTunnel(p, b, false);
        return;
      case PROTO_ICMP:
      case PROTO_ICMPV6:
        decodeIcmp(p, b, o, end, proto === PROTO_ICMPV6);
        // The message's length on the wire (the IP header's), beyond what was captured.
        if (p.payOff !== 0 && wireEnd > end) p.payWireLen = wireEnd - p.payOff;
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
  enterTunnel(p: Packet): void {
    p.sport = p.dport = -1;
    p.payOff = p.payLen = p.payWireLen = 0;
  }

  /**
   * The payload of a UDP datagram on a tunnel port (`byPort`), or one that may be Teredo on any
   * port: decoded as the tunnel's inner packet when it is one, else the datagram stays the
   * innermost layer.
   */
  private udpTunnel(p: Packet, b: Uint8Array, byPort: boolean): void {
    const { sport, dport, payOff, payLen, payWireLen } = p;
    const end = payOff + payLen;
    this.enterTunnel(p);
    let taken = false;
    if (!byPort) taken = decodeTeredo(this, p, b, payOff, end, payOff + payWireLen, true);
    else if (dport === GTPU_PORT || dport === GTP0_PORT || sport === GTP0_PORT) taken = payLen > 8 && decodeGtp(this, p, b, payOff, end);
    else if (dport === VXLAN_PORT) {
      // VXLAN (RFC 7348): 8-byte header with the I flag, then an Ethernet frame.
      if (this.vxlan && payLen >= 8 + 14 && (b[payOff]! & 0x08) !== 0) {
        taken = true;
        decodeEthernet(this, p, b, payOff + 8, end);
      }
    } else if (dport === GENEVE_PORT) taken = decodeGeneve(this, p, b, payOff, end);
    else if (dport === TEREDO_PORT || sport === TEREDO_PORT) taken = decodeTeredo(this, p, b, payOff, end, payOff + payWireLen, false);
    else if (dport === AYIYA_PORT || sport === AYIYA_PORT) taken = decodeAyiya(this, p, b, payOff, end);
    if (!taken) {
      // Not a tunnel packet: the UDP datagram itself is the innermost layer.
      p.sport = sport;
      p.dport = dport;
      p.payOff = payOff;
      p.payLen = payLen;
      p.payWireLen = payWireLen;
    }
  }

  private gre(p: Packet, b: Uint8Array, o: number, end: number): void {
    decodeGre(this, p, b, o, end);
  }
}
