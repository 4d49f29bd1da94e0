/**
 * FAIL verdicts checked against suricata-verify's captures (OISF/suricata-verify test inputs,
 * never seen by wirewhy before): each kind of over-claim found there, built packet by packet and
 * run through the whole pipeline, and beside it a real failure of the same cause that must stay
 * claimed.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import {
  TcpConversation, Capture, pcapFile, ascii, ethIp, udpIp, dnsMessage, LINKTYPE,
  handshakeRecord, clientHello, serverHello, changeCipherSpec, applicationData, TLS_VERSION,
} from '../helpers/index.js';

async function run(bytes: Uint8Array): Promise<Report> {
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

const causes = (r: Report) => r.verdicts.map((v) => v.cause);
const errors = (r: Report) => r.verdicts.filter((v) => v.severity === 'error').map((v) => v.cause);

describe('TLS 1.3 HelloRetryRequest: the ChangeCipherSpec after it does not hide the ServerHello', () => {
  const T13 = { supportedVersions: [TLS_VERSION.TLS13], keyShareGroups: [29] };

  /** ClientHello, HelloRetryRequest + CCS (RFC 8446 §D.4), the client's CCS + second ClientHello. */
  function retried(): TcpConversation {
    const c = new TcpConversation({ client: ['192.0.2.10', 42000], server: ['198.51.100.40', 443] });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', handshakeRecord([clientHello({ ciphers: [0x1301], sni: 'hrr.example', ...T13 })], TLS_VERSION.TLS10));
    c.send('server', new Uint8Array([
      ...handshakeRecord([serverHello({ cipher: 0x1301, supportedVersion: TLS_VERSION.TLS13, helloRetryRequest: true, keyShareGroup: 23 })]),
      ...changeCipherSpec(),
    ]));
    c.send('client', new Uint8Array([
      ...changeCipherSpec(),
      ...handshakeRecord([clientHello({ ciphers: [0x1301], sni: 'hrr.example', supportedVersions: [TLS_VERSION.TLS13], keyShareGroups: [23] })]),
    ]));
    return c;
  }

  it('a handshake that went on after the retry (ServerHello, encrypted flight, data both ways) is ok (suricata-verify bug-5758: a real server)', async () => {
    const c = retried();
    c.send('server', new Uint8Array([
      ...handshakeRecord([serverHello({ cipher: 0x1301, supportedVersion: TLS_VERSION.TLS13, keyShareGroup: 23 })]),
      ...applicationData(1200, TLS_VERSION.TLS12, 4),
    ]));
    c.send('client', applicationData(53, TLS_VERSION.TLS12, 5));
    c.send('client', applicationData(300, TLS_VERSION.TLS12, 6));
    c.send('server', applicationData(2000, TLS_VERSION.TLS12, 7));
    c.wait(2);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    const r = await run(pcapFile({ linkType: c.linkType }, c.frames));
    expect(errors(r)).toEqual([]);
    expect(r.tls[0]!.version).toBe('TLS1.3');
  });

  it('a server silent after the retried ClientHello is still tls.no_server_hello', async () => {
    const c = retried();
    c.ack('server');
    c.wait(10);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    const r = await run(pcapFile({ linkType: c.linkType }, c.frames));
    expect(errors(r)).toEqual(['tls.no_server_hello']);
  });
});

