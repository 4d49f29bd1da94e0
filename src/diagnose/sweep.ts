/**
 * Horizontal sweeps (address scans): one client probing the same TCP port, or a few, on many hosts
 * (nmap -sS -p 445 198.51.100.0/24, nmap -sn's SYN to 443, masscan). Each probe is literally a
 * failed connection attempt, one per host, but no program tried to reach those hosts: the sweep is
 * told as one warning (tcp.address_scan).
 *
 * A client failing against many servers is no sweep by itself — a client whose DNS gave many
 * addresses, a crawler, a P2P client (nDPI's gnutella.pcap: 16 peers on 6346 in a minute) — and
 * their failures are real. What proves a sweep is a scanner's own packets: its raw SYNs leave from
 * one source port it chose, reused toward every host (nmap, masscan), where a program's stack gives
 * each connection a port of its own and a coincidence of one port toward 25 hosts in a few minutes
 * does not happen. So the watch keeps, per client, the hosts its probes went to (the probes of
 * scan.ts: a handshake never completed, no payload, not a program's backing off) and, per source
 * port, the distinct hosts it served; the rule (causes/tcp.address_scan.ts) asks for both.
 *
 * Bounded at any size: at most MAX_SWEEPS clients (past it the oldest not yet sure is let go), at
 * most MAX_HOSTS hosts told apart per client and HOST_BUDGET in all (past them a client counts its
 * hosts as they come: an upper bound, said in details), SOURCE_PORTS source ports per client.
 */
import { isReportableTime } from '../time.js';
import type { TcpConn } from '../track/tcp.js';
import { CLOSED, OPEN, letGoOldest, type ProbeInfo, type ScanPacket } from './scan.js';
import type { ArpSweep } from '../track/arp.js';

/**
 * A bare ACK probe: a connection the capture holds as one ACK from its client (or two, sent
 * again), without SYN, data or FIN, answered by nothing or by RSTs alone. A scanner's host
 * discovery sends it (nmap -sn's ACK to port 80, -PA): a host that is up answers any unexpected
 * ACK with a RST, whatever its ports. A capture that begins as a connection ends holds the same
 * shape, so such a probe is its client's sweep's only from a source port the sweep proved the
 * scanner's (SYNs from it to many hosts); otherwise it keeps its own verdict.
 */
export interface AckProbe {
  sport: number;
  dport: number;
  /** A RST answered it (the host is up). */
  answered: boolean;
}

/** ACKs of one probe (sent again at most once more: nmap's retry). */
const ACK_PROBE_PACKETS = 2;

/** The connection as a bare ACK probe, or null. */
export function ackProbeOf(t: TcpConn): AckProbe | null {
  if (t.synFrames.length !== 0 || t.flipped || t.synAckFrame !== 0) return null;
  const o = t.orig;
  const r = t.resp;
  if (o.pkts === 0 || o.pkts > ACK_PROBE_PACKETS || o.payloadBytes !== 0 || r.payloadBytes !== 0 || t.fins.length !== 0) return null;
  let answers = 0;
  for (const x of t.rsts) {
    if (x.fromOrig) return null;
    answers++;
  }
  // Every packet of the server's a RST (none: unanswered).
  if (r.pkts !== answers) return null;
  return { sport: o.port, dport: r.port, answered: answers > 0 };
}

/** Zeek's address-scan thresholds (policy/misc/scan.zeek: addr_scan_threshold 25 hosts, addr_scan_interval 5 min). */
export const SWEEP_HOSTS = 25;
export const SWEEP_WINDOW = 300;
/** A sweep probes one port or a few: 15 ports of one host are a port scan (tcp.port_scan) instead. */
export const SWEEP_MAX_PORTS = 14;
export const MAX_SWEEPS = 4_096;
const MAX_HOSTS = 4_096;
const HOST_BUDGET = 200_000;
const SOURCE_PORTS = 16;
/** Distinct hosts a source port serves to be the scanner's (nmap also sends its second tries from a port of their own, reused as well). */
export const SCANNER_PORT_HOSTS = 3;
/** Source ports kept per destination port (nmap sends from two or three). */
const PORT_SPORTS = 4;
/** Hosts listed in the verdict (the first probed). */
export const LISTED_HOSTS = 10;

interface SourcePort {
  port: number;
  /** Distinct hosts it served, up to SWEEP_HOSTS (all the rule needs). */
  hosts: Set<string>;
  probes: number;
}

