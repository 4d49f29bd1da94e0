/**
 * From per-connection outcomes and DNS transactions to one verdict per target (contract:
 * "One verdict per target"). Connections are grouped as they finish — by the name the client
 * asked for when known (DNS answer, SNI, Host), else the address — plus port and transport, so
 * SYN retries, repeated attempts and IPv6-then-IPv4 fallbacks tell one story. DNS transactions
 * are grouped by question name (dns-group.ts). Groups keep counts and a few attempts, not every
 * connection. Verdicts are language-free (verdict.ts): the report's words come when it is rendered.
 */
import type { FinishedConn } from '../track/tracker.js';
import type { DnsTransaction } from '../track/dns.js';
import type { IcmpError } from '../track/icmp.js';
import { isoOf } from '../time.js';
import type { Arg } from '../facts.js';
import type { Evidence, Severity, Target, Verdict } from './verdict.js';
import type { DnsContext, EvidenceAt, Outcome, RuleContext } from './outcome.js';
import { CONN_RULES, DNS_RULES, ICMP_RULES, causeDef } from './catalogue.js';
import { DnsGroups, flowKey, resolvedPrefix, type DnsGroup } from './dns-group.js';
import { quotedTarget } from './rules-icmp.js';
import { LATE_DNS_REPLY, SOME_ATTEMPTS_WORKED } from './limits.js';

export { targetText } from './verdict.js';

const KEEP_ATTEMPTS = 4;
const MAX_EVIDENCE = 12;

interface Group {
  key: string;
  target: Target;
  client: string | null;
  conns: number;
  failed: number;
  firstFrame: number;
  /** Outcomes kept: the first few and always the latest. */
  kept: Array<{ o: Outcome; ip: string; start: number }>;
  last: { o: Outcome; ip: string; start: number } | null;
  ips: Set<string>;
}

/** UDP flows that never make a verdict: multicast, broadcast, service discovery, DHCP. */
function isBackgroundUdp(f: FinishedConn): boolean {
  const c = f.conn;
  const dst = c.resp.ip;
  if (/^(22[4-9]|23\d)\./.test(dst) || dst === '255.255.255.255' || dst.startsWith('ff') || dst.endsWith('.255')) return true;
  const ports = [c.orig.port, c.resp.port];
  return ports.some((p) => p === 5353 || p === 5355 || p === 1900 || p === 137 || p === 138 || p === 67 || p === 68 || p === 546 || p === 547);
}

/** An ICMP error quoting a datagram from port 53: it rejects a DNS reply, not a query. */
const quotesDnsReply = (e: IcmpError): boolean => !!e.quoted && e.quoted.sport === 53;

/** The outcome of one finished connection: the first rule of the walk that applies (ok last). */
export function classify(f: FinishedConn, ctx: RuleContext): Outcome {
  for (const rule of CONN_RULES) {
    const o = rule.run(f, ctx);
    if (o) return o;
  }
  throw new Error('the walk of connection rules ends with ok, which always applies');
}

export class Diagnosis {
  private readonly groups = new Map<string, Group>();
  /** ICMP errors on DNS flows, by client ip|port|server ip|port. */
  private readonly dnsIcmp = new Map<string, IcmpError[]>();
  /** DNS transactions folded by name (addDns). */
  private readonly dns: DnsGroups;
  /** Capture end seen so far, for rules that judge how long the capture went on. */
  private readonly ctx: DnsContext;

  /**
   * `keepResolved: false` when verdicts will not be asked with `all`: a name that resolved is then
   * remembered as a name only (saves memory on DNS-heavy captures), and `all` cannot list it.
   */
  constructor(o: { keepResolved?: boolean } = {}) {
    this.dns = new DnsGroups(o.keepResolved ?? true);
    const icmp = this.dnsIcmp;
    this.ctx = { captureEnd: 0, icmpOn: (key) => icmp.get(key) };
  }

