import { describe, expect, it } from 'vitest';
import { HttpAnalyzer, looksLikeHttpRequest } from '../../src/track/http.js';

const t = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('HTTP tracking', () => {
  it('pairs pipelined requests with responses framed by Content-Length and chunked coding', () => {
    const a = new HttpAnalyzer();
    const c = {};
    a.start(c, true);
    a.data(c, true, t('GET /a HTTP/1.1\r\nHost: www.example.com\r\n\r\nPOST /b HTTP/1.1\r\nHost: www.example.com\r\nContent-Length: 5\r\n\r\nhel'), 1, 1);
    a.data(c, true, t('loHEAD /c HTTP/1.1\r\nHost: x.example\r\n\r\n'), 2, 2);
    a.data(c, false, t('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcdHTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n'), 3, 3);
    a.data(c, false, t('0\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 100\r\n\r\n'), 4, 4);
    const s = a.session(c)!;
    expect(s.exchanges.map((e) => [e.method, e.target, e.host, e.status, e.requestFrame, e.responseFrame])).toEqual([
      ['GET', '/a', 'www.example.com', 200, 1, 3],
      ['POST', '/b', 'www.example.com', 503, 1, 3],
      ['HEAD', '/c', 'x.example', 404, 2, 4],
    ]);
    expect(s.exchanges[1]!.requestEndFrame).toBe(2);
    expect(s.exchanges[1]!.responseEndFrame).toBe(4);
    expect(s.pending).toEqual([]);
  });

  it('a request with no response stays pending; a header split over segments is joined', () => {
    const a = new HttpAnalyzer();
    const c = {};
    a.start(c, true);
    a.data(c, true, t('GET /slow HTTP/1.1\r\nHo'), 7, 1);
    a.data(c, true, t('st: slow.example\r\n\r'), 8, 2);
    a.data(c, true, t('\n'), 9, 3);
    const s = a.session(c)!;
    expect(s.pending.map((e) => [e.target, e.host, e.requestFrame, e.status])).toEqual([['/slow', 'slow.example', 9, null]]);
  });

  it('100-continue is interim; CONNECT 200 hands the rest of the stream to the tunnel', () => {
    const tunnel: Array<[boolean, string, number]> = [];
    const a = new HttpAnalyzer((_c, fromOrig, rest, frame) => tunnel.push([fromOrig, new TextDecoder().decode(rest), frame]));
    const c = {};
    a.start(c, true);
    a.data(c, true, t('CONNECT api.example.com:443 HTTP/1.1\r\nHost: api.example.com:443\r\n\r\n'), 1, 1);
    a.data(c, false, t('HTTP/1.1 200 Connection established\r\n\r\nSERVER-BYTES'), 2, 2);
    a.data(c, true, t('\x16\x03\x01hello'), 3, 3);
    const s = a.session(c)!;
    expect(s.tunnel).toBe(true);
    expect(s.exchanges[0]).toMatchObject({ method: 'CONNECT', target: 'api.example.com:443', status: 200 });
    expect(tunnel).toEqual([[false, 'SERVER-BYTES', 2], [true, '\x16\x03\x01hello', 3]]);

    const b = new HttpAnalyzer();
    const d = {};
    b.start(d, true);
    b.data(d, true, t('PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n'), 1, 1);
    b.data(d, false, t('HTTP/1.1 100 Continue\r\n\r\n'), 2, 2);
    b.data(d, true, t('hi'), 3, 3);
    b.data(d, false, t('HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n'), 4, 4);
    expect(b.session(d)!.exchanges[0]).toMatchObject({ status: 201, interim: [100], responseFrame: 4 });
  });

  it('a proxy refusing CONNECT', () => {
    const a = new HttpAnalyzer();
    const c = {};
    a.start(c, true);
    a.data(c, true, t('CONNECT blocked.example:443 HTTP/1.1\r\n\r\n'), 1, 1);
    a.data(c, false, t('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'), 2, 2);
    expect(a.session(c)!.tunnel).toBe(false);
    expect(a.session(c)!.exchanges[0]).toMatchObject({ method: 'CONNECT', status: 403 });
  });

  it('non-HTTP bytes mark the direction broken', () => {
    const a = new HttpAnalyzer();
    const c = {};
    a.start(c, true);
    a.data(c, true, new Uint8Array(40).fill(0x16), 1, 1);
    expect(a.session(c)!.broken.client).toBe(true);
    expect(looksLikeHttpRequest(t('OPTIONS * HTTP/1.1\r\n'), 0, 20)).toBe(true);
    expect(looksLikeHttpRequest(t('SSH-2.0-OpenSSH_9.6\r\n'), 0, 20)).toBe(false);
  });
});
