/**
 * http.no_response on plain HTTP claims only what the packets prove (mistakes seen on real Zeek
 * test captures: WebSocket upgrades, a server writing its status line in lower case, scanners
 * that close at once or send their request after resetting their probe). Built packet by packet
 * and run through the whole pipeline.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import {
  TcpConversation, Capture, pcapFile, ascii, ethIp, udpIp, dnsMessage, LINKTYPE, handshakeRecord, clientHello, serverHello,
  changeCipherSpec, applicationData, concat, TLS_VERSION, icmpIp, quote, ICMP, certificateMsg, serverHelloDone, testCertDer, ipv4,
} from '../helpers/index.js';

async function run(bytes: Uint8Array): Promise<Report> {
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

const causes = (r: Report) => r.verdicts.map((v) => v.cause);

const REQUEST = ascii('GET /chat HTTP/1.1\r\nHost: ws.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');

function conversation(): TcpConversation {
  const c = new TcpConversation({ client: ['192.0.2.10', 41000], server: ['198.51.100.20', 80] });
  c.syn();
  c.synAck();
  c.ack('client');
  return c;
}

describe('plain HTTP: no response claimed only when none came', () => {
  it('a request the server never answered, the client waiting 5 s, is http.no_response (the claim stays)', async () => {
    const c = conversation();
    c.send('client', REQUEST);
    c.ack('server');
    c.wait(5);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    expect(causes(await run(pcapFile({ linkType: c.linkType }, c.frames)))).toEqual(['http.no_response']);
  });

  it('101 Switching Protocols answers the request: a WebSocket session that worked is ok', async () => {
    const c = conversation();
    c.send('client', REQUEST);
    c.send('server', ascii('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
    // WebSocket frames both ways: a masked text frame from the client, a text frame back.
    c.send('client', new Uint8Array([0x81, 0x85, 1, 2, 3, 4, 0x69, 0x67, 0x6f, 0x68, 0x6e]));
    c.send('server', new Uint8Array([0x81, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f]));
    c.wait(5);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    const r = await run(pcapFile({ linkType: c.linkType }, c.frames));
    expect(causes(r)).toEqual(['ok']);
    expect(r.http[0]!.status).toBe(101);
  });

  it('a server answering in a way HTTP/1 cannot read (status line in lower case) is not said to be silent', async () => {
    const c = conversation();
    c.send('client', REQUEST);
    c.send('server', ascii('http/1.1 200 ok\r\nContent-Length: 2\r\n\r\nhi'));
    c.wait(5);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    expect(causes(await run(pcapFile({ linkType: c.linkType }, c.frames)))).not.toContain('http.no_response');
  });

  it('a client that closes within a second of its request did not wait: no claim about the server', async () => {
    const c = conversation();
    c.send('client', REQUEST);
    c.wait(0.05);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    expect(causes(await run(pcapFile({ linkType: c.linkType }, c.frames)))).not.toContain('http.no_response');
    // The same client waiting 2 s before closing: the silence counts.
    const d = conversation();
    d.send('client', REQUEST);
    d.wait(2);
    d.fin('client');
    d.fin('server');
    d.ack('client');
    expect(causes(await run(pcapFile({ linkType: d.linkType }, d.frames)))).toEqual(['http.no_response']);
  });

  it('a request sent after the client reset its own half-open connection went to no connection', async () => {
    const c = new TcpConversation({ client: ['192.0.2.10', 41001], server: ['198.51.100.20', 80] });
    c.syn();
    c.synAck();
    c.rst('client');
    c.wait(16);
    c.send('client', REQUEST);
    c.wait(10);
    const r = causes(await run(pcapFile({ linkType: c.linkType }, c.frames)));
    expect(r).not.toContain('http.no_response');
    // Nor is the probe's own reset a failure: nothing was sent before it.
    expect(r).not.toContain('tcp.reset');
  });
});

describe('handshakes judged only where the capture could show them', () => {
  it('a capture filtered to SYNs cannot show the handshake ACK: a warning, not tcp.handshake_incomplete as a failure', async () => {
    const c = new TcpConversation({ client: ['192.0.2.10', 42000], server: ['198.51.100.20', 80] });
    c.syn();
    c.synAck();
    c.wait(5);
    const d = new TcpConversation({ client: ['192.0.2.10', 42001], server: ['198.51.100.21', 80], start: c.frames[c.frames.length - 1]!.ts + 1 });
    d.syn();
    d.synAck();
    // A later opening keeps the capture going past the SYN-ACKs' resend time (1 s): a capture that
    // stopped sooner cannot tell (capture.ended_early: degraded-samples.test.ts).
    const later = new TcpConversation({ client: ['192.0.2.10', 42009], server: ['198.51.100.23', 80], start: d.frames[d.frames.length - 1]!.ts + 2 });
    later.syn();
    const r = await run(pcapFile({ linkType: c.linkType }, [...c.frames, ...d.frames, ...later.frames]));
    const v = r.verdicts.filter((x) => x.cause === 'tcp.handshake_incomplete');
    expect(v.length).toBe(2);
    for (const x of v) {
      expect(x.severity).toBe('warning');
      expect(x.details['synOnlyCapture']).toBe(true);
    }
  });

  it('the same opening beside a connection that sent ACKs is a failure; so is a resent SYN-ACK in a SYN-only capture', async () => {
    const ok = new TcpConversation({ client: ['192.0.2.10', 42002], server: ['198.51.100.22', 80] });
    ok.syn();
    ok.synAck();
    ok.ack('client');
    ok.fin('client');
    ok.fin('server');
    ok.ack('client');
    const c = new TcpConversation({ client: ['192.0.2.10', 42003], server: ['198.51.100.20', 80], start: ok.frames[ok.frames.length - 1]!.ts + 1 });
    c.syn();
    c.synAck();
    const later = new TcpConversation({ client: ['192.0.2.10', 42009], server: ['198.51.100.23', 80], start: c.frames[c.frames.length - 1]!.ts + 2 });
    later.syn();
    later.synAck();
    later.ack('client');
    const r = await run(pcapFile({ linkType: c.linkType }, [...ok.frames, ...c.frames, ...later.frames]));
    expect(r.verdicts.filter((x) => x.cause === 'tcp.handshake_incomplete').map((x) => x.severity)).toEqual(['error']);
    const e = new TcpConversation({ client: ['192.0.2.10', 42004], server: ['198.51.100.20', 80] });
    e.syn();
    e.synAck();
    e.wait(1);
    e.synAck({ seq: 5000 });
    e.wait(5);
    const r2 = await run(pcapFile({ linkType: e.linkType }, e.frames));
    expect(r2.verdicts.filter((x) => x.cause === 'tcp.handshake_incomplete').map((x) => x.severity)).toEqual(['error']);
  });

  it('a SYN the client reset itself within a second is a warning (it did not wait); one it reset after 3 s stays a failure', async () => {
    const c = new TcpConversation({ client: ['192.0.2.10', 42005], server: ['198.51.100.20', 31313] });
    c.syn();
    c.wait(0.0003);
    // Its reset carries the ISN itself, as Zeek's syn-then-rst.pcap's: the ISN + 1 would answer a
    // SYN-ACK the capture does not hold (capture.one_sided: degraded-samples.test.ts).
    c.rst('client', { seq: 1000 });
    c.wait(5);
    const r = await run(pcapFile({ linkType: c.linkType }, c.frames));
    const v = r.verdicts.filter((x) => x.cause === 'tcp.syn_unanswered');
    expect(v.map((x) => x.severity)).toEqual(['warning']);
    const d = new TcpConversation({ client: ['192.0.2.10', 42006], server: ['198.51.100.20', 31313] });
    d.syn();
    d.wait(3);
    d.rst('client', { seq: 1000 });
    d.wait(5);
    const r2 = await run(pcapFile({ linkType: d.linkType }, d.frames));
    expect(r2.verdicts.filter((x) => x.cause === 'tcp.syn_unanswered').map((x) => x.severity)).toEqual(['error']);
  });
});

describe('DNS silence judged only where the capture could show the answers', () => {
  const CLIENT = '192.0.2.10';
  const DNS = '198.51.100.53';
  const T0 = 1_750_000_000;

  /** Queries for NAME (no answer), beside a TCP connection of the client kept whole or client side only. */
  async function dnsAnd(oneSided: boolean): Promise<Report> {
    const cap = new Capture();
    const c = new TcpConversation({ client: [CLIENT, 43000], server: ['203.0.113.5', 443], start: T0 });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', ascii('hello'));
    c.send('server', ascii('world!'));
    c.ack('client');
    c.fin('client');
    c.fin('server');
    c.ack('client');
    // The server's packets leave the IPv4 source 203.0.113.5 (bytes 26..29 of an Ethernet frame).
    const fromServer = (f: Uint8Array): boolean => f[26] === 203 && f[27] === 0 && f[28] === 113 && f[29] === 5;
    for (const r of c.frames) if (!oneSided || !fromServer(r.frame)) cap.add(r.ts, r.frame);
    const questions = [{ name: 'lost.example', type: 'A' as const }];
    for (let i = 0; i < 3; i++) {
      cap.add(T0 + 1 + i * 2, ethIp(udpIp({ src: CLIENT, dst: DNS, sport: 44000, dport: 53 }, dnsMessage({ id: 7, qr: false, rd: true, questions }))));
    }
    cap.add(T0 + 20, ethIp(udpIp({ src: CLIENT, dst: '198.51.100.99', sport: 45000, dport: 9 }, ascii('end'))));
    return run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
  }

  it('a client whose TCP connection is one-sided: its unanswered queries are a warning (answers may be unseen)', async () => {
    const r = await dnsAnd(true);
    const v = r.verdicts.filter((x) => x.cause === 'dns.no_response');
    expect(v.map((x) => x.severity)).toEqual(['warning']);
    expect(v[0]!.details['captureMissesClient']).toBe(true);
    expect(r.verdicts.some((x) => x.cause === 'capture.one_sided')).toBe(true);
  });

  it('the same queries beside a whole connection stay a failure', async () => {
    const r = await dnsAnd(false);
    expect(r.verdicts.filter((x) => x.cause === 'dns.no_response').map((x) => x.severity)).toEqual(['error']);
  });
});

