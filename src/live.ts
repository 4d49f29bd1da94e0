/**
 * Live analysis: the same decode → track → diagnose pipeline as `analyze()`, plus a watcher that
 * says a failure as soon as it is certain instead of when the connection is finished (the
 * tracker finishes connections only after their idle timeouts).
 *
 * The watcher holds no protocol logic of its own. On the few packets that can settle a verdict
 * (a RST, a TLS alert, an ICMP error, a DNS response) and on a wall-clock tick (SYNs and DNS
 * queries left unanswered), it takes the tracker's current state of that one connection or name
 * and runs it through a throwaway `Diagnosis` — the rules that make the final report — so a
 * streaming line has the final report's cause and words. One line per target and cause.
 *
 * When to call a silence a failure (the kernel's own timers, documented in the README):
 * - SYN: no SYN-ACK or RST `synTimeout` seconds (default 3) after the first SYN — Linux has
 *   retransmitted it twice by then (1 s, 3 s);
 * - DNS: no answer `dnsTimeout` seconds (default 5, glibc's and dig's timeout) after the name's
 *   last query, so a resolver's retry restarts the wait;
 * - TCP (issue 22): a zero window that lasted 5 s with probes answered, a segment resent with
 *   exponential back-off never acknowledged: on the packet after which their rule holds.
 */
import type { RawPacket, CaptureInfo } from './capture/types.js';
import { Packet, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_RST, TCP_SYN } from './decode/packet.js';
import type { DnsMessage } from './decode/dns.js';
import { isIcmpv4Error, isIcmpv6Error } from './decode/icmp.js';
import { Tracker, type FinishedConn } from './track/tracker.js';
import type { TcpConn } from './track/tcp.js';
import type { UdpConn } from './track/udp.js';
import type { IcmpError } from './track/icmp.js';
import { Diagnosis } from './diagnose/diagnose.js';
import { causeDef } from './diagnose/catalogue.js';
import type { Verdict } from './diagnose/verdict.js';
import { Analysis } from './analyze.js';
import type { Report } from './report/model.js';
import { isoTime } from './time.js';

/** One streaming verdict (language-free, as the final report's verdicts). */
export interface LiveEvent {
  /** Capture time (seconds since the epoch) when the failure became certain. */
  ts: number;
  time: string;
  verdict: Verdict;
}

export interface LiveAnalyzerOptions {
  all?: boolean;
  /** Verdicts the final report lists at most (default 200; 0 = all). */
  maxVerdicts?: number;
  /** The capture's own hosts (--host). */
  hosts?: string[];
  /** Seconds without SYN-ACK / RST after the first SYN before tcp.syn_unanswered is said (default 3). */
  synTimeout?: number;
  /** Seconds without an answer after a name's last query before dns.no_response is said (default 5). */
  dnsTimeout?: number;
  onEvent?: (e: LiveEvent) => void;
}

const MAX_WATCHED = 50_000;

interface DnsWatch {
  name: string;
  lastQuery: number;
  pending: boolean;
}

export class LiveAnalyzer {
  /** The same analysis a file gets; this class only adds the streaming lines. */
  readonly analysis: Analysis;
  readonly tracker: Tracker;
  /** Streaming lines said so far. */
  readonly events: LiveEvent[] = [];
  private readonly synTimeout: number;
  private readonly dnsTimeout: number;
  private readonly onEvent: ((e: LiveEvent) => void) | undefined;
  // watcher state
  private readonly said = new Set<string>();
  private readonly pendingSyn = new Set<TcpConn>();
  private readonly alertsSeen = new WeakMap<object, number>();
  private readonly icmpByConn = new WeakMap<object, IcmpError[]>();
  private readonly dnsNames = new Map<string, DnsWatch>();
  private icmpSeen = 0;

  constructor(o: LiveAnalyzerOptions = {}) {
    this.synTimeout = o.synTimeout ?? 3;
    this.dnsTimeout = o.dnsTimeout ?? 5;
    this.onEvent = o.onEvent;
    this.analysis = new Analysis({ all: o.all ?? false, ...(o.maxVerdicts !== undefined ? { maxVerdicts: o.maxVerdicts } : {}), ...(o.hosts ? { hosts: o.hosts } : {}), onTcp: (c, p) => this.watchTcp(c, p), onDns: (m, p) => this.watchDns(m, p) });
    this.tracker = this.analysis.tracker;
  }

  /** One packet (its bytes are only read during the call). */
  packet(raw: RawPacket): void {
    this.analysis.packet(raw);
    const p = this.analysis.pkt;
    if (p.proto === PROTO_ICMP || p.proto === PROTO_ICMPV6) {
      if (p.ipVersion === 4 ? isIcmpv4Error(p.icmpType) : isIcmpv6Error(p.icmpType)) this.watchIcmp(p);
    }
  }

  // --- triggers --------------------------------------------------------------------------------

  private watchTcp(c: TcpConn, p: Packet): void {
    const f = p.tcpFlags;
    if ((f & TCP_SYN) !== 0 && (f & TCP_ACK) === 0 && c.synAckFrame === 0 && this.pendingSyn.size < MAX_WATCHED) this.pendingSyn.add(c);
    if ((f & TCP_RST) !== 0) {
      this.judgeConn(c, p.tsSec + p.tsNsec * 1e-9, true);
      return;
    }
    // A window kept at zero, a segment resent with back-off (tcp-watch.ts): judged on the packet
    // that may complete their rule's proof, said when the rule holds.
    if (this.watchSays(c, p)) this.judgeConn(c, p.tsSec + p.tsNsec * 1e-9, false);
    if (p.payLen > 0) {
      const s = this.tracker.tls.session(c);
      if (s && s.alerts.length > (this.alertsSeen.get(c) ?? 0)) {
        this.alertsSeen.set(c, s.alerts.length);
        this.judgeConn(c, p.tsSec + p.tsNsec * 1e-9, true);
      }
    }
  }

