/**
 * DNS transactions folded by question name, one transaction at a time and in any order (each
 * part keeps the lowest sequence numbers), so the transactions themselves can be let go: what the
 * verdict of one name needs. A name can be one query (random sub-domains), so a group is small.
 * The DNS rules (causes/dns.*.ts) read these groups.
 */
import { isAddressType, type DnsTransaction } from '../track/dns.js';
import { qtypeName, rcodeName } from '../decode/names.js';
import type { Arg, Args } from '../facts.js';
import type { Severity } from './verdict.js';
import { outcome, type EvidenceAt, type Outcome } from './outcome.js';
import { DNS_QUERY, DNS_RESPONSE, proof } from './evidence.js';
import { MAX_DNS_GROUPS } from './overflow.js';

export interface DnsGroup {
  /** dnsKey(client, name): one story per client and name. */
  key: string;
  /** The name asked, lower case. */
  name: string;
  /**
   * The transactions with the lowest sequence numbers, ascending: the first is the name's target,
   * and its sequence number the name's place among verdicts.
   */
  first: DnsTransaction[];
  queries: number;
  /**
   * The name has what was asked: an address query answered with an address, or — when no
   * address query was answered without one — another type answered NOERROR.
   */
  resolved: boolean;
  /** An address query (A / AAAA) answered with an address. */
  addrResolved: boolean;
  /** An address query answered NOERROR without an address (NODATA). */
  addrNodata: boolean;
  /** Another type (PTR, MX, TXT, ...) answered with records of its type (or NOERROR for NS, SOA, DS, ...). */
  otherAnswered: boolean;
  /** Another type answered NOERROR without records of its type (NODATA: no PTR, no MX). */
  otherNodata: boolean;
  allTcp: boolean;
  /** Earliest frame: a query's, else a response's (Infinity when none). */
  firstFrame: number;
  /** Latest frame: a query's or a response's (0 when none): where the capture must be shown watching from. */
  lastFrame: number;
  firstQ: number;
  lastQ: number;
  /** A / AAAA data of any answer, first MAX_DNS_ADDRS in transaction order. */
  addrs: Array<{ seq: number; data: string | null }> | null;
  /** Data of answers of other types that answered their question, first MAX_DNS_ADDRS. */
  otherData: Array<{ seq: number; data: string | null }> | null;
  /** Final answers (a truncated one retried over TCP is not final): count, and the first of each kind. */
  answered: number;
  nx: DnsTransaction | null;
  servfail: DnsTransaction | null;
  refused: DnsTransaction | null;
  otherError: DnsTransaction | null;
  /**
   * EDNS negotiation answers (BADVERS, BADCOOKIE, RFC 6891 §7, RFC 7873 §5.3): a client retries
   * with what the server asked for; a failure only when no other answer came.
   */
  negotiation: DnsTransaction | null;
  negotiations: number;
  /** Query types of final answers, with the first transaction that had each. */
  qtypes: Array<{ seq: number; qtype: string }> | null;
  /** EDE options of final answers, first MAX_DNS_EDE in transaction order. */
  ede: Array<{ seq: number; e: DnsTransaction['ede'][number] }> | null;
  /**
   * While nothing is answered: the transactions' flows, first MAX_DNS_FLOWS distinct in
   * transaction order (to find an ICMP error that quotes one).
   */
  flows: Array<{ seq: number; key: string; server: DnsTransaction['server']; transport: DnsTransaction['transport'] }> | null;
  /**
   * Answers of unanswered queries that arrived in part: IP fragments from the server that never
   * made a whole datagram (track/dns.ts), first MAX_DNS_LOST in transaction order.
   */
  lostFragments: LostFragments[] | null;
  /** The most IP fragments an answer that arrived whole came in (0: none was fragmented). */
  answerFragments: number;
}

export interface LostFragments {
  seq: number;
  server: string;
  ident: number;
  offsets: number[];
  frames: number[];
  times: number[];
  /** The query's EDNS UDP buffer size, -1 without EDNS. */
  ednsSize: number;
}

const MAX_DNS_LOST = 8;

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

const earlier = (a: DnsTransaction | null, t: DnsTransaction): DnsTransaction => (a === null || t.seq < a.seq ? t : a);

/** BADVERS (16) and BADCOOKIE (23): answers that ask the client to try again differently. */
const isNegotiation = (rcode: number): boolean => rcode === 16 || rcode === 23;

