/**
 * The capture-loss warning: bytes a receiver acknowledged that the capture never held are said in
 * the capture's facts (how many, on how many connections, what share of their bytes). A network
 * that lost a segment the sender then resent is not capture loss; nor is a clean transfer.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { renderJson } from '../../src/report/json.js';
import { warningText } from '../../src/report/warnings.js';
import { TcpConversation, pcapFile, ascii, filler, type CaptureRecord } from '../helpers/index.js';

async function run(records: CaptureRecord[]): Promise<Report> {
  const bytes = pcapFile({ linkType: 1 }, records);
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }));
}

/** A GET answered with `segments` segments of 1000 bytes; `lose(i)`: the capture (or the network) loses segment i. */
function transfer(port: number, segments: number, lose: (i: number, c: TcpConversation) => void = () => undefined): CaptureRecord[] {
  const c = new TcpConversation({ client: ['192.0.2.10', port], server: ['203.0.113.10', 80] });
  c.syn();
  c.synAck();
  c.ack('client');
  c.send('client', ascii('GET /f HTTP/1.1\r\nHost: files.example.org\r\n\r\n'));
  c.ack('server');
  c.send('server', ascii(`HTTP/1.1 200 OK\r\nContent-Length: ${segments * 1000}\r\n\r\n`));
  for (let i = 0; i < segments; i++) {
    c.send('server', filler(1000, i + 1));
    lose(i, c);
    c.ack('client');
  }
  c.fin('server');
  c.ack('client');
  c.fin('client');
  c.ack('server');
  return c.frames;
}

const lossWarning = (r: Report) => r.capture.warnings.filter((w) => w.kind === 'capture_loss');

describe('capture loss', () => {
  it('a clean transfer: no warning', async () => {
    const r = await run(transfer(41000, 10));
    expect(lossWarning(r)).toEqual([]);
  });

  it('two segments the capture lost (the client acknowledged them): counted, with the connection and the share', async () => {
    const a = transfer(41001, 10, (i, c) => {
      if (i === 3 || i === 7) c.frames.pop();
    });
    const b = transfer(41002, 10);
    const r = await run([...a, ...b]);
    const w = lossWarning(r);
    expect(w).toHaveLength(1);
    expect(w[0]!.args).toMatchObject({ bytes: 2000, connections: 1 });
    // 2000 of the two connections' bytes (2 x (10,000 body + header) + requests).
    const pct = Number(w[0]!.args['percent']);
    expect(pct).toBeGreaterThan(8);
    expect(pct).toBeLessThan(10);
    expect(warningText(w[0]!, 'en')).toMatch(/^the capture missed packets: 2000 bytes that a receiver acknowledged never appeared in it \(1 connection, \d+\.\d % of their bytes\)/);
    expect(warningText(w[0]!, 'zh')).toContain('抓包漏掉了数据包');
    expect(JSON.parse(renderJson(r, 'en')).capture.warnings.some((s: string) => s.startsWith('the capture missed packets'))).toBe(true);
  });

  it('a segment the network lost and the server sent again: no capture loss, no failure', async () => {
    const c = new TcpConversation({ client: ['192.0.2.10', 41003], server: ['203.0.113.10', 80] });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', ascii('GET /f HTTP/1.1\r\nHost: files.example.org\r\n\r\n'));
    c.ack('server');
    c.send('server', ascii('HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n'));
    c.ack('client');
    const lostSeq = c.nextSeq('server');
    c.send('server', filler(1000, 1));
    c.frames.pop(); // lost on the way: neither the client nor the capture got it
    c.send('server', filler(1000, 2));
    c.ack('client', { ack: lostSeq }); // a duplicate ACK: the client asks for the hole again
    c.send('server', filler(1000, 3));
    c.ack('client', { ack: lostSeq });
    c.wait(0.2);
    c.send('server', filler(1000, 1), { retransmit: lostSeq });
    c.ack('client');
    c.fin('server');
    c.ack('client');
    c.fin('client');
    c.ack('server');
    const r = await run(c.frames);
    expect(lossWarning(r)).toEqual([]);
    expect(r.verdicts.filter((v) => v.severity === 'error')).toEqual([]);
    expect(r.connections[0]!.history).toMatch(/t/i); // the resend is counted as one
  });
});
