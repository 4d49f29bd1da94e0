/**
 * The library entry: a packet source in, a Report out. Files, standard input, uploads and
 * live capture all come through here as a PacketSource.
 */
import type { PacketSource } from './capture/reader.js';
import { Decoder } from './decode/decoder.js';
import { Packet } from './decode/packet.js';
import { linkTypeName } from './decode/registry.js';
import type { CaptureInfo, RawPacket } from './capture/types.js';
import type { CaptureSummary, Report } from './report/model.js';
import { isoTime } from './time.js';
import { VERSION } from './version.js';
import { Tracker, type FinishedConn, type TrackerOptions } from './track/tracker.js';
import type { TcpConn } from './track/tcp.js';
import { requestHost } from './track/http.js';
import { connectionRecord, dnsRecord, httpRecord, icmpRecord, tlsRecord } from './report/records.js';
import type { ConnectionRecord, DnsRecord, HttpRecord, TlsRecord } from './report/model.js';
import type { DnsTransaction } from './track/dns.js';
import { Diagnosis } from './diagnose/diagnose.js';
import type { Fact } from './facts.js';
import type { Verdict } from './diagnose/verdict.js';
import { Endpoints, isInbound, type Perspective } from './diagnose/perspective.js';
import { order, summarize } from './diagnose/summary.js';
import { CaptureClock } from './clock.js';
import { DUP_WINDOW, Duplicates } from './track/duplicates.js';

/**
 * Record lists are bounded: a capture of millions of connections still gives a readable report.
 * 2,000 of each kind keep the JSON report under 10 MB whatever the capture (a DNS record is about
 * 0.9 KB of indented JSON, a TLS record with its certificate up to 1.5 KB); capture.totals counts
 * them all, and a warning says how many were not listed.
 */
export const MAX_RECORDS = 2_000;

/** Verdicts listed by default (--max-verdicts): the summary counts them all. */
export const DEFAULT_MAX_VERDICTS = 200;

/**
 * How to analyse. The report has no language: words are chosen when it is rendered
 * (renderReport(report, format, { lang })).
 */
export interface AnalyzeOptions {
  /** Also list targets that worked (default false: failures and warnings only). */
  all?: boolean;
  /** Verdicts listed at most (default 200; 0 = all): the summary still counts every one. */
  maxVerdicts?: number;
  /** The capture's own hosts, when known (--host): else found in the capture (perspective.ts). */
  hosts?: string[];
  /** Called every `progressEvery` packets with the number of packets read. */
  onProgress?: (packets: number) => void;
  progressEvery?: number;
}

export function captureSummary(info: CaptureInfo, first: [number, number] | null, last: [number, number] | null, decoder: Decoder): CaptureSummary {
  const warnings: Fact[] = [...info.warnings];
  for (const [lt, n] of decoder.unknownLinkTypes) {
    warnings.push({ kind: 'unknown_link_type', args: { packets: n, linkType: lt, name: linkTypeName(lt) } });
  }
  if (decoder.frags.dropped > 0) warnings.push({ kind: 'fragments_lost', args: { count: decoder.frags.dropped } });
  if (info.drops) warnings.push({ kind: 'capture_drops', args: { count: info.drops } });
  if (info.packets === 0 && !info.damage) warnings.push({ kind: 'no_packets', args: {} });
  const linkTypes = [...new Set(info.interfaces.map((i) => linkTypeName(i.linkType)))];
  return {
    source: info.source,
    format: info.format,
    compressed: info.compressed,
    linkTypes,
    packets: info.packets,
    bytes: info.bytes,
    start: first ? isoTime(first[0], first[1]) : null,
    end: last ? isoTime(last[0], last[1]) : null,
    truncatedPackets: info.truncatedPackets,
    drops: info.drops,
    ...(info.ifDrops !== undefined ? { ifDrops: info.ifDrops } : {}),
    damage: info.damage ? { code: info.damage.code, offset: info.damage.offset, frame: info.damage.frame, message: info.damage.message, reason: info.damage.reason } : null,
    warnings,
  };
}

/**
 * One analysis, packet by packet: files (analyze() below), uploads and live capture all feed
 * it the same way and get the same report.
 */
export class Analysis {
  readonly decoder = new Decoder();
  private readonly duplicates = new Duplicates();
  /** The packet just decoded (reused for every packet). */
  readonly pkt = new Packet();
  readonly tracker: Tracker;
  private readonly diagnosis: Diagnosis;
  private readonly conns: Array<{ id: number; rec: ConnectionRecord }> = [];
  private readonly tls: Array<{ id: number; rec: TlsRecord }> = [];
  private readonly http: Array<{ id: number; rec: HttpRecord }> = [];
  /** DNS records of the first MAX_RECORDS transactions (by sequence number), as they finish. */
  private readonly dns: Array<{ id: number; rec: DnsRecord }> = [];
  private notListed = 0;
  /** Records of each kind, listed or not (capture facts give totals). */
  private readonly totals = { connections: 0, dns: 0, tls: 0, http: 0, icmp: 0 };
  private readonly endpoints = new Endpoints();
  private readonly maxVerdicts: number;
  private readonly hosts: string[] | null;
  private first: [number, number] | null = null;
  private lastSec = 0;
  private lastNsec = 0;
  /** Steps back and times no report can write; the first and latest times a report can write. */
  private readonly clock = new CaptureClock();
  /** When a live capture stopped (s), once report() is called. */
  private stoppedAt: number | null = null;
  private readonly all: boolean;

