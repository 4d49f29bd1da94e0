import { describe, expect, it } from 'vitest';
import { TlsAnalyzer, tlsEstablished, looksLikeClientHello } from '../../src/track/tls.js';
import {
  alert, applicationData, certificateMsg, changeCipherSpec, clientHello, concat, encryptedHandshake, handshakeRecord,
  serverHello, serverHelloDone, sslv2ClientHello, testCertDer, TLS_ALERT, TLS_CIPHER, TLS_VERSION, tlsRecord, clientKeyExchangeRsa,
} from '../helpers/build.js';

const CH13 = handshakeRecord([clientHello({ ciphers: [TLS_CIPHER.TLS_AES_128_GCM_SHA256], sni: 'www.example.com', alpn: ['h2', 'http/1.1'], supportedVersions: [0x0304, 0x0303], keyShareGroups: [29] })], 0x0301);
const CH12 = handshakeRecord([clientHello({ ciphers: [0xc02f, 0x009c], sni: 'api.example.net' })], 0x0301);

/** Feeds `bytes` in pieces cut at `cuts`, one frame number per piece. */
function feed(a: TlsAnalyzer, conn: object, fromOrig: boolean, bytes: Uint8Array, cuts: number[], frame0: number): number {
  let prev = 0;
  let f = frame0;
  for (const c of [...cuts, bytes.length]) {
    a.data(conn, fromOrig, bytes.subarray(prev, c), f++, f);
    prev = c;
  }
  return f;
}

