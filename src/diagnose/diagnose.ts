/**
 * From per-connection outcomes and DNS transactions to one verdict per target (contract:
 * "One verdict per target"). Connections are grouped as they finish — by the name the client
 * asked for when known (DNS answer, SNI, Host), else the address — plus port and transport, so
 * SYN retries, repeated attempts and IPv6-then-IPv4 fallbacks tell one story. DNS transactions
 * are grouped by question name (dns-group.ts). Groups keep counts and a few attempts, not every
 * connection. Verdicts are language-free (verdict.ts): the report's words come when it is rendered.
 */
import { craftedFlags, type CraftedPacket, type FinishedConn } from '../track/tracker.js';
import { OVERLAP_AFTER, type DnsTransaction } from '../track/dns.js';
import type { IcmpError } from '../track/icmp.js';
import { interval, isReportableTime, isoOf } from '../time.js';
import type { Arg } from '../facts.js';
import type { Evidence, Severity, Target, Verdict } from './verdict.js';
import type { DnsContext, EvidenceAt, Outcome, RuleContext } from './outcome.js';
import { CONN_RULES, DNS_RULES, DNS_UPDATE_RULES, ICMP_RULES, SCAN_RULES, SWEEP_RULES, UDP_REQUEST_RULES, PING_RULES, FLOOD_RULES, FORGED_RULES, PROBES_RULES, causeDef } from './catalogue.js';
import { DnsGroups, HELD, RESOLVED_ALONE, askedFor, dnsKey, dnsOutcome, flowKey, isUnspecified, mergeDnsGroups, nameText, resolvedPrefix, type DnsGroup } from './dns-group.js';
import { dualStackPairs } from './dual-stack.js';
import { aloneParties, quotesOriginator } from './rules-icmp.js';
import { gatherOrphans, quotesEchoRequest, type Orphans } from './orphans.js';
import { Traceroutes } from './traceroute.js';
import type { IcmpConn } from '../track/icmpflow.js';
import type { TcpConn, TcpControl } from '../track/tcp.js';
import { droppedRsts, IGNORED_RST, ignoredRstsDetail } from './causes/tcp.syn_unanswered.js';
import { noSynAck } from './outcome.js';
import { proof, way } from './evidence.js';
import { mergePorts } from './aggregate.js';
import { BUCKET_CLIENTS, MAX_GROUPS, Overflow, hash53, type Bucket, type ClientSet } from './overflow.js';
import { FloodWatch, RETRY_WAIT, type FloodTarget, type SynStage } from './flood.js';
import { Beyond, PROBE_SENDS, countProbe, isProbe, probedHosts, type HeldProbes, type ProbeGroup, type ProbedHost } from './probes.js';
import { FORGED_ERRORS, forgedSources, type ForgedSource } from './forged.js';
import { synSends } from './causes/capture.ended_early.js';
import { evidenceSpread, joinSpreads, Timeline, type Spread } from './timeline.js';
import { CRAFTED_PACKET, NOTHING_TOWARD_CLIENT, SOME_ATTEMPTS_UNJUDGED, SOME_ATTEMPTS_WORKED, SYN_LEFT_FOR_OTHER } from './limits.js';
import { synLeftUnanswered } from './causes/tcp.syn_unanswered.js';
import { APP_LOGIN_ACCEPTED } from './causes/app.login_failed.js';
import { MISSES_CLIENT, NAME_USED_WITHIN } from './causes/dns.no_response.js';
import type { Fact } from '../facts.js';
import { credentialedRequests, resolveChallenges, type CredentialedRequest } from './auth-retry.js';
import { PERSISTENT_SYNS, probeOf, ScanPairs, type ProbeInfo, type ScanPair } from './scan.js';
import { SCAN_TAIL, seeBurst, sureScan } from './causes/tcp.port_scan.js';
import { seeSweepBurst, sureSweep } from './causes/tcp.address_scan.js';
import { ackProbeOf, Sweeps, type AckProbe, type Sweep } from './sweep.js';
import { UdpRequestWatch } from './udp-requests.js';
import { PingWatch } from './pings.js';
import { DhcpChecks } from './dhcp-check.js';
import type { DhcpOffer, DhcpOfferOf } from '../track/dhcp.js';
import type { Span } from './span.js';
import { inArpSweep, type ArpSweep } from '../track/arp.js';

export { targetText } from './verdict.js';

const KEEP_ATTEMPTS = 4;
/** Clients remembered as shown one-sided (Diagnosis.blindTo): past it, the others are judged as before. */
const MAX_BLIND = 10_000;
/**
 * Hosts seen receiving, and hosts seen answering, at most (udp.no_response and icmp.echo_unanswered
 * ask; about 2 MB a set at the bound). Past the bound a host is not recorded: a silent request of an
 * unrecorded client is not told, and pings are not told at all once the answering hosts overflowed.
 */
const MAX_HEARD = 20_000;
/**
 * Seconds between a failed attempt and the first success after it past which the two are told
 * apart in the words (ok.ts): a program's retries come within seconds, a user's new try within
 * minutes; past ten minutes the success says the target worked later, not that the retry worked.
 */
const APART = 600;
const MAX_EVIDENCE = 12;

interface Attempt {
  o: Outcome;
  ip: string;
  client: string;
  start: number;
}

/** A probe held past the limit of groups (probes.ts Beyond): its target's home key, and its scan pair and sweep when held apart. */
interface HeldPlaced {
  p: Placed;
  home: string;
  pair: ScanPair | null;
  sweep: Sweep | null;
}

/** One connection's outcome with what its group needs (plain data: the connection is let go). */
export interface Placed {
  o: Outcome;
  target: Target;
  client: string;
  /** The server's address. */
  ip: string;
  start: number;
  firstFrame: number;
  /** DNS over TCP: its outcome is told by name, unless it failed. */
  dnsOverTcp: boolean;
  /** Its HTTP requests that carried credentials (they may answer another connection's auth challenge). */
  retries: CredentialedRequest[];
  /** A TCP connection: what it is to the scan watch (a probe, a connection without payload, a session), else absent. */
  probe?: ProbeInfo;
  /** A TCP connection that is one bare ACK probe and its answer (sweep.ts ackProbeOf), else absent. */
  ackProbe?: AckProbe;
  /** A TCP connection with a SYN: whether it stopped there, for the flood watch (flood.ts). */
  syn?: SynStage;
  /** Logins of a mail or FTP session (track/lines.ts): how many the server refused, and when it accepted the last one it accepted. */
  logins?: { refused: number; accepted: { frame: number; ts: number } | null };
}

interface Group {
  key: string;
  target: Target;
  client: string | null;
  conns: number;
  /** Attempts that failed (an error outcome). */
  failed: number;
  /** Attempts the capture cannot judge (capture.* outcomes). */
  unjudged: number;
  firstFrame: number;
  /** Capture times (s) of the first and the last attempt's start. */
  firstTs: number;
  lastTs: number;
  /** Outcomes kept: the first few (and the latest, below). */
  kept: Attempt[];
  /** The latest attempt the capture can judge (worked, or failed), and the latest it cannot. */
  last: Attempt | null;
  lastUnjudged: Attempt | null;
  /**
   * The latest transfer that failed (isTransfer: an HTTP error status, a refused CONNECT, a body or
   * an encrypted transfer cut short): each request is a thing of its own, so one that failed is not
   * undone by another that worked ("worked in the end" is for retries of the same connection attempt).
   */
  lastTransferFailure: Attempt | null;
  /**
   * The latest transfer left unfinished without a failure proven (a warning of isTransfer's: a
   * download the client gave up on, one that hung): a later attempt that worked does not undo it
   * either, so it is told rather than the success after it, unless attempts failed outright
   * ("worked in the end" tells those).
   */
  lastWarning: Attempt | null;
  /** Attempts that worked (an ok outcome). */
  worked: number;
  /**
   * Logins (FTP, mail: track/lines.ts): refused ones counted over the group's connections, its
   * latest connection whose login was refused (app.login_failed), and the latest login accepted.
   * A connection that never logged in works at every layer it reached, but it does not show that a
   * login refused before it would now be accepted: it does not undo that failure (decisive).
   */
  loginsRefused: number;
  lastLoginFailure: Attempt | null;
  lastLoginOk: (Attempt & { at: { frame: number; ts: number } }) | null;
  /** The start of the group's first connection with a refused login (NaN: none). */
  firstRefusedStart: number;
  /** Its connections that stopped at the SYN (flood.ts SynStage): all of them, and the group is a flood's when its target is under one. */
  synStopped: number;
  /**
   * Its connections that never completed their handshake and carried no payload, refused or not
   * answered at all (no SYN-ACK) (probes.ts): all of them; of those, refused; of the others, those
   * the capture watched long enough to show a kernel's next resend, and of these, those whose SYN
   * was not sent again (more than PROBE_SENDS times). All of them probes from a stranger: perhaps
   * a scanner's.
   */
  probes: number;
  probesRefused: number;
  probesWatched: number;
  probesUnresent: number;
  /**
   * The failed attempt (an error outcome) that started first, and the attempt that worked first
   * after it: "worked in the end" shows these two, the failure and the retry that got through (not
   * the group's latest success, which may be days later in a long capture). `recovery` is the first
   * success since `watchFrom`, the earliest start of a failure known for the target: its own, or
   * one held apart as a probe (a refused SYN) until the verdicts, when it may come back (settleScans).
   */
  firstFailed: Attempt | null;
  watchFrom: number | null;
  recovery: Attempt | null;
  ips: Set<string>;
  /** Limits of the group's verdict as a whole (SYN_LEFT_FOR_OTHER). */
  notes: Fact[];
  /**
   * Connections that ended on an HTTP auth challenge they did not answer, held (at most MAX_HELD)
   * until another connection answers it or the verdicts are made (auth-retry.ts); not counted yet.
   */
  held: Placed[];
  /** The latest requests of the group's connections that carried credentials (at most MAX_RETRIES). */
  retries: CredentialedRequest[];
  /**
   * A group of probes (scan.ts), or of a scanner's connections (scanConnection: `conns`), kept apart
   * from the target's other attempts until the verdicts are made: told by the scan when their
   * client and server are one, or by their client's sweep (sweep.ts) when every source port of
   * theirs (`sports`, -1 once past MAX_HELD_SPORTS) is the scanner's, else put back with them (the
   * group of `home`).
   */
  probesOf?: { pair: ScanPair | null; sweep: Sweep | null; sports: number[]; home: string; conns: boolean };
}

const MAX_HELD = 16;

/** When a client's attempts to a name started, and the address families they went to (Diagnosis.dnsVerdicts). */
interface Connected {
  first: number;
  last: number;
  v4: boolean;
  v6: boolean;
}

/**
 * Outcomes of one transfer over a connection that worked: HTTP's (an error status, a body cut short
 * or hung; its warnings are the client giving up on a body, a download that hangs) and an encrypted
 * transfer cut short. Another transfer that worked does not undo one (a group keeps the latest:
 * lastTransferFailure, lastWarning). Other warnings are hedged claims the capture cannot prove a
 * failure by (a reset after data, a race another connection won): a later success leaves them unsaid.
 */
const isTransfer = (cause: string): boolean => cause.startsWith('http.') || cause === 'tls.transfer_cut_short';