export class Sweep {
  readonly client: string;
  /** Host → its best answer (SILENT, CLOSED, OPEN), while told apart. */
  private readonly seen = new Map<string, number>();
  /** Hosts past the bounds were counted as they came (the counts are then at most these). */
  atMost = false;
  hosts = 0;
  open = 0;
  closed = 0;
  probes = 0;
  /** The destination ports (distinct), up to SWEEP_MAX_PORTS + 1. */
  readonly ports: number[] = [];
  /** For each of `ports`, the first PORT_SPORTS source ports its probes came from. */
  private readonly portSports: number[][] = [];
  /** The ports probed from a source port of the scanner's (scannerPort), ascending: a program's attempts beside the sweep are not its. */
  scannerPorts(): number[] {
    const out: number[] = [];
    this.ports.forEach((port, i) => {
      if (this.portSports[i]!.some((sp) => this.scannerPort(sp))) out.push(port);
    });
    return out.sort((a, b) => a - b);
  }

  /** The first hosts probed (examples). */
  readonly hostList: string[] = [];
  /** Start times of the latest SWEEP_HOSTS hosts new to the sweep, a ring. */
  readonly recent = new Float64Array(SWEEP_HOSTS);
  recentCount = 0;
  burst = false;
  /** Found a sweep while the capture was read: its next probes go to no group. */
  confirmed = false;
  firstTs = Infinity;
  lastTs = -Infinity;
  first: (ScanPacket & { host: string }) | null = null;
  last: (ScanPacket & { host: string }) | null = null;
  firstOpen: (ScanPacket & { host: string }) | null = null;
  firstClosed: (ScanPacket & { host: string }) | null = null;
  private readonly sports: SourcePort[] = [];
  /** Bare ACK probes by source port (ackProbeOf), at most SOURCE_PORTS ports. */
  private readonly acks: Array<{ sport: number; probes: number; answered: number; ports: number[] }> = [];
  /**
   * The client's ARP sweep (track/arp.ts) when a probe went to a host it covered: proof of a sweep
   * from the client's own packets, whatever its source ports; its probes then are all the sweep's.
   */
  arp: ArpSweep | null = null;
  /** Unanswered echo requests of the client to hosts of the sweep (host discovery's pings): hosts, requests. */
  pingHosts = 0;
  pingRequests = 0;

  /** Was `host` probed by the sweep (among the hosts told apart)? */
  has(host: string): boolean {
    return this.seen.has(host);
  }

  /** Unanswered echo requests to a host of the sweep: counted with it (Diagnosis, icmp.echo_unanswered's pings). */
  pinged(requests: number): void {
    this.pingHosts++;
    this.pingRequests += requests;
  }

  constructor(client: string) {
    this.client = client;
  }

  /** The source port that served the most distinct hosts, or null. */
  topSourcePort(): { port: number; hosts: number; probes: number } | null {
    let best: SourcePort | null = null;
    for (const s of this.sports) if (best === null || s.hosts.size > best.hosts.size) best = s;
    return best === null ? null : { port: best.port, hosts: best.hosts.size, probes: best.probes };
  }

  /** Whether `sport` is one of the scanner's: it served SCANNER_PORT_HOSTS distinct hosts or more (a program's port serves one). */
  scannerPort(sport: number): boolean {
    if (sport < 0) return false;
    if (this.arp !== null) return true;
    for (const s of this.sports) if (s.port === sport) return s.hosts.size >= SCANNER_PORT_HOSTS;
    return false;
  }

  private sourcePort(sport: number, host: string): void {
    let s = this.sports.find((x) => x.port === sport);
    if (s === undefined) {
      if (this.sports.length >= SOURCE_PORTS) {
        // Full: the port that served the fewest hosts goes (a program's ports serve one each).
        let low = 0;
        for (let i = 1; i < this.sports.length; i++) if (this.sports[i]!.hosts.size < this.sports[low]!.hosts.size) low = i;
        if (this.sports[low]!.hosts.size > 1) return;
        this.sports.splice(low, 1);
      }
      s = { port: sport, hosts: new Set(), probes: 0 };
      this.sports.push(s);
    }
    s.probes++;
    if (s.hosts.size < SWEEP_HOSTS) s.hosts.add(host);
  }

  /** One bare ACK probe of the client (counted; the sweep tells those from its scanner's ports). */
  ackProbe(a: AckProbe): void {
    let e = this.acks.find((x) => x.sport === a.sport);
    if (e === undefined) {
      if (this.acks.length >= SOURCE_PORTS) return;
      e = { sport: a.sport, probes: 0, answered: 0, ports: [] };
      this.acks.push(e);
    }
    e.probes++;
    if (a.answered) e.answered++;
    if (e.ports.length < PORT_SPORTS && !e.ports.includes(a.dport)) e.ports.push(a.dport);
  }

