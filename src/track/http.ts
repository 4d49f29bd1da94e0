/**
 * HTTP/1.x over one TCP connection (RFC 9112): each direction's stream is cut into messages —
 * header block, then a body delimited by Content-Length, chunked coding, or the close
 * (§6.3) — and requests are paired with responses in order. A 2xx answer to CONNECT turns the
 * connection into a tunnel, whose bytes are handed back to the caller (usually TLS inside).
 */
import { decodeHttpStart } from '../decode/http.js';
import { isStop } from '../decode/stop.js';
import { escapedText, latin1 } from '../decode/bytes.js';
import type { Time } from './types.js';

const MAX_HEADER = 64 * 1024;
const MAX_CHUNK_LINE = 1024;
const MAX_EXCHANGES = 256;

export interface HttpExchange {
  method: string;
  target: string;
  host: string | null;
  version: string;
  requestFrame: number;
  requestTime: Time;
  /** Frame that completed the request (headers and body). */
  requestEndFrame: number | null;
  status: number | null;
  reason: string | null;
  responseFrame: number | null;
  responseTime: Time | null;
  responseEndFrame: number | null;
  /** Interim 1xx responses seen before the final one. */
  interim: number[];
  /**
   * How the final response's body is delimited (RFC 9112 §6.3): 'length' (Content-Length),
   * 'chunked', 'close' (the connection's end), 'none' (HEAD, 204, 304), 'tunnel' (a CONNECT's
   * 2xx); null before the final response.
   */
  bodyKind: BodyMode | null;
  /** The Content-Length of a 'length' body (bytes promised), else null. */
  bodyLength: number | null;
  /** Body bytes seen: of a 'length' body, or the chunk data of a chunked one (not its framing). */
  bodyBytes: number;
  /** Frame and time of the last body bytes seen (0 / null: none). */
  bodyLastFrame: number;
  bodyLastTime: Time | null;
  /** A chunked body's last (zero-size) chunk arrived (its trailer section may still be missing). */
  lastChunk: boolean;
  /**
   * The request's credentials (RFC 9110 §11.6.2, §11.7.2): the scheme of its Authorization and of
   * its Proxy-Authorization header ('Basic', 'NTLM', 'Negotiate', 'Digest'...), null when absent.
   */
  authScheme: string | null;
  proxyAuthScheme: string | null;
  /**
   * The User-Agent names a network scanner (nmap's scripting engine, masscan, zgrab): a request a
   * scanner sent to learn what the port serves, not a program's.
   */
  scannerAgent: boolean;
  /**
   * The first BODY_HEAD bytes of a 200 answer's body, as Latin-1 text, when the body may be a short
   * text (Content-Type text/plain, text/html or none, no Content-Encoding, and a Content-Length of
   * BODY_HEAD or less, or a chunked or close-delimited body); else null. http.error_in_body reads it.
   */
  bodyHead: string | null;
}

/** Body bytes kept of a 200 answer that may be a short text (HttpExchange.bodyHead); a Content-Length above it is not kept at all. */
export const BODY_HEAD = 256;

export type BodyMode = 'none' | 'length' | 'chunked' | 'close' | 'tunnel';

interface Dir {
  head: Uint8Array | null;
  headLen: number;
  /** 'head': reading a header block; 'body': reading a body; 'chunk-size' / 'chunk-data' / 'chunk-crlf' / 'trailer'. */
  phase: 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailer' | 'close' | 'tunnel' | 'broken';
  remaining: number;
  line: string;
  /** The exchange whose response body this direction is reading (server side), or null. */
  cur: HttpExchange | null;
}

export interface HttpSession {
  exchanges: HttpExchange[];
  /** Requests not yet answered (FIFO). */
  pending: HttpExchange[];
  tunnel: boolean;
  /** Bytes that did not parse as HTTP in a direction. */
  broken: { client: boolean; server: boolean };
  gap: boolean;
  /**
   * Bytes of the server's stream handed to the analyzer, in order (gaps not counted): with no
   * gap, the offset in the server's stream where the capture's bytes end.
   */
  serverBytes: number;
  /** `serverBytes` when the server's stream had its first gap (bytes before it, in order), -1 without one. */
  serverGapAt: number;
  /**
   * Bytes of a header block the server began and the capture holds unfinished (no blank line
   * yet): an answer may be in them (cut by the close, or written with line ends HTTP/1 does not
   * expect). 0 when none.
   */
  serverHeadPending: number;
}

