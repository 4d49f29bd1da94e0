/**
 * http.no_response on encrypted exchanges beyond the TLS 1.3 two-ticket case, built packet by
 * packet: TLS 1.2 (nothing after the server's Finished), records that reached the capture before
 * the request (a single TLS 1.3 ticket, an HTTP/2 server's SETTINGS), HTTP/2 SETTINGS
 * acknowledgements told by their exact size; and what must not be claimed (a record that may be an
 * answer, a capture cut soon after the request, a reset, a non-HTTP port).
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import {
  TcpConversation, pcapFile, handshakeRecord, handshake, clientHello, serverHello, certificateMsg, serverHelloDone,
  clientKeyExchangeRsa, changeCipherSpec, applicationData, encryptedHandshake, tlsRecord, filler, testCertDer,
  TLS_VERSION, TLS_CIPHER, TLS_HS,
} from '../helpers/index.js';

async function run(bytes: Uint8Array): Promise<Report> {
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

const errors = (r: Report) => r.verdicts.filter((v) => v.severity === 'error');
const causes = async (b: Uint8Array) => errors(await run(b)).map((v) => v.cause);
const SERVER = '198.51.100.30';
const CLIENT = '192.0.2.10';
const CHACHA12 = 0xcca8; // TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256

/** An encrypted TLS 1.2 alert (close_notify under AES-GCM: 2 bytes + 24). */
const encryptedAlert12 = () => tlsRecord(21, TLS_VERSION.TLS12, filler(26, 31));

interface Tls12 {
  port?: number;
  cipher?: number;
  /** ALPN offered by the client, and the one the server chose (in its clear ServerHello). */
  offer?: string[];
  alpn?: string;
  /** The server sends a NewSessionTicket (in clear, before its ChangeCipherSpec). */
  ticket?: boolean;
  /** Server records right after its Finished, before the request (sent unasked). */
  unasked?: number[];
  /** The client sends its request before the server's ChangeCipherSpec (False Start). */
  falseStart?: boolean;
  /** An abbreviated (resumed) handshake: the server's CCS + Finished come first. */
  resumed?: boolean;
  /** The client's request record (bytes of its body; 107 by default). */
  request?: number;
  /** Server records after the request, each `after` s after the previous packet. */
  server?: Array<{ len: number; after: number; type?: number }>;
  /** The server's answer (a 1400-byte record) went out, but the capture missed its first segment. */
  lostAnswer?: boolean;
  /** Before it closes, the client sends a record of this size (an HTTP/2 GOAWAY with debug data). */
  goaway?: number;
  /** Seconds of silence, then how the client (or the capture) ends. */
  wait: number;
  end?: 'alert' | 'fin' | 'rst' | 'server-rst' | 'capture';
}

