/**
 * http.body_stalled built packet by packet (test/helpers) through the whole pipeline: a response
 * body with a Content-Length that stops part-way while the connection stays open and silent until
 * the capture ends (a download that hangs), which read "worked at every layer seen"; and every case
 * that must not be called so — a short silence, a chunked stream, a closed receive window, server
 * data left unacknowledged, a close (http.body_cut_short's), a complete body.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { TcpConversation, pcapFile, ascii, filler, type CaptureRecord } from '../helpers/index.js';

async function run(records: CaptureRecord[]): Promise<Report> {
  const bytes = pcapFile({ linkType: 1 }, records);
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

const CLIENT = '192.0.2.10';
const SERVER = '203.0.113.40';
const cause = (r: Report, ip = SERVER) => r.verdicts.filter((v) => v.target.ip === ip || v.target.name === 'files.example.org').map((v) => `${v.cause}|${v.severity}`);

function opened(port = 41000, o: { clientWin?: number } = {}): TcpConversation {
  const c = new TcpConversation({ client: [CLIENT, port], server: [SERVER, 80], ...o });
  c.syn();
  c.synAck();
  c.ack('client');
  c.send('client', ascii('GET /big.iso HTTP/1.1\r\nHost: files.example.org\r\n\r\n'));
  c.ack('server');
  return c;
}

const head = (fields: string) => ascii(`HTTP/1.1 200 OK\r\nServer: t\r\n${fields}\r\n`);

function body(c: TcpConversation, n: number, ack = true): void {
  for (let o = 0; o < n; o += 1400) {
    c.send('server', filler(Math.min(1400, n - o), o + 1));
    if (ack) c.ack('client');
  }
}

/** Another host's connection `after` seconds later: the capture went on that long. */
function later(c: TcpConversation, after: number): CaptureRecord[] {
  const d = new TcpConversation({ client: [CLIENT, 42000], server: ['203.0.113.41', 22], start: c.clock + after });
  d.syn();
  d.synAck();
  d.ack('client');
  return [...c.frames, ...d.frames];
}

describe('http.body_stalled', () => {
  it('4200 of 100000 bytes, then a minute of silence with the connection open: a stalled body (warning), not "worked"', async () => {
    const c = opened();
    c.send('server', head('Content-Length: 100000\r\n'));
    c.ack('client');
    body(c, 4200);
    const r = await run(later(c, 60));
    expect(cause(r)).toEqual(['http.body_stalled|warning']);
    const v = r.verdicts.find((x) => x.cause === 'http.body_stalled')!;
    expect(v.details).toMatchObject({ status: 200, contentLength: 100000, receivedBytes: 4200, missingBytes: 95800, method: 'GET', path: '/big.iso' });
    expect(v.details['silentSeconds']).toBeGreaterThanOrEqual(60);
    expect(v.evidence.map((e) => e.kind)).toEqual(['http_request', 'http_response_length', 'http_body_last']);
    // Nothing of the connection came after the body's ACK: the capture may have stopped recording it.
    expect(v.limits.map((l) => l.kind)).toEqual(['stall_or_capture_stopped']);
    const en = verdictWords(v, 'en');
    expect(en.summary).toMatch(/body stopped after 4200 of 100000 bytes; nothing more came in the 60(\.\d)? s until the capture ended/);
    expect(en.explanation).toMatch(/sent 4200 of them; then nothing more came/);
    expect(verdictWords(v, 'zh').summary).toMatch(/响应体在收到 100000 字节中的 4200 字节后就停止了/);
    // A warning: the exit status is not a failure's.
    expect(r.summary.failures).toBe(0);
  });

  it('a packet of the connection long after the stall (the client\'s keepalive): the capture still recorded it, no limit', async () => {
    const c = opened(41001);
    c.send('server', head('Content-Length: 100000\r\n'));
    body(c, 4200);
    c.wait(40);
    c.ack('client');
    const r = await run(later(c, 30));
    const v = r.verdicts.find((x) => x.cause === 'http.body_stalled')!;
    expect(v).toBeDefined();
    expect(v.limits).toEqual([]);
  });

  it('not claimed: a silence shorter than 30 s, a chunked stream, a complete body', async () => {
    const short = opened(41002);
    short.send('server', head('Content-Length: 100000\r\n'));
    body(short, 4200);
    expect(cause(await run(later(short, 15)))).toEqual(['ok|ok']);

    const chunked = opened(41003);
    chunked.send('server', head('Transfer-Encoding: chunked\r\n'));
    chunked.send('server', ascii('2000\r\n'));
    body(chunked, 4200);
    expect(cause(await run(later(chunked, 120)))).toEqual(['ok|ok']);

    const whole = opened(41004);
    whole.send('server', head('Content-Length: 4200\r\n'));
    body(whole, 4200);
    expect(cause(await run(later(whole, 120)))).toEqual(['ok|ok']);
  });

  it('not claimed when the server was not free to send or data is in flight: a closed window, unacknowledged data', async () => {
    const closed = opened(41005);
    closed.send('server', head('Content-Length: 100000\r\n'));
    body(closed, 4200);
    closed.ack('client', { win: 0 });
    expect(cause(await run(later(closed, 60)))).not.toContain('http.body_stalled|warning');

    const inFlight = opened(41006);
    inFlight.send('server', head('Content-Length: 100000\r\n'));
    inFlight.ack('client');
    body(inFlight, 4200, false);
    expect(cause(await run(later(inFlight, 60)))).not.toContain('http.body_stalled|warning');
  });

  it('a close after the stall is http.body_cut_short\'s story, not a stall', async () => {
    const c = opened(41007);
    c.send('server', head('Content-Length: 100000\r\n'));
    body(c, 4200);
    c.wait(60);
    c.fin('server');
    c.ack('client');
    expect(cause(await run(c.frames))).toEqual(['http.body_cut_short|error']);
  });
});