/** A SYN answered only by RSTs its client drops, held until the client's next SYN on its 4-tuple. */
interface DroppedRstAttempt {
  p: Placed;
  isn: number;
  count: number;
  first: TcpControl;
}
const MAX_DROPPED_RST = 1024;
/** A SYN this long after the dropped RST's attempt began is a new attempt (a stack gives up on a SYN after about two minutes). */
const SAME_ATTEMPT_SECONDS = 180;
const MAX_RETRIES = 16;

/**
 * The clients of a verdict for several (a flood's sources, a forged source's error senders) as
 * the summary counts them: their hashes, at most BUCKET_CLIENTS; `full` when more were seen.
 */
function clientSetOf(ips: ReadonlySet<string>, atLeast: boolean): ClientSet {
  const hashes = new Set<number>();
  for (const ip of ips) {
    if (hashes.size >= BUCKET_CLIENTS) break;
    hashes.add(hash53(ip));
  }
  return { hashes, full: atLeast || hashes.size < ips.size };
}

/** What a TCP connection is to the flood watch (flood.ts), or undefined without a SYN of its client. */
function synStage(c: TcpConn, now: number): SynStage | undefined {
  if (c.synFrames.length === 0) return undefined;
  const noData = c.ackFrame === 0 && c.orig.payloadBytes === 0 && c.resp.payloadBytes === 0;
  const serverRst = c.rsts.some((r) => !r.fromOrig);
  const sends = synSends(c);
  return { stopped: noData && !serverRst, refused: noData && serverRst, sends, synAcked: c.synAckFrame !== 0, frame: c.synFrames[0]!, watched: sends > PROBE_SENDS || resendDue(c, now) };
}

/**
 * Did the capture go on long enough after the attempt's last SYN to show the next one a waiting
 * client's kernel would send? Its first resend comes after 1 s (Windows: up to 3 s, RETRY_WAIT),
 * each later one after about twice the gap before it.
 */
function resendDue(c: TcpConn, now: number): boolean {
  const times = c.synTimes;
  const last = times.length > 0 ? times[times.length - 1]! : c.start;
  const gap = times.length > 1 ? last - times[0]! : 0;
  return now - last >= Math.max(RETRY_WAIT, 2.5 * gap);
}

/**
 * An exchange with a packet whose flags no TCP stack sends (track/tcp.ts craftedBits: a SYN with a
 * RST or a FIN, no flags at all, a FIN alone …): made by a scanner or a test tool, so what it shows
 * failing is no program's connection. Its outcome stays, as a warning that says why.
 */
function craftedExchange(o: Outcome, c: TcpConn): void {
  const flags = craftedFlags(c.craftedFlags, -1) ?? 'crafted';
  o.severity = 'warning';
  o.details['craftedPacket'] = { frame: c.craftedFrame, flags };
  o.limits = [...o.limits, CRAFTED_PACKET.of({ frame: c.craftedFrame, flags })];
}

/** A capture.* outcome: the capture cannot tell how this attempt went. */
const unjudged = (o: Outcome): boolean => o.cause.startsWith('capture.');

/** A multicast or broadcast destination (IPv4 224-239.x, 255.255.255.255, a .255 subnet broadcast; IPv6 ff00::/8). */
function isGroupAddress(dst: string): boolean {
  return /^(22[4-9]|23\d)\./.test(dst) || dst === '255.255.255.255' || dst.startsWith('ff') || dst.endsWith('.255');
}

/**
 * An ICMP error about a datagram sent to a multicast or broadcast group (an IGMP report, SSDP, a
 * link-local announcement sent with TTL 1 to stay on its link), other than the "too big" that
 * path MTU discovery needs. Hosts and routers must not send such errors (RFC 1122 §3.2.2, RFC
 * 4443 §2.4 e); some do (VirtualBox's NAT answers a guest's IGMP reports with TTL exceeded), and
 * no exchange failed by them: they make no verdict.
 */
function aboutGroupDatagram(e: IcmpError): boolean {
  if (e.quoted === null || !isGroupAddress(e.quoted.dst)) return false;
  return !(e.v6 ? e.type === 2 : e.type === 3 && e.code === 4);
}

/** UDP flows that never make a verdict: multicast, broadcast, service discovery, DHCP. */
function isBackgroundUdp(f: FinishedConn): boolean {
  const c = f.conn;
  if (isGroupAddress(c.resp.ip)) return true;
  const ports = [c.orig.port, c.resp.port];
  return ports.some((p) => p === 5353 || p === 5355 || p === 1900 || p === 137 || p === 138 || p === 67 || p === 68 || p === 546 || p === 547);
}

/** The outcome of the first of `rules` that applies to `s`, or null. */
function firstOutcome<S>(rules: ReadonlyArray<{ run(s: S, ctx: RuleContext): Outcome | null }>, s: S, ctx: RuleContext): Outcome | null {
  for (const rule of rules) {
    const o = rule.run(s, ctx);
    if (o !== null) return o;
  }
  return null;
}

/** The outcome of one finished connection: the first rule of the walk that applies (ok last). */
export function classify(f: FinishedConn, ctx: RuleContext): Outcome {
  return walkFrom(0, f, ctx);
}

/**
 * The first outcome of the walk from rule `from` on. An auth challenge the connection did not
 * answer (auth-retry.ts) also gets the outcome of the rest of the walk: the connection's, should
 * another connection answer the challenge.
 */
function walkFrom(from: number, f: FinishedConn, ctx: RuleContext): Outcome {
  for (let i = from; i < CONN_RULES.length; i++) {
    const o = CONN_RULES[i]!.run(f, ctx);
    if (!o) continue;
    if (o.authChallenge) o.authChallenge.otherwise = walkFrom(i + 1, f, ctx);
    return o;
  }
  throw new Error('the walk of connection rules ends with ok, which always applies');
}

export interface DiagnosisResult {
  verdicts: Verdict[];
  /** Targets that worked, listed or not (the summary's ok count). */
  worked: number;
  /** Failures over time of a verdict that stands for many targets, else null. */
  /** When a verdict that stands for many targets failed (null: its evidence tells). */
  spreadOf(v: Verdict): Spread | null;
  /** The clients of a verdict for several clients (null: its `client` tells). */
  clientsOf(v: Verdict): ClientSet | null;
}

export class Diagnosis {
  private readonly groups = new Map<string, Group>();
  /**
   * Targets (their groups' home keys) with a failure held apart as a probe before the target had a
   * group of its own: the earliest such start, watched from when the group is made (at most MAX_GROUPS).
   */
  private readonly apartFailures = new Map<string, number>();
  /** ICMP errors on DNS flows, by client ip|port|server ip|port. */
  private readonly dnsIcmp = new Map<string, IcmpError[]>();
  /** DNS transactions folded by name (addDns). */
  private readonly dns: DnsGroups;
  /** Probes held back until their traceroute is judged. */
  private readonly routes = new Traceroutes();
  /** Capture end seen so far, for rules that judge how long the capture went on. */
  private readonly ctx: DnsContext;
  /** Targets past the limits, counted by how they failed (overflow.ts). */
  private readonly overflow: Overflow;
  /** Past the limit of groups: strangers' probes held for the fold, and what got past the SYN (probes.ts). */
  private readonly beyond = new Beyond<HeldPlaced>();
  /** The capture's first time (s): the origin of the timelines. */
  private origin = Number.NaN;
  /** The timeline of a verdict that stands for many targets (a bucket of the overflow). */
  private readonly spreads = new WeakMap<Verdict, Spread>();
  /** The clients of a verdict for several clients (a bucket of the overflow past MAX_BUCKETS). */
  private readonly clientSets = new WeakMap<Verdict, ClientSet>();
  /** Attempts that ended at a RST the client drops, by 4-tuple, until its next SYN (sameAttempt). */
  private readonly droppedRst = new Map<string, DroppedRstAttempt>();
  /** Clients whose packets the capture is shown to miss (a one-sided connection of theirs), at most MAX_BLIND. */
  private readonly blindTo = new Set<string>();
  /**
   * Hosts the capture shows receiving something (a reply on a connection or flow, a DNS answer,
   * an ICMP error): a silent UDP request of theirs (udp.no_response) is one the capture could have
   * shown answered. The requests are judged when the verdicts are made, every host heard known.
   */
  private readonly heard = new Set<string>();
  /** Answers per DNS server, in all and per client (DnsContext.answersFrom); MAX_HEARD servers, and clients in all. */
  private readonly dnsAnswers = new Map<string, { all: number; to: Map<string, number> }>();
  private dnsAnswerClients = 0;
  private readonly udpRequests = new UdpRequestWatch();
  /** Echo requests by requester and host (icmp.echo_unanswered), and the hosts that answered a connection or flow. */
  private readonly pings = new PingWatch();
  private readonly answering = new Set<string>();
  /** A host was left out of `answering`: whether a pinged host answered otherwise cannot be told. */
  private answeringFull = false;
  /** The probes of each client to each server (scan.ts): port scans. */
  private readonly scans = new ScanPairs();
  /** The probes of each client to many hosts (sweep.ts): sweeps. */
  private readonly sweeps = new Sweeps();
  /** Attempts that stopped at the SYN, by server and port (flood.ts): SYN floods. */
  private readonly floods = new FloodWatch(() => this.origin);
  /**
   * Did this host, a DHCP server, offer the address close to this time (track/dhcp.ts)? Then its
   * echo request to the address was the server's conflict check, whose silence (or host
   * unreachable) is the answer it hoped for, not a failure.
   */
  private addressOffered: (server: string, address: string, ts: number) => DhcpOffer | null = () => null;
  private offeredInstead: (server: string, address: string, ts: number) => DhcpOfferOf | null = () => null;
  /** The first crafted TCP packet (track/tracker.ts craftedFlags) from a client to a server: the pair's attempts are a scanner's. */
  private craftedBy: (client: string, server: string) => CraftedPacket | undefined = () => undefined;
  /** The client's burst of ARP requests for many addresses (track/arp.ts), if it made one: it swept its network. */
  private arpSweepOf: (client: string) => ArpSweep | undefined = () => undefined;

  /**
   * `keepResolved: false` when verdicts will not be asked with `all`: a name that resolved is then
   * remembered as a name only (saves memory on DNS-heavy captures), and `all` cannot list it.
   */
  constructor(o: {
    keepResolved?: boolean; hostTtl?: RuleContext['hostTtl']; nonSynSeen?: RuleContext['nonSynSeen']; recordingEnd?: (frame: number) => number;
    addressOffered?: (server: string, address: string, ts: number) => DhcpOffer | null;
    offeredInstead?: (server: string, address: string, ts: number) => DhcpOfferOf | null;
    craftedBy?: (client: string, server: string) => CraftedPacket | undefined;
    arpSweepOf?: (client: string) => ArpSweep | undefined;
  } = {}) {
    if (o.recordingEnd) this.recordingEnd = o.recordingEnd;
    if (o.addressOffered) this.addressOffered = o.addressOffered;
    if (o.offeredInstead) this.offeredInstead = o.offeredInstead;
    if (o.craftedBy) this.craftedBy = o.craftedBy;
    if (o.arpSweepOf) this.arpSweepOf = o.arpSweepOf;
    this.dns = new DnsGroups(o.keepResolved ?? true);
    const icmp = this.dnsIcmp;
    this.ctx = { captureEnd: Number.NEGATIVE_INFINITY, icmpOn: (key) => icmp.get(key) };
    // The servers' TTL baselines (tcp.reset_injected), from the tracker that feeds this diagnosis.
    if (o.hostTtl) this.ctx.hostTtl = o.hostTtl;
    if (o.nonSynSeen) this.ctx.nonSynSeen = o.nonSynSeen;
    const blind = this.blindTo;
    this.ctx.missesToward = (ip) => blind.has(ip);
    const answers = this.dnsAnswers;
    this.ctx.answersFrom = (server, client) => {
      const a = answers.get(server);
      return { all: a?.all ?? 0, toClient: a?.to.get(client) ?? 0 };
    };
    this.overflow = new Overflow(() => this.origin);
  }

