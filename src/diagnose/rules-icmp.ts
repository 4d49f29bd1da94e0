/**
 * The rules of the seven icmp.* causes: an ICMP or ICMPv6 error that quotes the failing flow
 * names the cause, by its type and code (decode/icmp-codes.ts). One rule per place an error can
 * be found — on a connection, on a DNS name's queries, or alone (the capture lacks the packet it
 * answers); every icmp.* cause file lists all three.
 */
import type { IcmpError } from '../track/icmp.js';
import type { TcpConn } from '../track/tcp.js';
import { icmpCause, quotedTransport } from '../track/icmp.js';
import type { Arg } from '../facts.js';
import type { Lang } from '../lang.js';
import type { Verdict } from './verdict.js';
import type { ConnRule, DnsRule, EvidenceAt, IcmpRule, Outcome } from './outcome.js';
import { isTcp, noSynAck, outcome } from './outcome.js';
import { FIRST_DATAGRAM, ICMP, proof, synEvidence, way, type QuotedFlow } from './evidence.js';
import { dnsEvidence, dnsOutcome } from './dns-group.js';
import { icmpTitle } from './alerts.js';
import { limitKind, MISSING, type Vars } from './words.js';
import { isLikelyServerPort } from '../track/flow.js';
import type { Wording } from './cause.js';
import { stoppedTooSoon, WAIT } from './waits.js';

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

/**
 * Whether the verdict has a port for {port}: not when the errors alone quote a packet without
 * one (ICMP, GRE, ESP ...), or packets to several ports (the target is then the host).
 */
export function portKnown(v: Verdict): boolean {
  return v.target.port !== null || typeof v.facts['port'] === 'number';
}

/** The {icmp} placeholder: the error in words, from the verdict's facts (and {transport} when the target has none). */
export function icmpVars(v: Verdict, lang: Lang): Vars {
  const f = v.facts;
  // A quoted protocol with ports that a target's transport cannot name (SCTP, UDP-Lite): the words
  // say 'port 5060', 'the packet', without it.
  const transport = v.target.transport === null && typeof f['transport'] !== 'string' ? { transport: '' } : {};
  return typeof f['icmpType'] === 'number' && typeof f['icmpCode'] === 'number' ? { ...transport, icmp: icmpTitle(f['icmpV6'] === true, f['icmpType'], f['icmpCode'], lang) } : transport;
}

/** The packets an error group quotes, counted: '1 packet', '3 packets' / '1 个数据包'. */
function packetsText(n: number, lang: Lang): string {
  return lang === 'en' ? `${n} packet${n === 1 ? '' : 's'}` : `${n} 个数据包`;
}

/** Ports as a list: '33445', '33445, 33446 and 3 more'. */
function portList(ports: readonly Arg[], lang: Lang): string {
  const p = ports.filter((x): x is number => typeof x === 'number');
  const shown = p.slice(0, 6).join(', ');
  const more = p.length - 6;
  return more > 0 ? (lang === 'en' ? `${shown} and ${more} more` : `${shown} 等`) : shown;
}

/**
 * The words of ICMP errors alone that quote probes or one packet again and again (orphans.ts):
 * {errorsText}, {probeText}, {probeWhy}, {repeatNote}, {reporterNote}; '' where they do not apply.
 */
