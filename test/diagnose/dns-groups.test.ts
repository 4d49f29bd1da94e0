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
import { Duplicates } from '../../src/track/duplicates.js';
import { Tracker } from '../../src/track/tracker.js';
import { Diagnosis } from '../../src/diagnose/diagnose.js';
import { DnsGroups, HELD, RESOLVED_ALONE, isBackgroundDns } from '../../src/diagnose/dns-group.js';
import fc from 'fast-check';
import type { DnsTransaction } from '../../src/track/dns.js';
import { DnsTracker } from '../../src/track/dns.js';
import { decodeDns, type DnsMessage } from '../../src/decode/dns.js';
import { isStop } from '../../src/decode/stop.js';
import { dnsMessage } from '../helpers/build.js';
import { analyze, MAX_RECORDS } from '../../src/analyze.js';
import { dnsRecord } from '../../src/report/records.js';
import { SAMPLES, SHARED } from '../tshark-fixture.js';

async function transactions(path: string): Promise<{ txs: DnsTransaction[]; end: number }> {
  // No consumer: the tracker keeps every transaction. (Packets read twice are read once, as analyze does.)
  const tr = new Tracker({ onConn: () => {} });
  const dec = new Decoder();
  const p = new Packet();
  const copies = new Duplicates();
  const src = await openCapture(path);
  await src.forEach((r) => {
    dec.decode(r, p);
    if (!copies.copy(p, r.tsSec + r.tsNsec * 1e-9)) tr.packet(p);
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

  /** The group a table makes of `t` alone (DnsGroups.add into a new table). */
  function tableGroup(t: DnsTransaction): unknown {
    const d = new DnsGroups(true);
    d.add(t);
    return [...d.values()][0] ?? null;
  }

  it('a group of one transaction (single, past the limit of names) is the group a table makes of it', async () => {
    let n = 0;
    for (const f of files) {
      const { txs } = await transactions(f);
      for (const t of txs) {
        expect(DnsGroups.single(t), `${f} #${t.seq}`).toEqual(tableGroup(t));
        n++;
      }
    }
    // The samples alone hold 60 transactions; with the shared captures beside the clone, hundreds.
    expect(n).toBeGreaterThan(existsSync(manifest) ? 100 : 40);
    // What the captures may lack: fragments lost and whole, a truncated answer retried over TCP,
    // EDNS negotiation and EDE, other types answered or not, more addresses than a group keeps.
    const d = new DnsTracker();
    const C = { ip: '192.0.2.10', port: 40000 };
    const S = { ip: '198.51.100.53', port: 53 };
    const at = (port: number): { ip: string; port: number } => ({ ip: C.ip, port });
    const ede = Uint8Array.from([0, 15, 0, 6, 0, 22, 0x6e, 0x6f, 0x6e, 0x65]);
    const ask = (id: number, name: string, type: string, answer: Omit<Parameters<typeof dnsMessage>[0], 'id' | 'qr'> | null, frame: number, transport: 'udp' | 'tcp' = 'udp'): void => {
      const q = { id, questions: [{ name, type }] };
      d.message(msg(q), transport, at(41000 + id), S, frame, frame);
      if (answer) d.message(msg({ ...q, qr: true, ...answer }), transport, S, at(41000 + id), frame + 0.5, frame + 0.5);
    };
    ask(1, 'lost.example', 'AAAA', null, 1);
    d.fragment(S.ip, C.ip, 0x77, 1232, false, 1.1, 1.1);
    d.fragment(S.ip, C.ip, 0x78, 2464, false, 1.2, 1.2);
    ask(2, 'big.example', 'TXT', { tc: true, edns: { udpSize: 1232, options: ede } }, 2);
    ask(3, 'big.example', 'TXT', { answers: [{ name: 'big.example', type: 'TXT', data: 'x'.repeat(300) }] }, 3, 'tcp');
    d.message(msg({ id: 4, questions: [{ name: 'frag.example', type: 'A' }] }), 'udp', at(41004), S, 4, 4);
    d.fragment(S.ip, C.ip, 0x79, 0, false, 4.1, 4.1);
    d.fragment(S.ip, C.ip, 0x79, 1232, true, 4.2, 4.2);
    d.message(msg({ id: 4, qr: true, questions: [{ name: 'frag.example', type: 'A' }], answers: [{ name: 'frag.example', type: 'A', data: '203.0.113.1' }] }), 'udp', S, at(41004), 4.2, 4.2);
    ask(5, 'old.example', 'A', { edns: { udpSize: 1232, extRcode: 1 } }, 5);
    ask(6, 'bogus.example', 'A', { rcode: 'SERVFAIL', edns: { udpSize: 1232, options: ede } }, 6);
    ask(7, 'Mixed.Case.Example', 'MX', { answers: [{ name: 'Mixed.Case.Example', type: 'MX', data: Uint8Array.from([0, 10, 0]) }] }, 7);
    ask(8, 'zone.example', 'NS', {}, 8);
    ask(9, '9.2.0.192.in-addr.arpa', 'PTR', {}, 9);
    ask(10, 'nodata.example', 'AAAA', {}, 10);
    ask(11, 'many.example', 'A', { answers: Array.from({ length: 12 }, (_, i) => ({ name: 'many.example', type: 'A', data: `203.0.113.${i + 1}` })) }, 11);
    ask(12, 'refused.example', 'A', { rcode: 'REFUSED' }, 12);
    ask(13, 'nx.example', 'A', { rcode: 'NXDOMAIN', authority: [{ name: 'example', type: 'SOA', data: Uint8Array.from(new Array(22).fill(0)) }] }, 13);
    d.message(msg({ id: 14, qr: true, questions: [] }), 'udp', S, at(41014), 14, 14);
    d.message(msg({ id: 15, questions: [{ name: 'printer.local', type: 'A' }] }), 'udp', at(5353), { ip: '224.0.0.251', port: 5353 }, 15, 15);
    const built = d.all();
    expect(built.length).toBe(15);
    for (const t of built) expect(DnsGroups.single(t), `#${t.seq} ${t.query}`).toEqual(tableGroup(t));
    // The cases above are there: a null group (no question, multicast), lost and whole fragments, a retried truncated answer.
    const groups = built.map((t) => DnsGroups.single(t));
    expect(groups.filter((g) => g === null).length).toBe(2);
    expect(groups.some((g) => g !== null && g.lostFragments !== null && g.lostFragments.length === 2)).toBe(true);
    expect(groups.some((g) => g !== null && g.answerFragments === 2)).toBe(true);
    expect(groups.some((g) => g !== null && g.flows !== null && g.first[0]!.tcpRetry !== null)).toBe(true);
    expect(groups.some((g) => g !== null && g.negotiation !== null)).toBe(true);
    expect(groups.some((g) => g !== null && g.ede !== null)).toBe(true);
    expect(groups.some((g) => g !== null && g.addrs !== null && g.addrs.length === 8)).toBe(true);
  });

  it('a name asked by many clients keeps one group per client, and lets each go when it resolves', () => {
    const d = new DnsTracker();
    const S = { ip: '198.51.100.53', port: 53 };
    const client = (i: number): { ip: string; port: number } => ({ ip: `192.0.2.${10 + i}`, port: 40000 + i });
    let frame = 0;
    const ask = (i: number, id: number, rcode: 'NOERROR' | 'NXDOMAIN'): void => {
      const q = { id, questions: [{ name: 'shared.example', type: 'A' as const }] };
      d.message(msg(q), 'udp', client(i), S, ++frame, frame);
      d.message(msg({ ...q, qr: true, rcode, answers: rcode === 'NOERROR' ? [{ name: 'shared.example', type: 'A', data: '203.0.113.9' }] : [] }), 'udp', S, client(i), ++frame, frame);
    };
    for (let i = 0; i < 20; i++) ask(i, 1, 'NXDOMAIN');
    for (let i = 0; i < 5; i++) ask(i, 2, 'NOERROR');
    const groups = new DnsGroups(false);
    for (const t of d.all()) expect(groups.addHeld(t)).toBe(HELD);
    const held = [...groups.values()];
    expect(held.map((g) => g.client).sort()).toEqual(Array.from({ length: 15 }, (_, i) => client(i + 5).ip).sort());
    expect(held.every((g) => g.queries === 1 && g.nx !== null && !g.resolved)).toBe(true);
    for (let i = 0; i < 20; i++) expect(groups.isResolved(client(i).ip, 'shared.example'), `client ${i}`).toBe(i < 5);
    expect(groups.resolvedBy('shared.example')).toBe('*');
    // The same transactions into a table that keeps resolved names: 20 groups, 5 of them resolved.
    const kept = new DnsGroups(true);
    for (const t of d.all()) kept.add(t);
    const all = [...kept.values()];
    expect([all.length, all.filter((g) => g.resolved).length, all.filter((g) => g.queries === 2).length]).toEqual([20, 5, 5]);
  });

  it('multicast and broadcast servers are background DNS, as the address pattern says', () => {
    const byPattern = (ip: string): boolean => /^(22[4-9]|23\d)\./.test(ip) || ip === '255.255.255.255' || ip.startsWith('ff');
    const tx = (ip: string): DnsTransaction => ({ server: { ip, port: 53 }, client: { ip: '192.0.2.1', port: 40000 } }) as DnsTransaction;
    const fixed = ['224.0.0.251', '239.255.255.250', '230.1.2.3', '223.255.255.255', '240.0.0.1', '22.4.0.1', '23.1.2.3', '2240::1', '255.255.255.255', 'ff02::fb', '2001:db8::1', '', '22', '224'];
    for (const ip of fixed) expect(isBackgroundDns(tx(ip)), ip).toBe(byPattern(ip));
    fc.assert(fc.property(fc.ipV4(), (ip) => isBackgroundDns(tx(ip)) === byPattern(ip)), { numRuns: 3000 });
    fc.assert(fc.property(fc.string({ maxLength: 8 }), (ip) => isBackgroundDns(tx(ip)) === byPattern(ip)), { numRuns: 3000 });
    expect(fixed.filter((ip) => byPattern(ip)).length).toBe(5);
  });

  it('find every name again among many (the filter of names seen has no false negatives)', () => {
    let seq = 0;
    const tx = (name: string, client: string, rcode: number): DnsTransaction => ({
      seq: ++seq, transport: 'udp', client: { ip: client, port: 40000 }, server: { ip: '198.51.100.53', port: 53 }, id: 1, query: name, qtype: 1,
      queryFrames: [2 * seq], queryTimes: [seq], responseFrame: 2 * seq + 1, responseTime: seq + 0.01, rcode, tc: false, aa: false, ra: true,
      opcode: 0, answers: rcode === 0 ? [{ name, type: 1, data: '203.0.113.9', ttl: 60 }] : [], soa: false, ede: [], extraResponses: 0, tcpRetry: null,
      retryOf: null, ednsSize: -1, fragments: null,
    });
    const groups = new DnsGroups(false);
    // As Diagnosis.addDns: a name past the limit is judged alone, and remembered when it resolved.
    const add = (t: DnsTransaction): boolean => {
      const held = groups.addHeld(t);
      if (held === HELD) return true;
      const g = DnsGroups.single(t);
      // Past the limit, a name resolved alone is remembered by addHeld itself.
      expect(held === RESOLVED_ALONE, t.query!).toBe(g !== null && g.resolved);
      return false;
    };
    const names = Array.from({ length: 30_000 }, (_, i) => `n${i}.${(i * 7919) % 1000}.example`);
    // Odd names resolve for client A; even ones fail for it (held up to the limit of names, then judged alone).
    const first = names.map((n, i) => add(tx(n, '192.0.2.1', i % 2 === 1 ? 0 : 3)));
    const held = new Map([...groups.values()].map((g) => [g.name, g]));
    expect(held.size).toBe(10_000);
    for (let i = 0; i < names.length; i++) {
      const n = names[i]!;
      expect(groups.isResolved('192.0.2.1', n), n).toBe(i % 2 === 1);
      expect(groups.isResolved('192.0.2.2', n), n).toBe(false);
      // The 10,000th failing name is n19998: past it a new name is judged alone.
      expect(first[i], n).toBe(held.has(n) || (i % 2 === 1 && i < 19_998));
    }
    // Asked again: a resolved name is done, a held name's group counts the query, the others are judged alone.
    const second = names.map((n) => add(tx(n, '192.0.2.1', 3)));
    // (A name that resolved past the limit was remembered: it is done now too.)
    expect(second).toEqual(names.map((n, i) => held.has(n) || i % 2 === 1));
    expect([...groups.values()].every((g) => g.queries === 2)).toBe(true);
    expect([...groups.values()].length).toBe(10_000);
  });
});
