/**
 * Issue 22's causes built packet by packet (test/helpers) and run through the whole pipeline, for
 * the cases the samples do not show: what makes each claim, and what must not (no baseline, an
 * unstable one, a RST that cut nothing, a response that is more than session tickets).
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import {
  TcpConversation, Capture, pcapFile, handshakeRecord, clientHello, serverHello, changeCipherSpec, applicationData, ascii,
  TLS_VERSION, TLS_CIPHER, type CaptureRecord,
} from '../helpers/index.js';

async function run(bytes: Uint8Array): Promise<Report> {
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

const errors = (r: Report) => r.verdicts.filter((v) => v.severity === 'error');
const SERVER = '198.51.100.20';
const CLIENT = '192.0.2.10';

function hello(sni = 'blocked.example.org', tls13 = false, alpn = ['h2', 'http/1.1']): Uint8Array {
  return handshakeRecord([clientHello({
    ciphers: [TLS_CIPHER.TLS_AES_128_GCM_SHA256, TLS_CIPHER.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256],
    sni,
    alpn,
    ...(tls13 ? { supportedVersions: [TLS_VERSION.TLS13, TLS_VERSION.TLS12], keyShareGroups: [29] } : {}),
  })], TLS_VERSION.TLS10);
}

/** A working HTTP exchange with the server on port 80, its packets arriving with `ttl` (several values: one each). */
function port80(start: number, ttls: number[]): CaptureRecord[] {
  const c = new TcpConversation({ client: [CLIENT, 40100], server: [SERVER, 80], start, serverTtl: ttls[0] });
  c.syn();
  c.synAck({ ttl: ttls[0] });
  c.ack('client');
  c.send('client', ascii('GET / HTTP/1.1\r\nHost: blocked.example.org\r\n\r\n'));
  c.send('server', ascii('HTTP/1.1 301 Moved Permanently\r\nLocation: https://blocked.example.org/\r\nContent-Length: 0\r\n\r\n'), { ttl: ttls[1 % ttls.length] });
  c.fin('client');
  c.fin('server', { ttl: ttls[2 % ttls.length] });
  c.ack('client');
  return c.frames;
}

