/**
 * The flow table: finds the connection a decoded packet belongs to, in either direction, without
 * building a string per packet. A symmetric numeric hash of the 5-tuple picks a bucket of a
 * power-of-two array; entries of one bucket are chained through `fNext` and told apart by field
 * comparison (IPv6 addresses as four 32-bit words each).
 *
 * Idle expiry follows capture time. Every entry sits on one of a few intrusive LRU lists, one per
 * timeout class (active TCP, TCP attempt, closed TCP, TCP closed both ways and acknowledged, UDP,
 * answered DNS over UDP, interactive TCP, ICMP): inside a list all entries share one timeout, so the
 * head is always the next to expire and a sweep costs O(expired). As in Zeek (Session::
 * InactivityTimer, which runs when the network time reaches the last packet's time plus the
 * timeout), an entry idle for its timeout or longer is expired: a packet exactly that late starts
 * a new connection. A cap on tracked
 * entries finishes the least recently active one and counts it, so memory follows the number of
 * open connections, never the number ever seen.
 */
import type { Packet } from '../decode/packet.js';
import type { Conn, StreamSink } from './types.js';
import { ipv4ToString, ipv6ToString } from '../decode/addr.js';
import { hex } from '../decode/bytes.js';
import { DOUBLE } from '../decode/shape.js';
import { viewOf } from '../decode/view.js';

/** Timeout classes (index into the table's timeout array). */
export const CLS_TCP = 0;
export const CLS_TCP_ATTEMPT = 1;
export const CLS_TCP_CLOSED = 2;
export const CLS_UDP = 3;
export const CLS_UDP_ANSWERED = 4;
export const CLS_TCP_DONE = 5;
export const CLS_TCP_INTERACTIVE = 6;
export const CLS_ICMP = 7;
export const N_CLASSES = 8;

export interface FlowTimeouts {
  /** Seconds of inactivity before an established / partial TCP connection is finished (Zeek tcp_inactivity_timeout: 5 min). */
  tcpInactivity?: number;
  /**
   * Seconds after the last packet before a TCP connection that is still only an attempt (SYN sent,
   * no answer) is finished. Zeek's tcp_attempt_delay is 5 s from the first SYN, which splits
   * retried SYNs into several connections; the default here (130 s, longer than a Linux stack's
   * 6 SYN retries) keeps one attempt together so it can be reported with all its retries.
   */
  tcpAttempt?: number;
  /**
   * Seconds after the last packet before a closed or reset TCP connection is finished. Zeek's
   * tcp_close_delay is 5 s; 2 s is enough for what follows a close (the last ACK, one FIN
   * retransmission at the initial 1 s RTO) and keeps fewer finished connections in memory when
   * thousands close every second.
   */
  tcpClosed?: number;
  /**
   * Seconds after the last packet before a TCP connection closed cleanly both ways (each FIN
   * acknowledged by the peer) is finished: nothing more is expected but a FIN retransmitted
   * because the last ACK was lost beyond the capture point.
   */
  tcpDone?: number;
  /** Seconds of inactivity before a UDP flow is finished (Zeek udp_inactivity_timeout: 1 min). */
  udpInactivity?: number;
  /**
   * Seconds after the last packet before a DNS-over-UDP flow whose every query was answered is
   * finished (Zeek's DNS analyzer removes a quiet DNS flow after dns_session_timeout, 10 s; one
   * second still catches the second query of a resolver asking A then AAAA on one socket).
   */
  udpAnswered?: number;
  /**
   * Seconds of inactivity before an established TCP connection of an interactive service is
   * finished: Zeek's base/protocols/conn/inactivity.zeek raises the timeout of connections to TCP
   * ports 21, 22, 23 and 513 to 1 hour when they are established (port_inactivity_timeouts).
   */
  tcpInteractive?: number;
  /** Seconds of inactivity before an ICMP flow is finished (Zeek icmp_inactivity_timeout: 1 min). */
  icmpInactivity?: number;
}