  /**
   * Hosts an ARP reply was sent to (track/tracker.ts arp): the capture shows packets toward them,
   * as an answer to a connection or a query does (heard). Given before the verdicts are made.
   */
  heardArp(ips: Iterable<string>): void {
    for (const ip of ips) if (this.heard.size < MAX_HEARD) this.heard.add(ip);
  }

  /** The capture's first packet time (s), once: the origin of the summary's timeline. */
  begin(ts: number): void {
    if (Number.isNaN(this.origin)) this.origin = ts;
  }

  /** The capture time so far (s): rules judging silence compare with it. */
  setNow(now: number): void {
    // A time no report can write (a wild timestamp) is no end: waits would be years.
    if (isReportableTime(now) && now > this.ctx.captureEnd) this.ctx.captureEnd = now;
  }

  /**
   * Called for every finished connection, in finishing order. When the recording that holds the
   * connection's last packet ended sooner than `now` (a break between recordings came after it,
   * clock.ts RECORDING_BREAK: the constructor's `recordingEnd`), its silence is judged up to there.
   */
  add(f: FinishedConn, name: string | null, now: number): void {
    this.setNow(now);
    const c = f.conn;
    // (Sets of addresses the connection already holds: no string is made per connection.)
    if ((c.resp.pkts > 0 || f.icmp.length > 0) && this.heard.size < MAX_HEARD) this.heard.add(c.orig.ip);
    if (c.resp.pkts > 0 && !this.answeringFull) {
      if (this.answering.size < MAX_HEARD) this.answering.add(c.resp.ip);
      else if (!this.answering.has(c.resp.ip)) this.answeringFull = true;
    }
    if (c.transport === 'udp') {
      // A request/response service's requests, gathered by client and server (udp.no_response).
      this.udpRequests.offer(f, name);
      // Otherwise, without an ICMP error a UDP flow (a DNS query's, most often) makes no verdict:
      // nothing to look at.
      if (f.icmp.length === 0) return;
      if (isBackgroundUdp(f)) return;
      // Only errors about the client's own datagrams say something failed. An error sent about a
      // datagram from the server (the client's side refusing a late or duplicate reply: it had
      // stopped listening) shows the server did answer.
      const aboutClient = f.icmp.filter((e) => quotesOriginator(e, c));
      if (c.resp.port === 53 || c.orig.port === 53) {
        // DNS is judged by name: the errors go to the name's transactions.
        if (aboutClient.length) this.dnsIcmp.set(flowKey(c.orig, c.resp), aboutClient);
        return;
      }
      // UDP tells nothing about success: only ICMP-reported failures make a verdict (and no rule
      // judges a UDP flow without an ICMP error).
      if (aboutClient.length === 0) return;
    }
    const o = classify(f, this.judgedUpTo(c.lastFrame));
    // Flags no stack sends (a scanner's, a test tool's): no program's connection failed.
    if (c.transport === 'tcp' && (c as TcpConn).craftedFrame !== 0 && o.severity === 'error') craftedExchange(o, c as TcpConn);
    // (Not a slice: a connection joined in its middle whose ACKs never moved, such as a late
    // retransmission of a FIN after its connection ended, shows nothing the server sent was missed.)
    if (o.cause === 'capture.one_sided' && o.details['seen'] === 'client_only' && o.facts['slice'] !== true && this.blindTo.size < MAX_BLIND) this.blindTo.add(c.orig.ip);
    if (c.transport === 'udp' && o.cause === 'ok') return;
    const p = this.attempt(f, o, name);
    // What the connection is to the scan watch: a probe (its handshake never completed), or one
    // that completed, which matters only to a pair of probes already seen.
    // A completed connection that failed is asked too: it may be a scanner's (a service that closes
    // at once after the handshake, a version probe answered with an error), even before its pair's probes.
    if (c.transport === 'tcp' && ((c as TcpConn).ackFrame === 0 || o.cause !== 'ok' || this.scans.get(c.orig.ip, c.resp.ip) !== undefined)) {
      // A SYN-ACK without the handshake's ACK proves nothing in a capture of connection openings only.
      const probe = probeOf(f, this.ctx.nonSynSeen === undefined || this.ctx.nonSynSeen());
      if (probe !== null) p.probe = probe;
      else {
        const ack = ackProbeOf(c as TcpConn);
        if (ack !== null) p.ackProbe = ack;
      }
    }
    if (c.transport === 'tcp' && this.sameAttempt(c, p)) return;
    if (this.routes.offer(f, p)) return;
    this.place(p);
  }

  /**
   * A SYN whose only answers were RSTs the client's stack drops (tcp.syn_unanswered with
   * details.ignoredRsts): the tracker ends the connection at the RST, as Zeek does, so the client's
   * next copy of the same SYN (same ISN: it was still waiting) starts another. That one tells the
   * attempt, with the dropped RSTs; the first is held (at most MAX_DROPPED_RST) until it comes.
   * True when `p` was held.
   */
  private sameAttempt(c: TcpConn, p: Placed): boolean {
    // (The key is built only when an attempt is held or would be: most connections are neither.)
    let key: string | null = null;
    const before = this.droppedRst.size === 0 ? undefined : this.droppedRst.get(key = `${c.orig.ip}|${c.orig.port}|${c.resp.ip}|${c.resp.port}`);
    if (before !== undefined && key !== null) {
      this.droppedRst.delete(key);
      const again = c.synFrames.length > 0 && c.orig.startSeq === before.isn && c.start - before.p.start <= SAME_ATTEMPT_SECONDS;
      if (!again) this.place(before.p);
      else if (p.o.details['ignoredRsts'] === undefined) {
        p.o.details['ignoredRsts'] = ignoredRstsDetail(before.count, before.first);
        const rst = proof(IGNORED_RST, before.first.frame, before.first.ts, way(c, false), { hasAck: before.first.hasAck });
        if (p.o.cause === 'tcp.syn_unanswered') {
          p.o.facts['rstFrame'] = before.first.frame;
          // The first SYN and the dropped RST are of this attempt: its evidence, in frame order.
          p.o.evidence = [...before.p.o.evidence.filter((e) => e.kind === 'syn'), rst, ...p.o.evidence].sort((a, b) => a.frame - b.frame);
        } else {
          // Whatever came of it (a SYN-ACK to the SYN sent again): the dropped RST is shown with it.
          p.o.evidence = [rst, ...p.o.evidence].sort((a, b) => a.frame - b.frame);
        }
      }
    }
    // Only a SYN the capture saw answered by dropped RSTs alone, then sent again on the same 4-tuple.
    if (c.finishReason !== 'reused' || !noSynAck(c) || c.rsts.some((r) => r.fromOrig)) return false;
    const drops = droppedRsts(c);
    if (drops === null || drops.first === undefined) return false;
    key ??= `${c.orig.ip}|${c.orig.port}|${c.resp.ip}|${c.resp.port}`;
    if (this.droppedRst.size >= MAX_DROPPED_RST) {
      // Past the limit the oldest is told on its own.
      const [k, v] = this.droppedRst.entries().next().value as [string, DroppedRstAttempt];
      this.droppedRst.delete(k);
      this.place(v.p);
    }
    this.droppedRst.set(key, { p, isn: c.orig.startSeq, count: drops.count, first: drops.first });
    return true;
  }

  /** An ICMP flow (echo requests and their replies tell whether a traceroute got through). */
  addIcmpFlow(c: IcmpConn, name: string | null = null): void {
    this.routes.addIcmpFlow(c);
    this.pings.offer(c, name);
    if (c.resp.pkts > 0 && this.heard.size < MAX_HEARD) this.heard.add(c.orig.ip);
  }

