/**
 * Vertical port scans: one client probing many TCP ports of one server. Each probe is literally a
 * failed connection attempt (unanswered, refused, or a SYN-ACK the scanner never acknowledged),
 * but no program tried to connect and failed: the scan is told as one warning (tcp.port_scan),
 * not as a failure per port.
 *
 * What this file keeps, per client and server (a pair), as connections finish: the ports probed
 * and how each answered (open: SYN-ACK; closed: RST; else unanswered), the scanner's source ports,
 * the first and last probe and the first open and closed answer (the verdict's evidence), and the
 * times of the latest new ports (the rule's burst test: causes/tcp.port_scan.ts says when a pair
 * is a scan). Connections of the pair that completed a handshake are not probes: one in which the
 * client sent no payload (a connect scan's open port: connect, then close) marks its port open;
 * one in which it did is a session of the pair, whose time the rule compares with the probes'.
 *
 * Bounded at any size: at most MAX_PAIRS pairs (past it the oldest pair that is not a scan is let
 * go), each with a short list of ports, and a port map of 16 KB (two bits a port) for at most
 * MAX_MAPS pairs with more ports than the list holds; past that a pair counts its ports as they
 * come (an upper bound, said in details).
 */
import type { TcpConn } from '../track/tcp.js';
import type { CraftedPacket, FinishedConn } from '../track/tracker.js';
import { isReportableTime } from '../time.js';

/** How a probe's port answered (the order is the order of strength: a later better answer wins). */
export const SILENT = 1;
export const CLOSED = 2;
export const OPEN = 3;

/** What one finished TCP connection is to the scan watch. */
export interface ProbeInfo {
  /** probe: a handshake never completed; connected: completed, the client sent no payload; session: the client sent payload. */
  role: 'probe' | 'connected' | 'session';
  /** For a session: what the client sent is a scanner's probe, not a program's (scannerProbe). */
  scannerPayload: boolean;
  /** For a probe: SILENT, CLOSED or OPEN. */
  answer: number;
  sport: number;
  dport: number;
  /** SYNs sent on the 4-tuple (the same ISN: the client's stack sent it again). */
  syns: number;
  synFrame: number;
  synTs: number;
  /** The SYN-ACK (open) or RST (closed) that answered, else 0. */
  answerFrame: number;
  answerTs: number;
  start: number;
  end: number;
}

/**
 * Seconds the SYN of a program's connection is sent again in: Linux 1 s then 3 s, Windows 3 s
 * (RFC 6298 §2.1, §5.5): a probe sent three times or more, from a source port of its own, is a
 * program's stack backing off, not a scanner (which sends a probe again from another source port,
 * or at most once more). Such an attempt keeps its own verdict.
 */
export const PERSISTENT_SYNS = 3;

/** What a finished TCP connection is to the scan watch, or null (not one of its kind). */
export function probeOf(f: FinishedConn, synAckTrusted: boolean): ProbeInfo | null {
  const c = f.conn;
  if (c.transport !== 'tcp') return null;
  const t = c as TcpConn;
  if (t.partial || t.synFrames.length === 0 || t.flipped || t.mptcp) return null;
  // The client's payload makes a session: a server's banner (SSH, SMTP, FTP greet on accept)
  // answers a connect scan as well as a program.
  // What the client sent after the server had closed without a word (a service that closes at once:
  // nmap's tcpwrapped) asked nothing: the connection is one in which the client sent nothing.
  const talked = (t.orig.payloadBytes > 0 || t.synLen > 0) && !closedFirst(t);
  const payload = talked || t.resp.payloadBytes > 0;
  const info = (role: ProbeInfo['role'], answer: number, answerFrame: number, answerTs: number): ProbeInfo => ({
    role, answer, scannerPayload: role === 'session' && scannerProbe(f), sport: t.orig.port, dport: t.resp.port, syns: t.synFrames.length, synFrame: t.synFrames[0]!, synTs: t.synTimes[0] ?? t.start,
    answerFrame, answerTs, start: t.start, end: t.end,
  });
  if (t.ackFrame !== 0) return info(talked ? 'session' : 'connected', OPEN, 0, 0);
  if (payload) return null;
  if (t.synAckFrame !== 0) {
    // A capture filtered to connection openings holds no handshake ACK even when it was sent.
    if (!synAckTrusted) return null;
    return info('probe', OPEN, t.synAckFrame, t.synAckTime);
  }
  for (const r of t.rsts) if (!r.fromOrig) return info('probe', CLOSED, r.frame, r.ts);
  return info('probe', SILENT, 0, 0);
}

