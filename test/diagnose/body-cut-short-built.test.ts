/**
 * http.body_cut_short built packet by packet (test/helpers) through the whole pipeline: a response
 * whose Content-Length (or chunked coding) promised more than arrived before the connection ended,
 * and every case that must not be called so — a gap in the server's stream, a capture that ended
 * while the body was arriving, HEAD / 204 / 304 / 1xx, a body delimited by the close, packets cut by
 * the snaplen — and which story a reset that cuts a body tells.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { TcpConversation, pcapFile, ascii, filler, type CaptureRecord } from '../helpers/index.js';

async function run(records: CaptureRecord[], snaplen?: number): Promise<Report> {
  const bytes = pcapFile({ linkType: 1, ...(snaplen ? { snaplen } : {}) }, records);
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

const CLIENT = '192.0.2.10';
const SERVER = '203.0.113.40';
const causes = (r: Report) => r.verdicts.map((v) => `${v.cause}|${v.severity}`);

/** Handshake and a GET (or `method`); returns the conversation, ready for the server's answer. */
function opened(port = 41000, method = 'GET', start?: number): TcpConversation {
  const c = new TcpConversation({ client: [CLIENT, port], server: [SERVER, 80], ...(start !== undefined ? { start } : {}) });
  c.syn();
  c.synAck();
  c.ack('client');
  c.send('client', ascii(`${method} /file.bin HTTP/1.1\r\nHost: files.example.org\r\n\r\n`));
  c.ack('server');
  return c;
}

const head = (status: string, fields: string) => ascii(`HTTP/1.1 ${status}\r\nServer: t\r\n${fields}\r\n`);

/** `n` bytes of body in segments of at most 1400, each acknowledged. */
function body(c: TcpConversation, n: number, from = 0): void {
  for (let o = from; o < n; o += 1400) {
    c.send('server', filler(Math.min(1400, n - o), o + 1));
    c.ack('client');
  }
}

