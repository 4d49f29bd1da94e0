/**
 * TLS over one TCP connection (RFC 8446, RFC 5246): records reassembled from the in-order
 * stream of each direction (bounded), handshake messages reassembled across records (bounded),
 * hellos decoded, the certificate read when it travels in clear (TLS <= 1.2), every alert
 * with its sender, and the shape of the encrypted flights that follow — which is all a
 * passive observer can see of a TLS 1.3 handshake after the ServerHello.
 */
import {
  decodeAlert,
  decodeCertificate12,
  decodeClientHello,
  decodeServerHello,
  decodeSslv2ClientHello,
  negotiatedVersion,
} from '../decode/tls.js';
import { decodeCertificate, issuedByKnownRoot, type CertInfo } from '../decode/x509.js';
import { isStop } from '../decode/stop.js';
import { PASS_ALL, type Time } from './types.js';
import { fnv1a } from './hash.js';
import { isTls13, isTls13Version, type TlsAlertFact, type TlsEvent, type TlsSession } from './tls-session.js';

export { isTls13, isTls13Version, tlsEstablished, type TlsAlertFact, type TlsEvent, type TlsSession } from './tls-session.js';

export const CT_CCS = 20;
export const CT_ALERT = 21;
export const CT_HANDSHAKE = 22;
export const CT_APPDATA = 23;
export const CT_HEARTBEAT = 24;

export const HS_CLIENT_HELLO = 1;
export const HS_SERVER_HELLO = 2;
export const HS_CERTIFICATE = 11;

/** TLSPlaintext / TLSCiphertext length limit (RFC 8446 §5.2: 2^14 + 256; RFC 5246 allows +2048). */
const MAX_RECORD = 16384 + 2048;
/** Largest handshake message reassembled (certificate chains); larger ones are skipped. */
const MAX_HANDSHAKE = 128 * 1024;
/** Events kept per connection (for evidence and cross-checks). */
const MAX_EVENTS = 64;
/** Encrypted-record events kept per direction (of those 64). */
const MAX_ENC_EVENTS = 6;

/**
 * Parsed certificates by content: a server hands the same certificate to every connection, and
 * parsing X.509 costs far more than hashing it. Keyed by a fast 32-bit hash and the length; a hit
 * is confirmed by comparing the bytes. Bounded.
 */
const certCache = new Map<string, { der: Uint8Array; info: CertInfo | null }>();
const CERT_CACHE_MAX = 4096;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function view(b: Uint8Array, off: number, len: number): Uint8Array {
  return off === 0 && len === b.length ? b : b.subarray(off, off + len);
}

function parseCertCached(der: Uint8Array): CertInfo | null {
  const key = `${fnv1a(der)}:${der.length}`;
  const hit = certCache.get(key);
  if (hit !== undefined && sameBytes(hit.der, der)) return hit.info;
  const c = decodeCertificate(der);
  const v = isStop(c) ? null : c;
  if (certCache.size >= CERT_CACHE_MAX) certCache.clear();
  // A copy: `der` may be a view of a reused buffer.
  certCache.set(key, { der: der.slice(), info: v });
  return v;
}

interface Dir {
  /** A record header split across deliveries (allocated on first need). */
  hdr: Uint8Array | null;
  hdrLen: number;
  /** A record being collected (header included), and how much of it is there. */
  body: Uint8Array | null;
  bodyLen: number;
  /** Bytes of an encrypted record still to pass over. */
  skip: number;
  /** SSLv2 framing: bytes carried over between deliveries. */
  pend: Uint8Array | null;
  pendLen: number;
  /** Incomplete handshake message bytes carried across records. */
  hs: Uint8Array | null;
  hsLen: number;
  /** Skip this many bytes of a handshake message too large to keep. */
  hsSkip: number;
  encrypting: boolean;
  first: boolean;
  /** This direction speaks SSLv2 record framing (RFC 6176 describes SSLv2 only to prohibit it). */
  v2: boolean;
  /** Encrypted-record events recorded from this direction. */
  encEvents: number;
  /** Record headers read from this direction (0: its first record is still to come). */
  records: number;
  /** TLS <= 1.2: this side's Finished (its first record after its ChangeCipherSpec) was seen. */
  finished: boolean;
}

