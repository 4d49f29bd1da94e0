/**
 * Summary first, bounded at any size (issue 21): many failing targets through the whole
 * pipeline — capture reader, decoders, trackers, diagnosis, every renderer — without a stack
 * overflow (no spread of an unbounded list), with the summary counting every target while the
 * verdict list and the report stay bounded.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { openStream } from '../../src/capture/open.js';
import { renderReport } from '../../src/report/render.js';
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
function* nxdomains(n: number): Generator<[number, Uint8Array]> {
  for (let i = 0; i < n; i++) {
    const name = `n${i.toString(36)}.example.com`;
    const port = 10000 + (i % 50000); // clear of 4789 (VXLAN), 5353 (mDNS), 5355 (LLMNR)
    const t = i * 100;
    yield [t, ipv4(CLIENT, RESOLVER, 17, udp(port, 53, dns(i & 0xffff, 0x0100, name)), i)];
    yield [t + 40, ipv4(RESOLVER, CLIENT, 17, udp(53, port, dns(i & 0xffff, 0x8183, name)), i)];
  }
}

/** One client's SYNs to n ports of one host: even ports refused, odd ones never answered. */
function* scan(n: number): Generator<[number, Uint8Array]> {
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

async function run(records: Iterable<[number, Uint8Array]>, maxVerdicts?: number): Promise<Report> {
  const src = await openStream(pcap(records), { name: 'generated.pcap' });
  return analyze(src, maxVerdicts === undefined ? {} : { maxVerdicts });
}

const byCause = (r: Report, cause: string) => r.summary!.byCause.find((c) => c.cause === cause);

describe('a million failing targets cost what a thousand do', () => {
  it('300 k NXDOMAIN names: no stack overflow, every name counted, the list and the report bounded', async () => {
    const N = 300_000;
    const r = await run(nxdomains(N));
    const s = r.summary!;
    expect(byCause(r, 'dns.nxdomain')?.targets).toBe(N);
    expect(s.failures).toBe(N);
    expect(r.verdicts.length).toBeLessThanOrEqual(200);
    expect(s.listed).toBe(r.verdicts.length);
    expect(s.listed + s.omitted).toBeGreaterThan(r.verdicts.length);
    // The summary's examples are bounded whatever the number of names.
    expect(byCause(r, 'dns.nxdomain')!.examples.length).toBeLessThanOrEqual(3);
    // Every renderer copes and stays small.
    const json = renderReport(r, 'json', { lang: 'en' });
    expect(json.length).toBeLessThan(4_000_000); // 200 verdicts and 2,000 DNS records
    expect(renderReport(r, 'table', { lang: 'en' }).length).toBeLessThan(1_000_000);
    expect(renderReport(r, 'md', { lang: 'zh' }).length).toBeLessThan(1_000_000);
    expect(renderReport(r, 'html', { lang: 'en' }).length).toBeLessThan(2_000_000);
  }, 240_000);

  it('a port scan of one host is one verdict per cause with its ports counted, under every limit', async () => {
    const N = 30_000;
    for (const max of [undefined, 0]) {
      const r = await run(scan(N), max);
      const refused = r.verdicts.filter((v) => v.cause === 'tcp.refused');
      const silent = r.verdicts.filter((v) => v.cause === 'tcp.syn_unanswered');
      expect(refused).toHaveLength(1);
      expect(silent).toHaveLength(1);
      expect((refused[0]!.details['ports'] as { count: number }).count).toBe(N / 2);
      expect((silent[0]!.details['ports'] as { count: number }).count).toBe(N / 2);
      expect(byCause(r, 'tcp.refused')?.targets).toBe(N / 2);
      expect(byCause(r, 'tcp.syn_unanswered')?.targets).toBe(N / 2);
    }
  }, 240_000);

  it('the summary counts the same with the list cut (default) and whole (--max-verdicts 0)', async () => {
    // Names past the per-kind limit fall into buckets: the counts must not depend on the cut.
    const N = 12_000;
    const cut = await run(nxdomains(N));
    const all = await run(nxdomains(N), 0);
    expect(cut.summary!.byCause).toEqual(all.summary!.byCause);
    expect(cut.summary!.failures).toBe(all.summary!.failures);
    expect(cut.verdicts.length).toBe(200);
    expect(all.verdicts.length).toBe(all.summary!.listed);
    expect(all.summary!.omitted).toBe(0);
    // Every name is in some verdict of the whole list, counted once.
    const counted = all.verdicts.reduce((n, v) => n + ((v.details['targets'] as { count?: number } | undefined)?.count ?? 1), 0);
    expect(counted).toBe(N);
  }, 240_000);
});
