/** The top-level tracker: ICMP errors attached to the flow they quote; streams routed by content. */
import { describe, expect, it } from 'vitest';
import { ethIp, icmpIp, quote, tcpIp, udpIp, ICMP, ICMPV6, dnsMessage, clientHello, handshakeRecord, httpRequest } from '../helpers/build.js';
import { TcpConversation } from '../helpers/conversation.js';
import { trackFrames } from '../helpers/track.js';

const run = trackFrames;

describe('ICMP errors attach to the flow they quote', () => {
  for (const [fam, client, server, router] of [
    ['IPv4', '192.0.2.10', '203.0.113.5', '198.51.100.1'],
    ['IPv6', '2001:db8::10', '2001:db8:2::5', '2001:db8:1::1'],
  ] as const) {
    it(`TCP SYN answered by admin-prohibited (${fam})`, () => {
      const syn = tcpIp({ src: client, dst: server, sport: 40000, dport: 443, seq: 1000, flags: 'S' });
      const v6 = fam === 'IPv6';
      const err = icmpIp(
        v6
          ? { src: router, dst: client, type: ICMPV6.DEST_UNREACH, code: ICMPV6.ADMIN_PROHIBITED }
          : { src: router, dst: client, type: ICMP.DEST_UNREACH, code: ICMP.ADMIN_PROHIBITED },
        quote(syn),
      );
      const { done, tr } = run([{ ts: 1, frame: ethIp(syn) }, { ts: 1.001, frame: ethIp(err) }]);
      expect(done).toHaveLength(1);
      expect(done[0]!.conn.transport).toBe('tcp');
      expect(done[0]!.icmp.map((e) => [e.frame, e.from, e.type, e.code, e.quoted?.dport])).toEqual([[2, router, v6 ? 1 : 3, v6 ? 1 : 13, 443]]);
      expect(tr.icmp.errors).toHaveLength(1);
    });

    it(`UDP to a closed port (${fam})`, () => {
      const q = udpIp({ src: client, dst: server, sport: 50000, dport: 5353 + 1 }, new Uint8Array(20));
      const v6 = fam === 'IPv6';
      const err = icmpIp(
        v6 ? { src: server, dst: client, type: ICMPV6.DEST_UNREACH, code: ICMPV6.PORT_UNREACH } : { src: server, dst: client, type: ICMP.DEST_UNREACH, code: ICMP.PORT_UNREACH },
        quote(q),
      );
      const { done } = run([{ ts: 5, frame: ethIp(q) }, { ts: 5.0002, frame: ethIp(err) }]);
      const udp = done.find((d) => d.conn.transport === 'udp')!;
      expect(udp.icmp.map((e) => [e.from, e.quoted?.sport, e.quoted?.dport])).toEqual([[server, 50000, 5354]]);
    });
  }
});

describe('ICMP errors beyond the listed ones', () => {
  it('still attach to the flow they quote, as themselves (not as the last listed error)', () => {
    const client = '192.0.2.10';
    const frames: Array<{ ts: number; frame: Uint8Array }> = [];
    // 10,000 errors quoting a flow that was never seen fill the list of ICMP records.
    const stray = udpIp({ src: client, dst: '203.0.113.99', sport: 40000, dport: 7 }, new Uint8Array(8));
    const strayErr = ethIp(icmpIp({ src: '198.51.100.1', dst: client, type: ICMP.DEST_UNREACH, code: ICMP.HOST_UNREACH }, quote(stray)));
    for (let i = 0; i < 10_000; i++) frames.push({ ts: 1 + i * 1e-4, frame: strayErr });
    const q = udpIp({ src: client, dst: '203.0.113.5', sport: 50000, dport: 9999 }, new Uint8Array(20));
    frames.push({ ts: 3, frame: ethIp(q) });
    frames.push({ ts: 3.001, frame: ethIp(icmpIp({ src: '203.0.113.5', dst: client, type: ICMP.DEST_UNREACH, code: ICMP.PORT_UNREACH }, quote(q))) });
    const { done, tr } = run(frames);
    expect(tr.icmp.errors).toHaveLength(10_000);
    expect(tr.icmp.dropped).toBe(1);
    const udp = done.find((d) => d.conn.transport === 'udp' && d.conn.resp.port === 9999)!;
    expect(udp.icmp.map((e) => [e.frame, e.from, e.code])).toEqual([[10_002, '203.0.113.5', ICMP.PORT_UNREACH]]);
  });
});

describe('streams are routed by content', () => {
  it('TLS on a non-standard port, HTTP, and DNS over UDP', () => {
    const tls = new TcpConversation({ client: ['192.0.2.10', 41000], server: ['203.0.113.5', 8443] });
    tls.syn();
    tls.synAck();
    tls.ack('client');
    tls.send('client', handshakeRecord([clientHello({ ciphers: [0x1301], sni: 'odd-port.example.com', supportedVersions: [0x0304] })], 0x0301));
    const web = new TcpConversation({ client: ['192.0.2.10', 41001], server: ['203.0.113.6', 8080], start: 2 });
    web.syn();
    web.synAck();
    web.ack('client');
    web.send('client', httpRequest({ method: 'GET', target: '/health', host: 'api.example.com' }));
    const dnsQ = udpIp({ src: '192.0.2.10', dst: '198.51.100.53', sport: 33333, dport: 53 }, dnsMessage({ id: 5, questions: [{ name: 'api.example.com', type: 'A' }] }));
    const dnsR = udpIp({ src: '198.51.100.53', dst: '192.0.2.10', sport: 53, dport: 33333 }, dnsMessage({ id: 5, qr: true, questions: [{ name: 'api.example.com', type: 'A' }], answers: [{ name: 'api.example.com', type: 'A', data: '203.0.113.6' }] }));
    const frames = [{ ts: 0.5, frame: ethIp(dnsQ) }, { ts: 0.51, frame: ethIp(dnsR) }, ...tls.frames, ...web.frames].sort((a, b) => a.ts - b.ts);
    const { done, tr } = run(frames);
    const t = done.find((d) => d.conn.resp.port === 8443)!;
    expect(t.tls?.clientHello?.sni).toBe('odd-port.example.com');
    const h = done.find((d) => d.conn.resp.port === 8080)!;
    expect(h.http?.exchanges.map((e) => [e.method, e.target, e.host, e.status])).toEqual([['GET', '/health', 'api.example.com', null]]);
    expect(tr.names.name('203.0.113.6')).toBe('api.example.com');
    expect(tr.dns.all().map((x) => [x.query, x.rcode, x.responseFrame])).toEqual([['api.example.com', 0, 2]]);
  });
});