export function orphanVars(v: Verdict, lang: Lang): Vars {
  const f = v.facts;
  const n = typeof f['errors'] === 'number' ? f['errors'] : 1;
  const ttl = typeof f['quotedTtl'] === 'number' && f['quotedTtl'] >= 0 ? f['quotedTtl'] : null;
  const from = typeof f['from'] === 'string' ? f['from'] : MISSING;
  const ip = v.target.ip ?? (typeof f['ip'] === 'string' ? f['ip'] : MISSING);
  const ports = Array.isArray(f['quotedPorts']) ? portList(f['quotedPorts'], lang) : '';
  const several = n > 1;
  const ttlText = ttl === null ? '' : lang === 'en' ? `, reaching ${from} with TTL ${ttl === 0 ? 0 : `${several ? 'at most ' : ''}${ttl}`}` : `，到达 ${from} 时 TTL 为 ${several && ttl > 0 ? `不超过 ${ttl}` : ttl}`;
  let probeText = '';
  let probeWhy = '';
  if (f['probe'] === 'udp') {
    probeText = lang === 'en' ? 'traceroute (UDP)' : 'traceroute（UDP）';
    probeWhy = lang === 'en'
      ? `UDP to port${ports.includes(',') ? 's' : ''} ${ports} (traceroute's ports start at 33434)${several ? ', each packet quoted once' : ''}${ttlText}`
      : `发往端口 ${ports} 的 UDP（traceroute 的端口从 33434 开始）${several ? '，每个数据包只被引用一次' : ''}${ttlText}`;
  } else if (f['probe'] === 'echo') {
    probeText = lang === 'en' ? 'ping / traceroute -I / mtr (ICMP echo)' : 'ping、traceroute -I 或 mtr（ICMP echo）';
    probeWhy = lang === 'en' ? `ICMP echo requests${several ? ', each quoted once' : ''}${ttlText}` : `ICMP echo 请求${several ? '，每个只被引用一次' : ''}${ttlText}`;
  }
  const r = typeof f['repeats'] === 'number' ? f['repeats'] : 0;
  const expired = v.cause === 'icmp.ttl_exceeded';
  const repeatNote = r === 0 ? '' : lang === 'en'
    ? `The client sent the same packet again and it ${expired ? 'expired' : 'was refused'} again (${n} errors, ${r} of them about a packet quoted before)${expired ? ": an ordinary connection's packets, not probes, which traceroute sends once each" : ''}.`
    : `客户端再次发送了同一个数据包，它又一次${expired ? '超时' : '被拒绝'}（共 ${n} 个差错，其中 ${r} 个引用的是之前已引用过的数据包）${expired ? '：这是普通连接的数据包，而不是探测包（traceroute 的每个探测包只发送一次）' : ''}。`;
  const reporterNote = f['fromDestination'] !== false ? '' : lang === 'en'
    ? `The answer came from ${from}, not from the destination ${ip} itself: the path ended at ${from}, a firewall rejecting on ${ip}'s behalf (a reject rule answers icmp-port-unreachable by default) or a router that owns ${ip} and answers from another of its addresses.`
    : `该回应来自 ${from}，而不是目标 ${ip} 本身：路径止于 ${from}，它可能是代替 ${ip} 拒绝的防火墙（REJECT 规则默认回复 icmp-port-unreachable），也可能是拥有 ${ip} 并以其另一个地址回应的路由器。`;
  return { errorsText: packetsText(n, lang), probeText, probeWhy, repeatNote, reporterNote };
}

export const PMTU_DISCOVERY_WORKED = limitKind('icmp_pmtu_worked', {
  en: () => 'the connection went on after this error (path MTU discovery worked); blocking such ICMP messages would break large transfers',
  zh: () => '该错误之后连接仍在继续（路径 MTU 发现起了作用）；若拦截此类 ICMP 消息，大数据量传输将会中断',
});

export const ICMP_WITHOUT_PACKET = limitKind('icmp_without_packet', {
  en: () => 'the capture holds the ICMP error but not the packet it answers',
  zh: () => '抓包中有该 ICMP 差错，但没有它所回应的数据包',
});

export const PMTU_TOO_SOON = limitKind<{ ms: number | null }>('icmp_pmtu_too_soon', {
  en: (a) => `the capture stopped ${a.ms === null ? 'soon' : `${a.ms} ms`} after this message, before the sender's smaller packets could be acknowledged: whether path MTU discovery worked cannot be seen`,
  zh: (a) => `抓包在该消息之后${a.ms === null ? '不久' : ` ${a.ms} 毫秒`}就停止了，早于发送方改发的较小数据包得到确认的时间：看不出路径 MTU 发现是否起了作用`,
});

export const PMTU_UNSEEN = limitKind('icmp_pmtu_unseen', {
  en: () => 'the capture holds the ICMP error but not the packets of its flow, so whether the sender then sent smaller packets (path MTU discovery) cannot be seen: a failure only if it did not',
  zh: () => '抓包中有该 ICMP 差错，但没有它所属数据流的数据包，因此看不出发送方之后是否改发了更小的包（路径 MTU 发现）：只有它没有这样做时才算失败',
});

export const PROBES_NOT_CAPTURED = limitKind('icmp_probes_not_captured', {
  en: () => 'the capture holds the ICMP errors but not the probes they answer, so the TTLs the probes left with cannot be read',
  zh: () => '抓包中有这些 ICMP 差错，但没有它们所回应的探测包，因此无法读出探测包发出时的 TTL',
});