export const DEFAULT_TIMEOUTS: Required<FlowTimeouts> = {
  tcpInactivity: 300,
  tcpAttempt: 130,
  tcpClosed: 2,
  tcpDone: 1,
  udpInactivity: 60,
  udpAnswered: 1,
  tcpInteractive: 3600,
  icmpInactivity: 60,
};

/** Fields the table keeps on each entry (intrusive: no wrapper object per connection). */
export class FlowEntry {
  /** Key side A is the source of the packet that created the entry. */
  fProto = 0;
  fVersion = 0;
  /** IPv4 addresses as int32 (x | 0): kept in the object as small integers, where a uint32 above 2^31 is a boxed double. */
  fA4 = 0;
  fB4 = 0;
  /** IPv6 addresses as four int32 words each (big-endian), for IPv6 entries. */
  fA6a = 0;
  fA6b = 0;
  fA6c = 0;
  fA6d = 0;
  fB6a = 0;
  fB6b = 0;
  fB6c = 0;
  fB6d = 0;
  fPortA = 0;
  fPortB = 0;
  fHash = 0;
  /** Next entry of the same hash bucket. */
  fNext: FlowEntry | null = null;
  /** LRU neighbours inside the entry's timeout class. */
  lPrev: FlowEntry | null = null;
  lNext: FlowEntry | null = null;
  lCls = -1;
  /**
   * Capture time of the last packet (seconds): the connection's `end` too, so that a packet
   * writes one time field, not two.
   */
  end = DOUBLE;
  /** Capture time the entry was (re)queued at the tail of its class list: lists are ordered by it. */
  lQ = DOUBLE;
  /** A TCP attempt held compactly (tcp.ts TcpAttempt), not a flow object of the table's kind. */
  fHeld = false;

  /** Back to the state of a new entry (a finished connection object reused for a new one). */
  protected resetEntry(): void {
    this.fProto = this.fVersion = this.fA4 = this.fB4 = 0;
    this.fA6a = this.fA6b = this.fA6c = this.fA6d = this.fB6a = this.fB6b = this.fB6c = this.fB6d = 0;
    this.fPortA = this.fPortB = this.fHash = 0;
    this.fNext = this.lPrev = this.lNext = null;
    this.lCls = -1;
    this.end = this.lQ = 0;
  }
}

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return h ^ (h >>> 16);
}

/**
 * The two IPv6 addresses of the tuple being looked up, as big-endian int32 words: A in 0..3,
 * B in 4..7. Read once per lookup, then hashed and compared word by word.
 */
const W = new Int32Array(8);

function loadWords(b: Uint8Array, aOff: number, bOff: number): void {
  // 32-bit big-endian reads (the decoder checked that the 40-byte IPv6 header is there).
  const dv = viewOf(b);
  W[0] = dv.getInt32(aOff);
  W[1] = dv.getInt32(aOff + 4);
  W[2] = dv.getInt32(aOff + 8);
  W[3] = dv.getInt32(aOff + 12);
  W[4] = dv.getInt32(bOff);
  W[5] = dv.getInt32(bOff + 4);
  W[6] = dv.getInt32(bOff + 8);
  W[7] = dv.getInt32(bOff + 12);
}

/** Hash of the address in words k..k+3 of W. */
function v6fold(k: number): number {
  let h = 0x9e3779b9;
  h = mix(h ^ W[k]!);
  h = mix(h ^ W[k + 1]!);
  h = mix(h ^ W[k + 2]!);
  return mix(h ^ W[k + 3]!);
}

/** Entry side A holds the address in words k..k+3 of W, side B the one in words j..j+3. */
function eq6(e: FlowEntry, k: number, j: number): boolean {
  return e.fA6a === W[k] && e.fA6b === W[k + 1] && e.fA6c === W[k + 2] && e.fA6d === W[k + 3] &&
    e.fB6a === W[j] && e.fB6b === W[j + 1] && e.fB6c === W[j + 2] && e.fB6d === W[j + 3];
}

/** True for IPv4 255.255.255.255 (Zeek's IPAddr::IsBroadcast). */
export function isBroadcast4(a: number): boolean {
  return a === 0xffffffff || a === -1;
}

const MIN_SLOTS = 1024;

