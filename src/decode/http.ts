/**
 * HTTP/1.x message start (RFC 9112): the start line and the Host header, nothing else.
 *
 * API
 *   decodeHttpStart(b, off, len): HttpStart | DecodeStop | null
 *     null       the payload does not start like HTTP/1.x (no known method token + SP, and not
 *                "HTTP/1."); checked on raw bytes before any string is built.
 *     DecodeStop truncated: it starts like HTTP but the start line is not complete (within
 *                MAX_SCAN); malformed: the start line is not a valid request/status line.
 *     HttpStart  the start line; `host` from the first Host header (case-insensitive) found
 *                within MAX_SCAN bytes; `headersComplete` when the empty line ending the header
 *                section was seen within those bytes.
 *
 * "PRI * HTTP/2.0" (RFC 9113 §3.4 prior-knowledge preface) is reported as a request with
 * version "HTTP/2.0" so a tracker can tell h2c from garbage. Bytes outside 0x20..0x7e in the
 * reported strings are shown as \xHH.
 */
import { escapedText } from './bytes.js';
import { malformed, truncated, type DecodeStop } from './stop.js';

const LAYER = 'http';
/** We only look at the first 8 KiB (a common server limit for the header section). */
const MAX_SCAN = 8192;

export type HttpStart =
  | {
      kind: 'request';
      method: string;
      /** request-target (RFC 9112 §3.2); for CONNECT the authority form "host:port". */
      target: string;
      version: string;
      host: string | null;
      headersComplete: boolean;
    }
  | {
      kind: 'response';
      version: string;
      status: number;
      reason: string;
      headersComplete: boolean;
    };

/** Methods from RFC 9110 §9, RFC 5789 (PATCH), RFC 4918 (WebDAV), RFC 3253, RFC 4791, RFC 9113 PRI. */
const METHODS = [
  'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'REPORT', 'SEARCH',
  'MKCALENDAR', 'MKACTIVITY', 'CHECKOUT', 'MERGE', 'PRI',
].map((m) => Uint8Array.from(m, (c) => c.charCodeAt(0)));

const HTTP1 = [0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e]; // "HTTP/1."

function startsWith(b: Uint8Array, o: number, end: number, pat: ArrayLike<number>): boolean {
  if (o + pat.length > end) return false;
  for (let i = 0; i < pat.length; i++) if (b[o + i] !== pat[i]) return false;
  return true;
}

/** Index of the LF ending the line that starts at o, or -1 (RFC 9112 §2.2 lets a recipient
 *  accept a bare LF as line end). */
function lineEnd(b: Uint8Array, o: number, end: number): number {
  for (let i = o; i < end; i++) if (b[i] === 0x0a) return i;
  return -1;
}

/** Line content end: drop the CR before LF. */
function contentEnd(b: Uint8Array, o: number, lf: number): number {
  return lf > o && b[lf - 1] === 0x0d ? lf - 1 : lf;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

export function decodeHttpStart(b: Uint8Array, off: number, len: number): HttpStart | DecodeStop | null {
  const end = Math.min(off + len, b.length, off + MAX_SCAN);
  if (end <= off) return null;

  // Cheap recognition on bytes: "HTTP/1." or a known method followed by SP.
  let method = -1;
  const isResponse = startsWith(b, off, end, HTTP1);
  if (!isResponse) {
    const c0 = b[off]!;
    if (c0 < 0x41 || c0 > 0x5a) return null;
    for (let m = 0; m < METHODS.length; m++) {
      const pat = METHODS[m]!;
      if (startsWith(b, off, end, pat) && (off + pat.length === end || b[off + pat.length] === 0x20)) {
        method = m;
        break;
      }
    }
    if (method < 0) {
      // A cut prefix of "HTTP/1." or of a method: too short to judge, not HTTP as far as we know.
      return null;
    }
  }

  const lf = lineEnd(b, off, end);
  if (lf < 0) {
    return end - off >= MAX_SCAN
      ? malformed(LAYER, 0, 'start line longer than 8 KiB')
      : truncated(LAYER, end - off, 'start line cut');
  }
  const le = contentEnd(b, off, lf);

  if (isResponse) {
    // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4)
    const v = off + 8; // after "HTTP/1.x"
    if (le < v + 4 || !isDigit(b[off + 7]) || b[v] !== 0x20) return malformed(LAYER, 0, 'bad status line');
    if (!isDigit(b[v + 1]) || !isDigit(b[v + 2]) || !isDigit(b[v + 3])) return malformed(LAYER, 8, 'bad status code');
    if (le > v + 4 && b[v + 4] !== 0x20) return malformed(LAYER, 12, 'bad status line');
    const status = (b[v + 1]! - 0x30) * 100 + (b[v + 2]! - 0x30) * 10 + (b[v + 3]! - 0x30);
    const headers = scanHeaders(b, lf + 1, end, false);
    return {
      kind: 'response',
      version: escapedText(b, off, v),
      status,
      reason: le > v + 5 ? escapedText(b, v + 5, le) : '',
      headersComplete: headers.complete,
    };
  }

  // request-line = method SP request-target SP HTTP-version (RFC 9112 §3)
  const mEnd = off + METHODS[method]!.length;
  let sp2 = -1;
  for (let i = le - 1; i > mEnd; i--) {
    if (b[i] === 0x20) {
      sp2 = i;
      break;
    }
  }
  if (sp2 < 0 || sp2 === mEnd + 1) return malformed(LAYER, mEnd - off, 'bad request line');
  const isPri = method === METHODS.length - 1;
  const verOk = isPri
    ? le - sp2 - 1 === 8 && startsWith(b, sp2 + 1, le, [0x48, 0x54, 0x54, 0x50, 0x2f, 0x32, 0x2e, 0x30])
    : le - sp2 - 1 === 8 && startsWith(b, sp2 + 1, le, HTTP1) && isDigit(b[sp2 + 8]);
  if (!verOk) return malformed(LAYER, sp2 + 1 - off, 'bad HTTP version');
  const headers = scanHeaders(b, lf + 1, end, true);
  return {
    kind: 'request',
    method: escapedText(b, off, mEnd),
    target: escapedText(b, mEnd + 1, sp2),
    version: escapedText(b, sp2 + 1, le),
    host: headers.host,
    headersComplete: isPri ? true : headers.complete,
  };
}

const HOST = [0x68, 0x6f, 0x73, 0x74]; // "host"

/** Header field lines (RFC 9112 §5) from o to the empty line; bounded by `end` (<= 8 KiB). */
function scanHeaders(b: Uint8Array, o: number, end: number, wantHost: boolean): { complete: boolean; host: string | null } {
  let host: string | null = null;
  let p = o;
  while (p < end) {
    const lf = lineEnd(b, p, end);
    if (lf < 0) break;
    const le = contentEnd(b, p, lf);
    if (le === p) return { complete: true, host };
    // field-name ":" OWS field-value OWS; compare the name case-insensitively on bytes.
    if (wantHost && host === null && le - p > 5 && b[p + 4] === 0x3a) {
      let match = true;
      for (let i = 0; i < 4; i++) if ((b[p + i]! | 0x20) !== HOST[i]) match = false;
      if (match) {
        let vs = p + 5;
        let ve = le;
        while (vs < ve && (b[vs] === 0x20 || b[vs] === 0x09)) vs++;
        while (ve > vs && (b[ve - 1] === 0x20 || b[ve - 1] === 0x09)) ve--;
        host = escapedText(b, vs, ve);
      }
    }
    p = lf + 1;
  }
  return { complete: false, host };
}