interface State {
  owner: HttpAnalyzer;
  s: HttpSession;
  client: Dir;
  server: Dir;
  clientIsOrig: boolean;
}

function newDir(): Dir {
  return { head: null, headLen: 0, phase: 'head', remaining: 0, line: '', cur: null };
}

/**
 * Finds the end of a header block (CRLFCRLF, or LFLF) ending in b[from..to) and starting at or
 * after `start` (the scan looks back no further); returns the index after it, or -1.
 */
function headerEnd(b: Uint8Array, start: number, from: number, to: number): number {
  for (let i = Math.max(from, start + 1); i < to; i++) {
    if (b[i] !== 0x0a) continue;
    if (b[i - 1] === 0x0a) return i + 1;
    if (b[i - 1] === 0x0d && i - 3 >= start && b[i - 2] === 0x0a && b[i - 3] === 0x0d) return i + 1;
  }
  return -1;
}

/** End of the value found by the last successful `headerAt` (exclusive). */
let valueEnd = 0;

function lowerAscii(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

/**
 * The first header field `name` (lowercase ASCII) in the block b[start..end), matched on bytes the
 * way /\r?\n<name>[ \t]*:[ \t]*([^\r\n]*)/i matches its Latin-1 text: returns where the value
 * starts (and sets `valueEnd`), or -1. No string is built for the block.
 */
function headerAt(b: Uint8Array, start: number, end: number, name: Uint8Array): number {
  if (end > b.length) end = b.length;
  const nl = name.length;
  for (let i = start; i < end; i++) {
    if (b[i] !== 0x0a) continue;
    let j = i + 1;
    if (j + nl > end) return -1;
    let k = 0;
    while (k < nl && lowerAscii(b[j + k]!) === name[k]) k++;
    if (k < nl) continue;
    j += nl;
    while (j < end && (b[j] === 0x20 || b[j] === 0x09)) j++;
    if (j >= end || b[j] !== 0x3a) continue;
    j++;
    while (j < end && (b[j] === 0x20 || b[j] === 0x09)) j++;
    let e = j;
    while (e < end && b[e] !== 0x0d && b[e] !== 0x0a) e++;
    valueEnd = e;
    return j;
  }
  return -1;
}

const TRANSFER_ENCODING = asciiBytes('transfer-encoding');
const CONTENT_LENGTH = asciiBytes('content-length');
const CHUNKED = asciiBytes('chunked');
const AUTHORIZATION = asciiBytes('authorization');
const PROXY_AUTHORIZATION = asciiBytes('proxy-authorization');
/** Longest credentials scheme kept (the token before the credentials; longer: cut). */
const MAX_SCHEME = 32;

const USER_AGENT = asciiBytes('user-agent');
/** Words of a scanner's User-Agent (lowercase): nmap's NSE "Mozilla/5.0 (compatible; Nmap Scripting Engine; ...)", "masscan/1.3", "zgrab/0.x". */
const SCANNER_AGENTS = ['nmap scripting engine', 'masscan', 'zgrab'].map(asciiBytes);
/** Bytes of a User-Agent value looked at. */
const MAX_AGENT = 256;

/** The first User-Agent header names a scanner (SCANNER_AGENTS, any case). */
function scannerAgent(b: Uint8Array, start: number, end: number): boolean {
  const vs = headerAt(b, start, end, USER_AGENT);
  if (vs < 0) return false;
  const ve = Math.min(valueEnd, vs + MAX_AGENT);
  for (const w of SCANNER_AGENTS) {
    for (let i = vs; i + w.length <= ve; i++) {
      let k = 0;
      while (k < w.length && lowerAscii(b[i + k]!) === w[k]) k++;
      if (k === w.length) return true;
    }
  }
  return false;
}

/**
 * The auth-scheme of the first `name` header (RFC 9110 §11.4: credentials = auth-scheme
 * [ 1*SP ...]), at most MAX_SCHEME characters; '' for an empty value, null when there is none.
 */
function credentialsScheme(b: Uint8Array, start: number, end: number, name: Uint8Array): string | null {
  const vs = headerAt(b, start, end, name);
  if (vs < 0) return null;
  let e = vs;
  while (e < valueEnd && e - vs < MAX_SCHEME && b[e] !== 0x20 && b[e] !== 0x09) e++;
  return escapedText(b, vs, e);
}

function asciiBytes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** Transfer-Encoding (first one) mentions "chunked", in any case. */
function isChunked(b: Uint8Array, start: number, end: number): boolean {
  const vs = headerAt(b, start, end, TRANSFER_ENCODING);
  if (vs < 0) return false;
  const ve = valueEnd;
  for (let i = vs; i + CHUNKED.length <= ve; i++) {
    let k = 0;
    while (k < CHUNKED.length && lowerAscii(b[i + k]!) === CHUNKED[k]) k++;
    if (k === CHUNKED.length) return true;
  }
  return false;
}

const CONTENT_TYPE = asciiBytes('content-type');
const CONTENT_ENCODING = asciiBytes('content-encoding');

/** A body that may be read as text: no Content-Encoding, and Content-Type text/plain, text/html or none. */
function shortText(b: Uint8Array, start: number, end: number): boolean {
  if (headerAt(b, start, end, CONTENT_ENCODING) >= 0) return false;
  const vs = headerAt(b, start, end, CONTENT_TYPE);
  if (vs < 0) return true;
  const v = latin1(b, vs, Math.min(valueEnd - vs, 64)).trim().toLowerCase();
  return v.startsWith('text/plain') || v.startsWith('text/html');
}

/** JS String.prototype.trim whitespace within Latin-1 (CR/LF cannot occur inside a value). */
function isTrimSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c || c === 0xa0;
}