export class FlowTable<E extends FlowEntry> {
  /** Hash buckets (power-of-two count), chained through `fNext`; grown at a load of 1/2, shrunk below 1/16. */
  private slots: (E | null)[] = new Array<E | null>(MIN_SLOTS).fill(null);
  private mask = MIN_SLOTS - 1;
  private readonly heads: (E | null)[] = new Array<E | null>(N_CLASSES).fill(null);
  private readonly tails: (E | null)[] = new Array<E | null>(N_CLASSES).fill(null);
  /** Entries in each class. */
  readonly counts: number[] = new Array<number>(N_CLASSES).fill(0);
  readonly timeouts: number[];
  /** Entries currently tracked. */
  size = 0;
  /** Most entries tracked at once. */
  peak = 0;
  /** Direction of the last successful `find`: true when the packet's source is key side A. */
  fwd = true;

  constructor(t: FlowTimeouts = {}, readonly maxEntries = 1_000_000) {
    const d = { ...DEFAULT_TIMEOUTS, ...t };
    this.timeouts = [d.tcpInactivity, d.tcpAttempt, d.tcpClosed, d.udpInactivity, d.udpAnswered, d.tcpDone, d.tcpInteractive, d.icmpInactivity];
    // The bucket array and its mask change when the table grows: written twice from the start, so
    // the first growth does not throw away the optimized lookup (shape.ts).
    this.slots = this.slots; // eslint-disable-line no-self-assign
    this.mask = this.mask; // eslint-disable-line no-self-assign
  }

  /** Hash of a 5-tuple, the same in both directions. IPv6: the addresses are in W (loadWords). */
  private hashOf(proto: number, v4: boolean, a4: number, b4: number, pa: number, pb: number): number {
    let ha: number;
    let hb: number;
    if (v4) {
      ha = mix(a4 ^ Math.imul(pa + 1, 0x9e3779b1));
      hb = mix(b4 ^ Math.imul(pb + 1, 0x9e3779b1));
    } else {
      ha = mix(v6fold(0) ^ Math.imul(pa + 1, 0x9e3779b1));
      hb = mix(v6fold(4) ^ Math.imul(pb + 1, 0x9e3779b1));
    }
    return mix((ha ^ hb) + proto) & 0x3fffffff;
  }

  private findTuple(proto: number, version: number, a4: number, b4: number, nb: Uint8Array, aOff: number, bOff: number,
    pa: number, pb: number): E | null {
    const v4 = version === 4;
    a4 |= 0;
    b4 |= 0;
    if (!v4) loadWords(nb, aOff, bOff);
    const h = this.hashOf(proto, v4, a4, b4, pa, pb);
    let e = this.slots[h & this.mask] ?? null;
    while (e !== null) {
      if (e.fHash === h && e.fProto === proto && e.fVersion === version) {
        if (v4) {
          if (e.fA4 === a4 && e.fB4 === b4 && e.fPortA === pa && e.fPortB === pb) return this.hit(e, true);
          if (e.fA4 === b4 && e.fB4 === a4 && e.fPortA === pb && e.fPortB === pa) return this.hit(e, false);
        } else {
          if (e.fPortA === pa && e.fPortB === pb && eq6(e, 0, 4)) return this.hit(e, true);
          if (e.fPortA === pb && e.fPortB === pa && eq6(e, 4, 0)) return this.hit(e, false);
        }
      }
      e = e.fNext as E | null;
    }
    return null;
  }

  private hit(e: E, fwd: boolean): E {
    this.fwd = fwd;
    return e;
  }

  private resize(n: number): void {
    const old = this.slots;
    const slots = new Array<E | null>(n).fill(null);
    const mask = n - 1;
    for (let i = 0; i < old.length; i++) {
      let e = old[i] ?? null;
      while (e !== null) {
        const next = e.fNext as E | null;
        const j = e.fHash & mask;
        e.fNext = slots[j] ?? null;
        slots[j] = e;
        e = next;
      }
    }
    this.slots = slots;
    this.mask = mask;
  }