describe('DNS silence: a burst of queries is not a resolver that waited', () => {
  const T0 = 1_700_000_000;
  const CLIENT = '192.0.2.10';
  const DNS = '198.51.100.53';

  /** Queries at T0 + each time (seconds), ids and names given; the capture's last packet at T0 + end. */
  function queries(qs: Array<{ at: number; id: number; name: string; sport?: number }>, end: number): Promise<Report> {
    const cap = new Capture();
    for (const q of qs) {
      cap.add(T0 + q.at, ethIp(udpIp({ src: CLIENT, dst: DNS, sport: q.sport ?? 44000, dport: 53 }, dnsMessage({ id: q.id, qr: false, rd: true, questions: [{ name: q.name, type: 'A' }] }))));
    }
    cap.add(T0 + end, ethIp(udpIp({ src: CLIENT, dst: '198.51.100.99', sport: 45000, dport: 7 }, ascii('end'))));
    // Its echo: the capture holds packets toward the client (a capture of one direction judges a
    // query sent once otherwise: nothing-toward-client-built).
    cap.add(T0 + end + 0.0001, ethIp(udpIp({ src: '198.51.100.99', dst: CLIENT, sport: 7, dport: 45000 }, ascii('end'))));
    return run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
  }

  it('three queries for a name within 4 ms, the capture ending 10 ms later: capture.ended_early, not dns.no_response (suricata-verify datasets-05)', async () => {
    const r = await queries([{ at: 0, id: 1, name: 'example.com' }, { at: 0.002, id: 2, name: 'example.com' }, { at: 0.004, id: 3, name: 'example.com' }], 0.014);
    expect(errors(r)).toEqual([]);
    expect(causes(r)).toContain('capture.ended_early');
  });

  it('queries with one id for different names are different queries, each judged (suricata-verify datasets-06: one "1200 queries" failure)', async () => {
    const r = await queries([{ at: 0, id: 1, name: 'a.example' }, { at: 0.001, id: 1, name: 'b.example' }, { at: 0.002, id: 1, name: 'c.example' }], 7);
    const v = r.verdicts.filter((x) => x.cause === 'dns.no_response');
    expect(v.map((x) => x.target.name).sort()).toEqual(['a.example', 'b.example', 'c.example']);
    expect(v.map((x) => x.details['queries'])).toEqual([1, 1, 1]);
  });

  it('the same id and name resent after 1 s and 2 s (the client\'s own retries), capture ending at 3 s: dns.no_response stays', async () => {
    const r = await queries([{ at: 0, id: 9, name: 'down.example' }, { at: 1, id: 9, name: 'down.example' }, { at: 2, id: 9, name: 'down.example' }], 3);
    expect(errors(r)).toEqual(['dns.no_response']);
    expect(r.verdicts.find((x) => x.cause === 'dns.no_response')!.details['queries']).toBe(3);
  });

  it('one query waited on 6 s is dns.no_response (unchanged)', async () => {
    const r = await queries([{ at: 0, id: 4, name: 'silent.example' }], 6);
    expect(errors(r)).toEqual(['dns.no_response']);
  });
});

describe('a ClientHello the client itself left at once is not the server\'s silence', () => {
  function hello(waitBeforeClose: number): TcpConversation {
    const c = new TcpConversation({ client: ['192.0.2.10', 42100], server: ['198.51.100.5', 443] });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', handshakeRecord([clientHello({ ciphers: [0xc02f], sni: 'www.example.com' })], TLS_VERSION.TLS10));
    c.ack('server');
    c.wait(waitBeforeClose);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    return c;
  }

  it('the client closing 1 ms after its ClientHello: a warning in its own words, no failure (suricata-verify app-layer-protocol-prefilter)', async () => {
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, hello(0.001).frames));
    expect(errors(r)).toEqual([]);
    const v = r.verdicts.find((x) => x.cause === 'tls.no_server_hello')!;
    expect(v.severity).toBe('warning');
    // (The builder spaces packets 1 ms apart: the server's ACK, 1 ms, the FIN.)
    expect(v.details['clientClosedAfterSeconds']).toBeCloseTo(0.003, 6);
    expect(v.evidence.map((e) => e.frame)).toEqual([4, 6]);
  });

  it('the client waiting 10 s before it closed: tls.no_server_hello stays a failure', async () => {
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, hello(10).frames));
    expect(errors(r)).toEqual(['tls.no_server_hello']);
  });
});

describe('a response header the capture holds unfinished is not silence', () => {
  const REQ = ascii('GET / HTTP/1.1\r\nHost: 100.64.0.200\r\n\r\n');
  function answered(bytes: Uint8Array | null): TcpConversation {
    const c = new TcpConversation({ client: ['100.64.0.14', 52398], server: ['100.64.0.200', 80] });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', REQ);
    c.ack('server');
    if (bytes === null) c.wait(5);
    else c.send('server', bytes);
    c.fin('server');
    c.ack('client');
    c.fin('client');
    c.ack('server');
    return c;
  }

  it('a status line ended by a bare LF and one header, then the server\'s FIN: not http.no_response (suricata-verify http-close-headers)', async () => {
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, answered(ascii('HTTP/1.0 200 OK\nServer:ng1nx\r\n')).frames));
    expect(causes(r)).not.toContain('http.no_response');
    expect(errors(r)).toEqual([]);
  });

  it('a server that closed after 5 s without a byte: http.no_response stays', async () => {
    const r = await run(pcapFile({ linkType: LINKTYPE.ETHERNET }, answered(null).frames));
    expect(errors(r)).toEqual(['http.no_response']);
  });
});

