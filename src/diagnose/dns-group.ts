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
import { isReportableTime } from '../time.js';

export interface DnsGroup {
  /** dnsKey(client, name): one story per client and name. */
  key: string;
  /** The name asked, lower case. */
  name: string;
  /** The client's address. */
  client: string;
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
  /** Truncated answers without records (truncatedEmpty): the client had to ask again over TCP. */
  truncated: number;
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
  /**
   * The query types asked (first MAX_ASKED) with when each was asked (first MAX_ASK_TIMES): the
   * first asking in askedType / askedAt while it is the only one, else all in askedMore; and
   * whether a question was asked again DNS_RETRY_MIN to RETRY_GAP after an earlier asking: a
   * resolver's retry (the same query sent again, or a new transaction of the same type, to the same
   * server or the next). Queries of other types are not retries (an A, then an AAAA, then an MX),
   * nor a lookup of the same type minutes later (a program asking anew). Whatever the order the
   * transactions finish in.
   */
  askedType: string | null;
  askedAt: number;
  /** Made at a second asking, the first copied in (most groups hold one question, asked once: no list). */
  askedMore: Array<{ qtype: string; times: number[] }> | null;
  askedAgain: boolean;
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
  /** Set when the name's address came in the answer to this other name, through CNAMEs (DnsGroups.aliasOf). */
  cnameOf?: string;
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

/** Does a list of answers hold an address (A / AAAA)? */
function hasAddress(answers: DnsTransaction['answers']): boolean {
  for (let i = 0; i < answers.length; i++) {
    const a = answers[i]!;
    if (isAddressType(a.type) && !isUnspecified(a.data)) return true;
  }
  return false;
}

/**
 * The unspecified address (0.0.0.0, ::): no host has it, and nothing can be reached at it. DNS
 * filters (Pi-hole, AdGuard, a response policy zone, a DNS security service) answer it for the
 * names they block: such an answer gives the name no address (dns.no_address, its own words).
 */
export function isUnspecified(data: string | null): boolean {
  return data === '0.0.0.0' || data === '::';
}

/** ANY (255) is answered by records of any type. */
const answersType = (t: DnsTransaction, type: number): boolean => t.qtype === type || t.qtype === 255;

/** An IPv4 multicast address's text (224. to 239.): /^(22[4-9]|23\d)\./ without a pattern run for every transaction. */
function isMulticast4(s: string): boolean {
  if (s.length < 4 || s.charCodeAt(0) !== 0x32 || s.charCodeAt(3) !== 0x2e) return false;
  const b = s.charCodeAt(1);
  const c = s.charCodeAt(2);
  return (b === 0x32 && c >= 0x34 && c <= 0x39) || (b === 0x33 && c >= 0x30 && c <= 0x39);
}

/**
 * DNS the contract's background rule leaves out: multicast and link-local name resolution (mDNS,
 * LLMNR on 5353 / 5355, or any query to a multicast or broadcast group), and the questions that
 * service discovery asks a unicast server on its own (DNS-SD domain enumeration, the `local` SOA
 * probe): no program asked for them to connect anywhere. Never a verdict.
 */
export function isBackgroundDns(t: DnsTransaction): boolean {
  const s = t.server.ip;
  if (isMulticast4(s) || s === '255.255.255.255' || s.startsWith('ff')) return true;
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
 * plus a search domain)? `resolved(client, name)` says whether a name resolved for a client.
 */
export function resolvedPrefix(client: string, name: string, resolved: (client: string, name: string) => boolean): boolean {
  for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) if (resolved(client, name.slice(0, i))) return true;
  return false;
}

/**
 * Names remembered as resolved (a name only) at most: a resolver's capture of a million distinct
 * names would otherwise keep a million keys. Past it, a name that resolves is counted, not
 * remembered: a later failure of the same name is then told without "it resolved before", and a
 * name resolved again is counted again (the summary's `ok` becomes an upper bound).
 */
export const MAX_RESOLVED_NAMES = 100_000;

/** The client, or the clients, that resolved a name (DnsGroups.resolved). */
type Resolvers = string | Set<string>;

const resolvedFor = (r: Resolvers | undefined, client: string): boolean => r !== undefined && (r === client || (typeof r !== 'string' && r.has(client)));

