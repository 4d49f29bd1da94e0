/**
 * Unsolicited probes of one host (tcp.inbound_probes): connection attempts from many addresses,
 * each to a port or a few of the host, none getting past the SYN, to ports the host served no
 * connection on — the internet's background scanning (search engines of exposed services such as
 * Censys and Shodan, worms, botnets trying telnet and SMB) that reaches any public address, not
 * clients of the host that failed. A server's capture of an hour holds hundreds of them; told one
 * failure each, they bury what did fail.
 *
 * What makes an attempt a probe rather than a client's failure is what a client would have done:
 * - unanswered: a client's kernel sends its SYN again and again when no answer comes (Linux after
 *   1 s, then 2 s, 4 s …; Windows after 1 or 3 s): a probe's SYN was sent once or twice
 *   (PROBE_SENDS) and not again although the capture went on long enough after it to show the
 *   kernel's next resend (diagnose.ts resendDue). No kernel stands behind a scanner's raw SYN;
 * - refused (a RST to the SYN): a client retries, and a service that stopped is tried by its clients
 *   on its own port: a probe's address made at most PROBE_CONNS attempts to the port (one
 *   connect()), and either
 *   tried other ports of the host as well, or few addresses (fewer than PORT_CROWD) that tried no
 *   other port were refused on that port. Many addresses refused on one port and trying nothing
 *   else keep their verdicts: the clients of a service that is down.
 * - its address is a stranger to the host (no connection of it to the host got past the SYN), and
 *   the port served no connection in the capture and answered no SYN with a SYN-ACK (a port that
 *   did listens: a service, whose failures are real).
 * The host's probes are folded when they come from PROBE_CLIENTS addresses or more, to PROBE_PORTS
 * ports or more, when most of them show it (refused, or not sent again while watched), and when
 * some of the addresses (SCANNER_SHARE) acted as no client does — tried two ports or more, or sent
 * a SYN only once or twice; the capture's other attempts keep their verdicts.
 *
 * Judged over the connection groups when the verdicts are made (diagnose.ts): bounded as they are.
 * Past the limit of groups (a busy server's day: overflow.ts), a stranger's attempts at a port are
 * held apart (Beyond, bounded) instead of counted into the buckets at once, and what got past the
 * SYN there is remembered (its ports served, its addresses known: a filter of fixed size), so that
 * the fold reads them as it reads groups; those it does not fold go to the buckets when the
 * verdicts are made.
 */
import { Timeline } from './timeline.js';
import type { EvidenceAt } from './outcome.js';
import { hash53 } from './overflow.js';
import type { SynStage } from './flood.js';

export const PROBE_CLIENTS = 10;
/** SYNs of one probe, at most: a scanner may send a second (masscan --retries, zmap -P 2), never a kernel's train of resends. */
export const PROBE_SENDS = 2;
export const PROBE_PORTS = 10;
/**
 * Attempts of one address to one port, at most, for a refused one to be a probe: one connect()
 * of Windows, which sends its SYN three times when a RST answers it (a program trying again over
 * minutes makes more).
 */
const PROBE_CONNS = 3;
/** Addresses refused on one port, trying no other, from which that port's refusals are a service's, not probes. */
const PORT_CROWD = 5;
/**
 * Of the addresses folded, at least this share acted as no client does (tried two ports or more,
 * or sent an unanswered SYN that it did not send again): a host whose services were all down for
 * a while, each refusing a few clients of its own once, is no scan.
 */
const SCANNER_SHARE = 0.3;
/** Of the attempts folded, at least this share shows it (refused, or sent once while watched). */
const SHOWN_SHARE = 0.5;
/** Ports listed in the verdict, the most probed first. */
export const LISTED_PORTS = 8;

/** Is an attempt a probe: refused, or no answer at all (a SYN-ACK shows a port that listens)? */
export function isProbe(syn: SynStage): boolean {
  return syn.refused || (syn.stopped && !syn.synAcked);
}

