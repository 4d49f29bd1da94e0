/**
 * A lookup the client gave up on, of a name its other lookups resolved: dns.no_response as a
 * warning of its own (facts.intermittent), where before the name's other answers hid it. Built
 * packet by packet through the whole pipeline, with every case that must not be called so: a
 * query answered at its second try, one sent once, a parallel query of another type answered, an
 * answer from the next server in the client's list, a capture that stopped during the wait. And a
 * lone FIN sent again after its connection ended does not make the capture "miss packets toward
 * the client" (which turned the client's unanswered lookups into warnings).
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { Capture, LINKTYPE, TcpConversation, dnsMessage, ethIp, udpIp } from '../helpers/index.js';

const T0 = 1_700_000_000;
const CLIENT = '192.0.2.10';
const RESOLVER = '198.51.100.53';
const SECOND = '198.51.100.54';
const NAME = 'files.example.com';

class Lookups {
  readonly cap = new Capture();
  private port = 40000;
  private id = 100;

  /** A query of `type` sent at each of `times` (one transaction: same port and id), answered at `answerAt` (null: never). */
  lookup(times: number[], answerAt: number | null, o: { type?: string; server?: string; name?: string; address?: string | null; port?: number } = {}): number {
    const port = o.port ?? this.port++;
    const id = this.id++;
    const server = o.server ?? RESOLVER;
    const questions = [{ name: o.name ?? NAME, type: o.type ?? 'A' }];
    for (const t of times) this.cap.add(T0 + t, ethIp(udpIp({ src: CLIENT, dst: server, sport: port, dport: 53 }, dnsMessage({ id, rd: true, questions }))));
    if (answerAt === null) return port;
    const address = o.address === undefined ? '203.0.113.10' : o.address;
    const answers = address === null ? [] : [{ name: o.name ?? NAME, type: o.type ?? 'A', data: address }];
    this.cap.add(T0 + answerAt, ethIp(udpIp({ src: server, dst: CLIENT, sport: 53, dport: port }, dnsMessage({ id, qr: true, rd: true, ra: true, questions, answers }))));
    return port;
  }

  /** Other traffic of the client up to `t` (the capture goes on). */
  until(t: number): void {
    this.cap.add(T0 + t, ethIp(udpIp({ src: CLIENT, dst: '198.51.100.99', sport: 45000, dport: 9 }, new Uint8Array(4))));
  }

  async run(): Promise<Report> {
    const bytes = this.cap.pcap({ linkType: LINKTYPE.ETHERNET });
    async function* one(): AsyncIterable<Uint8Array> {
      yield bytes;
    }
    return analyze(await openStream(one(), { name: 'built.pcap' }), {});
  }
}

const told = (r: Report): string[] => r.verdicts.map((v) => `${v.cause}|${v.severity}|${v.target.name}`);

