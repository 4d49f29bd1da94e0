import { describe, expect, it } from 'vitest';
import { DnsTracker, RETIRE_ANSWERED, RETIRE_UNANSWERED, dnsRttMs, type DnsTransaction } from '../../src/track/dns.js';
import { decodeDns, type DnsMessage } from '../../src/decode/dns.js';
import { isStop } from '../../src/decode/stop.js';
import { dnsMessage } from '../helpers/build.js';
import { NameMap, cnameChain } from '../../src/track/names.js';

function msg(o: Parameters<typeof dnsMessage>[0]): DnsMessage {
  const b = dnsMessage(o);
  const m = decodeDns(b, 0, b.length);
  if (isStop(m)) throw new Error('bad test message');
  return m;
}

const C = { ip: '192.0.2.10', port: 40000 };
const S = { ip: '198.51.100.53', port: 53 };

describe('DNS transactions', () => {
  it('a retried query is one transaction with retries; the answer gives rcode and rtt', () => {
    const d = new DnsTracker();
    const q = msg({ id: 7, questions: [{ name: 'nx.example.com', type: 'A' }], rd: true });
    d.message(q, 'udp', C, S, 1, 100.0);
    d.message(q, 'udp', C, S, 2, 105.0);
    d.message(msg({ id: 7, qr: true, rcode: 3, questions: [{ name: 'nx.example.com', type: 'A' }] }), 'udp', S, C, 3, 105.02);
    const [t] = d.all();
    expect(t).toMatchObject({ query: 'nx.example.com', qtype: 1, queryFrames: [1, 2], responseFrame: 3, rcode: 3 });
    expect(dnsRttMs(t!)).toBeCloseTo(20, 3);
  });

  it('unanswered queries stay open with their times', () => {
    const d = new DnsTracker();
    d.message(msg({ id: 1, questions: [{ name: 'a.example', type: 'AAAA' }] }), 'udp', C, S, 1, 10);
    d.message(msg({ id: 2, questions: [{ name: 'a.example', type: 'A' }] }), 'udp', C, S, 2, 10.001);
    const all = d.all();
    expect(all.map((t) => [t.seq, t.qtype, t.rcode, t.queryTimes])).toEqual([[1, 28, null, [10]], [2, 1, null, [10.001]]]);
  });

  it('a truncated UDP answer is linked to the TCP retry of the same question', () => {
    const d = new DnsTracker();
    const q = { id: 9, questions: [{ name: 'big.example.org', type: 'TXT' as const }] };
    d.message(msg(q), 'udp', C, S, 1, 1);
    d.message(msg({ ...q, qr: true, tc: true }), 'udp', S, C, 2, 1.01);
    const tc = { ip: C.ip, port: 40001 };
    d.message(msg({ ...q, id: 10 }), 'tcp', tc, S, 6, 1.05);
    d.message(msg({ ...q, id: 10, qr: true, answers: [{ name: 'big.example.org', type: 'TXT', data: 'x'.repeat(100) }] }), 'tcp', S, tc, 8, 1.06);
    const [u, t] = d.all();
    expect(u).toMatchObject({ transport: 'udp', tc: true, tcpRetry: 2 });
    expect(t).toMatchObject({ transport: 'tcp', retryOf: 1, rcode: 0 });
  });

  it('names follow CNAME chains back to the question', () => {
    const d = new DnsTracker();
    d.message(
      msg({
        id: 3,
        qr: true,
        questions: [{ name: 'www.example.com', type: 'A' }],
        answers: [
          { name: 'www.example.com', type: 'CNAME', data: 'edge.cdn.example.net' },
          { name: 'edge.cdn.example.net', type: 'A', data: '203.0.113.7' },
        ],
      }),
      'udp', S, C, 4, 2,
    );
    const [t] = d.all();
    const names = new NameMap();
    names.addDns(t!);
    expect(names.name('203.0.113.7')).toBe('www.example.com');
    expect(names.names('203.0.113.7')).toEqual(['www.example.com', 'edge.cdn.example.net']);
    expect(cnameChain(t!)).toEqual(['www.example.com', 'edge.cdn.example.net']);
  });

  it('clients sharing a source port and id, and UDP / TCP with the same id, stay separate transactions', () => {
    const d = new DnsTracker();
    const C2 = { ip: '192.0.2.11', port: C.port };
    const S2 = { ip: '198.51.100.54', port: 53 };
    const q = (name: string): DnsMessage => msg({ id: 5, questions: [{ name, type: 'A' }] });
    const r = (name: string, rcode: number): DnsMessage => msg({ id: 5, qr: true, rcode, questions: [{ name, type: 'A' }] });
    d.message(q('a.example'), 'udp', C, S, 1, 1);
    d.message(q('b.example'), 'udp', C2, S, 2, 1);
    d.message(q('c.example'), 'udp', C, S2, 3, 1);
    d.message(q('d.example'), 'tcp', C, S, 4, 1);
    // Answers in another order than the queries, each to its own client / server / transport.
    d.message(r('c.example', 2), 'udp', S2, C, 5, 1.1);
    d.message(r('a.example', 3), 'udp', S, C, 6, 1.2);
    d.message(r('d.example', 5), 'tcp', S, C, 7, 1.3);
    d.message(r('b.example', 0), 'udp', S, C2, 8, 1.4);
    // The first client reuses the id after its answer: a new transaction, the old one complete.
    d.message(q('e.example'), 'udp', C, S, 9, 2);
    d.message(r('a.example', 3), 'udp', S, C2, 10, 2.1);
    expect(d.all().map((t) => [t.seq, t.transport, t.client.ip, t.server.ip, t.query, t.queryFrames, t.responseFrame, t.rcode, t.extraResponses])).toEqual([
      [1, 'udp', C.ip, S.ip, 'a.example', [1], 6, 3, 0],
      [2, 'udp', C2.ip, S.ip, 'b.example', [2], 8, 0, 1],
      [3, 'udp', C.ip, S2.ip, 'c.example', [3], 5, 2, 0],
      [4, 'tcp', C.ip, S.ip, 'd.example', [4], 7, 5, 0],
      [5, 'udp', C.ip, S.ip, 'e.example', [9], null, null, 0],
    ]);
  });

  it('with a consumer, quiet transactions are handed over and forgotten; the rest at the end, in order', () => {
    const out: DnsTransaction[] = [];
    const d = new DnsTracker({ onDone: (t) => out.push(t) });
    const q = (id: number, name: string): DnsMessage => msg({ id, questions: [{ name, type: 'A' }] });
    const r = (id: number, name: string): DnsMessage => msg({ id, qr: true, questions: [{ name, type: 'A' }] });
    d.message(q(1, 'answered.example'), 'udp', C, S, 1, 100);
    d.message(r(1, 'answered.example'), 'udp', S, C, 2, 100.01);
    d.message(q(2, 'silent.example'), 'udp', C, S, 3, 100.02);
    // Quiet for less than RETIRE_ANSWERED: both still open.
    d.message(q(3, 'other.example'), 'udp', C, S, 4, 100 + RETIRE_ANSWERED - 1);
    expect([out.length, d.openCount]).toEqual([0, 3]);
    // Past it: the answered one goes; the unanswered one waits RETIRE_UNANSWERED.
    d.message(q(4, 'other.example'), 'udp', C, S, 5, 100.02 + RETIRE_ANSWERED + 1);
    expect(out.map((t) => t.query)).toEqual(['answered.example']);
    expect(d.all().map((t) => t.seq)).toEqual([2, 3, 4]);
    // A duplicate answer after its transaction went: a new transaction without a query.
    d.message(r(1, 'answered.example'), 'udp', S, C, 6, 100.02 + RETIRE_ANSWERED + 2);
    d.message(q(5, 'late.example'), 'udp', C, S, 7, 100.02 + RETIRE_UNANSWERED + 1);
    // By then the unanswered one has waited RETIRE_UNANSWERED, and the answer-only one RETIRE_ANSWERED.
    expect(out.map((t) => t.seq)).toEqual([1, 2, 5]);
    d.flush();
    expect(out.map((t) => [t.seq, t.query, t.queryFrames, t.responseFrame])).toEqual([
      [1, 'answered.example', [1], 2],
      [2, 'silent.example', [3], null],
      [5, 'answered.example', [], 6],
      [3, 'other.example', [4], null],
      [4, 'other.example', [5], null],
      [6, 'late.example', [7], null],
    ]);
    expect([d.openCount, d.all().length, d.done.length]).toEqual([0, 0, 0]);
  });

  it('with a consumer, what is held follows the queries in flight, not their total', () => {
    let handed = 0;
    const d = new DnsTracker({ onDone: () => { handed++; } });
    // 60 000 answered queries, 100 a second (10 minutes), plus one in 100 never answered.
    let peak = 0;
    for (let i = 0; i < 60_000; i++) {
      const ts = 1000 + i / 100;
      const client = { ip: C.ip, port: 1024 + (i % 60_000) };
      const name = `n${i}.example`;
      d.message(msg({ id: i & 0xffff, questions: [{ name, type: 'A' }] }), 'udp', client, S, 2 * i + 1, ts);
      if (i % 100 !== 0) d.message(msg({ id: i & 0xffff, qr: true, questions: [{ name, type: 'A' }] }), 'udp', S, client, 2 * i + 2, ts + 0.005);
      peak = Math.max(peak, d.openCount);
    }
    d.flush();
    expect(handed).toBe(60_000);
    // Answered: about RETIRE_ANSWERED seconds' worth (100 a second); unanswered: RETIRE_UNANSWERED seconds' worth (1 a second).
    expect(peak).toBeGreaterThan(100 * RETIRE_ANSWERED);
    expect(peak).toBeLessThan(100 * (RETIRE_ANSWERED + 2) + RETIRE_UNANSWERED + 10);
  });
});