  /**
   * Issue 22: the receiver's zero window has lasted 5 s with probes answered, or this packet is
   * the fifth or later sending of a segment never acknowledged (tcp.zero_window, tcp.stalled
   * without a handshake, tcp.pmtu_blackhole seen from the sender: their rules decide).
   */
  private watchSays(c: TcpConn, p: Packet): boolean {
    const now = p.tsSec + p.tsNsec * 1e-9;
    for (const w of [c.orig.watch, c.resp.watch]) {
      if (w === null) continue;
      if (w.zwOpen && w.zwProbes >= 2 && now - w.zwTs >= 5) return true;
      if (w.stuck && !w.stuckAcked && w.stuckFrames.length >= 5 && w.stuckFrames[w.stuckFrames.length - 1] === p.frame) return true;
    }
    return false;
  }

  private watchIcmp(p: Packet): void {
    const errs = this.tracker.icmp.errors;
    if (errs.length === this.icmpSeen) return;
    this.icmpSeen = errs.length;
    const e = errs[errs.length - 1]!;
    const q = p.quoted;
    if (!q.present || q.sport < 0) return;
    const c: TcpConn | UdpConn | null = q.proto === PROTO_TCP ? this.tracker.tcp.lookupQuoted(p) : q.proto === PROTO_UDP ? this.tracker.udp.lookupQuoted(p) : null;
    // DNS flows are judged by name (watchDns / tick), as the final report does.
    if (c === null || c.resp.port === 53 || c.orig.port === 53) return;
    const l = this.icmpByConn.get(c);
    if (l) l.push(e);
    else this.icmpByConn.set(c, [e]);
    this.judgeConn(c, p.tsSec + p.tsNsec * 1e-9, false);
  }

  /** A DNS message the tracker just decoded (no second decode here). */
  private watchDns(m: DnsMessage, p: Packet): void {
    const q = m.questions[0];
    if (!q || /\.(in-addr|ip6)\.arpa$/i.test(q.name)) return;
    const key = q.name.toLowerCase();
    const ts = p.tsSec + p.tsNsec * 1e-9;
    let w = this.dnsNames.get(key);
    if (!m.qr) {
      if (!w) {
        if (this.dnsNames.size >= MAX_WATCHED) return;
        w = { name: q.name, lastQuery: ts, pending: true };
        this.dnsNames.set(key, w);
      }
      w.lastQuery = ts;
      w.pending = true;
      return;
    }
    if (w) w.pending = false;
    if (m.rcode !== 0) this.judgeName(key, ts);
    else if (w) this.dnsNames.delete(key);
  }

  /**
   * Advances wall-clock time (seconds, the packets' timebase): says SYNs and DNS queries left
   * unanswered, and lets the tracker finish idle connections even when no packet arrives.
   */
  tick(now: number): void {
    for (const c of this.pendingSyn) {
      if (c.done || c.synAckFrame !== 0 || c.rsts.length > 0) {
        this.pendingSyn.delete(c);
        continue;
      }
      const t0 = c.synTimes[0] ?? c.start;
      if (now - t0 >= this.synTimeout) {
        this.pendingSyn.delete(c);
        this.judgeConn(c, now, false);
      }
    }
    for (const [key, w] of this.dnsNames) {
      if (w.pending && now - w.lastQuery >= this.dnsTimeout) {
        w.pending = false;
        this.judgeName(key, now);
      }
    }
    if (now > this.tracker.now) {
      this.tracker.now = now;
      this.tracker.tcp.sweep(now);
      this.tracker.udp.sweep(now);
    }
  }

  // --- judging with the final report's rules -------------------------------------------------

  /** `atOnce`: a packet that may settle the connection arrived; only causes said at once count. */
  private judgeConn(c: TcpConn | UdpConn, now: number, atOnce: boolean): void {
    const f: FinishedConn = {
      conn: c,
      tls: this.tracker.tls.session(c),
      http: this.tracker.http.session(c),
      icmp: this.icmpByConn.get(c) ?? [],
    };
    const d = new Diagnosis();
    d.add(f, this.analysis.nameOf(f), now);
    const v = d.verdicts([], [], now, true)[0];
    if (!v || v.severity !== 'error') return;
    if (atOnce && causeDef(v.cause).live !== 'packet') return;
    this.say(v, now);
  }

  private judgeName(key: string, now: number): void {
    // The name's transactions still open in the tracker: those of the last minute or so (older
    // ones are already folded into the final report's groups); enough to say what just failed.
    const txs = this.tracker.dns.all().filter((t) => t.query !== null && t.query.toLowerCase() === key);
    if (txs.length === 0) return;
    const v = new Diagnosis().verdicts(txs, [], now, true)[0];
    if (!v || v.severity !== 'error' || v.layer !== 'dns') return;
    this.say(v, now);
  }

  private say(v: Verdict, now: number): void {
    const key = `${v.target.transport}|${(v.target.name ?? v.target.ip ?? '').toLowerCase()}|${v.target.port}|${v.cause}`;
    if (this.said.has(key)) return;
    this.said.add(key);
    const sec = Math.floor(now);
    const e: LiveEvent = { ts: now, time: isoTime(sec, Math.round((now - sec) * 1e9)), verdict: v };
    this.events.push(e);
    this.onEvent?.(e);
  }

  // --- the report ------------------------------------------------------------------------------

  /** Ends the analysis: every open connection is finished, the report is built. `end` = when capture stopped (s). */
  report(info: CaptureInfo, end: number): Report {
    return this.analysis.report(info, end);
  }
}
