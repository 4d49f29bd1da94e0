import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  alertName,
  cipherName,
  decodeAlert,
  decodeCertificate12,
  decodeCertificate13,
  decodeClientHello,
  decodeHandshakeMessages,
  decodeServerHello,
  decodeSslv2ClientHello,
  handshakeTypeName,
  isGrease,
  negotiatedVersion,
  tlsRecordHeader,
  tlsRecords,
  tlsVersionName,
  type TlsClientHello,
  type TlsServerHello,
} from '../../src/decode/tls.js';
import { decodeCertificate } from '../../src/decode/x509.js';
import { isStop } from '../../src/decode/stop.js';

function h(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/#.*$/gm, '').replace(/\s+/g, ''), 'hex'));
}
function fixture(name: string): Uint8Array {
  return h(readFileSync(new URL(`../fixtures/app/${name}`, import.meta.url), 'utf8'));
}
const DER = Uint8Array.from(readFileSync(new URL('../fixtures/app/wirewhy-test.der', import.meta.url)));

/** First complete handshake message of type `t` in the complete records of a payload. */
function hsBody(b: Uint8Array, t: number): { off: number; len: number } {
  for (const r of tlsRecords(b, 0, b.length)) {
    if (!r.complete || r.type !== 22) continue;
    for (const m of decodeHandshakeMessages(b, r.payloadOffset, r.length)) {
      if (m.complete && m.type === t) return { off: m.bodyOffset, len: m.length };
    }
  }
  throw new Error(`no handshake type ${t}`);
}

// zeek tls-1.2-handshake-failure.pcap frame 4: a TLS 1.0-record ClientHello with only
// 1.2-era ECDH(E) RC4/NULL/3DES suites; the server answers handshake_failure (frame 6).
const CH_FAILURE = h(`
  16 0301 00ad                  # record: handshake, TLS1.0, 173 bytes
  01 0000a9                     # client_hello, 169
  0303                          # legacy_version TLS1.2
  aaa3b6e3259f9c61ee29dde42820a73799972d6bf61ac2ea385a92c8ec5dae2f   # random
  00                            # session id: empty
  0012 c010 c006 c015 c00b c001 003b 0002 0001 00ff   # 9 cipher suites
  02 01 00                      # compression: DEFLATE, null
  006d                          # extensions, 109 bytes
  000b 0004 03 000102           # ec_point_formats
  000a 0034 0032 000e000d0019000b000c00180009000a00160017000800060007001400150004000500120013000100020003000f00100011  # supported_groups (25)
  0023 0000                     # session_ticket
  000d 0020 001e 060106020603050105020503040104020403030103020303020102020203   # signature_algorithms (15)
  000f 0001 01                  # heartbeat
`);
const ALERT_FAILURE = h(`15 0303 0002  02 28   # alert record: fatal(2) handshake_failure(40)`);

// zeek sslv2.pcap frame 4: SSLv2 CLIENT-HELLO.
const SSLV2 = h(`
  802e                          # 2-byte header, high bit set, length 46
  01                            # CLIENT-HELLO
  0002                          # version SSLv2
  0015 0000 0010                # cipher specs 21 bytes, session id 0, challenge 16
  0700c0 050080 030080 010080 060040 040080 020080   # 7 V2CipherSpecs
  1c30e2b12f4c04525476f280c07abee5                   # challenge
`);

// Synthetic HelloRetryRequest (RFC 8446 §4.1.4): random = the §4.1.3 constant.
const HRR = h(`
  16 0303 0058                  # record: handshake, 88 bytes
  02 000054                     # server_hello, 84
  0303                          # legacy_version
  cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c   # SHA-256("HelloRetryRequest")
  20 1111111111111111111111111111111111111111111111111111111111111111   # echoed session id
  1301 00                       # TLS_AES_128_GCM_SHA256, null compression
  000c                          # extensions, 12 bytes
  002b 0002 0304                # supported_versions: TLS1.3
  0033 0002 0017                # key_share: selected_group secp256r1
`);