describe('http.body_cut_short', () => {
  it('Content-Length 10000, 4200 bytes, then the server\'s FIN: cut short, by the server', async () => {
    const c = opened();
    c.send('server', head('200 OK', 'Content-Length: 10000\r\n'));
    c.ack('client');
    body(c, 4200);
    c.wait(60);
    c.fin('server');
    c.ack('client');
    c.fin('client');
    c.ack('server');
    const r = await run(c.frames);
    expect(causes(r)).toEqual(['http.body_cut_short|error']);
    const v = r.verdicts[0]!;
    expect(v.details).toMatchObject({ status: 200, delimiter: 'content-length', contentLength: 10000, receivedBytes: 4200, missingBytes: 5800, endedBy: { sender: 'server', flag: 'FIN' }, idleSeconds: 60 });
    // The request, the response head, the last body bytes, the FIN.
    expect(v.evidence.map((e) => e.kind)).toEqual(['http_request', 'http_response_length', 'http_body_last', 'fin']);
    expect(v.evidence[1]!.frame).toBe(6);
    const en = verdictWords(v, 'en');
    expect(en.summary).toMatch(/cut short: the server closed the connection \(FIN\) after 4200 of the 10000 bytes/);
    expect(en.explanation).toMatch(/after 60 s without body bytes.*curl says "transfer closed with 5800 bytes remaining to read", exit 18/);
    expect(verdictWords(v, 'zh').summary).toMatch(/响应被截断：服务器在发送其 Content-Length 声明的 10000 字节中的 4200 字节后关闭了连接（FIN）/);
  });

  it('a RST from the server in the middle of the body: cut short, said with the RST (not tcp.reset, not ok)', async () => {
    const c = opened(41001);
    c.send('server', head('200 OK', 'Content-Length: 8000\r\n'));
    body(c, 2800);
    c.rst('server');
    const r = await run(c.frames);
    expect(causes(r)).toEqual(['http.body_cut_short|error']);
    expect(r.verdicts[0]!.details).toMatchObject({ receivedBytes: 2800, missingBytes: 5200, endedBy: { sender: 'server', flag: 'RST' } });
    expect(r.verdicts[0]!.evidence.map((e) => e.kind)).toEqual(['http_request', 'http_response_length', 'http_body_last', 'rst']);
    expect(verdictWords(r.verdicts[0]!, 'en').summary).toMatch(/the server reset the connection \(RST\) after 2800 of the 8000 bytes/);
    expect(verdictWords(r.verdicts[0]!, 'en').explanation).toMatch(/curl says "Recv failure: Connection reset by peer", exit 56/);
    // Its TTL is the server's: no note of a device on the path.
    expect(r.verdicts[0]!.limits).toEqual([]);
  });

  it('a RST in the server\'s name from another distance: cut short, with the TTL note', async () => {
    const c = opened(41002);
    c.send('server', head('200 OK', 'Content-Length: 8000\r\n'));
    body(c, 2800);
    c.rst('server', { ttl: 64 });
    const r = await run(c.frames);
    expect(causes(r)).toEqual(['http.body_cut_short|error']);
    expect(r.verdicts[0]!.limits).toEqual([{ kind: 'cut_rst_ttl_differs', args: { rstTtl: 64, serverTtl: 56 } }]);
  });

  it('the client resets while the body arrives: a warning in the client\'s words, with its limit', async () => {
    const c = opened(41003);
    c.send('server', head('200 OK', 'Content-Length: 100000\r\n'));
    body(c, 5600);
    c.wait(8);
    c.rst('client', { flags: 'RA' });
    const r = await run(c.frames);
    expect(causes(r)).toEqual(['http.body_cut_short|warning']);
    const v = r.verdicts[0]!;
    expect(v.details).toMatchObject({ receivedBytes: 5600, endedBy: { sender: 'client', flag: 'RST' } });
    expect(v.limits.map((l) => l.kind)).toEqual(['client_ended_body']);
    expect(verdictWords(v, 'en').summary).toMatch(/the client reset the connection \(RST\) before the HTTP 200 response body was complete/);
    expect(verdictWords(v, 'zh').summary).toMatch(/客户端就重置了连接（RST）/);
  });

  it('the client\'s FIN alone (a half-close) is not an end: the server may still be sending', async () => {
    const c = opened(41004);
    c.send('server', head('200 OK', 'Content-Length: 8000\r\n'));
    body(c, 2800);
    c.fin('client');
    c.ack('server');
    const r = await run(c.frames);
    expect(causes(r)).not.toContain('http.body_cut_short|error');
    expect(r.verdicts.map((v) => v.cause)).not.toContain('http.body_cut_short');
  });

  it('the client\'s FIN after the body stopped coming for a minute, nothing after it: the client gave up (warning), not "worked"', async () => {
    const c = opened(41005);
    c.send('server', head('200 OK', 'Content-Length: 8000\r\n'));
    body(c, 2800);
    c.wait(60);
    c.fin('client');
    c.ack('server');
    const r = await run(c.frames);
    expect(causes(r)).toEqual(['http.body_cut_short|warning']);
    const v = r.verdicts[0]!;
    expect(v.details['endedBy']).toMatchObject({ sender: 'client', flag: 'FIN' });
    expect(verdictWords(v, 'en').summary).toContain('the client closed the connection');
  });

  it('the client\'s FIN, then the server\'s: the client closed first (warning, both closes shown)', async () => {
    const c = opened(41005);
    c.send('server', head('200 OK', 'Content-Length: 8000\r\n'));
    body(c, 2800);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    const r = await run(c.frames);
    expect(causes(r)).toEqual(['http.body_cut_short|warning']);
    expect(r.verdicts[0]!.evidence.map((e) => e.kind)).toEqual(['http_request', 'http_response_length', 'http_body_last', 'fin', 'fin']);
    expect(r.verdicts[0]!.details).toMatchObject({ endedBy: { sender: 'client', flag: 'FIN' } });
  });

  it('chunked without the last chunk, then FIN: cut short; with the last chunk (even without its final CRLF): not', async () => {
    const cut = opened(41006);
    cut.send('server', head('200 OK', 'Transfer-Encoding: chunked\r\n'));
    cut.send('server', ascii('400\r\n'));
    cut.send('server', filler(1024, 3));
    cut.send('server', ascii('\r\n400\r\n'));
    cut.send('server', filler(500, 4));
    cut.fin('server');
    cut.ack('client');
    const r = await run(cut.frames);
    expect(causes(r)).toEqual(['http.body_cut_short|error']);
    expect(r.verdicts[0]!.details).toMatchObject({ delimiter: 'chunked', receivedBytes: 1524, endedBy: { sender: 'server', flag: 'FIN' } });
    expect(r.verdicts[0]!.details).not.toHaveProperty('contentLength');
    expect(verdictWords(r.verdicts[0]!, 'en').summary).toMatch(/1524 bytes of chunked data, without the last \(zero-size\) chunk/);
    expect(verdictWords(r.verdicts[0]!, 'zh').explanation).toMatch(/curl 报 "transfer closed with outstanding read data remaining"，退出码 18/);

    const whole = opened(41007);
    whole.send('server', head('200 OK', 'Transfer-Encoding: chunked\r\n'));
    whole.send('server', ascii('5\r\nhello\r\n0\r\n'));
    whole.fin('server');
    whole.ack('client');
    expect(causes(await run(whole.frames))).toEqual(['ok|ok']);
  });

  it('a complete body, then FIN or RST: ok', async () => {
    for (const end of ['fin', 'rst'] as const) {
      const c = opened(41008);
      c.send('server', head('200 OK', 'Content-Length: 4200\r\n'));
      body(c, 4200);
      if (end === 'fin') c.fin('server');
      else c.rst('server');
      c.ack('client');
      expect(causes(await run(c.frames)), end).toEqual(['ok|ok']);
    }
  });

  it('no length: a body delimited by the close ends at the FIN', async () => {
    const c = opened(41009);
    c.send('server', head('200 OK', 'Connection: close\r\n'));
    body(c, 2800);
    c.fin('server');
    c.ack('client');
    expect(causes(await run(c.frames))).toEqual(['ok|ok']);
  });

  it('no length, ended by the server\'s RST: incomplete (RFC 9112 §8), told with the bytes that came', async () => {
    const c = opened(41030);
    c.send('server', head('200 OK', 'Connection: close\r\n'));
    body(c, 2800);
    c.wait(5);
    c.rst('server');
    const r = await run(c.frames);
    expect(causes(r)).toEqual(['http.body_cut_short|error']);
    const v = r.verdicts[0]!;
    expect(v.details).toMatchObject({ status: 200, delimiter: 'close', receivedBytes: 2800, endedBy: { sender: 'server', flag: 'RST' }, idleSeconds: 5 });
    expect(v.details['contentLength']).toBeUndefined();
    expect(v.evidence.map((e) => e.kind)).toEqual(['http_request', 'http_response_close', 'http_body_last_close', 'rst']);
    const en = verdictWords(v, 'en');
    expect(en.summary).toMatch(/had no length and ended with a RST, not a close/);
    expect(en.explanation).toMatch(/After 2800 bytes of body.*"Recv failure: Connection reset by peer", exit 56/);
    expect(verdictWords(v, 'zh').summary).toMatch(/没有声明长度，且以 RST 而不是正常关闭结束/);
  });

  it('no length: a FIN then a RST (an abortive close after the end), a client that closed first, a RST past a lost segment: not claimed', async () => {
    const fin = opened(41031);
    fin.send('server', head('200 OK', 'Connection: close\r\n'));
    body(fin, 2800);
    fin.fin('server');
    fin.rst('server');
    expect(causes(await run(fin.frames)), 'FIN then RST').not.toContain('http.body_cut_short|error');
    const client = opened(41032);
    client.send('server', head('200 OK', 'Connection: close\r\n'));
    body(client, 2800);
    client.fin('client');
    client.rst('server');
    expect(causes(await run(client.frames)).some((k) => k.startsWith('http.body_cut_short|error')), 'client first').toBe(false);
    const lost = opened(41033);
    lost.send('server', head('200 OK', 'Connection: close\r\n'));
    body(lost, 2800);
    // A segment the capture lost: the RST sits past the last byte seen.
    lost.nextSeq('server');
    const frames = lost.frames.slice();
    lost.send('server', filler(1000, 9));
    lost.rst('server');
    const kept = [...frames, lost.frames[lost.frames.length - 1]!];
    expect(causes(await run(kept)).some((k) => k.startsWith('http.body_cut_short')), 'lost segment').toBe(false);
  });

  it('HEAD, 204 and 304 carry no body whatever their Content-Length says', async () => {
    const cases: Array<[string, string]> = [['HEAD', '200 OK'], ['GET', '204 No Content'], ['GET', '304 Not Modified']];
    for (const [method, status] of cases) {
      const c = opened(41010, method);
      c.send('server', head(status, 'Content-Length: 10000\r\n'));
      c.ack('client');
      c.fin('server');
      c.ack('client');
      expect(causes(await run(c.frames)), `${method} ${status}`).toEqual(['ok|ok']);
    }
  });

  it('1xx: an interim 100 Continue is no response whose body could be cut; the final one is judged', async () => {
    const interimOnly = opened(41011);
    interimOnly.send('server', ascii('HTTP/1.1 100 Continue\r\n\r\n'));
    interimOnly.ack('client');
    interimOnly.fin('server');
    interimOnly.ack('client');
    expect((await run(interimOnly.frames)).verdicts.map((v) => v.cause)).not.toContain('http.body_cut_short');

    const final = opened(41012);
    final.send('server', ascii('HTTP/1.1 100 Continue\r\n\r\n'));
    final.send('server', head('200 OK', 'Content-Length: 3000\r\n'));
    body(final, 1400);
    final.fin('server');
    final.ack('client');
    const r = await run(final.frames);
    expect(causes(r)).toEqual(['http.body_cut_short|error']);
    expect(r.verdicts[0]!.details).toMatchObject({ status: 200, receivedBytes: 1400, missingBytes: 1600 });
  });

  it('the capture ended while the body was still arriving (no FIN, no RST): nothing said', async () => {
    const c = opened(41013);
    c.send('server', head('200 OK', 'Content-Length: 100000\r\n'));
    body(c, 7000);
    const r = await run(c.frames);
    expect(r.verdicts.map((v) => v.cause)).not.toContain('http.body_cut_short');
    expect(r.verdicts.filter((v) => v.severity === 'error')).toEqual([]);
  });

  it('a gap in the server\'s stream (a segment the capture lost, acknowledged by the client): not a short body', async () => {
    const c = opened(41014);
    c.send('server', head('200 OK', 'Content-Length: 4200\r\n'));
    c.send('server', filler(1400, 1));
    c.ack('client');
    c.send('server', filler(1400, 2));
    c.frames.pop(); // the capture lost this segment; the client got it
    c.send('server', filler(1400, 3));
    c.ack('client');
    c.fin('server');
    c.ack('client');
    const r = await run(c.frames);
    expect(r.verdicts.map((v) => v.cause)).not.toContain('http.body_cut_short');
    expect(r.verdicts.filter((v) => v.severity === 'error')).toEqual([]);
  });

  it('a gap, then the client\'s plain RST (no ACK number to check): the gap alone holds the claim back', async () => {
    for (const snaplen of [undefined, 200]) {
      const c = opened(41020);
      c.send('server', head('200 OK', 'Content-Length: 100000\r\n'));
      c.send('server', filler(1400, 1));
      c.send('server', filler(1400, 2));
      if (snaplen === undefined) c.frames.pop(); // lost by the capture (else: cut by the snaplen)
      c.send('server', filler(1400, 3));
      c.ack('client');
      c.rst('client', { flags: 'R' });
      const r = await run(c.frames, snaplen);
      expect(r.verdicts.map((v) => v.cause), `snaplen ${snaplen}`).not.toContain('http.body_cut_short');
    }
  });

  it('the capture lost the last segment before the FIN (the FIN sits past the last byte seen): not claimed', async () => {
    const c = opened(41015);
    c.send('server', head('200 OK', 'Content-Length: 4200\r\n'));
    body(c, 2800);
    c.send('server', filler(1400, 9));
    c.frames.pop(); // lost by the capture, and its acknowledgement too
    c.fin('server');
    const r = await run(c.frames);
    expect(r.verdicts.map((v) => v.cause)).not.toContain('http.body_cut_short');
  });

  it('the client acknowledged bytes the capture does not hold before its RST: not claimed', async () => {
    const c = opened(41016);
    c.send('server', head('200 OK', 'Content-Length: 100000\r\n'));
    body(c, 2800);
    c.send('server', filler(1400, 9));
    c.frames.pop(); // the capture missed it
    c.rst('client', { flags: 'RA' }); // acknowledges it
    const r = await run(c.frames);
    expect(r.verdicts.map((v) => v.cause)).not.toContain('http.body_cut_short');
  });

  it('packets cut by the snaplen: the wire had the bytes, nothing is claimed', async () => {
    const c = opened(41017);
    c.send('server', head('200 OK', 'Content-Length: 4200\r\n'));
    body(c, 4200);
    c.fin('server');
    c.ack('client');
    // 200-byte snaplen: every full data segment is cut in the capture, the headers are not.
    const r = await run(c.frames, 200);
    expect(r.verdicts.map((v) => v.cause)).not.toContain('http.body_cut_short');
    expect(r.verdicts.filter((v) => v.severity === 'error')).toEqual([]);
  });

  it('an error status with its body cut short stays http.error_status', async () => {
    const c = opened(41018);
    c.send('server', head('503 Service Unavailable', 'Content-Length: 5000\r\n'));
    body(c, 1400);
    c.fin('server');
    c.ack('client');
    expect(causes(await run(c.frames))).toEqual(['http.error_status|error']);
  });

  it('keep-alive: the first response complete, the second cut: the second is told', async () => {
    const c = opened(41019);
    c.send('server', head('200 OK', 'Content-Length: 5\r\n'));
    c.send('server', ascii('hello'));
    c.ack('client');
    c.send('client', ascii('GET /big.bin HTTP/1.1\r\nHost: files.example.org\r\n\r\n'));
    c.send('server', head('200 OK', 'Content-Length: 9000\r\n'));
    body(c, 2800);
    c.fin('server');
    c.ack('client');
    const r = await run(c.frames);
    expect(causes(r)).toEqual(['http.body_cut_short|error']);
    expect(r.verdicts[0]!.details).toMatchObject({ path: '/big.bin', receivedBytes: 2800 });
  });
});