  /**
   * What a group needs of one finished connection, copied out of it now: the tracker reuses the
   * connection object once this call returns.
   */
  private attempt(f: FinishedConn, o: Outcome, name: string | null): Placed {
    const c = f.conn;
    let target: Target;
    const connect = f.http?.exchanges.find((e) => e.method === 'CONNECT');
    const m = connect ? /^\[?([^\]]+?)\]?:(\d+)$/.exec(connect.target) : null;
    if (m) {
      // Through a proxy the target is the CONNECT authority; the proxy resolves it.
      target = { name: m[1]!, ip: null, port: Number(m[2]), transport: 'tcp' };
      o.details['proxy'] = { ip: c.resp.ip, port: c.resp.port };
    } else target = { name, ip: c.resp.ip, port: c.resp.port, transport: c.transport };
    const l = f.lines;
    const syn = c.transport === 'tcp' ? synStage(c as TcpConn, this.ctx.captureEnd) : undefined;
    return {
      o, target, client: c.orig.ip, ip: c.resp.ip, start: c.start, firstFrame: c.firstFrame, dnsOverTcp: c.transport === 'tcp' && c.resp.port === 53,
      retries: credentialedRequests(f.http?.exchanges),
      ...(l && (l.loginsRefused > 0 || l.loginAccepted !== null) ? { logins: { refused: l.loginsRefused, accepted: l.loginAccepted } } : {}),
      ...(syn !== undefined ? { syn } : {}),
    };
  }

  /** A connection's outcome, into its target's group. */
  private place(p: Placed): void {
    const { o, target, client } = p;
    if (p.syn !== undefined && target.port !== null) this.floods.offer(p.ip, target.port, client, p.start, p.syn, this.ctx.captureEnd);
    if (p.dnsOverTcp && o.cause === 'ok') return;
    // DNS over TCP held from the server's side only: its answers are judged by name, with the DNS.
    if (p.dnsOverTcp && o.cause === 'capture.one_sided' && o.details['seen'] === 'server_only') return;
    // A port scan's probe: counted by its client and server's pair; told by the scan (not placed)
    // once the pair is sure to be one, else kept apart until the verdicts are made.
    const pair = p.probe === undefined ? null : this.scanPair(p, p.probe);
    // A scanner's connection that completed its handshake (scanConnection) is held apart as well.
    const conn = pair !== null && p.probe!.role !== 'probe';
    if (pair !== null && pair.confirmed && (!conn || withinScan(pair, p.start, p.start))) return;
    // A probe is also one of its client's sweep of many hosts (sweep.ts).
    let sweep = pair !== null && !conn ? this.sweepOf(p, p.probe!) : null;
    // Only a probe from the scanner's own source port (one that served many hosts) is the sweep's:
    // a program's attempt beside it, from a port of its own, keeps its verdict.
    if (sweep !== null && sweep.confirmed && sweep.scannerPort(p.probe!.sport)) return;
    // A bare ACK probe (host discovery: nmap -sn's ACK to port 80) is its client's sweep's when it
    // left from the scanner's source port; held apart until the verdicts when not sure yet.
    const ack = p.ackProbe;
    if (ack !== undefined) {
      sweep = this.sweeps.take(client);
      if (sweep !== null) {
        sweep.ackProbe(ack);
        if (sweep.confirmed && sweep.scannerPort(ack.sport)) return;
      }
    }
    const apart = pair !== null || (ack !== undefined && sweep !== null);
    // One story per client: another client's attempts to the same server are its own.
    const home = `${target.transport}|${target.name ?? target.ip}|${target.port}|${client}`;
    const key = !apart ? home : `${home}|${conn ? 'conn' : 'probe'}|${p.ip}`;
    let g = this.groups.get(key);
    if (!g && this.groups.size >= MAX_GROUPS) {
      // Past the limit a new target is counted with those that ended the same way (a scanner's
      // connection as any: its time cannot be compared with its scan's there); a stranger's probe
      // of a host is held for the fold of its host's probes first (probes.ts Beyond).
      const probesOf = conn ? null : pair;
      if (target.transport === 'tcp' && target.ip !== null && target.port !== null) {
        const syn = p.syn;
        if (!conn && syn !== undefined && isProbe(syn)) {
          const held = { target, client, syn, firstFrame: p.firstFrame, ts: p.start, o };
          // (By its target's home key, probe held apart or not: its attempts reach the buckets in order.)
          if (this.beyond.hold(home, held, { p, home, pair: probesOf, sweep })) return;
        } else this.beyond.connected(target.ip, target.port, client);
        for (const q of this.beyond.release(home)) this.toOverflow(q.p, q.home, q.pair);
      }
      this.toOverflow(p, home, probesOf);
      return;
    }
    if (!g) {
      g = {
        key, target, client, conns: 0, failed: 0, unjudged: 0, worked: 0, firstFrame: p.firstFrame, firstTs: p.start, lastTs: p.start,
        kept: [], last: null, lastUnjudged: null, lastTransferFailure: null, lastWarning: null, loginsRefused: 0, lastLoginFailure: null, lastLoginOk: null, firstRefusedStart: Number.NaN, synStopped: 0, probes: 0, probesRefused: 0, probesWatched: 0, probesUnresent: 0, firstFailed: null, watchFrom: null, recovery: null, ips: new Set(), notes: [], held: [], retries: [],
        ...(apart ? { probesOf: { pair, sweep, sports: [], home, conns: conn } } : {}),
      };
      this.groups.set(key, g);
      const w = apart ? undefined : this.apartFailures.get(home);
      if (w !== undefined) {
        g.watchFrom = w;
        this.apartFailures.delete(home);
      }
    }
    // The source ports of the probes held (a sweep tells them when each is the scanner's).
    const sports = g.probesOf?.sports;
    const sport = p.probe?.sport ?? p.ackProbe?.sport;
    if (sports !== undefined && sport !== undefined && !sports.includes(sport)) sports.push(sports.length < MAX_HELD_SPORTS ? sport : -1);
    if (p.retries.length > 0) {
      for (const r of p.retries) {
        if (g.retries.length >= MAX_RETRIES) g.retries.shift();
        g.retries.push(r);
      }
      // Challenges held so far may be answered now.
      const held = g.held;
      g.held = [];
      for (const h of held) settle(g, h);
    }
    settle(g, p);
    // A failure held apart is watched for in its target's own group: the success after it is told
    // there, should the failure come back to it.
    if (apart && o.severity === 'error') {
      const h = this.groups.get(home);
      if (h !== undefined) watch(h, p.start);
      else if (this.apartFailures.size < MAX_GROUPS && !((this.apartFailures.get(home) ?? Infinity) <= p.start)) this.apartFailures.set(home, p.start);
    }
  }

  /** One attempt past the limit of groups, into the buckets (overflow.ts); `probesOf`: the scan pair of a probe kept apart. */
  private toOverflow(p: Placed, home: string, probesOf: ScanPair | null): void {
    const o = p.o;
    this.overflow.add(o, unjudged(o) ? 'warning' : o.severity, p.target, p.client, p.ip, home, p.firstFrame, p.start, probesOf, p.syn?.stopped === true);
  }

  /**
   * The scan watch's part of a finished TCP connection: a probe is counted in its pair, and the
   * pair returned (null: not a probe of a scan, placed as any connection); a connection that
   * completed its handshake is noted in its pair, when the pair exists.
   */
  private scanPair(p: Placed, pr: ProbeInfo): ScanPair | null {
    if (pr.role !== 'probe') return this.scanConnection(p, pr);
    // A SYN sent again and again from a port of its own: a program's stack backing off, not a probe
    // (unless the client sent this server packets no stack makes: a scanner's, resending its own).
    const crafted = this.craftedBy(p.client, p.ip);
    if (crafted === undefined && pr.syns >= PERSISTENT_SYNS && !(this.scans.get(p.client, p.ip)?.sharesSourcePort(pr.sport, pr.dport) ?? false)) return null;
    const pair = this.scans.take(p.client, p.ip);
    if (pair === null) return null;
    if (crafted !== undefined) pair.crafted ??= crafted;
    if (pair.probe(pr, this.scans.maps)) {
      seeBurst(pair);
      if (!pair.confirmed && sureScan(pair)) pair.confirmed = true;
    }
    return pair;
  }

  /** A probe, counted in its client's sweep (sweep.ts); the sweep returned, or null past the bounds. */
  private sweepOf(p: Placed, pr: ProbeInfo): Sweep | null {
    const s = this.sweeps.take(p.client);
    if (s === null) return null;
    // A probe of a host the client had just asked ARP for among many (its ARP sweep): the sweep is
    // proven by that, whatever its source ports (a connect sweep's: nmap -sn without privileges).
    if (s.arp === null) {
      const a = this.arpSweepOf(p.client);
      if (a !== undefined && inArpSweep(a, p.ip, pr.synTs)) s.arp = a;
    }
    if (s.probe(p.ip, pr, this.sweeps.budget)) {
      seeSweepBurst(s);
      if (!s.confirmed && sureSweep(s)) s.confirmed = true;
    }
    return s;
  }

  /**
   * A connection that completed its handshake, to the scan watch: noted in its client and server's
   * pair (its port is open; a session's span; a scanner's probe), and the pair returned when the
   * connection is held apart, to be told by the scan should the pair be one (settleScans): one that
   * failed (an outcome other than ok), on a port the pair saw open, in which the client sent nothing
   * (a connect scan's connection, version detection's wait for a banner, a service that closes at
   * once: nmap's tcpwrapped) or a scanner's probe (scan.ts scannerProbe), not too long before or
   * after the pair's probes (withinScan). A program's session (payload of its own) never is.
   */
  private scanConnection(p: Placed, pr: ProbeInfo): ScanPair | null {
    const failed = p.o.cause !== 'ok';
    const scanners = pr.role === 'connected' || pr.scannerPayload;
    let pair = this.scans.get(p.client, p.ip) ?? null;
    // A failed connection of the scanner's kind makes its pair (the probes may come later).
    if (pair === null && failed && scanners) pair = this.scans.take(p.client, p.ip);
    if (pair === null) return null;
    if (pr.role === 'connected') pair.connect(pr, this.scans.maps);
    else if (!pr.scannerPayload) pair.session(pr);
    // Long after (or before) the probes the pair has so far: not the scan's.
    if (!scanners || !pair.isOpen(pr.dport) || (pair.probes > 0 && !withinScan(pair, p.start, p.start))) return null;
    if (pr.scannerPayload) pair.probeSession(pr);
    if (!failed) return null;
    if (p.o.cause === 'tcp.closed_at_once') pair.closedAtOnceOn(pr.dport);
    return pair;
  }

  /** The outcome of the first of `rules` that applies to `s` (requests gathered over flows: span.ts), placed as an attempt to `target`. */
  private placeFirst<S extends Span>(rules: ReadonlyArray<{ run(s: S, ctx: RuleContext): Outcome | null }>, s: S, target: Target, client: string): void {
    const o = firstOutcome(rules, s, this.ctx);
    if (o !== null) this.place({ o, target, client, ip: target.ip!, start: s.first.ts, firstFrame: s.first.frame, dnsOverTcp: false, retries: [] });
  }

  /**
   * A verdict for many probes (a scan, a sweep) into `out`, its timeline from its first probe; false
   * when there is none.
   */
  private tellSpan(v: Verdict | null, s: { firstTs: number; lastTs: number; first: { frame: number } | null }, out: Array<{ v: Verdict; first: number }>): boolean {
    if (v === null) return false;
    const line = new Timeline(this.origin);
    line.add(s.firstTs);
    this.spreads.set(v, { first: s.firstTs, last: s.lastTs, line });
    out.push({ v, first: s.first!.frame });
    return true;
  }

  /**
   * The port scans (SCAN_RULES over each pair of probes) as verdicts into `out`; the probes kept
   * apart (groups and buckets) are told by their scan, or put back with their targets' other
   * attempts when their pair is no scan.
   */
  private settleScans(out: Array<{ v: Verdict; first: number }>): void {
    const scanned = new Set<ScanPair>();
    for (const s of this.scans.values()) if (this.tellSpan(scanVerdict(s, this.ctx), s, out)) scanned.add(s);
    // The sweeps (SWEEP_RULES over each client's probes of many hosts).
    const swept = new Set<Sweep>();
    for (const s of this.sweeps.values()) if (this.tellSpan(sweepVerdict(s, this.ctx), s, out)) swept.add(s);
    for (const [k, g] of this.groups) {
      const of = g.probesOf;
      if (of === undefined) continue;
      this.groups.delete(k);
      // A scanner's connections are the scan's when they came while it went on (withinScan).
      if (of.pair !== null && scanned.has(of.pair) && (!of.conns || withinScan(of.pair, g.firstTs, g.lastTs))) continue;
      // Swept: every probe of the target from a source port of the scanner's.
      if (of.sweep !== null && swept.has(of.sweep) && of.sports.every((sp) => of.sweep!.scannerPort(sp))) continue;
      delete g.probesOf;
      const home = this.groups.get(of.home);
      if (home !== undefined) mergeGroups(home, g);
      else {
        g.key = of.home;
        this.groups.set(of.home, g);
      }
    }
    this.overflow.settleProbes((pair) => scanned.has(pair as ScanPair));
    // Probes held past the limit of groups, by the same rules.
    this.beyond.settle(
      ({ pair, sweep, p }) => (pair !== null && scanned.has(pair)) || (sweep !== null && swept.has(sweep) && p.probe !== undefined && sweep.scannerPort(p.probe.sport)),
      (q) => this.toOverflow(q.p, q.home, null),
    );
  }

  /** One answer of a DNS server to a client; past MAX_HEARD servers (or clients in all), only those already counted. */
  private countAnswer(server: string, client: string): void {
    let a = this.dnsAnswers.get(server);
    if (a === undefined) {
      if (this.dnsAnswers.size >= MAX_HEARD) return;
      a = { all: 0, to: new Map() };
      this.dnsAnswers.set(server, a);
    }
    a.all++;
    const n = a.to.get(client);
    if (n !== undefined) a.to.set(client, n + 1);
    else if (this.dnsAnswerClients < MAX_HEARD) {
      a.to.set(client, 1);
      this.dnsAnswerClients++;
    }
  }

  /** One finished DNS transaction, folded into its name's group. */
  addDns(t: DnsTransaction): void {
    if (t.responseTime !== null) {
      if (this.heard.size < MAX_HEARD) this.heard.add(t.client.ip);
      this.countAnswer(t.server.ip, t.client.ip);
    }
    // A message that is no lookup (a dynamic update, a NOTIFY: its "question" is a zone) is not
    // judged with the name's lookups; a refused update is told on its own (dns.update_refused).
    if (t.opcode !== 0) {
      this.setNow(t.responseTime ?? t.queryTimes[t.queryTimes.length - 1] ?? 0);
      const o = t.query === null ? null : firstOutcome(DNS_UPDATE_RULES, t, this.ctx);
      if (o !== null) {
        const target: Target = { name: nameText(t.query!), ip: null, port: null, transport: t.transport };
        this.place({ o, target, client: t.client.ip, ip: t.server.ip, start: t.queryTimes[0] ?? t.responseTime ?? 0, firstFrame: t.queryFrames[0] ?? t.responseFrame ?? 0, dnsOverTcp: false, retries: [] });
      }
      return;
    }
    const held = this.dns.addHeld(t);
    if (held === HELD) return;
    // Past the limit of names: judged alone by the same rules, and counted (overflow.ts).
    const q = t.queryTimes[t.queryTimes.length - 1] ?? t.responseTime ?? 0;
    // Resolved (and remembered by addHeld, names not kept): no group needed.
    if (held === RESOLVED_ALONE) {
      this.setNow(q);
      return;
    }
    const g = DnsGroups.single(t);
    if (g === null) return;
    this.setNow(q);
    if (g.resolved) {
      this.dns.resolvedAlone(g);
      if (this.dns.keepsResolved) this.overflow.add(dnsOutcome(g, 'ok', {}, {}, 'ok'), 'ok', this.dnsTarget(g), t.client.ip, t.server.ip, `dns|${g.key}`, g.firstFrame, q);
      return;
    }
    const o = this.dnsOutcome(g);
    if (o === null) return;
    this.overflow.add(o, dnsSeverity(g, o), this.dnsTarget(g), t.client.ip, t.server.ip, `dns|${g.key}`, g.firstFrame, t.queryTimes[0] ?? q);
  }

  private dnsTarget(g: DnsGroup): Target {
    return { name: nameText(g.first[0]!.query!), ip: null, port: null, transport: g.allTcp ? 'tcp' : 'udp' };
  }

  /**
   * The verdicts. `dns`: transactions not given to addDns yet (all of them, for a caller that kept
   * them; none when they were added as they finished).
   */
  verdicts(dns: DnsTransaction[], orphanIcmp: IcmpError[], captureEnd: number, all: boolean): Verdict[] {
    return this.result(dns, orphanIcmp, captureEnd, all).verdicts;
  }

  /**
   * The verdicts (errors, then warnings, then — with `all` — what worked; each in the order of its
   * first frame), how many targets worked (listed or not), and the timeline of verdicts that stand
   * for many targets.
   */
  result(dns: DnsTransaction[], orphanIcmp: IcmpError[], captureEnd: number, all: boolean): DiagnosisResult {
    this.setNow(captureEnd);
    for (const t of dns) this.addDns(t);
    for (const x of this.droppedRst.values()) this.place(x.p);
    this.droppedRst.clear();
    // UDP services that never answered clients the capture shows receiving (not one-sided toward them).
    for (const s of this.udpRequests.values()) {
      if (!this.heard.has(s.client) || this.blindTo.has(s.client)) continue;
      this.placeFirst(UDP_REQUEST_RULES, s, { name: s.name, ip: s.server, port: s.port, transport: 'udp' }, s.client);
    }
    this.udpRequests.clear();
    let worked = this.overflow.okTargets;
    // Traceroutes first: what is not one goes back to the rules.
    // A DHCP server's pings of an address it then offered are its conflict check (dhcp-check.ts).
    const checks = new DhcpChecks();
    const orphans = orphanIcmp.filter((e) => {
      if (aboutGroupDatagram(e)) return false;
      const offer = quotesEchoRequest(e) ? this.addressOffered(e.quoted!.src, e.quoted!.dst, e.ts) : null;
      if (offer !== null) checks.error(e, offer);
      return offer === null && !this.routes.offerOrphan(e);
    });
    const { routes, back } = this.routes.judge();
    for (const h of back) {
      if (h.placed) this.place(h.placed);
      else if (h.orphan) orphans.push(h.orphan);
    }
    // Pings that got no reply (icmp.echo_unanswered): not those an ICMP error answered (the ICMP
    // rules tell them), a traceroute's, or to a host that answered anything else (it is up: ICMP
    // is filtered, for this client at least).
    const pingErrors = new Set<string>();
    for (const e of orphanIcmp) if (e.quoted !== null && (e.quoted.proto === 1 || e.quoted.proto === 58)) pingErrors.add(`${e.quoted.src}|${e.quoted.dst}`);
    for (const p of this.pings.values()) {
      // A sweep's host discovery pings its hosts (nmap -sn: an echo request, a SYN to 443, an ACK
      // to 80): the silent ones are counted with the sweep, not told one by one.
      const sweep = p.answered ? undefined : this.sweeps.get(p.client);
      if (sweep !== undefined && (sweep.confirmed || sureSweep(sweep)) && (sweep.has(p.host) || sweep.atMost)) {
        sweep.pinged(p.requests);
        continue;
      }
      const pair = `${p.client}|${p.host}`;
      const group = isGroupAddress(p.host);
      const target: Target = { name: p.name, ip: p.host, port: null, transport: 'icmp' };
      if (p.answered) {
        // A DHCP server's ping of an address answered, and another address offered instead: a
        // host uses an address of the server's pool (dhcp.address_in_use).
        const instead = group ? null : this.offeredInstead(p.client, p.host, p.first.ts);
        if (instead !== null) {
          p.dhcpInstead = instead;
          this.placeFirst(PING_RULES, p, target, p.client);
          continue;
        }
        // Pings partly lost (icmp.echo_loss): the host answered, so nothing else of it matters; a
        // traceroute's probes, or pings an ICMP error answered, are not lost.
        if (p.lostCount > 0 && !pingErrors.has(pair) && !this.routes.towards(p.client, p.host) && !group) {
          this.placeFirst(PING_RULES, p, target, p.client);
        }
        continue;
      }
      const offer = this.addressOffered(p.client, p.host, p.first.ts);
      if (offer !== null) {
        checks.pinged(p, offer);
        continue;
      }
      if (this.answeringFull || !this.heard.has(p.client) || this.blindTo.has(p.client) || this.answering.has(p.host) || pingErrors.has(pair) || this.routes.towards(p.client, p.host) || group) continue;
      this.placeFirst(PING_RULES, p, target, p.client);
    }
    this.pings.clear();
    const out: Array<{ v: Verdict; first: number }> = [];
    for (const r of routes) {
      worked++;
      const probes = (r.o.details['traceroute'] as { probes: number }).probes;
      out.push({ v: build({ name: null, ip: r.dst, port: null, transport: r.transport }, r.client, r.o, 'ok', probes, { ...r.o.details }), first: r.firstFrame });
    }
    for (const k of checks.outcomes()) {
      worked++;
      if (all) out.push({ v: build({ name: null, ip: k.address, port: null, transport: 'icmp' }, k.server, k.o, 'ok', k.o.attempts, { ...k.o.details }), first: k.firstFrame });
    }
    const connNames = new Set<string>();
    // The names each client connected to (client|name): it had an address for them; when its
    // attempts started (the first and the latest start, s), and to which address families.
    const connectedTo = new Map<string, Connected>();
    for (const g of this.groups.values()) {
      if (!g.target.name) continue;
      const n = g.target.name.toLowerCase();
      connNames.add(n);
      if (g.client === null) continue;
      const k = dnsKey(g.client, n);
      const v6 = g.target.ip !== null && g.target.ip.includes(':');
      const at = connectedTo.get(k);
      if (at === undefined) connectedTo.set(k, { first: g.firstTs, last: g.lastTs, v4: !v6, v6 });
      else {
        if (g.firstTs < at.first) at.first = g.firstTs;
        if (g.lastTs > at.last) at.last = g.lastTs;
        if (v6) at.v6 = true;
        else at.v4 = true;
      }
    }
    const dnsOut = this.dnsVerdicts(connNames, connectedTo, all);
    worked += dnsOut.worked;
    for (const x of dnsOut.list) out.push(x);
    // Auth challenges no other connection answered: failures as they stand.
    for (const g of this.groups.values()) {
      for (const h of g.held) count(g, h);
      g.held = [];
    }
    this.settleScans(out);
    const groups = unnamedIntoNamed(this.dualStackGroups());
    // Once a host's two addresses are one target: SYNs it left for the other address (Happy Eyeballs).
    for (const g of groups) if (g.unjudged > 0) judgeLeftSyns(g);
    // SYN floods: one verdict each; the attempts of their sources are told by it.
    const flooded = new Set<string>();
    for (const t of this.floods.floods()) {
      const v = this.floodVerdict(t);
      if (v === null) continue;
      flooded.add(`${t.ip}|${t.port}`);
      out.push({ v, first: t.firstFrame });
    }
    const inFlood = (g: { synStopped: number; conns: number; target: { ip: string | null; port: number | null } }): boolean => flooded.size > 0 && g.synStopped === g.conns && flooded.has(`${g.target.ip}|${g.target.port}`);
    // Strangers' probes of a host (probes.ts): one verdict for the host; its groups are told by it.
    // (With the probes held past the limit of groups: those folded are told by the fold, the others
    // go to the buckets.)
    const probed = new Set<ProbeGroup>();
    const candidates: Array<Group | HeldProbes<HeldPlaced>> = groups.filter((g) => !inFlood(g));
    for (const h of this.beyond.pairs()) if (!inFlood(h)) candidates.push(h);
    for (const h of probedHosts(candidates, this.origin, this.beyond)) {
      const v = this.probesVerdict(h);
      if (v === null) continue;
      for (const g of h.groups) probed.add(g);
      out.push({ v, first: h.first.firstFrame });
    }
    for (const q of this.beyond.drain((h) => probed.has(h))) this.toOverflow(q.p, q.home, null);
    // Verdicts that worked are left out unless all are asked for: not built at all.
    for (const g of groups) {
      if (inFlood(g) || probed.has(g)) continue;
      const ok = groupSeverity(g) === 'ok';
      if (ok) worked++;
      if (all || !ok) out.push({ v: this.groupVerdict(g), first: g.firstFrame });
    }
    // Errors alone about packets forged in one address's name (forged.ts): one verdict for it.
    const clients = new Set<string>();
    for (const g of groups) if (g.client !== null) clients.add(g.client);
    const { forged, rest } = orphans.length < FORGED_ERRORS ? { forged: [], rest: orphans } : forgedSources(orphans, (ip) => clients.has(ip) || this.dns.hasClient(ip), this.origin);
    // (A source no rule tells keeps its errors, each told alone.)
    const untold = new Set<string>();
    for (const f of forged) {
      const v = this.forgedVerdict(f);
      if (v !== null) out.push({ v, first: f.first.frame });
      else untold.add(f.ip);
    }
    if (untold.size > 0) for (const e of orphans) if (e.quoted !== null && untold.has(e.quoted.src)) rest.push(e);
    // The errors alone, by target, sender and type: one verdict each (orphans.ts).
    for (const g of gatherOrphans(rest)) {
      const v = this.icmpOnlyVerdict(g);
      if (v) out.push({ v, first: g.first.frame });
    }
    for (const b of this.overflow.values()) {
      // A bucket of one flooded target, ended at the SYN (its sources past MAX_GROUPS): the flood's.
      if (flooded.size > 0 && b.allSynStopped && b.oneIp !== null && flooded.has(`${b.oneIp}|${b.onePort}`)) continue;
      out.push({ v: this.bucketVerdict(b), first: b.firstFrame });
    }
    // What the silences rest on, every connection known. One way only: no answer, reply or ICMP
    // error came to any client (a host that answered a dual-stack client on its other address
    // counts: the capture holds the way back).
    const oneWay = this.heard.size === 0 && orphanIcmp.length === 0;
    for (const x of out) this.silence(x.v, oneWay);
    const rank = (s: Severity): number => (s === 'error' ? 0 : s === 'warning' ? 1 : 2);
    // A host's ports merged: when they failed, from each part's spread or its evidence.
    const onMerge = (m: Verdict, parts: readonly Verdict[]): void => {
      const all: Spread[] = [];
      for (const p of parts) {
        const one = this.spreads.get(p) ?? evidenceSpread(p.evidence, this.origin);
        if (one) all.push(one);
      }
      if (all.length > 0) this.spreads.set(m, joinSpreads(this.origin, all));
    };
    const verdicts = mergePorts(out, onMerge)
      .filter((x) => all || x.v.severity !== 'ok')
      .sort((a, b) => rank(a.v.severity) - rank(b.v.severity) || a.first - b.first)
      .map((x) => x.v);
    return { verdicts, worked, spreadOf: (v) => this.spreads.get(v) ?? null, clientsOf: (v) => this.clientSets.get(v) ?? null };
  }

  /**
   * An unanswered SYN or lookup, once the verdicts are made (a connection can show the capture one-sided
   * after the SYN's attempt ended):
   * - a SYN from a client the capture is shown to miss packets toward (a connection of it held only
   *   its own side: blindTo) proves no silence, the SYN-ACK may have come unseen: a warning, as
   *   dns.no_response says of such a client's queries;
   * - in a capture whose every packet goes one way (`oneWay`), a failure that stands says what it
   *   rests on: NOTHING_TOWARD_CLIENT, details.nothingTowardClient. It stands when the client sent
   *   its SYN or query again: it waited, and no answer came that it took. One sent once and never
   *   again (a rule judged the wait long enough for a retry: a kernel resends a SYN after 1 s, a
   *   resolver library its query after 1 to 5 s) shows no waiting, and nothing in the capture shows
   *   the way back: a lone packet (a test file's, a scanner's, a program's that gave up at once) or
   *   one whose answer was not captured. A warning then, details.sentOnce (tcpdump's
   *   scps_invalid.pcap, Zeek's ticks-dns.pcap and rotation.pcap: stray packets, nothing else).
   */
  private silence(v: Verdict, oneWay: boolean): void {
    const client = v.client.ip;
    if ((v.cause !== 'tcp.syn_unanswered' && v.cause !== 'dns.no_response') || v.severity !== 'error' || client === null) return;
    if (v.cause === 'tcp.syn_unanswered' && this.blindTo.has(client)) {
      v.severity = 'warning';
      v.details['captureMissesClient'] = true;
      v.limits = [...v.limits, MISSES_CLIENT.of({ client })];
    } else if (oneWay) {
      v.details['nothingTowardClient'] = true;
      // (A SYN the client reset itself is judged by when it did: tcp.syn_unanswered's clientAborted.)
      // (A lookup's queries of other types are no retries: only the same question asked again is.)
      const once = v.cause === 'tcp.syn_unanswered' ? v.details['syns'] === 1 && v.details['clientAborted'] !== true
        : v.facts['askedAgain'] === false || v.details['queries'] === 1;
      if (once && typeof v.facts['waited'] === 'number') {
        // (Its words say what the limit would.)
        v.severity = 'warning';
        v.details['sentOnce'] = true;
      } else v.limits = [...v.limits, NOTHING_TOWARD_CLIENT.of({ client })];
    }
  }

  /** ICMP errors about packets forged in one address's name (forged.ts), as one verdict: for several clients, the errors' senders. */
  private forgedVerdict(f: ForgedSource): Verdict | null {
    const o = firstOutcome(FORGED_RULES, f, this.ctx);
    if (o === null) return null;
    const transport = f.first.quoted?.proto === 6 ? 'tcp' : f.first.quoted?.proto === 17 ? 'udp' : 'icmp';
    return this.forSeveral(o, { name: null, ip: f.ip, port: null, transport }, f.senders, f.atLeast, f.first.from, { first: f.first.ts, last: f.lastTs, line: f.line });
  }

  /** Strangers' probes of one host (probes.ts) as one verdict: for several clients, the probing addresses. */
  private probesVerdict(h: ProbedHost<ProbeGroup>): Verdict | null {
    const o = firstOutcome(PROBES_RULES, h, this.ctx);
    if (o === null) return null;
    return this.forSeveral(o, { name: null, ip: h.ip, port: null, transport: 'tcp' }, h.clients, false, h.first.client!, { first: h.first.firstTs, last: h.lastTs, line: h.line });
  }

  /** A SYN flood (flood.ts) as one verdict: for several clients, its sources. */
  private floodVerdict(t: FloodTarget): Verdict | null {
    const o = firstOutcome(FLOOD_RULES, t, this.ctx);
    if (o === null) return null;
    return this.forSeveral(o, { name: null, ip: t.ip, port: t.port, transport: 'tcp' }, t.sources, t.sourcesAtLeast, t.firstClient, { first: t.firstTs, last: t.lastTs, line: t.line });
  }

  /**
   * A verdict that stands for several clients (a flood's sources, a forged source's error senders,
   * a probed host's probers): how many (at least, past the bounds), the first of them in its words,
   * its timeline and the clients the summary counts.
   */
  private forSeveral(o: Outcome, target: Target, clients: ReadonlySet<string>, atLeast: boolean, firstClient: string, spread: Spread): Verdict {
    const details: Record<string, unknown> = { ...o.details, clients: 'several', clientCount: clients.size, ...(atLeast ? { clientsAtLeast: true } : {}) };
    const v = build(target, null, o, o.severity, o.attempts, details, { firstClient });
    this.spreads.set(v, spread);
    this.clientSets.set(v, clientSetOf(clients, atLeast));
    return v;
  }

  /** A bucket of targets that failed the same way past the limits (overflow.ts), as one verdict. */
  private bucketVerdict(b: Bucket): Verdict {
    const o = b.first;
    const details: Record<string, unknown> = { ...o.details };
    let target: Target;
    let facts: Record<string, Arg> = {};
    if (b.ports) {
      // The evidence is the first target's: one port of those counted.
      details['ports'] = { count: b.targets, examples: b.portExamples, ...(b.targets > 1 ? { withEvidence: 1 } : {}) };
      target = { name: null, ip: b.server, port: null, transport: b.transport };
      facts = { port: b.firstTarget.port };
    } else {
      details['targets'] = { count: b.targets, examples: b.examples, ...(b.upperBound ? { atMost: true } : {}) };
      target = b.firstTarget;
    }
    if (b.client === null) {
      details['clients'] = 'several';
      // The words speak of the first target (report/words.ts targetsWords): its client.
      facts['firstClient'] = b.firstClient;
    }
    // How many (the reports' "Clients" line): a lower bound when the bucket kept only some.
    if (b.clients) {
      details['clientCount'] = b.clients.size;
      if (b.clientsFull) details['clientsAtLeast'] = true;
    }
    const v = build(target, b.client, o, b.severity, b.attempts, details, facts);
    this.spreads.set(v, { first: b.firstTs, last: b.lastTs, line: b.times });
    if (b.clients) this.clientSets.set(v, { hashes: b.clients, full: b.clientsFull });
    return v;
  }

  /** The connection groups, a dual-stack host's attempts from its two addresses as one (dual-stack.ts). */
  private dualStackGroups(): Group[] {
    const pairs = dualStackPairs(this.groups.values(), (g) => (g.target.name ? `${g.target.transport}|${g.target.name.toLowerCase()}|${g.target.port}` : null), (g) => g.client);
    const gone = new Set<Group>();
    for (const [a, b] of pairs) {
      const [keep, other] = a.firstFrame <= b.firstFrame ? [a, b] : [b, a];
      mergeGroups(keep, other);
      gone.add(other);
    }
    return pairs.length === 0 ? [...this.groups.values()] : [...this.groups.values()].filter((g) => !gone.has(g));
  }

  private groupVerdict(g: Group): Verdict {
    let o = decisive(g).o;
    const severity = groupSeverity(g);
    const judged = g.conns - g.unjudged;
    const facts: Record<string, Arg> = {};
    if (o.cause === 'ok' && g.failed > 0) {
      const failedOne = g.firstFailed;
      facts['failed'] = g.failed;
      facts['conns'] = judged;
      if (failedOne) {
        facts['failedCause'] = failedOne.o.cause;
        facts['failedIp'] = failedOne.ip;
        // The failed attempt's packets first, then those of the first attempt that worked after it.
        const r = g.recovery !== null && g.recovery.start >= failedOne.start ? g.recovery : decisive(g);
        o = { ...o, evidence: [...failedOne.o.evidence.slice(0, 4), ...r.o.evidence] };
        // Far apart, the two are no program's retry: say how far (a long capture, one failure, a success days later).
        const gap = interval(r.start, failedOne.start);
        if (gap !== null && gap >= APART) {
          facts['workedAfter'] = Math.round(gap);
          o = { ...o, details: { ...o.details, workedAfterSeconds: Math.round(gap) } };
        }
      }
    } else if (o.cause === 'app.login_failed') {
      o = loginsTold(g, o, facts);
    } else if (o.severity === 'error' && judged > 1 && g.failed < judged) {
      // The last attempt failed although an earlier one worked: still a failure, say so.
      o = { ...o, limits: [...o.limits, SOME_ATTEMPTS_WORKED.of({ worked: judged - g.failed, total: judged })] };
    } else if (o.severity === 'warning' && isTransfer(o.cause) && g.worked > 0) {
      // An attempt that went wrong, told although others (before or after it) worked: say how many.
      o = { ...o, limits: [...o.limits, SOME_ATTEMPTS_WORKED.of({ worked: g.worked, total: judged })] };
    }
    if (g.notes.length > 0) o = { ...o, limits: [...o.limits, ...g.notes] };
    if (g.last !== null && g.unjudged > 0) {
      // What the other attempts show stands; say which could not be judged, and why.
      o = { ...o, limits: [...o.limits, SOME_ATTEMPTS_UNJUDGED.of({ unjudged: g.unjudged, total: g.conns, cause: g.lastUnjudged!.o.cause })] };
    }
    const attempts = g.conns === 1 ? o.attempts : g.conns;
    const details: Record<string, unknown> = { ...o.details };
    if (g.conns > 1) {
      details['connections'] = g.conns;
      details['failedConnections'] = g.failed;
      if (g.ips.size > 1) details['addresses'] = [...g.ips].sort();
      details['attemptsSeen'] = g.kept.map((k) => ({ ip: k.ip, cause: k.o.cause, frame: k.o.evidence[0]?.frame ?? null }));
    }
    const v = build(g.target, g.client, o, severity, attempts, details, facts);
    // Several attempts: the verdict's evidence is of the telling one, the summary's times of all.
    if (g.conns > 1 && g.lastTs > g.firstTs) {
      const line = new Timeline(this.origin);
      line.add(g.firstTs);
      this.spreads.set(v, { first: g.firstTs, last: g.lastTs, line });
    }
    return v;
  }

  private icmpOnlyVerdict(g: Orphans): Verdict | null {
    const e = g.first;
    if (!e.quoted) return null;
    for (const rule of ICMP_RULES) {
      const o = rule.run(g, this.ctx);
      if (o) {
        const { target: t, client } = aloneParties(e);
        // Probes to several ports (a traceroute): the target is the host.
        if (g.portCount > 1) t.port = null;
        return build({ name: null, ...t }, client, o, o.severity, o.attempts, { ...o.details });
      }
    }
    return null;
  }

  private dnsVerdicts(connNames: Set<string>, connectedTo: ReadonlyMap<string, Connected>, all: boolean): { list: Array<{ v: Verdict; first: number }>; worked: number } {
    const groups = this.dualStackDns();
    // A name that an answer to another name gave an address through CNAMEs has one, whatever
    // its own question got (DnsGroups.aliasOf).
    for (const g of groups) {
      if (g.resolved) continue;
      const via = this.dns.aliasOf(g.first[0]!.client.ip, g.name);
      if (via === null) continue;
      g.addrResolved = true;
      g.resolved = true;
      g.cnameOf = via;
    }
    // In the order of each name's first transaction.
    groups.sort((a, b) => a.first[0]!.seq - b.first[0]!.seq);
    // Names that resolved: let go (this.dns), or held.
    const held = new Set<string>();
    const resolvedNames = new Set<string>();
    for (const g of groups) {
      if (!g.resolved) continue;
      held.add(g.key);
      resolvedNames.add(g.name);
    }
    const resolved = (client: string, name: string): boolean => this.dns.isResolved(client, name) || (held.size > 0 && held.has(dnsKey(client, name)));
    // Names that resolved and were let go: each worked, unless its connections tell it.
    let worked = this.dns.resolvedUncounted + this.dns.resolvedOutside(connNames);
    const out: Array<{ v: Verdict; first: number }> = [];
    // A lookup the client gave up on, of a name its other lookups resolved: an intermittent
    // failure (the program that asked saw "could not resolve"), told as a warning of its own.
    const intermittent = new Set<string>();
    for (const a of this.dns.abandonedLookups()) {
      if (!resolved(a.client, a.name)) continue;
      const g = DnsGroups.single(a.t);
      // The capture must go on while another server's answer could still have come (track/dns.ts).
      if (g === null || this.judgedUpTo(g.lastFrame).captureEnd - g.lastQ < OVERLAP_AFTER) continue;
      const o = this.dnsOutcome(g);
      // (A capture that stopped soon after the queries tells nothing: capture.ended_early's.)
      if (o === null || o.cause !== 'dns.no_response' || o.severity !== 'error') continue;
      o.severity = 'warning';
      o.details['intermittent'] = { lookupsUnanswered: a.count };
      o.facts['intermittent'] = true;
      intermittent.add(dnsKey(a.client, a.name));
      // Counted as worked when its name was let go and no connection tells it: now a warning.
      if (!connNames.has(a.name) && this.dns.isResolved(a.client, a.name)) worked--;
      out.push({ v: build(this.dnsTarget(g), a.client, o, 'warning', o.attempts, { ...o.details }), first: g.firstFrame });
    }
    for (const g of groups) {
      // A name tried with a search domain appended, when the plain name resolved: resolver noise.
      const client = g.first[0]!.client.ip;
      if (!g.resolved && resolvedPrefix(client, g.name, resolved)) continue;
      // An address type answered NODATA, nothing else failed, and the same client connected to the
      // name (its SNI or Host, or another answer on the wire): it had an address, from a cache or
      // a hosts file (a caching stub such as systemd-resolved answers the A itself and forwards only
      // the AAAA) or from the other type. The connection tells the name's story.
      const nodataAlone = !g.resolved && g.addrNodata && !g.otherNodata && g.nx === null && g.servfail === null && g.refused === null && g.otherError === null &&
        !(g.addrs ?? []).some((a) => isUnspecified(a.data));
      if (nodataAlone && connectedTo.has(dnsKey(client, g.name))) continue;
      // AAAA alone answered NODATA, to a client that asked over IPv4, for a name another query of
      // the capture resolved: the name has an address, and the client reaches IPv4 (its query went
      // there); a dual-stack program uses the A record (asked from a cache, another resolver or
      // another process). "Nothing to connect to" would be false.
      if (nodataAlone && !client.includes(':') && (g.qtypes ?? []).every((q) => q.qtype === 'AAAA') && (g.qtypes ?? []).length > 0 &&
        (resolvedNames.has(g.name) || this.dns.resolvedBy(g.name) !== undefined)) continue;
      // A name that resolved is ok: told by the connections to that name, or left out unless all are asked for.
      if (g.resolved && connNames.has(g.name)) continue;
      if (g.resolved && intermittent.has(g.key)) continue;
      if (g.resolved) worked++;
      if (g.resolved && !all) continue;
      const o = this.dnsOutcome(g);
      if (o === null) continue;
      // No answer in the capture, but the client connected to the name by its own name (TLS SNI,
      // HTTP Host) as its lookup ended, to an address of the type it asked for (an A, an IPv4
      // address): it had that address. The answer came and the capture missed it (capture loss),
      // or the address came from elsewhere (a cache, a hosts file): the silence stopped nothing,
      // and is not proven. (An AAAA unanswered beside an IPv4 connection stays: the resolver did
      // not answer it, and the address came from an A.)
      if (o.cause === 'dns.no_response' && o.severity === 'error') {
        const at = connectedTo.get(dnsKey(client, g.name));
        if (at !== undefined && at.last >= g.firstQ && at.first <= g.lastQ + NAME_USED_WITHIN &&
          ((at.v4 && askedFor(g, 'A')) || (at.v6 && askedFor(g, 'AAAA')))) {
          o.severity = 'warning';
          o.details['connectedByName'] = true;
        }
      }
      const t0 = g.first[0]!;
      out.push({ v: build(this.dnsTarget(g), t0.client.ip, o, dnsSeverity(g, o), o.attempts, { ...o.details }), first: g.firstFrame });
    }
    return { list: out, worked };
  }

  /**
   * The DNS groups, a dual-stack host's two addresses told as one (dual-stack.ts): the two
   * groups merged, or a group dropped when the same name resolved from the host's other address
   * (that group was let go, keepResolved false).
   */
  private dualStackDns(): DnsGroup[] {
    const live = [...this.dns.values()];
    const by = (name: string): string | undefined => this.dns.resolvedBy(name);
    type Item = { name: string; client: string | null; g: DnsGroup | null };
    const items: Item[] = live.map((g) => ({ name: g.name, client: g.first[0]!.client.ip, g }));
    const names = new Set(live.map((g) => g.name));
    for (const n of names) {
      const c = by(n);
      if (c !== undefined) items.push({ name: n, client: c === '*' ? null : c, g: null });
    }
    // A name several clients resolved: which addresses belong together cannot be told.
    const pairs = dualStackPairs(items, (x) => (by(x.name) === '*' ? null : x.name), (x) => x.client);
    const drop = new Set<DnsGroup>();
    for (const [a, b] of pairs) {
      if (a.g && b.g) {
        const [keep, gone] = a.g.first[0]!.seq <= b.g.first[0]!.seq ? [a.g, b.g] : [b.g, a.g];
        mergeDnsGroups(keep, gone);
        drop.add(gone);
      } else if (a.g) drop.add(a.g);
      else if (b.g) drop.add(b.g);
    }
    return drop.size === 0 ? live : live.filter((g) => !drop.has(g));
  }

  /**
   * The end of the recording that holds a frame (analyze.ts): a DNS name's silence is judged up to
   * it, not across a break between recordings.
   */
  private readonly recordingEnd: ((frame: number) => number) | null = null;

  /** The rules' context, its capture end taken back to the end of the recording that holds `frame`. */
  private judgedUpTo(frame: number): DnsContext {
    const end = this.recordingEnd !== null && frame > 0 ? this.recordingEnd(frame) : undefined;
    return end !== undefined && isReportableTime(end) && end < this.ctx.captureEnd ? { ...this.ctx, captureEnd: end } : this.ctx;
  }

  private dnsOutcome(g: DnsGroup): Outcome | null {
    const ctx = this.judgedUpTo(g.lastFrame);
    for (const rule of DNS_RULES) {
      const o = rule.run(g, ctx);
      if (o) return o;
    }
    return null;
  }
}