/**
 * Types a resolver asks on its own while it walks the tree and validates (NS 2, SOA 6, DS 43,
 * RRSIG 46, NSEC 47, DNSKEY 48, NSEC3 50, NSEC3PARAM 51): NODATA is their ordinary answer.
 */
const INFRASTRUCTURE_TYPES: ReadonlySet<number> = new Set([2, 6, 43, 46, 47, 48, 50, 51]);

/** ANY (255) is answered by records of any type. */
const answersType = (t: DnsTransaction, type: number): boolean => t.qtype === type || t.qtype === 255;

/**
 * DNS the contract's background rule leaves out: multicast and link-local name resolution (mDNS,
 * LLMNR on 5353 / 5355, or any query to a multicast or broadcast group), and the questions that
 * service discovery asks a unicast server on its own (DNS-SD domain enumeration, the `local` SOA
 * probe): no program asked for them to connect anywhere. Never a verdict.
 */
export function isBackgroundDns(t: DnsTransaction): boolean {
  const s = t.server.ip;
  if (/^(22[4-9]|23\d)\./.test(s) || s === '255.255.255.255' || s.startsWith('ff')) return true;
  const p = (x: number): boolean => x === 5353 || x === 5355;
  return p(t.server.port) || p(t.client.port) || isDiscoveryQuery(t.query, t.qtype);
}

/** DNS-SD's domain enumeration labels (RFC 6763 §11): browse, default browse, registration, default registration, legacy browse. */
const DNSSD_ENUMERATION = /^(b|db|r|dr|lb)\._dns-sd\._udp\./i;

/**
 * A question service discovery asks a unicast server by itself: a PTR for DNS-SD's browsing or
 * registration domains (RFC 6763 §11: NXDOMAIN is the ordinary answer where none is set up, nDPI
 * teams.pcap, telegram.pcap), or the SOA of `local` that Multicast DNS hosts ask to learn whether
 * their unicast DNS also serves `.local` (RFC 6762 Appendix G; NXDOMAIN: it does not, nDPI
 * zoom.pcap, anyconnect-vpn.pcap).
 */
function isDiscoveryQuery(query: string | null, qtype: number | null): boolean {
  if (query === null) return false;
  if (qtype === 12 && DNSSD_ENUMERATION.test(query)) return true;
  return qtype === 6 && query.toLowerCase() === 'local';
}

/** How a name is shown: the root zone, asked as '', is '.'. */
export const nameText = (query: string): string => (query === '' ? '.' : query);

/** Key of a UDP flow or DNS transaction: client ip|port|server ip|port. */
export const flowKey = (a: { ip: string; port: number }, b: { ip: string; port: number }): string => `${a.ip}|${a.port}|${b.ip}|${b.port}`;

/** A DNS group's key: one story per client and name (another client's answers are its own). */
export const dnsKey = (client: string, name: string): string => `${client}|${name}`;

/**
 * Does `name` start with a name that resolved for the same client, followed by a dot (that name
 * plus a search domain)? `resolved` holds dnsKey()s.
 */
export function resolvedPrefix(client: string, name: string, resolved: ReadonlySet<string>): boolean {
  for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) if (resolved.has(dnsKey(client, name.slice(0, i)))) return true;
  return false;
}

/**
 * Names remembered as resolved (a name only) at most: a resolver's capture of a million distinct
 * names would otherwise keep a million keys. Past it, a name that resolves is counted, not
 * remembered: a later failure of the same name is then told without "it resolved before", and a
 * name resolved again is counted again (the summary's `ok` becomes an upper bound).
 */
export const MAX_RESOLVED_NAMES = 100_000;

export class DnsGroups {
  private readonly groups = new Map<string, DnsGroup>();
  /** Names that resolved past MAX_RESOLVED_NAMES: counted, not remembered. */
  resolvedUncounted = 0;
  /** dnsKey()s of names that resolved, whose groups were let go (keepResolved false). */
  readonly resolvedOnly = new Set<string>();
  /**
   * Of those names, the client that resolved it ('*': several): a dual-stack host's failed
   * attempt from its other address is then known to have resolved in the end (dual-stack.ts).
   */
  readonly resolvedBy = new Map<string, string>();

  /**
   * `keepResolved: false`: a name that resolved is remembered as a name only (its verdict is
   * never shown without `all`), which saves memory on DNS-heavy captures.
   */
  constructor(private readonly keepResolved: boolean) {}