/**
 * What the client sent on a connection is a scanner's probe of the service (nmap -sV's version
 * detection and its scripts), not a program's request:
 * - an HTTP request without a Host header (nmap's GetRequest, HTTPOptions, FourOhFourRequest:
 *   "GET / HTTP/1.0" and nothing more; every browser, curl, wget and library sends Host), or one
 *   whose User-Agent names a scanner (nmap's scripting engine, masscan, zgrab: track/http.ts);
 * - a TLS ClientHello in SSL 3.0 or SSLv2 form (nmap's SSLSessionReq probe; no program offers
 *   these any more), or one naming neither a server (SNI) nor an application protocol (ALPN):
 *   nmap wraps its probes in a bare OpenSSL handshake to an address. A program's TLS to an address
 *   without ALPN (openssl s_client, a script) looks the same: only a proven scanner's connections
 *   are asked (diagnose.ts), and only those that failed.
 */
export function scannerProbe(f: FinishedConn): boolean {
  const ex = f.http?.exchanges[0];
  if (ex !== undefined) return ex.host === null || ex.scannerAgent;
  const ch = f.tls?.clientHello;
  if (ch === null || ch === undefined) return false;
  if (ch.sslv2 || ch.legacyVersion <= 0x0300) return true;
  return ch.sni === null && ch.alpn.length === 0;
}

/** The server closed (FIN) before the client's first payload, having sent none itself. */
function closedFirst(t: TcpConn): boolean {
  if (t.resp.payloadBytes > 0 || t.synLen > 0) return false;
  for (const f of t.fins) if (!f.fromOrig) return t.orig.firstDataFrame === 0 || f.frame < t.orig.firstDataFrame;
  return false;
}

/** A packet of the verdict's evidence. */
export interface ScanPacket {
  frame: number;
  ts: number;
  port: number;
}

/** Ports a pair lists before it takes a port map. */
const SMALL_PORTS = 48;
/** Ports listed in the verdict for open, closed and unanswered (the lowest). */
export const LISTED_PORTS = 20;
/** Source ports a pair follows. */
const MAX_SPORTS = 64;
export const MAX_PAIRS = 20_000;
export const MAX_MAPS = 1_024;
/** New ports whose first-probe times a pair keeps (the rule's burst test looks at this many). */
export const RECENT = 15;
/** Ports closed at once a pair tells apart (past it each such connection counts). */
const MAX_CLOSED_AT_ONCE = 1_024;

interface SourcePort {
  port: number;
  /** The last destination port probed from it, and how many times the destination changed (distinct ports, near enough). */
  last: number;
  ports: number;
  probes: number;
}

export class ScanPair {
  readonly client: string;
  readonly server: string;
  /** Ports before the map: port and state, side by side. */
  private small: number[] = [];
  private smallState: number[] = [];
  /** Two bits a port (0: none, SILENT, CLOSED, OPEN), once the list is full. */
  private map: Uint32Array | null = null;
  /** The map could not be had: ports past the list are counted as they come. */
  atMost = false;
  ports = 0;
  open = 0;
  closed = 0;
  /** The lowest open, closed and unanswered ports (examples, at most LISTED_PORTS each). */
  openList: number[] = [];
  closedList: number[] = [];
  silentList: number[] = [];
  /** Probe connections (a probe sent again from another source port is another). */
  probes = 0;
  /** Connections that completed a handshake without payload (connect, then close): their ports are open. */
  connected = 0;
  /** Start times of the latest RECENT ports new to the pair (by probes), a ring. */
  readonly recent = new Float64Array(RECENT);
  recentCount = 0;
  /** Some RECENT new ports were first probed within the rule's window (set by the rule's test). */
  burst = false;
  /** A packet no TCP stack sends, from the client to the server (track/tracker.ts craftedFlags): a scan whatever its size. */
  crafted: CraftedPacket | null = null;
  /** The pair was found a scan while the capture was read: its next probes go to no group. */
  confirmed = false;
  firstTs = Infinity;
  lastTs = -Infinity;
  first: ScanPacket | null = null;
  last: ScanPacket | null = null;
  firstOpen: ScanPacket | null = null;
  firstClosed: ScanPacket | null = null;
  private sports: SourcePort[] = [];
  /** Sessions of the pair (payload exchanged), as one span: the first start and the last end. */
  sessionStart = Infinity;
  sessionEnd = -Infinity;
  /** Connections that carried a scanner's probes (scannerProbe: version detection), and their lowest ports. */
  probeSessions = 0;
  probeSessionPorts: number[] = [];
  /** Open ports whose service closed a connection at once, before anything was sent (nmap: tcpwrapped), the lowest. */
  closedAtOnce = 0;
  closedAtOncePorts: number[] = [];
  private closedAtOnceSeen: Set<number> | null = null;

