/**
 * An unanswered SYN or lookup in a capture whose every packet goes one way (nothing sent to the
 * client nor to anyone else who asked): the verdict stands, with the limit nothing_toward_client
 * (a capture of outgoing packets only would look the same); not when anything came back to anyone
 * (an answer, a reply, an ICMP error alone) — a dual-stack client answered on its other address
 * shows the capture holds the way back. A SYN or a query the client sent once and never again, in
 * such a capture, shows no waiting either: a warning (details.sentOnce), not a failure (tcpdump's
 * scps_invalid.pcap, Zeek's ticks-dns.pcap: stray packets).
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { Capture, ICMP, LINKTYPE, dnsMessage, ethIp, icmpIp, quote, tcpIp, udpIp } from '../helpers/index.js';

const T0 = 1_700_000_000;
const CLIENT = '192.0.2.10';
const RESOLVER = '198.51.100.53';

interface Shape {
  /** Another lookup, answered: of the client's, or of another address of its (dual stack). */
  answered?: boolean;
  answeredTo?: string;
  /** A router's ICMP error alone to the client (the packet it quotes not in the capture). */
  icmpAlone?: boolean;
  /** The SYN and the query sent once only (the capture goes on long past their retry time). */
  once?: boolean;
}

async function run(o: Shape = {}): Promise<Report> {
  const cap = new Capture();
  for (const dt of o.once ? [0] : [0, 2, 4]) {
    cap.add(T0 + dt, ethIp(udpIp({ src: CLIENT, dst: RESOLVER, sport: 40100, dport: 53 }, dnsMessage({ id: 7, rd: true, questions: [{ name: 'silent.example.com', type: 'A' }] }))));
  }
  for (const dt of o.once ? [10] : [10, 11, 13]) cap.add(T0 + dt, ethIp(tcpIp({ src: CLIENT, dst: '203.0.113.11', sport: 42000, dport: 443, seq: 5555, flags: 'S' })));
  if (o.answered) {
    const to = o.answeredTo ?? CLIENT;
    cap.add(T0 + 20, ethIp(udpIp({ src: to, dst: RESOLVER, sport: 40101, dport: 53 }, dnsMessage({ id: 8, rd: true, questions: [{ name: 'www.example.com', type: 'A' }] }))));
    cap.add(T0 + 20.02, ethIp(udpIp({ src: RESOLVER, dst: to, sport: 53, dport: 40101 }, dnsMessage({ id: 8, qr: true, rd: true, ra: true, questions: [{ name: 'www.example.com', type: 'A' }], answers: [{ name: 'www.example.com', type: 'A', data: '203.0.113.5' }] }))));
  }
  if (o.icmpAlone) {
    const lost = udpIp({ src: CLIENT, dst: '203.0.113.77', sport: 43000, dport: 5000 }, new Uint8Array(8));
    cap.add(T0 + 21, ethIp(icmpIp({ src: '192.0.2.1', dst: CLIENT, type: ICMP.DEST_UNREACH, code: ICMP.HOST_UNREACH }, quote(lost))));
  }
  cap.add(T0 + 60, ethIp(udpIp({ src: CLIENT, dst: '198.51.100.99', sport: 45000, dport: 9 }, new Uint8Array(4))));
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), {});
}

const silences = (r: Report): Array<[string, string, boolean]> => r.verdicts
  .filter((v) => v.cause === 'tcp.syn_unanswered' || v.cause === 'dns.no_response')
  .map((v) => [v.cause, v.severity, v.limits.some((l) => l.kind === 'nothing_toward_client') && v.details['nothingTowardClient'] === true]);