describe('TLS tracking', () => {
  it('recognises hellos by content', () => {
    expect(looksLikeClientHello(CH13, 0, CH13.length)).toBe(true);
    const v2 = sslv2ClientHello({ ciphers: [0x010080, 0x00002f] });
    expect(looksLikeClientHello(v2, 0, v2.length)).toBe(true);
    expect(looksLikeClientHello(new TextEncoder().encode('GET / HTTP/1.1\r\n'), 0, 16)).toBe(false);
  });

  it('a ClientHello split across three segments completes on the third frame', () => {
    const a = new TlsAnalyzer({ events: true });
    const c = {};
    a.start(c, true);
    feed(a, c, true, CH13, [3, 40], 10);
    const s = a.session(c)!;
    expect(s.clientHello).toMatchObject({ frame: 12, sni: 'www.example.com', alpn: ['h2', 'http/1.1'], versions: [0x0304, 0x0303] });
    expect(s.events).toEqual([{ frame: 12, fromClient: true, kind: 'hs', value: 1, extra: 0 }]);
  });

  it('events are kept only when asked for; the session facts are the same without them', () => {
    const a = new TlsAnalyzer();
    const c = {};
    a.start(c, true);
    feed(a, c, true, CH13, [3, 40], 10);
    const s = a.session(c)!;
    expect(s.clientHello).toMatchObject({ frame: 12, sni: 'www.example.com', alpn: ['h2', 'http/1.1'], versions: [0x0304, 0x0303] });
    expect(s.events).toEqual([]);
  });

  it('a handshake message spanning two records (record fragmentation) is reassembled', () => {
    const msg = clientHello({ ciphers: [0x1301], sni: 'frag.example.org', supportedVersions: [0x0304] });
    const r1 = tlsRecord(22, 0x0301, msg.subarray(0, 30));
    const r2 = tlsRecord(22, 0x0301, msg.subarray(30));
    const a = new TlsAnalyzer({ events: true });
    const c = {};
    a.start(c, true);
    a.data(c, true, r1, 1, 1);
    expect(a.session(c)!.clientHello).toBeNull();
    a.data(c, true, r2, 2, 2);
    expect(a.session(c)!.clientHello?.sni).toBe('frag.example.org');
  });

  it('TLS 1.2: several records in one segment, certificate in clear, alert from the client', () => {
    const a = new TlsAnalyzer({ events: true });
    const c = {};
    a.start(c, true);
    a.data(c, true, CH12, 4, 1.0);
    const flight = concat([
      handshakeRecord([serverHello({ cipher: 0xc02f })]),
      handshakeRecord([certificateMsg([testCertDer('valid')])]),
      handshakeRecord([serverHelloDone()]),
    ]);
    feed(a, c, false, flight, [1000], 6);
    a.data(c, true, alert(2, TLS_ALERT.unknown_ca), 9, 1.2);
    const s = a.session(c)!;
    expect(s.serverHello).toMatchObject({ version: 0x0303, cipher: 0xc02f });
    expect(s.certificates).toHaveLength(1);
    expect(s.certificates[0]!.sanDns.length).toBeGreaterThan(0);
    expect(s.alerts).toEqual([{ frame: 9, ts: 1.2, fromClient: true, level: 2, description: 48 }]);
    expect(s.events.filter((e) => e.kind === 'hs').map((e) => e.value)).toEqual([1, 2, 11, 14]);
    expect(tlsEstablished(s)).toBe(false);
  });

  it('TLS 1.2 completed handshake: CCS both ways and encrypted Finished', () => {
    const a = new TlsAnalyzer({ events: true });
    const c = {};
    a.start(c, true);
    a.data(c, true, CH12, 1, 1);
    a.data(c, false, concat([handshakeRecord([serverHello({ cipher: 0xc02f }), serverHelloDone()])]), 2, 2);
    a.data(c, true, concat([handshakeRecord([clientKeyExchangeRsa()]), changeCipherSpec(), encryptedHandshake()]), 3, 3);
    a.data(c, false, concat([changeCipherSpec(), encryptedHandshake()]), 4, 4);
    a.data(c, true, alert(2, 10).subarray(0, 5), 5, 5); // a cut record is kept pending, not misread
    const s = a.session(c)!;
    expect(tlsEstablished(s)).toBe(true);
    expect(s.alerts).toEqual([]);
  });

  it('TLS 1.3: server encrypted flight, then client Finished = established; encrypted alerts are not decoded', () => {
    const a = new TlsAnalyzer({ events: true });
    const c = {};
    a.start(c, true);
    a.data(c, true, CH13, 1, 1);
    a.data(c, false, concat([handshakeRecord([serverHello({ cipher: 0x1301, supportedVersion: 0x0304 })], 0x0303), changeCipherSpec(), applicationData(900, 0x0303), applicationData(300, 0x0303)]), 2, 2);
    const s = a.session(c)!;
    expect(s.serverHello?.version).toBe(TLS_VERSION.TLS13);
    expect(s.firstServerEncryptedFrame).toBe(2);
    expect(tlsEstablished(s)).toBe(false);
    a.data(c, true, concat([changeCipherSpec(), applicationData(53, 0x0303)]), 3, 3);
    expect(s.clientAfterServerFlight).toEqual([{ frame: 3, length: 53 }]);
    expect(tlsEstablished(s)).toBe(true);
  });

  it('server alert in reply to the ClientHello (protocol_version), and a HelloRetryRequest', () => {
    const a = new TlsAnalyzer({ events: true });
    const c = {};
    a.start(c, true);
    a.data(c, true, CH12, 1, 1);
    a.data(c, false, alert(2, TLS_ALERT.protocol_version), 2, 2);
    expect(a.session(c)!.alerts[0]).toMatchObject({ fromClient: false, description: 70 });
    const b = new TlsAnalyzer({ events: true });
    const d = {};
    b.start(d, true);
    b.data(d, true, CH13, 1, 1);
    b.data(d, false, handshakeRecord([serverHello({ cipher: 0x1301, supportedVersion: 0x0304, helloRetryRequest: true, keyShareGroup: 23 })], 0x0303), 2, 2);
    expect(b.session(d)!.helloRetryFrames).toEqual([2]);
    expect(b.session(d)!.serverHello).toBeNull();
  });

  it('plain text on a TLS connection marks that direction broken, without throwing', () => {
    const a = new TlsAnalyzer({ events: true });
    const c = {};
    a.start(c, true);
    a.data(c, true, CH12, 1, 1);
    a.data(c, false, new TextEncoder().encode('HTTP/1.1 400 Bad Request\r\n\r\n'), 2, 2);
    expect(a.session(c)!.broken).toEqual({ client: false, server: true });
  });

  it('SSLv2-compatible ClientHello', () => {
    const a = new TlsAnalyzer({ events: true });
    const c = {};
    a.start(c, true);
    a.data(c, true, sslv2ClientHello({ ciphers: [0x010080, 0x00002f], version: 0x0301 }), 1, 1);
    expect(a.session(c)!.clientHello).toMatchObject({ sslv2: true, versions: [0x0301], ciphers: [0x2f] });
  });
});