describe('records and handshake framing', () => {
  test('tlsRecordHeader is a cheap yes/no/cut', () => {
    expect(tlsRecordHeader(CH_FAILURE, 0, CH_FAILURE.length)).toEqual({ type: 22, version: 0x0301, length: 173 });
    expect(tlsRecordHeader(h('474554202f20'), 0, 6)).toBeNull(); // "GET / "
    expect(tlsRecordHeader(h('1702030000'), 0, 5)).toBeNull(); // major 2
    expect(tlsRecordHeader(h('16'), 0, 1)).toMatchObject({ stop: 'truncated' });
    expect(tlsRecordHeader(h('160303'), 0, 3)).toMatchObject({ stop: 'truncated' });
    expect(tlsRecordHeader(h('1703034801'), 0, 5)).toMatchObject({ stop: 'malformed' });
    expect(tlsRecordHeader(new Uint8Array(0), 0, 0)).toBeNull();
  });

  test('records in a segment: warning alert, ServerHello, then a cut Certificate (zeek tls-early-alert.pcap)', () => {
    const b = fixture('tls12-early-alert-server.hex');
    const rs = tlsRecords(b, 0, b.length);
    expect(rs).toEqual([
      { complete: true, type: 21, version: 0x0303, length: 2, payloadOffset: 5 },
      { complete: true, type: 22, version: 0x0303, length: 65, payloadOffset: 12 },
      { complete: false, offset: 77, have: 1371, need: 3320 },
    ]);
    const a = decodeAlert(b, 5, 2);
    expect(a).toEqual({ level: 1, description: 112 });
    expect(alertName(112)).toBe('unrecognized_name');
    const sh = decodeServerHello(b, 16, 61);
    expect(sh).toMatchObject({ cipher: 0xc02f, extensions: [0, 65281, 11, 35], supportedVersion: null });
    expect(sh.stop).toBeUndefined();
  });

  test('handshake messages sharing and spanning records', () => {
    const b = h('0e000000 0b000005 0000');
    expect(decodeHandshakeMessages(b, 0, b.length)).toEqual([
      { complete: true, type: 14, length: 0, bodyOffset: 4 },
      { complete: false, offset: 4, have: 6, need: 3 },
    ]);
    expect(decodeHandshakeMessages(b, 0, 2)).toEqual([{ complete: false, offset: 0, have: 2, need: 2 }]);
  });

  test('a non-TLS tail stops the record walk', () => {
    const b = h('15030300020228 474554');
    const rs = tlsRecords(b, 0, b.length);
    expect(rs[0]).toMatchObject({ complete: true, type: 21 });
    expect(rs[1]).toMatchObject({ complete: false, offset: 7, need: 0, stop: { stop: 'malformed' } });
  });
});

describe('ClientHello', () => {
  test('TLS 1.3 Chrome ClientHello with SNI, ALPN, supported_versions, key_share, GREASE (zeek tls13-chrome-x25519-kyber.pcap)', () => {
    const b = fixture('tls13-chrome-kyber-client-hello.hex');
    const { off, len } = hsBody(b, 1);
    const ch = decodeClientHello(b, off, len);
    // Values cross-checked against tshark's reading of the same frame (GREASE removed here).
    expect(ch.stop).toBeUndefined();
    expect(ch.legacyVersion).toBe(0x0303);
    expect(ch.random).toBe('56767d9ae8a843809398310469168e09e8543de551ed52fbd4403dea567ea1c1');
    expect(ch.sessionIdLength).toBe(32);
    expect(ch.sni).toBe('lh3.google.com');
    expect(ch.sniCount).toBe(1);
    expect(ch.alpn).toEqual(['h2', 'http/1.1']);
    expect(ch.supportedVersions).toEqual([0x0304, 0x0303]); // 0x8a8a GREASE dropped
    expect(ch.keyShareGroups).toEqual([0x6399, 0x001d]); // X25519Kyber768Draft00, x25519; 0xcaca dropped
    expect(ch.groups).toEqual([0x6399, 0x001d, 0x0017, 0x0018]);
    expect(ch.signatureAlgorithms).toEqual([0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]);
    expect(ch.ciphers).toEqual([0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035]);
    expect(ch.extensions).toEqual([35, 13, 11, 10, 27, 17513, 51, 16, 43, 23, 65281, 5, 45, 65037, 18, 0]);
    expect(ch.compression).toEqual([0]);
    expect(ch.grease).toBe(true);
  });

  test('TLS 1.2 ClientHello without SNI (zeek tls-1.2-handshake-failure.pcap)', () => {
    const ch = decodeClientHello(CH_FAILURE, 9, 169);
    expect(ch.stop).toBeUndefined();
    expect(ch.ciphers.map(cipherName)).toEqual([
      'TLS_ECDHE_RSA_WITH_NULL_SHA', 'TLS_ECDHE_ECDSA_WITH_NULL_SHA', 'TLS_ECDH_anon_WITH_NULL_SHA',
      'TLS_ECDH_RSA_WITH_NULL_SHA', 'TLS_ECDH_ECDSA_WITH_NULL_SHA', 'TLS_RSA_WITH_NULL_SHA256',
      'TLS_RSA_WITH_NULL_SHA', 'TLS_RSA_WITH_NULL_MD5', 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV',
    ]);
    expect(ch.sni).toBeNull();
    expect(ch.alpn).toEqual([]);
    expect(ch.supportedVersions).toEqual([]);
    expect(ch.extensions).toEqual([11, 10, 35, 13, 15]);
    expect(ch.groups).toHaveLength(25);
    expect(ch.signatureAlgorithms).toHaveLength(15);
    expect(ch.grease).toBe(false);
    expect(ch.compression).toEqual([1, 0]);
    expect(decodeAlert(ALERT_FAILURE, 5, 2)).toEqual({ level: 2, description: 40 });
    expect(alertName(40)).toBe('handshake_failure');
  });

  test('inconsistent inner lengths are malformed, earlier extensions kept', () => {
    // extensions: ec_point_formats ok, then SNI whose list length (0x10) overruns its data (4).
    const b = h(`0303 ${'00'.repeat(32)} 00 0002 1301 01 00  000e  000b 0002 01 00  0000 0004 0010 0000`);
    const ch = decodeClientHello(b, 0, b.length);
    expect(ch.extensions).toEqual([11]);
    expect(ch.stop).toMatchObject({ stop: 'malformed', reason: 'bad server_name list' });
    const odd = h(`0303 ${'00'.repeat(32)} 00 0003 130101 01 00`);
    expect(decodeClientHello(odd, 0, odd.length).stop).toMatchObject({ stop: 'malformed', reason: 'odd cipher suites length' });
  });
});