/**
 * A client that gave up on a body that stopped dead, sooner than 10 s (curl --max-time 6): found by
 * scripts/lossy-check.sh's blackhole profile (the path goes black mid-transfer, curl exits 28).
 */
describe('http.body_cut_short: a client\'s timeout on a body that stopped dead', () => {
  it('the body came fast, stopped, and the client closed 5 s later: the client gave up (warning)', async () => {
    const c = opened(42001);
    c.send('server', head('200 OK', 'Content-Length: 600000\r\n'));
    body(c, 28000);
    c.wait(5);
    c.fin('client');
    c.ack('server');
    const r = await run(c.frames);
    expect(causes(r)).toEqual(['http.body_cut_short|warning']);
    expect(r.verdicts[0]!.details).toMatchObject({ endedBy: { sender: 'client', flag: 'FIN' }, receivedBytes: 28000 });
    expect(r.verdicts[0]!.details['lostAfterClose']).toBeUndefined();
    expect(verdictWords(r.verdicts[0]!, 'en').explanation).toContain('No byte is missing from the capture: the client gave up');
  });

  it('not claimed: 2 s of silence (under 3 s), or a body that trickled in (a segment a second: 5 s is no stall for it)', async () => {
    const a = opened(42002);
    a.send('server', head('200 OK', 'Content-Length: 600000\r\n'));
    body(a, 28000);
    a.wait(2);
    a.fin('client');
    a.ack('server');
    expect((await run(a.frames)).verdicts.map((v) => v.cause)).not.toContain('http.body_cut_short');
    const b = opened(42003);
    b.send('server', head('200 OK', 'Content-Length: 600000\r\n'));
    for (let i = 0; i < 5; i++) {
      b.wait(1);
      body(b, 1400, 0);
    }
    b.wait(5);
    b.fin('client');
    b.ack('server');
    expect((await run(b.frames)).verdicts.map((v) => v.cause)).not.toContain('http.body_cut_short');
  });

  it('not claimed as giving up: the client closed its window before the silence (it stopped reading: the stall was its own)', async () => {
    const c = opened(42006);
    c.send('server', head('200 OK', 'Content-Length: 600000\r\n'));
    body(c, 28000);
    c.ack('client', { win: 0 });
    c.wait(5);
    c.fin('client');
    c.ack('server');
    const r = await run(c.frames);
    expect(r.verdicts.map((v) => v.cause)).not.toContain('http.body_cut_short');
    expect(r.verdicts).toHaveLength(1);
  });

  it('the path went black: the client closed, then the server\'s data came past bytes the client never got: lost on the way, told', async () => {
    const c = opened(42004);
    c.send('server', head('200 OK', 'Content-Length: 600000\r\n'));
    body(c, 28000);
    // Sent while the path was black: neither the client nor the capture got them.
    const lostFrom = c.nextSeq('server');
    for (let i = 0; i < 3; i++) {
      c.send('server', filler(1400, 50 + i));
      c.frames.pop();
    }
    c.wait(5);
    // Its FIN acknowledges what it got: up to the hole.
    c.fin('client', { ack: lostFrom });
    c.wait(0.2);
    // The path is back: the server's next segments arrive past the hole; the client, closed, resets.
    c.send('server', filler(1400, 60), { seq: (lostFrom + 4200) >>> 0 });
    c.rst('client');
    const r = await run(c.frames);
    expect(causes(r)).toEqual(['http.body_cut_short|warning']);
    const v = r.verdicts[0]!;
    expect(v.details).toMatchObject({ endedBy: { sender: 'client', flag: 'FIN' }, receivedBytes: 28000, lostAfterClose: 4200 });
    expect(verdictWords(v, 'en').explanation).toContain('past 4200 bytes the client never received and never acknowledged: they were lost on the way');
    expect(verdictWords(v, 'zh').explanation).toContain('这些数据是在路上丢失的');
  });

  /** A segment lost on the way while the server kept sending past it; the client's ACKs stay at the hole, then it closes acknowledging `closeAck` (default: the hole's start). */
  function stuck(port: number, closeAck?: (lostFrom: number) => number): TcpConversation {
    const c = opened(port);
    c.send('server', head('200 OK', 'Content-Length: 600000\r\n'));
    body(c, 28000);
    const lostFrom = c.nextSeq('server');
    c.send('server', filler(1400, 50));
    c.frames.pop(); // lost on the way: neither the client nor the capture got it
    for (let i = 0; i < 3; i++) {
      c.send('server', filler(1400, 51 + i));
      c.ack('client', { ack: lostFrom }); // duplicate ACKs at the hole
    }
    c.wait(12);
    c.fin('client', { ack: closeAck ? closeAck(lostFrom) : lostFrom });
    c.ack('server');
    return c;
  }

  it('stuck on a hole: the server\'s data past a hole came before the client\'s close, the client never got the hole and gave up: told as such, not as lost after the close', async () => {
    const r = await run(stuck(42007).frames);
    expect(causes(r)).toEqual(['http.body_cut_short|warning']);
    const v = r.verdicts[0]!;
    expect(v.details).toMatchObject({ endedBy: { sender: 'client', flag: 'FIN' }, receivedBytes: 28000, stuckOnHole: { missingBytes: 1400 } });
    expect(v.details['lostAfterClose']).toBeUndefined();
    const en = verdictWords(v, 'en').explanation;
    expect(en).toContain('1400 bytes of the server\'s data never reached the client while later data did');
    expect(en).not.toContain('came again only after that close');
    expect(verdictWords(v, 'zh').explanation).toContain('传输卡在了这里');
  });

  it('not claimed: the client\'s close acknowledges less than all it had before the hole (it did not wait on the hole)', async () => {
    const r = await run(stuck(42008, (lostFrom) => (lostFrom - 1400) >>> 0).frames);
    expect(r.verdicts.map((v) => v.cause)).not.toContain('http.body_cut_short');
  });

  it('not claimed: a hole the client acknowledged (the capture missed bytes the client got), then its close', async () => {
    const c = opened(42005);
    c.send('server', head('200 OK', 'Content-Length: 600000\r\n'));
    body(c, 14000);
    c.send('server', filler(1400, 70));
    c.frames.pop(); // the capture lost it; the client got it and acknowledges it
    c.ack('client');
    body(c, 14000, 15400);
    c.wait(5);
    c.fin('client');
    c.ack('server');
    const r = await run(c.frames);
    expect(r.verdicts.map((v) => v.cause)).not.toContain('http.body_cut_short');
  });

  it('a fetch the client gave up on, then a later fetch of the same target that worked: the one that went wrong is still told, with how many worked', async () => {
    // A request is a thing of its own: the next one working does not undo a cut download
    // (scripts/lossy-check.sh blackhole: curl --max-time ran out on one fetch, the next worked).
    const cut = opened(42010, 'GET', 1_700_000_000);
    cut.send('server', head('200 OK', 'Content-Length: 600000\r\n'));
    body(cut, 28000);
    cut.wait(5);
    cut.fin('client');
    cut.ack('server');
    const whole = opened(42011, 'GET', 1_700_000_030);
    whole.send('server', head('200 OK', 'Content-Length: 5600\r\n'));
    body(whole, 5600);
    whole.fin('client');
    whole.fin('server');
    whole.ack('client');
    const r = await run([...cut.frames, ...whole.frames]);
    expect(causes(r)).toEqual(['http.body_cut_short|warning']);
    const v = r.verdicts[0]!;
    expect(v.details).toMatchObject({ connections: 2, failedConnections: 0, receivedBytes: 28000, endedBy: { sender: 'client', flag: 'FIN' } });
    expect(v.limits.map((l) => l.kind)).toContain('some_attempts_worked');
    expect(v.limits.find((l) => l.kind === 'some_attempts_worked')!.args).toEqual({ worked: 1, total: 2 });
    expect(verdictWords(v, 'en').explanation).toContain('1 of 2 attempts to this target worked');
    // Not a failure: the run's exit status stays as for warnings.
    expect(r.summary.failures).toBe(0);
  });

  it('a cut download, then an error status from the same target: the error is told; two whole fetches: ok', async () => {
    const cut = opened(42012, 'GET', 1_700_000_000);
    cut.send('server', head('200 OK', 'Content-Length: 600000\r\n'));
    body(cut, 28000);
    cut.wait(5);
    cut.fin('client');
    cut.ack('server');
    const err = opened(42013, 'GET', 1_700_000_030);
    err.send('server', head('503 Service Unavailable', 'Content-Length: 0\r\n'));
    err.ack('client');
    err.fin('client');
    err.fin('server');
    err.ack('client');
    expect(causes(await run([...cut.frames, ...err.frames]))).toEqual(['http.error_status|error']);
    const frames: CaptureRecord[] = [];
    for (const [port, start] of [[42014, 1_700_000_000], [42015, 1_700_000_030]] as const) {
      const c = opened(port, 'GET', start);
      c.send('server', head('200 OK', 'Content-Length: 2800\r\n'));
      body(c, 2800);
      c.fin('client');
      c.fin('server');
      c.ack('client');
      frames.push(...c.frames);
    }
    expect(causes(await run(frames))).toEqual(['ok|ok']);
  });
});

