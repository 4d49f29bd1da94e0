/**
 * http.no_response on plain HTTP claims only what the packets prove (mistakes seen on real Zeek
 * test captures: WebSocket upgrades, a server writing its status line in lower case, scanners
 * that close at once or send their request after resetting their probe). Built packet by packet
 * and run through the whole pipeline.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { TcpConversation, pcapFile, ascii } from '../helpers/index.js';

async function run(bytes: Uint8Array): Promise<Report> {
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

const causes = (r: Report) => r.verdicts.map((v) => v.cause);

const REQUEST = ascii('GET /chat HTTP/1.1\r\nHost: ws.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');

function conversation(): TcpConversation {
  const c = new TcpConversation({ client: ['192.0.2.10', 41000], server: ['198.51.100.20', 80] });
  c.syn();
  c.synAck();
  c.ack('client');
  return c;
}

describe('plain HTTP: no response claimed only when none came', () => {
  it('a request the server never answered, the client waiting 5 s, is http.no_response (the claim stays)', async () => {
    const c = conversation();
    c.send('client', REQUEST);
    c.ack('server');
    c.wait(5);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    expect(causes(await run(pcapFile({ linkType: c.linkType }, c.frames)))).toEqual(['http.no_response']);
  });

  it('101 Switching Protocols answers the request: a WebSocket session that worked is ok', async () => {
    const c = conversation();
    c.send('client', REQUEST);
    c.send('server', ascii('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
    // WebSocket frames both ways: a masked text frame from the client, a text frame back.
    c.send('client', new Uint8Array([0x81, 0x85, 1, 2, 3, 4, 0x69, 0x67, 0x6f, 0x68, 0x6e]));
    c.send('server', new Uint8Array([0x81, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f]));
    c.wait(5);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    const r = await run(pcapFile({ linkType: c.linkType }, c.frames));
    expect(causes(r)).toEqual(['ok']);
    expect(r.http[0]!.status).toBe(101);
  });

  it('a server answering in a way HTTP/1 cannot read (status line in lower case) is not said to be silent', async () => {
    const c = conversation();
    c.send('client', REQUEST);
    c.send('server', ascii('http/1.1 200 ok\r\nContent-Length: 2\r\n\r\nhi'));
    c.wait(5);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    expect(causes(await run(pcapFile({ linkType: c.linkType }, c.frames)))).not.toContain('http.no_response');
  });

  it('a client that closes within a second of its request did not wait: no claim about the server', async () => {
    const c = conversation();
    c.send('client', REQUEST);
    c.wait(0.05);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    expect(causes(await run(pcapFile({ linkType: c.linkType }, c.frames)))).not.toContain('http.no_response');
    // The same client waiting 2 s before closing: the silence counts.
    const d = conversation();
    d.send('client', REQUEST);
    d.wait(2);
    d.fin('client');
    d.fin('server');
    d.ack('client');
    expect(causes(await run(pcapFile({ linkType: d.linkType }, d.frames)))).toEqual(['http.no_response']);
  });

  it('a request sent after the client reset its own half-open connection went to no connection', async () => {
    const c = new TcpConversation({ client: ['192.0.2.10', 41001], server: ['198.51.100.20', 80] });
    c.syn();
    c.synAck();
    c.rst('client');
    c.wait(16);
    c.send('client', REQUEST);
    c.wait(10);
    const r = causes(await run(pcapFile({ linkType: c.linkType }, c.frames)));
    expect(r).not.toContain('http.no_response');
    // Nor is the probe's own reset a failure: nothing was sent before it.
    expect(r).not.toContain('tcp.reset');
  });
});
