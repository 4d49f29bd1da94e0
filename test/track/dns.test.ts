import { describe, expect, it } from 'vitest';
import { DnsTracker, dnsRttMs } from '../../src/track/dns.js';
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
});