interface State {
  owner: TlsAnalyzer;
  s: TlsSession;
  orig: Dir;
  resp: Dir;
}

function newDir(): Dir {
  return { hdr: null, hdrLen: 0, body: null, bodyLen: 0, skip: 0, pend: null, pendLen: 0, hs: null, hsLen: 0, hsSkip: 0, encrypting: false, first: true, v2: false, encEvents: 0, records: 0, finished: false };
}

/** Shared empty event list (replaced by a fresh array on the first event). */
const NO_EVENTS: TlsEvent[] = Object.freeze([]) as unknown as TlsEvent[];
/**
 * Shared empty lists for a new session (do not push to them: `add` replaces one by a fresh array
 * on the first entry). Most sessions never fill them, and a session lives as long as its connection.
 */
const NONE: never[] = Object.freeze([]) as unknown as never[];

/** Appends to one of a session's lists, giving it its own array on the first entry. */
function add<K extends 'helloRetryFrames' | 'certificates' | 'alerts' | 'encryptedAlerts' | 'clientAfterServerFlight' | 'serverAfterHandshake'>(s: TlsSession, k: K, x: TlsSession[K][number]): void {
  const l = s[k] as Array<TlsSession[K][number]>;
  if (l === NONE) (s[k] as Array<TlsSession[K][number]>) = [x];
  else l.push(x);
}

export function newTlsSession(clientIsOrig: boolean): TlsSession {
  return {
    clientIsOrig,
    clientHello: null,
    serverHello: null,
    helloRetryFrames: NONE,
    certificates: NONE,
    certificateFrame: null,
    alerts: NONE,
    encryptedAlerts: NONE,
    ccs: { client: false, server: false },
    encrypted: { client: 0, server: 0 },
    clientAfterServerFlight: NONE,
    firstServerEncryptedFrame: null,
    clientEncryptedFirst: false,
    events: NO_EVENTS,
    broken: { client: false, server: false },
    gap: false,
    clientFirstData: null,
    serverAfterHandshake: NONE,
    serverAfterHandshakeCount: 0,
    clientData: NO_DATA,
    plainAnswer: null,
  };
}

/** Shared zero count for a new session (replaced by a fresh object on the first record). */
const NO_DATA = Object.freeze({ records: 0, bytes: 0 }) as { records: number; bytes: number };

/**
 * Counts a client application record sent within a second of its request (a request goes out at
 * once; what a client sends when it leaves, an HTTP/2 GOAWAY, is not part of it).
 */
function clientData(s: TlsSession, len: number, ts: Time): void {
  if (s.clientFirstData === null || ts - s.clientFirstData.ts > 1) return;
  if (s.clientData === NO_DATA) s.clientData = { records: 0, bytes: 0 };
  s.clientData.records++;
  s.clientData.bytes += len;
}

/** Server records kept after the client's Finished (the count goes on). */
const MAX_AFTER_HANDSHAKE = 8;
/** Bytes of a plain-text answer kept for the report. */
const PLAIN_ANSWER_BYTES = 64;

/**
 * Once the handshake is over: the client's first application record (its request), and the
 * server's records after the handshake (session tickets, unasked HTTP/2 frames, then the
 * response), whose sizes and order are all a passive observer sees.
 *
 * TLS 1.3: after the client's Finished (its first encrypted record after the server's flight); the
 * record types are hidden, so sizes tell (an alert is 19 bytes + header slack, not data).
 * TLS <= 1.2: the record types travel in clear. Each side's first record after its
 * ChangeCipherSpec is its Finished; the client's first application_data record after it is the
 * request (also a False Start one, sent before the server's Finished), and every server record
 * after the server's Finished counts (a 1.2 NewSessionTicket comes before the server's CCS).
 */
