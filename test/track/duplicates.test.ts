/**
 * Packets a capture holds twice (track/duplicates.ts): `tcpdump -i any` on a host with a bridge
 * sees a container's packets on its veth and on the bridge, a mirror port copies both directions.
 * Every bundled sample, each packet read twice (the copy microseconds later): the same verdicts,
 * the same evidence, and a capture warning counting the copies; read once, no sample says it
 * holds copies (their retransmissions, from real stacks, are none). A router's copy (one hop on:
 * TTL one less) is one too. And what is no copy: the same packet a retransmission timeout later,
 * or with a TTL neither the same nor one less, or a datagram alike in its headers only.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCapture, openStream } from '../../src/capture/open.js';
import type { PacketSource } from '../../src/capture/reader.js';
import type { RawPacket } from '../../src/capture/types.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { warningText } from '../../src/report/warnings.js';
import { Capture, LINKTYPE, ethIp, tcpIp, udpIp } from '../helpers/index.js';
import { englishWords } from '../helpers/zh-prose.js';

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');

/** `src` with each packet handed on twice, the copy `gapNs` later (same frame number: the evidence compares as is). */
function twice(src: PacketSource, gapNs: number): PacketSource {
  return {
    get info() {
      return src.info;
    },
    close: () => src.close(),
    [Symbol.asyncIterator]: () => src[Symbol.asyncIterator](),
    forEach: (on: (p: RawPacket) => void | boolean) =>
      src.forEach((p) => {
        if (on(p) === false) return false;
        const ns = p.tsNsec + gapNs;
        const copy: RawPacket = { ...p, tsSec: p.tsSec + Math.floor(ns / 1e9), tsNsec: ns % 1e9 };
        return on(copy);
      }),
  };
}

/** The report of a built capture. */
async function reportOf(cap: Capture, name: string): Promise<Report> {
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name }), { maxVerdicts: 0 });
}

const told = (r: Report): string[] =>
  r.verdicts.map((v) => `${v.severity} ${v.cause} ${v.target.name ?? ''}|${v.target.ip ?? ''}|${v.target.port ?? ''} ${v.client.ip ?? ''} ${v.evidence.map((e) => e.frame).join(',')}`);
const copies = (r: Report): number | undefined => r.capture.warnings.find((w) => w.kind === 'duplicates')?.args['count'] as number | undefined;