  values(): IterableIterator<DnsGroup> {
    return this.groups.values();
  }

  get keepsResolved(): boolean {
    return this.keepResolved;
  }

  /**
   * One finished DNS transaction, folded into its name's group (as add), unless MAX_DNS_GROUPS
   * names are held and `t` is of another name: false then, and it is judged alone (overflow.ts).
   */
  addHeld(t: DnsTransaction): boolean {
    if (t.query === null || isBackgroundDns(t)) return true;
    const name = t.query.toLowerCase();
    const key = dnsKey(t.client.ip, name);
    if (this.groups.size >= MAX_DNS_GROUPS && !this.groups.has(key) && !this.resolvedOnly.has(key)) return false;
    this.fold(t, name, key);
    return true;
  }

  /** A group of `t` alone (not held), or null when `t` claims nothing. */
  static single(t: DnsTransaction): DnsGroup | null {
    // One scratch table for every such group: the group itself is handed out and not kept.
    const one = (DnsGroups.scratch ??= new DnsGroups(true));
    one.groups.clear();
    one.add(t);
    const g = one.groups.values().next().value ?? null;
    one.groups.clear();
    return g;
  }

  private static scratch: DnsGroups | null = null;

  /** A name judged alone (addHeld() false) that resolved: remembered as resolved when names are not kept. */
  resolvedAlone(g: DnsGroup): void {
    if (this.keepResolved) return;
    this.remember(g.key, g.name, g.first[0]!.client.ip);
  }

  /** A name that resolved, remembered as a name only (or counted, past MAX_RESOLVED_NAMES). */
  private remember(key: string, name: string, client: string): void {
    if (this.resolvedOnly.size >= MAX_RESOLVED_NAMES && !this.resolvedOnly.has(key)) {
      this.resolvedUncounted++;
      return;
    }
    this.resolvedOnly.add(key);
    const by = this.resolvedBy.get(name);
    if (by === undefined && this.resolvedBy.size >= MAX_RESOLVED_NAMES) return;
    this.resolvedBy.set(name, by === undefined || by === client ? client : '*');
  }

  /** One finished DNS transaction, folded into its name's group. */
  add(t: DnsTransaction): void {
    // A message without a question (malformed, or an answer to nothing) claims nothing; nor does
    // multicast DNS. (Their records stay in the report.)
    if (t.query === null || isBackgroundDns(t)) return;
    const name = t.query.toLowerCase();
    this.fold(t, name, dnsKey(t.client.ip, name));
  }