describe('tcp.reset_injected', () => {
  it('after the ClientHello: the RST\'s TTL differs from the SYN-ACK\'s; the IP IDs follow the server\'s', async () => {
    const c = new TcpConversation({ client: [CLIENT, 40001], server: [SERVER, 443], serverTtl: 56, serverIpId: 0x8000 });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', hello());
    c.rst('server', { ttl: 60, ipId: 0x8001 });
    const r = await run(pcapFile({ linkType: c.linkType }, c.frames));
    const e = errors(r);
    expect(e.map((v) => v.cause)).toEqual(['tcp.reset_injected']);
    expect(e[0]!.details).toMatchObject({ after: 'ClientHello', sni: 'blocked.example.org', rstTtl: 60, serverTtl: 56, comparedWith: 'this_connection', rstIpId: 0x8001, serverIpId: 0x8000, ipId: 'follows' });
    expect(e[0]!.evidence.map((x) => x.frame)).toEqual([2, 4, 5]);
    expect(verdictWords(e[0]!, 'en').explanation).toMatch(/TTL 60.*TTL 56.*follows the server's/);
  });

  it('an IP ID far from the server\'s counter "does not follow"; IPv6 compares hop limits only', async () => {
    const c = new TcpConversation({ client: [CLIENT, 40002], server: [SERVER, 443], serverTtl: 56, serverIpId: 0x8000 });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', hello());
    c.rst('server', { ttl: 250, ipId: 0x1234 });
    const v4 = errors(await run(pcapFile({ linkType: c.linkType }, c.frames)));
    expect(v4[0]!.details).toMatchObject({ rstTtl: 250, ipId: 'differs' });
    expect(verdictWords(v4[0]!, 'en').explanation).toMatch(/IP ID 4660 does not follow the server's \(32768\)/);

    const c6 = new TcpConversation({ client: ['2001:db8::10', 40003], server: ['2001:db8:1::20', 443], serverTtl: 56 });
    c6.syn();
    c6.synAck();
    c6.ack('client');
    c6.send('client', hello());
    c6.rst('server', { ttl: 64 });
    const v6 = errors(await run(pcapFile({ linkType: c6.linkType }, c6.frames)));
    expect(v6.map((v) => v.cause)).toEqual(['tcp.reset_injected']);
    expect(v6[0]!.details).toMatchObject({ rstTtl: 64, serverTtl: 56 });
    expect(v6[0]!.details).not.toHaveProperty('rstIpId');
    expect(verdictWords(v6[0]!, 'en').explanation).toMatch(/hop limit 64.*hop limit 56/);
    expect(verdictWords(v6[0]!, 'zh').explanation).toMatch(/跳数限制/);
  });

  it('the server\'s own RST (same TTL) stays what it was: tls.no_server_hello', async () => {
    const c = new TcpConversation({ client: [CLIENT, 40004], server: [SERVER, 443], serverTtl: 56 });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', hello());
    c.rst('server');
    expect(errors(await run(pcapFile({ linkType: c.linkType }, c.frames))).map((v) => v.cause)).toEqual(['tls.no_server_hello']);
  });

  it('after a SYN: compared with the server\'s other connections; without them, or with an unstable TTL, tcp.refused', async () => {
    const refused = (start: number): CaptureRecord[] => {
      const c = new TcpConversation({ client: [CLIENT, 40005], server: [SERVER, 443], start });
      c.syn();
      c.rst('server', { ttl: 64 });
      return c.frames;
    };
    const withBaseline = new Capture().addAll(port80(1000, [56])).addAll(refused(1001));
    const r = await run(withBaseline.pcap({ linkType: 1 }));
    const e = errors(r);
    expect(e.map((v) => v.cause)).toEqual(['tcp.reset_injected']);
    expect(e[0]!.details).toMatchObject({ after: 'SYN', rstTtl: 64, serverTtl: 56, comparedWith: 'other_connections', ipId: 'unknown' });
    expect(e[0]!.limits.map((l) => l.kind)).toEqual(['ttl_from_other_connections', 'ip_id_cannot_tell']);
    // Alone: nothing of the server to compare with.
    expect(errors(await run(pcapFile({ linkType: 1 }, refused(1000)))).map((v) => v.cause)).toEqual(['tcp.refused']);
    // The server's own packets arrive with two TTLs (a route change, two machines): no single baseline.
    const unstable = new Capture().addAll(port80(1000, [56, 57])).addAll(refused(1001));
    expect(errors(await run(unstable.pcap({ linkType: 1 }))).map((v) => v.cause)).toEqual(['tcp.refused']);
  });

  it('a RST that cut nothing is not claimed: an idle connection, a finished exchange', async () => {
    const idle = new TcpConversation({ client: [CLIENT, 40006], server: [SERVER, 443], serverTtl: 56 });
    idle.syn();
    idle.synAck();
    idle.ack('client');
    idle.wait(30);
    idle.rst('server', { ttl: 64 });
    expect(errors(await run(pcapFile({ linkType: idle.linkType }, idle.frames)))).toEqual([]);

    const done = new TcpConversation({ client: [CLIENT, 40007], server: [SERVER, 80], serverTtl: 56 });
    done.syn();
    done.synAck();
    done.ack('client');
    done.send('client', ascii('GET / HTTP/1.1\r\nHost: a.example\r\n\r\n'));
    done.send('server', ascii('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    done.ack('client');
    done.rst('server', { ttl: 64 });
    expect(errors(await run(pcapFile({ linkType: done.linkType }, done.frames)))).toEqual([]);
  });

  it('after an HTTP request: the request is in the evidence', async () => {
    const c = new TcpConversation({ client: [CLIENT, 40008], server: [SERVER, 80], serverTtl: 56 });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', ascii('GET /blocked HTTP/1.1\r\nHost: a.example\r\n\r\n'));
    c.rst('server', { ttl: 64 });
    const e = errors(await run(pcapFile({ linkType: c.linkType }, c.frames)));
    expect(e.map((v) => v.cause)).toEqual(['tcp.reset_injected']);
    expect(e[0]!.details['after']).toBe('request');
    expect(e[0]!.evidence.map((x) => x.frame)).toEqual([2, 4, 5]);
  });
});

describe('tls.not_tls', () => {
  it('an SSH banner in answer to a ClientHello: its first line, printable', async () => {
    const c = new TcpConversation({ client: [CLIENT, 40010], server: [SERVER, 22] });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', hello('ssh.example.org'));
    c.send('server', ascii('SSH-2.0-OpenSSH_9.6\r\n'));
    c.fin('server');
    const e = errors(await run(pcapFile({ linkType: c.linkType }, c.frames)));
    expect(e.map((v) => v.cause)).toEqual(['tls.not_tls']);
    expect(e[0]!.details['answerStarts']).toBe('SSH-2.0-OpenSSH_9.6');
    expect(verdictWords(e[0]!, 'en').explanation).toContain('"SSH-2.0-OpenSSH_9.6"');
  });

  it('binary bytes are escaped, and the text is bounded', async () => {
    const c = new TcpConversation({ client: [CLIENT, 40011], server: [SERVER, 5432] });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', hello('db.example.org'));
    const answer = new Uint8Array(200).fill(0x41);
    answer[0] = 0x4e;
    answer[1] = 0x00;
    c.send('server', answer);
    c.fin('server');
    const e = errors(await run(pcapFile({ linkType: c.linkType }, c.frames)));
    expect(e.map((v) => v.cause)).toEqual(['tls.not_tls']);
    const text = e[0]!.details['answerStarts'] as string;
    expect(text.startsWith('N\\x00AAA')).toBe(true);
    expect(text.length).toBeLessThanOrEqual(64 + 3);
  });

  it('a TLS answer that breaks later is not "plain text"', async () => {
    const c = new TcpConversation({ client: [CLIENT, 40012], server: [SERVER, 443] });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', hello());
    // A valid record header, then bytes that are not a record: broken, but TLS was spoken.
    c.send('server', new Uint8Array([...handshakeRecord([new Uint8Array([14, 0, 0, 0])]), ...ascii('garbage!')]));
    c.fin('server');
    const causes = errors(await run(pcapFile({ linkType: c.linkType }, c.frames))).map((v) => v.cause);
    expect(causes).not.toContain('tls.not_tls');
  });
});

describe('http.no_response, encrypted', () => {
  /**
   * A TLS 1.3 exchange: hello, the server's flight (ServerHello, CCS, four encrypted records),
   * the client's CCS + Finished, its request; then `server` (the records the server sends back
   * after the client's Finished, with the delay before them), then after `wait` s the client closes.
   */
  function tls13(port: number, server: Array<{ len: number; after: number }>, wait: number, alpn?: string[]): Uint8Array {
    const c = new TcpConversation({ client: [CLIENT, 40020], server: [SERVER, port] });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', hello('quiet.example.org', true, alpn));
    const sh = handshakeRecord([serverHello({ version: TLS_VERSION.TLS12, cipher: TLS_CIPHER.TLS_AES_128_GCM_SHA256, supportedVersion: TLS_VERSION.TLS13 })], TLS_VERSION.TLS12);
    c.send('server', new Uint8Array([...sh, ...changeCipherSpec(), ...applicationData(30, 0x0303, 1), ...applicationData(900, 0x0303, 2), ...applicationData(260, 0x0303, 3), ...applicationData(53, 0x0303, 4)]));
    c.ack('client');
    c.send('client', new Uint8Array([...changeCipherSpec(), ...applicationData(53, 0x0303, 5)]));
    c.send('client', applicationData(98, 0x0303, 6));
    for (const r of server) {
      c.wait(r.after);
      c.send('server', applicationData(r.len, 0x0303, 7));
      c.ack('client');
    }
    c.wait(wait);
    c.send('client', applicationData(19, 0x0303, 8)); // close_notify
    c.fin('client');
    c.fin('server');
    c.ack('client');
    return pcapFile({ linkType: c.linkType }, c.frames);
  }

  it('two equal session tickets, then silence until the client closes', async () => {
    const e = errors(await run(tls13(443, [{ len: 250, after: 0.005 }, { len: 250, after: 0.04 }], 5)));
    expect(e.map((v) => v.cause)).toEqual(['http.no_response']);
    expect(e[0]!.details).toMatchObject({ encrypted: true, tlsVersion: 'TLS1.3', tickets: 2, ticketLengths: [250, 250], requestLength: 98, closedBy: 'client' });
    expect(e[0]!.details['silenceSeconds']).toBeCloseTo(5, 0);
    expect(e[0]!.limits.map((l) => l.kind)).toEqual(['encrypted_inferred']);
    expect(verdictWords(e[0]!, 'en').summary).toMatch(/HTTPS request was sent but no answer came/);
    expect(verdictWords(e[0]!, 'zh').summary).toMatch(/HTTPS 请求已发出/);
  });

  it('no tickets at all, then silence: no response either', async () => {
    expect(errors(await run(tls13(443, [], 5))).map((v) => v.cause)).toEqual(['http.no_response']);
  });

  it('not claimed: a response after the tickets, one record of unknown kind, tickets of two sizes, a late small record', async () => {
    // Tickets, then the response: the client then waits before closing (keep-alive).
    expect(errors(await run(tls13(443, [{ len: 250, after: 0.005 }, { len: 250, after: 0.001 }, { len: 1400, after: 0.01 }], 5)))).toEqual([]);
    // One record: a ticket and a tiny response look alike.
    expect(errors(await run(tls13(443, [{ len: 250, after: 0.005 }], 5)))).toEqual([]);
    // Two records of different sizes: a ticket and a response.
    expect(errors(await run(tls13(443, [{ len: 250, after: 0.005 }, { len: 180, after: 0.01 }], 5)))).toEqual([]);
    // Two equal records, the second seconds after the request: not tickets.
    expect(errors(await run(tls13(443, [{ len: 250, after: 0.005 }, { len: 250, after: 3 }], 5)))).toEqual([]);
  });

  it('HTTPS only: HTTP offered in ALPN, or an HTTPS port', async () => {
    const tickets = [{ len: 250, after: 0.005 }, { len: 250, after: 0.04 }];
    expect(errors(await run(tls13(8883, tickets, 5))).map((v) => v.cause)).toEqual(['http.no_response']);
    expect(errors(await run(tls13(443, tickets, 5, []))).map((v) => v.cause)).toEqual(['http.no_response']);
    // MQTT over TLS (8883) without ALPN: not an HTTP exchange, not judged as one.
    expect(errors(await run(tls13(8883, tickets, 5, [])))).toEqual([]);
  });

  it('a capture that ends soon after the request, the connection open, claims nothing', async () => {
    const c = new TcpConversation({ client: [CLIENT, 40021], server: [SERVER, 443] });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', hello('quiet.example.org', true));
    const sh = handshakeRecord([serverHello({ version: TLS_VERSION.TLS12, cipher: TLS_CIPHER.TLS_AES_128_GCM_SHA256, supportedVersion: TLS_VERSION.TLS13 })], TLS_VERSION.TLS12);
    c.send('server', new Uint8Array([...sh, ...changeCipherSpec(), ...applicationData(900, 0x0303, 2), ...applicationData(53, 0x0303, 4)]));
    c.send('client', new Uint8Array([...changeCipherSpec(), ...applicationData(53, 0x0303, 5)]));
    c.send('client', applicationData(98, 0x0303, 6));
    c.wait(3);
    c.ack('server');
    expect(errors(await run(pcapFile({ linkType: c.linkType }, c.frames)))).toEqual([]);
  });
});