/** A TLS 1.2 exchange, client side capture. */
function tls12(o: Tls12): Uint8Array {
  const cipher = o.cipher ?? TLS_CIPHER.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
  // In 2025: the test certificate is valid 2024 .. 2049.
  const c = new TcpConversation({ client: [CLIENT, 40200], server: [SERVER, o.port ?? 443], start: 1_760_000_000 });
  c.syn();
  c.synAck();
  c.ack('client');
  c.send('client', handshakeRecord([clientHello({ ciphers: [cipher], sni: 'www.example.com', alpn: o.offer ?? ['h2', 'http/1.1'] })], TLS_VERSION.TLS10));
  const sh = serverHello({ cipher, ...(o.alpn !== undefined ? { alpn: o.alpn } : {}) });
  const serverFinish = () => {
    const t = o.ticket ? handshakeRecord([handshake(TLS_HS.NEW_SESSION_TICKET, filler(180, 5))]) : new Uint8Array(0);
    const early = (o.unasked ?? []).map((n, i) => applicationData(n, TLS_VERSION.TLS12, 40 + i));
    c.send('server', new Uint8Array([...t, ...changeCipherSpec(), ...encryptedHandshake(40), ...early.flatMap((x) => [...x])]));
  };
  if (o.resumed) {
    c.send('server', handshakeRecord([sh]));
    serverFinish();
    c.send('client', new Uint8Array([...changeCipherSpec(), ...encryptedHandshake(40)]));
    c.send('client', applicationData(o.request ?? 107, TLS_VERSION.TLS12, 6));
  } else {
    c.send('server', handshakeRecord([sh, certificateMsg([testCertDer('valid')]), serverHelloDone()]));
    c.ack('client');
    c.send('client', new Uint8Array([...handshakeRecord([clientKeyExchangeRsa()]), ...changeCipherSpec(), ...encryptedHandshake(40)]));
    if (o.falseStart) {
      c.send('client', applicationData(o.request ?? 107, TLS_VERSION.TLS12, 6));
      serverFinish();
    } else {
      serverFinish();
      c.send('client', applicationData(o.request ?? 107, TLS_VERSION.TLS12, 6));
    }
  }
  for (const r of o.server ?? []) {
    c.wait(r.after);
    c.send('server', r.type === undefined ? applicationData(r.len, TLS_VERSION.TLS12, 7) : tlsRecord(r.type, TLS_VERSION.TLS12, filler(r.len, 8)));
    c.ack('client');
  }
  if (o.lostAnswer) {
    const rec = applicationData(1400, TLS_VERSION.TLS12, 12);
    c.wait(0.02);
    c.send('server', rec.subarray(0, 700));
    c.frames.pop();
    c.send('server', rec.subarray(700));
    c.ack('client');
  }
  c.wait(o.wait);
  if (o.goaway !== undefined) c.send('client', applicationData(o.goaway, TLS_VERSION.TLS12, 13));
  switch (o.end ?? 'alert') {
    case 'alert':
      c.send('client', encryptedAlert12());
      c.fin('server');
      c.fin('client');
      c.ack('server');
      break;
    case 'fin':
      c.fin('client');
      c.fin('server');
      c.ack('client');
      break;
    case 'rst':
      c.rst('client');
      break;
    case 'server-rst':
      c.rst('server');
      break;
    case 'capture':
      c.ack('server');
      break;
  }
  return pcapFile({ linkType: c.linkType }, c.frames);
}

describe('http.no_response over TLS 1.2', () => {
  it('the handshake completes, the request goes out, nothing comes back until the client closes', async () => {
    const e = errors(await run(tls12({ ticket: true, wait: 5 })));
    expect(e.map((v) => v.cause)).toEqual(['http.no_response']);
    const d = e[0]!.details;
    expect(d).toMatchObject({ encrypted: true, tlsVersion: 'TLS1.2', sni: 'www.example.com', tickets: 0, ticketLengths: [], requestLength: 107, closedBy: 'client' });
    expect(d['otherRecords']).toBeUndefined();
    expect(d['silenceSeconds']).toBeCloseTo(5, 0);
    // The client's close_notify (an alert record, type in clear) says who ended it, though the server's FIN came first.
    expect(e[0]!.evidence.map((x) => x.kind)).toEqual(['encrypted_request', 'client_close_alert']);
    expect(e[0]!.limits.map((l) => l.kind)).toEqual(['encrypted_records']);
    const w = verdictWords(e[0]!, 'en');
    expect(w.explanation).toMatch(/The server sent nothing after the handshake for 5(\.0)? s, until the client gave up/);
    expect(verdictWords(e[0]!, 'zh').explanation).toMatch(/握手之后服务器什么也没有发送/);
  });

  it('also after a False Start request, a resumed handshake, a FIN or a RST from the client', async () => {
    expect(await causes(tls12({ falseStart: true, wait: 5 }))).toEqual(['http.no_response']);
    expect(await causes(tls12({ resumed: true, wait: 5 }))).toEqual(['http.no_response']);
    const fin = errors(await run(tls12({ wait: 5, end: 'fin' })));
    expect(fin.map((v) => v.cause)).toEqual(['http.no_response']);
    expect(fin[0]!.evidence.map((x) => x.kind)).toEqual(['encrypted_request', 'fin']);
    expect(await causes(tls12({ wait: 5, end: 'rst' }))).toEqual(['http.no_response']);
  });

  it('not claimed: a client that closed less than a second after its request (it did not wait)', async () => {
    expect(await causes(tls12({ wait: 0.3, end: 'fin' }))).toEqual([]);
    expect(await causes(tls12({ wait: 0.3, end: 'rst' }))).toEqual([]);
    expect(await causes(tls12({ wait: 0.3 }))).toEqual([]);
    expect(await causes(tls12({ wait: 1.2 }))).toEqual(['http.no_response']);
  });

  it('the capture ending: 12 s after the request is a failure, 1 s after is nothing either way', async () => {
    const long = errors(await run(tls12({ wait: 12, end: 'capture' })));
    expect(long.map((v) => v.cause)).toEqual(['http.no_response']);
    expect(long[0]!.details['closedBy']).toBeNull();
    expect(await causes(tls12({ wait: 1, end: 'capture' }))).toEqual([]);
  });

  it('the capture ending within the wait for an answer, the connection open: capture.ended_early, not "worked"', async () => {
    for (const wait of [1, 8]) {
      const r = await run(tls12({ wait, end: 'capture' }));
      const v = r.verdicts.find((x) => x.target.ip === SERVER)!;
      expect([v.cause, v.severity, v.details['lastSent']]).toEqual(['capture.ended_early', 'warning', 'request']);
      expect(v.evidence.map((e) => e.kind)).toEqual(['encrypted_request']);
      expect(verdictWords(v, 'en').summary).toContain('too soon to tell');
    }
    // Answered before the capture ended: it worked.
    const answered = await run(tls12({ server: [{ len: 1400, after: 0.05 }], wait: 1, end: 'capture' }));
    expect(answered.verdicts.find((x) => x.target.ip === SERVER)!.cause).toBe('ok');
  });

  it('not claimed: any record from the server after its Finished and the request, large or small', async () => {
    expect(await causes(tls12({ server: [{ len: 1400, after: 0.02 }], wait: 5 }))).toEqual([]);
    expect(await causes(tls12({ server: [{ len: 60, after: 0.02 }], wait: 5 }))).toEqual([]);
    // Its own encrypted alert (close_notify or a fatal one: unreadable) is not claimed either.
    expect(await causes(tls12({ server: [{ len: 26, after: 0.02, type: 21 }], wait: 5 }))).toEqual([]);
    // An empty-frame-sized record without HTTP/2 chosen: 9 bytes of an HTTP/1.1 answer.
    expect(await causes(tls12({ alpn: 'http/1.1', server: [{ len: 33, after: 0.02 }], wait: 5 }))).toEqual([]);
  });

  it('not claimed: the capture missed a segment of the server\'s stream (its records after the hole are unknown)', async () => {
    expect(await causes(tls12({ lostAnswer: true, wait: 5 }))).toEqual([]);
  });

  it('not claimed: the server reset (tcp.reset tells), a non-HTTP port without ALPN', async () => {
    expect(await causes(tls12({ wait: 5, end: 'server-rst' }))).not.toContain('http.no_response');
    expect(await causes(tls12({ port: 8883, offer: [], wait: 5 }))).toEqual([]);
    expect(await causes(tls12({ port: 8883, offer: ['http/1.1'], wait: 5 }))).toEqual(['http.no_response']);
  });
});

