/**
 * TLS record and handshake decoders (RFC 8446 TLS 1.3, RFC 5246 TLS 1.2, RFC 6066 SNI,
 * RFC 7301 ALPN, RFC 8701 GREASE, RFC 5246 Appendix E.2 SSLv2-compatible ClientHello).
 *
 * Offsets: every function takes (b, off, len) = the byte range to decode. Offsets *returned* in
 * data (bodyOffset, payloadOffset) are absolute indexes into `b`, ready to pass back in;
 * offsets inside a DecodeStop are relative to `off`, as everywhere in decode/.
 *
 * API
 *   tlsRecordHeader(b, off, len): TlsRecordHeader | DecodeStop | null
 *     null = does not look like TLS (type not 20..24 or major version != 3); cheap, for every
 *     TCP payload start.
 *   tlsRecords(b, off, len): TlsRecordChunk[]        records in a TCP payload, last one maybe partial
 *   decodeHandshakeMessages(b, off, len): TlsHandshakeChunk[]   messages in a handshake payload
 *   decodeClientHello(b, off, len): TlsClientHello   (off = handshake *body*, after the 4-byte header)
 *   decodeServerHello(b, off, len): TlsServerHello   (body too; also decodes HelloRetryRequest)
 *   decodeCertificate12(b, off, len): TlsCertificateList    (TLS <= 1.2 Certificate body; DER copied)
 *   decodeCertificate13(b, off, len): TlsCertificateList    (TLS 1.3 Certificate body; DER copied)
 *   decodeAlert(b, off, len): TlsAlert | DecodeStop          (plaintext alert record payload)
 *   decodeSslv2ClientHello(b, off, len): Sslv2ClientHello | DecodeStop | null  (record start)
 *   negotiatedVersion(sh): number                            supportedVersion ?? legacyVersion
 *   alertName, alertLevelName, tlsVersionName, cipherName, handshakeTypeName, isGrease: from ./names.js
 *
 * Hello results are never a bare DecodeStop: fields decoded before a problem are kept and the
 * problem is in `stop`. A length-prefixed vector is taken whole or not at all, so a list in the
 * result is never a partial list cut mid-way; extensions before a cut extension are kept.
 *
 * GREASE (RFC 8701) values are removed from every list (ciphers, extensions, versions, groups,
 * key shares, signature algorithms, ALPN is left alone) and `grease` records that one was seen,
 * so lists compare across clients the way JA3/JA4 do.
 */
import { escapedText, hex, u16, u24, u8 } from './bytes.js';
import { isGrease } from './names.js';
import { malformed, truncated, type DecodeStop } from './stop.js';

export {
  alertName,
  alertLevelName,
  tlsVersionName,
  cipherName,
  handshakeTypeName,
  isGrease,
} from './names.js';

const LAYER = 'tls';
/** RFC 5246 §6.2.3: TLSCiphertext.length <= 2^14 + 2048 (TLS 1.3 allows only +256, §5.2). */
const MAX_RECORD = 16384 + 2048;

/** RFC 8446 §4.1.3: ServerHello.random of a HelloRetryRequest = SHA-256("HelloRetryRequest"). */
const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';
/** RFC 8446 §4.1.3 downgrade sentinels: last 8 bytes of ServerHello.random, "DOWNGRD" + 01/00. */
const DOWNGRD = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44];

// Extension types (IANA "TLS ExtensionType Values").
const EXT_SERVER_NAME = 0; // RFC 6066 §3
const EXT_SUPPORTED_GROUPS = 10; // RFC 8446 §4.2.7
const EXT_SIGNATURE_ALGORITHMS = 13; // RFC 8446 §4.2.3
const EXT_ALPN = 16; // RFC 7301 §3.1
const EXT_SUPPORTED_VERSIONS = 43; // RFC 8446 §4.2.1
const EXT_KEY_SHARE = 51; // RFC 8446 §4.2.8

export interface TlsRecordHeader {
  /** ContentType, RFC 8446 §5.1: 20 change_cipher_spec, 21 alert, 22 handshake, 23 application_data, 24 heartbeat. */
  type: number;
  version: number;
  length: number;
}

