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
 * - TCP (issue 22): a zero window that lasted 10 s with probes answered, a segment resent with
 *   exponential back-off never acknowledged: on the packet after which their rule holds;
 * - an encrypted request (TLS 1.3, application data after the client's Finished): nothing from
 *   the server but its session tickets 10 s after the request (capture.ended_early's wait for an
 *   HTTP answer), or 1 s after a side closed the connection before that.
 * A forged RST (tcp.reset_injected) and a plain-text answer to a ClientHello (tls.not_tls) are said
 * at once, on the packet that shows them; an ICMP error about a DNS query, with its name, too.
 * Every failure the final report lists is said: what only the end of the capture settles is
 * said when it ends, before the report.
 */
import type { RawPacket, CaptureInfo } from './capture/types.js';
import { Packet, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_RST, TCP_SYN } from './decode/packet.js';
import type { DnsMessage } from './decode/dns.js';
import { isIcmpv4Error, isIcmpv6Error } from './decode/icmp.js';
import { Tracker, type FinishedConn } from './track/tracker.js';
import type { TcpConn } from './track/tcp.js';
import type { UdpConn } from './track/udp.js';
import type { IcmpError } from './track/icmp.js';
import { Diagnosis, scanVerdict, sweepVerdict } from './diagnose/diagnose.js';
import { PERSISTENT_SYNS, probeOf, ScanPairs, type ScanPair } from './diagnose/scan.js';
import { seeBurst, sureScan } from './diagnose/causes/tcp.port_scan.js';
import { seeSweepBurst, sureSweep } from './diagnose/causes/tcp.address_scan.js';
import { Sweeps, type Sweep } from './diagnose/sweep.js';
import { causeDef } from './diagnose/catalogue.js';
import type { Verdict } from './diagnose/verdict.js';
import { Analysis } from './analyze.js';
import type { Report } from './report/model.js';
import { isoTime } from './time.js';
import { WAIT } from './diagnose/causes/capture.ended_early.js';
import { hash53 } from './diagnose/overflow.js';

function timeOf(now: number): string | null {
  const sec = Math.floor(now);
  return isoTime(sec, Math.round((now - sec) * 1e9));
}

/** One streaming verdict (language-free, as the final report's verdicts). */
export interface LiveEvent {
  /** Capture time (seconds since the epoch) when the failure became certain. */
  ts: number;
  time: string | null;
  verdict: Verdict;
  /**
   * A line for many verdicts of one cause (a scan, a flood): `count` failures of this cause were
   * certain since `since` and were not said one by one; `verdict` is the first of them and
   * `examples` up to three (the first included). Absent on a line for one verdict.
   */
  more?: LiveMore;
}

export interface LiveMore {
  count: number;
  since: string | null;
  examples: Verdict[];
}

/**
 * Lines said one by one per cause before a cause is counted instead (a port scan refused at 50,000
 * ports a second would otherwise print 50,000 lines a second). Past them, one line says how many
 * more failed, after a second of capture time at first and then at doubling intervals while the
 * flood lasts (at most a minute apart); a cause quiet for a whole interval is said one by one again.
 */
export const LINES_PER_CAUSE = 5;
const FIRST_INTERVAL = 1;
const MAX_INTERVAL = 60;
/** Targets remembered as said (by hash); past it the memory starts again: one may be said twice. */
const MAX_SAID = 200_000;

/** How a cause is being said: one by one, or counted in an interval. */
interface CauseStream {
  /** Start of the current interval (s) and its length. */
  start: number;
  interval: number;
  /** Said one by one in this interval. */
  shown: number;
  /** Counted in this interval, with the first few. */
  held: number;
  examples: Verdict[];
  /** Capture time of the first held one (s). */
  since: number;
  /** The cause overflowed in an earlier interval that is not over yet: count, do not show. */
  flooding: boolean;
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
  /** Failures said so far: one by one, and counted on lines for many. */
  said1 = 0;
  saidMany = 0;
  /** Streaming lines written so far. */
  lines = 0;
  private readonly synTimeout: number;
  private readonly dnsTimeout: number;
  private readonly onEvent: ((e: LiveEvent) => void) | undefined;
  // watcher state
  private readonly said = new Set<number>();
  private readonly saidHosts = new Set<number>();
  private readonly causes = new Map<string, CauseStream>();
  private readonly pendingSyn = new Set<TcpConn>();
  private readonly alertsSeen = new WeakMap<object, number>();
  private readonly icmpByConn = new WeakMap<object, IcmpError[]>();
  /** Connections whose encrypted request waits for an answer, and those already watched once. */
  private readonly pendingRequest = new Set<TcpConn>();
  private readonly requestSeen = new WeakSet<TcpConn>();
  /** Connections whose plain-text answer to a ClientHello was judged. */
  private readonly plainSeen = new WeakSet<TcpConn>();
  private readonly dnsNames = new Map<string, DnsWatch>();
  private icmpSeen = 0;
  /**
   * Port scans seen so far (diagnose/scan.ts): the probes judged here, counted by client and
   * server. A pair sure to be a scan while the capture goes on (causes/tcp.port_scan.ts sureScan:
   * its burst of ports from a reused source port) is said once, as a warning, and its next probes
   * are not said one by one; the final report tells the whole scan.
   */
  private readonly scanWatch = new ScanPairs();
  private readonly probesCounted = new WeakSet<TcpConn>();
  private readonly scansSaid = new WeakSet<ScanPair>();
  /** Port scans said (warning lines). */
  scansLines = 0;
  /**
   * Sweeps of many hosts seen so far (diagnose/sweep.ts), by client, counted from the same probes:
   * a sweep sure while the capture goes on (causes/tcp.address_scan.ts sureSweep: a burst of hosts,
   * one source port serving 25 of them) is said once, as a warning, and its next probes from the
   * scanner's source ports are not said one by one; a program's attempt beside it still is.
   */
  private readonly sweepWatch = new Sweeps();
  private readonly sweepsSaid = new WeakSet<Sweep>();
  /** Sweeps said (warning lines). */
  sweepsLines = 0;

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
      if (s) this.watchTls(c, s, p);
    }
  }

  /** A plain-text answer to a ClientHello (said at once); an encrypted request to wait on. */
  private watchTls(c: TcpConn, s: NonNullable<ReturnType<Tracker['tls']['session']>>, p: Packet): void {
    if (s.plainAnswer !== null && !this.plainSeen.has(c)) {
      this.plainSeen.add(c);
      this.judgeConn(c, p.tsSec + p.tsNsec * 1e-9, true);
    }
    if (s.clientFirstData !== null && !this.requestSeen.has(c) && this.pendingRequest.size < MAX_WATCHED) {
      this.requestSeen.add(c);
      this.pendingRequest.add(c);
    }
  }

  /**
   * Issue 22: the receiver's zero window has lasted 10 s with probes answered, or this packet is
   * the fifth or later sending of a segment never acknowledged (tcp.zero_window, tcp.stalled
   * without a handshake, tcp.pmtu_blackhole seen from the sender: their rules decide).
   */
  private watchSays(c: TcpConn, p: Packet): boolean {
    const now = p.tsSec + p.tsNsec * 1e-9;
    for (const w of [c.orig.watch, c.resp.watch]) {
      if (w === null) continue;
      if (w.zwOpen && w.zwProbes >= 2 && now - w.zwTs >= 10) return true;
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
    if (c === null) return;
    const l = this.icmpByConn.get(c);
    if (l) l.push(e);
    else this.icmpByConn.set(c, [e]);
    const now = p.tsSec + p.tsNsec * 1e-9;
    // A DNS flow: judged with the transactions of its name, as the final report does.
    if (c.transport === 'udp' && (c.resp.port === 53 || c.orig.port === 53)) this.judgeDnsFlow(c, now);
    else this.judgeConn(c, now, false);
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
    for (const c of this.pendingRequest) {
      const req = this.tracker.tls.session(c)?.clientFirstData;
      if (!req) {
        this.pendingRequest.delete(c);
        continue;
      }
      // A close after the request (the client gave up, or the server closed) settles it a second
      // later: an answer to a half-closed connection would still come within that.
      const close = c.fins.find((x) => x.frame > req.frame) ?? c.rsts.find((x) => x.frame > req.frame);
      if (now - req.ts >= WAIT.http || (close !== undefined && now - close.ts >= 1)) {
        this.pendingRequest.delete(c);
        this.judgeConn(c, now, false);
      }
    }
    for (const [key, w] of this.dnsNames) {
      if (w.pending && now - w.lastQuery >= this.dnsTimeout) {
        w.pending = false;
        this.judgeName(key, now);
      }
    }
    this.flushCauses(now, false);
    if (now > this.tracker.now) {
      this.tracker.now = now;
      this.tracker.tcp.sweep(now);
      this.tracker.udp.sweep(now);
    }
  }

  // --- judging with the final report's rules -------------------------------------------------

  /** A diagnosis of one connection or name, with the final report's rules and the servers' TTLs. */
  private throwaway(): Diagnosis {
    return new Diagnosis({ hostTtl: (ip) => this.tracker.hostTtls.get(ip) });
  }

  /** `atOnce`: a packet that may settle the connection arrived; only causes said at once count. */
  private judgeConn(c: TcpConn | UdpConn, now: number, atOnce: boolean): void {
    const f: FinishedConn = {
      conn: c,
      tls: this.tracker.tls.session(c),
      http: this.tracker.http.session(c),
      icmp: this.icmpByConn.get(c) ?? [],
      lines: this.tracker.lines(c),
    };
    if (c.transport === 'tcp' && this.scanProbe(c, f, now)) return;
    const d = this.throwaway();
    d.add(f, this.analysis.nameOf(f), now);
    const v = d.verdicts([], [], now, true)[0];
    if (!v || v.severity !== 'error') return;
    if (atOnce && causeDef(v.cause).live !== 'packet') return;
    this.say(v, now);
  }

  /**
   * A connection judged here that is a probe (diagnose/scan.ts) is counted in its pair; true when
   * the pair is a scan now sure, said once: the probe is then not said on its own.
   */
  private scanProbe(c: TcpConn, f: FinishedConn, now: number): boolean {
    const pr = probeOf(f, this.tracker.tcp.nonSyn > 0);
    if (pr === null || pr.role !== 'probe') return false;
    let pair = this.scanWatch.get(c.orig.ip, c.resp.ip) ?? null;
    if (pr.syns >= PERSISTENT_SYNS && !(pair?.sharesSourcePort(pr.sport, pr.dport) ?? false)) return false;
    pair ??= this.scanWatch.take(c.orig.ip, c.resp.ip);
    if (pair === null) return false;
    let sweep: Sweep | null = null;
    if (!this.probesCounted.has(c)) {
      this.probesCounted.add(c);
      if (pair.probe(pr, this.scanWatch.maps)) seeBurst(pair);
      sweep = this.sweepWatch.take(c.orig.ip);
      if (sweep !== null && sweep.probe(c.resp.ip, pr, this.sweepWatch.budget)) {
        seeSweepBurst(sweep);
        if (!sweep.confirmed && sureSweep(sweep)) sweep.confirmed = true;
      }
    } else sweep = this.sweepWatch.take(c.orig.ip);
    if (sweep !== null && sweep.confirmed && sweep.scannerPort(pr.sport)) {
      const s = sweep;
      if (this.sayOnce(this.sweepsSaid, s, () => sweepVerdict(s, { captureEnd: now }), now)) this.sweepsLines++;
      return true;
    }
    if (!sureScan(pair)) return false;
    if (this.sayOnce(this.scansSaid, pair, () => scanVerdict(pair!, { captureEnd: now }), now)) this.scansLines++;
    return true;
  }

  /** A scan's or a sweep's verdict, said once as a line with its counts so far; true when said now. */
  private sayOnce(said: WeakSet<object>, key: object, verdict: () => Verdict | null, now: number): boolean {
    if (said.has(key)) return false;
    said.add(key);
    const v = verdict();
    if (v === null) return false;
    // The counts so far: it goes on (the final report tells it whole).
    this.emit({ ts: now, time: timeOf(now), verdict: { ...v, facts: { ...v.facts, soFar: true } } });
    return true;
  }

  /** An ICMP error about a DNS flow: the flow with its errors and its name's transactions, through the rules. */
  private judgeDnsFlow(c: UdpConn, now: number): void {
    const open = this.tracker.dns.all();
    const own = open.filter((t) => t.client.ip === c.orig.ip && t.client.port === c.orig.port && t.server.ip === c.resp.ip && t.server.port === c.resp.port);
    const names = new Set(own.map((t) => t.query?.toLowerCase()).filter((n): n is string => n !== undefined));
    const txs = open.filter((t) => t.query !== null && names.has(t.query.toLowerCase()));
    const f: FinishedConn = { conn: c, tls: null, http: null, icmp: this.icmpByConn.get(c) ?? [] };
    const d = this.throwaway();
    d.add(f, this.analysis.nameOf(f), now);
    const v = d.verdicts(txs, [], now, true).find((x) => x.severity === 'error');
    if (v) this.say(v, now);
  }

  private judgeName(key: string, now: number): void {
    // The name's transactions still open in the tracker: those of the last minute or so (older
    // ones are already folded into the final report's groups); enough to say what just failed.
    const txs = this.tracker.dns.all().filter((t) => t.query !== null && t.query.toLowerCase() === key);
    if (txs.length === 0) return;
    const v = this.throwaway().verdicts(txs, [], now, true)[0];
    if (!v || v.severity !== 'error' || v.layer !== 'dns') return;
    this.say(v, now);
  }

  /** Keys a verdict is known by: by name and by address, with and without its port. */
  private keysOf(v: Verdict): string[] {
    const t = v.target;
    const out: string[] = [];
    for (const who of [t.name?.toLowerCase(), t.ip]) if (who) out.push(`${t.transport}|${who}|${t.port}|${v.cause}`);
    return out;
  }

  private saidAlready(v: Verdict): boolean {
    const t = v.target;
    if (this.keysOf(v).some((k) => this.said.has(hash53(k)))) return true;
    // A host's ports told as one verdict in the report: said when one of its ports was.
    return t.port === null && t.ip !== null && this.saidHosts.has(hash53(`${t.transport}|${t.ip}|${v.cause}`));
  }

  private say(v: Verdict, now: number): void {
    if (this.saidAlready(v)) return;
    if (this.said.size >= MAX_SAID) this.said.clear();
    if (this.saidHosts.size >= MAX_SAID) this.saidHosts.clear();
    for (const k of this.keysOf(v)) this.said.add(hash53(k));
    if (v.target.ip !== null) this.saidHosts.add(hash53(`${v.target.transport}|${v.target.ip}|${v.cause}`));
    this.flushCauses(now, false);
    let st = this.causes.get(v.cause);
    if (st === undefined) {
      st = { start: now, interval: FIRST_INTERVAL, shown: 0, held: 0, examples: [], since: now, flooding: false };
      this.causes.set(v.cause, st);
    }
    if (!st.flooding && st.shown < LINES_PER_CAUSE) {
      st.shown++;
      this.said1++;
      this.emit({ ts: now, time: timeOf(now), verdict: v });
      return;
    }
    if (st.held === 0) st.since = now;
    st.held++;
    if (st.examples.length < 3) st.examples.push(v);
  }

  /**
   * Causes whose interval is over at `now` (all of them at the end): what was counted is said on
   * one line; a cause that counted some keeps counting for twice as long, one that counted none
   * goes back to lines one by one.
   */
  private flushCauses(now: number, end: boolean): void {
    for (const [cause, st] of this.causes) {
      if (!end && now - st.start < st.interval) continue;
      if (st.held > 0) {
        this.saidMany += st.held;
        this.emit({ ts: now, time: timeOf(now), verdict: st.examples[0]!, more: { count: st.held, since: timeOf(st.since), examples: st.examples } });
        st.flooding = true;
        st.interval = Math.min(st.interval * 2, MAX_INTERVAL);
      } else {
        // Nothing counted in a whole interval: back to lines one by one.
        this.causes.delete(cause);
        continue;
      }
      st.start = now;
      st.shown = 0;
      st.held = 0;
      st.examples = [];
    }
  }

  private emit(e: LiveEvent): void {
    this.lines++;
    this.onEvent?.(e);
  }

  // --- the report ------------------------------------------------------------------------------

  /** Ends the analysis: every open connection is finished, the report is built. `end` = when capture stopped (s). */
  report(info: CaptureInfo, end: number): Report {
    const r = this.analysis.report(info, end);
    // Every failure the report lists has been said: those that only the end of the capture
    // settles (a connection finished by the flush, an error seen only in its whole) are said now.
    for (const v of r.verdicts) if (v.severity === 'error') this.say(v, end);
    this.flushCauses(end, true);
    return r;
  }
}