describe('http.no_response over TLS 1.2 with HTTP/2 (ALPN h2 in the clear ServerHello)', () => {
  it('the server\'s SETTINGS before the request and its SETTINGS acknowledgement after it are no answer', async () => {
    const e = errors(await run(tls12({ alpn: 'h2', unasked: [45], request: 420, server: [{ len: 33, after: 0.02 }], wait: 5 })));
    expect(e.map((v) => v.cause)).toEqual(['http.no_response']);
    expect(e[0]!.details).toMatchObject({ tickets: 0, requestLength: 420, otherRecords: [{ kind: 'unasked', length: 45 }, { kind: 'settings_ack', length: 33 }] });
    expect(e[0]!.evidence.map((x) => x.kind)).toEqual(['unasked_record', 'encrypted_request', 'h2_settings_ack', 'client_close_alert']);
    expect(verdictWords(e[0]!, 'en').explanation).toMatch(/only 1 small record that arrived before the request .* and 1 empty HTTP\/2 frame/);
    expect(verdictWords(e[0]!, 'zh').explanation).toMatch(/空的 HTTP\/2 帧/);
  });

  it('not claimed: a client that sent no more than an HTTP/2 preface (a preconnect) to a server alive at HTTP/2', async () => {
    // 24-byte preface + SETTINGS + WINDOW_UPDATE: about 90 bytes, + 24 of GCM.
    expect(await causes(tls12({ alpn: 'h2', unasked: [45], request: 114, server: [{ len: 33, after: 0.02 }], wait: 5 }))).toEqual([]);
    expect(await causes(tls12({ alpn: 'h2', unasked: [45], request: 114, wait: 5 }))).toEqual([]);
    // A preconnect the browser closes with a GOAWAY carrying debug data, seconds later: not a request.
    expect(await causes(tls12({ alpn: 'h2', unasked: [45], request: 114, server: [{ len: 33, after: 0.02 }], goaway: 200, wait: 5 }))).toEqual([]);
    expect(await causes(tls12({ alpn: 'h2', unasked: [45], request: 420, server: [{ len: 33, after: 0.02 }], goaway: 200, wait: 5 }))).toEqual(['http.no_response']);
    // A server that sends nothing at all, not even its SETTINGS, is not alive at HTTP/2: claimed whatever the client sent.
    expect(await causes(tls12({ alpn: 'h2', request: 114, wait: 5 }))).toEqual(['http.no_response']);
  });

  it('the acknowledgement\'s size follows the cipher: ChaCha20-Poly1305 adds 16 bytes, not 24; CBC is not judged', async () => {
    expect(await causes(tls12({ cipher: CHACHA12, alpn: 'h2', request: 420, server: [{ len: 25, after: 0.02 }], wait: 5 }))).toEqual(['http.no_response']);
    // 33 bytes under ChaCha20 are 17 bytes of plaintext: a PING or a GOAWAY, not an empty frame.
    expect(await causes(tls12({ cipher: CHACHA12, alpn: 'h2', request: 420, server: [{ len: 33, after: 0.02 }], wait: 5 }))).toEqual([]);
    expect(await causes(tls12({ cipher: TLS_CIPHER.TLS_RSA_WITH_AES_128_CBC_SHA, alpn: 'h2', request: 420, server: [{ len: 48, after: 0.02 }], wait: 5 }))).toEqual([]);
  });

  it('not claimed: a record after the request that is not an empty frame (a HEADERS), or too many acknowledgements', async () => {
    expect(await causes(tls12({ alpn: 'h2', unasked: [45], request: 420, server: [{ len: 33, after: 0.02 }, { len: 52, after: 0.01 }], wait: 5 }))).toEqual([]);
    expect(await causes(tls12({ alpn: 'h2', request: 420, server: [{ len: 33, after: 0.02 }, { len: 33, after: 0.01 }, { len: 33, after: 0.01 }], wait: 5 }))).toEqual([]);
  });
});

