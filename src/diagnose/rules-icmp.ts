/**
 * The rules of the seven icmp.* causes: an ICMP or ICMPv6 error that quotes the failing flow
 * names the cause, by its type and code (decode/icmp-codes.ts). One rule per place an error can
 * be found — on a connection, on a DNS name's queries, or alone (the capture lacks the packet it
 * answers); every icmp.* cause file lists all three.
 */
import type { IcmpError } from '../track/icmp.js';
import { icmpCause, quotedTransport } from '../track/icmp.js';
import type { Arg } from '../facts.js';
import type { Lang } from '../lang.js';
import type { Verdict } from './verdict.js';
import type { ConnRule, DnsRule, EvidenceAt, IcmpRule, Outcome } from './outcome.js';
import { isTcp, noSynAck, outcome } from './outcome.js';
import { FIRST_DATAGRAM, ICMP, proof, synEvidence, way, type QuotedFlow } from './evidence.js';
import { dnsEvidence, dnsOutcome } from './dns-group.js';
import { icmpTitle } from './alerts.js';
import { limitKind, type Vars } from './words.js';

export const ICMP_CAUSES = [
  'icmp.net_unreachable', 'icmp.host_unreachable', 'icmp.port_unreachable', 'icmp.protocol_unreachable',
  'icmp.admin_prohibited', 'icmp.frag_needed', 'icmp.ttl_exceeded',
] as const;

/** What an ICMP error says, ready for an outcome: its evidence, details and facts. */
export function icmpFacts(e: IcmpError, quoting: QuotedFlow | null = null): { proof: EvidenceAt; details: Record<string, unknown>; facts: Record<string, Arg> } {
  return {
    proof: proof(ICMP, e.frame, e.ts, { from: e.from, to: e.to }, { v6: e.v6, type: e.type, code: e.code, from: e.from, quoting }),
    details: { from: e.from, type: e.type, code: e.code, family: e.v6 ? 'icmpv6' : 'icmp', ...(e.mtu !== null ? { mtu: e.mtu } : {}) },
    facts: { from: e.from, icmpV6: e.v6, icmpType: e.type, icmpCode: e.code, mtu: e.mtu },
  };
}

/** The {icmp} placeholder: the error in words, from the verdict's facts. */
export function icmpVars(v: Verdict, lang: Lang): Vars {
  const f = v.facts;
  return typeof f['icmpType'] === 'number' && typeof f['icmpCode'] === 'number' ? { icmp: icmpTitle(f['icmpV6'] === true, f['icmpType'], f['icmpCode'], lang) } : {};
}

export const PMTU_DISCOVERY_WORKED = limitKind('icmp_pmtu_worked', {
  en: () => 'the connection went on after this error (path MTU discovery worked); blocking such ICMP messages would break large transfers',
  zh: () => '该错误之后连接仍在继续（路径 MTU 发现起了作用）；若拦截此类 ICMP 消息，大数据量传输将会中断',
});

export const ICMP_WITHOUT_PACKET = limitKind('icmp_without_packet', {
  en: () => 'the capture holds the ICMP error but not the packet it answers',
  zh: () => '抓包中有该 ICMP 差错，但没有它所回应的数据包',
});

/** An error quoting a connection, before the server ever answered (or, for frag-needed, at any time). */
export const ICMP_ON_CONN: ConnRule = {
  on: 'conn',
  rank: 10,
  produces: ICMP_CAUSES,
  run(f) {
    // An error about the server's packets (the client's side refusing them) is not the flow failing.
    const e = f.icmp.find((x) => icmpCause(x) !== null && quotesOriginator(x, f.conn));
    if (!e) return null;
    const cause = icmpCause(e)!;
    if (isTcp(f)) {
      if (cause === 'icmp.frag_needed') {
        // The sender resent in smaller packets and everything was acknowledged: path MTU discovery
        // worked, the target worked (ok, with the path MTU in its details: causes/ok.ts).
        if (f.conn.unackedBytes.orig === 0) return null;
      } else if (!noSynAck(f.conn)) return null;
    } else if (f.conn.resp.pkts > 0 && cause !== 'icmp.port_unreachable' && cause !== 'icmp.frag_needed') return null;
    const ev: EvidenceAt[] = isTcp(f) ? synEvidence(f.conn).slice(0, 1) : [proof(FIRST_DATAGRAM, f.conn.firstFrame, f.conn.start, way(f.conn, true), {})];
    const x = icmpFacts(e);
    ev.push(x.proof);
    return outcome(cause, ev, x.details, x.facts);
  },
};

/** Nothing answered a name's queries, and an ICMP error quotes one of them. */
export const ICMP_ON_DNS: DnsRule = {
  on: 'dns',
  rank: 70,
  produces: ICMP_CAUSES,
  run(g, ctx) {
    if (g.answered > 0) return null;
    for (const f of g.flows ?? []) {
      const e = ctx.icmpOn(f.key)?.find((x) => icmpCause(x) !== null);
      if (!e) continue;
      const x = icmpFacts(e);
      // The target is the name; the ICMP text speaks of the DNS server's address and port.
      const o = dnsOutcome(g, icmpCause(e)!, { from: e.from, type: e.type, code: e.code },
        { ...x.facts, ip: f.server.ip, port: f.server.port, transport: f.transport });
      o.evidence = [...dnsEvidence(g), x.proof].sort((a, b) => a.frame - b.frame);
      return o;
    }
    return null;
  },
};

/** An ICMP error whose flow the capture does not hold: the error alone says what failed. */
export const ICMP_ALONE: IcmpRule = {
  on: 'icmp',
  rank: 10,
  produces: ICMP_CAUSES,
  run(e): Outcome | null {
    const cause = icmpCause(e);
    if (!cause || !e.quoted) return null;
    const q = e.quoted;
    const x = icmpFacts(e, { src: q.src, sport: q.sport, dst: q.dst, dport: q.dport });
    const o = outcome(cause, [x.proof], x.details, x.facts);
    o.limits.push(ICMP_WITHOUT_PACKET.of({}));
    return o;
  },
};

export const ICMP_RULES = [ICMP_ON_CONN, ICMP_ON_DNS, ICMP_ALONE] as const;

/** Does the error quote a packet the connection's originator (the client) sent? */
export function quotesOriginator(e: IcmpError, c: { orig: { ip: string; port: number } }): boolean {
  const q = e.quoted;
  return q !== null && q.src === c.orig.ip && (q.sport < 0 || q.sport === c.orig.port);
}

/** The target of an ICMP error alone: the quoted destination. */
export function quotedTarget(e: IcmpError): { ip: string; port: number | null; transport: 'tcp' | 'udp' | 'icmp' | null } {
  const q = e.quoted!;
  return { ip: q.dst, port: q.dport >= 0 ? q.dport : null, transport: quotedTransport(q.proto) };
}