describe('the first SYN again, its ISN unchanged, right after the connection closed (arkime tcp-reassembly-synthetic)', () => {
  /** A complete HTTP exchange closed by both sides; then `late` is sent by the client 1 ms after the last ACK. */
  function closedThen(late: (c: TcpConversation) => void): TcpConversation {
    const c = new TcpConversation({ client: ['192.0.2.10', 40009], server: ['198.51.100.2', 80], clientIsn: 30000, serverIsn: 31000 });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', ascii('GET / HTTP/1.0\r\nHost: reuse.example\r\n\r\n'));
    c.send('server', ascii('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'));
    c.fin('client');
    c.fin('server');
    c.ack('client');
    c.wait(0.001);
    late(c);
    // The capture goes on for a while (another client's exchange), so silence after the SYN is judged.
    c.wait(10);
    return c;
  }

  it('is a late copy of the connection\'s SYN, not a new attempt left unanswered', async () => {
    const c = closedThen((x) => x.raw('client', { seq: 30000, flags: 'S' }));
    const other = new TcpConversation({ client: ['192.0.2.11', 40100], server: ['198.51.100.2', 80], start: c.frames[c.frames.length - 1]!.ts + 10 });
    other.syn();
    other.synAck();
    other.ack('client');
    const r = await run(pcapFile({ linkType: c.linkType }, [...c.frames, ...other.frames]));
    expect(errors(r)).toEqual([]);
    expect(r.connections.filter((x) => x.client.port === 40009)).toHaveLength(1);
  });

  it('a SYN with a new ISN on the same ports is a new attempt, and unanswered it is still claimed', async () => {
    const c = closedThen((x) => x.raw('client', { seq: 90000, flags: 'S' }));
    const other = new TcpConversation({ client: ['192.0.2.11', 40100], server: ['198.51.100.2', 80], start: c.frames[c.frames.length - 1]!.ts + 10 });
    other.syn();
    other.synAck();
    other.ack('client');
    const r = await run(pcapFile({ linkType: c.linkType }, [...c.frames, ...other.frames]));
    expect(errors(r)).toEqual(['tcp.syn_unanswered']);
    expect(r.connections.filter((x) => x.client.port === 40009)).toHaveLength(2);
  });
});

describe('a request lost again and again and acknowledged only after the client gave up (nDPI alexa-app)', () => {
  /**
   * A POST in three segments; the middle one is lost: the server acknowledges the first twice
   * (asking for the middle) and the client resends it four times, the wait doubling. Then either
   * the server acknowledges it and stays silent until the client closes, or the client closes
   * first and the server acknowledges everything only with its own FIN.
   */
  function lostMiddle(ackedInTime: boolean): TcpConversation {
    const c = new TcpConversation({ client: ['192.0.2.10', 44912], server: ['198.51.100.94', 80] });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', ascii('POST /collect HTTP/1.1\r\nHost: lost.example\r\nContent-Length: 2000\r\n\r\n'));
    const mid = c.nextSeq('client');
    const body = new Uint8Array(1000).fill(0x61);
    c.send('client', body);
    c.send('client', new Uint8Array(1000).fill(0x62));
    c.ack('server', { ack: mid });
    c.ack('server', { ack: mid });
    for (const wait of [0.3, 0.6, 1.2, 2.4]) {
      c.wait(wait);
      c.send('client', body, { retransmit: mid });
    }
    if (ackedInTime) {
      c.ack('server');
      c.wait(5);
      c.fin('client');
      c.ack('server');
      c.fin('server');
    } else {
      c.wait(3);
      c.fin('client');
      c.wait(0.5);
      c.send('client', body, { retransmit: mid });
      c.ack('server');
      c.fin('server');
    }
    c.ack('client');
    return c;
  }

  it('is data the client resent without acknowledgement until it gave up, not a server that did not answer', async () => {
    const r = await run(pcapFile({ linkType: 1 }, lostMiddle(false).frames));
    expect(errors(r)).toEqual(['tcp.stalled']);
    const v = r.verdicts.find((x) => x.cause === 'tcp.stalled')!;
    expect(v.details['ackedAfterClose']).toEqual(expect.any(Number));
    expect(v.details['unackedBytes']).toBe(1000);
    expect(v.evidence.map((e) => e.kind)).toContain('acked_after_close');
  });

  it('acknowledged before the client closed, the request reached the server: its silence is still http.no_response', async () => {
    const r = await run(pcapFile({ linkType: 1 }, lostMiddle(true).frames));
    expect(errors(r)).toEqual(['http.no_response']);
  });
});

