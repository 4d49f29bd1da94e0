import { describe, expect, test } from 'vitest';
import { decodeHttpStart, type HttpStart } from '../../src/decode/http.js';
import { isStop } from '../../src/decode/stop.js';

const enc = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

// Shaped like zeek www-odd-url.pcap / common browser requests.
const GET = enc('GET /index.html?q=1 HTTP/1.1\r\nUser-Agent: curl/8.5.0\r\nhOsT:  www.example.com:8080 \r\nAccept: */*\r\n\r\n');
const RESP = enc('HTTP/1.1 502 Bad Gateway\r\nServer: nginx\r\nContent-Length: 0\r\n\r\n');
const CONNECT = enc('CONNECT api.example.com:443 HTTP/1.1\r\nHost: api.example.com:443\r\nProxy-Connection: Keep-Alive\r\n\r\n');
const LF_ONLY = enc('HTTP/1.0 200\nServer: x\n\n');

describe('decodeHttpStart', () => {
  test('request with Host (case-insensitive, OWS trimmed)', () => {
    expect(decodeHttpStart(GET, 0, GET.length)).toEqual({
      kind: 'request', method: 'GET', target: '/index.html?q=1', version: 'HTTP/1.1', host: 'www.example.com:8080', headersComplete: true,
    });
  });

  test('response', () => {
    expect(decodeHttpStart(RESP, 0, RESP.length)).toEqual({ kind: 'response', version: 'HTTP/1.1', status: 502, reason: 'Bad Gateway', headersComplete: true });
  });

  test('CONNECT authority target', () => {
    expect(decodeHttpStart(CONNECT, 0, CONNECT.length)).toMatchObject({ kind: 'request', method: 'CONNECT', target: 'api.example.com:443', host: 'api.example.com:443' });
  });

  test('bare LF line ends and an empty reason', () => {
    expect(decodeHttpStart(LF_ONLY, 0, LF_ONLY.length)).toEqual({ kind: 'response', version: 'HTTP/1.0', status: 200, reason: '', headersComplete: true });
  });

  test('not HTTP', () => {
    for (const s of ['\x16\x03\x01\x00', 'SSH-2.0-OpenSSH', 'GETX / HTTP/1.1\r\n', 'get / HTTP/1.1\r\n', 'HTTP/2 200\r\n', '', 'G']) {
      expect(decodeHttpStart(enc(s), 0, s.length)).toBeNull();
    }
  });

  test('HTTP-looking but malformed start lines', () => {
    expect(decodeHttpStart(enc('GET /\r\n\r\n'), 0, 9)).toMatchObject({ stop: 'malformed' }); // HTTP/0.9 style
    expect(decodeHttpStart(enc('GET / HTTP/3.0\r\n'), 0, 16)).toMatchObject({ stop: 'malformed' });
    expect(decodeHttpStart(enc('HTTP/1.1 2x0 OK\r\n'), 0, 17)).toMatchObject({ stop: 'malformed' });
  });

  test('h2c prior-knowledge preface', () => {
    const b = enc('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    expect(decodeHttpStart(b, 0, b.length)).toMatchObject({ kind: 'request', method: 'PRI', version: 'HTTP/2.0' });
  });

  test('reads only within off/len and within 8 KiB', () => {
    const pre = enc('xxxx');
    const b = new Uint8Array([...pre, ...GET]);
    expect(decodeHttpStart(b, 4, GET.length)).toMatchObject({ method: 'GET', host: 'www.example.com:8080' });
    const big = enc('GET / HTTP/1.1\r\nX: ' + 'a'.repeat(9000) + '\r\nHost: late\r\n\r\n');
    expect(decodeHttpStart(big, 0, big.length)).toMatchObject({ host: null, headersComplete: false });
    const longLine = enc('GET /' + 'a'.repeat(9000) + ' HTTP/1.1\r\n\r\n');
    expect(decodeHttpStart(longLine, 0, longLine.length)).toMatchObject({ stop: 'malformed' });
  });

  test('every fixture cut at every length', () => {
    for (const full of [GET, RESP, CONNECT, LF_ONLY]) {
      const whole = decodeHttpStart(full, 0, full.length) as HttpStart;
      for (let n = 0; n < full.length; n++) {
        const r = decodeHttpStart(full, 0, n);
        expect(decodeHttpStart(full.slice(0, n), 0, n)).toEqual(r);
        if (r === null) {
          expect(n).toBeLessThan(8); // shorter than "HTTP/1." / the method and its SP
          continue;
        }
        if (isStop(r)) {
          expect(r).toMatchObject({ stop: 'truncated' });
          continue;
        }
        // A complete start line: same fields; the header block is complete only at the very end.
        const { headersComplete, ...rest } = r;
        const { headersComplete: _w, ...wholeRest } = whole;
        if ('host' in rest && 'host' in wholeRest) {
          // The Host header appears once its whole line is in.
          if (rest.host !== null) expect(rest.host).toBe(wholeRest.host);
          expect({ ...rest, host: null }).toEqual({ ...wholeRest, host: null });
        } else {
          expect(rest).toEqual(wholeRest);
        }
        expect(headersComplete).toBe(false);
      }
    }
  });
});