function afterHandshake(s: TlsSession, d: Dir, fromClient: boolean, type: number, len: number, frame: number, ts: Time): void {
  if (s.serverHello === null) return;
  if (isTls13(s)) {
    if (s.clientAfterServerFlight.length === 0) return;
    if (fromClient) {
      if (s.clientAfterServerFlight.length > 1 && len > 24) {
        if (s.clientFirstData === null) s.clientFirstData = { frame, ts, length: len };
        clientData(s, len, ts);
      }
      return;
    }
  } else {
    if (!d.encrypting) return;
    if (!d.finished) {
      if (type === CT_HANDSHAKE) d.finished = true;
      return;
    }
    if (fromClient) {
      if (type === CT_APPDATA) {
        if (s.clientFirstData === null) s.clientFirstData = { frame, ts, length: len };
        clientData(s, len, ts);
      }
      return;
    }
  }
  s.serverAfterHandshakeCount++;
  if (s.serverAfterHandshake.length < MAX_AFTER_HANDSHAKE) add(s, 'serverAfterHandshake', { frame, ts, length: len });
}

/**
 * The server's first bytes, which are not a TLS record: kept as printable text (first line, at
 * most PLAIN_ANSWER_BYTES bytes; other bytes as \xNN). `rest` continues a header split across deliveries.
 */
function plainAnswer(s: TlsSession, h: Uint8Array, ho: number, hn: number, rest: Uint8Array | null, frame: number, ts: Time): void {
  if (s.plainAnswer !== null) return;
  let text = '';
  let n = 0;
  const put = (x: number): boolean => {
    if (n >= PLAIN_ANSWER_BYTES || x === 0x0d || x === 0x0a) return false;
    n++;
    text += x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : `\\x${x.toString(16).padStart(2, '0')}`;
    return true;
  };
  let go = true;
  for (let i = ho; go && i < hn; i++) go = put(h[i]!);
  if (rest !== null) for (let i = 0; go && i < rest.length; i++) go = put(rest[i]!);
  s.plainAnswer = { frame, ts, text };
}

/** Does this look like the start of a TLS (or SSLv2-compatible) ClientHello? */
export function looksLikeClientHello(b: Uint8Array, off: number, len: number): boolean {
  if (len >= 6 && b[off] === CT_HANDSHAKE && b[off + 1] === 3 && b[off + 2]! <= 4 && b[off + 5] === HS_CLIENT_HELLO) return true;
  // SSLv2 record header with the high bit set, message type 1 (CLIENT-HELLO).
  return len >= 5 && (b[off]! & 0x80) !== 0 && b[off + 2] === 1 && (b[off + 3] === 0 || b[off + 3] === 3);
}

/** Where a connection object keeps its TLS state (a field of TcpConn; added to other objects). */
interface Slot {
  tlsState?: State | null;
}

export interface TlsAnalyzerOptions {
  /**
   * Keep each session's `events` (the record-level sequence, for cross-checks against tshark and
   * for debugging). Nothing in the diagnosis or the reports reads them, so they are off by default:
   * they were a tenth of the tracker's allocations.
   */
  events?: boolean;
}

export class TlsAnalyzer {
  /** States of connections whose slot holds another analyzer's state. */
  private others: WeakMap<object, State> | null = null;
  private readonly keepEvents: boolean;

  constructor(o: TlsAnalyzerOptions = {}) {
    this.keepEvents = o.events === true;
  }

  private get(conn: object): State | null {
    const x = (conn as Slot).tlsState;
    if (x !== undefined && x !== null && x.owner === this) return x;
    return this.others?.get(conn) ?? null;
  }

  session(conn: object): TlsSession | null {
    return this.get(conn)?.s ?? null;
  }

  /** Starts TLS analysis of a connection; `clientIsOrig` tells which side sent the ClientHello. */
  start(conn: object, clientIsOrig: boolean): TlsSession {
    const st: State = { owner: this, s: newTlsSession(clientIsOrig), orig: newDir(), resp: newDir() };
    const slot = conn as Slot;
    const x = slot.tlsState;
    if (x === undefined || x === null || x.owner === this) slot.tlsState = st;
    else (this.others ??= new WeakMap()).set(conn, st);
    return st.s;
  }