  /** The entry of this packet's flow or null; sets `fwd`. */
  find(p: Packet): E | null {
    if (p.ipVersion !== 4) return this.findTuple(p.proto, p.ipVersion, 0, 0, p.nb, p.srcOff, p.dstOff, p.sport, p.dport);
    // IPv4, the common case, written out with the addresses read from the packet: a uint32
    // address passed as an argument is a boxed double (one allocation per packet).
    const proto = p.proto;
    const pa = p.sport;
    const pb = p.dport;
    const a = p.src4 | 0;
    const b = p.dst4 | 0;
    const ha = mix(a ^ Math.imul(pa + 1, 0x9e3779b1));
    const hb = mix(b ^ Math.imul(pb + 1, 0x9e3779b1));
    const h = mix((ha ^ hb) + proto) & 0x3fffffff;
    let e = this.slots[h & this.mask] ?? null;
    while (e !== null) {
      if (e.fHash === h && e.fProto === proto && e.fVersion === 4) {
        if (e.fA4 === a && e.fB4 === b && e.fPortA === pa && e.fPortB === pb) return this.hit(e, true);
        if (e.fA4 === b && e.fB4 === a && e.fPortA === pb && e.fPortB === pa) return this.hit(e, false);
      }
      e = e.fNext as E | null;
    }
    return null;
  }

  /**
   * The entry keyed on this packet's addresses with protocol `proto` and "ports" `pa` (source) and
   * `pb` (destination) in place of the packet's, or null; sets `fwd`. For flows whose key is not
   * the packet's ports (ICMP: type and counterpart type).
   */
  findAs(p: Packet, proto: number, pa: number, pb: number): E | null {
    if (p.ipVersion === 4) return this.findTuple(proto, 4, p.src4, p.dst4, p.nb, 0, 0, pa, pb);
    return this.findTuple(proto, p.ipVersion, 0, 0, p.nb, p.srcOff, p.dstOff, pa, pb);
  }

  /** The entry of the flow quoted inside an ICMP error carried by this packet, or null; sets `fwd` (quoted source = side A). */
  findQuoted(p: Packet): E | null {
    const q = p.quoted;
    if (!q.present || q.sport < 0 || (q.version !== 4 && q.version !== 6)) return null;
    return this.findTuple(q.proto, q.version, q.src4, q.dst4, p.nb, q.srcOff, q.dstOff, q.sport, q.dport);
  }

  /** `findQuoted` with protocol `proto` and "ports" `pa`, `pb` in place of the quoted ones (ICMP: type and counterpart type). */
  findQuotedAs(p: Packet, proto: number, pa: number, pb: number): E | null {
    const q = p.quoted;
    if (!q.present || (q.version !== 4 && q.version !== 6)) return null;
    return this.findTuple(proto, q.version, q.src4, q.dst4, p.nb, q.srcOff, q.dstOff, pa, pb);
  }

  /**
   * Adds an entry keyed on this packet (source = side A), with protocol and ports `proto`, `pa`,
   * `pb` (default: the packet's). The caller checked `full` first.
   */
  add(e: E, p: Packet, cls: number, now: number, proto = p.proto, pa = p.sport, pb = p.dport): void {
    e.fProto = proto;
    e.fVersion = p.ipVersion;
    e.fPortA = pa;
    e.fPortB = pb;
    const v4 = p.ipVersion === 4;
    if (v4) {
      e.fA4 = p.src4 | 0;
      e.fB4 = p.dst4 | 0;
    } else {
      loadWords(p.nb, p.srcOff, p.dstOff);
      e.fA6a = W[0]!;
      e.fA6b = W[1]!;
      e.fA6c = W[2]!;
      e.fA6d = W[3]!;
      e.fB6a = W[4]!;
      e.fB6b = W[5]!;
      e.fB6c = W[6]!;
      e.fB6d = W[7]!;
    }
    const h = this.hashOf(proto, v4, e.fA4, e.fB4, pa, pb);
    e.fHash = h;
    if (this.size * 2 >= this.slots.length) this.resize(this.slots.length * 2);
    const i = h & this.mask;
    e.fNext = this.slots[i] ?? null;
    this.slots[i] = e;
    this.size++;
    if (this.size > this.peak) this.peak = this.size;
    e.lCls = -1;
    this.touch(e, cls, now);
  }