  private fold(t: DnsTransaction, name: string, key: string): void {
    if (this.resolvedOnly.has(key)) return;
    let g = this.groups.get(key);
    if (g === undefined) {
      g = {
        key, name, first: [], queries: 0, resolved: false, addrResolved: false, addrNodata: false, otherAnswered: false, otherNodata: false, allTcp: true,
        firstFrame: Infinity, lastFrame: 0, firstQ: Infinity, lastQ: -Infinity, addrs: null, otherData: null, answered: 0, nx: null, servfail: null,
        refused: null, otherError: null, negotiation: null, negotiations: 0, qtypes: null, ede: null, flows: null, lostFragments: null, answerFragments: 0,
      };
      this.groups.set(key, g);
    }
    const final = t.rcode !== null && !(t.tc && t.tcpRetry !== null);
    if (t.rcode === 0) {
      if (t.answers.some((a) => isAddressType(a.type))) g.addrResolved = true;
      else if (final && t.qtype !== null && isAddressType(t.qtype)) g.addrNodata = true;
      // Another type answered NOERROR with records of its type; without them (NODATA) it is a
      // warning (no PTR, no MX), except for the types a resolver asks on its own way down the
      // tree (NS, SOA, DS, DNSKEY, ...), where NODATA is the ordinary answer (an unsigned zone has
      // no DS): those count as answered.
      if (final && t.qtype !== null && !isAddressType(t.qtype)) {
        if (t.answers.some((a) => answersType(t, a.type)) || INFRASTRUCTURE_TYPES.has(t.qtype)) g.otherAnswered = true;
        else g.otherNodata = true;
      }
    }
    if (t.responseFrame !== null && t.fragments) {
      for (const f of t.fragments) if (f.completed && f.offsets.length > g.answerFragments) g.answerFragments = f.offsets.length;
    }
    if (t.responseFrame === null && t.fragments) {
      for (const f of t.fragments) {
        if (f.completed) continue;
        keepFirst(g.lostFragments ??= [], { seq: t.seq, server: t.server.ip, ident: f.ident, offsets: f.offsets, frames: f.frames, times: f.times, ednsSize: t.ednsSize ?? -1 }, MAX_DNS_LOST);
      }
    }
    g.resolved = g.addrResolved || (g.otherAnswered && !g.addrNodata);
    if (g.resolved && !this.keepResolved) {
      this.groups.delete(key);
      this.remember(key, name, t.client.ip);
      return;
    }
    keepFirst(g.first, t, MAX_DNS_FIRST);
    g.queries += t.queryFrames.length;
    if (t.transport !== 'tcp') g.allTcp = false;
    g.firstFrame = Math.min(g.firstFrame, t.queryFrames[0] ?? t.responseFrame ?? Infinity);
    g.lastFrame = Math.max(g.lastFrame, t.queryFrames[t.queryFrames.length - 1] ?? 0, t.responseFrame ?? 0);
    for (const q of t.queryTimes) {
      if (q < g.firstQ) g.firstQ = q;
      if (q > g.lastQ) g.lastQ = q;
    }
    for (const a of t.answers) {
      if (isAddressType(a.type)) keepFirst(g.addrs ??= [], { seq: t.seq, data: a.data }, MAX_DNS_ADDRS);
      else if (t.rcode === 0 && answersType(t, a.type)) keepFirst(g.otherData ??= [], { seq: t.seq, data: a.data }, MAX_DNS_ADDRS);
    }
    // Final answers: a truncated UDP answer that was retried over TCP is not final.
    if (!final) {
      if (g.answered === 0) addFlow(g, t);
      return;
    }
    g.answered++;
    g.flows = null;
    if (t.rcode === 3) g.nx = earlier(g.nx, t);
    else if (t.rcode === 2) g.servfail = earlier(g.servfail, t);
    else if (t.rcode === 5) g.refused = earlier(g.refused, t);
    if (t.rcode !== null && isNegotiation(t.rcode)) {
      g.negotiation = earlier(g.negotiation, t);
      g.negotiations++;
    } else if (t.rcode !== 0) g.otherError = earlier(g.otherError, t);
    const qtype = t.qtype === null ? '' : qtypeName(t.qtype);
    const seen = (g.qtypes ??= []).find((x) => x.qtype === qtype);
    if (seen === undefined) g.qtypes.push({ seq: t.seq, qtype });
    else if (t.seq < seen.seq) seen.seq = t.seq;
    for (const e of t.ede) keepFirst(g.ede ??= [], { seq: t.seq, e }, MAX_DNS_EDE);
  }
}

/**
 * The two groups of one name from a dual-stack host's two addresses (dual-stack.ts), as one:
 * counts added, flags joined, the earliest transactions kept. `a` takes the result.
 */
export function mergeDnsGroups(a: DnsGroup, b: DnsGroup): DnsGroup {
  for (const t of b.first) keepFirst(a.first, t, MAX_DNS_FIRST);
  a.queries += b.queries;
  a.addrResolved ||= b.addrResolved;
  a.addrNodata ||= b.addrNodata;
  a.otherAnswered ||= b.otherAnswered;
  a.otherNodata ||= b.otherNodata;
  a.resolved = a.addrResolved || (a.otherAnswered && !a.addrNodata);
  a.allTcp &&= b.allTcp;
  a.firstFrame = Math.min(a.firstFrame, b.firstFrame);
  a.lastFrame = Math.max(a.lastFrame, b.lastFrame);
  a.firstQ = Math.min(a.firstQ, b.firstQ);
  a.lastQ = Math.max(a.lastQ, b.lastQ);
  if (b.addrs) for (const x of b.addrs) keepFirst(a.addrs ??= [], x, MAX_DNS_ADDRS);
  if (b.otherData) for (const x of b.otherData) keepFirst(a.otherData ??= [], x, MAX_DNS_ADDRS);
  a.answered += b.answered;
  const first = (x: DnsTransaction | null, y: DnsTransaction | null): DnsTransaction | null => (y === null ? x : earlier(x, y));
  a.nx = first(a.nx, b.nx);
  a.servfail = first(a.servfail, b.servfail);
  a.refused = first(a.refused, b.refused);
  a.otherError = first(a.otherError, b.otherError);
  a.negotiation = first(a.negotiation, b.negotiation);
  a.negotiations += b.negotiations;
  for (const q of b.qtypes ?? []) {
    const seen = (a.qtypes ??= []).find((x) => x.qtype === q.qtype);
    if (seen === undefined) a.qtypes.push({ ...q });
    else if (q.seq < seen.seq) seen.seq = q.seq;
  }
  if (b.ede) for (const x of b.ede) keepFirst(a.ede ??= [], x, MAX_DNS_EDE);
  a.answerFragments = Math.max(a.answerFragments, b.answerFragments);
  if (b.lostFragments) for (const x of b.lostFragments) keepFirst(a.lostFragments ??= [], x, MAX_DNS_LOST);
  if (a.answered > 0) a.flows = null;
  else if (b.flows) for (const x of b.flows) keepFirst(a.flows ??= [], x, MAX_DNS_FLOWS);
  return a;
}

