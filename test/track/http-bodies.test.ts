/**
 * HTTP bodies through the whole tracker (decoder, TCP reassembly, HTTP analyzer): a body over
 * several segments ends at the frame of its last byte, what follows it in the same segment is
 * read, chunked bodies end at their last chunk, and a hole inside a body breaks the direction.
 */
import { describe, expect, it } from 'vitest';
import type { FinishedConn } from '../../src/track/tracker.js';
import { HttpAnalyzer } from '../../src/track/http.js';
import { ascii, concat, httpRequest, httpResponse } from '../helpers/build.js';
import { TcpConversation } from '../helpers/conversation.js';
import { trackFrames } from '../helpers/track.js';

const run = (frames: Array<{ ts: number; frame: Uint8Array }>): FinishedConn[] => trackFrames(frames).done;

function conversation(): TcpConversation {
  const c = new TcpConversation({ client: ['192.0.2.10', 41000], server: ['198.51.100.80', 80] });
  c.syn();
  c.synAck();
  c.ack('client');
  return c;
}

/** Sends `bytes` from `side` in segments of at most `mss` bytes, each acknowledged; returns their frame numbers. */
function sendSegments(c: TcpConversation, side: 'client' | 'server', bytes: Uint8Array, mss: number): number[] {
  const frames: number[] = [];
  for (let o = 0; o < bytes.length; o += mss) {
    c.send(side, bytes.subarray(o, Math.min(bytes.length, o + mss)));
    frames.push(c.frames.length);
    c.ack(side === 'client' ? 'server' : 'client');
  }
  return frames;
}

const body = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => 0x61 + (i % 26));

function exchanges(done: FinishedConn[]): Array<[string, number | null, number, number | null, number | null, number | null]> {
  const http = done.find((d) => d.http !== null)!.http!;
  return http.exchanges.map((e) => [e.target, e.status, e.requestFrame, e.requestEndFrame, e.responseFrame, e.responseEndFrame]);
}

describe('HTTP bodies through the tracker', () => {
  it('keep-alive: a body over several segments ends at its last segment; the next exchange is read', () => {
    const c = conversation();
    const [q1] = sendSegments(c, 'client', httpRequest({ method: 'GET', target: '/a', host: 'h.example' }), 1448);
    const r1 = sendSegments(c, 'server', httpResponse({ status: 200, body: body(5000) }), 1448);
    const [q2] = sendSegments(c, 'client', httpRequest({ method: 'GET', target: '/b', host: 'h.example' }), 1448);
    const [r2] = sendSegments(c, 'server', httpResponse({ status: 404, body: 'no' }), 1448);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    expect(r1).toHaveLength(4);
    expect(exchanges(run(c.frames))).toEqual([
      ['/a', 200, q1, q1, r1[0], r1[3]],
      ['/b', 404, q2, q2, r2, r2],
    ]);
  });

  it('a body ending inside a segment: the next response in the same segment is read, both end there', () => {
    const c = conversation();
    const [q] = sendSegments(c, 'client', concat([
      httpRequest({ method: 'GET', target: '/one', host: 'h.example' }),
      httpRequest({ method: 'GET', target: '/two', host: 'h.example' }),
    ]), 1448);
    const stream = concat([httpResponse({ status: 200, body: body(3000) }), httpResponse({ status: 503, body: 'busy\n' })]);
    const r = sendSegments(c, 'server', stream, 1448);
    expect(r).toHaveLength(3);
    expect(exchanges(run(c.frames))).toEqual([
      ['/one', 200, q, q, r[0], r[2]],
      ['/two', 503, q, q, r[2], r[2]],
    ]);
  });

  it('chunked: a chunk over several segments, the last chunk ends the response', () => {
    const c = conversation();
    const [q] = sendSegments(c, 'client', httpRequest({ method: 'GET', target: '/c', host: 'h.example' }), 1448);
    const head = ascii('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
    const stream = concat([head, ascii('1000\r\n'), body(0x1000), ascii('\r\n5\r\nhello\r\n0\r\n\r\n')]);
    const r = sendSegments(c, 'server', stream, 1000);
    expect(exchanges(run(c.frames))).toEqual([['/c', 200, q, q, r[0], r[r.length - 1]]]);
  });

  it('a segment lost inside a body breaks the direction: the next response is not read', () => {
    const c = conversation();
    sendSegments(c, 'client', httpRequest({ method: 'GET', target: '/a', host: 'h.example' }), 1448);
    const r1 = sendSegments(c, 'server', httpResponse({ status: 200, body: body(5000) }), 1448);
    sendSegments(c, 'client', httpRequest({ method: 'GET', target: '/b', host: 'h.example' }), 1448);
    sendSegments(c, 'server', httpResponse({ status: 200, body: 'ok' }), 1448);
    // The second body segment never reached the capture point.
    const frames = c.frames.filter((_, i) => i + 1 !== r1[1]);
    const done = run(frames);
    const http = done.find((d) => d.http !== null)!.http!;
    expect(http.gap).toBe(true);
    expect(http.broken.server).toBe(false);
    expect(http.exchanges.map((e) => [e.target, e.status, e.responseEndFrame])).toEqual([['/a', 200, null], ['/b', null, null]]);
  });

  it('the same bytes handed to the analyzer directly (no stream) give the same exchange', () => {
    const http = new HttpAnalyzer();
    const conn = {};
    http.start(conn, true);
    http.data(conn, true, httpRequest({ method: 'GET', target: '/a', host: 'h.example' }), 1, 1);
    const resp = httpResponse({ status: 200, body: body(5000) });
    const cut = [0, 1448, 2896, 4344, resp.length];
    for (let i = 0; i < 4; i++) http.data(conn, false, resp.subarray(cut[i], cut[i + 1]), 2 + i, 2);
    const e = http.session(conn)!.exchanges[0]!;
    expect([e.status, e.responseFrame, e.responseEndFrame]).toEqual([200, 2, 5]);
  });
});