describe('TLS 1.3 HelloRetryRequest', () => {
  it('the ChangeCipherSpec after an HRR is camouflage: the real ServerHello after it is read, the handshake worked', async () => {
    const c = new TcpConversation({ client: ['192.0.2.10', 46000], server: ['198.51.100.40', 443] });
    const V13 = TLS_VERSION.TLS13;
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', handshakeRecord([clientHello({ ciphers: [0x1301], sni: 'hrr.example', supportedVersions: [V13], keyShareGroups: [0x0017] })], 0x0301));
    c.send('server', concat([handshakeRecord([serverHello({ supportedVersion: V13, helloRetryRequest: true, keyShareGroup: 0x001d })]), changeCipherSpec()]));
    c.send('client', concat([changeCipherSpec(), handshakeRecord([clientHello({ ciphers: [0x1301], sni: 'hrr.example', supportedVersions: [V13], keyShareGroups: [0x001d] })])]));
    c.send('server', concat([handshakeRecord([serverHello({ supportedVersion: V13 })]), applicationData(60), applicationData(300)]));
    c.send('client', applicationData(53));
    c.send('client', applicationData(90));
    c.send('server', applicationData(500));
    c.wait(1);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    const r = await run(pcapFile({ linkType: c.linkType }, c.frames));
    expect(r.verdicts.map((v) => v.cause)).toEqual(['ok']);
    expect(r.tls[0]!.established).toBe(true);
  });
});