/** The probe counts of a group (ProbeGroup's) and of its SYNs stopped unanswered. */
export interface ProbeCounts {
  conns: number;
  synStopped: number;
  probes: number;
  probesRefused: number;
  probesWatched: number;
  probesUnresent: number;
}

/** One attempt's part of a group's probe counts (its `conns` is the caller's). */
export function countProbe(g: ProbeCounts, syn: SynStage | undefined): void {
  if (syn === undefined) return;
  if (syn.stopped) g.synStopped++;
  if (!isProbe(syn)) return;
  g.probes++;
  if (syn.refused) g.probesRefused++;
  else if (syn.watched) {
    g.probesWatched++;
    if (syn.sends <= PROBE_SENDS) g.probesUnresent++;
  }
}

/** What the fold reads of a connection group (diagnose.ts Group). */
export interface ProbeGroup {
  target: { ip: string | null; port: number | null; transport: string | null };
  client: string | null;
  conns: number;
  /** Attempts that never completed their handshake and carried no payload, refused or not answered at all (no SYN-ACK). */
  probes: number;
  /** Of those, refused (a RST from the server). */
  probesRefused: number;
  /** Of the others, those the capture watched long enough to show a kernel's next resend; of these, not sent again (PROBE_SENDS). */
  probesWatched: number;
  probesUnresent: number;
  firstFrame: number;
  firstTs: number;
  lastTs: number;
  /** Its first attempts' outcomes (their evidence: the SYN, the RST that refused it). */
  kept: ReadonlyArray<{ o: { evidence: EvidenceAt[] } }>;
}

export interface ProbedHost<G extends ProbeGroup> {
  ip: string;
  /** The groups told by the fold. */
  groups: G[];
  attempts: number;
  refused: number;
  watched: number;
  unresent: number;
  clients: Set<string>;
  /** Attempts per port. */
  ports: Map<number, number>;
  /** The group of the first attempt (its evidence is the verdict's). */
  first: G;
  lastTs: number;
  line: Timeline;
}

/** Past the limit of groups: held pairs (a stranger's attempts at one port of a host, Beyond) at most, and the attempts of each. */
const MAX_HELD = 8_192;
const MAX_HELD_ATTEMPTS = PROBE_CONNS;
/**
 * Bits of the filter that remembers, past the limit of groups, the ports served and the addresses
 * known (two bits per key: 256 KB whatever their number). A key it holds by chance reads as
 * served or known: the probe keeps its failure. With 100,000 connections remembered about 3 in
 * 100 probes are kept so; with a million, most.
 */
const BEYOND_BITS = 1 << 21;

/** One address's probes of one port past the limit of groups, held until the verdicts: read by the fold as a group. */
export interface HeldProbes<P> extends ProbeGroup, ProbeCounts {
  /** The attempts themselves, for the buckets should the fold not tell them. */
  pending: P[];
  kept: Array<{ o: { evidence: EvidenceAt[] } }>;
}

/** What a held attempt brings: a probe (isProbe) and what its group would keep of it. */
export interface HeldAttempt {
  target: { ip: string | null; port: number | null; transport: string | null };
  client: string;
  syn: SynStage;
  firstFrame: number;
  ts: number;
  o: { evidence: EvidenceAt[] };
}

/**
 * Past the limit of groups (diagnose.ts MAX_GROUPS): strangers' probes held apart by target
 * (`key`: the host's address and port, and the client; a "pair" below), and what got past the SYN
 * (the host's ports served, its addresses known) in a filter of fixed size. Bounded: past MAX_HELD
 * pairs a new one is not held.
 */
export class Beyond<P> {
  private readonly held = new Map<string, HeldProbes<P> | null>();
  private readonly seen = new Uint32Array(BEYOND_BITS >>> 5);

  /** An attempt that got past the SYN (or had none): its port serves, its address is known to the host. */
  connected(ip: string, port: number, client: string): void {
    this.bits(`s|${ip}|${port}`, true);
    this.bits(`k|${client}|${ip}`, true);
  }