describe('ServerHello', () => {
  test('TLS 1.3 ServerHello (zeek tls13-chrome-x25519-kyber.pcap)', () => {
    const b = fixture('tls13-chrome-kyber-server-hello.hex');
    const { off, len } = hsBody(b, 2);
    const sh = decodeServerHello(b, off, len);
    expect(sh).toMatchObject({
      legacyVersion: 0x0303,
      cipher: 0x1301,
      supportedVersion: 0x0304,
      keyShareGroup: 0x6399,
      helloRetryRequest: false,
      downgrade: null,
      extensions: [51, 43],
      sessionIdLength: 32,
    });
    expect(tlsVersionName(negotiatedVersion(sh))).toBe('TLS1.3');
    expect(cipherName(sh.cipher)).toBe('TLS_AES_128_GCM_SHA256');
  });

  test('TLS 1.2 ServerHello with the DOWNGRD sentinel (ndpi selfsigned.pcap)', () => {
    const b = fixture('tls12-selfsigned-server-flight.hex');
    const { off, len } = hsBody(b, 2);
    const sh = decodeServerHello(b, off, len);
    expect(sh).toMatchObject({ legacyVersion: 0x0303, cipher: 0xc030, supportedVersion: null, extensions: [65281, 11], downgrade: 'tls12', alpn: null });
    expect(tlsVersionName(negotiatedVersion(sh))).toBe('TLS1.2');
    expect(cipherName(sh.cipher)).toBe('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');
  });

  test('HelloRetryRequest', () => {
    const sh = decodeServerHello(HRR, 9, 0x54);
    expect(sh).toMatchObject({ helloRetryRequest: true, supportedVersion: 0x0304, keyShareGroup: 0x0017, cipher: 0x1301, sessionIdLength: 32 });
    expect(sh.stop).toBeUndefined();
  });

  test('ServerHello ALPN', () => {
    const ok = h(`0303 ${'01'.repeat(32)} 00 c02f 00  0009  0010 0005 0003 02 6832   # ALPN ["h2"]`);
    expect(decodeServerHello(ok, 0, ok.length).alpn).toBe('h2');
    // RFC 7301 §3.1: a server selects exactly one protocol; two is malformed.
    const two = h(`0303 ${'01'.repeat(32)} 00 c02f 00  000c  0010 0008 0006 02 6832 02 6833`);
    expect(decodeServerHello(two, 0, two.length).stop).toMatchObject({ stop: 'malformed' });
  });
});

