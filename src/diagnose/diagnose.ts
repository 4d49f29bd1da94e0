/**
 * From per-connection outcomes and DNS transactions to one verdict per target (contract:
 * "One verdict per target"). Connections are grouped as they finish — by the name the client
 * asked for when known (DNS answer, SNI, Host), else the address — plus port and transport, so
 * SYN retries, repeated attempts and IPv6-then-IPv4 fallbacks tell one story. DNS transactions
 * are grouped by question name. Groups keep counts and a few attempts, not every connection.
 */
import type { FinishedConn } from '../track/tracker.js';
import { isAddressType, type DnsTransaction } from '../track/dns.js';
import { icmpCause, type IcmpError } from '../track/icmp.js';
import { qtypeName, rcodeName } from '../decode/names.js';
import { describeCause, edeNote, type CauseCode, type LocalisedVars, type Severity } from './causes.js';
import type { Lang } from './text.js';
import { localNote } from './notes.js';
import type { Evidence, Verdict, Layer } from '../report/model.js';
import { classify, icmpFacts, tenths, type EvidenceFact, type Outcome, type RuleContext } from './rules.js';
import { CAUSES } from './causes.js';
import { isoOf } from '../report/time.js';
import { quotedTransport } from '../report/records.js';
import { bracket } from '../report/view.js';

const KEEP_ATTEMPTS = 4;
const MAX_EVIDENCE = 12;

interface Target {
  name: string | null;
  ip: string | null;
  port: number | null;
  transport: 'tcp' | 'udp' | 'icmp' | null;
}

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

/**
 * What the DNS verdict of one name needs of its transactions, folded one transaction at a time
 * (in any order: each part keeps the lowest sequence numbers), so the transactions themselves
 * can be let go. The lists are made when first needed, and the bounded ones keep the first
 * entries in transaction order. A name can be one query (random sub-domains), so a group is small.
 */
interface DnsGroup {
  key: string;
  /**
   * The transactions with the lowest sequence numbers, ascending: the first is the name's target,
   * and its sequence number the name's place among verdicts.
   */
  first: DnsTransaction[];
  queries: number;
  /** Some answer gave an A / AAAA record (NOERROR). */
  resolved: boolean;
  allTcp: boolean;
  /** Earliest frame: a query's, else a response's (Infinity when none). */
  firstFrame: number;
  firstQ: number;
  lastQ: number;
  /** A / AAAA data of any answer, first MAX_DNS_ADDRS in transaction order. */
  addrs: Array<{ seq: number; data: string | null }> | null;
  /** Final answers (a truncated one retried over TCP is not final): count, and the first of each kind. */
  answered: number;
  nx: DnsTransaction | null;
  servfail: DnsTransaction | null;
  refused: DnsTransaction | null;
  otherError: DnsTransaction | null;
  /** Query types of final answers, with the first transaction that had each. */
  qtypes: Array<{ seq: number; qtype: string }> | null;
  /** EDE options of final answers, first MAX_DNS_EDE in transaction order. */
  ede: Array<{ seq: number; e: DnsTransaction['ede'][number] }> | null;
  /**
   * While nothing is answered: the transactions' flows, first MAX_DNS_FLOWS distinct in
   * transaction order (to find an ICMP error that quotes one).
   */
  flows: Array<{ seq: number; key: string; server: DnsTransaction['server']; transport: DnsTransaction['transport'] }> | null;
}

const MAX_DNS_FIRST = 4;
const MAX_DNS_ADDRS = 8;
const MAX_DNS_EDE = 16;
const MAX_DNS_FLOWS = 64;

/** Inserts `x` into `list`, kept ascending by seq and at most `max` long. */
function keepFirst<T extends { seq: number }>(list: T[], x: T, max: number): void {
  if (list.length >= max && x.seq >= list[list.length - 1]!.seq) return;
  let i = list.length;
  while (i > 0 && list[i - 1]!.seq > x.seq) i--;
  list.splice(i, 0, x);
  if (list.length > max) list.pop();
}

/** Does `name` start with a name that resolved, followed by a dot (that name plus a search domain)? */
function resolvedPrefix(name: string, resolved: ReadonlySet<string>): boolean {
  for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) if (resolved.has(name.slice(0, i))) return true;
  return false;
}

const earlier = (a: DnsTransaction | null, t: DnsTransaction): DnsTransaction => (a === null || t.seq < a.seq ? t : a);