/** The first Content-Length value, trimmed, or null. */
function contentLength(b: Uint8Array, start: number, end: number): string | null {
  let vs = headerAt(b, start, end, CONTENT_LENGTH);
  if (vs < 0) return null;
  let ve = valueEnd;
  while (vs < ve && isTrimSpace(b[vs]!)) vs++;
  while (ve > vs && isTrimSpace(b[ve - 1]!)) ve--;
  return latin1(b, vs, ve - vs);
}

type BodyPlan = { kind: BodyMode; length: number };
const BODY_CHUNKED: BodyPlan = Object.freeze({ kind: 'chunked', length: 0 });
const BODY_CLOSE: BodyPlan = Object.freeze({ kind: 'close', length: 0 });
const BODY_NONE: BodyPlan = Object.freeze({ kind: 'none', length: 0 });
const BODY_TUNNEL: BodyPlan = Object.freeze({ kind: 'tunnel', length: 0 });
const BODY_EMPTY: BodyPlan = Object.freeze({ kind: 'length', length: 0 });

function bodyLength(n: number): BodyPlan {
  return n === 0 ? BODY_EMPTY : { kind: 'length', length: n };
}

/** `k` more body bytes of `ex` (from b[o]), the last of them in `frame`. */
function bodySeen(ex: HttpExchange, k: number, frame: number, ts: Time, b: Uint8Array, o: number): void {
  if (k <= 0) return;
  if (ex.bodyHead !== null && ex.bodyHead.length < BODY_HEAD) ex.bodyHead += latin1(b, o, Math.min(k, BODY_HEAD - ex.bodyHead.length));
  ex.bodyBytes += k;
  ex.bodyLastFrame = frame;
  ex.bodyLastTime = ts;
}

/** Where a connection object keeps its HTTP state (a field of TcpConn; added to other objects). */
interface Slot {
  httpState?: State | null;
}

/**
 * The server name a request asked for: its Host without the port, or null (no Host, or a CONNECT,
 * whose authority names the tunnel's far end, not the proxy the connection goes to).
 */
export function requestHost(e: HttpExchange): string | null {
  return e.host && e.method !== 'CONNECT' ? e.host.replace(/:\d+$/, '') : null;
}

export class HttpAnalyzer {
  /** States of connections whose slot holds another analyzer's state. */
  private others: WeakMap<object, State> | null = null;

  constructor(private readonly onTunnel?: (conn: object, fromOrig: boolean, rest: Uint8Array, frame: number, ts: Time) => void) {}