/**
 * The groups of one name: one group, or one per client when several clients asked it (a list,
 * then past BUCKET_LIST a map by client: a name a thousand clients asked is found at once).
 */
type GroupBucket = DnsGroup | DnsGroup[] | Map<string, DnsGroup>;
const BUCKET_LIST = 8;

function groupOf(b: GroupBucket | undefined, client: string): DnsGroup | undefined {
  if (b === undefined) return undefined;
  if (Array.isArray(b)) {
    for (const g of b) if (g.client === client) return g;
    return undefined;
  }
  if (b instanceof Map) return b.get(client);
  return b.client === client ? b : undefined;
}

/**
 * A filter of the names DnsGroups holds (a group or a resolved entry), two bits of NAME_BITS per
 * name (a Bloom filter): a name it has not seen is in neither table, and most names of a
 * DNS-heavy capture are new, so their two table lookups (each a few cache misses in tables of
 * 100,000 names) are left out. A name seen before, or one of the few that share its two bits, is
 * looked up as always. Fixed size: 128 KB.
 */
const NAME_BITS = 1 << 20;

/** FNV-1a over the name's UTF-16 code units. */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h;
}

const bitA = (h: number): number => h & (NAME_BITS - 1);
const bitB = (h: number): number => Math.imul(h, 0x85ebca6b) >>> 12;

/** A name as groups know it: lower case (most names are already: then the same string). */
function lowerName(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || c > 0x7f) return name.toLowerCase();
  }
  return name;
}

/**
 * A truncated answer (TC) without records: "ask again over TCP" (RFC 1035 §4.2.1, RFC 7766), not
 * an answer of no records — a NODATA read from it would be false.
 */
const truncatedEmpty = (t: DnsTransaction): boolean => t.tc && t.rcode === 0 && t.answers.length === 0;

/** A final answer: a truncated UDP answer that was retried over TCP, or that holds no record, is not final. */
const isFinal = (t: DnsTransaction): boolean => t.rcode !== null && !(t.tc && t.tcpRetry !== null) && !truncatedEmpty(t);

/** What an answer says of its name (answerFlags): DnsGroup's flags of the same names. */
const ADDR_RESOLVED = 1;
const ADDR_NODATA = 2;
const OTHER_ANSWERED = 4;
const OTHER_NODATA = 8;

/**
 * An answer without the address that is no NODATA but a step of iterative resolution: to a query
 * that asked for no recursion (RD clear: a resolver's own query down the tree), a referral (no
 * answer, the zone's NS records in the authority section) or an alias whose target another zone
 * answers (a CNAME and nothing after it), both without the SOA a negative answer carries (RFC 2308
 * §2.1-2.2). The resolver goes on to the servers or the name given. (A recursive server's answer,
 * RD set, is its final word.)
 */
function toChase(t: DnsTransaction): boolean {
  return !t.rd && !t.soa && (t.ns || t.answers.some((a) => a.type === 5));
}

/**
 * An address type answered without an address is NODATA for a program's lookup (RD set). To a query
 * that asked for no recursion — a resolver's own query to an authoritative server — it is an
 * ordinary answer: resolvers ask both address types as a matter of course (for clients of either
 * family, for name servers' addresses, for the names above the one asked with QNAME minimisation,
 * RFC 9156); whether a program then lacked an address is seen only at the stub. Counted answered.
 */
function answerFlags(t: DnsTransaction, final: boolean): number {
  if (t.rcode !== 0) return 0;
  let flags = 0;
  if (hasAddress(t.answers)) flags |= ADDR_RESOLVED;
  else if (final && t.qtype !== null && isAddressType(t.qtype) && !toChase(t)) flags |= t.rd ? ADDR_NODATA : OTHER_ANSWERED;
  // Another type answered NOERROR with records of its type; without them (NODATA) it is a
  // warning (no PTR, no MX), except for the types a resolver asks on its own way down the
  // tree (NS, SOA, DS, DNSKEY, ...), where NODATA is the ordinary answer (an unsigned zone has
  // no DS): those count as answered.
  if (final && t.qtype !== null && !isAddressType(t.qtype)) {
    if (t.answers.some((a) => answersType(t, a.type)) || INFRASTRUCTURE_TYPES.has(t.qtype)) flags |= OTHER_ANSWERED;
    else flags |= OTHER_NODATA;
  }
  return flags;
}