describe('Certificate', () => {
  test('TLS 1.2 Certificate from a real server flight; DER copied (ndpi selfsigned.pcap)', () => {
    const b = fixture('tls12-selfsigned-server-flight.hex');
    const { off, len } = hsBody(b, 11);
    const list = decodeCertificate12(b, off, len);
    expect(list.stop).toBeUndefined();
    expect(list.certs.map((c) => c.length)).toEqual([833]);
    const before = Uint8Array.from(list.certs[0]!);
    b.fill(0); // the capture buffer is reused: the kept DER must not change
    expect(list.certs[0]).toEqual(before);
    const c = decodeCertificate(list.certs[0]!);
    if (isStop(c)) throw new Error('stop');
    expect(c).toMatchObject({ subject: 'O=ntop.org, ST=Some-State, C=IT', notBefore: '2015-10-10T15:55:47Z', notAfter: '2016-10-09T15:55:47Z', serial: '916A4CD167871602', selfIssued: true });
  });

  test('Certificate message built around the test certificate', () => {
    const n = DER.length; // 542
    const msg = new Uint8Array(4 + 3 + 3 + n);
    msg.set([0x0b, 0, (n + 6) >> 8, (n + 6) & 0xff]); // certificate, length
    msg.set([0, (n + 3) >> 8, (n + 3) & 0xff], 4); // certificate_list length
    msg.set([0, n >> 8, n & 0xff], 7); // ASN.1Cert length
    msg.set(DER, 10);
    const list = decodeCertificate12(msg, 4, msg.length - 4);
    expect(list.certs).toEqual([DER]);
    // The same certificate as a TLS 1.3 CertificateEntry list with an empty context.
    const m13 = new Uint8Array(1 + 3 + 3 + n + 2);
    m13.set([0, 0, (n + 5) >> 8, (n + 5) & 0xff, 0, n >> 8, n & 0xff]);
    m13.set(DER, 7);
    expect(decodeCertificate13(m13, 0, m13.length).certs).toEqual([DER]);
  });

  test('empty and overrunning lists', () => {
    expect(decodeCertificate12(h('000000'), 0, 3)).toEqual({ certs: [] });
    expect(decodeCertificate12(h('000004 000005 0102'), 0, 8).stop).toMatchObject({ stop: 'malformed' });
    expect(decodeCertificate12(h('000008 000005 0102'), 0, 8).stop).toMatchObject({ stop: 'truncated' });
  });
});

describe('alerts and SSLv2', () => {
  test('encrypted alert is not decoded as plaintext (ndpi tls_alert.pcap frame 12)', () => {
    const b = h('150303001a 0000000000000002f7a86364654f35eb799400eee0965a599bf5');
    expect(decodeAlert(b, 5, 26)).toMatchObject({ stop: 'malformed' });
    expect(decodeAlert(b, 5, 1)).toMatchObject({ stop: 'truncated' });
  });

  test('SSLv2 CLIENT-HELLO (zeek sslv2.pcap)', () => {
    expect(decodeSslv2ClientHello(SSLV2, 0, SSLV2.length)).toEqual({
      version: 0x0002,
      ciphers: [0x0700c0, 0x050080, 0x030080, 0x010080, 0x060040, 0x040080, 0x020080],
      sessionIdLength: 0,
      challengeLength: 16,
    });
    expect(decodeSslv2ClientHello(CH_FAILURE, 0, CH_FAILURE.length)).toBeNull();
    expect(decodeSslv2ClientHello(h('474554202f20485454502f312e310d0a'), 0, 16)).toBeNull();
    expect(decodeSslv2ClientHello(SSLV2, 0, 20)).toMatchObject({ stop: 'truncated' });
  });
});

describe('names', () => {
  test('alerts, versions, ciphers, handshake types, GREASE', () => {
    expect([0, 10, 20, 42, 45, 46, 48, 70, 86, 109, 112, 116, 120, 121, 250].map(alertName)).toEqual([
      'close_notify', 'unexpected_message', 'bad_record_mac', 'bad_certificate', 'certificate_expired',
      'certificate_unknown', 'unknown_ca', 'protocol_version', 'inappropriate_fallback', 'missing_extension',
      'unrecognized_name', 'certificate_required', 'no_application_protocol', 'ech_required', 'alert_250',
    ]);
    expect([0x0002, 0x0300, 0x0301, 0x0302, 0x0303, 0x0304, 0x7f12, 0x7f1c, 0x0a0a, 0xfafa, 0x1234].map(tlsVersionName)).toEqual([
      'SSLv2', 'SSLv3', 'TLS1.0', 'TLS1.1', 'TLS1.2', 'TLS1.3', 'TLS1.3-draft18', 'TLS1.3-draft28', 'GREASE', 'GREASE', '0x1234',
    ]);
    expect(cipherName(0x1303)).toBe('TLS_CHACHA20_POLY1305_SHA256');
    expect(cipherName(0xcca8)).toBe('TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256');
    expect(cipherName(0x002f)).toBe('TLS_RSA_WITH_AES_128_CBC_SHA');
    expect(cipherName(0x0a0a)).toBe('0x0A0A');
    expect(handshakeTypeName(1)).toBe('client_hello');
    expect(handshakeTypeName(11)).toBe('certificate');
    expect(handshakeTypeName(99)).toBe('handshake_99');
    expect([0x0a0a, 0x1a1a, 0xfafa, 0x0a1a, 0x1301, 0x0b0b].map(isGrease)).toEqual([true, true, true, false, false, false]);
  });
});

