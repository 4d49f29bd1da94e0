/**
 * Stories told once: one client failing alike on several ports of one address (aggregate.ts),
 * and a dual-stack host's two addresses (dual-stack.ts).
 */
import { describe, expect, it } from 'vitest';
import { mergePorts, PORT_EXAMPLES } from '../../src/diagnose/aggregate.js';
import { dualStackPairs } from '../../src/diagnose/dual-stack.js';
import type { Verdict } from '../../src/diagnose/verdict.js';
import { verdictWords } from '../../src/report/words.js';

function v(cause: string, ip: string, port: number, o: { client?: string; name?: string | null; severity?: Verdict['severity']; frame?: number } = {}): { v: Verdict; first: number } {
  const frame = o.frame ?? port;
  return {
    first: frame,
    v: {
      target: { name: o.name ?? null, ip, port, transport: 'tcp' },
      client: { ip: o.client ?? '192.0.2.10' },
      layer: 'tcp',
      cause,
      severity: o.severity ?? 'error',
      attempts: 1,
      facts: {},
      evidence: [{ frame, time: '2026-12-06T00:00:00Z', kind: 'syn', args: {} }],
      limits: [],
      details: {},
    },
  };
}

describe('one story per scanned host', () => {
  it('merges one client refused on several ports of one address, ports counted', () => {
    const list = [v('tcp.refused', '203.0.113.5', 443), v('tcp.refused', '203.0.113.5', 22), v('tcp.refused', '203.0.113.5', 80)];
    const out = mergePorts(list);
    expect(out).toHaveLength(1);
    const m = out[0]!.v;
    expect(m.target.port).toBeNull();
    expect(m.details['ports']).toEqual({ count: 3, examples: [22, 80, 443], first: 22 });
    expect([m.details['connections'], m.details['failedConnections']]).toEqual([3, 3]);
    expect(m.attempts).toBe(3);
    expect(out[0]!.first).toBe(22);
    expect(m.evidence.map((e) => e.frame)).toEqual([22, 80, 443]);
    const w = verdictWords(m, 'en');
    expect(w.summary).toContain('on 3 ports: 22, 80, 443');
    expect(verdictWords(m, 'zh').summary).toContain('共 3 个端口');
  });

  it('keeps apart other clients, other addresses, other causes, named targets and one port', () => {
    const list = [
      v('tcp.refused', '203.0.113.5', 80),
      v('tcp.refused', '203.0.113.5', 81, { client: '192.0.2.11' }),
      v('tcp.refused', '203.0.113.6', 82),
      v('tcp.syn_unanswered', '203.0.113.5', 83),
      v('tcp.refused', '203.0.113.7', 84, { name: 'www.example.com' }),
      v('tcp.refused', '203.0.113.7', 85, { name: 'www.example.com' }),
      v('tls.alert', '203.0.113.8', 443),
      v('tls.alert', '203.0.113.8', 8443),
    ];
    expect(mergePorts(list)).toHaveLength(list.length);
  });

  it('bounds the ports it lists, counts them all', () => {
    const list = Array.from({ length: 500 }, (_, i) => v('tcp.refused', '203.0.113.5', 1000 + i));
    const out = mergePorts(list);
    expect(out).toHaveLength(1);
    const p = out[0]!.v.details['ports'] as { count: number; examples: number[] };
    expect(p.count).toBe(500);
    expect(p.examples).toHaveLength(PORT_EXAMPLES);
    expect(out[0]!.v.evidence.length).toBeLessThanOrEqual(12);
    expect(verdictWords(out[0]!.v, 'en').summary).toContain(`and ${500 - PORT_EXAMPLES} more`);
  });
});

describe('the evidence of a host told once', () => {
  const pair = (syn: number, rst: number): Verdict['evidence'] => [
    { frame: syn, time: null, kind: 'syn', args: { retransmission: 0 } },
    { frame: rst, time: null, kind: 'rst_to_syn', args: {} },
  ];
  it('keeps each port\'s SYN with its RST, in frame order, each packet with its port', () => {
    const a = v('tcp.refused', '203.0.113.5', 80, { frame: 10 });
    a.v.evidence = pair(10, 30);
    const b = v('tcp.refused', '203.0.113.5', 443, { frame: 20 });
    b.v.evidence = pair(20, 31);
    const m = mergePorts([a, b])[0]!.v;
    expect(m.evidence.map((e) => [e.frame, e.kind, e.port])).toEqual([[10, 'syn', 80], [20, 'syn', 443], [30, 'rst_to_syn', 80], [31, 'rst_to_syn', 443]]);
    expect(m.details['ports']).toEqual({ count: 2, examples: [80, 443], first: 80 });
  });
  it('a port bucket (overflow.ts) shows one port: the ports left out are counted with its others', () => {
    const a = v('tcp.refused', '203.0.113.5', 80, { frame: 10 });
    a.v.evidence = pair(10, 11);
    const b = v('tcp.refused', '203.0.113.5', 0, { frame: 20 });
    b.v.target.port = null;
    b.v.facts = { port: 1000 };
    b.v.details = { ports: { count: 5, examples: [1000, 1001, 1002, 1003, 1004], withEvidence: 1 } };
    b.v.evidence = pair(20, 21);
    const m = mergePorts([a, b])[0]!.v;
    expect(m.details['ports']).toEqual({ count: 6, examples: [80, 1000, 1001, 1002, 1003, 1004], withEvidence: 2, first: 80 });
    // The bucket knows its ports, each at least one connection: a lower bound, said so.
    expect([m.details['connections'], m.details['connectionsAtLeast']]).toEqual([6, true]);
    expect(m.evidence.map((e) => [e.frame, e.port])).toEqual([[10, 80], [11, 80], [20, 1000], [21, 1000]]);
    expect(verdictWords(m, 'en').explanation).toContain('The evidence shows the packets of 2 of these ports; the other 4 are left out.');
    expect(verdictWords(m, 'en').notes[2]).toBe('port 1000: SYN');
  });
});

describe('a dual-stack host', () => {
  const item = (story: string | null, client: string) => ({ story, client });
  it('pairs the only IPv4 client with the only IPv6 client of a story', () => {
    const a = item('www', '2001:db8:2::10');
    const b = item('www', '192.0.2.10');
    expect(dualStackPairs([a, b], (x) => x.story, (x) => x.client)).toEqual([[a, b]]);
  });
  it('pairs nothing when a family has several clients, or one family only', () => {
    const list = [item('www', '2001:db8:2::10'), item('www', '192.0.2.10'), item('www', '192.0.2.11'), item('api', '192.0.2.10'), item('api', '192.0.2.12'), item(null, '192.0.2.10')];
    expect(dualStackPairs(list, (x) => x.story, (x) => x.client)).toEqual([]);
  });
});
