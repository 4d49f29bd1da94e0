/**
 * The report: plain data, built once by `analyze`, free of any language. Verdicts and capture
 * warnings are typed facts; the renderers (table, json, md, html) choose the words for the
 * language asked for. The JSON renderer turns it into the contract's document
 * (shared/CONTRACT.md, `wirewhy.report/1`), with summary, explanation, advice and notes filled in.
 */
import type { Fact } from '../facts.js';
import type { Verdict } from '../diagnose/verdict.js';
import type { Summary } from '../diagnose/summary.js';
import type { Perspective } from '../diagnose/perspective.js';

export type { Summary, CauseSummary } from '../diagnose/summary.js';
export type { Perspective } from '../diagnose/perspective.js';

export interface Endpoint {
  ip: string;
  port?: number;
}

export interface CaptureSummary {
  source: string;
  format: 'pcap' | 'pcapng' | 'live';
  compressed: boolean;
  linkTypes: string[];
  packets: number;
  bytes: number;
  start: string | null;
  end: string | null;
  truncatedPackets: number;
  /** Packets the capturing system reported dropped (pcapng statistics, live pcap stats), null if unknown. */
  drops: number | null;
  /** Live capture only: packets the interface dropped (pcap_stats ps_ifdrop); absent when unknown. */
  ifDrops?: number;
  /**
   * Where the file stopped being readable, when it did: the reader's error code, its English
   * message, and why as a typed fact (`reason`: a reader's reason, capture/error-words.ts, or a
   * gzip warning's fact), which the renderers word in the report's language.
   */
  damage: { code: string; offset: number; frame: number; message: string; reason?: Fact } | null;
  /** What to say about the capture, as typed facts (report/warnings.ts words them). */
  warnings: Fact[];
  /** Records of each kind in the capture, listed or not (the lists stop at MAX_RECORDS). */
  totals?: { connections: number; dns: number; tls: number; http: number; icmp: number };
}

export type { Layer, Severity, Verdict, Evidence, Target } from '../diagnose/verdict.js';

export interface ConnectionRecord {
  transport: 'tcp' | 'udp' | 'icmp';
  client: Endpoint;
  server: Endpoint;
  state: string;
  history: string;
  /** First / last packet's time; null when it is none a report can write (time.ts). */
  start: string | null;
  end: string | null;
  packets: { client: number; server: number };
  bytes: { client: number; server: number };
  name: string | null;
}

export interface DnsRecord {
  client: Endpoint;
  server: Endpoint;
  transport: 'udp' | 'tcp';
  id: number;
  query: string;
  qtype: string;
  rcode: string | null;
  answers: string[];
  rttMs: number | null;
  retries: number;
  frames: number[];
}

export interface TlsAlertRecord {
  frame: number;
  sender: 'client' | 'server';
  level: 'warning' | 'fatal' | 'unknown';
  code: number;
  name: string;
}

export interface TlsRecord {
  client: Endpoint;
  server: Endpoint;
  sni: string | null;
  offeredVersions: string[];
  version: string | null;
  cipher: string | null;
  alpn: string[];
  established: boolean;
  alerts: TlsAlertRecord[];
  certificate: { subject: string; issuer: string; notBefore: string; notAfter: string; san: string[] } | null;
}

export interface IcmpRecord {
  frame: number;
  from: string;
  type: number;
  code: number;
  name: string;
  quoted: { transport: string; client: Endpoint; server: Endpoint } | null;
}

export interface HttpRecord {
  client: Endpoint;
  server: Endpoint;
  method: string;
  host: string | null;
  path: string;
  status: number | null;
  frames: number[];
}

export interface Report {
  schema: 'wirewhy.report/1';
  tool: { name: 'wirewhy'; version: string };
  capture: CaptureSummary;
  /** Counts of every verdict (listed or not), per cause. */
  summary: Summary;
  /** The capture's own hosts, when known: inbound verdicts are told apart. */
  perspective: Perspective | null;
  verdicts: Verdict[];
  connections: ConnectionRecord[];
  dns: DnsRecord[];
  tls: TlsRecord[];
  icmp: IcmpRecord[];
  http: HttpRecord[];
}
