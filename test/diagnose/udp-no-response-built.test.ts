/**
 * udp.no_response built packet by packet through the whole pipeline: a UDP request/response
 * service (NTP, SNMP, RADIUS, ...) the client asked again and again without an answer, in a
 * capture that shows the client receiving other traffic; and every case that must not be called so.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { renderReport } from '../../src/report/render.js';
import { REQUEST_SERVICES } from '../../src/track/udp.js';
import { Capture, ICMP, LINKTYPE, dnsMessage, ethIp, icmpIp, quote, udpIp } from '../helpers/index.js';

const T0 = 1_700_000_000;
const CLIENT = '192.0.2.10';
const SERVER = '203.0.113.50';

/** An NTP request (48 bytes, LI 0, version 4) of `mode` (3: client). */
const ntp = (mode: number): Uint8Array => {
  const b = new Uint8Array(48);
  b[0] = (4 << 3) | mode;
  return b;
};

interface Shape {
  port?: number;
  requests?: number;
  payload?: Uint8Array;
  /** The server answers the last request. */
  answered?: boolean;
  /** The capture shows the client receiving a DNS answer. */
  heard?: boolean;
  /** Each request differs from the others (new ids or timestamps), none sent again as it was. */
  distinct?: boolean;
  /** Each request from a source port of its own (chrony's way). */
  portPerRequest?: boolean;
  /** An ICMP port unreachable answers the first request. */
  icmp?: boolean;
}

async function run(o: Shape = {}): Promise<Report> {
  const port = o.port ?? 123;
  const sport = port === 123 ? 123 : 40123;
  const payload = o.payload ?? (port === 123 ? ntp(3) : new Uint8Array(40));
  const cap = new Capture();
  if (o.heard ?? true) {
    cap.add(T0, ethIp(udpIp({ src: CLIENT, dst: '198.51.100.53', sport: 40001, dport: 53 }, dnsMessage({ id: 1, rd: true, questions: [{ name: 'www.example.com', type: 'A' }] }))));
    cap.add(T0 + 0.02, ethIp(udpIp({ src: '198.51.100.53', dst: CLIENT, sport: 53, dport: 40001 }, dnsMessage({ id: 1, qr: true, rd: true, ra: true, questions: [{ name: 'www.example.com', type: 'A' }], answers: [{ name: 'www.example.com', type: 'A', data: '203.0.113.5' }] }))));
  }
  const n = o.requests ?? 4;
  const sportOf = (i: number): number => (o.portPerRequest ? 50000 + i : sport);
  for (let i = 0; i < n; i++) {
    const b = payload.slice();
    if (o.distinct) b[b.length - 1] = i + 1;
    const dgram = udpIp({ src: CLIENT, dst: SERVER, sport: sportOf(i), dport: port }, b);
    cap.add(T0 + 1 + i * 2, ethIp(dgram));
    if (o.icmp && i === 0) cap.add(T0 + 1.01, ethIp(icmpIp({ src: SERVER, dst: CLIENT, type: ICMP.DEST_UNREACH, code: ICMP.PORT_UNREACH }, quote(dgram))));
  }
  if (o.answered) cap.add(T0 + 1 + (n - 1) * 2 + 0.03, ethIp(udpIp({ src: SERVER, dst: CLIENT, sport: port, dport: sportOf(n - 1) }, port === 123 ? ntp(4) : new Uint8Array(40))));
  cap.add(T0 + 30, ethIp(udpIp({ src: '192.0.2.99', dst: '198.51.100.99', sport: 45000, dport: 9 }, new Uint8Array(4))));
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), {});
}

const causes = (r: Report): string[] => r.verdicts.map((v) => `${v.cause}|${v.severity}|${v.target.ip}:${v.target.port}`);

describe('udp.no_response', () => {
  it('NTP: four client requests, no answer, the client heard elsewhere: a failure, with the first and last request', async () => {
    const r = await run({ distinct: true });
    expect(causes(r)).toEqual([`udp.no_response|error|${SERVER}:123`]);
    const v = r.verdicts[0]!;
    expect(v.layer).toBe('udp');
    expect(v.details).toMatchObject({ service: 'NTP', requests: 4, seconds: 6 });
    expect(v.evidence.map((e) => e.frame)).toEqual([3, 6]);
    const j = JSON.parse(renderReport(r, 'json', { lang: 'en' })) as { verdicts: Array<{ summary: string }> };
    expect(j.verdicts[0]!.summary).toBe(`${SERVER}:123: the NTP server never answered (4 requests over 6 s)`);
  });

  it('chrony\'s way, each request from a source port of its own: taken together, a failure; an answer to any of them, or an ICMP error, and it is not', async () => {
    const r = await run({ distinct: true, portPerRequest: true });
    expect(causes(r)).toEqual([`udp.no_response|error|${SERVER}:123`]);
    expect(r.verdicts[0]!.details).toMatchObject({ requests: 4, flows: 4 });
    expect(causes(await run({ distinct: true, portPerRequest: true, answered: true }))).toEqual([]);
    expect(causes(await run({ distinct: true, portPerRequest: true, icmp: true })).filter((c) => c.startsWith('udp.'))).toEqual([]);
  });

  it('SNMP and RADIUS alike; the services named', async () => {
    expect((await run({ port: 161 })).verdicts[0]!.details['service']).toBe('SNMP');
    expect((await run({ port: 1812 })).verdicts[0]!.details['service']).toBe('RADIUS');
  });

  it('not claimed: one request (nothing shows it waited), an answer, a capture that never shows the client receiving, NTP not a client request, other ports (TFTP answers from another port; syslog expects nothing)', async () => {
    expect(causes(await run({ requests: 1 }))).toEqual([]);
    // Two different requests, each sent once: nothing shows the client waited for the first.
    expect(causes(await run({ port: 1812, requests: 2, distinct: true }))).toEqual([]);
    expect(causes(await run({ requests: 2, distinct: true }))).toEqual([]);
    // The same datagram sent again (a retransmission): it waited.
    expect(causes(await run({ port: 1812, requests: 2 }))).toEqual([`udp.no_response|error|${SERVER}:1812`]);
    expect(causes(await run({ answered: true }))).toEqual([]);
    expect(causes(await run({ heard: false }))).toEqual([]);
    expect(causes(await run({ payload: ntp(1) }))).toEqual([]);
    expect(causes(await run({ port: 69 }))).toEqual([]);
    expect(causes(await run({ port: 514 }))).toEqual([]);
  });

  it('the tracker watches exactly the ports the cause names', async () => {
    for (const port of REQUEST_SERVICES.keys()) {
      const r = await run({ port, payload: port === 123 ? ntp(3) : new Uint8Array(40) });
      expect(r.verdicts.map((v) => v.cause), String(port)).toEqual(['udp.no_response']);
    }
    expect(causes(await run({ port: 4500 }))).toEqual([]);
  });
});