describe('silences of a client the capture holds nothing toward', () => {
  it('only the client\'s own packets: the SYN and the lookup stay failures, and say what they rest on', async () => {
    expect(silences(await run())).toEqual([['dns.no_response', 'error', true], ['tcp.syn_unanswered', 'error', true]]);
  });

  it('an answer to another lookup (of the client or of another host), or an ICMP error alone to it: no such limit', async () => {
    expect(silences(await run({ answered: true }))).toEqual([['dns.no_response', 'error', false], ['tcp.syn_unanswered', 'error', false]]);
    expect(silences(await run({ answered: true, answeredTo: '192.0.2.20' }))).toEqual([['dns.no_response', 'error', false], ['tcp.syn_unanswered', 'error', false]]);
    expect(silences(await run({ icmpAlone: true }))).toEqual([['dns.no_response', 'error', false], ['tcp.syn_unanswered', 'error', false]]);
  });

  it('sent once and never again: a warning that says nothing shows it went unanswered; where answers show, still a failure', async () => {
    const r = await run({ once: true });
    const got = r.verdicts.filter((v) => v.cause === 'tcp.syn_unanswered' || v.cause === 'dns.no_response');
    expect(got.map((v) => [v.cause, v.severity, v.details['sentOnce'], v.details['nothingTowardClient']])).toEqual([
      ['dns.no_response', 'warning', true, true], ['tcp.syn_unanswered', 'warning', true, true],
    ]);
    // The words say what the limit would: it is not repeated.
    for (const v of got) expect(v.limits.some((l) => l.kind === 'nothing_toward_client')).toBe(false);
    const [dns, syn] = got;
    expect(verdictWords(syn!, 'en').summary).toBe('203.0.113.11:443: a lone SYN, never sent again, with no reply seen; nothing in the capture answers anything');
    expect(verdictWords(syn!, 'en').explanation).toContain('went on for 50 s');
    expect(verdictWords(dns!, 'en').summary).toBe('silent.example.com: one query to 198.51.100.53, never sent again, with no answer seen; nothing in the capture answers anything');
    expect(verdictWords(dns!, 'zh').summary).toContain('只查询了一次');
    expect(r.summary.failures).toBe(0);
    // Answers elsewhere in the capture: the way back is in it, and the silence is a failure.
    expect(silences(await run({ once: true, answered: true }))).toEqual([['dns.no_response', 'error', false], ['tcp.syn_unanswered', 'error', false]]);
  });
});

describe('queries of other types are no retries', () => {
  /** Outgoing packets only: queries for silent.example.com at `asks` ([seconds, type]), each a transaction of its own; the capture ends at `end`. */
  async function asking(asks: Array<[number, string]>, end = 60): Promise<Report> {
    const cap = new Capture();
    asks.forEach(([dt, type], i) => {
      cap.add(T0 + dt, ethIp(udpIp({ src: CLIENT, dst: RESOLVER, sport: 40200 + i, dport: 53 }, dnsMessage({ id: 100 + i, rd: true, questions: [{ name: 'silent.example.com', type }] }))));
    });
    cap.add(T0 + end, ethIp(udpIp({ src: CLIENT, dst: '198.51.100.99', sport: 45000, dport: 9 }, new Uint8Array(4))));
    async function* one(): AsyncIterable<Uint8Array> {
      yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
    }
    return analyze(await openStream(one(), { name: 'built.pcap' }), {});
  }
  const lookup = (r: Report) => r.verdicts.find((v) => v.target.name === 'silent.example.com')!;

  it('an A, an AAAA and an MX, each asked once: nothing shows the client waited, a warning', async () => {
    const v = lookup(await asking([[0, 'A'], [1, 'AAAA'], [3, 'MX']]));
    expect([v.cause, v.severity, v.details['sentOnce']]).toEqual(['dns.no_response', 'warning', true]);
    expect(verdictWords(v, 'en').summary).toContain('none asked again');
  });

  it('the A asked again 2 s later (a resolver\'s retry): the failure stands', async () => {
    const v = lookup(await asking([[0, 'A'], [1, 'AAAA'], [2, 'A']]));
    expect([v.cause, v.severity]).toEqual(['dns.no_response', 'error']);
  });

  it('the A asked again 40 s later (a new lookup, not a retry): still no wait shown, a warning', async () => {
    const v = lookup(await asking([[0, 'A'], [40, 'A']]));
    expect([v.cause, v.severity, v.details['sentOnce']]).toEqual(['dns.no_response', 'warning', true]);
  });

  it('an A and an AAAA a second apart, the capture ending 2 s after the first: too soon to tell', async () => {
    const v = lookup(await asking([[0, 'A'], [1, 'AAAA']], 2));
    expect([v.cause, v.severity]).toEqual(['capture.ended_early', 'warning']);
  });
});