/**
 * Whether connections that started from `first` to `last` (s) came while the pair's scan went on:
 * from SCAN_TAIL seconds before its first probe to SCAN_TAIL after its last (version detection
 * connects to the open ports it found after the probes, for as long as their services take).
 */
function withinScan(s: ScanPair, first: number, last: number): boolean {
  return s.probes > 0 && first >= s.firstTs - SCAN_TAIL && last <= s.lastTs + SCAN_TAIL;
}

/** Source ports a group of probes held apart notes (past them it is no sweep's). */
const MAX_HELD_SPORTS = 8;

/** The verdict of a client's probes of many hosts when SWEEP_RULES find them a sweep, else null (live.ts says it too). */
export function sweepVerdict(s: Sweep, ctx: RuleContext): Verdict | null {
  for (const rule of SWEEP_RULES) {
    const o = rule.run(s, ctx);
    if (o === null) continue;
    const ports = o.details['ports'] as number[];
    return build({ name: null, ip: s.first!.host, port: ports.length === 1 ? ports[0]! : null, transport: 'tcp' }, s.client, o, o.severity, o.attempts, { ...o.details });
  }
  return null;
}

/** The verdict of a client's probes of a server when SCAN_RULES find them a port scan, else null (live.ts says it too). */
export function scanVerdict(s: ScanPair, ctx: RuleContext): Verdict | null {
  for (const rule of SCAN_RULES) {
    const o = rule.run(s, ctx);
    if (o !== null) return build({ name: null, ip: s.server, port: null, transport: 'tcp' }, s.client, o, o.severity, o.attempts, { ...o.details });
  }
  return null;
}