  constructor(client: string, server: string) {
    this.client = client;
    this.server = server;
  }

  /** The source port used for the most destination ports, with its counts, or null. */
  topSourcePort(): SourcePort | null {
    let best: SourcePort | null = null;
    for (const s of this.sports) if (best === null || s.ports > best.ports) best = s;
    return best;
  }

  /** Whether the pair's probes used `sport` toward another destination port than `dport` already. */
  sharesSourcePort(sport: number, dport: number): boolean {
    for (const s of this.sports) if (s.port === sport) return s.ports >= 2 || s.last !== dport;
    return false;
  }

  private sourcePort(sport: number, dport: number): void {
    for (const s of this.sports) {
      if (s.port !== sport) continue;
      s.probes++;
      if (s.last !== dport) {
        s.last = dport;
        s.ports++;
      }
      return;
    }
    if (this.sports.length < MAX_SPORTS) this.sports.push({ port: sport, last: dport, ports: 1, probes: 1 });
  }

  /** The state of a port (0: not seen). */
  private stateOf(port: number): number {
    if (this.map !== null) return (this.map[port >>> 4]! >>> ((port & 15) * 2)) & 3;
    const i = this.small.indexOf(port);
    return i < 0 ? 0 : this.smallState[i]!;
  }

  /** Sets a port's state; false when the port could not be kept (counted as new: atMost). */
  private setState(port: number, s: number, maps: { left: number }): boolean {
    if (this.map === null) {
      const i = this.small.indexOf(port);
      if (i >= 0) {
        this.smallState[i] = s;
        return true;
      }
      if (this.small.length < SMALL_PORTS) {
        this.small.push(port);
        this.smallState.push(s);
        return true;
      }
      if (maps.left <= 0) return false;
      maps.left--;
      this.map = new Uint32Array(65536 / 16);
      for (let k = 0; k < this.small.length; k++) this.put(this.small[k]!, this.smallState[k]!);
      this.small = [];
      this.smallState = [];
    }
    this.put(port, s);
    return true;
  }

  private put(port: number, s: number): void {
    const w = port >>> 4;
    const shift = (port & 15) * 2;
    this.map![w] = (this.map![w]! & ~(3 << shift)) | (s << shift);
  }

  /**
   * A port seen answering `s` (a probe's answer, or OPEN for a connection that completed). True
   * when the port is new to the pair.
   */
  see(port: number, s: number, maps: { left: number }): boolean {
    const was = this.stateOf(port);
    if (was >= s) return false;
    if (!this.setState(port, s, maps)) {
      // No room to remember it: counted as a new port (the count is then at most this).
      this.atMost = true;
      this.ports++;
      this.count(port, 0, s);
      return true;
    }
    if (was === 0) this.ports++;
    this.count(port, was, s);
    return was === 0;
  }

  private count(port: number, was: number, s: number): void {
    if (was === CLOSED) {
      this.closed--;
      drop(this.closedList, port);
    } else if (was === SILENT) drop(this.silentList, port);
    if (s === OPEN) {
      this.open++;
      keepLowest(this.openList, port);
    } else if (s === CLOSED) {
      this.closed++;
      keepLowest(this.closedList, port);
    } else keepLowest(this.silentList, port);
  }

  /** One probe of the pair. True when its port was new and its time one a report can write (the rule then tests for a burst). */
  probe(p: ProbeInfo, maps: { left: number }): boolean {
    this.probes++;
    this.sourcePort(p.sport, p.dport);
    // Times a report cannot write (a wild clock) neither span the scan nor make its burst.
    const timed = isReportableTime(p.synTs);
    if (timed && p.synTs < this.firstTs) this.firstTs = p.synTs;
    if (timed && p.synTs > this.lastTs) this.lastTs = p.synTs;
    if (this.first === null || p.synFrame < this.first.frame) this.first = { frame: p.synFrame, ts: p.synTs, port: p.dport };
    if (this.last === null || p.synFrame > this.last.frame) this.last = { frame: p.synFrame, ts: p.synTs, port: p.dport };
    if (p.answer === OPEN && (this.firstOpen === null || p.answerFrame < this.firstOpen.frame)) this.firstOpen = { frame: p.answerFrame, ts: p.answerTs, port: p.dport };
    if (p.answer === CLOSED && (this.firstClosed === null || p.answerFrame < this.firstClosed.frame)) this.firstClosed = { frame: p.answerFrame, ts: p.answerTs, port: p.dport };
    const fresh = this.see(p.dport, p.answer, maps) && timed;
    if (fresh) {
      this.recent[this.recentCount % RECENT] = p.synTs;
      this.recentCount++;
    }
    return fresh;
  }