  servedPort(ip: string, port: number): boolean {
    return this.bits(`s|${ip}|${port}`, false);
  }

  knows(ip: string, client: string): boolean {
    return this.bits(`k|${client}|${ip}`, false);
  }

  /** Whether the key's two bits (the low and the high 21 bits of its 53-bit hash) were set; `set`: set them. */
  private bits(key: string, set: boolean): boolean {
    const h = hash53(key);
    const a = h % BEYOND_BITS;
    const b = Math.floor(h / BEYOND_BITS) % BEYOND_BITS;
    const s = this.seen;
    const was = (s[a >>> 5]! & (1 << (a & 31))) !== 0 && (s[b >>> 5]! & (1 << (b & 31))) !== 0;
    if (set) {
      s[a >>> 5]! |= 1 << (a & 31);
      s[b >>> 5]! |= 1 << (b & 31);
    }
    return was;
  }

  /**
   * Holds one probe (`a`, its attempt `p`) of the pair `key`; false when it cannot be (the pair was
   * let go, a bound is reached): then `release(key)` and the attempt go to the buckets.
   */
  hold(key: string, a: HeldAttempt, p: P): boolean {
    let h = this.held.get(key);
    if (h === null) return false;
    if (h === undefined) {
      if (this.held.size >= MAX_HELD) return false;
      h = { target: a.target, client: a.client, conns: 0, probes: 0, probesRefused: 0, probesWatched: 0, probesUnresent: 0, synStopped: 0, firstFrame: a.firstFrame, firstTs: a.ts, lastTs: a.ts, kept: [{ o: a.o }], pending: [] };
      this.held.set(key, h);
    }
    if (h.pending.length >= MAX_HELD_ATTEMPTS) return false;
    h.pending.push(p);
    h.conns++;
    countProbe(h, a.syn);
    if (a.firstFrame < h.firstFrame) {
      h.firstFrame = a.firstFrame;
      h.kept[0] = { o: a.o };
    }
    if (a.ts < h.firstTs) h.firstTs = a.ts;
    if (a.ts > h.lastTs) h.lastTs = a.ts;
    return true;
  }

  /** The attempts held for `key`, let go: the pair is held no more. */
  release(key: string): P[] {
    const h = this.held.get(key);
    if (h === null) return [];
    // (A pair never held is marked too, while the bound allows: its later probes are not held either.)
    if (h !== undefined || this.held.size < MAX_HELD) this.held.set(key, null);
    return h?.pending ?? [];
  }

  /**
   * The attempts `told` says another verdict tells (a scan's, a sweep's) are let go uncounted; a
   * pair with some of them is held no more, its other attempts handed to `release`.
   */
  settle(told: (q: P) => boolean, release: (q: P) => void): void {
    for (const [key, h] of this.held) {
      if (h === null) continue;
      const rest = h.pending.filter((q) => !told(q));
      if (rest.length === h.pending.length) continue;
      this.held.set(key, null);
      for (const q of rest) release(q);
    }
  }

  /** The pairs held. */
  *pairs(): IterableIterator<HeldProbes<P>> {
    for (const h of this.held.values()) if (h !== null) yield h;
  }

  /** Every attempt still held, but those of the pairs `told` (the fold's), in the order the pairs were first held; nothing is held after. */
  *drain(told: (h: HeldProbes<P>) => boolean): IterableIterator<P> {
    for (const h of this.held.values()) if (h !== null && !told(h)) yield* h.pending;
    this.held.clear();
  }
}

/** What the fold knows of a host beyond its groups (Beyond). */
export interface BeyondHosts {
  servedPort(ip: string, port: number): boolean;
  knows(ip: string, client: string): boolean;
}

interface HostSide<G> {
  /** Ports a connection got past the SYN on, and addresses whose connection did. */
  served: Set<number>;
  known: Set<string>;
  candidates: G[];
}