describe('IP fragments of DNS answers (issue 22)', () => {
  const q = (id: number): DnsMessage => msg({ id, questions: [{ name: 'large.example.net', type: 'AAAA' }] });

  it('go to the latest unanswered query from the client to that server, within 5 s, bounded', () => {
    const d = new DnsTracker();
    d.message(q(1), 'udp', C, S, 1, 100);
    d.fragment(S.ip, C.ip, 0xabc, 1232, false, 2, 100.01);
    d.fragment(S.ip, C.ip, 0xabc, 1232, false, 3, 100.02); // the same piece twice: once
    d.fragment('203.0.113.99', C.ip, 0xdef, 1232, false, 4, 100.03); // another server: not this query's
    d.fragment(S.ip, C.ip, 0x123, 1232, false, 5, 105.5); // too late after the query
    for (let i = 0; i < 40; i++) d.fragment(S.ip, C.ip, 0xabc, 8 * (i + 200), false, 10 + i, 100.1);
    const [t] = d.all();
    expect(t!.fragments).toHaveLength(1);
    const f = t!.fragments![0]!;
    expect(f).toMatchObject({ ident: 0xabc, completed: false });
    expect(f.offsets[0]).toBe(1232);
    expect(f.frames[0]).toBe(2);
    expect(f.offsets.length).toBeLessThanOrEqual(16);
  });

  it('from each of many servers go to the query sent to that server', () => {
    const d = new DnsTracker();
    const server = (i: number): { ip: string; port: number } => ({ ip: `198.51.100.${100 + i}`, port: 53 });
    for (let i = 0; i < 12; i++) d.message(q(i + 1), 'udp', C, server(i), i + 1, 100 + i * 0.01);
    for (let i = 0; i < 12; i++) d.fragment(server(i).ip, C.ip, 0x100 + i, 1232, false, 20 + i, 100.2);
    // An answered query takes no more fragments; the same id asked again is a new query that does.
    d.message(msg({ id: 4, qr: true, questions: [{ name: 'large.example.net', type: 'AAAA' }] }), 'udp', server(3), C, 40, 100.3);
    d.fragment(server(3).ip, C.ip, 0x200, 1232, false, 41, 100.31);
    d.message(q(4), 'udp', C, server(3), 42, 100.4);
    d.fragment(server(3).ip, C.ip, 0x300, 1232, false, 43, 100.41);
    d.message(msg({ id: 10, qr: true, questions: [{ name: 'large.example.net', type: 'AAAA' }] }), 'udp', server(9), C, 44, 100.5);
    d.message(q(10), 'udp', C, server(9), 45, 100.6);
    d.fragment(server(9).ip, C.ip, 0x400, 1232, false, 46, 100.61);
    // A client of two servers (kept in a list, not a map).
    const C2 = { ip: '192.0.2.11', port: 40000 };
    d.message(q(1), 'udp', C2, server(0), 50, 101);
    d.message(q(2), 'udp', C2, server(1), 51, 101.01);
    d.fragment(server(1).ip, C2.ip, 0x500, 1232, false, 52, 101.02);
    d.fragment(server(0).ip, C2.ip, 0x501, 1232, false, 53, 101.03);
    const all = d.all();
    expect(all.map((t) => [t.client.ip, t.server.ip, t.fragments?.map((f) => f.ident) ?? null])).toEqual([
      ...Array.from({ length: 12 }, (_, i) => [C.ip, server(i).ip, [0x100 + i]]),
      [C.ip, server(3).ip, [0x300]],
      [C.ip, server(9).ip, [0x400]],
      [C2.ip, server(0).ip, [0x501]],
      [C2.ip, server(1).ip, [0x500]],
    ]);
  });

  it('are not given to a query already answered, and a completed datagram is marked', () => {
    const d = new DnsTracker();
    d.message(q(2), 'udp', C, S, 1, 100);
    d.fragment(S.ip, C.ip, 0x55, 0, false, 2, 100.01);
    d.fragment(S.ip, C.ip, 0x55, 1232, true, 3, 100.02);
    d.message(msg({ id: 2, qr: true, questions: [{ name: 'large.example.net', type: 'AAAA' }] }), 'udp', S, C, 3, 100.02);
    d.fragment(S.ip, C.ip, 0x66, 1232, false, 4, 100.5);
    const [t] = d.all();
    expect(t!.fragments).toEqual([{ ident: 0x55, offsets: [0, 1232], frames: [2, 3], times: [100.01, 100.02], completed: true }]);
  });
});
