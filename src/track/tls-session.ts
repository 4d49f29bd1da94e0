/**
 * What the TLS analyzer (tls.ts) learns of one connection — the session record — and the
 * judgements a passive observer can make of it. Apart from the analyzer so that the diagnosis
 * reads sessions without loading the decoders (and, through them, node:crypto).
 */
import type { CertInfo } from '../decode/x509.js';
import type { Time } from './types.js';

export interface TlsEvent {
  frame: number;
  fromClient: boolean;
  /** 'hs' handshake message in clear; 'alert' alert in clear; 'ccs'; 'enc' encrypted record; 'sslv2' SSLv2 hello. */
  kind: 'hs' | 'alert' | 'ccs' | 'enc' | 'sslv2';
  /** Handshake type, alert description, or the record length of an encrypted record. */
  value: number;
  /** For alerts: level; for encrypted records: content type. */
  extra: number;
}

export interface TlsAlertFact {
  frame: number;
  ts: Time;
  fromClient: boolean;
  level: number;
  description: number;
}

export interface TlsSession {
  /** True when the ClientHello came from the TCP originator (the usual case). */
  clientIsOrig: boolean;
  clientHello: null | {
    frame: number;
    ts: Time;
    sni: string | null;
    legacyVersion: number;
    versions: number[];
    ciphers: number[];
    alpn: string[];
    groups: number[];
    sslv2: boolean;
  };
  serverHello: null | { frame: number; ts: Time; version: number; cipher: number; alpn: string | null };
  helloRetryFrames: number[];
  certificates: CertInfo[];
  certificateFrame: number | null;
  alerts: TlsAlertFact[];
  /** Alert records that could not be read (encrypted). */
  encryptedAlerts: Array<{ frame: number; ts: Time; fromClient: boolean }>;
  ccs: { client: boolean; server: boolean };
  /** Encrypted records (type 23, or encrypted handshake after CCS) per side. */
  encrypted: { client: number; server: number };
  /** TLS 1.3: encrypted records the client sent after the server's first encrypted flight. */
  clientAfterServerFlight: Array<{ frame: number; length: number }>;
  firstServerEncryptedFrame: number | null;
  /**
   * The client sent an encrypted record before the server's first one: in TLS 1.3, early data
   * (0-RTT, RFC 8446 §4.2.10) — a request that may be answered before the client's Finished;
   * in TLS <= 1.2, the client's Finished of a full handshake.
   */
  clientEncryptedFirst: boolean;
  /**
   * Handshake messages, alerts and CCS in order (at most 64), with the first few encrypted records
   * of each side; empty unless the analyzer keeps events (TlsAnalyzerOptions.events).
   */
  events: TlsEvent[];
  /** A direction carried bytes that are not TLS records (plain text, a gap, an unknown format). */
  broken: { client: boolean; server: boolean };
  gap: boolean;
  /**
   * The client's first application-data record after its Finished (its request), when seen: TLS 1.3
   * by its place and size, TLS <= 1.2 by its record type (tls.ts `afterHandshake`).
   */
  clientFirstData: null | { frame: number; ts: Time; length: number };
  /**
   * The server's encrypted records after the handshake (the first 8), and how many in all: TLS 1.3,
   * after the client's Finished (session tickets included); TLS <= 1.2, after the server's Finished.
   */
  serverAfterHandshake: Array<{ frame: number; ts: Time; length: number }>;
  serverAfterHandshakeCount: number;
  /**
   * The client's application-data records from its request on (clientFirstData included) and within
   * a second of it, and their bytes (record bodies, ciphertext): what an HTTP/2 request must be told
   * from a preface by.
   */
  clientData: { records: number; bytes: number };
  /**
   * The server's first bytes when they were not a TLS record (a plain-text answer to the
   * ClientHello): the first line, printable, at most 64 bytes. Null otherwise.
   */
  plainAnswer: null | { frame: number; ts: Time; text: string };
}

/** TLS 1.3, or one of its drafts (0x7fNN) — same key schedule shape, encrypted after ServerHello. */
export function isTls13Version(v: number): boolean {
  return v === 0x0304 || (v & 0xff00) === 0x7f00;
}

export function isTls13(s: TlsSession): boolean {
  return s.serverHello !== null && isTls13Version(s.serverHello.version);
}

/** Whether the handshake completed, from what a passive observer can see. */
export function tlsEstablished(s: TlsSession): boolean {
  if (!s.serverHello || s.alerts.some((a) => a.level === 2)) return false;
  if (isTls13(s)) {
    // The server's encrypted flight (EncryptedExtensions .. Finished), then the client's
    // encrypted Finished. A client that rejects the certificate sends an encrypted alert
    // instead and closes: that case is told apart by the diagnosis, not here.
    return s.firstServerEncryptedFrame !== null && s.clientAfterServerFlight.length > 0;
  }
  return s.ccs.client && s.ccs.server && s.encrypted.client > 0 && s.encrypted.server > 0;
}