  get full(): boolean {
    return this.size >= this.maxEntries;
  }

  /**
   * Records activity. Moving an entry to the tail on every packet would cost a dozen pointer
   * writes per packet, so the list is kept lazily: an entry moves only when its class changes,
   * and `expiredHead` re-queues a head that turns out to have been active since it was queued.
   */
  touch(e: E, cls: number, now: number): void {
    e.end = now;
    if (e.lCls === cls) return;
    if (e.lCls >= 0) this.unlink(e);
    this.append(e, cls, now);
  }

  private append(e: E, cls: number, now: number): void {
    this.counts[cls]!++;
    e.lCls = cls;
    e.lQ = now;
    e.lNext = null;
    const t = this.tails[cls] ?? null;
    e.lPrev = t;
    if (t !== null) t.lNext = e;
    else this.heads[cls] = e;
    this.tails[cls] = e;
  }

  private unlink(e: E): void {
    const c = e.lCls;
    this.counts[c]!--;
    const prev = e.lPrev as E | null;
    const next = e.lNext as E | null;
    if (prev !== null) prev.lNext = next;
    else this.heads[c] = next;
    if (next !== null) next.lPrev = prev;
    else this.tails[c] = prev;
    e.lPrev = e.lNext = null;
    e.lCls = -1;
  }

  /** Forgets an entry (after it was finished). */
  remove(e: E): void {
    if (e.lCls >= 0) this.unlink(e);
    const i = e.fHash & this.mask;
    let cur = this.slots[i] ?? null;
    let prev: E | null = null;
    while (cur !== null && cur !== e) {
      prev = cur;
      cur = cur.fNext as E | null;
    }
    if (cur === null) return;
    if (prev === null) this.slots[i] = e.fNext as E | null;
    else prev.fNext = e.fNext;
    e.fNext = null;
    this.size--;
    if (this.slots.length > MIN_SLOTS && this.size < this.slots.length >>> 4) this.resize(this.slots.length >>> 1);
  }

  /** Idle for its class's timeout or longer at `now` (Zeek: last_time + timeout <= network time). */
  isExpired(e: E, now: number): boolean {
    return e.lCls >= 0 && e.end + this.timeouts[e.lCls]! <= now;
  }

  /** An entry whose idle timeout has passed at `now`, or null. Finish it (and `remove` it) before asking again. */
  expiredHead(now: number): E | null {
    for (let c = 0; c < N_CLASSES; c++) {
      const t = this.timeouts[c]!;
      for (;;) {
        const h = this.heads[c] ?? null;
        // Queue times only grow along a list: if the head was queued too recently, so were the others.
        // (A head queued exactly a timeout ago waits for the next sweep: a packet of its own at
        // `now` still finds it expired, and a re-queued head always ends the walk.)
        if (h === null || h.lQ + t >= now) break;
        if (h.end + t <= now) return h;
        this.unlink(h);
        this.append(h, c, now);
      }
    }
    return null;
  }

  /** The entry queued first in class `cls` (the least recently queued), or null. */
  head(cls: number): E | null {
    return this.heads[cls] ?? null;
  }

  /** To the tail of its class again (it was active since it was queued). */
  requeue(e: E, now: number): void {
    const c = e.lCls;
    if (c < 0) return;
    this.unlink(e);
    this.append(e, c, now);
  }

  /** A least recently active entry (approximately: the oldest queued head), to evict at the cap. */
  oldest(): E | null {
    let best: E | null = null;
    for (let c = 0; c < N_CLASSES; c++) {
      const h = this.heads[c] ?? null;
      if (h !== null && (best === null || h.end < best.end)) best = h;
    }
    return best;
  }

  /** All entries (for the end of the capture). */
  all(): E[] {
    const out: E[] = [];
    for (let c = 0; c < N_CLASSES; c++) {
      for (let e = this.heads[c] ?? null; e !== null; e = e.lNext as E | null) out.push(e);
    }
    return out;
  }
}

