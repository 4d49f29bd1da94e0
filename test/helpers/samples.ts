// One sample of every builder, grouped by link type, for the tshark cross-check.
import {
  ETH_IPV4, ETH_IPV6, ICMP, ICMPV6, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6, LINKTYPE, TLS_ALERT, TLS_CIPHER, TLS_GROUP,
  TLS_VERSION, alert, applicationData, ascii, certificateMsg, changeCipherSpec, clientHello, clientKeyExchangeRsa,
  dnsMessage, dnsOverTcp, encryptedHandshake, ethIp, ethernet, fragmentIpv4, fragmentIpv6, handshakeRecord,
  httpRequest, httpResponse, icmpIp, ipv4, ipv6, nullLoopback, quote, serverHello, serverHelloDone, sll, sll2,
  sslv2ClientHello, tcp, tcpIp, testCertDer, udp, udpIp, filler, concat, dnsName,
} from './index.js';
import { TcpConversation } from './conversation.js';
import type { CaptureRecord } from './pcap.js';

const C4 = '192.0.2.10';
const S4 = '198.51.100.20';
const C6 = '2001:db8::10';
const S6 = '2001:db8:1::20';

export interface Sample {
  name: string;
  frame: Uint8Array;
  linkType: number;
}

export function buildSamples(): Sample[] {
  const out: Sample[] = [];
  const eth = (name: string, ip: Uint8Array, vlans?: number[]) =>
    out.push({ name, frame: ethIp(ip, vlans ? { vlans } : {}), linkType: LINKTYPE.ETHERNET });

  // DNS over UDP: query, compressed answer with CNAME chain, NXDOMAIN with SOA, EDNS.
  const q = dnsMessage({ id: 0x1234, qr: false, rd: true, questions: [{ name: 'www.example.com', type: 'A' }], edns: { udpSize: 1232, do: true } });
  eth('dns-query', udpIp({ src: C4, dst: S4, sport: 53000, dport: 53 }, q));
  const r = dnsMessage({
    id: 0x1234, qr: true, rd: true, ra: true, rcode: 'NOERROR', compress: true,
    questions: [{ name: 'www.example.com', type: 'A' }],
    answers: [
      { name: 'www.example.com', type: 'CNAME', data: 'edge.cdn.example.com' },
      { name: 'edge.cdn.example.com', type: 'A', data: '203.0.113.5' },
      { name: 'edge.cdn.example.com', type: 'TXT', data: 'v=hello ' + 'x'.repeat(300) },
    ],
    edns: { udpSize: 1232 },
  });
  eth('dns-response', udpIp({ src: S4, dst: C4, sport: 53, dport: 53000 }, r));
  const nx = dnsMessage({
    id: 7, qr: true, rd: true, ra: true, rcode: 'NXDOMAIN', questions: [{ name: 'nope.example.com', type: 'AAAA' }],
    authority: [{ name: 'example.com', type: 'SOA', data: concat([dnsName('ns.example.com'), dnsName('admin.example.com'), new Uint8Array(20)]) }],
  });
  eth('dns-nxdomain-v6', udpIp({ src: S6, dst: C6, sport: 53, dport: 53001 }, nx));
  const aaaa = dnsMessage({ id: 8, qr: true, rcode: 0, compress: true, questions: [{ name: 'v6.example.com', type: 'AAAA' }], answers: [{ name: 'v6.example.com', type: 'AAAA', data: '2001:db8::1:2' }] });
  eth('dns-aaaa', udpIp({ src: S6, dst: C6, sport: 53, dport: 53002 }, aaaa));
  // DNS over TCP (two messages in one segment; data only, on a conversation for a clean stream).
  const dconv = new TcpConversation({ client: [C4, 53100], server: [S4, 53] });
  dconv.syn(); dconv.synAck(); dconv.ack('client');
  dconv.send('client', dnsOverTcp([q, dnsMessage({ id: 9, qr: false, questions: [{ name: 'a.example.org', type: 'A' }] })]));
  dconv.send('server', dnsOverTcp([r]));
  for (const f of dconv.frames) out.push({ name: 'dns-tcp', frame: f.frame, linkType: LINKTYPE.ETHERNET });

  // TLS 1.3 and 1.2 handshakes on conversations (tshark reassembles the streams).
  const t13 = new TcpConversation({ client: [C4, 50001], server: [S4, 443], timestamps: true });
  t13.syn(); t13.synAck(); t13.ack('client');
  t13.send('client', handshakeRecord([clientHello({
    ciphers: [TLS_CIPHER.TLS_AES_128_GCM_SHA256, TLS_CIPHER.TLS_AES_256_GCM_SHA384], sni: 'www.example.com', alpn: ['h2', 'http/1.1'],
    supportedVersions: [TLS_VERSION.TLS13, TLS_VERSION.TLS12], keyShareGroups: [TLS_GROUP.x25519], sessionId: filler(32, 2),
  })], TLS_VERSION.TLS10));
  t13.send('server', concat([
    handshakeRecord([serverHello({ cipher: TLS_CIPHER.TLS_AES_128_GCM_SHA256, supportedVersion: TLS_VERSION.TLS13, sessionId: filler(32, 2) })]),
    changeCipherSpec(), applicationData(1000),
  ]));
  t13.send('client', concat([changeCipherSpec(), applicationData(53)]));
  t13.send('client', alert(2, TLS_ALERT.bad_certificate));
  t13.rst('client');
  for (const f of t13.frames) out.push({ name: 'tls13', frame: f.frame, linkType: LINKTYPE.ETHERNET });

  const t12 = new TcpConversation({ client: [C6, 50002], server: [S6, 443] });
  t12.syn(); t12.synAck(); t12.ack('client');
  t12.send('client', handshakeRecord([clientHello({ ciphers: [TLS_CIPHER.TLS_RSA_WITH_AES_128_GCM_SHA256], sni: 'www.example.com' })], TLS_VERSION.TLS10));
  const flight = handshakeRecord([
    serverHello({ cipher: TLS_CIPHER.TLS_RSA_WITH_AES_128_GCM_SHA256, alpn: 'http/1.1' }),
    certificateMsg([testCertDer('valid'), testCertDer('expired')]), serverHelloDone(),
  ]);
  t12.send('server', flight);
  t12.send('client', concat([handshakeRecord([clientKeyExchangeRsa()]), changeCipherSpec(), encryptedHandshake()]));
  t12.send('server', concat([changeCipherSpec(), encryptedHandshake()]));
  t12.send('client', applicationData(200));
  t12.send('server', alert(1, TLS_ALERT.close_notify));
  t12.fin('server'); t12.fin('client'); t12.ack('server');
  for (const f of t12.frames) out.push({ name: 'tls12-v6', frame: f.frame, linkType: LINKTYPE.ETHERNET });

  // HelloRetryRequest and SSLv2 hello, standalone on their own conversations.
  const hrr = new TcpConversation({ client: [C4, 50003], server: [S4, 443] });
  hrr.syn(); hrr.synAck(); hrr.ack('client');
  hrr.send('client', handshakeRecord([clientHello({ ciphers: [0x1301], supportedVersions: [TLS_VERSION.TLS13], keyShareGroups: [TLS_GROUP.x25519], groups: [29, 23] })], TLS_VERSION.TLS10));
  hrr.send('server', handshakeRecord([serverHello({ cipher: 0x1301, supportedVersion: TLS_VERSION.TLS13, helloRetryRequest: true, keyShareGroup: 23 })]));
  for (const f of hrr.frames) out.push({ name: 'tls-hrr', frame: f.frame, linkType: LINKTYPE.ETHERNET });
  const v2 = new TcpConversation({ client: [C4, 50004], server: [S4, 443] });
  v2.syn(); v2.synAck(); v2.ack('client');
  v2.send('client', sslv2ClientHello({ ciphers: [0x010080, 0x002f, 0x0035] }));
  v2.send('server', alert(2, TLS_ALERT.handshake_failure, TLS_VERSION.TLS10));
  for (const f of v2.frames) out.push({ name: 'sslv2-hello', frame: f.frame, linkType: LINKTYPE.ETHERNET });

  // HTTP.
  const h = new TcpConversation({ client: [C4, 50005], server: [S4, 80], link: 'ethernet', vlans: [100] });
  h.syn(); h.synAck(); h.ack('client');
  h.send('client', httpRequest({ method: 'GET', target: '/index.html', host: 'www.example.com', headers: [['User-Agent', 'wirewhy-test']] }));
  h.send('server', httpResponse({ status: 503, headers: [['Retry-After', '5']], body: 'down for maintenance\n' }));
  h.fin('client'); h.fin('server'); h.ack('client');
  for (const f of h.frames) out.push({ name: 'http-503-vlan', frame: f.frame, linkType: LINKTYPE.ETHERNET });

  // Refused connection and QinQ.
  const ref = new TcpConversation({ client: [C4, 50006], server: [S4, 8080], vlans: [10, 20] });
  ref.syn(); ref.rst('server');
  for (const f of ref.frames) out.push({ name: 'refused-qinq', frame: f.frame, linkType: LINKTYPE.ETHERNET });

  // ICMP errors quoting a flow.
  const syn = tcpIp({ src: C4, dst: S4, sport: 50007, dport: 443, seq: 1, flags: 'S', options: { mss: 1460 } });
  eth('icmp-admin-prohibited', icmpIp({ src: '203.0.113.1', dst: C4, type: ICMP.DEST_UNREACH, code: ICMP.ADMIN_PROHIBITED }, quote(syn)));
  const big = tcpIp({ src: C4, dst: S4, sport: 50007, dport: 443, seq: 2, ack: 3, flags: 'A' }, filler(1400));
  eth('icmp-frag-needed', icmpIp({ src: '203.0.113.1', dst: C4, type: ICMP.DEST_UNREACH, code: ICMP.FRAG_NEEDED, rest: 1400 }, quote(big)));
  const dq = udpIp({ src: C4, dst: S4, sport: 53001, dport: 53 }, q);
  eth('icmp-port-unreach', icmpIp({ src: S4, dst: C4, type: ICMP.DEST_UNREACH, code: ICMP.PORT_UNREACH }, quote(dq)));
  eth('icmp-echo', icmpIp({ src: C4, dst: S4, type: ICMP.ECHO_REQUEST, code: 0, rest: (0x55 << 16) | 1 }, filler(56)));
  const big6 = tcpIp({ src: C6, dst: S6, sport: 50008, dport: 443, seq: 2, ack: 3, flags: 'A' }, filler(1400));
  eth('icmpv6-ptb', icmpIp({ src: '2001:db8:ff::1', dst: C6, type: ICMPV6.PACKET_TOO_BIG, code: 0, rest: 1280 }, quote(big6)));
  eth('icmpv6-port-unreach', icmpIp({ src: S6, dst: C6, type: ICMPV6.DEST_UNREACH, code: ICMPV6.PORT_UNREACH }, quote(udpIp({ src: C6, dst: S6, sport: 5, dport: 53 }, q))));
  eth('icmpv6-echo', icmpIp({ src: C6, dst: S6, type: ICMPV6.ECHO_REQUEST, code: 0, rest: (1 << 16) | 2 }, filler(32)));
  eth('ttl-exceeded', icmpIp({ src: '203.0.113.9', dst: C4, type: ICMP.TIME_EXCEEDED, code: 0, ttl: 250 }, quote(syn)));

  // IPv4 options and fragments; IPv6 extension headers and fragments.
  const rr = Uint8Array.of(7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0); // record route, 2 slots
  eth('ipv4-options', ipv4({ src: C4, dst: S4, proto: IPPROTO_UDP, options: rr, id: 77 }, udp({ src: C4, dst: S4, sport: 1, dport: 9 }, ascii('opts'))));
  const bigUdp = ipv4({ src: C4, dst: S4, proto: IPPROTO_UDP, id: 4242 }, udp({ src: C4, dst: S4, sport: 5000, dport: 9 }, filler(3000)));
  for (const f of fragmentIpv4(bigUdp, 1500)) eth('ipv4-frag', f);
  const p6 = ipv6({
    src: C6, dst: S6, next: IPPROTO_TCP, flowLabel: 0x12345,
    ext: [{ type: 'hop' }, { type: 'dest', data: Uint8Array.of(0x1e, 2, 0, 0) }, { type: 'routing' }],
  }, tcp({ src: C6, dst: S6, sport: 50009, dport: 80, seq: 10, flags: 'S', options: { mss: 1440 } }));
  eth('ipv6-ext', p6);
  const big6u = ipv6({ src: C6, dst: S6, next: IPPROTO_UDP, ext: [{ type: 'hop' }] }, udp({ src: C6, dst: S6, sport: 5000, dport: 9 }, filler(3000)));
  for (const f of fragmentIpv6(big6u, 1280)) eth('ipv6-frag', f);
  eth('ipv6-frag-hdr-atomic', ipv6({ src: C6, dst: S6, next: IPPROTO_ICMPV6, ext: [{ type: 'fragment', offset: 0, more: false, id: 99 }] },
    icmpIpPayload6()));

  // Other link types.
  const synAck = tcpIp({ src: S4, dst: C4, sport: 443, dport: 50010, seq: 100, ack: 2, flags: 'SA', options: { mss: 1460, sackPerm: true, ts: [1, 2], wscale: 7 } });
  out.push({ name: 'sll', frame: sll({ protocol: ETH_IPV4, packetType: 0 }, synAck), linkType: LINKTYPE.LINUX_SLL });
  out.push({ name: 'sll2', frame: sll2({ protocol: ETH_IPV4, packetType: 4, ifindex: 3 }, synAck), linkType: LINKTYPE.LINUX_SLL2 });
  out.push({ name: 'null-v4', frame: nullLoopback('ipv4', synAck), linkType: LINKTYPE.NULL });
  out.push({ name: 'null-v6', frame: nullLoopback('ipv6', p6), linkType: LINKTYPE.NULL });
  out.push({ name: 'null-v4-be', frame: nullLoopback('ipv4', synAck, false), linkType: LINKTYPE.NULL });
  out.push({ name: 'raw', frame: synAck, linkType: LINKTYPE.RAW });
  out.push({ name: 'eth-arp-ish-v6', frame: ethernet({ type: ETH_IPV6 }, ipv6({ src: C6, dst: S6, next: IPPROTO_TCP, hopLimit: 3 }, tcp({ src: C6, dst: S6, sport: 1, dport: 2, seq: 3, ack: 4, flags: 'RA', options: { sack: [[1, 2], [5, 9]] } }))), linkType: LINKTYPE.ETHERNET });
  return out;
}

function icmpIpPayload6(): Uint8Array {
  // Echo request built with the ICMPv6 builder (pseudo-header uses the final destination).
  return icmpIp({ src: C6, dst: S6, type: ICMPV6.ECHO_REQUEST, code: 0, rest: 0x00010001 }, filler(8)).subarray(40);
}

/** Records for one pcapng with one interface per link type. */
export function samplesAsPcapngRecords(samples: Sample[]): { linkTypes: number[]; records: CaptureRecord[] } {
  const linkTypes = [...new Set(samples.map((s) => s.linkType))];
  const records = samples.map((s, i) => ({ ts: 1_700_000_000 + i * 0.001, frame: s.frame, iface: linkTypes.indexOf(s.linkType), comment: s.name }));
  return { linkTypes, records };
}