/**
 * The group of one transaction (DnsGroups.single), as DnsGroups.fold makes it of a name's first
 * transaction, written out for the one-transaction case. Its own object and list literals, on
 * purpose: V8 makes the objects of a literal in the old generation from birth once most of them
 * live long (allocation-site pretenuring), which fold's do (the groups held); these are let go at
 * once (a capture of a million failing names makes them by the million), so they stay young.
 */
function groupOfOne(t: DnsTransaction, name: string): DnsGroup {
  const final = isFinal(t);
  const flags = answerFlags(t, final);
  const addrResolved = (flags & ADDR_RESOLVED) !== 0;
  const addrNodata = (flags & ADDR_NODATA) !== 0;
  const otherAnswered = (flags & OTHER_ANSWERED) !== 0;
  let answerFragments = 0;
  let lostFragments: LostFragments[] | null = null;
  if (t.fragments) {
    for (const f of t.fragments) {
      if (t.responseFrame !== null) {
        if (f.completed && f.offsets.length > answerFragments) answerFragments = f.offsets.length;
      } else if (!f.completed) {
        // One transaction's: all of one seq, so keepFirst keeps them in their order.
        keepFirst(lostFragments ??= [], { seq: t.seq, server: t.server.ip, ident: f.ident, offsets: f.offsets, frames: f.frames, times: f.times, ednsSize: t.ednsSize ?? -1 }, MAX_DNS_LOST);
      }
    }
  }
  let firstQ = Infinity;
  let lastQ = -Infinity;
  for (const q of t.queryTimes) {
    if (q < firstQ) firstQ = q;
    if (q > lastQ) lastQ = q;
  }
  let addrs: DnsGroup['addrs'] = null;
  let otherData: DnsGroup['otherData'] = null;
  for (const a of t.answers) {
    if (isAddressType(a.type)) keepFirst(addrs ??= [], { seq: t.seq, data: a.data }, MAX_DNS_ADDRS);
    else if (t.rcode === 0 && answersType(t, a.type)) keepFirst(otherData ??= [], { seq: t.seq, data: a.data }, MAX_DNS_ADDRS);
  }
  const client = t.client.ip;
  const rcode = t.rcode;
  const negotiation = final && rcode !== null && isNegotiation(rcode);
  let ede: DnsGroup['ede'] = null;
  if (final) for (const e of t.ede) keepFirst(ede ??= [], { seq: t.seq, e }, MAX_DNS_EDE);
  const g: DnsGroup = {
    key: dnsKey(client, name), name, client, first: [t], queries: t.queryFrames.length, resolved: addrResolved || (otherAnswered && !addrNodata),
    addrResolved, addrNodata, otherAnswered, otherNodata: (flags & OTHER_NODATA) !== 0, allTcp: t.transport === 'tcp',
    firstFrame: Math.min(Infinity, t.queryFrames[0] ?? t.responseFrame ?? Infinity), lastFrame: Math.max(0, t.queryFrames[t.queryFrames.length - 1] ?? 0, t.responseFrame ?? 0),
    firstQ, lastQ, addrs, otherData, answered: final ? 1 : 0, truncated: truncatedEmpty(t) ? 1 : 0,
    nx: final && rcode === 3 ? t : null, servfail: final && rcode === 2 ? t : null, refused: final && rcode === 5 ? t : null,
    otherError: final && !negotiation && rcode !== 0 ? t : null, negotiation: negotiation ? t : null, negotiations: negotiation ? 1 : 0,
    qtypes: final ? [{ seq: t.seq, qtype: t.qtype === null ? '' : qtypeName(t.qtype) }] : null, ede, flows: null, lostFragments, answerFragments,
    askedType: null, askedAt: 0, askedMore: null, askedAgain: false,
  };
  ask(g, t.qtype === null ? '' : qtypeName(t.qtype), t.queryTimes);
  if (!final) addFlow(g, t);
  return g;
}

/** A name and client's lookups given up on: the first (the earliest to finish), and how many. */
export interface Abandoned {
  t: DnsTransaction;
  name: string;
  client: string;
  count: number;
}
/** Names and clients with lookups given up on, remembered at most. */
const MAX_ABANDONED = 1000;