/**
 * Was the data of the TCP segment an error refused acknowledged since (the sender sent it again in
 * smaller packets, and they got through)? Then path MTU discovery worked, whatever is still in
 * flight when the capture stops (a capture cut in the middle of a transfer).
 */
function deliveredSince(c: TcpConn, e: IcmpError): boolean {
  const seq = e.quoted?.tcpSeq ?? -1;
  if (seq < 0 || c.orig.firstDataFrame === 0 || c.resp.lastWinSent < 0) return false;
  return ((c.orig.ackSeq - seq) | 0) > 0;
}

/** An error quoting a connection, before the server ever answered (or, for frag-needed, at any time). */
export const ICMP_ON_CONN: ConnRule = {
  on: 'conn',
  rank: 10,
  produces: ICMP_CAUSES,
  run(f, ctx) {
    // An error about the server's packets (the client's side refusing them) is not the flow failing.
    const e = f.icmp.find((x) => icmpCause(x) !== null && quotesOriginator(x, f.conn));
    if (!e) return null;
    const cause = icmpCause(e)!;
    if (isTcp(f)) {
      if (cause === 'icmp.frag_needed') {
        // The sender resent in smaller packets and everything was acknowledged: path MTU discovery
        // worked, the target worked (ok, with the path MTU in its details: causes/ok.ts).
        if (f.conn.unackedBytes.orig === 0 || deliveredSince(f.conn, e)) return null;
        // A capture of one side holds no acknowledgement of the other's: whether the sender's
        // smaller packets got through cannot be seen (capture.one_sided tells, rank 15).
        if (f.conn.orig.pkts === 0 || f.conn.resp.pkts === 0) return null;
      } else if (!noSynAck(f.conn)) return null;
    } else if (f.conn.resp.pkts > 0 && cause !== 'icmp.port_unreachable' && cause !== 'icmp.frag_needed') return null;
    else if (cause === 'icmp.port_unreachable' && e.from === f.conn.resp.ip && f.conn.resp.pkts > 0) {
      // The destination itself sent datagrams from this very port, and also said nothing listens
      // on it: its program had the socket open for a while, and closed it while the other side
      // still sent (a call hung up, a session ended, late packets). The exchange went both ways;
      // that it ended is not a failure the capture can show.
      return null;
    }
    const ev: EvidenceAt[] = isTcp(f) ? synEvidence(f.conn).slice(0, 1) : [proof(FIRST_DATAGRAM, f.conn.firstFrame, f.conn.start, way(f.conn, true), {})];
    const x = icmpFacts(e);
    ev.push(x.proof);
    if (cause === 'icmp.port_unreachable') {
      const r = reporter(e, f.conn.resp.ip);
      Object.assign(x.details, r.details);
      Object.assign(x.facts, r.facts);
    }
    const o = outcome(cause, ev, x.details, x.facts);
    // The capture stopped within a retransmission timeout of the message: the sender's smaller
    // packets, and their acknowledgement, may simply not be in it yet.
    if (cause === 'icmp.frag_needed' && isTcp(f)) stoppedTooSoon(o, ctx, e.ts, WAIT.syn, PMTU_TOO_SOON);
    return o;
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
      const cause = icmpCause(e)!;
      const r = cause === 'icmp.port_unreachable' ? reporter(e, f.server.ip) : { details: {}, facts: {} };
      // The target is the name; the ICMP text speaks of the DNS server's address and port.
      const o = dnsOutcome(g, cause, { from: e.from, type: e.type, code: e.code, ...r.details },
        { ...x.facts, ...r.facts, ip: f.server.ip, port: f.server.port, transport: f.transport });
      o.evidence = [...dnsEvidence(g), x.proof].sort((a, b) => a.frame - b.frame);
      return o;
    }
    return null;
  },
};

