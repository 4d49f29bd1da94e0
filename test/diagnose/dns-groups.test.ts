/**
 * DNS verdicts are built from per-name groups that DNS transactions are folded into as they
 * finish (analyze hands them over while the capture is read, in finishing order). The verdicts
 * must not depend on that order: folding a capture's transactions in sequence order, in reverse,
 * or interleaved gives the same verdicts, for every sample and every shared capture.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openCapture } from '../../src/capture/open.js';
import { Decoder } from '../../src/decode/decoder.js';
import { Packet } from '../../src/decode/packet.js';
import { Tracker } from '../../src/track/tracker.js';
import { Diagnosis } from '../../src/diagnose/diagnose.js';
import type { DnsTransaction } from '../../src/track/dns.js';
import { DnsTracker } from '../../src/track/dns.js';
import { decodeDns, type DnsMessage } from '../../src/decode/dns.js';
import { isStop } from '../../src/decode/stop.js';
import { dnsMessage } from '../helpers/build.js';
import { analyze, MAX_RECORDS } from '../../src/analyze.js';
import { dnsRecord } from '../../src/report/records.js';
import { SAMPLES, SHARED } from '../tshark-fixture.js';

async function transactions(path: string): Promise<{ txs: DnsTransaction[]; end: number }> {
  // No consumer: the tracker keeps every transaction.
  const tr = new Tracker({ onConn: () => {} });
  const dec = new Decoder();
  const p = new Packet();
  const src = await openCapture(path);
  await src.forEach((r) => {
    dec.decode(r, p);
    tr.packet(p);
  });
  tr.flush();
  return { txs: tr.dns.all(), end: tr.now };
}

function verdicts(txs: DnsTransaction[], end: number, all = true, keepResolved = true): unknown {
  const d = new Diagnosis({ keepResolved });
  for (const t of txs) d.addDns(t);
  return d.verdicts([], [], end, all);
}

function msg(o: Parameters<typeof dnsMessage>[0]): DnsMessage {
  const b = dnsMessage(o);
  const m = decodeDns(b, 0, b.length);
  if (isStop(m)) throw new Error('bad test message');
  return m;
}

const manifest = join(SHARED, 'MANIFEST.json');
const files = [
  ...readdirSync(SAMPLES).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(SAMPLES, f)),
  ...(existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as Array<{ path: string }>).map((e) => join(SHARED, e.path)) : []),
].sort();

describe('DNS groups', () => {
  it('give the same verdicts whatever order the transactions finish in', async () => {
    let withDns = 0;
    for (const f of files) {
      const { txs, end } = await transactions(f);
      if (txs.length === 0) continue;
      withDns++;
      const inOrder = verdicts(txs, end);
      expect(new Diagnosis().verdicts(txs, [], end, true), f).toEqual(inOrder);
      expect(verdicts([...txs].reverse(), end), f).toEqual(inOrder);
      const odd = txs.filter((_, i) => i % 2 === 1);
      const even = txs.filter((_, i) => i % 2 === 0);
      expect(verdicts([...odd, ...even.reverse()], end), f).toEqual(inOrder);
      // Names that resolved, remembered as names only, change nothing when `all` is not asked.
      expect(verdicts([...txs].reverse(), end, false, false), f).toEqual(verdicts(txs, end, false));
    }
    expect(withDns).toBeGreaterThan(existsSync(manifest) ? 20 : 5);
  });

  it('analyze, which lets transactions go once quiet, lists the same DNS transactions as a tracker that keeps them all', async () => {
    // Pins the retirement windows against real traffic: a duplicate answer arriving after its
    // transaction was let go would become a transaction of its own.
    for (const f of files) {
      const { txs } = await transactions(f);
      const report = await analyze(await openCapture(f));
      expect(report.dns, f).toEqual(txs.slice(0, MAX_RECORDS).map(dnsRecord));
    }
  });

  it('a failing name that is a resolved name plus a search domain gets no verdict', () => {
    const d = new DnsTracker();
    const C = { ip: '192.0.2.10', port: 40000 };
    const S = { ip: '198.51.100.53', port: 53 };
    const ask = (id: number, name: string, rcode: 'NOERROR' | 'NXDOMAIN', at: number): void => {
      const q = { id, questions: [{ name, type: 'A' as const }] };
      d.message(msg(q), 'udp', { ...C, port: C.port + id }, S, 2 * id, at);
      d.message(msg({ ...q, qr: true, rcode, answers: rcode === 'NOERROR' ? [{ name, type: 'A', data: '203.0.113.9' }] : [] }), 'udp', S, { ...C, port: C.port + id }, 2 * id + 1, at + 0.01);
    };
    ask(1, 'api.example.com.corp.example', 'NXDOMAIN', 1);
    ask(2, 'api.example.com', 'NOERROR', 2);
    ask(3, 'web.example.com.corp.example', 'NXDOMAIN', 3);
    ask(4, 'api.example.comx.corp.example', 'NXDOMAIN', 4);
    for (const keepResolved of [true, false]) {
      const v = verdicts(d.all(), 10, false, keepResolved) as Array<{ target: { name: string }; cause: string }>;
      expect(v.map((x) => [x.target.name, x.cause])).toEqual([
        ['web.example.com.corp.example', 'dns.nxdomain'],
        ['api.example.comx.corp.example', 'dns.nxdomain'],
      ]);
    }
  });
});
