/**
 * icmp.echo_unanswered built packet by packet through the whole pipeline: pings that got no reply,
 * in a capture that shows the client receiving other traffic, told as a warning (many hosts drop
 * ping); and every case that must not be called so.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { Capture, ICMP, LINKTYPE, TcpConversation, dnsMessage, ethIp, icmpIp, quote, udpIp } from '../helpers/index.js';

const T0 = 1_700_000_000;
const CLIENT = '192.0.2.10';
const HOST = '203.0.113.60';

interface Shape {
  pings?: number;
  replied?: boolean;
  heard?: boolean;
  /** The client also connects to the host over TCP, answered. */
  tcp?: boolean;
  /** A router answers the first ping with host unreachable. */
  unreachable?: boolean;
  host?: string;
}

async function run(o: Shape = {}): Promise<Report> {
  const host = o.host ?? HOST;
  const cap = new Capture();
  if (o.heard ?? true) {
    cap.add(T0, ethIp(udpIp({ src: CLIENT, dst: '198.51.100.53', sport: 40001, dport: 53 }, dnsMessage({ id: 1, rd: true, questions: [{ name: 'www.example.com', type: 'A' }] }))));
    cap.add(T0 + 0.02, ethIp(udpIp({ src: '198.51.100.53', dst: CLIENT, sport: 53, dport: 40001 }, dnsMessage({ id: 1, qr: true, rd: true, ra: true, questions: [{ name: 'www.example.com', type: 'A' }], answers: [{ name: 'www.example.com', type: 'A', data: '203.0.113.5' }] }))));
  }
  const n = o.pings ?? 4;
  for (let i = 0; i < n; i++) {
    const echo = icmpIp({ src: CLIENT, dst: host, type: ICMP.ECHO_REQUEST, code: 0, rest: (0x1234 << 16) | (i + 1) }, new Uint8Array(56));
    cap.add(T0 + 1 + i, ethIp(echo));
    if (o.replied) cap.add(T0 + 1 + i + 0.01, ethIp(icmpIp({ src: host, dst: CLIENT, type: ICMP.ECHO_REPLY, code: 0, rest: (0x1234 << 16) | (i + 1) }, new Uint8Array(56))));
    if (o.unreachable && i === 0) cap.add(T0 + 1.01, ethIp(icmpIp({ src: '192.0.2.1', dst: CLIENT, type: ICMP.DEST_UNREACH, code: ICMP.HOST_UNREACH }, quote(echo))));
  }
  if (o.tcp) {
    const c = new TcpConversation({ client: [CLIENT, 41000], server: [host, 22], start: T0 + 10 });
    c.syn();
    c.synAck();
    c.ack('client');
    c.fin('client');
    c.fin('server');
    c.ack('client');
    cap.addAll(c.frames);
  }
  cap.add(T0 + 30, ethIp(udpIp({ src: '192.0.2.99', dst: '198.51.100.99', sport: 45000, dport: 9 }, new Uint8Array(4))));
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), {});
}

const causes = (r: Report): string[] => r.verdicts.map((v) => `${v.cause}|${v.severity}|${v.target.ip}`);

describe('icmp.echo_unanswered', () => {
  it('four pings, no reply, the client heard elsewhere: a warning (not a failure), first and last ping as evidence', async () => {
    const r = await run();
    expect(causes(r)).toEqual([`icmp.echo_unanswered|warning|${HOST}`]);
    expect(r.verdicts[0]!.details).toMatchObject({ requests: 4, seconds: 3 });
    expect(r.verdicts[0]!.evidence.map((e) => e.kind)).toEqual(['echo_request', 'echo_request']);
  });

  it('not claimed: replies, one ping, a capture that never shows the client receiving, a host that answered TCP (ICMP filtered, host up), a broadcast', async () => {
    expect(causes(await run({ replied: true }))).toEqual([]);
    expect(causes(await run({ pings: 1 }))).toEqual([]);
    expect(causes(await run({ heard: false }))).toEqual([]);
    expect(causes(await run({ tcp: true }))).toEqual([]);
    expect(causes(await run({ host: '192.0.2.255' }))).toEqual([]);
  });

  it('an ICMP error about the pings is told by the ICMP rules, not as an unanswered ping', async () => {
    const r = await run({ unreachable: true });
    expect(r.verdicts.map((v) => v.cause)).not.toContain('icmp.echo_unanswered');
  });
});