  private get(conn: object): State | null {
    const x = (conn as Slot).httpState;
    if (x !== undefined && x !== null && x.owner === this) return x;
    return this.others?.get(conn) ?? null;
  }

  session(conn: object): HttpSession | null {
    return this.get(conn)?.s ?? null;
  }

  start(conn: object, clientIsOrig: boolean): HttpSession {
    const s: HttpSession = { exchanges: [], pending: [], tunnel: false, broken: { client: false, server: false }, gap: false, serverBytes: 0, serverGapAt: -1, serverHeadPending: 0 };
    const st: State = { owner: this, s, client: newDir(), server: newDir(), clientIsOrig };
    const slot = conn as Slot;
    const x = slot.httpState;
    if (x === undefined || x === null || x.owner === this) slot.httpState = st;
    else (this.others ??= new WeakMap()).set(conn, st);
    return s;
  }

  gap(conn: object, fromOrig: boolean): void {
    const st = this.get(conn);
    if (st === null) return;
    st.s.gap = true;
    if (fromOrig !== st.clientIsOrig && st.s.serverGapAt < 0) st.s.serverGapAt = st.s.serverBytes;
    const d = fromOrig === st.clientIsOrig ? st.client : st.server;
    if (d.phase !== 'close' && d.phase !== 'tunnel') d.phase = 'broken';
  }

  /** In-order bytes of one direction: b[off .. off+len) (the whole of `b` by default). */
  data(conn: object, fromOrig: boolean, b: Uint8Array, frame: number, ts: Time, off = 0, len = b.length - off): void {
    const st = this.get(conn);
    if (st === null) return;
    const fromClient = fromOrig === st.clientIsOrig;
    const d = fromClient ? st.client : st.server;
    if (!fromClient) st.s.serverBytes += len;
    let o = off;
    const n = off + len;
    // Bounded: every iteration consumes bytes or changes phase.
    for (let guard = 0; o < n && guard < 100_000; guard++) {
      switch (d.phase) {
        case 'close':
          // A body delimited by the close: counted as it comes (http.body_cut_short asks how much came before a reset).
          if (!fromClient && d.cur !== null) bodySeen(d.cur, n - o, frame, ts, b, o);
          return;
        case 'broken':
          return;
        case 'tunnel':
          this.onTunnel?.(conn, fromOrig, b.subarray(o, n), frame, ts);
          return;
        case 'head': {
          if (d.headLen === 0) {
            // The usual case: the whole header block is in this delivery, read in place.
            const end = headerEnd(b, o, o, n);
            if (end >= 0) {
              const mode = fromClient ? this.request(st, b, o, end, frame, ts) : this.response(st, b, o, end, frame, ts);
              o = end;
              if (!this.headDone(st, d, fromClient, mode, frame)) return;
              break;
            }
          }
          const before = d.headLen;
          const take = Math.min(n - o, MAX_HEADER - d.headLen);
          if (d.head === null || d.headLen + take > d.head.length) {
            const size = Math.min(MAX_HEADER, Math.max(d.head === null ? 1024 : d.head.length * 2, d.headLen + take));
            const bigger = new Uint8Array(size);
            if (d.head !== null) bigger.set(d.head.subarray(0, d.headLen));
            d.head = bigger;
          }
          d.head.set(b.subarray(o, o + take), d.headLen);
          d.headLen += take;
          const end = headerEnd(d.head, 0, Math.max(0, before - 3), d.headLen);
          if (!fromClient) st.s.serverHeadPending = end < 0 ? d.headLen : 0;
          if (end < 0) {
            if (d.headLen >= MAX_HEADER) d.phase = 'broken';
            else if (d.headLen >= 16 && decodeHttpStart(d.head, 0, d.headLen) === null) d.phase = 'broken';
            if (d.phase === 'broken') this.markBroken(st.s, fromClient);
            return;
          }
          o += end - before;
          const mode = fromClient ? this.request(st, d.head, 0, end, frame, ts) : this.response(st, d.head, 0, end, frame, ts);
          d.headLen = 0;
          // A header block split across deliveries is rare: do not keep its buffer.
          d.head = null;
          if (!this.headDone(st, d, fromClient, mode, frame)) return;
          break;
        }
        case 'body': {
          const k = Math.min(d.remaining, n - o);
          d.remaining -= k;
          if (d.cur !== null) bodySeen(d.cur, k, frame, ts, b, o);
          o += k;
          if (d.remaining === 0) this.messageDone(st, fromClient, frame);
          break;
        }
        case 'chunk-size':
        case 'trailer': {
          // Read one line.
          let i = o;
          while (i < n && b[i] !== 0x0a) i++;
          d.line += latin1(b, o, i - o);
          if (d.line.length > MAX_CHUNK_LINE) {
            d.phase = 'broken';
            this.markBroken(st.s, fromClient);
            return;
          }
          if (i >= n) return;
          o = i + 1;
          const line = d.line.replace(/\r$/, '');
          d.line = '';
          if (d.phase === 'trailer') {
            if (line === '') this.messageDone(st, fromClient, frame);
            break;
          }
          const size = parseInt(line.split(';')[0]!.trim(), 16);
          if (!Number.isFinite(size) || size < 0) {
            d.phase = 'broken';
            this.markBroken(st.s, fromClient);
            return;
          }
          if (size === 0) {
            d.phase = 'trailer';
            if (d.cur !== null) d.cur.lastChunk = true;
          }
          else {
            d.phase = 'chunk-data';
            d.remaining = size;
          }
          break;
        }
        case 'chunk-data': {
          const k = Math.min(d.remaining, n - o);
          d.remaining -= k;
          if (d.cur !== null) bodySeen(d.cur, k, frame, ts, b, o);
          o += k;
          if (d.remaining === 0) {
            d.phase = 'chunk-crlf';
            d.line = '';
          }
          break;
        }
        case 'chunk-crlf': {
          while (o < n && b[o] !== 0x0a) o++;
          if (o < n) {
            o++;
            d.phase = 'chunk-size';
          }
          break;
        }
      }
    }
  }

