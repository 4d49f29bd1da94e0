/**
 * Captures of many failing targets, built in memory and streamed (never whole): NXDOMAIN names,
 * a port scan of one host, from the builders of build.ts. A classic pcap (LINKTYPE_RAW, µs),
 * written here in chunks as the records are made: pcap.ts's pcapFile() holds a whole file.
 */
import { analyze } from '../../src/analyze.js';
import { openStream } from '../../src/capture/open.js';
import type { Report } from '../../src/report/model.js';
import { dnsMessage, tcpIp, udpIp } from './build.js';

const CLIENT = '192.0.2.10';
const RESOLVER = '198.51.100.53';
const SERVER = '203.0.113.5';

/** A classic pcap (LINKTYPE_RAW, µs) of `records`, in chunks, never whole in memory. */
async function* pcap(records: Iterable<[number, Uint8Array]>): AsyncGenerator<Uint8Array> {
  const head = new Uint8Array(24);
  const h = new DataView(head.buffer);
  h.setUint32(0, 0xa1b2c3d4, true);
  h.setUint16(4, 2, true);
  h.setUint16(6, 4, true);
  h.setUint32(16, 65535, true);
  h.setUint32(20, 101, true);
  yield head;
  let chunk: Uint8Array[] = [];
  let size = 0;
  for (const [us, pkt] of records) {
    const r = new Uint8Array(16 + pkt.length);
    const d = new DataView(r.buffer);
    d.setUint32(0, 1_700_000_000 + Math.floor(us / 1e6), true);
    d.setUint32(4, us % 1e6, true);
    d.setUint32(8, pkt.length, true);
    d.setUint32(12, pkt.length, true);
    r.set(pkt, 16);
    chunk.push(r);
    size += r.length;
    if (size > 1 << 20) {
      yield Buffer.concat(chunk);
      chunk = [];
      size = 0;
    }
  }
  if (chunk.length > 0) yield Buffer.concat(chunk);
}

/** n distinct names, each asked once and answered NXDOMAIN 40 µs later. */
export function* nxdomains(n: number): Generator<[number, Uint8Array]> {
  for (let i = 0; i < n; i++) {
    const name = `n${i.toString(36)}.example.com`;
    const port = 10000 + (i % 50000); // clear of 4789 (VXLAN), 5353 (mDNS), 5355 (LLMNR)
    const t = i * 100;
    const questions = [{ name, type: 'A' }];
    yield [t, udpIp({ src: CLIENT, dst: RESOLVER, sport: port, dport: 53, id: i & 0xffff }, dnsMessage({ id: i & 0xffff, qr: false, rd: true, questions }))];
    yield [t + 40, udpIp({ src: RESOLVER, dst: CLIENT, sport: 53, dport: port, id: i & 0xffff }, dnsMessage({ id: i & 0xffff, qr: true, rd: true, ra: true, rcode: 3, questions }))];
  }
}

/**
 * One client's SYNs to n ports of one host, `gap` µs apart (default 200): even ports refused, odd
 * ones never answered. A port scan (tcp.port_scan) unless the ports come slower than its rule's
 * burst (15 new ports within 300 s: a gap over 300 s / 14, say 22 s).
 */
export function* scan(n: number, gap = 200): Generator<[number, Uint8Array]> {
  for (let i = 0; i < n; i++) {
    const dport = 1 + i;
    const sport = 40000 + (i % 20000);
    const t = i * gap;
    yield [t, tcpIp({ src: CLIENT, dst: SERVER, sport, dport, seq: 1000 + i, flags: 'S', id: i & 0xffff })];
    if (dport % 2 === 0) yield [t + 50, tcpIp({ src: SERVER, dst: CLIENT, sport: dport, dport: sport, seq: 0, ack: 1001 + i, flags: 'RA', win: 0, id: i & 0xffff })];
  }
  // The capture goes on for a minute, so that the last SYNs are known to be unanswered.
  yield [n * gap + 60e6, udpIp({ src: CLIENT, dst: RESOLVER, sport: 40000, dport: 9 }, new Uint8Array(8))];
}