/** What DnsGroups.addHeld did with a transaction. */
export const HELD = 0;
export const ALONE = 1;
export const RESOLVED_ALONE = 2;
export type AddResult = typeof HELD | typeof ALONE | typeof RESOLVED_ALONE;

export class DnsGroups {
  /**
   * Groups by name (lower case), then by client: looked up by the name string itself (its hash
   * is kept in it), where a joined client|name key would be a new string to hash for every
   * transaction.
   */
  private readonly groups = new Map<string, GroupBucket>();
  /** The clients of the groups (hasClient), made when first asked. */
  private clientSet: Set<string> | null = null;

  /** Did `ip` ask a name of the groups kept? */
  hasClient(ip: string): boolean {
    if (this.clientSet === null) {
      const set = new Set<string>();
      for (const b of this.groups.values()) {
        if (Array.isArray(b)) for (const g of b) set.add(g.client);
        else if (b instanceof Map) for (const g of b.values()) set.add(g.client);
        else set.add(b.client);
      }
      this.clientSet = set;
    }
    return this.clientSet.has(ip);
  }
  /** Groups held. */
  private held = 0;
  /** Names that resolved past MAX_RESOLVED_NAMES: counted, not remembered. */
  resolvedUncounted = 0;
  /**
   * Names that resolved, whose groups were let go (keepResolved false), each with the client
   * that resolved it or the set of them: a dual-stack host's failed attempt from its other
   * address is then known to have resolved in the end (dual-stack.ts). At most
   * MAX_RESOLVED_NAMES name and client pairs (`resolvedPairs`).
   */
  private readonly resolved = new Map<string, Resolvers>();
  /** Lookups given up on, by dnsKey (noteAbandoned), at most MAX_ABANDONED names and clients. */
  private readonly abandoned = new Map<string, Abandoned>();
  private resolvedPairs = 0;
  /** The names of `groups` and `resolved` (see NAME_BITS), by nameHash(). */
  private readonly seen = new Int32Array(NAME_BITS >>> 5);
  /**
   * Names an answer to another name gave an address through a CNAME chain (`x CNAME y, y A ...`
   * answers the question x, and y has that address too), each with the client(s) it answered and
   * the first name asked that led there: a NODATA, or any failure, of y's own question is then
   * not the end of y (a box that asks AAAA of the chain's target, then A of the alias: dpkt's
   * nb6-http.pcap). At most MAX_RESOLVED_NAMES name and client pairs.
   */
  private readonly aliases = new Map<string, { by: Resolvers; via: string }>();
  private aliasPairs = 0;

  private mayHold(h: number): boolean {
    const a = bitA(h);
    const b = bitB(h);
    return (this.seen[a >>> 5]! & (1 << (a & 31))) !== 0 && (this.seen[b >>> 5]! & (1 << (b & 31))) !== 0;
  }

  private see(h: number): void {
    const a = bitA(h);
    const b = bitB(h);
    this.seen[a >>> 5]! |= 1 << (a & 31);
    this.seen[b >>> 5]! |= 1 << (b & 31);
  }

  /**
   * `keepResolved: false`: a name that resolved is remembered as a name only (its verdict is
   * never shown without `all`), which saves memory on DNS-heavy captures.
   */
  constructor(private readonly keepResolved: boolean) {}

  /** The groups held (in no particular order). */
  *values(): IterableIterator<DnsGroup> {
    for (const b of this.groups.values()) {
      if (Array.isArray(b)) yield* b;
      else if (b instanceof Map) yield* b.values();
      else yield b;
    }
  }

  get keepsResolved(): boolean {
    return this.keepResolved;
  }

  /** Did `name` (lower case) resolve for `client`, its group let go? */
  isResolved(client: string, name: string): boolean {
    return resolvedFor(this.resolved.get(name), client);
  }

  /** Of a name that resolved and was let go: the client that resolved it, '*' for several, else undefined. */
  resolvedBy(name: string): string | undefined {
    const r = this.resolved.get(name);
    return r === undefined || typeof r === 'string' ? r : '*';
  }

  /** How many name and client pairs that resolved and were let go have a name not in `names`. */
  resolvedOutside(names: ReadonlySet<string>): number {
    let n = 0;
    for (const [name, r] of this.resolved) if (!names.has(name)) n += typeof r === 'string' ? 1 : r.size;
    return n;
  }