  /** The bare ACK probes sent from the scanner's source ports: how many, how many a RST answered, to which ports (ascending). */
  scannerAckProbes(): { probes: number; answered: number; ports: number[] } {
    const out = { probes: 0, answered: 0, ports: [] as number[] };
    for (const e of this.acks) {
      if (!this.scannerPort(e.sport)) continue;
      out.probes += e.probes;
      out.answered += e.answered;
      for (const p of e.ports) if (!out.ports.includes(p)) out.ports.push(p);
    }
    out.ports.sort((a, b) => a - b);
    return out;
  }

  /** One probe of the client to `host`. True when the host was new and its time one a report can write (the rule then tests for a burst). */
  probe(host: string, p: ProbeInfo, budget: { left: number }): boolean {
    this.probes++;
    this.sourcePort(p.sport, host);
    const k = this.ports.indexOf(p.dport);
    if (k < 0 && this.ports.length <= SWEEP_MAX_PORTS) {
      this.ports.push(p.dport);
      this.portSports.push([p.sport]);
    } else if (k >= 0 && this.portSports[k]!.length < PORT_SPORTS && !this.portSports[k]!.includes(p.sport)) this.portSports[k]!.push(p.sport);
    const timed = isReportableTime(p.synTs);
    if (timed && p.synTs < this.firstTs) this.firstTs = p.synTs;
    if (timed && p.synTs > this.lastTs) this.lastTs = p.synTs;
    const at = { frame: p.synFrame, ts: p.synTs, port: p.dport, host };
    if (this.first === null || p.synFrame < this.first.frame) this.first = at;
    if (this.last === null || p.synFrame > this.last.frame) this.last = at;
    if (p.answer === OPEN && (this.firstOpen === null || p.answerFrame < this.firstOpen.frame)) this.firstOpen = { frame: p.answerFrame, ts: p.answerTs, port: p.dport, host };
    if (p.answer === CLOSED && (this.firstClosed === null || p.answerFrame < this.firstClosed.frame)) this.firstClosed = { frame: p.answerFrame, ts: p.answerTs, port: p.dport, host };
    const was = this.seen.get(host);
    let fresh = false;
    if (was === undefined) {
      if (this.seen.size < MAX_HOSTS && budget.left > 0) {
        budget.left--;
        this.seen.set(host, p.answer);
      } else this.atMost = true;
      fresh = true;
      this.hosts++;
      if (this.hostList.length < LISTED_HOSTS) this.hostList.push(host);
      if (p.answer === OPEN) this.open++;
      else if (p.answer === CLOSED) this.closed++;
    } else if (p.answer > was) {
      this.seen.set(host, p.answer);
      if (was === CLOSED) this.closed--;
      if (p.answer === OPEN) this.open++;
      else if (p.answer === CLOSED) this.closed++;
    }
    if (fresh && timed) {
      this.recent[this.recentCount % SWEEP_HOSTS] = p.synTs;
      this.recentCount++;
      return true;
    }
    return false;
  }

  /** The hosts that never answered. */
  get silent(): number {
    return this.hosts - this.open - this.closed;
  }
}

/** The sweeps of the capture, by client, bounded (MAX_SWEEPS; HOST_BUDGET hosts told apart). */
export class Sweeps {
  private readonly byClient = new Map<string, Sweep>();
  readonly budget = { left: HOST_BUDGET };
  private recent: Sweep | null = null;

  values(): IterableIterator<Sweep> {
    return this.byClient.values();
  }

  /** The client's sweep, if it has one. */
  get(client: string): Sweep | undefined {
    return this.byClient.get(client);
  }

  /** The client's sweep, made when absent; null when the table is full and none of its oldest can go. */
  take(client: string): Sweep | null {
    const r = this.recent;
    if (r !== null && r.client === client) return r;
    let s = this.byClient.get(client);
    if (s === undefined) {
      if (this.byClient.size >= MAX_SWEEPS && !this.letGo()) return null;
      s = new Sweep(client);
      this.byClient.set(client, s);
    }
    this.recent = s;
    return s;
  }

  /** Lets go of the oldest sweep not confirmed (scan.ts letGoOldest). */
  private letGo(): boolean {
    const s = letGoOldest(this.byClient);
    if (s === null) return false;
    if (this.recent === s) this.recent = null;
    return true;
  }
}
