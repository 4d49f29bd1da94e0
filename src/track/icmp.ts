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
  quoted: null | {
    proto: number;
    src: string;
    dst: string;
    sport: number;
    dport: number;
    tcpSeq: number;
  };
}

const MAX_ERRORS = 10_000;

/** Name of an ICMP error, in the vocabulary of the contract's cause codes where one applies. */
export function icmpName(v6: boolean, type: number, code: number): string {
  if (!v6) {
    if (type === 3) {
      return (
        [
          'net_unreachable', 'host_unreachable', 'protocol_unreachable', 'port_unreachable', 'frag_needed',
          'source_route_failed', 'net_unknown', 'host_unknown', 'source_host_isolated', 'net_admin_prohibited',
          'host_admin_prohibited', 'net_unreachable_for_tos', 'host_unreachable_for_tos', 'admin_prohibited',
          'host_precedence_violation', 'precedence_cutoff',
        ][code] ?? `dest_unreachable_${code}`
      );
    }
    if (type === 11) return code === 0 ? 'ttl_exceeded' : 'reassembly_time_exceeded';
    if (type === 12) return 'parameter_problem';
    if (type === 5) return 'redirect';
    if (type === 4) return 'source_quench';
    if (type === 0) return 'echo_reply';
    if (type === 8) return 'echo_request';
    return `icmp_${type}_${code}`;
  }
  if (type === 1) {
    return (
      ['no_route', 'admin_prohibited', 'beyond_scope', 'address_unreachable', 'port_unreachable', 'source_policy_failed', 'reject_route'][code] ??
      `dest_unreachable_${code}`
    );
  }
  if (type === 2) return 'packet_too_big';
  if (type === 3) return code === 0 ? 'hop_limit_exceeded' : 'reassembly_time_exceeded';
  if (type === 4) return 'parameter_problem';
  if (type === 128) return 'echo_request';
  if (type === 129) return 'echo_reply';
  return `icmpv6_${type}_${code}`;
}

/** The contract's cause for an ICMP error, or null when it is not a reachability failure. */
export function icmpCause(e: Pick<IcmpError, 'v6' | 'type' | 'code'>): string | null {
  if (!e.v6) {
    if (e.type === 3) {
      switch (e.code) {
        case 0: case 6: case 11: return 'icmp.net_unreachable';
        case 1: case 7: case 12: return 'icmp.host_unreachable';
        case 2: return 'icmp.protocol_unreachable';
        case 3: return 'icmp.port_unreachable';
        case 4: return 'icmp.frag_needed';
        case 9: case 10: case 13: case 14: case 15: return 'icmp.admin_prohibited';
        default: return 'icmp.host_unreachable';
      }
    }
    if (e.type === 11 && e.code === 0) return 'icmp.ttl_exceeded';
    return null;
  }
  if (e.type === 1) {
    switch (e.code) {
      case 0: case 2: case 6: return 'icmp.net_unreachable';
      case 1: case 5: return 'icmp.admin_prohibited';
      case 3: return 'icmp.host_unreachable';
      case 4: return 'icmp.port_unreachable';
      default: return 'icmp.host_unreachable';
    }
  }
  if (e.type === 2) return 'icmp.frag_needed';
  if (e.type === 3 && e.code === 0) return 'icmp.ttl_exceeded';
  return null;
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
      quoted: q.present
        ? { proto: q.proto, src: p.quotedSrc(), dst: p.quotedDst(), sport: q.sport, dport: q.dport, tcpSeq: q.tcpSeq }
        : null,
    };
    if (this.errors.length < MAX_ERRORS) this.errors.push(e);
    else this.dropped++;
    return e;
  }
}