  constructor(opts: AnalyzeOptions & Pick<TrackerOptions, 'onTcp' | 'onDns' | 'compactAttempts'> = {}) {
    this.all = opts.all ?? false;
    this.maxVerdicts = opts.maxVerdicts ?? DEFAULT_MAX_VERDICTS;
    this.hosts = opts.hosts && opts.hosts.length > 0 ? opts.hosts : null;
    // Without --all, names that resolved get no verdict: their groups keep only the fact.
    this.diagnosis = new Diagnosis({
      keepResolved: this.all, hostTtl: (ip) => this.tracker.hostTtls.get(ip), nonSynSeen: () => this.tracker.tcp.nonSyn > 0, recordingEnd: (frame) => this.recordingEnd(frame),
      addressOffered: (server, address, ts) => this.tracker.dhcp.offered(server, address, ts),
      offeredInstead: (server, address, ts) => this.tracker.dhcp.offeredInstead(server, address, ts),
      craftedBy: (client, server) => (this.tracker.crafted.size === 0 ? undefined : this.tracker.crafted.get(`${client}|${server}`)),
      arpSweepOf: (client) => this.tracker.arpRequests.sweepOf(client),
    });
    // The report keeps only what finished() copies out of a connection, so its object can be
    // reused; a live watcher holding connections between packets (onTcp) cannot allow that.
    // DNS transactions are handed over as they finish, so the tracker does not keep them all.
    const tracker = new Tracker({
      onConn: (f) => this.finished(f),
      onIcmpFlow: (c) => {
        this.diagnosis.addIcmpFlow(c, this.tracker.names.name(c.resp.ip, c.firstFrame));
        this.totals.connections++;
        if (this.conns.length < MAX_RECORDS) this.conns.push({ id: c.id, rec: connectionRecord(c, null) });
        else this.notListed++;
      },
      onDnsDone: (t) => this.dnsDone(t),
      onTcp: opts.onTcp,
      onDns: opts.onDns,
      reuse: opts.onTcp === undefined && opts.onDns === undefined,
      ...(opts.compactAttempts !== undefined ? { compactAttempts: opts.compactAttempts } : {}),
    });
    this.tracker = tracker;
  }

  /** The name the client used for this server: SNI, Host, else a DNS answer that led to it. */
  nameOf(f: FinishedConn): string | null {
    const sni = f.tls?.clientHello?.sni;
    if (sni !== null && sni !== undefined) return sni;
    if (f.http) {
      for (const e of f.http.exchanges) {
        const host = requestHost(e);
        if (host !== null) return host;
      }
    }
    return this.tracker.names.name(f.conn.resp.ip, f.conn.firstFrame);
  }

  private finished(f: FinishedConn): void {
    const c = f.conn;
    const name = this.nameOf(f);
    this.diagnosis.add(f, name, this.captureEnd());
    this.endpoints.add(c.orig.ip, c.resp.ip);
    this.totals.connections++;
    if (f.tls) this.totals.tls++;
    if (f.http) this.totals.http += f.http.exchanges.length;
    if (this.conns.length < MAX_RECORDS) this.conns.push({ id: c.id, rec: connectionRecord(c, name) });
    else this.notListed++;
    if (f.tls && this.tls.length < MAX_RECORDS) this.tls.push({ id: c.id, rec: tlsRecord(c as TcpConn, f.tls) });
    if (f.http) {
      for (const e of f.http.exchanges) if (this.http.length < MAX_RECORDS) this.http.push({ id: c.id, rec: httpRecord(c as TcpConn, true, e) });
    }
  }

  private dnsDone(t: DnsTransaction): void {
    this.diagnosis.addDns(t);
    this.endpoints.add(t.client.ip, t.server.ip);
    this.totals.dns++;
    if (t.seq <= MAX_RECORDS) this.dns.push({ id: t.seq, rec: dnsRecord(t) });
  }

  /**
   * The capture's end as the rules judge silence: its latest time a report can write (a clock
   * stepped back after a query does not make the wait after it negative; a wild timestamp does
   * not make it years), or when a live capture stopped.
   */
  private captureEnd(): number {
    const latest = this.clock.latest ?? Number.NEGATIVE_INFINITY;
    return this.stoppedAt !== null && this.stoppedAt > latest ? this.stoppedAt : latest;
  }

  /**
   * The end of the recording that holds `frame`, as the rules judge silence after it: the
   * capture's end (captureEnd) unless a break between recordings follows the frame or the
   * clock was stepped back by one (clock.ts RECORDING_BREAK, RECORDING_STEP_BACK): packets after a break do not show
   * that the capture kept watching what came before it.
   */
  recordingEnd(frame: number): number {
    const end = this.captureEnd();
    if (this.clock.breaks === 0) return end;
    const seg = this.clock.recordingEnd(frame);
    if (seg === null) return end;
    if (this.stoppedAt !== null && this.stoppedAt > seg && this.clock.inLastRecording(frame)) return this.stoppedAt;
    return seg;
  }

