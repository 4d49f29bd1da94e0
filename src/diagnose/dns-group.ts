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

export interface DnsGroup {
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

const earlier = (a: DnsTransaction | null, t: DnsTransaction): DnsTransaction => (a === null || t.seq < a.seq ? t : a);

/** Key of a UDP flow or DNS transaction: client ip|port|server ip|port. */
export const flowKey = (a: { ip: string; port: number }, b: { ip: string; port: number }): string => `${a.ip}|${a.port}|${b.ip}|${b.port}`;

/** Does `name` start with a name that resolved, followed by a dot (that name plus a search domain)? */
export function resolvedPrefix(name: string, resolved: ReadonlySet<string>): boolean {
  for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) if (resolved.has(name.slice(0, i))) return true;
  return false;
}

export class DnsGroups {
  private readonly groups = new Map<string, DnsGroup>();
  /** Names that resolved, whose groups were let go (keepResolved false). */
  readonly resolvedOnly = new Set<string>();

  /**
   * `keepResolved: false`: a name that resolved is remembered as a name only (its verdict is
   * never shown without `all`), which saves memory on DNS-heavy captures.
   */
  constructor(private readonly keepResolved: boolean) {}

  values(): IterableIterator<DnsGroup> {
    return this.groups.values();
  }

  /** One finished DNS transaction, folded into its name's group. */
  add(t: DnsTransaction): void {
    // A message without a question (junk, or an answer to one) is grouped under its server.
    const key = t.query === null ? `@${t.server.ip}` : t.query.toLowerCase();
    if (this.resolvedOnly.has(key)) return;
    let g = this.groups.get(key);
    if (g === undefined) {
      g = {
        key, first: [], queries: 0, resolved: false, allTcp: true, firstFrame: Infinity, firstQ: Infinity, lastQ: -Infinity,
        addrs: null, answered: 0, nx: null, servfail: null, refused: null, otherError: null, qtypes: null, ede: null, flows: null,
      };
      this.groups.set(key, g);
    }
    if (t.rcode === 0 && t.answers.some((a) => isAddressType(a.type))) g.resolved = true;
    if (g.resolved && !this.keepResolved) {
      this.groups.delete(key);
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
      if (g.answered === 0) addFlow(g, t);
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
        { qtype: t.qtype === null ? '' : qtypeName(t.qtype), query: String(t.query), server: t.server.ip, times: t.queryFrames.length }));
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