/** The hosts whose probes are folded, with the groups each folds (see the file comment). */
export function probedHosts<G extends ProbeGroup>(groups: Iterable<G>, origin: number, beyond?: BeyondHosts): ProbedHost<G>[] {
  const hosts = new Map<string, HostSide<G>>();
  for (const g of groups) {
    const { ip, port, transport } = g.target;
    if (transport !== 'tcp' || ip === null || port === null || g.client === null) continue;
    let h = hosts.get(ip);
    if (h === undefined) {
      h = { served: new Set(), known: new Set(), candidates: [] };
      hosts.set(ip, h);
    }
    if (g.probes < g.conns) {
      h.served.add(port);
      h.known.add(g.client);
    } else h.candidates.push(g);
  }
  const out: ProbedHost<G>[] = [];
  for (const [ip, h] of hosts) {
    if (h.candidates.length < PROBE_CLIENTS) continue;
    const strangers = h.candidates.filter(
      (g) => !h.served.has(g.target.port!) && !h.known.has(g.client!) && !(beyond !== undefined && (beyond.servedPort(ip, g.target.port!) || beyond.knows(ip, g.client!))),
    );
    // The ports each address tried; then, per port, the addresses refused there that tried no other.
    const portsOf = new Map<string, Set<number>>();
    for (const g of strangers) {
      let p = portsOf.get(g.client!);
      if (p === undefined) portsOf.set(g.client!, (p = new Set()));
      p.add(g.target.port!);
    }
    const onlyThere = new Map<number, number>();
    for (const g of strangers) {
      if (g.probesRefused > 0 && portsOf.get(g.client!)!.size === 1) onlyThere.set(g.target.port!, (onlyThere.get(g.target.port!) ?? 0) + 1);
    }
    const probes = strangers.filter((g) => {
      // Not sent again while the capture watched.
      if (g.probesUnresent !== g.probesWatched) return false;
      if (g.probesRefused === 0) return true;
      return g.conns <= PROBE_CONNS && (portsOf.get(g.client!)!.size >= 2 || (onlyThere.get(g.target.port!) ?? 0) < PORT_CROWD);
    });
    // Addresses that acted as no client does: two ports or more, or a SYN not sent again.
    const scanners = new Set<string>();
    for (const g of probes) if (g.probesUnresent > 0 || portsOf.get(g.client!)!.size >= 2) scanners.add(g.client!);
    const folded = fold(ip, probes, origin);
    if (folded !== null && scanners.size >= SCANNER_SHARE * folded.clients.size) out.push(folded);
  }
  return out;
}

function fold<G extends ProbeGroup>(ip: string, groups: G[], origin: number): ProbedHost<G> | null {
  if (groups.length < PROBE_CLIENTS) return null;
  const clients = new Set<string>();
  const ports = new Map<number, number>();
  let attempts = 0;
  let refused = 0;
  let watched = 0;
  let unresent = 0;
  let first = groups[0]!;
  let lastTs = first.lastTs;
  const line = new Timeline(origin);
  for (const g of groups) {
    clients.add(g.client!);
    ports.set(g.target.port!, (ports.get(g.target.port!) ?? 0) + g.conns);
    attempts += g.conns;
    refused += g.probesRefused;
    watched += g.probesWatched;
    unresent += g.probesUnresent;
    if (g.firstFrame < first.firstFrame) first = g;
    if (g.lastTs > lastTs) lastTs = g.lastTs;
    // (Each attempt at its group's first start: the groups of probes hold one or two.)
    line.add(g.firstTs, g.conns);
  }
  if (clients.size < PROBE_CLIENTS || ports.size < PROBE_PORTS) return null;
  if (refused + unresent < SHOWN_SHARE * attempts) return null;
  return { ip, groups, attempts, refused, watched, unresent, clients, ports, first, lastTs, line };
}

/** The most probed ports first (ties: the lower port), at most LISTED_PORTS. */
export function topPorts(ports: ReadonlyMap<number, number>): Array<{ port: number; attempts: number }> {
  return [...ports].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, LISTED_PORTS).map(([port, attempts]) => ({ port, attempts }));
}