  private markBroken(s: HttpSession, fromClient: boolean): void {
    if (fromClient) s.broken.client = true;
    else s.broken.server = true;
  }

  /** After a header block: into its body, or false when it was not HTTP (the direction is broken). */
  private headDone(st: State, d: Dir, fromClient: boolean, mode: { kind: BodyMode; length: number } | null, frame: number): boolean {
    if (mode === null) {
      d.phase = 'broken';
      this.markBroken(st.s, fromClient);
      return false;
    }
    this.enterBody(st, d, fromClient, mode.kind, mode.length, frame);
    return true;
  }

  private enterBody(st: State, d: Dir, fromClient: boolean, kind: BodyMode, length: number, frame: number): void {
    switch (kind) {
      case 'none':
        this.messageDone(st, fromClient, frame);
        d.phase = st.s.tunnel ? 'tunnel' : 'head';
        break;
      case 'length':
        if (length === 0) {
          this.messageDone(st, fromClient, frame);
          d.phase = 'head';
        } else {
          d.phase = 'body';
          d.remaining = length;
        }
        break;
      case 'chunked':
        d.phase = 'chunk-size';
        d.line = '';
        break;
      case 'close':
        d.phase = 'close';
        break;
      case 'tunnel':
        d.phase = 'tunnel';
        st.client.phase = 'tunnel';
        break;
    }
  }

  private messageDone(st: State, fromClient: boolean, frame: number): void {
    const d = fromClient ? st.client : st.server;
    if (d.phase === 'body' || d.phase === 'trailer' || d.phase === 'chunk-size') d.phase = 'head';
    d.cur = null;
    const s = st.s;
    if (fromClient) {
      const last = s.pending[s.pending.length - 1];
      if (last && last.requestEndFrame === null) last.requestEndFrame = frame;
    } else {
      const ex = s.exchanges.find((e) => e.responseFrame !== null && e.responseEndFrame === null);
      if (ex) ex.responseEndFrame = frame;
    }
  }