/** A connection's outcome, counted in its group. */
function count(g: Group, p: Placed): void {
  const { o, target, client } = p;
  g.conns++;
  // Its SYN stopped unanswered, and whether it is a probe (probes.ts).
  countProbe(g, p.syn);
  g.ips.add(p.ip);
  if (p.firstFrame < g.firstFrame) g.firstFrame = p.firstFrame;
  if (p.start < g.firstTs) g.firstTs = p.start;
  if (p.start > g.lastTs) g.lastTs = p.start;
  const entry = { o, ip: p.ip, client, start: p.start };
  if (g.kept.length < KEEP_ATTEMPTS) g.kept.push(entry);
  if (unjudged(o)) {
    g.unjudged++;
    if (!g.lastUnjudged || p.start >= g.lastUnjudged.start) g.lastUnjudged = entry;
    return;
  }
  if (o.severity === 'error') {
    g.failed++;
    noteFailed(g, entry);
  } else if (o.cause === 'ok') {
    g.worked++;
    const w = g.watchFrom;
    if (w !== null && entry.start >= w && (g.recovery === null || entry.start < g.recovery.start)) g.recovery = entry;
  }
  if (o.severity === 'error' && isTransfer(o.cause) && (!g.lastTransferFailure || p.start >= g.lastTransferFailure.start)) g.lastTransferFailure = entry;
  const l = p.logins;
  if (l !== undefined) {
    g.loginsRefused += l.refused;
    if (l.refused > 0 && !(p.start >= g.firstRefusedStart)) g.firstRefusedStart = p.start;
    if (o.cause === 'app.login_failed' && (!g.lastLoginFailure || p.start >= g.lastLoginFailure.start)) g.lastLoginFailure = entry;
    if (l.accepted !== null && (!g.lastLoginOk || p.start >= g.lastLoginOk.start)) g.lastLoginOk = { ...entry, at: l.accepted };
  }
  if (o.severity === 'warning' && isTransfer(o.cause) && (!g.lastWarning || p.start >= g.lastWarning.start)) g.lastWarning = entry;
  if (!g.last || p.start >= g.last.start) {
    g.last = entry;
    if (g.target.ip !== null) g.target.ip = target.ip;
  }
}