describe('an ICMP error about a ping says whether the capture holds the ping', () => {
  const PINGER = '192.0.2.10';
  const TARGET = '198.51.100.77';
  const ROUTER = '192.0.2.1';
  const T0 = 1_750_000_000;

  async function hostUnreachable(withPing: boolean): Promise<Report> {
    const cap = new Capture();
    const echo = icmpIp({ src: PINGER, dst: TARGET, type: ICMP.ECHO_REQUEST, code: 0, rest: (0x4024 << 16) | 1, ttl: 64 }, new Uint8Array(32));
    if (withPing) cap.add(T0, ethIp(echo));
    cap.add(T0 + 3, ethIp(icmpIp({ src: ROUTER, dst: PINGER, type: ICMP.DEST_UNREACH, code: 1 }, quote(echo))));
    cap.add(T0 + 10, ethIp(udpIp({ src: PINGER, dst: '198.51.100.99', sport: 45000, dport: 9 }, ascii('end'))));
    return run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
  }
  const notes = (r: Report) => r.verdicts.filter((v) => v.cause === 'icmp.host_unreachable').flatMap((v) => v.limits.map((l) => l.kind));

  it('with the echo request captured, no note says the capture lacks it', async () => {
    const r = await hostUnreachable(true);
    expect(r.verdicts.map((v) => v.cause)).toContain('icmp.host_unreachable');
    expect(notes(r)).not.toContain('icmp_without_packet');
  });

  it('without it, the note stays', async () => {
    expect(notes(await hostUnreachable(false))).toContain('icmp_without_packet');
  });

  it('the same for another IP protocol (an SCTP INIT refused with protocol unreachable)', async () => {
    const run2 = async (withInit: boolean) => {
      const cap = new Capture();
      // SCTP common header (ports 2940 -> 2940, tag 0, checksum 0) and an INIT chunk's first bytes.
      const sctp = new Uint8Array([0x0b, 0x7c, 0x0b, 0x7c, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 20, 1, 2, 3, 4, 0, 1, 0, 0, 0, 10, 0, 10, 0, 0, 0, 1]);
      const init = ipv4({ src: TARGET, dst: PINGER, proto: 132, ttl: 64 }, sctp);
      if (withInit) cap.add(T0, ethIp(init));
      cap.add(T0 + 0.001, ethIp(icmpIp({ src: PINGER, dst: TARGET, type: ICMP.DEST_UNREACH, code: ICMP.PROTO_UNREACH }, quote(init))));
      cap.add(T0 + 10, ethIp(udpIp({ src: PINGER, dst: '198.51.100.99', sport: 45000, dport: 9 }, ascii('end'))));
      const r = await run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
      return r.verdicts.filter((v) => v.cause === 'icmp.protocol_unreachable').flatMap((v) => v.limits.map((l) => l.kind));
    };
    expect(await run2(true)).not.toContain('icmp_without_packet');
    expect(await run2(false)).toContain('icmp_without_packet');
  });
});

