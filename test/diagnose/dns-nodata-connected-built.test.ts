/**
 * An address type answered NODATA while the same client connected to the name by its own name
 * (the TLS SNI, the HTTP Host): it had an address, from a cache or a hosts file (a caching stub
 * such as systemd-resolved answers the A itself and forwards only the AAAA) or the other type. The
 * NODATA read as a dns.no_address failure beside a connection that worked. Built packet by packet
 * through the whole pipeline, with the cases that must stay failures.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { Capture, TcpConversation, ethIp, udpIp, dnsMessage, LINKTYPE, handshakeRecord, clientHello, serverHello, applicationData, TLS_VERSION, ascii } from '../helpers/index.js';

const T0 = 1_700_000_000;
const DNS = '198.51.100.53';
const NAME = 'www.example.com';

/** An AAAA query of NAME answered NODATA for `asker`, then `conn` connects to 203.0.113.5. */
async function run(o: { asker?: string; conn?: string; how: 'sni' | 'host' | 'none'; nx?: boolean }): Promise<Report> {
  const asker = o.asker ?? '192.0.2.10';
  const conn = o.conn ?? asker;
  const cap = new Capture();
  cap.add(T0, ethIp(udpIp({ src: asker, dst: DNS, sport: 40001, dport: 53 }, dnsMessage({ id: 1, qr: false, rd: true, questions: [{ name: NAME, type: 'AAAA' }] }))));
  cap.add(T0 + 0.02, ethIp(udpIp({ src: DNS, dst: asker, sport: 53, dport: 40001 }, dnsMessage({ id: 1, qr: true, rd: true, ra: true, rcode: o.nx ? 3 : 0, questions: [{ name: NAME, type: 'AAAA' }], answers: [] }))));
  const c = new TcpConversation({ client: [conn, 41000], server: ['203.0.113.5', o.how === 'host' ? 80 : 443], start: T0 + 0.05 });
  c.syn();
  c.synAck();
  c.ack('client');
  if (o.how === 'host') {
    c.send('client', ascii(`GET / HTTP/1.1\r\nHost: ${NAME}\r\n\r\n`));
    c.send('server', ascii('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  } else {
    c.send('client', handshakeRecord([clientHello({ ciphers: [0xc02f], ...(o.how === 'sni' ? { sni: NAME } : {}) })], TLS_VERSION.TLS10));
    c.send('server', handshakeRecord([serverHello({ cipher: 0xc02f })]));
    c.send('client', applicationData(100));
    c.send('server', applicationData(300));
  }
  c.ack('client');
  c.fin('client');
  c.fin('server');
  c.ack('client');
  cap.addAll(c.frames);
  cap.add(T0 + 10, ethIp(udpIp({ src: '192.0.2.99', dst: '198.51.100.99', sport: 45000, dport: 9 }, new Uint8Array(4))));
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

const errors = (r: Report) => r.verdicts.filter((v) => v.severity === 'error').map((v) => `${v.cause} ${v.target.name ?? v.target.ip}`);

describe('an AAAA NODATA beside a connection of the same client to the same name', () => {
  it('the client connected by the name (SNI, Host): no dns.no_address, the connection tells the name', async () => {
    for (const how of ['sni', 'host'] as const) {
      const r = await run({ how });
      expect(errors(r), how).toEqual([]);
      expect(r.verdicts.filter((v) => v.target.name === NAME).map((v) => v.cause), how).toEqual(['ok']);
    }
  });

  it('still a failure: a connection without the name (no SNI), another client\'s connection, an NXDOMAIN', async () => {
    expect(errors(await run({ how: 'none' }))).toEqual([`dns.no_address ${NAME}`]);
    expect(errors(await run({ how: 'sni', conn: '192.0.2.20' }))).toEqual([`dns.no_address ${NAME}`]);
    expect(errors(await run({ how: 'sni', nx: true }))).toEqual([`dns.nxdomain ${NAME}`]);
  });
});

/** Each of `as` asks A of NAME (answered 203.0.113.5), then `b` asks AAAA of NAME (answered NODATA), each over its own address family. */
async function twoClients(as: string[], b: string): Promise<Report> {
  const cap = new Capture();
  const dnsOf = (ip: string): string => (ip.includes(':') ? '2001:db8:53::53' : DNS);
  as.forEach((a, i) => {
    cap.add(T0 + i * 0.1, ethIp(udpIp({ src: a, dst: dnsOf(a), sport: 40001, dport: 53 }, dnsMessage({ id: 1, rd: true, questions: [{ name: NAME, type: 'A' }] }))));
    cap.add(T0 + i * 0.1 + 0.02, ethIp(udpIp({ src: dnsOf(a), dst: a, sport: 53, dport: 40001 }, dnsMessage({ id: 1, qr: true, rd: true, ra: true, questions: [{ name: NAME, type: 'A' }], answers: [{ name: NAME, type: 'A', data: '203.0.113.5' }] }))));
  });
  cap.add(T0 + 1, ethIp(udpIp({ src: b, dst: dnsOf(b), sport: 40002, dport: 53 }, dnsMessage({ id: 2, rd: true, questions: [{ name: NAME, type: 'AAAA' }] }))));
  cap.add(T0 + 1.02, ethIp(udpIp({ src: dnsOf(b), dst: b, sport: 53, dport: 40002 }, dnsMessage({ id: 2, qr: true, rd: true, ra: true, questions: [{ name: NAME, type: 'AAAA' }], answers: [] }))));
  cap.add(T0 + 10, ethIp(udpIp({ src: '192.0.2.99', dst: '198.51.100.99', sport: 45000, dport: 9 }, new Uint8Array(4))));
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

describe('an AAAA NODATA for a name another query of the capture resolved', () => {
  it('asked over IPv4 (the client reaches IPv4; the name has an A record): no dns.no_address', async () => {
    expect(errors(await twoClients(['192.0.2.10'], '192.0.2.11'))).toEqual([]);
  });

  it('still a failure: asked over IPv6 (an IPv6-only client may have nothing to connect to), or with no resolution of the name anywhere', async () => {
    // (Two IPv4 clients: with one, the IPv6 asker would be taken for its other address, dual-stack.ts.)
    expect(errors(await twoClients(['192.0.2.10', '192.0.2.12'], '2001:db8::11'))).toEqual([`dns.no_address ${NAME}`]);
    expect(errors(await twoClients([], '192.0.2.11'))).toEqual([`dns.no_address ${NAME}`]);
  });
});