  /** One packet (its bytes are read during the call only). */
  packet(raw: RawPacket): void {
    const clock = this.clock;
    const hadOrigin = clock.first !== null;
    clock.see(raw.tsSec, raw.tsNsec, raw.frame);
    if (!hadOrigin && clock.first !== null) this.diagnosis.begin(clock.first);
    this.decoder.decode(raw, this.pkt);
    // A copy of a packet just before it (track/duplicates.ts) is read once.
    if (!this.duplicates.copy(this.pkt, raw.tsSec + raw.tsNsec * 1e-9)) this.tracker.packet(this.pkt);
    if (this.first === null) this.first = [raw.tsSec, raw.tsNsec];
    this.lastSec = raw.tsSec;
    this.lastNsec = raw.tsNsec;
  }

  /** Ends the analysis: open connections are finished (at `end` seconds when given), the report built. */
  report(info: CaptureInfo, end?: number): Report {
    const tracker = this.tracker;
    if (end !== undefined && end > tracker.now) tracker.now = end;
    if (end !== undefined) this.stoppedAt = end;
    // Silence is judged against the capture's end, also for what the flush below finishes.
    this.diagnosis.setNow(this.captureEnd());
    tracker.flush();
    const byId = <T>(a: Array<{ id: number; rec: T }>): T[] => a.sort((x, y) => x.id - y.id).map((x) => x.rec);
    const capture = captureSummary(info, this.first, this.first ? [this.lastSec, this.lastNsec] : null, this.decoder);
    for (const w of this.clock.warnings()) capture.warnings.push(w);
    if (this.duplicates.count > 0) capture.warnings.push({ kind: 'duplicates', args: { count: this.duplicates.count, ms: DUP_WINDOW * 1000 } });
    if (this.notListed > 0) capture.warnings.push({ kind: 'not_listed', args: { count: this.notListed, cap: MAX_RECORDS } });
    if (tracker.tcp.evictions + tracker.udp.evictions > 0) {
      capture.warnings.push({ kind: 'evicted', args: { count: tracker.tcp.evictions + tracker.udp.evictions } });
    }
    if (tracker.tcp.attemptsLetGo > 0) capture.warnings.push({ kind: 'attempts_let_go', args: { count: tracker.tcp.attemptsLetGo } });
    const tcp = tracker.tcp;
    if (tcp.unseenBytes > 0) {
      // Acknowledged bytes the capture never held: what they carried cannot be judged (capture loss).
      const pct = tcp.connBytes > 0 ? (100 * tcp.unseenBytes) / tcp.connBytes : 100;
      capture.warnings.push({ kind: 'capture_loss', args: { bytes: tcp.unseenBytes, connections: tcp.unseenConns, percent: pct >= 0.1 ? pct.toFixed(1) : '<0.1' } });
    }
    const icmpErrors = tracker.icmp.errors;
    capture.totals = { ...this.totals, icmp: icmpErrors.length };
    this.diagnosis.heardArp(tracker.arpAnswered);
    const d = this.diagnosis.result([], tracker.orphanIcmp, this.captureEnd(), this.all);
    const own = this.hosts ?? this.endpoints.owners();
    const perspective: Perspective | null = own.length > 0 ? { hosts: own, from: this.hosts ? 'option' : 'auto' } : null;
    const ownSet = new Set(own);
    const inbound = (v: Verdict): boolean => isInbound(v, ownSet);
    const ordered = order(d.verdicts, inbound);
    const listed = this.maxVerdicts > 0 ? Math.min(this.maxVerdicts, ordered.length) : ordered.length;
    // The timeline runs from the diagnosis's origin (the first time a report can write) to the latest.
    const summary = summarize(ordered, listed, d.worked, inbound, d.spreadOf, this.clock.first, this.clock.latest, d.clientsOf);
    const verdicts = ordered.slice(0, listed);
    if (perspective) for (const v of verdicts) v.inbound = inbound(v);
    return {
      schema: 'wirewhy.report/1',
      tool: { name: 'wirewhy', version: VERSION },
      capture,
      summary,
      perspective,
      verdicts,
      connections: byId(this.conns),
      dns: byId(this.dns),
      tls: byId(this.tls),
      icmp: icmpErrors.slice(0, MAX_RECORDS).map(icmpRecord),
      http: byId(this.http),
    };
  }
}

export async function analyze(source: PacketSource, opts: AnalyzeOptions = {}): Promise<Report> {
  const a = new Analysis(opts);
  const every = opts.progressEvery ?? 100_000;
  const onProgress = opts.onProgress;
  const info = await source.forEach(onProgress
    ? (raw) => {
      a.packet(raw);
      if (raw.frame % every === 0) onProgress(raw.frame);
    }
    : (raw) => a.packet(raw));
  return a.report(info);
}
