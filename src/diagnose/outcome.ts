import type { DnsTransaction } from '../track/dns.js';
/**
 * What a rule says about one connection or one DNS name: an Outcome (cause, severity, evidence,
 * typed facts, limits), before the diagnosis groups outcomes by target into verdicts. And the shape
 * of a rule: a pure function of the tracker's records, declared in its cause's file with the
 * causes it can produce and its place in the walk (`rank`: lower runs first, in the order an
 * operator walks the layers — ICMP, TCP, TLS, HTTP).
 */
import type { Arg, Fact } from '../facts.js';
import type { FinishedConn } from '../track/tracker.js';
import type { TcpConn, TcpControl } from '../track/tcp.js';
import type { IcmpError } from '../track/icmp.js';
import type { HostTtl } from '../track/host-ttl.js';
import type { Orphans } from './orphans.js';
import type { Severity } from './verdict.js';
import type { DnsGroup } from './dns-group.js';
import type { AuthChallenge } from './auth-retry.js';
import type { ScanPair } from './scan.js';
import type { Sweep } from './sweep.js';
import type { UdpRequests } from './udp-requests.js';
import type { Pings } from './pings.js';
import type { FloodTarget } from './flood.js';
import type { ForgedSource } from './forged.js';
import type { ProbedHost, ProbeGroup } from './probes.js';
import { interval } from '../time.js';

/** An evidence packet with its capture time in seconds (the verdict holds it as ISO text). */
export interface EvidenceAt {
  frame: number;
  ts: number;
  from?: string;
  to?: string;
  kind: string;
  args: Fact['args'];
}

export interface Outcome {
  cause: string;
  severity: Severity;
  evidence: EvidenceAt[];
  details: Record<string, unknown>;
  /** The typed values the cause's words need. */
  facts: Record<string, Arg>;
  /** Attempts inside this connection (SYNs sent) or for this name (queries). */
  attempts: number;
  /** What the capture cannot prove about this outcome. */
  limits: Fact[];
  /**
   * An HTTP auth challenge (401/407) this connection did not answer: another connection of the
   * same target that sends the request again with credentials answers it (auth-retry.ts).
   */
  authChallenge?: AuthChallenge;
}

export interface RuleContext {
  /** Time of the last packet of the capture so far (seconds). */
  captureEnd: number;
  /** The TTL / hop limit baseline of a server's own TCP packets in the capture so far (track/host-ttl.ts), when known. */
  hostTtl?: (ip: string) => HostTtl | undefined;
  /** Whether the capture so far held a TCP segment without SYN (false: only connection openings). */
  nonSynSeen?: () => boolean;
  /**
   * Whether the capture is shown to miss packets toward this address: a TCP connection of it as
   * the client was one-sided (capture.one_sided, client only) so far.
   */
  missesToward?: (ip: string) => boolean;
}

export interface DnsContext extends RuleContext {
  /** ICMP errors that quote the DNS flow client ip|port|server ip|port. */
  icmpOn(flowKey: string): readonly IcmpError[] | undefined;
  /**
   * The answers a DNS server gave in the capture (any name, any rcode): to anyone, and to one
   * client. Counted for the first servers and server-client pairs only (diagnose.ts MAX_HEARD).
   */
  answersFrom?: (server: string, client: string) => { all: number; toClient: number };
}

interface RuleBase {
  /** Place in the walk among rules of the same kind: lower runs first. */
  readonly rank: number;
  /** Every cause the rule can produce. */
  readonly produces: readonly string[];
}

/** A rule over one finished connection (TCP, or UDP with an ICMP error). */
export interface ConnRule extends RuleBase {
  readonly on: 'conn';
  run(f: FinishedConn, ctx: RuleContext): Outcome | null;
}

/** A rule over the transactions of one DNS name. */
export interface DnsRule extends RuleBase {
  readonly on: 'dns';
  run(g: DnsGroup, ctx: DnsContext): Outcome | null;
}

/** A rule over ICMP errors whose flow the capture does not hold (those of one target, sender and type: orphans.ts). */
export interface IcmpRule extends RuleBase {
  readonly on: 'icmp';
  run(g: Orphans, ctx: RuleContext): Outcome | null;
}

/**
 * A rule over the probes of one client to one server (scan.ts): whether they were a port scan,
 * told as one verdict.
 */
export interface ScanRule extends RuleBase {
  readonly on: 'scan';
  run(s: ScanPair, ctx: RuleContext): Outcome | null;
}

