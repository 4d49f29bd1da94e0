/**
 * Captures of many failing targets, built in memory and streamed (never whole): NXDOMAIN names,
 * a port scan of one host. Classic pcap, LINKTYPE_RAW, µs.
 */
import { analyze } from '../../src/analyze.js';
import { openStream } from '../../src/capture/open.js';
import type { Report } from '../../src/report/model.js';

const CLIENT = [192, 0, 2, 10];
const RESOLVER = [198, 51, 100, 53];
const SERVER = [203, 0, 113, 5];

function ipv4(src: number[], dst: number[], proto: number, payload: Uint8Array, id: number): Uint8Array {
  const b = new Uint8Array(20 + payload.length);
  const d = new DataView(b.buffer);
  b[0] = 0x45;
  d.setUint16(2, b.length);
  d.setUint16(4, id & 0xffff);
  b[8] = 64;
  b[9] = proto;
  b.set(src, 12);
  b.set(dst, 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += d.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  d.setUint16(10, ~sum & 0xffff);
  b.set(payload, 20);
  return b;
}

function udp(sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(8 + payload.length);
  const d = new DataView(b.buffer);
  d.setUint16(0, sport);
  d.setUint16(2, dport);
  d.setUint16(4, b.length);
  b.set(payload, 8);
  return b;
}

function dns(id: number, flags: number, name: string): Uint8Array {
  const labels = name.split('.');
  const q = new Uint8Array(12 + labels.reduce((n, l) => n + l.length + 1, 1) + 4);
  const d = new DataView(q.buffer);
  d.setUint16(0, id);
  d.setUint16(2, flags);
  d.setUint16(4, 1);
  let o = 12;
  for (const l of labels) {
    q[o++] = l.length;
    for (let i = 0; i < l.length; i++) q[o++] = l.charCodeAt(i);
  }
  q[o++] = 0;
  d.setUint16(o, 1); // A
  d.setUint16(o + 2, 1); // IN
  return q;
}

/** TCP header only (no options), flags as a number: a SYN or a RST|ACK. */
function tcp(sport: number, dport: number, seq: number, ack: number, flags: number): Uint8Array {
  const b = new Uint8Array(20);
  const d = new DataView(b.buffer);
  d.setUint16(0, sport);
  d.setUint16(2, dport);
  d.setUint32(4, seq >>> 0);
  d.setUint32(8, ack >>> 0);
  b[12] = 5 << 4;
  b[13] = flags;
  d.setUint16(14, flags === 0x02 ? 64240 : 0);
  return b;
}

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

/** n distinct names, each asked once and answered NXDOMAIN 1 ms later. */
export function* nxdomains(n: number): Generator<[number, Uint8Array]> {
  for (let i = 0; i < n; i++) {
    const name = `n${i.toString(36)}.example.com`;
    const port = 10000 + (i % 50000); // clear of 4789 (VXLAN), 5353 (mDNS), 5355 (LLMNR)
    const t = i * 100;
    yield [t, ipv4(CLIENT, RESOLVER, 17, udp(port, 53, dns(i & 0xffff, 0x0100, name)), i)];
    yield [t + 40, ipv4(RESOLVER, CLIENT, 17, udp(53, port, dns(i & 0xffff, 0x8183, name)), i)];
  }
}

/** One client's SYNs to n ports of one host: even ports refused, odd ones never answered. */
export function* scan(n: number): Generator<[number, Uint8Array]> {
  for (let i = 0; i < n; i++) {
    const dport = 1 + i;
    const sport = 40000 + (i % 20000);
    const t = i * 200;
    yield [t, ipv4(CLIENT, SERVER, 6, tcp(sport, dport, 1000 + i, 0, 0x02), i)];
    if (dport % 2 === 0) yield [t + 50, ipv4(SERVER, CLIENT, 6, tcp(dport, sport, 0, 1001 + i, 0x14), i)];
  }
  // The capture goes on for a minute, so that the last SYNs are known to be unanswered.
  yield [n * 200 + 60e6, ipv4(CLIENT, RESOLVER, 17, udp(40000, 9, new Uint8Array(8)), 0)];
}

export async function run(records: Iterable<[number, Uint8Array]>, maxVerdicts?: number): Promise<Report> {
  const src = await openStream(pcap(records), { name: 'generated.pcap' });
  return analyze(src, maxVerdicts === undefined ? {} : { maxVerdicts });
}