describe('every fixture cut at every length', () => {
  const same = (a: unknown, b: unknown) => expect(a).toEqual(b);

  /** Fields decoded from a cut hello equal the full decode's, or are still at their default. */
  function prefixOf(cut: TlsClientHello | TlsServerHello, full: TlsClientHello | TlsServerHello) {
    for (const [k, v] of Object.entries(cut)) {
      if (k === 'stop') continue;
      const f = (full as unknown as Record<string, unknown>)[k];
      const empty = v === null || v === '' || v === 0 || v === false || (Array.isArray(v) && v.length === 0);
      // The extension list grows one whole extension at a time; other lists are all-or-nothing.
      if (k === 'extensions') same(v, (f as number[]).slice(0, (v as number[]).length));
      else if (!empty) same(v, f);
    }
  }

  const hellos: [string, Uint8Array, number, 'ch' | 'sh'][] = [
    ['chrome ClientHello', fixture('tls13-chrome-kyber-client-hello.hex'), 1, 'ch'],
    ['failure ClientHello', CH_FAILURE, 1, 'ch'],
    ['TLS1.3 ServerHello', fixture('tls13-chrome-kyber-server-hello.hex'), 2, 'sh'],
    ['TLS1.2 ServerHello', fixture('tls12-selfsigned-server-flight.hex'), 2, 'sh'],
    ['HRR', HRR, 2, 'sh'],
  ];
  for (const [name, b, type, kind] of hellos) {
    test(name, () => {
      const { off, len } = hsBody(b, type);
      const dec = kind === 'ch' ? decodeClientHello : decodeServerHello;
      const full = dec(b, off, len);
      expect(full.stop).toBeUndefined();
      for (let n = 0; n < len; n++) {
        const r = dec(b, off, n);
        same(dec(b.slice(0, off + n), off, n), r); // nothing read past len
        prefixOf(r, full);
        // A hello cut right after its compression method(s) is a valid extension-less hello.
        if (r.stop === undefined) expect(r.extensions).toEqual([]);
        else expect(r.stop.stop).toBe('truncated');
      }
    });
  }

  test('record and handshake framing of every fixture', () => {
    for (const b of [CH_FAILURE, HRR, fixture('tls12-selfsigned-server-flight.hex'), fixture('tls12-early-alert-server.hex')]) {
      const full = tlsRecords(b, 0, b.length);
      for (let n = 0; n <= b.length; n++) {
        const rs = tlsRecords(b, 0, n);
        same(tlsRecords(b.slice(0, n), 0, n), rs);
        const done = rs.filter((r) => r.complete);
        same(done, full.slice(0, done.length));
        const last = rs.at(-1);
        if (last && !last.complete) expect(last.need).toBeGreaterThan(0);
        for (const r of done) if (r.complete && r.type === 22) decodeHandshakeMessages(b, r.payloadOffset, r.length);
      }
    }
  });

  test('certificate list', () => {
    const b = fixture('tls12-selfsigned-server-flight.hex');
    const { off, len } = hsBody(b, 11);
    for (let n = 0; n < len; n++) {
      const r = decodeCertificate12(b, off, n);
      expect(r.stop?.stop).toBe('truncated');
      expect(r.certs).toEqual([]);
    }
  });

  test('SSLv2 and alert', () => {
    for (let n = 0; n < SSLV2.length; n++) {
      const r = decodeSslv2ClientHello(SSLV2, 0, n);
      if (r !== null) expect(r).toMatchObject({ stop: 'truncated' });
    }
    expect(decodeAlert(ALERT_FAILURE, 5, 0)).toMatchObject({ stop: 'truncated' });
  });
});