/** An ICMP error whose flow the capture does not hold: the error alone says what failed — or, for probes, that nothing did. */
export const ICMP_ALONE: IcmpRule = {
  on: 'icmp',
  rank: 10,
  produces: ICMP_CAUSES,
  run(g): Outcome | null {
    const e = g.first;
    const cause = icmpCause(e);
    if (!cause || !e.quoted) return null;
    const q = e.quoted;
    // Probes (orphans.ts): what traceroute, mtr or ping with a small TTL produce, not a failure.
    const probe = cause === 'icmp.ttl_exceeded' || cause === 'icmp.port_unreachable' ? g.probe : null;
    const x = icmpFacts(e, quotingOf(e));
    const ev = g.errors.slice(0, 4).map((y, i) => (i === 0 ? x.proof : icmpFacts(y, quotingOf(y)).proof));
    const details: Record<string, unknown> = { ...x.details };
    const facts: Record<string, Arg> = { ...x.facts, errors: g.count };
    if (g.count > 1) details['errors'] = g.count;
    if (g.portCount > 1) details['quotedPorts'] = { count: g.portCount, examples: g.ports.slice(0, 20) };
    if (g.maxTtl >= 0) details['quotedTtl'] = g.maxTtl;
    facts['quotedTtl'] = g.maxTtl;
    facts['quotedPorts'] = g.ports.slice(0, 20);
    if (cause === 'icmp.port_unreachable') {
      const r = reporter(e, q.dst);
      Object.assign(details, r.details);
      Object.assign(facts, r.facts);
    }
    const undelivered = undeliveredReply(e);
    if (undelivered) {
      // A server's reply that could not reach the client: the client is the side that went away.
      details['undeliveredReply'] = true;
      facts['undeliveredReply'] = true;
      facts['replyPort'] = q.dport;
    }
    const reply = cause === 'icmp.port_unreachable' && refusedReply(e);
    if (reply) {
      // The host refused an answer to its own request (it had stopped listening): the answering
      // side is the target, and nothing failed that the capture can show.
      details['refusedReply'] = true;
      facts['refusedReply'] = true;
      facts['replyPort'] = q.dport;
    }
    if (g.repeats > 0) {
      // The same packet quoted again: sent again and expired (or refused) again.
      details['repeats'] = g.repeats;
      facts['repeats'] = g.repeats;
    }
    // "Too big" alone: path MTU discovery at work, a failure only when the sender does not act on
    // it. The capture holds no packet of the flow to show which, unless the same packet was sent
    // again and refused again (repeats): the sender did not make it smaller.
    const unsure = cause === 'icmp.frag_needed' && g.repeats === 0 && !g.errors.some((x) => x.quotedSeen);
    const o = outcome(cause, ev, details, facts, probe !== null || reply || undelivered || unsure ? 'warning' : 'error');
    o.attempts = g.count;
    if (probe !== null) {
      details['probe'] = probe === 'udp' ? 'udp_traceroute' : 'icmp_echo';
      facts['probe'] = probe;
      o.limits.push(PROBES_NOT_CAPTURED.of({}));
    } else if (!undelivered && !g.errors.some((x) => x.quotedSeen)) o.limits.push(unsure ? PMTU_UNSEEN.of({}) : ICMP_WITHOUT_PACKET.of({}));
    return o;
  },
};

/** The quoted packet as an ICMP evidence note shows it: its flow and the TTL it had on reaching the error's sender. */
function quotingOf(e: IcmpError): QuotedFlow | null {
  const q = e.quoted;
  return q === null ? null : { src: q.src, sport: q.sport, dst: q.dst, dport: q.dport, ...(q.ttl >= 0 ? { ttl: q.ttl } : {}) };
}

/**
 * A port unreachable that the quoted packet's own destination sent about a UDP datagram from a
 * server's port (DNS 53, NTP 123, ...) to a port of its own that is not one: an answer that came
 * back after the program that asked had closed its socket (a late answer, or a second one), not
 * a request refused. The request is not in the capture; the answer is what is quoted.
 */
export function refusedReply(e: IcmpError): boolean {
  const q = e.quoted;
  if (q === null || q.proto !== 17 || e.from !== q.dst || q.sport < 0 || q.dport < 1024) return false;
  return (q.sport < 1024 || isLikelyServerPort(q.sport, true)) && !isLikelyServerPort(q.dport, true);
}

/**
 * Who sent a port unreachable: the destination itself (nothing listens on the port), or another
 * address — a firewall or router rejecting on the destination's behalf (details.fromDestination).
 */
export function reporter(e: IcmpError, dst: string): { details: Record<string, unknown>; facts: Record<string, Arg> } {
  const own = e.from === dst;
  // Sent by the address that sent the quoted packet: the client's own system refused to let it
  // out (a local firewall's OUTPUT reject, an app firewall, a VPN's kill switch).
  const self = !own && e.quoted !== null && e.from === e.quoted.src;
  if (self) return { details: { fromDestination: false, fromClient: true }, facts: { fromDestination: false, fromClient: true } };
  return { details: { fromDestination: own }, facts: { fromDestination: own } };
}