describe('a TLS answer judged only from a stream the capture holds from its start', () => {
  /** A TLS 1.2 handshake whose server flight (ServerHello, Certificate) is sent in two segments. */
  function tls12(o: { handshake: boolean; dropFirstServerSegment: boolean }) {
    const c = new TcpConversation({ client: ['192.0.2.10', 47000], server: ['198.51.100.50', 443] });
    if (o.handshake) {
      c.syn();
      c.synAck();
      c.ack('client');
    }
    c.send('client', handshakeRecord([clientHello({ ciphers: [0xc02f], sni: 'cut.example' })], 0x0301));
    const flight = handshakeRecord([serverHello({ cipher: 0xc02f }), certificateMsg([testCertDer('valid')]), serverHelloDone()]);
    const cut = Math.floor(flight.length / 2);
    const before = c.frames.length;
    c.send('server', flight.subarray(0, cut));
    if (o.dropFirstServerSegment) c.frames.splice(before, 1);
    c.send('server', flight.subarray(cut));
    c.send('client', concat([handshakeRecord([new Uint8Array([16, 0, 0, 4, 0, 0, 0, 0])]), changeCipherSpec(), applicationData(40)]));
    c.send('server', concat([changeCipherSpec(), applicationData(40)]));
    c.send('client', applicationData(300));
    c.send('server', applicationData(900));
    c.wait(1);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    return pcapFile({ linkType: c.linkType }, c.frames);
  }
  const errors = (r: Report) => r.verdicts.filter((v) => v.severity === 'error').map((v) => v.cause);

  it('a capture that starts without the handshake and misses the ServerHello segment: no plain-text answer, no silent server', async () => {
    expect(errors(await run(tls12({ handshake: false, dropFirstServerSegment: true })))).toEqual([]);
  });

  it('the same ServerHello segment missing after a captured handshake: still no silent server (its CCS answers)', async () => {
    expect(errors(await run(tls12({ handshake: true, dropFirstServerSegment: true })))).not.toContain('tls.no_server_hello');
  });

  it('a server that answers a ClientHello in plain text, its stream held from the SYN-ACK, is still tls.not_tls', async () => {
    const c = new TcpConversation({ client: ['192.0.2.10', 47001], server: ['198.51.100.50', 443] });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', handshakeRecord([clientHello({ ciphers: [0xc02f], sni: 'plain.example' })], 0x0301));
    c.send('server', ascii('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
    c.fin('server');
    c.fin('client');
    c.ack('server');
    expect(errors(await run(pcapFile({ linkType: c.linkType }, c.frames)))).toEqual(['tls.not_tls']);
  });
});