/** UDP flows that never make a verdict: multicast, broadcast, service discovery, DHCP. */
function isBackgroundUdp(f: FinishedConn): boolean {
  const c = f.conn;
  const dst = c.resp.ip;
  if (/^(22[4-9]|23\d)\./.test(dst) || dst === '255.255.255.255' || dst.startsWith('ff') || dst.endsWith('.255')) return true;
  const ports = [c.orig.port, c.resp.port];
  return ports.some((p) => p === 5353 || p === 5355 || p === 1900 || p === 137 || p === 138 || p === 67 || p === 68 || p === 546 || p === 547);
}

/** Key of a UDP flow or DNS transaction: client ip|port|server ip|port. */
const flowKey = (a: { ip: string; port: number }, b: { ip: string; port: number }): string => `${a.ip}|${a.port}|${b.ip}|${b.port}`;

/** An ICMP error quoting a datagram from port 53: it rejects a DNS reply, not a query. */
const quotesDnsReply = (e: IcmpError): boolean => !!e.quoted && e.quoted.sport === 53;

export function targetText(t: Target): string {
  if (t.name) return t.port !== null && t.port !== 443 && t.port !== 80 ? `${t.name}:${t.port}` : t.name;
  if (t.ip) return t.port !== null ? `${bracket(t.ip)}:${t.port}` : t.ip;
  return '?';
}

export class Diagnosis {
  private readonly groups = new Map<string, Group>();
  /** ICMP errors on DNS flows, by client ip|port|server ip|port. */
  private readonly dnsIcmp = new Map<string, IcmpError[]>();
  /** DNS transactions folded by name (addDns). */
  private readonly dnsGroups = new Map<string, DnsGroup>();
  /** Names that resolved, whose groups were let go (keepResolved false). */
  private readonly resolvedOnly = new Set<string>();
  /** Keep what the verdict of a name that resolved needs (only `verdicts(..., all)` shows those). */
  private readonly keepResolved: boolean;
  /** Capture end seen so far, for rules that judge how long the capture went on. */
  private readonly ctx: RuleContext = { captureEnd: 0 };