  /**
   * In-order bytes of one direction: b[off .. off+len) (the whole of `b` by default).
   *
   * With `passOver` the caller can pass over bytes without delivering them (a TCP stream), and the
   * return value is how many of the bytes that follow it should: the rest of an encrypted record
   * (which is only counted), or all of them once the direction is broken. The analyzer then
   * expects the bytes after those. Without it, the analyzer skips them itself and returns 0.
   */
  data(conn: object, fromOrig: boolean, b: Uint8Array, frame: number, ts: Time, off = 0, len = b.length - off, passOver = false): number {
    const st = this.get(conn);
    if (st === null) return 0;
    const s = st.s;
    const fromClient = fromOrig === s.clientIsOrig;
    if (fromClient ? s.broken.client : s.broken.server) return passOver ? PASS_ALL : 0;
    const d = fromOrig ? st.orig : st.resp;
    if (d.first) {
      d.first = false;
      if (fromClient && len >= 3 && (b[off]! & 0x80) !== 0 && b[off + 2] === 1) {
        this.sslv2(s, view(b, off, len), frame, ts);
        return 0;
      }
      // An SSLv2 server answers an SSLv2 hello in SSLv2 records too.
      if (!fromClient && s.clientHello?.sslv2 && (b[off]! & 0x80) !== 0) d.v2 = true;
    }
    // The client keeps SSLv2 framing when the server answered in SSLv2.
    if (!d.v2 && fromClient && s.clientHello?.sslv2 && (fromOrig ? st.resp : st.orig).v2) d.v2 = true;
    if (d.v2) {
      this.sslv2Records(s, d, fromClient, view(b, off, len), frame, ts);
      return 0;
    }
    this.records(s, d, fromClient, b, off, off + len, frame, ts);
    if (!passOver) return 0;
    if (fromClient ? s.broken.client : s.broken.server) return PASS_ALL;
    const k = d.skip;
    d.skip = 0;
    return k;
  }

  /**
   * Cuts a direction's bytes b[off..n) into records. A record that lies within one delivery is handled
   * in place; the header of one that does not is kept (5 bytes), and its body is either
   * skipped — encrypted records are only counted, which is most of the bytes of a TLS
   * connection — or collected into a buffer of exactly its size (handshake, alert, CCS).
   */
  private records(s: TlsSession, d: Dir, fromClient: boolean, b: Uint8Array, off: number, n: number, frame: number, ts: Time): void {
    while (off < n) {
      if (d.skip > 0) {
        const k = Math.min(d.skip, n - off);
        d.skip -= k;
        off += k;
        continue;
      }
      if (d.body !== null) {
        const k = Math.min(d.body.length - d.bodyLen, n - off);
        d.body.set(b.subarray(off, off + k), d.bodyLen);
        d.bodyLen += k;
        off += k;
        if (d.bodyLen === d.body.length) {
          const rec = d.body;
          d.body = null;
          d.bodyLen = 0;
          this.record(s, d, fromClient, rec, 0, rec.length, frame, ts);
        }
        continue;
      }
      // At a record boundary: is the whole header here?
      let h: Uint8Array;
      let ho: number;
      if (d.hdrLen === 0 && n - off >= 5) {
        h = b;
        ho = off;
      } else {
        const k = Math.min(5 - d.hdrLen, n - off);
        d.hdr ??= new Uint8Array(5);
        d.hdr.set(b.subarray(off, off + k), d.hdrLen);
        d.hdrLen += k;
        off += k;
        if (d.hdrLen < 5) return;
        h = d.hdr;
        ho = 0;
      }
      if (!this.validHeader(h, ho)) {
        if (!fromClient && d.records === 0) plainAnswer(s, h, ho, h === b ? n : 5, h === b ? null : b.subarray(off, n), frame, ts);
        this.markBroken(s, fromClient);
        return;
      }
      d.records++;
      const type = h[ho]!;
      const len = (h[ho + 3]! << 8) | h[ho + 4]!;
      if (len > MAX_RECORD) {
        this.markBroken(s, fromClient);
        return;
      }
      if (h === b) {
        if (n - off >= 5 + len) {
          this.record(s, d, fromClient, b, off, 5 + len, frame, ts);
          off += 5 + len;
          continue;
        }
        off += 5;
      } else d.hdrLen = 0;
      // The body continues past this delivery.
      if (type === CT_APPDATA || (type === CT_HANDSHAKE && d.encrypting) || (type === CT_ALERT && len !== 2)) {
        if (type === CT_ALERT) add(s, 'encryptedAlerts', { frame, ts, fromClient });
        this.encryptedRecord(s, d, fromClient, type, len, frame, ts);
        d.skip = len;
        continue;
      }
      d.body = new Uint8Array(5 + len);
      d.body.set(h.subarray(ho, ho + 5), 0);
      d.bodyLen = 5;
      if (len === 0) {
        const rec = d.body;
        d.body = null;
        d.bodyLen = 0;
        this.record(s, d, fromClient, rec, 0, 5, frame, ts);
      }
    }
  }