  /**
   * One finished DNS transaction, folded into its name's group (as add): HELD. Unless
   * MAX_DNS_GROUPS names are held and `t` is of another name: ALONE then, and it is to be judged
   * alone (overflow.ts); or, when resolved names are not kept and `t` resolved its name,
   * RESOLVED_ALONE: remembered as resolveAlone() does with its group, without making one.
   */
  addHeld(t: DnsTransaction): AddResult {
    if (t.query === null || isBackgroundDns(t)) return HELD;
    const name = lowerName(t.query);
    const client = t.client.ip;
    this.noteAbandoned(t, name, client);
    if (t.rcode === 0 && t.answers.length > 1) this.noteChain(t, name, client);
    const h = nameHash(name);
    const known = this.mayHold(h);
    const r = known ? this.resolved.get(name) : undefined;
    if (resolvedFor(r, client)) return HELD;
    const b = known ? this.groups.get(name) : undefined;
    const g = groupOf(b, client);
    if (g === undefined && this.held >= MAX_DNS_GROUPS) {
      // What single(t).resolved says (a group of one resolves when its answer does).
      if (!this.keepResolved && (answerFlags(t, isFinal(t)) & (ADDR_RESOLVED | OTHER_ANSWERED)) !== 0) {
        this.remember(name, client, h, r);
        return RESOLVED_ALONE;
      }
      return ALONE;
    }
    this.fold(t, name, client, h, r, b, g);
    return HELD;
  }

  /**
   * A lookup the client gave up on (an unanswered UDP query it asked again, and no answer for the
   * name came to it meanwhile from any query: track/dns.ts answeredElsewhere), by name and client.
   * Told as an intermittent failure when the name resolved for the client in other lookups
   * (Diagnosis.dnsVerdicts); otherwise the name's group tells it.
   */
  private noteAbandoned(t: DnsTransaction, name: string, client: string): void {
    if (t.responseFrame !== null || t.queryFrames.length < 2 || t.transport !== 'udp' || t.answeredElsewhere === true || (t.fragments?.length ?? 0) > 0) return;
    const key = dnsKey(client, name);
    const a = this.abandoned.get(key);
    if (a !== undefined) a.count++;
    else if (this.abandoned.size < MAX_ABANDONED) this.abandoned.set(key, { t, name, client, count: 1 });
  }

  /** The lookups given up on (noteAbandoned), by name and client: the first, and how many. */
  abandonedLookups(): IterableIterator<Abandoned> {
    return this.abandoned.values();
  }

  /** A group of `t` alone (not held), or null when `t` claims nothing: what add() makes of it, in a new table. */
  static single(t: DnsTransaction): DnsGroup | null {
    if (t.query === null || isBackgroundDns(t)) return null;
    return groupOfOne(t, lowerName(t.query));
  }

  /** A name judged alone (addHeld() ALONE) that resolved: remembered as resolved when names are not kept. */
  resolvedAlone(g: DnsGroup): void {
    if (this.keepResolved) return;
    const h = nameHash(g.name);
    this.remember(g.name, g.client, h, this.mayHold(h) ? this.resolved.get(g.name) : undefined);
  }

  /**
   * A name that resolved for a client, remembered as a name only (or counted, past
   * MAX_RESOLVED_NAMES). `r`: the name's entry in `resolved`.
   */
  private remember(name: string, client: string, h: number, r: Resolvers | undefined): void {
    if (resolvedFor(r, client)) return;
    if (this.resolvedPairs >= MAX_RESOLVED_NAMES) {
      this.resolvedUncounted++;
      return;
    }
    this.resolvedPairs++;
    this.see(h);
    if (r === undefined) this.resolved.set(name, client);
    else if (typeof r === 'string') this.resolved.set(name, new Set([r, client]));
    else r.add(client);
  }

  /** One finished DNS transaction, folded into its name's group. */
  add(t: DnsTransaction): void {
    // A message without a question (malformed, or an answer to nothing) claims nothing; nor does
    // multicast DNS. (Their records stay in the report.)
    if (t.query === null || isBackgroundDns(t)) return;
    const name = lowerName(t.query);
    const client = t.client.ip;
    this.noteAbandoned(t, name, client);
    if (t.rcode === 0 && t.answers.length > 1) this.noteChain(t, name, client);
    const h = nameHash(name);
    const known = this.mayHold(h);
    const r = known ? this.resolved.get(name) : undefined;
    if (resolvedFor(r, client)) return;
    const b = known ? this.groups.get(name) : undefined;
    this.fold(t, name, client, h, r, b, groupOf(b, client));
  }

