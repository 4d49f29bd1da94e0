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
function opened(port = 41000, method = 'GET'): TcpConversation {
  const c = new TcpConversation({ client: [CLIENT, port], server: [SERVER, 80] });
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
    expect(en.explanation).toMatch(/60 s after the last body bytes/);
    expect(verdictWords(v, 'zh').summary).toMatch(/响应被截断：服务器在发送其 Content-Length 声明的 10000 字节中的 4200 字节后关闭了连接（FIN）/);
  });
});