/**
 * Zeek's `likely_server_ports` as loaded by default (base scripts: each analyzer adds the ports it
 * is registered for). Used to guess the responder when a flow starts without a SYN (TCP) and to
 * orient UDP flows. Values are `port` for TCP and `port | 0x10000` for UDP.
 */
const TCP_SERVER_PORTS = [
  21, 22, 23, 25, 53, 80, 81, 88, 102, 110, 135, 139, 143, 161, 389, 443, 445, 465, 502, 513, 514, 563, 585, 587, 614,
  631, 636, 989, 990, 992, 993, 995, 1080, 1194, 1433, 1883, 2123, 2152, 2404, 2811, 3128, 3268, 3306, 3389, 5060, 5222,
  5223, 5269, 5432, 5671, 5672, 5900, 6379, 8000, 8080, 8443, 8888, 11211, 20000, 27017,
];
const UDP_SERVER_PORTS = [
  53, 67, 68, 69, 88, 123, 137, 138, 161, 162, 389, 443, 500, 514, 623, 1194, 1812, 1813, 2123, 2152, 3478, 3544, 4500,
  4789, 5060, 5072, 5353, 5355, 6081, 20000,
];
const SERVER_PORT = new Uint8Array(65536 * 2);
for (const p of TCP_SERVER_PORTS) SERVER_PORT[p] = 1;
for (const p of UDP_SERVER_PORTS) SERVER_PORT[65536 + p] = 1;

export function isLikelyServerPort(port: number, udp: boolean): boolean {
  return SERVER_PORT[(udp ? 65536 : 0) + port] === 1;
}

/** Capture time of a packet in seconds (double). */
export function packetTime(p: Packet): number {
  return p.tsSec + p.tsNsec * 1e-9;
}

/** What a TCP connection and a UDP flow have in common (the Conn fields the trackers fill). */
export abstract class FlowConn extends FlowEntry {
  id = 0;
  start = DOUBLE;
  firstFrame = 0;
  lastFrame = 0;
  history = '';
  done = false;
  trk: object | null = null;
  tlsState: unknown = null;
  httpState: unknown = null;
  /** True when key side A (the first packet's source) is the originator; toggled by a flip. */
  keyIsOrig = true;
  /** Roles were flipped by a heuristic (history has '^'). */
  flipped = false;
  /** Zeek conn-level history masks (originator bits low, responder bits << 16). */
  histSeen = 0;
  abstract orig: { ip: string; port: number };
  abstract resp: { ip: string; port: number };
  abstract finishReason: string;

  /**
   * Back to the state of a new object of its class, for a finished connection taken again by the
   * tracker. Lists and objects are replaced, never emptied: whoever kept one keeps it unchanged.
   * A subclass's constructor calls it too, after the field initializers (layout: shape.ts).
   */
  abstract reset(): void;

  /** Zeek Connection::FlipRoles: swap originator and responder, add '^'. History masks stay. */
  flipRoles(): void {
    const t = this.orig;
    this.orig = this.resp;
    this.resp = t;
    this.keyIsOrig = !this.keyIsOrig;
    this.flipped = true;
    this.history += '^';
  }

  protected resetConn(): void {
    this.resetEntry();
    this.id = 0;
    this.start = 0;
    this.firstFrame = this.lastFrame = 0;
    this.history = '';
    this.done = false;
    this.trk = null;
    this.tlsState = this.httpState = null;
    this.keyIsOrig = true;
    this.flipped = false;
    this.histSeen = 0;
  }
}