/** The gap (µs) between ports that keeps scan() from being a port scan: no 15 new ports within 300 s. */
export const SLOWER_THAN_A_SCAN = 22e6;

/**
 * Targets past every limit, from many clients (overflow.ts): CLIENT refused on `groups` ports of
 * SERVER (the kept targets; one port every 22 s: too slow for a port scan), then on port 80 of `buckets` other hosts (a bucket each), then — every
 * bucket taken — `silent` clients whose SYN to port 5432 goes unanswered (50 a second, each sent three times) and `refused` clients
 * (CLIENT among them, last) refused on port 81 of one more host: targets of buckets for several
 * clients. Clients and hosts are told apart by their low two bytes (at most 65 536 of each).
 */
export function* crowd(o: { groups: number; buckets: number; silent: number; refused: number }): Generator<[number, Uint8Array]> {
  const at = (net: string, i: number): string => `${net}.${(i >> 8) & 255}.${i & 255}`;
  let t = 0;
  let id = 0;
  const refuse = (src: string, dst: string, sport: number, dport: number): Array<[number, Uint8Array]> => {
    t += 200;
    id = (id + 1) & 0xffff;
    return [
      [t, tcpIp({ src, dst, sport, dport, seq: 1000, flags: 'S', id })],
      [t + 50, tcpIp({ src: dst, dst: src, sport: dport, dport: sport, seq: 0, ack: 1001, flags: 'RA', win: 0, id })],
    ];
  };
  for (let i = 0; i < o.groups; i++) {
    t += SLOWER_THAN_A_SCAN;
    yield* refuse(CLIENT, SERVER, 40000 + (i % 20000), 1 + i);
  }
  for (let i = 0; i < o.buckets; i++) yield* refuse(CLIENT, at('198.18', i), 40000 + (i % 20000), 80);
  // 50 a second: clients that fail, not a flood of forged SYNs (diagnose/flood.ts FLOOD_PEAK); each
  // client's kernel sends its SYN again 1 s and 3 s later (a scanner's would come once: probes.ts).
  const silent: Array<[number, Uint8Array]> = [];
  for (let i = 0; i < o.silent; i++) {
    t += 20_000;
    for (const after of [0, 1e6, 3e6]) {
      id = (id + 1) & 0xffff;
      silent.push([t + after, tcpIp({ src: at('10.9', i), dst: SERVER, sport: 50000, dport: 5432, seq: 1000, flags: 'S', id })]);
    }
  }
  yield* silent.sort((a, b) => a[0] - b[0]);
  if (o.silent > 0) t += 3e6;
  for (let i = 0; i < o.refused; i++) yield* refuse(i === o.refused - 1 ? CLIENT : at('10.7', i), at('198.19', 0), 50001, 81);
  // The capture goes on for a minute, so that the last SYNs are known to be unanswered.
  yield [t + 60e6, udpIp({ src: CLIENT, dst: RESOLVER, sport: 40000, dport: 9 }, new Uint8Array(8))];
}

/**
 * One client's SYNs refused at the given times (µs from the first packet), each to its own port
 * of SERVER; then, if `end` is given, one more packet at `end` (the capture goes on, quiet).
 */
export function* refusedAt(times: readonly number[], end?: number): Generator<[number, Uint8Array]> {
  let i = 0;
  for (const t of times) {
    i++;
    yield [t, tcpIp({ src: CLIENT, dst: SERVER, sport: 40000 + i, dport: 1000 + i, seq: 1000, flags: 'S', id: i })];
    yield [t + 50, tcpIp({ src: SERVER, dst: CLIENT, sport: 1000 + i, dport: 40000 + i, seq: 0, ack: 1001, flags: 'RA', win: 0, id: i })];
  }
  if (end !== undefined) yield [end, udpIp({ src: CLIENT, dst: RESOLVER, sport: 40000, dport: 9 }, new Uint8Array(8))];
}

export async function run(records: Iterable<[number, Uint8Array]>, maxVerdicts?: number): Promise<Report> {
  const src = await openStream(pcap(records), { name: 'generated.pcap' });
  return analyze(src, maxVerdicts === undefined ? {} : { maxVerdicts });
}