/** A rule over one client's probes of many hosts (sweep.ts): whether they were a sweep, told as one verdict. */
export interface SweepRule extends RuleBase {
  readonly on: 'sweep';
  run(s: Sweep, ctx: RuleContext): Outcome | null;
}

/** A rule over one client's requests to one UDP service (udp-requests.ts): whether the service never answered. */
export interface UdpRequestsRule extends RuleBase {
  readonly on: 'udpRequests';
  run(s: UdpRequests, ctx: RuleContext): Outcome | null;
}

/** A rule over one client's echo requests to one host (pings.ts): whether they went unanswered. */
export interface PingRule extends RuleBase {
  readonly on: 'pings';
  run(p: Pings, ctx: RuleContext): Outcome | null;
}

/** A rule over one DNS message that is no lookup: a dynamic update (RFC 2136) and its answer. */
export interface DnsUpdateRule extends RuleBase {
  readonly on: 'dnsUpdate';
  run(t: DnsTransaction, ctx: RuleContext): Outcome | null;
}

/** A rule over the attempts to one server and port that stopped at the SYN (flood.ts): whether they were a SYN flood. */
export interface FloodRule extends RuleBase {
  readonly on: 'flood';
  run(t: FloodTarget, ctx: RuleContext): Outcome | null;
}

/** A rule over the ICMP errors alone that quote one source (forged.ts): whether they answer packets forged in its name. */
export interface ForgedRule extends RuleBase {
  readonly on: 'forged';
  run(s: ForgedSource, ctx: RuleContext): Outcome | null;
}

/** A rule over the attempts of strangers to one host that never got past the SYN (probes.ts): whether they were unsolicited probes. */
export interface ProbesRule extends RuleBase {
  readonly on: 'probes';
  run(h: ProbedHost<ProbeGroup>, ctx: RuleContext): Outcome | null;
}

export type Rule = ConnRule | DnsRule | IcmpRule | ScanRule | SweepRule | UdpRequestsRule | PingRule | DnsUpdateRule | FloodRule | ForgedRule | ProbesRule;

export function outcome(cause: string, evidence: EvidenceAt[], details: Record<string, unknown> = {}, facts: Record<string, Arg> = {}, severity: Severity = 'error'): Outcome {
  return { cause, severity, evidence, details, facts, attempts: 1, limits: [] };
}

/**
 * Seconds rounded to a tenth, as the texts show them; null stays null (an interval the capture's
 * clock cannot give: time.ts `interval`).
 */
export const tenths = (x: number | null): number | null => (x === null ? null : Math.round(x * 10) / 10);

export const isTcp = (f: FinishedConn): f is FinishedConn & { conn: TcpConn } => f.conn.transport === 'tcp';

/** The handshake never got a SYN-ACK. */
export function noSynAck(c: TcpConn): boolean {
  return c.synFrames.length > 0 && c.synAckFrame === 0;
}

/**
 * RFC 9293 §3.10.7.3: a client in SYN-SENT takes a RST only when its ACK acknowledges the SYN
 * (ISS < SEG.ACK =< SND.NXT, the SYN's Fast Open data counted); it drops any other RST (one without
 * the ACK bit, or acknowledging something else), which then refuses and resets nothing.
 */
export function rstTakenInSynSent(c: TcpConn, r: TcpControl): boolean {
  if (!r.hasAck || c.synFrames.length === 0) return false;
  const d = (r.ack - c.orig.startSeq) | 0;
  return d >= 1 && d <= 1 + c.synLen;
}

/** Seconds a client must have waited after what it sent before closing, for the silence to count. */
export const CLIENT_WAIT_MIN = 1;

/** The first FIN or RST of `c` after `frame`, either side, or undefined. */
export function firstCloseAfter(c: TcpConn, frame: number): TcpControl | undefined {
  let first: TcpControl | undefined;
  for (const x of c.rsts) if (x.frame > frame && (first === undefined || x.frame < first.frame)) first = x;
  for (const x of c.fins) if (x.frame > frame && (first === undefined || x.frame < first.frame)) first = x;
  return first;
}

/**
 * Seconds from `since` to `close` when the client (`clientIsOrig`'s side) closed sooner than
 * CLIENT_WAIT_MIN: it did not wait for an answer. Null otherwise (another closer, a longer wait,
 * a wait the clock cannot tell).
 */
export function clientLeftAtOnce(close: { ts: number; fromOrig: boolean } | undefined, clientIsOrig: boolean, since: number): number | null {
  if (close === undefined || close.fromOrig !== clientIsOrig) return null;
  const waited = interval(close.ts, since);
  return waited !== null && waited < CLIENT_WAIT_MIN ? waited : null;
}