/**
 * A connection's outcome into its group: past the auth challenges the group's other connections
 * answered (auth-retry.ts); one ending on a challenge no connection answered yet is held.
 */
function settle(g: Group, p: Placed): void {
  const o = resolveChallenges(p.o, g.retries);
  const q = o === p.o ? p : { ...p, o };
  if (q.o.authChallenge && g.held.length < MAX_HELD) {
    g.held.push(q);
    return;
  }
  count(g, q);
}

/** A failed attempt, counted: the group's first failure when it started before the others (watched from then on). */
function noteFailed(g: Group, a: Attempt): void {
  if (g.firstFailed !== null && g.firstFailed.start <= a.start) return;
  g.firstFailed = a;
  watch(g, a.start);
}

/**
 * The first success since `from` is sought from then on (count), and among the attempts at hand
 * (those kept, the latest, `more`): one let go before the failure was known cannot be, so with many
 * attempts it may be a later success than the first, never an earlier one.
 */
function watch(g: Group, from: number, more: ReadonlyArray<Attempt | null> = []): void {
  if (g.watchFrom !== null && g.watchFrom <= from) return;
  g.watchFrom = from;
  let r: Attempt | null = null;
  for (const b of [g.recovery, g.last, ...g.kept, ...more]) {
    if (b !== null && b.o.cause === 'ok' && b.start >= from && (r === null || b.start < r.start)) r = b;
  }
  g.recovery = r;
}