/** A transaction's flow, listed once at its first transaction (see DnsGroup.flows). */
function addFlow(g: DnsGroup, t: DnsTransaction): void {
  const flows = g.flows ??= [];
  if (flows.length >= MAX_DNS_FLOWS && t.seq >= flows[flows.length - 1]!.seq) return;
  const key = flowKey(t.client, t.server);
  const i = flows.findIndex((f) => f.key === key);
  if (i >= 0 && flows[i]!.seq <= t.seq) return;
  if (i >= 0) flows.splice(i, 1);
  keepFirst(flows, { seq: t.seq, key, server: t.server, transport: t.transport }, MAX_DNS_FLOWS);
}

/** The queries and responses of the group's first transactions, in frame order. */
export function dnsEvidence(g: DnsGroup): EvidenceAt[] {
  const ev: EvidenceAt[] = [];
  for (const t of g.first) {
    const q = t.queryFrames[0];
    if (q !== undefined) {
      ev.push(proof(DNS_QUERY, q, t.queryTimes[0]!, { from: t.client.ip, to: t.server.ip },
        { qtype: t.qtype === null ? '' : qtypeName(t.qtype), query: nameText(t.query ?? ''), server: t.server.ip, times: t.queryFrames.length }));
    }
    if (t.responseFrame !== null) {
      ev.push(proof(DNS_RESPONSE, t.responseFrame, t.responseTime!, { from: t.server.ip, to: t.client.ip },
        { rcode: rcodeName(t.rcode!), tc: t.tc, answers: t.answers.filter((a) => a.data).map((a) => a.data!).slice(0, 3) }));
    }
  }
  return ev.sort((a, b) => a.frame - b.frame);
}

/** An outcome for the group: the first transaction's server and type, every query counted. */
export function dnsOutcome(g: DnsGroup, cause: string, details: Record<string, unknown>, facts: Record<string, Arg> = {}, severity: Severity = 'error'): Outcome {
  const t0 = g.first[0]!;
  const o = outcome(cause, dnsEvidence(g), { server: t0.server.ip, ...details },
    { server: t0.server.ip, qtype: t0.qtype === null ? '' : qtypeName(t0.qtype), ...facts }, severity);
  o.attempts = g.queries;
  return o;
}

/** The outcome of an answer with a failing rcode: its name, and the server's EDE options. */
export function rcodeOutcome(g: DnsGroup, t: DnsTransaction, cause: string): Outcome {
  const ede = (g.ede ?? []).map((x) => x.e);
  const rcode = rcodeName(t.rcode!);
  return dnsOutcome(g, cause, { rcode, ...(ede.length ? { ede } : {}), ...(t.soa ? { soa: true } : {}) },
    { rcode, ede: ede.map((e) => ({ code: e.code, text: e.text ?? null })) });
}

/** The EDE options a verdict's facts carry (rcodeOutcome's `ede`). */
export function edeList(facts: Args): Array<{ code: number; text: string | null }> {
  const ede = facts['ede'];
  if (!Array.isArray(ede)) return [];
  return ede.flatMap((e) => (e !== null && typeof e === 'object' && !Array.isArray(e) && typeof (e as Args)['code'] === 'number'
    ? [{ code: (e as Args)['code'] as number, text: typeof (e as Args)['text'] === 'string' ? (e as Args)['text'] as string : null }] : []));
}