  private request(st: State, head: Uint8Array, start: number, end: number, frame: number, ts: Time): { kind: BodyMode; length: number } | null {
    const h = decodeHttpStart(head, start, end - start);
    if (h === null || isStop(h) || h.kind !== 'request') return null;
    const s = st.s;
    const ex: HttpExchange = {
      method: h.method,
      target: h.target,
      host: h.host,
      version: h.version,
      requestFrame: frame,
      requestTime: ts,
      requestEndFrame: null,
      status: null,
      reason: null,
      responseFrame: null,
      responseTime: null,
      responseEndFrame: null,
      interim: [],
      bodyKind: null,
      bodyLength: null,
      bodyBytes: 0,
      bodyLastFrame: 0,
      bodyLastTime: null,
      lastChunk: false,
      authScheme: credentialsScheme(head, start, end, AUTHORIZATION),
      proxyAuthScheme: credentialsScheme(head, start, end, PROXY_AUTHORIZATION),
      scannerAgent: scannerAgent(head, start, end),
      bodyHead: null,
    };
    if (s.exchanges.length < MAX_EXCHANGES) {
      s.exchanges.push(ex);
      s.pending.push(ex);
    }
    if (isChunked(head, start, end)) return BODY_CHUNKED;
    const cl = contentLength(head, start, end);
    const n = cl === null ? 0 : Number(cl);
    return bodyLength(Number.isSafeInteger(n) && n >= 0 ? n : 0);
  }

  private response(st: State, head: Uint8Array, start: number, end: number, frame: number, ts: Time): { kind: BodyMode; length: number } | null {
    st.server.cur = null;
    const plan = this.responsePlan(st, head, start, end, frame, ts);
    const ex = st.server.cur as HttpExchange | null;
    if (plan !== null && ex !== null) {
      ex.bodyKind = plan.kind;
      ex.bodyLength = plan.kind === 'length' ? plan.length : null;
      if (ex.status === 200 && (plan.kind === 'chunked' || plan.kind === 'close' || (plan.kind === 'length' && plan.length <= BODY_HEAD)) && shortText(head, start, end)) ex.bodyHead = '';
    }
    return plan;
  }

  /** The final response's exchange goes to st.server.cur (an interim 1xx leaves it null). */
  private responsePlan(st: State, head: Uint8Array, start: number, end: number, frame: number, ts: Time): { kind: BodyMode; length: number } | null {
    const h = decodeHttpStart(head, start, end - start);
    if (h === null || isStop(h) || h.kind !== 'response') return null;
    const s = st.s;
    const ex = s.pending[0];
    // 1xx are interim (RFC 9110 §15.2), except 101 Switching Protocols: it is the answer to the
    // request (a WebSocket or h2c upgrade), after which neither direction speaks HTTP/1.
    if (h.status >= 100 && h.status < 200 && h.status !== 101) {
      if (ex && ex.interim.length < 8) ex.interim.push(h.status);
      return BODY_NONE;
    }
    if (ex) {
      s.pending.shift();
      st.server.cur = ex;
      ex.status = h.status;
      ex.reason = h.reason;
      ex.responseFrame = frame;
      ex.responseTime = ts;
    }
    if (h.status === 101) {
      // The client's bytes from here on are the new protocol's, not requests.
      st.client.phase = 'close';
      if (ex) ex.responseEndFrame = frame;
      return BODY_CLOSE;
    }
    const method = ex?.method ?? '';
    if (method === 'CONNECT' && h.status >= 200 && h.status < 300) {
      s.tunnel = true;
      if (ex) ex.responseEndFrame = frame;
      return BODY_TUNNEL;
    }
    if (method === 'HEAD' || h.status === 204 || h.status === 304) return BODY_NONE;
    if (isChunked(head, start, end)) return BODY_CHUNKED;
    const cl = contentLength(head, start, end);
    if (cl !== null) {
      const n = Number(cl);
      if (Number.isSafeInteger(n) && n >= 0) return bodyLength(n);
    }
    return BODY_CLOSE;
  }
}

/** Does this look like the start of an HTTP/1.x request? */
export function looksLikeHttpRequest(b: Uint8Array, off: number, len: number): boolean {
  const h = decodeHttpStart(b, off, Math.min(len, 64));
  if (h !== null && !isStop(h)) return h.kind === 'request';
  // A start line cut at 64 bytes comes back as truncated: accept it when the method is known.
  return h !== null && isStop(h) && h.stop === 'truncated';
}
