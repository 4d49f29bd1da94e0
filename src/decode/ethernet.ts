/**
 * Ethernet II (IEEE 802.3 with EtherType), 802.1Q / 802.1ad VLAN tags (stacked), MPLS label
 * stacks (RFC 3032) and PPPoE sessions (RFC 2516) — everything that sits between the frame
 * start and an IP header on a LAN.
 */
import type { Decoder } from './decoder.js';
import { RARE_LINK, type Packet } from './packet.js';
import { truncated } from './stop.js';

export const ETH_IPV4 = 0x0800;
export const ETH_ARP = 0x0806;
export const ETH_VLAN = 0x8100;
export const ETH_QINQ = 0x88a8;
const ETH_QINQ_OLD = 0x9100;
export const ETH_IPV6 = 0x86dd;
const ETH_MPLS = 0x8847;
const ETH_MPLS_MC = 0x8848;
const ETH_PPPOE_SESSION = 0x8864;
export const ETH_TEB = 0x6558; // transparent Ethernet bridging (inside GRE)

const MAX_TAGS = 8;
const MAX_LABELS = 16;

export function decodeEthernet(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number): void {
  if (end - o < 14) {
    p.stop = truncated('ethernet', o - p.off, 'frame shorter than an Ethernet header');
    return;
  }
  let type = (b[o + 12]! << 8) | b[o + 13]!;
  o += 14;
  if (type <= 1500) {
    // 802.3 length field with LLC: not IP traffic we analyse (STP, CDP, ...).
    p.etherType = -1;
    return;
  }
  d.etherType(p, b, o, end, type);
}

/** Dispatches on an EtherType, handling the tags that can precede the network header. */
export function decodeEtherType(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number, type: number): void {
  for (let tags = 0; type === ETH_VLAN || type === ETH_QINQ || type === ETH_QINQ_OLD; tags++) {
    if (tags >= MAX_TAGS) return;
    if (end - o < 4) {
      p.stop = truncated('vlan', o - p.off, 'frame ends inside a VLAN tag');
      return;
    }
    const id = ((b[o]! << 8) | b[o + 1]!) & 0x0fff;
    p.rare |= RARE_LINK;
    if (p.vlanCount === 0) p.vlan = id;
    p.vlanCount++;
    type = (b[o + 2]! << 8) | b[o + 3]!;
    o += 4;
  }
  p.etherType = type;
  switch (type) {
    case ETH_IPV4:
      d.ipv4(p, b, o, end);
      return;
    case ETH_IPV6:
      d.ipv6(p, b, o, end);
      return;
    case ETH_MPLS:
    case ETH_MPLS_MC:
      decodeMpls(d, p, b, o, end);
      return;
    case ETH_ARP:
      // Not decoded here: the tracker reads its fields (track/tracker.ts arp).
      p.payOff = o;
      p.payLen = end - o;
      return;
    case ETH_PPPOE_SESSION:
      if (end - o < 8) {
        p.stop = truncated('pppoe', o - p.off, 'frame ends inside the PPPoE header');
        return;
      }
      decodePppProtocol(d, p, b, o + 8, end, (b[o + 6]! << 8) | b[o + 7]!);
      return;
    default:
      return;
  }
}

function decodeMpls(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number): void {
  for (let n = 0; n < MAX_LABELS; n++) {
    if (end - o < 4) {
      p.stop = truncated('mpls', o - p.off, 'frame ends inside an MPLS label');
      return;
    }
    const bottom = (b[o + 2]! & 1) === 1;
    o += 4;
    if (bottom) {
      if (o >= end) return;
      // MPLS does not name its payload; the IP version nibble does (RFC 4928 §1).
      d.ipByVersion(p, b, o, end);
      return;
    }
  }
}

/** PPP protocol field values for IP (RFC 1661 / 1332 / 5072) and MPLS (RFC 3032 §5: 0x0281 unicast, 0x0283 multicast). */
export function decodePppProtocol(d: Decoder, p: Packet, b: Uint8Array, o: number, end: number, proto: number): void {
  if (proto === 0x0021) d.ipByVersion(p, b, o, end, 4);
  else if (proto === 0x0057) d.ipByVersion(p, b, o, end, 6);
  else if (proto === 0x0281 || proto === 0x0283) decodeMpls(d, p, b, o, end);
}