export const ICMP_RULES = [ICMP_ON_CONN, ICMP_ON_DNS, ICMP_ALONE] as const;

/** The ICMP causes that say the quoted packet's destination could not be reached. */
const NOT_DELIVERED: ReadonlySet<string> = new Set(['icmp.net_unreachable', 'icmp.host_unreachable', 'icmp.admin_prohibited']);

/**
 * An error alone about a server's reply: the quoted TCP segment or UDP datagram went from a
 * service's port (below 1024, or a well-known one) to a port of the other side that is not one,
 * and the error says it could not be delivered (net or host unreachable, administratively
 * prohibited). It is the server's side of an exchange the client started, which the capture does
 * not hold, and the client is the side that could not be reached (it left the network, its
 * temporary address expired): nDPI 6in4tunnel, an IMAPS server's data to a vanished IPv6 client.
 */
export function undeliveredReply(e: IcmpError): boolean {
  const q = e.quoted;
  if (q === null || (q.proto !== 6 && q.proto !== 17) || q.sport < 0 || q.dport < 1024 || e.from === q.src) return false;
  const cause = icmpCause(e);
  if (cause === null || !NOT_DELIVERED.has(cause)) return false;
  const udp = q.proto === 17;
  return (q.sport < 1024 || isLikelyServerPort(q.sport, udp)) && !isLikelyServerPort(q.dport, udp);
}

/** How net / host unreachable and admin prohibited tell an undelivered reply (undeliveredReply). */
export const UNDELIVERED_REPLY: Wording = {
  en: {
    summary: '{target}: {from} did not deliver its reply to the client {client} ({icmp})',
    explanation:
      'The packet {from} answered with {icmp} went from {target} to port {replyPort} of {client}: a reply in an exchange the client started, not a request. The side that could not be reached is the client: it left the network, its address changed or expired (temporary IPv6 addresses do), or the route or a firewall on the way back to it stops its traffic. The capture holds neither the exchange nor the client\'s packets, so whether the client saw a failure cannot be told here.',
    advice: [
      'Check whether {client} is still on the network and still holds that address (its interface, DHCP lease, IPv6 temporary addresses).',
      'If replies to many clients are refused or undeliverable the same way, check the route back to the clients\' network on {from} and its filter rules (`ip route get {client}`, `iptables -L -n -v`).',
    ],
  },
  zh: {
    summary: '{target}：{from} 未能把它的回复送达客户端 {client}（{icmp}）',
    explanation:
      '{from} 以 {icmp} 回应的数据包是从 {target} 发往 {client} 端口 {replyPort} 的：这是客户端发起的交互中的一个回复，而不是请求。无法到达的是客户端一侧：它已离开网络，地址已变更或过期（IPv6 临时地址会过期），或者回到它的路由或路径上的防火墙阻断了它的流量。抓包中既没有这次交互，也没有客户端的数据包，因此无法判断客户端是否遇到了失败。',
    advice: [
      '检查 {client} 是否仍在网络中、是否仍持有该地址（网卡、DHCP 租约、IPv6 临时地址）。',
      '如果发往许多客户端的回复都以同样方式被拒绝或无法送达，检查 {from} 上回到客户端网络的路由及其过滤规则（`ip route get {client}`、`iptables -L -n -v`）。',
    ],
  },
};

/** The variant an undelivered reply is told in, for withVariants. */
export const undeliveredVariant = (v: Verdict): string | null => (v.facts['undeliveredReply'] === true ? 'undeliveredReply' : null);

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

/**
 * Whom an ICMP error alone is about, and who asked: the quoted destination and source; for an
 * answer refused by the host that had asked (refusedReply), the side that answered and that host.
 */
export function aloneParties(e: IcmpError): { target: ReturnType<typeof quotedTarget>; client: string } {
  const q = e.quoted!;
  if (refusedReply(e)) return { target: { ip: q.src, port: q.sport, transport: 'udp' }, client: q.dst };
  if (undeliveredReply(e)) return { target: { ip: q.src, port: q.sport, transport: quotedTransport(q.proto) }, client: q.dst };
  return { target: quotedTarget(e), client: q.src };
}