export interface FlowTrackerOptions extends FlowTimeouts {
  /** Most flows tracked at once; beyond it the least recently active one is finished (default 1,000,000). */
  maxConns?: number | undefined;
  /**
   * Most unanswered connection attempts (SYN only) held at once (default 20,000): past it, the
   * oldest attempt quiet for ATTEMPT_PROVEN seconds or more is finished ('evicted'), so that a
   * scan of a million ports costs what 20,000 attempts do. Younger ones are kept whatever their number.
   */
  maxAttempts?: number | undefined;
  /**
   * Most connections held in the short closing delay of a refused or cleanly closed connection
   * (CLS_TCP_DONE) at once (default 10,000): past it, the one that closed first is finished at
   * once. Nothing but a stray copy of the last packet is expected in that delay, and a scan
   * refused at 100,000 ports a second would otherwise hold 100,000 finished connections.
   */
  maxDone?: number | undefined;
  /** Connection ids: shared with other trackers so ids follow first-packet order (default: own counter). */
  nextId?: (() => number) | undefined;
  /** Address text shared with other trackers (default: own). */
  addrs?: AddrText | undefined;
  /**
   * Take finished flow objects again for new flows (default false). Only for consumers that keep
   * nothing of a flow but what they copy out when it is handed to them (lists and nested objects
   * stay theirs: a reused flow gets new ones).
   */
  reuse?: boolean | undefined;
}

/** Finished flow objects kept for reuse, at most. */
const POOL_MAX = 4096;

/**
 * Seconds an unanswered attempt has waited before it may be let go at the attempt cap: past the
 * first SYN retransmission (1 s, RFC 6298 §2.1) and its answer's way back, it has proved "no reply".
 */
export const ATTEMPT_PROVEN = 2;

/**
 * The table plumbing the TCP and UDP trackers share: sweeps by capture time, eviction when the
 * table is full, end-of-capture flush, a new flow's first facts, the steps of finishing a flow
 * and the reuse of finished flow objects. Each tracker keeps its own per-packet path and says
 * what finishing adds (`close`).
 */
export abstract class FlowTracker<C extends FlowConn, R extends string> {
  protected readonly table: FlowTable<C>;
  private readonly addrs: AddrText;
  private readonly nextId: () => number;
  private idCounter = 0;
  /** Finished flow objects, already reset (null when not reusing). */
  private readonly pool: C[] | null;
  protected nextSweep = -Infinity;
  /** Capture time of the last sweep: at most one sweep interval behind the previous packet (while time runs forward). */
  protected lastSweep = -Infinity;
  /** Flows finished because the table was full. */
  evictions = 0;
  /** Unanswered attempts finished at the attempt cap (maxAttempts). */
  attemptsLetGo = 0;
  private readonly maxAttempts: number;
  private readonly maxDone: number;

  constructor(o: FlowTrackerOptions, private readonly endSink: StreamSink | undefined, private readonly handOver: (c: C) => void) {
    this.table = new FlowTable<C>(o, o.maxConns ?? 1_000_000);
    this.maxAttempts = o.maxAttempts ?? 20_000;
    this.maxDone = o.maxDone ?? 10_000;
    this.nextId = o.nextId ?? (() => ++this.idCounter);
    this.addrs = o.addrs ?? new AddrText();
    this.pool = o.reuse === true ? [] : null;
  }

  /** Most flows open at once. */
  get peakOpen(): number {
    return this.table.peak;
  }

  /** The open flow whose packet is quoted in an ICMP error carried by `p` (either direction), or null. */
  lookupQuoted(p: Packet): C | null {
    return this.table.findQuoted(p);
  }

  /** Finishes flows idle past their timeout at capture time `now`. */
  sweep(now: number): void {
    let e: C | null;
    while ((e = this.table.expiredHead(now)) !== null) this.finish(e, 'idle' as R);
    this.lastSweep = now;
    this.nextSweep = now + SWEEP_INTERVAL;
  }

  /** End of capture: finishes every flow still open, in order of first packet. */
  flush(): void {
    const all = this.table.all().sort((a, b) => a.id - b.id);
    for (const c of all) this.finish(c, 'end' as R);
  }

  /**
   * A new flow for packet `p` (a reused object, or `make()`): room made in a full table, id,
   * times, endpoints, entered in class `cls`. `find(p)` missed just before.
   */
  protected begin(make: () => C, p: Packet, now: number, cls: number, proto = p.proto, pa = p.sport, pb = p.dport): C {
    this.makeRoom(now);
    const c = this.take(make);
    c.id = this.nextId();
    this.enter(c, p, now, pa, pb);
    this.table.add(c, p, cls, now, proto, pa, pb);
    return c;
  }

