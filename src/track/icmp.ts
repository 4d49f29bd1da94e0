/**
 * ICMP and ICMPv6 errors, each with the flow it quotes (RFC 792, RFC 4443 §2.4: the quote is
 * the offending packet's header and first bytes). The quoted source is the original sender —
 * the client of the failed flow — so the error is attached to that flow by its 5-tuple.
 */
import type { Packet } from '../decode/packet.js';
import type { Time } from './types.js';

export interface IcmpError {
  frame: number;
  ts: Time;
  /** Who sent the error (a router, a firewall, or the destination host). */
  from: string;
  /** To whom (normally the client of the quoted flow). */
  to: string;
  v6: boolean;
  type: number;
  code: number;
  /** Next-hop MTU (ICMPv4 3/4, RFC 1191) or MTU (ICMPv6 packet too big), else null. */
  mtu: number | null;
  ttl: number;
  /** The capture holds the packet the error quotes (so far: pings, by their flow). */
  quotedSeen: boolean;
  quoted: null | {
    proto: number;
    src: string;
    dst: string;
    sport: number;
    dport: number;
    tcpSeq: number;
    /** The quoted TTL / hop limit (as the packet reached the error's sender), -1 if not quoted. */
    ttl: number;
    /** The quoted IPv4 identification (-1 for IPv6). */
    ipId: number;
    /** A quoted ICMP message's type (8 / 128: echo request) and echo id / sequence, else -1. */
    icmpType: number;
    icmpId: number;
    icmpSeq: number;
  };
}

const MAX_ERRORS = 10_000;

export { icmpCause, icmpName } from '../decode/icmp-codes.js';

/** The transport of a datagram quoted in an ICMP error, from its IP protocol number; null if another. */
export function quotedTransport(proto: number): 'tcp' | 'udp' | 'icmp' | null {
  return proto === 6 ? 'tcp' : proto === 17 ? 'udp' : proto === 1 || proto === 58 ? 'icmp' : null;
}

export class IcmpTracker {
  readonly errors: IcmpError[] = [];
  dropped = 0;

  /**
   * An ICMP error packet as a record (the caller checked that it is one). Listed in `errors` up
   * to MAX_ERRORS (beyond, counted in `dropped`); returned either way, for the flow it quotes.
   */
  add(p: Packet, ts: Time): IcmpError {
    const v6 = p.ipVersion === 6;
    const q = p.quoted;
    let mtu: number | null = null;
    if (!v6 && p.icmpType === 3 && p.icmpCode === 4) mtu = p.icmpRest & 0xffff;
    if (v6 && p.icmpType === 2) mtu = p.icmpRest >>> 0;
    const e: IcmpError = {
      frame: p.frame,
      ts,
      from: p.srcAddr(),
      to: p.dstAddr(),
      v6,
      type: p.icmpType,
      code: p.icmpCode,
      mtu,
      ttl: p.ttl,
      quotedSeen: false,
      quoted: q.present
        ? { proto: q.proto, src: p.quotedSrc(), dst: p.quotedDst(), sport: q.sport, dport: q.dport, tcpSeq: q.tcpSeq,
          ttl: q.ttl, ipId: q.version === 4 ? q.ipId : -1, icmpType: q.icmpType, icmpId: q.icmpId, icmpSeq: q.icmpSeq }
        : null,
    };
    if (this.errors.length < MAX_ERRORS) this.errors.push(e);
    else this.dropped++;
    return e;
  }
}