/** Cheap "is this TLS?" check plus the 5-byte record header (RFC 8446 §5.1). */
export function tlsRecordHeader(b: Uint8Array, off: number, len: number): TlsRecordHeader | DecodeStop | null {
  const end = Math.min(off + len, b.length);
  const n = end - off;
  if (n < 1) return null;
  const type = u8(b, off);
  if (type < 20 || type > 24) return null;
  if (n < 2) return truncated(LAYER, 0, 'record header cut');
  if (u8(b, off + 1) !== 3) return null;
  if (n < 5) return truncated(LAYER, 0, 'record header cut');
  const length = u16(b, off + 3);
  if (length > MAX_RECORD) return malformed(LAYER, 3, 'record length over 2^14+2048');
  return { type, version: u16(b, off + 1), length };
}

export type TlsRecordChunk =
  /** payload at b[payloadOffset .. payloadOffset+length) */
  | { complete: true; type: number; version: number; length: number; payloadOffset: number }
  /** the record at b[offset..] is cut: `have` bytes present, at least `need` more required */
  | { complete: false; offset: number; have: number; need: number }
  /** bytes at b[offset..] are not a TLS record (or an impossible length): stop here */
  | { complete: false; offset: number; have: number; need: 0; stop: DecodeStop };

/** Records in a TCP payload (RFC 8446 §5.1); each step consumes >= 5 bytes. */
export function tlsRecords(b: Uint8Array, off: number, len: number): TlsRecordChunk[] {
  const end = Math.min(off + len, b.length);
  const out: TlsRecordChunk[] = [];
  let p = off;
  while (p < end) {
    const h = tlsRecordHeader(b, p, end - p);
    if (h === null) {
      out.push({ complete: false, offset: p, have: end - p, need: 0, stop: malformed(LAYER, p - off, 'not a TLS record') });
      break;
    }
    if ('stop' in h) {
      if (h.stop === 'truncated') out.push({ complete: false, offset: p, have: end - p, need: 5 - (end - p) });
      else out.push({ complete: false, offset: p, have: end - p, need: 0, stop: malformed(LAYER, p - off + h.offset, h.reason) });
      break;
    }
    if (p + 5 + h.length > end) {
      out.push({ complete: false, offset: p, have: end - p, need: p + 5 + h.length - end });
      break;
    }
    out.push({ complete: true, type: h.type, version: h.version, length: h.length, payloadOffset: p + 5 });
    p += 5 + h.length;
  }
  return out;
}

export type TlsHandshakeChunk =
  /** body at b[bodyOffset .. bodyOffset+length) */
  | { complete: true; type: number; length: number; bodyOffset: number }
  /** the message at b[offset..] is cut: `have` bytes present (header included), `need` more */
  | { complete: false; offset: number; have: number; need: number };

/**
 * Handshake messages in a (reassembled) handshake payload: msg_type(1) length(3) body
 * (RFC 8446 §4). Several messages may share a record and one may span records, so the last
 * may be partial. Each step consumes >= 4 bytes.
 */
