/**
 * HTTP 200 whose whole answer is a short text error message (http.error_in_body, a warning):
 * Practical Packet Analysis' weather_broken.pcapng, a weather station's upload answered
 * "200 OK" + "INVALIDPASSWORDID|Password or key and/or id are incorrect". Built packet by packet
 * through the whole pipeline, with the answers that are no such message: a success text, an HTML
 * page that mentions an error, JSON or JSONP holding the word as data, a text that mentions it past
 * its first words (robots.txt), a compressed body, a long body, a body cut short.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { TcpConversation, pcapFile, ascii } from '../helpers/index.js';

const PATH = '/weatherstation/updateweatherstation.php?ID=KX1&PASSWORD=hunter2&tempf=43.0';

/** One GET answered 200 with `body` and the given headers (Content-Length unless chunked or `noLength`). */
async function run(body: string, o: { type?: string | null; encoding?: string; chunked?: boolean; cutAt?: number } = {}): Promise<Report> {
  const c = new TcpConversation({ client: ['192.0.2.10', 41000], server: ['203.0.113.40', 80], start: 1_700_000_000 });
  c.syn();
  c.synAck();
  c.ack('client');
  c.send('client', ascii(`GET ${PATH} HTTP/1.1\r\nHost: rtupdate.example.org\r\nUser-Agent: station/1.0\r\n\r\n`));
  const type = o.type === undefined ? 'text/html' : o.type;
  const head = ['HTTP/1.0 200 OK', ...(type !== null ? [`Content-type: ${type}`] : []), ...(o.encoding ? [`Content-Encoding: ${o.encoding}`] : []),
    o.chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${body.length}`, 'Connection: keep-alive'].join('\r\n');
  const payload = o.chunked ? `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n` : body;
  const all = `${head}\r\n\r\n${payload}`;
  c.send('server', ascii(o.cutAt !== undefined ? all.slice(0, all.length - o.cutAt) : all));
  c.ack('client');
  c.fin('client');
  c.fin('server');
  c.ack('client');
  const bytes = pcapFile({ linkType: 1 }, c.frames);
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

const cause = (r: Report) => r.verdicts.map((v) => `${v.severity} ${v.cause}`);

describe('http.error_in_body', () => {
  it('a 200 whose answer is a short error text: a warning, the text quoted, the query string left out', async () => {
    const r = await run('INVALIDPASSWORDID|Password or key and/or id are incorrect\n');
    expect(cause(r)).toEqual(['warning http.error_in_body']);
    const v = r.verdicts[0]!;
    expect(v.details).toMatchObject({ status: 200, method: 'GET', path: '/weatherstation/updateweatherstation.php', text: 'INVALIDPASSWORDID|Password or key and/or id are incorrect' });
    expect(verdictWords(v, 'en').summary).toBe('rtupdate.example.org: HTTP 200 OK, but the answer is an error message: "INVALIDPASSWORDID|Password or key and/or id are incorrect"');
    // (The report's record of the request keeps its target as sent, query string included.)
    expect(JSON.stringify(v)).not.toContain('hunter2');
    expect(r.summary.failures).toBe(0);
    // The same in text/plain, without a Content-Type, and chunked.
    for (const x of [{ type: 'text/plain; charset=utf-8' }, { type: null }, { chunked: true }]) expect(cause(await run('Error: access denied', x)), JSON.stringify(x)).toEqual(['warning http.error_in_body']);
  });

  it('not claimed: a success text, markup, JSON, a compressed or long body, a body cut short', async () => {
    for (const [body, o] of [
      ['success\n', {}],
      ['OK: upload successful, no errors', {}],
      ['<html><body><h1>Error</h1></body></html>', {}],
      ['{"error":"invalid key"}', { type: null }],
      // JSONP whose data holds the word (Practical Packet Analysis' http_espn.pcapng), robots.txt.
      ['jsonp1270661370297( { "affiliate":"invalid" })', { type: 'text/html' }],
      ['User-agent: *\nDisallow: /error/\n', { type: 'text/plain' }],
      ['invalid password', { encoding: 'gzip' }],
      [`error ${'x'.repeat(300)}`, { type: 'text/plain' }],
      ['invalid password, try again later please', { cutAt: 10 }],
    ] as Array<[string, Parameters<typeof run>[1]]>) {
      expect(cause(await run(body, o)).filter((c) => c.includes('error_in_body')), body.slice(0, 30)).toEqual([]);
    }
  });
});