  gap(conn: object, fromOrig: boolean): void {
    const st = this.get(conn);
    if (st === null) return;
    st.s.gap = true;
    // After a hole the record boundaries are lost: stop reading this direction.
    this.markBroken(st.s, fromOrig === st.s.clientIsOrig);
  }

  private validHeader(b: Uint8Array, o: number): boolean {
    const t = b[o]!;
    return t >= CT_CCS && t <= CT_HEARTBEAT && b[o + 1] === 3 && b[o + 2]! <= 4;
  }

  private markBroken(s: TlsSession, fromClient: boolean): void {
    if (fromClient) s.broken.client = true;
    else s.broken.server = true;
  }

  private event(s: TlsSession, frame: number, fromClient: boolean, kind: TlsEvent['kind'], value: number, extra: number): void {
    if (!this.keepEvents || s.events.length >= MAX_EVENTS) return;
    if (s.events === NO_EVENTS) s.events = [];
    s.events.push({ frame, fromClient, kind, value, extra });
  }

  private sslv2(s: TlsSession, b: Uint8Array, frame: number, ts: Time): void {
    const h = decodeSslv2ClientHello(b, 0, b.length);
    if (h === null || isStop(h)) {
      s.broken.client = true;
      return;
    }
    const versions = h.version >= 0x0300 ? [h.version] : [0x0002];
    s.clientHello = {
      frame,
      ts,
      sni: null,
      legacyVersion: h.version,
      versions,
      ciphers: h.ciphers.filter((c) => c < 0x10000),
      alpn: [],
      groups: [],
      sslv2: true,
    };
    this.event(s, frame, true, 'sslv2', HS_CLIENT_HELLO, h.version);
  }

  /**
   * SSLv2 records: a 2-byte header (high bit set) or a 3-byte one with padding, then the
   * message. Only the first messages travel in clear: the server's SERVER-HELLO (4) and the
   * client's CLIENT-HELLO (1) / CLIENT-MASTER-KEY (2); everything after is encrypted.
   */
  private sslv2Records(s: TlsSession, d: Dir, fromClient: boolean, b: Uint8Array, frame: number, ts: Time): void {
    let src = b;
    if (d.pendLen > 0) {
      src = new Uint8Array(d.pendLen + b.length);
      src.set(d.pend!.subarray(0, d.pendLen));
      src.set(b, d.pendLen);
      d.pendLen = 0;
    }
    let o = 0;
    for (let n = 0; n < 1024 && src.length - o >= 3; n++) {
      const two = (src[o]! & 0x80) !== 0;
      const hdr = two ? 2 : 3;
      const len = two ? ((src[o]! & 0x7f) << 8) | src[o + 1]! : ((src[o]! & 0x3f) << 8) | src[o + 1]!;
      if (src.length - o < hdr + len) break;
      if (!d.encrypting && len >= 1) {
        const type = src[o + hdr]!;
        this.event(s, frame, fromClient, 'hs', type, 0);
        if (!fromClient && type === 4 && len >= 5 && s.serverHello === null) {
          s.serverHello = { frame, ts, version: (src[o + hdr + 3]! << 8) | src[o + hdr + 4]!, cipher: 0, alpn: null };
        }
        if ((fromClient && type === 2) || (!fromClient && type === 4)) d.encrypting = true;
      } else if (fromClient) s.encrypted.client++;
      else s.encrypted.server++;
      o += hdr + len;
    }
    const rest = src.length - o;
    if (rest > 0 && rest <= MAX_RECORD) {
      d.pend = src.slice(o);
      d.pendLen = rest;
    }
  }