export function decodeHandshakeMessages(b: Uint8Array, off: number, len: number): TlsHandshakeChunk[] {
  const end = Math.min(off + len, b.length);
  const out: TlsHandshakeChunk[] = [];
  let p = off;
  while (p < end) {
    if (p + 4 > end) {
      out.push({ complete: false, offset: p, have: end - p, need: p + 4 - end });
      break;
    }
    const length = u24(b, p + 1);
    if (p + 4 + length > end) {
      out.push({ complete: false, offset: p, have: end - p, need: p + 4 + length - end });
      break;
    }
    out.push({ complete: true, type: u8(b, p), length, bodyOffset: p + 4 });
    p += 4 + length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Hello messages

export interface TlsClientHello {
  legacyVersion: number;
  /** 32 bytes, hex; '' if cut. */
  random: string;
  sessionIdLength: number;
  /** Session id, hex (<= 32 bytes); lets a tracker see resumption (server echoes it). */
  sessionId: string;
  ciphers: number[];
  compression: number[];
  /** First host_name in server_name (RFC 6066 §3); bytes outside 0x20..0x7e as \xHH. */
  sni: string | null;
  /** Number of host_name entries (Zeek weird SSL_many_server_names when > 1). */
  sniCount: number;
  alpn: string[];
  supportedVersions: number[];
  groups: number[];
  keyShareGroups: number[];
  signatureAlgorithms: number[];
  /** Extension types in order. */
  extensions: number[];
  /** A GREASE value was seen (and removed) in some list. */
  grease: boolean;
  stop?: DecodeStop;
}

export interface TlsServerHello {
  legacyVersion: number;
  random: string;
  sessionIdLength: number;
  sessionId: string;
  cipher: number;
  compression: number;
  /** supported_versions (RFC 8446 §4.2.1) selected_version, or null if absent. */
  supportedVersion: number | null;
  /** random equals the RFC 8446 §4.1.3 HelloRetryRequest value. */
  helloRetryRequest: boolean;
  /** RFC 8446 §4.1.3 downgrade sentinel in random: 'tls12' (…01), 'tls11' (…00), or null. */
  downgrade: 'tls12' | 'tls11' | null;
  alpn: string | null;
  /** key_share group: the server's share in a ServerHello, selected_group in an HRR. */
  keyShareGroup: number | null;
  extensions: number[];
  stop?: DecodeStop;
}

/** Reads a vector of u16 values of `n` bytes at o into out, dropping GREASE; returns whether
 *  GREASE was seen. The caller has checked the bytes are there. */
function u16List(b: Uint8Array, o: number, n: number, out: number[]): boolean {
  let g = false;
  for (let i = o; i + 2 <= o + n; i += 2) {
    const v = u16(b, i);
    if (isGrease(v)) g = true;
    else out.push(v);
  }
  return g;
}

/** ProtocolNameList (RFC 7301 §3.1) in b[o, o+n) (the ext data); null if inconsistent. */
function alpnList(b: Uint8Array, o: number, n: number): string[] | null {
  if (n < 2) return null;
  const l = u16(b, o);
  if (2 + l > n) return null;
  const out: string[] = [];
  let p = o + 2;
  const end = o + 2 + l;
  while (p < end) {
    const pl = u8(b, p);
    if (pl === 0 || p + 1 + pl > end) return null;
    out.push(escapedText(b, p + 1, p + 1 + pl));
    p += 1 + pl;
  }
  return out;
}

/**
 * Common prefix of ClientHello and ServerHello (RFC 8446 §4.1.2/§4.1.3): legacy_version(2),
 * random(32), legacy_session_id<0..32>. Returns the offset after it or a stop.
 */
function helloPrefix(
  b: Uint8Array,
  off: number,
  end: number,
  h: { legacyVersion: number; random: string; sessionIdLength: number; sessionId: string; stop?: DecodeStop },
): number {
  if (off + 2 > end) {
    h.stop = truncated(LAYER, 0, 'hello version cut');
    return -1;
  }
  h.legacyVersion = u16(b, off);
  if (off + 34 > end) {
    h.stop = truncated(LAYER, 2, 'hello random cut');
    return -1;
  }
  h.random = hex(b, off + 2, 32);
  if (off + 35 > end) {
    h.stop = truncated(LAYER, 34, 'session id length cut');
    return -1;
  }
  const sl = u8(b, off + 34);
  if (sl > 32) {
    h.stop = malformed(LAYER, 34, 'session id longer than 32');
    return -1;
  }
  h.sessionIdLength = sl;
  if (off + 35 + sl > end) {
    h.stop = truncated(LAYER, 35, 'session id cut');
    return -1;
  }
  h.sessionId = hex(b, off + 35, sl);
  return off + 35 + sl;
}

/**
 * Walks extensions<..2^16-1> at p (RFC 8446 §4.2): calls `each(type, dataOffset, dataLength)`
 * for every whole extension; returns a stop or null. Bounded by the vector length.
 */
function walkExtensions(
  b: Uint8Array,
  off: number,
  end: number,
  p: number,
  each: (type: number, o: number, n: number) => DecodeStop | null,
): DecodeStop | null {
  if (p === end) return null; // RFC 5246 §7.4.1.2: extensions may be absent entirely
  if (p + 2 > end) return truncated(LAYER, p - off, 'extensions length cut');
  const total = u16(b, p);
  p += 2;
  const extEnd = p + total;
  const limit = Math.min(extEnd, end);
  while (p < limit) {
    if (p + 4 > limit) {
      return p + 4 > extEnd ? malformed(LAYER, p - off, 'extension header overruns list') : truncated(LAYER, p - off, 'extension header cut');
    }
    const type = u16(b, p);
    const n = u16(b, p + 2);
    if (p + 4 + n > limit) {
      return p + 4 + n > extEnd
        ? malformed(LAYER, p - off, 'extension overruns list')
        : truncated(LAYER, p - off, 'extension data cut');
    }
    const s = each(type, p + 4, n);
    if (s !== null) return s;
    p += 4 + n;
  }
  if (extEnd > end) return truncated(LAYER, p - off, 'extensions cut');
  return null;
}

export function decodeClientHello(b: Uint8Array, off: number, len: number): TlsClientHello {
  const end = Math.min(off + len, b.length);
  const h: TlsClientHello = {
    legacyVersion: 0,
    random: '',
    sessionIdLength: 0,
    sessionId: '',
    ciphers: [],
    compression: [],
    sni: null,
    sniCount: 0,
    alpn: [],
    supportedVersions: [],
    groups: [],
    keyShareGroups: [],
    signatureAlgorithms: [],
    extensions: [],
    grease: false,
  };
  let p = helloPrefix(b, off, end, h);
  if (p < 0) return h;
  // cipher_suites<2..2^16-2> (RFC 8446 §4.1.2)
  if (p + 2 > end) return stopAt(h, truncated(LAYER, p - off, 'cipher suites length cut'));
  const cl = u16(b, p);
  if (cl % 2 !== 0) return stopAt(h, malformed(LAYER, p - off, 'odd cipher suites length'));
  if (p + 2 + cl > end) return stopAt(h, truncated(LAYER, p - off, 'cipher suites cut'));
  if (u16List(b, p + 2, cl, h.ciphers)) h.grease = true;
  p += 2 + cl;
  // legacy_compression_methods<1..2^8-1>
  if (p + 1 > end) return stopAt(h, truncated(LAYER, p - off, 'compression length cut'));
  const ml = u8(b, p);
  if (p + 1 + ml > end) return stopAt(h, truncated(LAYER, p - off, 'compression methods cut'));
  for (let i = 0; i < ml; i++) h.compression.push(u8(b, p + 1 + i));
  p += 1 + ml;

  const s = walkExtensions(b, off, end, p, (type, o, n) => {
    switch (type) {
      case EXT_SERVER_NAME: {
        // ServerNameList: server_name_list<1..2^16-1> of { name_type(1), HostName<1..2^16-1> }
        if (n < 2 || 2 + u16(b, o) > n) return malformed(LAYER, o - off, 'bad server_name list');
        const le = o + 2 + u16(b, o);
        let q = o + 2;
        while (q < le) {
          if (q + 3 > le) return malformed(LAYER, q - off, 'bad server_name entry');
          const nl = u16(b, q + 1);
          if (q + 3 + nl > le) return malformed(LAYER, q - off, 'server_name overruns list');
          if (u8(b, q) === 0) {
            // RFC 6066 §3: host_name(0); only one per type is allowed, report the first.
            if (h.sni === null) h.sni = escapedText(b, q + 3, q + 3 + nl);
            h.sniCount++;
          }
          q += 3 + nl;
        }
        break;
      }
      case EXT_ALPN: {
        const l = alpnList(b, o, n);
        if (l === null) return malformed(LAYER, o - off, 'bad ALPN list');
        h.alpn = l;
        break;
      }
      case EXT_SUPPORTED_VERSIONS: {
        // ClientHello form: versions<2..254> (RFC 8446 §4.2.1)
        if (n < 1 || 1 + u8(b, o) > n || u8(b, o) % 2 !== 0) return malformed(LAYER, o - off, 'bad supported_versions');
        h.supportedVersions = [];
        if (u16List(b, o + 1, u8(b, o), h.supportedVersions)) h.grease = true;
        break;
      }
      case EXT_SUPPORTED_GROUPS:
      case EXT_SIGNATURE_ALGORITHMS: {
        // named_group_list<2..2^16-1> / supported_signature_algorithms<2..2^16-2>
        if (n < 2 || 2 + u16(b, o) > n || u16(b, o) % 2 !== 0) return malformed(LAYER, o - off, 'bad u16 list extension');
        const out: number[] = [];
        if (u16List(b, o + 2, u16(b, o), out)) h.grease = true;
        if (type === EXT_SUPPORTED_GROUPS) h.groups = out;
        else h.signatureAlgorithms = out;
        break;
      }
      case EXT_KEY_SHARE: {
        // client_shares<0..2^16-1> of KeyShareEntry { group(2), key_exchange<1..2^16-1> }
        if (n < 2 || 2 + u16(b, o) > n) return malformed(LAYER, o - off, 'bad key_share list');
        const le = o + 2 + u16(b, o);
        const out: number[] = [];
        let q = o + 2;
        while (q < le) {
          if (q + 4 > le) return malformed(LAYER, q - off, 'bad key_share entry');
          const g = u16(b, q);
          const kl = u16(b, q + 2);
          if (q + 4 + kl > le) return malformed(LAYER, q - off, 'key_share overruns list');
          if (isGrease(g)) h.grease = true;
          else out.push(g);
          q += 4 + kl;
        }
        h.keyShareGroups = out;
        break;
      }
    }
    // Listed only once its content decoded, so a malformed extension is not counted as sent.
    if (isGrease(type)) h.grease = true;
    else h.extensions.push(type);
    return null;
  });
  if (s !== null) h.stop = s;
  return h;
}

function stopAt<T extends { stop?: DecodeStop }>(h: T, s: DecodeStop): T {
  h.stop = s;
  return h;
}

export function decodeServerHello(b: Uint8Array, off: number, len: number): TlsServerHello {
  const end = Math.min(off + len, b.length);
  const h: TlsServerHello = {
    legacyVersion: 0,
    random: '',
    sessionIdLength: 0,
    sessionId: '',
    cipher: 0,
    compression: 0,
    supportedVersion: null,
    helloRetryRequest: false,
    downgrade: null,
    alpn: null,
    keyShareGroup: null,
    extensions: [],
  };
  let p = helloPrefix(b, off, end, h);
  if (h.random.length === 64) {
    h.helloRetryRequest = h.random === HRR_RANDOM;
    let d = true;
    for (let i = 0; i < 7; i++) if (u8(b, off + 26 + i) !== DOWNGRD[i]) d = false;
    const last = u8(b, off + 33);
    if (d && last === 1) h.downgrade = 'tls12';
    else if (d && last === 0) h.downgrade = 'tls11';
  }
  if (p < 0) return h;
  // cipher_suite(2), legacy_compression_method(1)
  if (p + 3 > end) return stopAt(h, truncated(LAYER, p - off, 'cipher/compression cut'));
  h.cipher = u16(b, p);
  h.compression = u8(b, p + 2);
  p += 3;
  const s = walkExtensions(b, off, end, p, (type, o, n) => {
    switch (type) {
      case EXT_SUPPORTED_VERSIONS:
        // ServerHello/HRR form: selected_version (RFC 8446 §4.2.1)
        if (n !== 2) return malformed(LAYER, o - off, 'bad selected_version');
        h.supportedVersion = u16(b, o);
        break;
      case EXT_ALPN: {
        // RFC 7301 §3.1: the server's list holds exactly one protocol.
        const l = alpnList(b, o, n);
        if (l === null || l.length !== 1) return malformed(LAYER, o - off, 'bad ALPN in ServerHello');
        h.alpn = l[0]!;
        break;
      }
      case EXT_KEY_SHARE:
        // ServerHello: KeyShareEntry; HRR: selected_group (RFC 8446 §4.2.8); group first in both.
        if (n < 2) return malformed(LAYER, o - off, 'bad key_share');
        h.keyShareGroup = u16(b, o);
        break;
    }
    h.extensions.push(type);
    return null;
  });
  if (s !== null) h.stop = s;
  return h;
}

/** RFC 8446 §4.2.1: the version in use is selected_version when present. */
export function negotiatedVersion(sh: { legacyVersion: number; supportedVersion: number | null }): number {
  return sh.supportedVersion ?? sh.legacyVersion;
}

// ---------------------------------------------------------------------------------------------
// Certificate

export interface TlsCertificateList {
  /** DER of each certificate, leaf first (RFC 5246 §7.4.2, RFC 8446 §4.4.2); copies. */
  certs: Uint8Array[];
  stop?: DecodeStop;
}

/** TLS <= 1.2 Certificate body: certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1> (RFC 5246 §7.4.2). */
export function decodeCertificate12(b: Uint8Array, off: number, len: number): TlsCertificateList {
  const end = Math.min(off + len, b.length);
  const r: TlsCertificateList = { certs: [] };
  if (off + 3 > end) return stopAt(r, truncated(LAYER, 0, 'certificate list length cut'));
  const listEnd = off + 3 + u24(b, off);
  let p = off + 3;
  const limit = Math.min(listEnd, end);
  while (p < limit) {
    if (p + 3 > limit) return stopAt(r, p + 3 > listEnd ? malformed(LAYER, p - off, 'certificate entry overruns list') : truncated(LAYER, p - off, 'certificate length cut'));
    const n = u24(b, p);
    if (n === 0) return stopAt(r, malformed(LAYER, p - off, 'empty certificate'));
    if (p + 3 + n > limit) return stopAt(r, p + 3 + n > listEnd ? malformed(LAYER, p - off, 'certificate overruns list') : truncated(LAYER, p - off, 'certificate cut'));
    // Copy: the caller's buffer is reused by the next packet.
    r.certs.push(b.slice(p + 3, p + 3 + n));
    p += 3 + n;
  }
  if (listEnd > end) r.stop = truncated(LAYER, p - off, 'certificate list cut');
  return r;
}

/**
 * TLS 1.3 Certificate body (RFC 8446 §4.4.2): certificate_request_context<0..2^8-1>,
 * certificate_list<0..2^24-1> of CertificateEntry { cert_data<1..2^24-1>, extensions<0..2^16-1> }.
 * Only seen in clear when keys are known or in QUIC tooling; provided for completeness.
 */
export function decodeCertificate13(b: Uint8Array, off: number, len: number): TlsCertificateList {
  const end = Math.min(off + len, b.length);
  const r: TlsCertificateList = { certs: [] };
  if (off + 1 > end) return stopAt(r, truncated(LAYER, 0, 'request context length cut'));
  let p = off + 1 + u8(b, off);
  if (p + 3 > end) return stopAt(r, truncated(LAYER, p - off, 'certificate list length cut'));
  const listEnd = p + 3 + u24(b, p);
  p += 3;
  const limit = Math.min(listEnd, end);
  while (p < limit) {
    if (p + 3 > limit) return stopAt(r, p + 3 > listEnd ? malformed(LAYER, p - off, 'entry overruns list') : truncated(LAYER, p - off, 'certificate length cut'));
    const n = u24(b, p);
    if (n === 0) return stopAt(r, malformed(LAYER, p - off, 'empty certificate'));
    const certEnd = p + 3 + n;
    if (certEnd + 2 > limit) return stopAt(r, certEnd + 2 > listEnd ? malformed(LAYER, p - off, 'entry overruns list') : truncated(LAYER, p - off, 'certificate entry cut'));
    const entryEnd = certEnd + 2 + u16(b, certEnd);
    if (entryEnd > limit) return stopAt(r, entryEnd > listEnd ? malformed(LAYER, p - off, 'entry overruns list') : truncated(LAYER, p - off, 'entry extensions cut'));
    r.certs.push(b.slice(p + 3, certEnd));
    p = entryEnd;
  }
  if (listEnd > end) r.stop = truncated(LAYER, p - off, 'certificate list cut');
  return r;
}

// ---------------------------------------------------------------------------------------------
// Alert

export interface TlsAlert {
  /** 1 warning, 2 fatal (RFC 5246 §7.2; RFC 8446 §6 keeps the field, all are fatal but close_notify/user_canceled). */
  level: number;
  description: number;
}

/**
 * A plaintext alert record payload. An alert record after ChangeCipherSpec (or any TLS 1.3
 * alert after ServerHello, RFC 8446 §6) is encrypted and NOT decodable: the caller knows the
 * state and must not call this then. A level other than 1/2 is reported as malformed because
 * it usually means exactly that mistake (encrypted bytes).
 */
export function decodeAlert(b: Uint8Array, off: number, len: number): TlsAlert | DecodeStop {
  const end = Math.min(off + len, b.length);
  if (off + 2 > end) return truncated(LAYER, 0, 'alert cut');
  const level = u8(b, off);
  if (level !== 1 && level !== 2) return malformed(LAYER, 0, 'alert level not 1 or 2 (encrypted alert?)');
  return { level, description: u8(b, off + 1) };
}

// ---------------------------------------------------------------------------------------------
// SSLv2-compatible ClientHello

export interface Sslv2ClientHello {
  /** Highest version the client supports: 0x0002 for SSLv2, 0x0300.. for SSLv3/TLS. */
  version: number;
  /** 3-byte CipherSpecs (RFC 5246 §E.2: V2CipherSpec); TLS suites appear as 0x00XXXX. */
  ciphers: number[];
  sessionIdLength: number;
  challengeLength: number;
}

/**
 * RFC 5246 Appendix E.2 / draft-hickman SSLv2: msg_length(2, high bit set), msg_type(1)=1,
 * version(2), cipher_spec_length(2), session_id_length(2), challenge_length(2), cipher_specs,
 * session_id, challenge. `off` is the start of the record (TCP payload start).
 * null when the bytes do not look like one.
 */
export function decodeSslv2ClientHello(b: Uint8Array, off: number, len: number): Sslv2ClientHello | DecodeStop | null {
  const end = Math.min(off + len, b.length);
  if (off + 3 > end) return null;
  const b0 = u8(b, off);
  // 2-byte header form has the high bit set; msg_type 1 = CLIENT-HELLO.
  if ((b0 & 0x80) === 0 || u8(b, off + 2) !== 1) return null;
  const recLen = ((b0 & 0x7f) << 8) | u8(b, off + 1);
  if (off + 11 > end) {
    // Too little to check the version; only call it SSLv2 if what is there fits.
    if (off + 4 <= end && u8(b, off + 3) !== 0 && u8(b, off + 3) !== 3) return null;
    return truncated(LAYER, 0, 'SSLv2 hello header cut');
  }
  const version = u16(b, off + 3);
  const csl = u16(b, off + 5);
  const sidl = u16(b, off + 7);
  const chl = u16(b, off + 9);
  // Version 0x0002 or 0x03xx; cipher specs are 3 bytes; session id 0 or 16 (SSLv2 spec);
  // challenge 16..32 (E.2). Anything else: not an SSLv2 hello.
  if (version !== 0x0002 && version >> 8 !== 3) return null;
  if (csl === 0 || csl % 3 !== 0 || (sidl !== 0 && sidl !== 16) || chl < 16 || chl > 32) return null;
  if (recLen !== 9 + csl + sidl + chl) return null;
  if (off + 11 + csl > end) return truncated(LAYER, 11, 'SSLv2 cipher specs cut');
  const ciphers: number[] = [];
  for (let p = off + 11; p < off + 11 + csl; p += 3) ciphers.push(u24(b, p));
  if (off + 2 + recLen > end) return truncated(LAYER, 11 + csl, 'SSLv2 session id/challenge cut');
  return { version, ciphers, sessionIdLength: sidl, challengeLength: chl };
}