  /** Called for every finished connection, in finishing order. */
  add(f: FinishedConn, name: string | null, now: number): void {
    this.ctx.captureEnd = Math.max(this.ctx.captureEnd, now);
    const c = f.conn;
    let late: IcmpError | undefined;
    if (c.transport === 'udp') {
      if (isBackgroundUdp(f)) return;
      late = f.icmp.find(quotesDnsReply);
      if (c.resp.port === 53 || c.orig.port === 53) {
        if (f.icmp.length) this.dnsIcmp.set(flowKey(c.orig, c.resp), f.icmp);
        // A DNS answer rejected by the client's closed port: a late reply, told as its own target.
        if (!late) return;
      }
      // UDP tells nothing about success: only ICMP-reported failures make a verdict (and no rule
      // judges a UDP flow without an ICMP error).
      if (f.icmp.length === 0) return;
    }
    const o = classify(f, this.ctx);
    if (c.transport === 'udp' && o.cause === 'ok') return;
    if (c.transport === 'tcp' && (c.resp.port === 53) && o.cause === 'ok') return;
    let target: Target;
    let client = c.orig.ip;
    if (late) {
      // The quoted datagram went from the DNS server to the client: the client is the "server" here.
      const q = late.quoted!;
      target = { name: null, ip: q.dst, port: q.dport, transport: 'udp' };
      client = q.src;
      o.severity = 'warning';
      o.limits.push(LATE_DNS_REPLY.of({}));
    } else {
      const connect = f.http?.exchanges.find((e) => e.method === 'CONNECT');
      const m = connect ? /^\[?([^\]]+?)\]?:(\d+)$/.exec(connect.target) : null;
      if (m) {
        // Through a proxy the target is the CONNECT authority; the proxy resolves it.
        target = { name: m[1]!, ip: null, port: Number(m[2]), transport: 'tcp' };
        o.details['proxy'] = { ip: c.resp.ip, port: c.resp.port };
      } else target = { name, ip: c.resp.ip, port: c.resp.port, transport: c.transport };
    }
    const key = `${target.transport}|${target.name ?? target.ip}|${target.port}`;
    let g = this.groups.get(key);
    if (!g) {
      g = { key, target, client, conns: 0, failed: 0, firstFrame: c.firstFrame, kept: [], last: null, ips: new Set() };
      this.groups.set(key, g);
    }
    g.conns++;
    if (o.cause !== 'ok') g.failed++;
    g.ips.add(c.resp.ip);
    const entry = { o, ip: c.resp.ip, start: c.start };
    if (g.kept.length < KEEP_ATTEMPTS) g.kept.push(entry);
    if (!g.last || c.start >= g.last.start) {
      g.last = entry;
      if (g.target.ip !== null) g.target.ip = target.ip;
    }
  }

  /** One finished DNS transaction, folded into its name's group. */
  addDns(t: DnsTransaction): void {
    this.dns.add(t);
  }

  /**
   * The verdicts. `dns`: transactions not given to addDns yet (all of them, for a caller that kept
   * them; none when they were added as they finished).
   */
  verdicts(dns: DnsTransaction[], orphanIcmp: IcmpError[], captureEnd: number, all: boolean): Verdict[] {
    this.ctx.captureEnd = Math.max(this.ctx.captureEnd, captureEnd);
    for (const t of dns) this.addDns(t);
    const out: Array<{ v: Verdict; first: number }> = [];
    const connNames = new Set<string>();
    for (const g of this.groups.values()) if (g.target.name) connNames.add(g.target.name.toLowerCase());
    for (const x of this.dnsVerdicts(connNames, all)) out.push(x);
    // Verdicts that worked are left out unless all are asked for: not built at all.
    for (const g of this.groups.values()) if (all || groupSeverity(g) !== 'ok') out.push({ v: this.groupVerdict(g), first: g.firstFrame });
    for (const e of orphanIcmp) {
      const v = this.icmpOnlyVerdict(e);
      if (v) out.push({ v, first: e.frame });
    }
    const rank = (s: Severity): number => (s === 'error' ? 0 : s === 'warning' ? 1 : 2);
    return out
      .filter((x) => all || x.v.severity !== 'ok')
      .sort((a, b) => rank(a.v.severity) - rank(b.v.severity) || a.first - b.first)
      .map((x) => x.v);
  }

  private groupVerdict(g: Group): Verdict {
    let o = g.last!.o;
    const severity = groupSeverity(g);
    const facts: Record<string, Arg> = {};
    if (o.cause === 'ok' && g.failed > 0) {
      const failedOne = g.kept.find((k) => k.o.cause !== 'ok');
      facts['failed'] = g.failed;
      facts['conns'] = g.conns;
      if (failedOne) {
        facts['failedCause'] = failedOne.o.cause;
        facts['failedIp'] = failedOne.ip;
      }
    } else if (o.cause !== 'ok' && g.conns > 1 && g.failed < g.conns) {
      // The last attempt failed although an earlier one worked: still a failure, say so.
      o = { ...o, limits: [...o.limits, SOME_ATTEMPTS_WORKED.of({ worked: g.conns - g.failed, total: g.conns })] };
    }
    const attempts = g.conns === 1 ? o.attempts : g.conns;
    const details: Record<string, unknown> = { ...o.details };
    if (g.conns > 1) {
      details['connections'] = g.conns;
      details['failedConnections'] = g.failed;
      if (g.ips.size > 1) details['addresses'] = [...g.ips].sort();
      details['attemptsSeen'] = g.kept.map((k) => ({ ip: k.ip, cause: k.o.cause, frame: k.o.evidence[0]?.frame ?? null }));
    }
    return build(g.target, g.client, o, severity, attempts, details, facts);
  }

  private icmpOnlyVerdict(e: IcmpError): Verdict | null {
    if (!e.quoted) return null;
    for (const rule of ICMP_RULES) {
      const o = rule.run(e, this.ctx);
      if (o) return build({ name: null, ...quotedTarget(e) }, e.quoted.src, o, o.severity, 1, { ...o.details });
    }
    return null;
  }

  private dnsVerdicts(connNames: Set<string>, all: boolean): Array<{ v: Verdict; first: number }> {
    // In the order of each name's first transaction.
    const groups = [...this.dns.values()].sort((a, b) => a.first[0]!.seq - b.first[0]!.seq);
    const resolved = new Set(this.dns.resolvedOnly);
    for (const g of groups) if (g.resolved) resolved.add(g.key);
    const out: Array<{ v: Verdict; first: number }> = [];
    for (const g of groups) {
      const k = g.key;
      // A name tried with a search domain appended, when the plain name resolved: resolver noise.
      if (!g.resolved && resolvedPrefix(k, resolved)) continue;
      // A name that resolved is ok: told by the connections to that name, or left out unless all are asked for.
      if (g.resolved && (!all || connNames.has(k))) continue;
      const o = this.dnsOutcome(g);
      if (o === null) continue;
      const t0 = g.first[0]!;
      const isPtr = /\.(in-addr|ip6)\.arpa$/i.test(k);
      let severity = o.severity;
      if (isPtr && severity === 'error') severity = 'warning';
      const transport = g.allTcp ? 'tcp' : 'udp';
      const target: Target = t0.query === null ? { name: null, ip: t0.server.ip, port: t0.server.port, transport } : { name: t0.query, ip: null, port: null, transport };
      out.push({ v: build(target, t0.client.ip, o, severity, o.attempts, { ...o.details }), first: g.firstFrame });
    }
    return out;
  }

  private dnsOutcome(g: DnsGroup): Outcome | null {
    for (const rule of DNS_RULES) {
      const o = rule.run(g, this.ctx);
      if (o) return o;
    }
    return null;
  }
}

/** A group's severity: its latest attempt's, a warning when it worked after failed attempts. */
function groupSeverity(g: Group): Severity {
  const o = g.last!.o;
  return o.cause === 'ok' && g.failed > 0 ? 'warning' : o.severity;
}

function toEvidence(e: EvidenceAt): Evidence {
  const time = isoOf(e.ts);
  return e.from !== undefined && e.to !== undefined
    ? { frame: e.frame, time, from: e.from, to: e.to, kind: e.kind, args: e.args }
    : { frame: e.frame, time, kind: e.kind, args: e.args };
}

function build(target: Target, client: string | null, o: Outcome, severity: Severity, attempts: number, details: Record<string, unknown>, facts: Record<string, Arg> = {}): Verdict {
  return {
    target: { name: target.name, ip: target.ip, port: target.port, transport: target.transport },
    client: { ip: client },
    layer: causeDef(o.cause).layer,
    cause: o.cause,
    severity,
    attempts,
    facts: { ...o.facts, ...facts },
    evidence: o.evidence.slice(0, MAX_EVIDENCE).map(toEvidence),
    limits: o.limits,
    details,
  };
}