  /**
   * `keepResolved: false` when verdicts will not be asked with `all`: a name that resolved is then
   * remembered as a name only (saves memory on DNS-heavy captures), and `all` cannot list it.
   */
  constructor(o: { keepResolved?: boolean } = {}) {
    this.keepResolved = o.keepResolved ?? true;
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
      o.limits.push('the ICMP error answers a DNS reply, not a query: the client had stopped listening (the reply came late, or after a retry was answered)');
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

  /**
   * The verdicts. `dns`: transactions not given to addDns yet (all of them, for a caller that kept
   * them; none when they were added as they finished).
   */
  verdicts(dns: DnsTransaction[], orphanIcmp: IcmpError[], lang: Lang, captureEnd: number, all: boolean): Verdict[] {
    this.ctx.captureEnd = Math.max(this.ctx.captureEnd, captureEnd);
    for (const t of dns) this.addDns(t);
    const out: Array<{ v: Verdict; first: number }> = [];
    const connNames = new Set([...this.groups.values()].map((g) => g.target.name?.toLowerCase()).filter((x): x is string => !!x));
    out.push(...this.dnsVerdicts(connNames, lang, all));
    // Verdicts that worked are left out unless all are asked for: not built at all.
    for (const g of this.groups.values()) if (all || groupSeverity(g) !== 'ok') out.push({ v: this.groupVerdict(g, lang), first: g.firstFrame });
    for (const e of orphanIcmp) {
      const v = this.icmpOnlyVerdict(e, lang);
      if (v) out.push({ v, first: e.frame });
    }
    const rank = (s: Severity): number => (s === 'error' ? 0 : s === 'warning' ? 1 : 2);
    return out
      .filter((x) => all || x.v.severity !== 'ok')
      .sort((a, b) => rank(a.v.severity) - rank(b.v.severity) || a.first - b.first)
      .map((x) => x.v);
  }

  private groupVerdict(g: Group, lang: Lang): Verdict {
    let o = g.last!.o;
    const severity = groupSeverity(g);
    let retriesNote: { en: string; zh: string } = { en: '', zh: '' };
    if (o.cause === 'ok' && g.failed > 0) {
      const failedOne = g.kept.find((k) => k.o.cause !== 'ok');
      const what = failedOne ? `${failedOne.o.cause} (${failedOne.ip})` : '';
      retriesNote = {
        en: `${g.failed} of ${g.conns} attempts failed first${what ? `, e.g. ${what}` : ''}.`,
        zh: `${g.conns} 次尝试中有 ${g.failed} 次先失败${what ? `，例如 ${what}` : ''}。`,
      };
    } else if (o.cause !== 'ok' && g.conns > 1 && g.failed < g.conns) {
      // The last attempt failed although an earlier one worked: still a failure, say so.
      o = { ...o, limits: [...o.limits, `${g.conns - g.failed} of ${g.conns} attempts to this target worked`] };
    }
    const attempts = g.conns === 1 ? o.attempts : g.conns;
    const details: Record<string, unknown> = { ...o.details };
    if (g.conns > 1) {
      details['connections'] = g.conns;
      details['failedConnections'] = g.failed;
      if (g.ips.size > 1) details['addresses'] = [...g.ips].sort();
      details['attemptsSeen'] = g.kept.map((k) => ({ ip: k.ip, cause: k.o.cause, frame: k.o.evidence[0]?.frame ?? null }));
    }
    return this.build(g.target, g.client, o, severity, attempts, details, { retriesNote }, lang);
  }

  private build(target: Target, client: string | null, o: Outcome, severity: Severity, attempts: number, details: Record<string, unknown>, extra: LocalisedVars, lang: Lang): Verdict {
    const vars: LocalisedVars = {
      target: targetText(target),
      host: target.name ?? target.ip ?? '?',
      name: target.name,
      ip: target.ip,
      port: target.port,
      transport: target.transport,
      client,
      attempts,
      retriesNote: { en: '', zh: '' },
      ttlNote: { en: '', zh: '' },
      edeNote: { en: '', zh: '' },
      ...o.vars,
      ...extra,
    };
    const d = describeCause(o.cause, lang, vars, severity);
    const layer = CAUSES[o.cause].layer as Layer;
    const explanation = o.limits.length ? `${d.explanation} ${lang === 'zh' ? '注意：' : 'Note: '}${o.limits.join('; ')}.` : d.explanation;
    if (o.limits.length) details['limits'] = o.limits;
    return {
      target: { name: target.name, ip: target.ip, port: target.port, transport: target.transport },
      client: { ip: client },
      layer,
      cause: o.cause,
      severity,
      summary: d.summary,
      explanation,
      advice: d.advice,
      evidence: o.evidence.slice(0, MAX_EVIDENCE).map((e) => toEvidence(e, lang)),
      attempts,
      details,
    };
  }

  private icmpOnlyVerdict(e: IcmpError, lang: Lang): Verdict | null {
    const cause = icmpCause(e) as CauseCode | null;
    if (!cause || !e.quoted) return null;
    const q = e.quoted;
    const quoted = `${q.src}${q.sport >= 0 ? `:${q.sport}` : ''} → ${q.dst}${q.dport >= 0 ? `:${q.dport}` : ''}`;
    const facts = icmpFacts(e, quoted);
    const o: Outcome = {
      cause,
      severity: 'error',
      evidence: [facts.fact],
      details: facts.details,
      vars: facts.vars,
      attempts: 1,
      limits: ['the capture holds the ICMP error but not the packet it answers'],
    };
    return this.build({ name: null, ip: q.dst, port: q.dport >= 0 ? q.dport : null, transport: quotedTransport(q.proto) }, q.src, o, 'error', 1, { ...o.details }, {}, lang);
  }

  // --- DNS -----------------------------------------------------------------------------------

  /** One finished DNS transaction, folded into its name's group. */
  addDns(t: DnsTransaction): void {
    // A message without a question (junk, or an answer to one) is grouped under its server.
    const key = t.query === null ? `@${t.server.ip}` : t.query.toLowerCase();
    if (this.resolvedOnly.has(key)) return;
    let g = this.dnsGroups.get(key);
    if (g === undefined) {
      g = {
        key, first: [], queries: 0, resolved: false, allTcp: true, firstFrame: Infinity, firstQ: Infinity, lastQ: -Infinity,
        addrs: null, answered: 0, nx: null, servfail: null, refused: null, otherError: null, qtypes: null, ede: null, flows: null,
      };
      this.dnsGroups.set(key, g);
    }
    if (t.rcode === 0 && t.answers.some((a) => isAddressType(a.type))) g.resolved = true;
    if (g.resolved && !this.keepResolved) {
      // Its verdict is never shown: that the name resolved is all that is needed of it.
      this.dnsGroups.delete(key);
      this.resolvedOnly.add(key);
      return;
    }
    keepFirst(g.first, t, MAX_DNS_FIRST);
    g.queries += t.queryFrames.length;
    if (t.transport !== 'tcp') g.allTcp = false;
    g.firstFrame = Math.min(g.firstFrame, t.queryFrames[0] ?? t.responseFrame ?? Infinity);
    for (const q of t.queryTimes) {
      if (q < g.firstQ) g.firstQ = q;
      if (q > g.lastQ) g.lastQ = q;
    }
    for (const a of t.answers) if (isAddressType(a.type)) keepFirst(g.addrs ??= [], { seq: t.seq, data: a.data }, MAX_DNS_ADDRS);
    // Final answers: a truncated UDP answer that was retried over TCP is not final.
    if (t.rcode === null || (t.tc && t.tcpRetry !== null)) {
      if (g.answered === 0) this.addFlow(g, t);
      return;
    }
    g.answered++;
    g.flows = null;
    if (t.rcode === 3) g.nx = earlier(g.nx, t);
    else if (t.rcode === 2) g.servfail = earlier(g.servfail, t);
    else if (t.rcode === 5) g.refused = earlier(g.refused, t);
    if (t.rcode !== 0) g.otherError = earlier(g.otherError, t);
    const qtype = t.qtype === null ? '' : qtypeName(t.qtype);
    const seen = (g.qtypes ??= []).find((x) => x.qtype === qtype);
    if (seen === undefined) g.qtypes.push({ seq: t.seq, qtype });
    else if (t.seq < seen.seq) seen.seq = t.seq;
    for (const e of t.ede) keepFirst(g.ede ??= [], { seq: t.seq, e }, MAX_DNS_EDE);
  }

  /** A transaction's flow, listed once at its first transaction (see DnsGroup.flows). */
  private addFlow(g: DnsGroup, t: DnsTransaction): void {
    const flows = g.flows ??= [];
    if (flows.length >= MAX_DNS_FLOWS && t.seq >= flows[flows.length - 1]!.seq) return;
    const key = flowKey(t.client, t.server);
    const i = flows.findIndex((f) => f.key === key);
    if (i >= 0 && flows[i]!.seq <= t.seq) return;
    if (i >= 0) flows.splice(i, 1);
    keepFirst(flows, { seq: t.seq, key, server: t.server, transport: t.transport }, MAX_DNS_FLOWS);
  }

  private dnsVerdicts(connNames: Set<string>, lang: Lang, all: boolean): Array<{ v: Verdict; first: number }> {
    // In the order of each name's first transaction.
    const groups = [...this.dnsGroups.values()].sort((a, b) => a.first[0]!.seq - b.first[0]!.seq);
    const resolved = new Set([...this.resolvedOnly, ...groups.filter((g) => g.resolved).map((g) => g.key)]);
    const out: Array<{ v: Verdict; first: number }> = [];
    for (const g of groups) {
      const k = g.key;
      // A name tried with a search domain appended, when the plain name resolved: resolver noise.
      if (!g.resolved && resolvedPrefix(k, resolved)) continue;
      // A name that resolved is ok: told by the connections to that name, or left out unless all are asked for.
      if (g.resolved && (!all || connNames.has(k))) continue;
      const o = this.dnsOutcome(g);
      const t0 = g.first[0]!;
      const isPtr = /\.(in-addr|ip6)\.arpa$/i.test(k);
      let severity = o.severity;
      if (isPtr && severity === 'error') severity = 'warning';
      const transport = g.allTcp ? 'tcp' : 'udp';
      const target: Target = t0.query === null ? { name: null, ip: t0.server.ip, port: t0.server.port, transport } : { name: t0.query, ip: null, port: null, transport };
      const v = this.build(target, t0.client.ip, o, severity, o.attempts, { ...o.details }, {}, lang);
      out.push({ v, first: g.firstFrame });
    }
    return out;
  }

  private dnsOutcome(g: DnsGroup): Outcome {
    const queries = g.queries;
    const ev: EvidenceFact[] = [];
    const first = g.first;
    for (const t of first) {
      const q = t.queryFrames[0];
      if (q !== undefined) ev.push({ frame: q, ts: t.queryTimes[0]!, note: `DNS query ${t.qtype === null ? '' : qtypeName(t.qtype)} ${t.query} to ${t.server.ip}${t.queryFrames.length > 1 ? ` (sent ${t.queryFrames.length} times)` : ''}`, from: t.client.ip, to: t.server.ip });
      if (t.responseFrame !== null) ev.push({ frame: t.responseFrame, ts: t.responseTime!, note: `DNS response ${rcodeName(t.rcode!)}${t.tc ? ' (truncated, TC)' : ''}${t.answers.length ? `: ${t.answers.filter((a) => a.data).map((a) => a.data).slice(0, 3).join(', ')}` : ''}`, from: t.server.ip, to: t.client.ip });
    }
    ev.sort((a, b) => a.frame - b.frame);
    const t0 = first[0]!;
    const base = { server: t0.server.ip, qtype: t0.qtype === null ? '' : qtypeName(t0.qtype) };
    const mk = (cause: CauseCode, details: Record<string, unknown>, vars: LocalisedVars = {}, severity: Severity = 'error'): Outcome =>
      ({ cause, severity, evidence: ev, details: { server: t0.server.ip, ...details }, vars: { ...base, ...vars }, attempts: queries, limits: [] });
    if (g.resolved) return mk('ok', { answers: (g.addrs ?? []).map((a) => a.data) }, {}, 'ok');
    const ede = (g.ede ?? []).map((x) => x.e);
    const edeVars = { edeNote: { en: edeNote(ede, 'en'), zh: edeNote(ede, 'zh') } };
    const withRcode = (t: DnsTransaction, cause: CauseCode): Outcome => mk(cause, { rcode: rcodeName(t.rcode!), ...(ede.length ? { ede } : {}), ...(t.soa ? { soa: true } : {}) }, { rcode: rcodeName(t.rcode!), ...edeVars });
    if (g.nx) return withRcode(g.nx, 'dns.nxdomain');
    if (g.servfail) return withRcode(g.servfail, 'dns.servfail');
    if (g.refused) return withRcode(g.refused, 'dns.refused');
    if (g.otherError) return withRcode(g.otherError, 'dns.error');
    if (g.answered > 0) return mk('dns.no_address', { rcode: 'NOERROR', qtypes: (g.qtypes ?? []).sort((a, b) => a.seq - b.seq).map((x) => x.qtype) }, { rcode: 'NOERROR' });
    // Nothing answered: an ICMP error on the way, or silence.
    for (const f of g.flows ?? []) {
      const e = this.dnsIcmp.get(f.key)?.find((x) => icmpCause(x));
      if (e) {
        const facts = icmpFacts(e);
        // The target is the name; the ICMP text speaks of the DNS server's address and port.
        const o = mk(icmpCause(e) as CauseCode, { from: e.from, type: e.type, code: e.code }, { from: e.from, icmp: facts.title, ip: f.server.ip, port: f.server.port, transport: f.transport });
        o.evidence = [...ev, facts.fact].sort((a, b) => a.frame - b.frame);
        return o;
      }
    }
    const waited = tenths(this.ctx.captureEnd - g.lastQ);
    const o = mk('dns.no_response', { queries, waitedSeconds: waited }, { attempts: queries, seconds: tenths(g.lastQ - g.firstQ), waited });
    // Resolvers wait 1–5 s before retrying: a capture that stopped sooner proves nothing.
    if (queries === 1 && waited < 1) {
      o.severity = 'warning';
      o.limits.push(`the capture ended ${waited} s after the last query, before a resolver's timeout: it cannot show that no answer came`);
    }
    return o;
  }
}

/** A group's severity: its latest attempt's, a warning when it worked after failed attempts. */
function groupSeverity(g: Group): Severity {
  const o = g.last!.o;
  return o.cause === 'ok' && g.failed > 0 ? 'warning' : o.severity;
}

function toEvidence(e: EvidenceFact, lang: Lang): Evidence {
  const note = localNote(e.note, lang, e.noteZh);
  return e.from !== undefined && e.to !== undefined ? { frame: e.frame, time: isoOf(e.ts), note, from: e.from, to: e.to } : { frame: e.frame, time: isoOf(e.ts), note };
}