  /** One complete record at b[o .. o+n). */
  private record(s: TlsSession, d: Dir, fromClient: boolean, b: Uint8Array, o: number, n: number, frame: number, ts: Time): void {
    const type = b[o]!;
    const body = o + 5;
    const len = n - 5;
    switch (type) {
      case CT_HANDSHAKE:
        if (d.encrypting) {
          this.encryptedRecord(s, d, fromClient, type, len, frame, ts);
          return;
        }
        this.handshakeBytes(s, d, fromClient, b, body, len, frame, ts);
        return;
      case CT_ALERT:
        // A clear alert is exactly 2 bytes; anything longer is an encrypted alert.
        if (len === 2 && !(d.encrypting && !isTls13(s))) {
          const a = decodeAlert(b, body, len);
          if (!isStop(a)) {
            add(s, 'alerts', { frame, ts, fromClient, level: a.level, description: a.description });
            this.event(s, frame, fromClient, 'alert', a.description, a.level);
            return;
          }
        }
        add(s, 'encryptedAlerts', { frame, ts, fromClient });
        this.encryptedRecord(s, d, fromClient, type, len, frame, ts);
        return;
      case CT_CCS:
        if (fromClient) s.ccs.client = true;
        else s.ccs.server = true;
        // In TLS 1.3 a ChangeCipherSpec is only middlebox camouflage (RFC 8446 §D.4), sent also
        // right after a HelloRetryRequest (the server's) and before the second ClientHello (the
        // client's): no keys exist before the ServerHello that follows, which is read in clear.
        if (!isTls13(s) && !(s.serverHello === null && s.helloRetryFrames.length > 0)) d.encrypting = true;
        this.event(s, frame, fromClient, 'ccs', 1, 0);
        return;
      case CT_APPDATA:
        this.encryptedRecord(s, d, fromClient, type, len, frame, ts);
        return;
      default:
        return;
    }
  }

  private encryptedRecord(s: TlsSession, d: Dir, fromClient: boolean, type: number, len: number, frame: number, ts: Time): void {
    if (fromClient) {
      s.encrypted.client++;
      if (s.firstServerEncryptedFrame === null) s.clientEncryptedFirst = true;
      else if (s.clientAfterServerFlight.length < 8) add(s, 'clientAfterServerFlight', { frame, length: len });
    } else {
      s.encrypted.server++;
      if (s.firstServerEncryptedFrame === null) s.firstServerEncryptedFrame = frame;
    }
    afterHandshake(s, d, fromClient, type, len, frame, ts);
    // The first few encrypted records show the handshake's shape; the bulk after them only counts.
    if (d.encEvents < MAX_ENC_EVENTS) {
      d.encEvents++;
      this.event(s, frame, fromClient, 'enc', len, type);
    }
  }