describe('http.no_response over TLS 1.3: records that came before the request, HTTP/2 acknowledgements', () => {
  /**
   * TLS 1.3: the server's flight, the client's CCS + Finished; `before` (server records that arrive
   * before the client's request), the request, then `server` records and `wait` s of silence.
   */
  function tls13(o: { before?: number[]; server?: Array<{ len: number; after: number }>; wait: number; offer?: string[]; earlyData?: boolean; request?: number }): Uint8Array {
    const c = new TcpConversation({ client: [CLIENT, 40300], server: [SERVER, 443] });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', handshakeRecord([clientHello({
      ciphers: [TLS_CIPHER.TLS_AES_128_GCM_SHA256], sni: 'quiet.example.org', alpn: o.offer ?? ['h2', 'http/1.1'],
      supportedVersions: [TLS_VERSION.TLS13], keyShareGroups: [29],
    })], TLS_VERSION.TLS10));
    // 0-RTT: a request sent with the ClientHello, under the resumption keys.
    if (o.earlyData) c.send('client', new Uint8Array([...changeCipherSpec(), ...applicationData(120, 0x0303, 11)]));
    const sh = handshakeRecord([serverHello({ version: TLS_VERSION.TLS12, cipher: TLS_CIPHER.TLS_AES_128_GCM_SHA256, supportedVersion: TLS_VERSION.TLS13 })], TLS_VERSION.TLS12);
    c.send('server', new Uint8Array([...sh, ...changeCipherSpec(), ...applicationData(30, 0x0303, 1), ...applicationData(900, 0x0303, 2), ...applicationData(260, 0x0303, 3), ...applicationData(53, 0x0303, 4)]));
    c.ack('client');
    c.send('client', new Uint8Array([...(o.earlyData ? [] : changeCipherSpec()), ...applicationData(53, 0x0303, 5)]));
    for (const n of o.before ?? []) {
      c.wait(0.01);
      c.send('server', applicationData(n, 0x0303, 9));
    }
    c.wait(0.005);
    c.send('client', applicationData(o.request ?? 98, 0x0303, 6));
    for (const r of o.server ?? []) {
      c.wait(r.after);
      c.send('server', applicationData(r.len, 0x0303, 7));
      c.ack('client');
    }
    c.wait(o.wait);
    c.send('client', applicationData(19, 0x0303, 8));
    c.fin('client');
    c.fin('server');
    c.ack('client');
    return pcapFile({ linkType: c.linkType }, c.frames);
  }

  it('one ticket that arrived before the request, then silence: claimed', async () => {
    const e = errors(await run(tls13({ offer: ['http/1.1'], before: [250], wait: 5 })));
    expect(e.map((v) => v.cause)).toEqual(['http.no_response']);
    expect(e[0]!.details).toMatchObject({ tlsVersion: 'TLS1.3', tickets: 0, otherRecords: [{ kind: 'unasked', length: 250 }] });
    expect(e[0]!.limits.map((l) => l.kind)).toEqual(['encrypted_records']);
    // HTTP/2 offered: the record may be the server's SETTINGS, so a request beyond a preface must show.
    expect(await causes(tls13({ before: [250], wait: 5 }))).toEqual([]);
    expect(await causes(tls13({ before: [250], request: 400, wait: 5 }))).toEqual(['http.no_response']);
  });

  it('two tickets, one before the request and one after it, of one size: claimed as two tickets', async () => {
    const e = errors(await run(tls13({ before: [250], server: [{ len: 250, after: 0.03 }], wait: 5 })));
    expect(e.map((v) => v.cause)).toEqual(['http.no_response']);
    expect(e[0]!.details).toMatchObject({ tickets: 2, ticketLengths: [250, 250] });
    expect(e[0]!.details['otherRecords']).toBeUndefined();
  });

  it('one record after the request stays unclaimed, also after one that came before it of another size', async () => {
    expect(await causes(tls13({ server: [{ len: 250, after: 0.03 }], wait: 5 }))).toEqual([]);
    expect(await causes(tls13({ before: [250], server: [{ len: 180, after: 0.03 }], wait: 5 }))).toEqual([]);
    // Unasked records are no answer, but what came after the request still must be shown to be none.
    expect(await causes(tls13({ before: [250], server: [{ len: 1400, after: 0.03 }], wait: 5 }))).toEqual([]);
  });

  it('HTTP/2 offered: two tickets and a 26-byte record (an empty frame: the SETTINGS acknowledgement) are no answer', async () => {
    const tickets = [{ len: 250, after: 0.005 }, { len: 250, after: 0.001 }];
    const e = errors(await run(tls13({ request: 400, server: [...tickets, { len: 26, after: 0.001 }], wait: 5 })));
    expect(e.map((v) => v.cause)).toEqual(['http.no_response']);
    // The client sent no more than a preface (a preconnect; the server's SETTINGS came in its flight): not claimed.
    expect(await causes(tls13({ request: 110, server: [...tickets, { len: 26, after: 0.001 }], wait: 5 }))).toEqual([]);
    expect(e[0]!.details).toMatchObject({ tickets: 2, otherRecords: [{ kind: 'settings_ack', length: 26 }] });
    // 27 bytes: a 10-byte frame (a HEADERS with one indexed field is one): maybe an answer.
    expect(await causes(tls13({ request: 400, server: [...tickets, { len: 27, after: 0.001 }], wait: 5 }))).toEqual([]);
    // HTTP/2 not offered: 9 bytes of something else.
    expect(await causes(tls13({ offer: ['http/1.1'], request: 400, server: [...tickets, { len: 26, after: 0.001 }], wait: 5 }))).toEqual([]);
    // The server's own SETTINGS after the request may share its record with an answer: not claimed.
    expect(await causes(tls13({ request: 400, server: [...tickets, { len: 57, after: 0.001 }, { len: 26, after: 0.001 }], wait: 5 }))).toEqual([]);
  });

  it('TLS 1.3 too: two tickets, then the client closes after 0.3 s: not claimed (it did not wait)', async () => {
    const tickets = [{ len: 250, after: 0.005 }, { len: 250, after: 0.001 }];
    expect(await causes(tls13({ server: tickets, wait: 0.3 }))).toEqual([]);
    expect(await causes(tls13({ server: tickets, wait: 1.5 }))).toEqual(['http.no_response']);
  });

  it('not judged after early data (0-RTT): its answer may have come inside the server\'s flight', async () => {
    const tickets = [{ len: 250, after: 0.005 }, { len: 250, after: 0.001 }];
    expect(await causes(tls13({ server: tickets, wait: 5 }))).toEqual(['http.no_response']);
    expect(await causes(tls13({ earlyData: true, server: tickets, wait: 5 }))).toEqual([]);
    expect(await causes(tls13({ earlyData: true, before: [250], wait: 5 }))).toEqual([]);
  });
});
