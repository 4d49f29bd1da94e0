/**
 * The library entry: a packet source in, a Report out. Files, standard input, uploads and
 * live capture all come through here as a PacketSource.
 */
import type { PacketSource } from './capture/reader.js';
import { Decoder } from './decode/decoder.js';
import { Packet } from './decode/packet.js';
import { linkTypeName } from './decode/registry.js';
import type { CaptureInfo } from './capture/types.js';
import type { CaptureSummary, Report } from './report/model.js';
import { isoTime } from './report/time.js';
import { VERSION } from './version.js';
import { Tracker, type FinishedConn } from './track/tracker.js';
import type { TcpConn } from './track/tcp.js';
import { connectionRecord, dnsRecord, httpRecord, icmpRecord, tlsRecord } from './report/records.js';
import type { ConnectionRecord, HttpRecord, TlsRecord } from './report/model.js';
import { Diagnosis } from './diagnose/diagnose.js';
import type { Lang } from './diagnose/text.js';

/** Record lists are bounded: a capture of millions of connections still gives a readable report. */
export const MAX_RECORDS = 20_000;

export interface AnalyzeOptions {
  /** Report language (default 'en'). */
  lang?: Lang;
  /** Also list targets that worked (default false: failures and warnings only). */
  all?: boolean;
  /** Called every `progressEvery` packets with the number of packets read. */
  onProgress?: (packets: number) => void;
  progressEvery?: number;
}

export function captureSummary(info: CaptureInfo, first: [number, number] | null, last: [number, number] | null, decoder: Decoder): CaptureSummary {
  const warnings = [...info.warnings];
  for (const [lt, n] of decoder.unknownLinkTypes) {
    warnings.push(`${n} packets of link type ${linkTypeName(lt)} (${lt}) could not be decoded`);
  }
  if (decoder.frags.dropped > 0) warnings.push(`${decoder.frags.dropped} fragmented IP datagrams could not be reassembled (fragments missing or expired)`);
  if (info.drops) warnings.push(`the capturing system dropped ${info.drops} packets: what they held is missing from this analysis`);
  if (info.packets === 0 && !info.damage) warnings.push('the capture holds no packets');
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
    damage: info.damage ? { offset: info.damage.offset, frame: info.damage.frame, message: info.damage.message } : null,
    warnings,
  };
}

export async function analyze(source: PacketSource, opts: AnalyzeOptions = {}): Promise<Report> {
  const decoder = new Decoder();
  const pkt = new Packet();
  let first: [number, number] | null = null;
  let lastSec = 0;
  let lastNsec = 0;
  const every = opts.progressEvery ?? 100_000;
  const conns: Array<{ id: number; rec: ConnectionRecord }> = [];
  const tls: Array<{ id: number; rec: TlsRecord }> = [];
  const http: Array<{ id: number; rec: HttpRecord }> = [];
  let dropped = 0;
  const diagnosis = new Diagnosis();
  const tracker = new Tracker({
    onConn: (f: FinishedConn) => {
      const c = f.conn;
      const name = f.tls?.clientHello?.sni ?? f.http?.exchanges.find((e) => e.host && e.method !== 'CONNECT')?.host?.replace(/:\d+$/, '') ?? tracker.names.name(c.resp.ip);
      diagnosis.add(f, name, tracker.now);
      if (conns.length < MAX_RECORDS) conns.push({ id: c.id, rec: connectionRecord(c, name) });
      else dropped++;
      if (f.tls && tls.length < MAX_RECORDS) tls.push({ id: c.id, rec: tlsRecord(c as TcpConn, f.tls) });
      if (f.http) {
        for (const e of f.http.exchanges) if (http.length < MAX_RECORDS) http.push({ id: c.id, rec: httpRecord(c as TcpConn, true, e) });
      }
    },
  });
  const info = await source.forEach((raw) => {
    decoder.decode(raw, pkt);
    tracker.packet(pkt);
    if (first === null) first = [raw.tsSec, raw.tsNsec];
    lastSec = raw.tsSec;
    lastNsec = raw.tsNsec;
    if (opts.onProgress && raw.frame % every === 0) opts.onProgress(raw.frame);
  });
  tracker.flush();
  const byId = <T>(a: Array<{ id: number; rec: T }>): T[] => a.sort((x, y) => x.id - y.id).map((x) => x.rec);
  const capture = captureSummary(info, first, first ? [lastSec, lastNsec] : null, decoder);
  if (dropped > 0) capture.warnings.push(`${dropped} more connections were analyzed but are not listed (the list stops at ${MAX_RECORDS})`);
  if (tracker.tcp.evictions + tracker.udp.evictions > 0) {
    capture.warnings.push(`${tracker.tcp.evictions + tracker.udp.evictions} connections were closed early because too many were open at once`);
  }
  return {
    schema: 'wirewhy.report/1',
    tool: { name: 'wirewhy', version: VERSION },
    capture,
    verdicts: diagnosis.verdicts(tracker.dns.all(), tracker.orphanIcmp, opts.lang ?? 'en', tracker.now, opts.all ?? false),
    connections: byId(conns),
    dns: tracker.dns.all().slice(0, MAX_RECORDS).map(dnsRecord),
    tls: byId(tls),
    icmp: tracker.icmp.errors.slice(0, MAX_RECORDS).map(icmpRecord),
    http: byId(http),
  };
}