  /** Handshake record payload: messages may share a record or span several. */
  private handshakeBytes(s: TlsSession, d: Dir, fromClient: boolean, b: Uint8Array, o: number, n: number, frame: number, ts: Time): void {
    if (d.hsSkip > 0) {
      const k = Math.min(d.hsSkip, n);
      d.hsSkip -= k;
      o += k;
      n -= k;
    }
    let src = b;
    let off = o;
    let end = o + n;
    if (d.hsLen > 0) {
      // Join with the carried-over part of a message.
      const need = d.hsLen + n;
      if (need > d.hs!.length) {
        const bigger = new Uint8Array(Math.min(Math.max(need, d.hs!.length * 2), MAX_HANDSHAKE + 4));
        bigger.set(d.hs!.subarray(0, d.hsLen));
        d.hs = bigger;
      }
      const take = Math.min(n, d.hs!.length - d.hsLen);
      d.hs!.set(b.subarray(o, o + take), d.hsLen);
      d.hsLen += take;
      src = d.hs!;
      off = 0;
      end = d.hsLen;
    }
    while (end - off >= 4) {
      const mlen = (src[off + 1]! << 16) | (src[off + 2]! << 8) | src[off + 3]!;
      if (mlen > MAX_HANDSHAKE) {
        d.hsSkip = Math.max(0, mlen - (end - off - 4));
        off = end;
        break;
      }
      if (end - off < 4 + mlen) break;
      this.handshakeMessage(s, d, fromClient, src[off]!, src, off + 4, mlen, frame, ts);
      off += 4 + mlen;
    }
    const rest = end - off;
    if (rest === 0) {
      d.hsLen = 0;
      return;
    }
    if (src === d.hs) {
      d.hs.copyWithin(0, off, end);
    } else {
      if (!d.hs || d.hs.length < rest) d.hs = new Uint8Array(Math.max(rest, 4096));
      d.hs.set(src.subarray(off, end), 0);
    }
    d.hsLen = rest;
  }

  private handshakeMessage(s: TlsSession, d: Dir, fromClient: boolean, type: number, b: Uint8Array, o: number, n: number, frame: number, ts: Time): void {
    this.event(s, frame, fromClient, 'hs', type, 0);
    if (type === HS_CLIENT_HELLO && fromClient && s.clientHello === null) {
      const ch = decodeClientHello(b, o, n);
      s.clientHello = {
        frame,
        ts,
        sni: ch.sni,
        legacyVersion: ch.legacyVersion,
        versions: ch.supportedVersions.length ? ch.supportedVersions : [ch.legacyVersion],
        ciphers: ch.ciphers,
        alpn: ch.alpn,
        groups: ch.groups,
        sslv2: false,
      };
    } else if (type === HS_SERVER_HELLO && !fromClient) {
      const sh = decodeServerHello(b, o, n);
      if (sh.helloRetryRequest) {
        add(s, 'helloRetryFrames', frame);
        return;
      }
      if (s.serverHello === null) {
        let version = negotiatedVersion(sh);
        let cipher = sh.cipher;
        // TLS 1.3 drafts before -22 sent ServerHello without legacy_session_id and compression:
        // version(2) random(32) cipher_suite(2) extensions (draft-ietf-tls-tls13-21 §4.1.3).
        if ((sh.legacyVersion & 0xff00) === 0x7f00 && (sh.legacyVersion & 0xff) < 22 && n >= 36) {
          version = sh.legacyVersion;
          cipher = (b[o + 34]! << 8) | b[o + 35]!;
        }
        s.serverHello = { frame, ts, version, cipher, alpn: sh.alpn };
        // From here on TLS 1.3 protects everything but alerts sent before keys exist.
        if (isTls13(s)) d.encrypting = true;
      }
    } else if (type === HS_CERTIFICATE && !fromClient && s.certificates.length === 0 && !isTls13(s)) {
      const list = decodeCertificate12(b, o, n);
      for (const der of list.certs.slice(0, 8)) {
        const c = parseCertCached(der);
        if (c) add(s, 'certificates', c);
        // A certificate sent alone that names where its issuer is: is that issuer a root? (Once per
        // certificate: the parsed object is the cache's.)
        if (c && list.certs.length === 1 && !c.selfIssued && c.caIssuers !== null && c.issuedByRoot === null) c.issuedByRoot = issuedByKnownRoot(der);
      }
      s.certificateFrame = frame;
    }
  }
}