const later = <A extends Attempt>(a: A | null, b: A | null): A | null => (b === null ? a : a === null || b.start >= a.start ? b : a);

/** Puts `b`'s attempts into `a` (one host's two addresses); the client is the decisive attempt's. */
function mergeGroups(a: Group, b: Group): void {
  a.conns += b.conns;
  a.failed += b.failed;
  a.worked += b.worked;
  a.unjudged += b.unjudged;
  a.firstFrame = Math.min(a.firstFrame, b.firstFrame);
  a.firstTs = Math.min(a.firstTs, b.firstTs);
  a.lastTs = Math.max(a.lastTs, b.lastTs);
  // The first failure of both, and the first success since the earlier watch among both groups' attempts.
  const seen = [a.recovery, b.recovery, a.last, b.last, ...a.kept, ...b.kept];
  if (b.firstFailed !== null && (a.firstFailed === null || b.firstFailed.start < a.firstFailed.start)) a.firstFailed = b.firstFailed;
  const from = a.watchFrom === null || (b.watchFrom !== null && b.watchFrom < a.watchFrom) ? b.watchFrom : a.watchFrom;
  a.watchFrom = null;
  a.recovery = null;
  if (from !== null) watch(a, from, seen);
  a.kept = [...a.kept, ...b.kept].sort((x, y) => x.start - y.start).slice(0, KEEP_ATTEMPTS);
  a.last = later(a.last, b.last);
  a.lastUnjudged = later(a.lastUnjudged, b.lastUnjudged);
  a.lastTransferFailure = later(a.lastTransferFailure, b.lastTransferFailure);
  a.lastWarning = later(a.lastWarning, b.lastWarning);
  a.loginsRefused += b.loginsRefused;
  a.synStopped += b.synStopped;
  a.probes += b.probes;
  a.probesRefused += b.probesRefused;
  a.probesWatched += b.probesWatched;
  a.probesUnresent += b.probesUnresent;
  if (!(a.firstRefusedStart <= b.firstRefusedStart)) a.firstRefusedStart = b.firstRefusedStart;
  a.lastLoginFailure = later(a.lastLoginFailure, b.lastLoginFailure);
  a.lastLoginOk = later(a.lastLoginOk, b.lastLoginOk);
  for (const ip of b.ips) a.ips.add(ip);
  const d = decisive(a);
  a.client = d.client;
  if (a.target.ip !== null) a.target = { ...a.target, ip: d.ip };
}

/**
 * Connections told under their server's address alone are the target's that the same client
 * reached by name at that address, port and transport, when one name did: a connection is named
 * when it ends, by the names known then (a DNS answer, or the SNI or Host of a connection that
 * ended before it), so which of one server's connections had a name depended on the order they
 * ended in (nDPI's webex.pcap: a ClientHello without SNI to radcom.webex.com's address, told
 * apart from it). With several names at that address (a CDN), which one is not known: left alone.
 */
function unnamedIntoNamed(groups: Group[]): Group[] {
  const at = (transport: string | null, ip: string, port: number | null, client: string | null): string => `${transport}|${ip}|${port}|${client}`;
  const named = new Map<string, Group | null>();
  for (const g of groups) {
    if (!g.target.name) continue;
    for (const ip of g.ips) {
      const k = at(g.target.transport, ip, g.target.port, g.client);
      const seen = named.get(k);
      named.set(k, seen === undefined || seen === g ? g : null);
    }
  }
  if (named.size === 0) return groups;
  const gone = new Set<Group>();
  for (const g of groups) {
    if (g.target.name || g.target.ip === null) continue;
    const into = named.get(at(g.target.transport, g.target.ip, g.target.port, g.client));
    if (!into) continue;
    mergeGroups(into, g);
    gone.add(g);
  }
  return gone.size === 0 ? groups : groups.filter((g) => !gone.has(g));
}

/**
 * RFC 8305 §5: a client waits at least 10 ms (250 ms recommended) before it tries the next address;
 * one that starts the other attempt sooner races both and waited on neither.
 */
const MIN_ATTEMPT_DELAY = 0.01;

/**
 * Happy Eyeballs (RFC 8305): a lone SYN the capture stopped too soon to judge (capture.ended_early,
 * before its first retransmission was due) that the client itself left for another address of the
 * same name, which worked. The client started the other attempt while the SYN had no answer: no
 * answer came in the time the client allowed it, and the client did not wait for one. The attempt
 * is counted as failed (tcp.syn_unanswered), so the target worked in the end after a failed attempt
 * (a warning), and a limit says how long the SYN was waited on. Only when the name worked in the
 * end on another address: an attempt left for one that failed too stays unjudged.
 */
function judgeLeftSyns(g: Group): void {
  const won = g.last;
  if (won === null || won.o.cause !== 'ok') return;
  for (let i = 0; i < g.kept.length; i++) {
    const a = g.kept[i]!;
    if (a.o.cause !== 'capture.ended_early' || a.o.details['lastSent'] !== 'SYN' || won.ip === a.ip || won.start <= a.start) continue;
    // The attempt the client turned to: the first one to another address after this SYN.
    let next: Attempt = won;
    for (const b of g.kept) if (b.ip !== a.ip && b.start > a.start && b.start < next.start) next = b;
    const after = next.start - a.start;
    if (after < MIN_ATTEMPT_DELAY) continue;
    const left: Attempt = { ...a, o: synLeftUnanswered(a.o, after) };
    g.kept[i] = left;
    g.unjudged--;
    g.failed++;
    noteFailed(g, left);
    g.notes.push(SYN_LEFT_FOR_OTHER.of({ ip: a.ip, other: next.ip, ms: Math.round(after * 1000) }));
    if (g.lastUnjudged === a) {
      let latest: Attempt | null = null;
      for (const b of g.kept) if (unjudged(b.o) && (latest === null || b.start >= latest.start)) latest = b;
      // Past the kept attempts the others' cause is still a.o's.
      g.lastUnjudged = g.unjudged === 0 ? null : latest ?? a;
    }
  }
}

/**
 * A reverse lookup (PTR) that failed is a warning: logs show the address instead of a name. (The
 * group's name is lower case: two suffix compares, not a case-blind pattern, for each failing name.)
 */
function dnsSeverity(g: DnsGroup, o: Outcome): Severity {
  return o.severity === 'error' && (g.name.endsWith('.in-addr.arpa') || g.name.endsWith('.ip6.arpa')) ? 'warning' : o.severity;
}

/**
 * The attempt a group's verdict tells: a transfer that failed, else a transfer's warning when the
 * latest judged attempt worked and none failed, else the latest judged attempt, else the latest one.
 */
/**
 * Refused logins from one client to one service, past which they are password guessing: a person
 * who mistyped tries a few times, a program trying passwords (or retrying a wrong one without
 * end) many.
 */
const GUESSING_MIN = 10;

function guessing(g: Group): boolean {
  return g.loginsRefused >= GUESSING_MIN;
}

/**
 * A group told by its refused login: how many were refused when they are password guessing, and
 * the login accepted after them, if one was (the guess that worked). Attempts that "worked"
 * without logging in are not said to have worked: only an accepted login is.
 */
function loginsTold(g: Group, o: Outcome, facts: Record<string, Arg>): Outcome {
  const judged = g.conns - g.unjudged;
  if (!guessing(g)) {
    return g.lastLoginOk !== null && judged > 1 && g.failed < judged ? { ...o, limits: [...o.limits, SOME_ATTEMPTS_WORKED.of({ worked: judged - g.failed, total: judged })] } : o;
  }
  facts['refusedLogins'] = g.loginsRefused;
  facts['loginConns'] = g.conns;
  facts['guessSeconds'] = Math.max(0, Math.round(g.lastTs - g.firstTs));
  const details: Record<string, unknown> = { ...o.details, loginsRefused: g.loginsRefused };
  const ok = g.lastLoginOk;
  if (ok === null || !(ok.start >= g.firstRefusedStart)) return { ...o, details };
  facts['acceptedFrame'] = ok.at.frame;
  details['loginAccepted'] = { frame: ok.at.frame };
  const accepted = proof(APP_LOGIN_ACCEPTED, ok.at.frame, ok.at.ts, { from: ok.ip, to: ok.client }, {});
  return { ...o, details, evidence: [...o.evidence, accepted] };
}

function decisive(g: Group): Attempt {
  if (g.lastTransferFailure !== null) return g.lastTransferFailure;
  // A refused login stands unless a later login was accepted (a connection that did not log in
  // shows nothing about it); a client guessing passwords stands whatever came after (groupVerdict).
  const lf = g.lastLoginFailure;
  if (lf !== null && (guessing(g) || g.lastLoginOk === null || g.lastLoginOk.start < lf.start)) return lf;
  // An attempt that went wrong is not undone by a later one that worked (with none failed outright).
  if (g.lastWarning !== null && g.failed === 0 && (g.last === null || g.last.o.cause === 'ok')) return g.lastWarning;
  return g.last ?? g.lastUnjudged!;
}

/** A group's severity: its decisive attempt's, a warning when it worked after failed attempts. */
function groupSeverity(g: Group): Severity {
  const o = decisive(g).o;
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
    // In frame order, as a reader looks them up: an outcome may join the packets of several
    // attempts (a failed one before the one that worked), whose frames interleave.
    evidence: o.evidence.slice(0, MAX_EVIDENCE).sort((a, b) => a.frame - b.frame).map(toEvidence),
    limits: o.limits,
    details,
  };
}