/**
 * A body the client ended while it still crawled in through heavy loss (a tenth or more of the
 * server's packets sent again): found by lossy-check's loss25 profile over HTTPS; the same over HTTP.
 */
describe('http.body_cut_short: a body that crawled', () => {
  /** Content-Length 100000; 30 segments of 1400 that arrive, `resend` of them sent again, then one lost and `past` that arrive past the hole. */
  function crawl(o: { resend: number; past: number; wait: number }): TcpConversation {
    const c = opened(41500);
    c.send('server', head('200 OK', 'Content-Length: 100000\r\n'));
    c.ack('client');
    const sent: Array<{ seq: number; bytes: Uint8Array }> = [];
    for (let i = 0; i < 30; i++) {
      const bytes = filler(1400, i + 1);
      sent.push({ seq: c.nextSeq('server'), bytes });
      c.send('server', bytes);
      c.ack('client');
    }
    for (const x of sent.slice(0, o.resend)) c.send('server', x.bytes, { seq: x.seq });
    const hole = c.nextSeq('server');
    c.send('server', filler(1400, 90));
    c.frames.pop();
    for (let i = 0; i < o.past; i++) {
      c.send('server', filler(1400, 91 + i));
      c.ack('client', { ack: hole });
    }
    c.wait(o.wait);
    c.fin('client', { ack: hole });
    return c;
  }

  it('the client\'s FIN while the body still arrives, 8 of the server\'s packets sent again: it gave up on a crawling body (warning)', async () => {
    const r = await run(crawl({ resend: 8, past: 3, wait: 0.1 }).frames);
    expect(causes(r)).toEqual(['http.body_cut_short|warning']);
    const v = r.verdicts[0]!;
    expect(v.details).toMatchObject({ contentLength: 100000, receivedBytes: 30 * 1400, missingBytes: 100000 - 30 * 1400, endedBy: { sender: 'client', flag: 'FIN' } });
    expect(v.details['stillArriving']).toMatchObject({ serverPacketsResent: 8 });
    expect(v.evidence.map((e) => e.kind)).toEqual(['http_request', 'http_response_length', 'data_still_arriving', 'fin']);
    expect(verdictWords(v, 'en').summary).toBe('files.example.org: the client closed the connection (FIN) while the HTTP 200 body still crawled in (8 of 44 packets resent)');
    expect(verdictWords(v, 'zh').summary).toContain('仍在缓慢到达');
  });

  it('not claimed: nothing sent again (a client that closed early), or the body had stopped 2 s before the close', async () => {
    const a = await run(crawl({ resend: 0, past: 3, wait: 0.1 }).frames);
    expect(a.verdicts.map((v) => v.cause)).not.toContain('http.body_cut_short');
    const b = await run(crawl({ resend: 8, past: 3, wait: 2 }).frames);
    expect(b.verdicts.map((v) => v.cause)).not.toContain('http.body_cut_short');
  });
});