describe('a lookup given up on, of a name that resolved in other lookups', () => {
  it('three queries without an answer between two answered lookups: a dns.no_response warning, in words of its own', async () => {
    const l = new Lookups();
    l.lookup([0], 0.01);
    l.lookup([2, 4, 6], null);
    l.lookup([9], 9.01);
    l.until(20);
    const r = await l.run();
    expect(told(r)).toEqual([`dns.no_response|warning|${NAME}`]);
    const v = r.verdicts[0]!;
    expect(v.facts['intermittent']).toBe(true);
    expect(v.details['intermittent']).toEqual({ lookupsUnanswered: 1 });
    expect(v.evidence[0]!.frame).toBe(3);
    const en = verdictWords(v, 'en');
    expect(en.summary).toBe(`${NAME}: a lookup got no answer from the DNS server ${RESOLVER} (3 queries over 4 s); other lookups of the name were answered`);
    expect(en.explanation).toContain('Could not resolve host');
    expect(verdictWords(v, 'zh').summary).toContain('对该域名的其他查询均有应答');
    // Not counted as worked as well.
    expect(r.summary.ok).toBe(0);
    expect(r.summary.warnings).toBe(1);
  });

  it('the failed lookup last, after the name resolved: the same warning', async () => {
    const l = new Lookups();
    l.lookup([0], 0.01);
    l.lookup([2, 4, 6], null);
    l.until(20);
    expect(told(await l.run())).toEqual([`dns.no_response|warning|${NAME}`]);
  });

  it('not claimed: a query answered at its second try', async () => {
    const l = new Lookups();
    l.lookup([0], 0.01);
    l.lookup([2, 4], 4.01);
    l.until(20);
    expect(told(await l.run())).toEqual([]);
  });

  it('not claimed: a query sent once (a stub that asks again with another id tells no abandoned lookup by itself)', async () => {
    const l = new Lookups();
    l.lookup([0], 0.01);
    l.lookup([2], null);
    l.until(20);
    expect(told(await l.run())).toEqual([]);
  });

  it('not claimed: the A asked again and again while the AAAA of the same lookup (its socket) was answered with an address', async () => {
    const l = new Lookups();
    l.lookup([0], 0.01);
    const port = l.lookup([2, 4, 6], null);
    l.lookup([2.0001], 2.01, { type: 'AAAA', address: '2001:db8::10', port });
    l.until(20);
    expect(told(await l.run())).toEqual([]);
  });

  it('not claimed: the AAAA answered on the same socket just before the A was first sent (a stub asking one after the other)', async () => {
    const l = new Lookups();
    l.lookup([0], 0.01);
    const port = l.lookup([1.95], 1.99, { type: 'AAAA', address: '2001:db8::10' });
    l.lookup([2, 4, 6], null, { port });
    l.until(20);
    expect(told(await l.run())).toEqual([]);
  });

  it('claimed: the AAAA of the same lookup answered NODATA (no address came to the client)', async () => {
    const l = new Lookups();
    l.lookup([0], 0.01);
    const port = l.lookup([2, 4, 6], null);
    l.lookup([2.0001], 2.01, { type: 'AAAA', address: null, port });
    l.until(20);
    expect(told(await l.run())).toEqual([`dns.no_response|warning|${NAME}`]);
  });

  it('claimed: the previous fetch\'s lookup answered 30 ms before, on a socket of its own (samples/dns-intermittent.pcap\'s shape)', async () => {
    const l = new Lookups();
    l.lookup([0], 0.0002);
    l.lookup([0.03, 2.03], null);
    l.lookup([8], 8.0002);
    l.until(20);
    expect(told(await l.run())).toEqual([`dns.no_response|warning|${NAME}`]);
  });

  it('claimed: another program\'s lookup of the name answered by the same server on another socket while this one waited', async () => {
    const l = new Lookups();
    l.lookup([0], 0.01);
    l.lookup([2, 4, 6], null);
    l.lookup([3], 3.01);
    l.until(20);
    expect(told(await l.run())).toEqual([`dns.no_response|warning|${NAME}`]);
  });

  it('not claimed: the next server in the client\'s list answered after it gave up on the first', async () => {
    const l = new Lookups();
    l.lookup([0], 0.01);
    l.lookup([2, 4], null);
    l.lookup([6], 6.01, { server: SECOND });
    l.until(20);
    expect(told(await l.run())).toEqual([]);
  });

  it('not claimed: the capture stopped while the client waited (capture.ended_early tells it, or nothing)', async () => {
    const l = new Lookups();
    l.lookup([0], 0.01);
    l.lookup([2, 2.5], null);
    const r = await l.run();
    expect(r.verdicts.filter((v) => v.facts['intermittent'] === true)).toEqual([]);
    expect(r.verdicts.filter((v) => v.severity === 'error')).toEqual([]);
  });

  it('a name that never resolved: the error as before (no intermittent words)', async () => {
    const l = new Lookups();
    l.lookup([2, 4, 6], null);
    l.lookup([0], 0.01, { name: 'other.example.com' });
    l.until(20);
    const r = await l.run();
    expect(told(r)).toEqual([`dns.no_response|error|${NAME}`]);
    expect(r.verdicts[0]!.facts['intermittent']).toBeUndefined();
  });

  it('a lone FIN sent again after its connection ended does not make the client\'s unanswered lookups "missed by the capture"', async () => {
    const l = new Lookups();
    l.lookup([0], 0.01, { name: 'other.example.com' });
    l.lookup([2, 4, 6], null);
    // A connection that ended (both FINs), then the client's FIN again 5 s later: the server's
    // ACK of it was lost on the way.
    const c = new TcpConversation({ client: [CLIENT, 41000], server: ['203.0.113.10', 443] });
    c.at(T0 + 0.1);
    c.syn();
    c.synAck();
    c.ack('client');
    const fin = c.nextSeq('client');
    c.fin('server');
    c.fin('client');
    c.wait(5);
    c.fin('client', { seq: fin });
    l.cap.addAll(c.frames);
    l.until(20);
    const r = await l.run();
    const dns = r.verdicts.filter((v) => v.cause === 'dns.no_response');
    expect(dns.map((v) => `${v.severity}|${v.target.name}`)).toEqual([`error|${NAME}`]);
  });
});
