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

export interface AnalyzeOptions {
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
  const info = await source.forEach((raw) => {
    decoder.decode(raw, pkt);
    if (first === null) first = [raw.tsSec, raw.tsNsec];
    lastSec = raw.tsSec;
    lastNsec = raw.tsNsec;
    if (opts.onProgress && raw.frame % every === 0) opts.onProgress(raw.frame);
  });
  return {
    schema: 'wirewhy.report/1',
    tool: { name: 'wirewhy', version: VERSION },
    capture: captureSummary(info, first, first ? [lastSec, lastNsec] : null, decoder),
    verdicts: [],
    connections: [],
    dns: [],
    tls: [],
    icmp: [],
    http: [],
  };
}