  /**
   * An answer (NOERROR, more than one record) that holds an address: the names its CNAME chain
   * went through, and the owners of its address records, other than the question, have an
   * address for `client` (see `aliases`). Bounded by the answer's records (MAX_ANSWERS).
   */
  private noteChain(t: DnsTransaction, query: string, client: string): void {
    const answers = t.answers;
    if (!hasAddress(answers)) return;
    for (let i = 0; i < answers.length; i++) {
      const rr = answers[i]!;
      let alias: string | null = null;
      if (rr.type === 5) alias = rr.data;
      else if (isAddressType(rr.type)) alias = rr.name;
      if (alias === null || alias === '') continue;
      let n = lowerName(alias);
      if (n.charCodeAt(n.length - 1) === 0x2e) n = n.slice(0, -1);
      if (n === query) continue;
      const a = this.aliases.get(n);
      if (a !== undefined && resolvedFor(a.by, client)) continue;
      if (this.aliasPairs >= MAX_RESOLVED_NAMES) return;
      this.aliasPairs++;
      if (a === undefined) this.aliases.set(n, { by: client, via: query });
      else if (typeof a.by === 'string') a.by = new Set([a.by, client]);
      else a.by.add(client);
    }
  }

  /**
   * The name asked first whose answer gave `name` (lower case) an address for `client` through
   * a CNAME chain, or null (see `aliases`).
   */
  aliasOf(client: string, name: string): string | null {
    const a = this.aliases.get(name);
    return a !== undefined && resolvedFor(a.by, client) ? a.via : null;
  }

  /**
   * Folds `t` into `g`, the group of its name and client (undefined: none yet). `h`: the name's
   * nameHash(); `r`, `b`: the name's entries in `resolved` and `groups`.
   */
  private fold(t: DnsTransaction, name: string, client: string, h: number, r: Resolvers | undefined, b: GroupBucket | undefined, g: DnsGroup | undefined): void {
    const final = isFinal(t);
    const flags = answerFlags(t, final);
    const addrResolved = (flags & ADDR_RESOLVED) !== 0;
    const otherAnswered = (flags & OTHER_ANSWERED) !== 0;
    if (g === undefined) {
      // A name that resolves with its first transaction is remembered at once, without a group
      // (otherAnswered excludes addrNodata: the first is of another type, the second of an address type).
      if (!this.keepResolved && (addrResolved || otherAnswered)) {
        this.remember(name, client, h, r);
        return;
      }
      g = {
        key: dnsKey(client, name), name, client, first: [], queries: 0, resolved: false, addrResolved: false, addrNodata: false, otherAnswered: false,
        otherNodata: false, allTcp: true, firstFrame: Infinity, lastFrame: 0, firstQ: Infinity, lastQ: -Infinity, addrs: null, otherData: null, answered: 0, truncated: 0, nx: null,
        servfail: null, refused: null, otherError: null, negotiation: null, negotiations: 0, qtypes: null, ede: null, flows: null, lostFragments: null,
        answerFragments: 0, askedType: null, askedAt: 0, askedMore: null, askedAgain: false,
      };
      this.see(h);
      if (b === undefined) this.groups.set(name, g);
      else if (Array.isArray(b)) {
        if (b.length < BUCKET_LIST) b.push(g);
        else {
          const m = new Map<string, DnsGroup>();
          for (const x of b) m.set(x.client, x);
          m.set(client, g);
          this.groups.set(name, m);
        }
      } else if (b instanceof Map) b.set(client, g);
      else this.groups.set(name, [b, g]);
      this.held++;
    }
    if (addrResolved) g.addrResolved = true;
    if ((flags & ADDR_NODATA) !== 0) g.addrNodata = true;
    if (otherAnswered) g.otherAnswered = true;
    if ((flags & OTHER_NODATA) !== 0) g.otherNodata = true;
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
      this.letGo(g);
      this.remember(name, client, h, r);
      return;
    }
    keepFirst(g.first, t, MAX_DNS_FIRST);
    g.queries += t.queryFrames.length;
    ask(g, t.qtype === null ? '' : qtypeName(t.qtype), t.queryTimes);
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
      if (truncatedEmpty(t)) g.truncated++;
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