  /** A new entry's id, in first-packet order (for an entry that is not a flow object: tcp.ts TcpAttempt). */
  protected newId(): number {
    return this.nextId();
  }

  /** A flow object for a new flow: a reused one, or `make()`. */
  protected take(make: () => C): C {
    return (this.pool !== null ? this.pool.pop() : undefined) ?? make();
  }

  /** A new flow's first facts: times, frames, endpoints (the packet's source is the originator). */
  protected enter(c: C, p: Packet, now: number, pa: number, pb: number): void {
    c.start = c.end = now;
    c.firstFrame = c.lastFrame = p.frame;
    c.orig.ip = this.addrs.text(p, true);
    c.orig.port = pa;
    c.resp.ip = this.addrs.text(p, false);
    c.resp.port = pb;
  }

  /** Room for a new entry at `now`: the caps on entries, unanswered attempts and closed connections. */
  protected makeRoom(now: number): void {
    const table = this.table;
    while (table.full) {
      const old = table.oldest();
      if (old === null) break;
      this.evictions++;
      this.finish(old, 'evicted' as R);
    }
    while (table.counts[CLS_TCP_ATTEMPT]! >= this.maxAttempts) {
      const old = table.head(CLS_TCP_ATTEMPT);
      if (old === null) break;
      if (now - old.end < ATTEMPT_PROVEN) {
        // Active since it was queued (a retransmitted SYN): behind the others, once.
        if (now - old.lQ >= ATTEMPT_PROVEN) {
          table.requeue(old, now);
          continue;
        }
        break;
      }
      this.attemptsLetGo++;
      this.finish(old, 'evicted' as R);
    }
    while (table.counts[CLS_TCP_DONE]! >= this.maxDone) {
      const old = table.head(CLS_TCP_DONE);
      if (old === null) break;
      // What its delay would end in, only sooner: finished as idle, as the sweep would.
      this.finish(old, 'idle' as R);
    }
  }

  /** Hands a flow over (once): out of the table, `close` for the tracker's own final facts, then the sink and the consumer. */
  protected finish(c: C, reason: R): void {
    if (c.done) return;
    this.table.remove(c);
    c.done = true;
    (c as FlowConn).finishReason = reason;
    this.close(c);
    // Only TCP connections (which are Conns) have a stream sink.
    this.endSink?.end(c as unknown as Conn);
    this.handOver(c);
    this.release(c);
    if (this.pool !== null && this.pool.length < POOL_MAX) {
      c.reset();
      this.pool.push(c);
    }
  }

  /** The tracker's final facts of a flow, before it is handed over. */
  protected abstract close(c: C): void;
  /** What the tracker drops of a flow once it was handed over (before the object is reset for reuse). */
  protected release(_c: C): void {}
}

/**
 * Address text, made once per address: a capture's flows share few addresses (clients, servers,
 * resolvers), and each open flow would otherwise hold its own copy of the same two strings.
 * Bounded: forgotten wholesale when full.
 */
export class AddrText {
  private readonly v4 = new Map<number, string>();
  private readonly v6 = new Map<string, string>();

  constructor(private readonly max = 65536) {}

  /** The packet's source (or destination) address as text ('' when not IP). */
  text(p: Packet, src: boolean): string {
    if (p.ipVersion === 4) {
      // As int32: a small-integer key, where a uint32 above 2^31 would be a boxed double.
      const a = (src ? p.src4 : p.dst4) | 0;
      let s = this.v4.get(a);
      if (s === undefined) {
        if (this.v4.size >= this.max) this.v4.clear();
        s = ipv4ToString(a);
        this.v4.set(a, s);
      }
      return s;
    }
    if (p.ipVersion === 6) {
      const o = src ? p.srcOff : p.dstOff;
      const k = hex(p.nb, o, 16);
      let s = this.v6.get(k);
      if (s === undefined) {
        if (this.v6.size >= this.max) this.v6.clear();
        s = ipv6ToString(p.nb, o);
        this.v6.set(k, s);
      }
      return s;
    }
    return '';
  }
}

/** Capture-time seconds between sweeps for idle flows. */
const SWEEP_INTERVAL = 0.1;