describe('NODATA for a type that is no address is told in its own words (PcapPlusPlus many_interfaces: a PTR)', () => {
  it('a PTR without records: a warning that speaks of a reverse name, not of "nothing to connect to"; AAAA keeps the address words', async () => {
    const T0 = 1_700_000_000;
    const C = '192.0.2.10';
    const R = '198.51.100.53';
    const cap = new Capture();
    const ask = (at: number, id: number, name: string, type: 'PTR' | 'AAAA') => {
      cap.add(T0 + at, ethIp(udpIp({ src: C, dst: R, sport: 41000 + id, dport: 53 }, dnsMessage({ id, qr: false, rd: true, questions: [{ name, type }] }))));
      cap.add(T0 + at + 0.01, ethIp(udpIp({ src: R, dst: C, sport: 53, dport: 41000 + id }, dnsMessage({ id, qr: true, rd: true, ra: true, questions: [{ name, type }] }))));
    };
    ask(0, 1, '9.2.0.192.in-addr.arpa', 'PTR');
    ask(1, 2, 'v4only.example', 'AAAA');
    cap.add(T0 + 30, ethIp(udpIp({ src: C, dst: R, sport: 42000, dport: 53 }, dnsMessage({ id: 3, qr: false, rd: true, questions: [{ name: 'later.example', type: 'A' }] }))));
    const r = await run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
    const ptr = r.verdicts.find((v) => v.target.name === '9.2.0.192.in-addr.arpa')!;
    expect([ptr.cause, ptr.severity]).toEqual(['dns.no_address', 'warning']);
    const en = verdictWords(ptr, 'en');
    expect(en.explanation).toContain('reverse name');
    expect(en.explanation).not.toContain('nothing to connect to');
    expect(verdictWords(ptr, 'zh').explanation).toContain('反向域名');
    const aaaa = r.verdicts.find((v) => v.target.name === 'v4only.example')!;
    expect([aaaa.cause, aaaa.severity]).toEqual(['dns.no_address', 'error']);
    expect(verdictWords(aaaa, 'en').explanation).toContain('nothing to connect to');
  });
});

describe('a truncated answer without records is no NODATA: the client had to ask again over TCP', () => {
  it('TC answer to an A query, the TCP retry to port 53 unanswered: dns.no_response (truncated), not dns.no_address', async () => {
    const T0 = 1_700_000_000;
    const C = '192.0.2.10';
    const R = '198.51.100.53';
    const cap = new Capture();
    cap.add(T0, ethIp(udpIp({ src: C, dst: R, sport: 44000, dport: 53 }, dnsMessage({ id: 7, qr: false, rd: true, questions: [{ name: 'big.example.com', type: 'A' }] }))));
    cap.add(T0 + 0.01, ethIp(udpIp({ src: R, dst: C, sport: 53, dport: 44000 }, dnsMessage({ id: 7, qr: true, rd: true, ra: true, tc: true, questions: [{ name: 'big.example.com', type: 'A' }] }))));
    const tcp = new TcpConversation({ client: [C, 45000], server: [R, 53], start: T0 + 0.02 });
    for (const w of [1, 2, 4]) {
      tcp.syn();
      tcp.wait(w);
    }
    for (const f of tcp.frames) cap.add(f.ts, f.frame);
    cap.add(T0 + 40, ethIp(udpIp({ src: C, dst: R, sport: 44001, dport: 53 }, dnsMessage({ id: 8, qr: false, rd: true, questions: [{ name: 'later.example', type: 'A' }] }))));
    const r = await run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
    const v = r.verdicts.find((x) => x.target.name === 'big.example.com')!;
    expect([v.cause, v.severity, v.details['truncated']]).toEqual(['dns.no_response', 'error', true]);
    expect(verdictWords(v, 'en').summary).toContain('did not fit in UDP (truncated)');
    expect(verdictWords(v, 'zh').summary).toContain('被截断');
    expect(r.verdicts.map((x) => x.cause)).not.toContain('dns.no_address');
    expect(r.verdicts.find((x) => x.target.ip === R && x.target.port === 53)?.cause).toBe('tcp.syn_unanswered');
  });
});