describe('packets the capture holds twice', () => {
  const files = readdirSync(SAMPLES).filter((f) => /\.pcap(ng)?(\.gz)?$/.test(f)).sort();

  it('every sample read twice over tells what it tells read once, and counts the copies', async () => {
    expect(files.length).toBeGreaterThan(50);
    let counted = 0;
    for (const f of files) {
      const once = await analyze(await openCapture(join(SAMPLES, f)), { maxVerdicts: 0 });
      const doubled = await analyze(twice(await openCapture(join(SAMPLES, f)), 3_000), { maxVerdicts: 0 });
      // (Except the one made to hold copies: the router's capture with -i any.)
      if (!f.includes('-seen-twice.')) expect(copies(once), f).toBeUndefined();
      expect(told(doubled), f).toEqual(told(once));
      // Every TCP or UDP packet's copy is one (the samples hold no IP fragments of either).
      const n = copies(doubled);
      if (once.connections.some((c) => c.transport === 'tcp' || c.transport === 'udp')) {
        expect(n ?? 0, f).toBeGreaterThan(0);
        counted += n!;
      }
    }
    expect(counted).toBeGreaterThan(1000);
  }, 300_000);

  it("a real router's capture with -i any (each forwarded packet twice, one hop on) tells what the client's capture tells", async () => {
    const at = async (f: string): Promise<Report> => analyze(await openCapture(join(SAMPLES, f)), { maxVerdicts: 0 });
    const router = await at('http-404-seen-twice.pcap');
    const client = await at('http-404.pcap');
    const what = (r: Report): string[] => r.verdicts.map((v) => `${v.severity} ${v.cause} ${v.target.name}|${v.target.ip}|${v.target.port} ${v.client.ip} ${JSON.stringify(v.details['status'])}`);
    expect(what(router)).toEqual(what(client));
    // Its 24 TCP packets are 12 copies (check.sh counts the pairs from the packets), its 4 DNS messages 2.
    expect(copies(router)).toBe(14);
    expect(copies(client)).toBeUndefined();
  });

  it('the warning says how many and why, in both languages', async () => {
    const r = await analyze(twice(await openCapture(join(SAMPLES, 'tcp-stalled-mid-connection.pcap')), 3_000));
    const w = r.capture.warnings.find((x) => x.kind === 'duplicates')!;
    expect(w.args['ms']).toBe(2);
    expect(warningText(w, 'en')).toMatch(/^\d+ packets were copies of one just before \(the same IP packet within 2 ms, or one hop on\): the capture holding them twice/);
    const zh = warningText(w, 'zh');
    expect(zh).toContain('tcpdump');
    expect(englishWords(zh, 'text', new Set())).toEqual([]);
  });

  describe('no copy', () => {
    const HOST = '192.0.2.10';
    const SERVER = '203.0.113.7';
    /** Three SYNs to a silent server, each `after` s after the first, the capture going on a minute. */
    async function syns(after: number[], ttl?: number[]): Promise<Report> {
      const cap = new Capture();
      const t0 = 1_700_000_000;
      after.forEach((a, i) => cap.add(t0 + a, ethIp(tcpIp({ src: HOST, dst: SERVER, sport: 40000, dport: 443, seq: 77, flags: 'S', id: 5, ...(ttl ? { ttl: ttl[i]! } : {}) }))));
      cap.add(t0 + 60, ethIp(udpIp({ src: SERVER, dst: HOST, sport: 9, dport: 9 }, new Uint8Array(4))));
      return reportOf(cap, 'syns.pcap');
    }
    /** The client's packets of its connection (the copies not counted). */
    const synsSent = (r: Report): unknown => r.connections.find((c) => c.transport === 'tcp')?.packets.client;

    it('the same SYN 1 ms later is a copy; 1 s and 3 s later (a kernel\'s resends, byte for byte) are not', async () => {
      const r = await syns([0, 0.001, 1, 3]);
      expect(copies(r)).toBe(1);
      expect(synsSent(r)).toBe(3);
      // (Read as one SYN sent three times: a kernel's resends.)
      expect(r.verdicts.find((v) => v.cause === 'tcp.syn_unanswered')?.details['syns']).toBe(3);
    });

    it('the same SYN 1 ms later one hop on (TTL one less: captured on both sides of a router) is a copy; with another TTL it is not', async () => {
      const routed = await syns([0, 0.001], [64, 63]);
      expect(copies(routed)).toBe(1);
      expect(synsSent(routed)).toBe(1);
      for (const ttl of [[64, 62], [63, 64]]) {
        const r = await syns([0, 0.001], ttl);
        expect(copies(r), String(ttl)).toBeUndefined();
        expect(synsSent(r)).toBe(2);
      }
    });

    it('UDP datagrams alike in every header field (IPv4 id 0, no checksum) but not in their payload are no copies', async () => {
      // As a NAT-traversal IPsec peer sends its ESP in UDP: id 0, checksum 0, one length, microseconds
      // apart; only the payload (the ESP sequence number, here at byte 4) tells them apart.
      const cap = new Capture();
      const t0 = 1_700_000_000;
      const esp = (n: number): Uint8Array => {
        const b = new Uint8Array(120);
        b.set([0, 0, 0x12, 0x34, 0, 0, 0, n], 0);
        return b;
      };
      for (let n = 1; n <= 4; n++) cap.add(t0 + n * 1e-5, ethIp(udpIp({ src: HOST, dst: SERVER, sport: 4500, dport: 4500, id: 0, noChecksum: true }, esp(n))));
      // The last one again 5 µs later: a copy.
      cap.add(t0 + 5e-5, ethIp(udpIp({ src: HOST, dst: SERVER, sport: 4500, dport: 4500, id: 0, noChecksum: true }, esp(4))));
      const r = await reportOf(cap, 'esp.pcap');
      expect(copies(r)).toBe(1);
      expect(r.connections.find((c) => c.transport === 'udp')?.packets.client).toBe(4);
    });

    it('a BFD echo sent back by the neighbour one hop on (to its own sender) is no copy', async () => {
      const cap = new Capture();
      const echo = udpIp({ src: HOST, dst: HOST, sport: 49152, dport: 3785, id: 7, ttl: 255 }, new Uint8Array(24).fill(9));
      const back = udpIp({ src: HOST, dst: HOST, sport: 49152, dport: 3785, id: 7, ttl: 254 }, new Uint8Array(24).fill(9));
      cap.add(1_700_000_000, ethIp(echo));
      cap.add(1_700_000_000.0003, ethIp(back));
      const r = await reportOf(cap, 'bfd.pcap');
      expect(copies(r)).toBeUndefined();
    });

    it('the same SYN 5 ms later (past the window) is no copy', async () => {
      const r = await syns([0, 0.005]);
      expect(copies(r)).toBeUndefined();
      expect(synsSent(r)).toBe(2);
    });
  });
});