  /** A connection of the pair that completed its handshake without payload: its port is open. */
  connect(p: ProbeInfo, maps: { left: number }): void {
    this.connected++;
    this.see(p.dport, OPEN, maps);
  }

  /** A connection of the pair that carried a scanner's probe (version detection): no program's session. */
  probeSession(p: ProbeInfo): void {
    this.probeSessions++;
    keepLowest(this.probeSessionPorts, p.dport);
  }

  /** A connection of the pair that the server closed at once after the handshake (tcp.closed_at_once). */
  closedAtOnceOn(port: number): void {
    if (this.closedAtOnceSeen === null) this.closedAtOnceSeen = new Set();
    if (this.closedAtOnceSeen.has(port)) return;
    // Past MAX_CLOSED_AT_ONCE ports each connection counts (the count is then at most this).
    if (this.closedAtOnceSeen.size < MAX_CLOSED_AT_ONCE) this.closedAtOnceSeen.add(port);
    this.closedAtOnce++;
    keepLowest(this.closedAtOncePorts, port);
  }

  /** Whether a port was seen open (a SYN-ACK, or a handshake completed). */
  isOpen(port: number): boolean {
    return this.stateOf(port) === OPEN;
  }

  /** A connection of the pair that carried payload. */
  session(p: ProbeInfo): void {
    if (p.start < this.sessionStart) this.sessionStart = p.start;
    if (p.end > this.sessionEnd) this.sessionEnd = p.end;
  }

  /** The unanswered ports (distinct). */
  get silent(): number {
    return this.ports - this.open - this.closed;
  }
}

/** The pairs of the capture, bounded (MAX_PAIRS; MAX_MAPS port maps). */
export class ScanPairs {
  private readonly pairs = new Map<string, ScanPair>();
  readonly maps = { left: MAX_MAPS };
  /** The pair of the last look-up: a scan's probes come one after another. */
  private recent: ScanPair | null = null;

  get size(): number {
    return this.pairs.size;
  }

  values(): IterableIterator<ScanPair> {
    return this.pairs.values();
  }

  get(client: string, server: string): ScanPair | undefined {
    const r = this.recent;
    if (r !== null && r.client === client && r.server === server) return r;
    if (this.pairs.size === 0) return undefined;
    return this.pairs.get(`${client}|${server}`);
  }

  /**
   * The pair of a client and server, made when absent. Past MAX_PAIRS the oldest pair not yet
   * found a scan is let go (its probes placed so far are then told as before: no scan); null when
   * none of the oldest can go (the caller tells the connection as before).
   */
  take(client: string, server: string): ScanPair | null {
    const r = this.recent;
    if (r !== null && r.client === client && r.server === server && (r.confirmed || this.pairs.size < MAX_PAIRS / 2)) return r;
    const key = `${client}|${server}`;
    let p = this.pairs.get(key);
    if (p !== undefined) {
      // The table filling up: a pair in use goes to the back, so that the pairs let go are the quiet ones.
      if (this.pairs.size >= MAX_PAIRS / 2 && !p.confirmed) {
        this.pairs.delete(key);
        this.pairs.set(key, p);
      }
      this.recent = p;
      return p;
    }
    if (this.pairs.size >= MAX_PAIRS && !this.letGo()) return null;
    p = new ScanPair(client, server);
    this.pairs.set(key, p);
    this.recent = p;
    return p;
  }

  /** Lets go of the oldest pair not confirmed a scan. */
  private letGo(): boolean {
    const p = letGoOldest(this.pairs);
    if (p === null) return false;
    if (this.recent === p) this.recent = null;
    return true;
  }
}

/**
 * Takes out of `table` the oldest entry not confirmed (a scan, a sweep), looking at its 64 oldest
 * at most (bounded work), and returns it; null when all of those are confirmed.
 */
export function letGoOldest<T extends { confirmed: boolean }>(table: Map<string, T>): T | null {
  let looked = 0;
  for (const [k, x] of table) {
    if (++looked > 64) return null;
    if (x.confirmed) continue;
    table.delete(k);
    return x;
  }
  return null;
}

function keepLowest(list: number[], port: number): void {
  if (list.length >= LISTED_PORTS && port >= list[list.length - 1]!) return;
  let i = list.length;
  while (i > 0 && list[i - 1]! > port) i--;
  if (list[i - 1] === port) return;
  list.splice(i, 0, port);
  if (list.length > LISTED_PORTS) list.pop();
}

function drop(list: number[], port: number): void {
  const i = list.indexOf(port);
  if (i >= 0) list.splice(i, 1);
}