  /** Forgets a group held. */
  private letGo(g: DnsGroup): void {
    const b = this.groups.get(g.name);
    if (b === g) this.groups.delete(g.name);
    else if (Array.isArray(b)) {
      const i = b.indexOf(g);
      if (i < 0) return;
      b.splice(i, 1);
      if (b.length === 1) this.groups.set(g.name, b[0]!);
    } else if (b instanceof Map) {
      if (b.get(g.client) !== g) return;
      b.delete(g.client);
      if (b.size === 0) this.groups.delete(g.name);
    } else return;
    this.held--;
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
  a.truncated += b.truncated;
  const first = (x: DnsTransaction | null, y: DnsTransaction | null): DnsTransaction | null => (y === null ? x : earlier(x, y));
  a.nx = first(a.nx, b.nx);
  a.servfail = first(a.servfail, b.servfail);
  a.refused = first(a.refused, b.refused);
  a.otherError = first(a.otherError, b.otherError);
  a.negotiation = first(a.negotiation, b.negotiation);
  a.negotiations += b.negotiations;
  a.askedAgain ||= b.askedAgain;
  if (b.askedMore !== null) for (const q of b.askedMore) ask(a, q.qtype, q.times);
  else if (b.askedType !== null) ask(a, b.askedType, [b.askedAt]);
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

/**
 * Queries of one name sent closer together than this are one burst, not a resolver's retry (the
 * quickest common retry, Windows', comes 1 s after the first query; glibc's and dig's after 5 s):
 * several clients or parallel lookups asking at once, a tool replaying queries.
 */
export const DNS_RETRY_MIN = 0.5;

/** Query types a group tells apart (DnsGroup.asked): past them, a new type is taken for one asked again. */
const MAX_ASKED = 8;
/**
 * Seconds within which the same question asked again is a retry: a resolver library asks again
 * after 1 to 5 s (Windows 1, 1, 2, 4 s; glibc 5 s per server, then the next server).
 */
export const RETRY_GAP = 10;

/** Did the group's queries ask for `qtype` (among the types it tells apart)? */
export function askedFor(g: DnsGroup, qtype: string): boolean {
  return g.askedMore !== null ? g.askedMore.some((x) => x.qtype === qtype) : g.askedType === qtype;
}

/** Times kept per query type (DnsGroup.asked): past them, a new time is taken for a retry. */
const MAX_ASK_TIMES = 16;

/** A question of `qtype` sent at `times` (s): DnsGroup.asked and askedAgain. */
function ask(g: DnsGroup, qtype: string, times: readonly number[]): void {
  if (times.length === 0) return;
  if (g.askedType === null && times.length === 1) {
    g.askedType = qtype;
    g.askedAt = times[0]!;
    return;
  }
  const asked = g.askedMore ??= g.askedType === null ? [] : [{ qtype: g.askedType, times: [g.askedAt] }];
  let e = asked.find((x) => x.qtype === qtype);
  if (e === undefined) {
    if (asked.length >= MAX_ASKED) {
      g.askedAgain = true;
      return;
    }
    e = { qtype, times: [] };
    asked.push(e);
  }
  for (const t of times) {
    for (const x of e.times) {
      // (Sent again sooner: one burst, parallel queries to several servers, not a wait that ran
      // out. A time no report can write leaves the gap unknown: asked again, as before.)
      const gap = Math.abs(t - x);
      if (!isReportableTime(t) || !isReportableTime(x) || (gap >= DNS_RETRY_MIN && gap <= RETRY_GAP)) g.askedAgain = true;
    }
    if (e.times.length < MAX_ASK_TIMES) e.times.push(t);
    else g.askedAgain = true;
  }
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
  // At most 2 x MAX_DNS_FIRST: an insertion sort (stable, as sort() is) costs less than sort()'s setup.
  for (let i = 1; i < ev.length; i++) {
    const x = ev[i]!;
    let j = i - 1;
    for (; j >= 0 && ev[j]!.frame > x.frame; j--) ev[j + 1] = ev[j]!;
    ev[j + 1] = x;
  }
  return ev;
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
