/**
 * A client that sent nothing and reset the connection after the server's greeting (a load
 * balancer's TCP health check, a monitoring probe, a banner grab): tcp.reset with severity warning,
 * details.clientSentNothing and a limit saying why (Suricata-verify's bug-4903: a Cisco SSH
 * banner, then the client's RST, was a FAIL). A client that spoke and then reset keeps the
 * reset-after-data warning; a server that reset after its own greeting stays an error; a client
 * that reset while megabytes came its way (Practical Packet Analysis' ftp-uploadfailed: an FTP
 * active-mode data connection, the FTP server its TCP client, an upload cut by its reset) cut a
 * transfer: an error, as before. Built packet by packet through the whole pipeline.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { TcpConversation, pcapFile, ascii } from '../helpers/index.js';

async function run(steps: (c: TcpConversation) => void, greeting = true): Promise<Report> {
  const c = new TcpConversation({ client: ['192.0.2.10', 41000], server: ['203.0.113.22', 22], start: 1_700_000_000 });
  c.syn();
  c.synAck();
  c.ack('client');
  if (greeting) c.send('server', ascii('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'));
  steps(c);
  const bytes = pcapFile({ linkType: 1 }, c.frames);
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

describe('a reset after the server greeting', () => {
  it('the client said nothing: a warning with its limit', async () => {
    const r = await run((c) => {
      c.ack('client');
      c.rst('client');
    });
    expect(r.verdicts.map((v) => `${v.severity} ${v.cause}`)).toEqual(['warning tcp.reset']);
    const v = r.verdicts[0]!;
    expect(v.details).toMatchObject({ sender: 'client', clientSentNothing: true });
    expect(verdictWords(v, 'en').explanation).toContain('health checks');
    expect(r.summary.failures).toBe(0);
  });

  it('the client answered, then reset (a reset after data both ways, as before); or the server reset: an error', async () => {
    const spoke = await run((c) => {
      c.send('client', ascii('SSH-2.0-PuTTY_Release_0.78\r\n'));
      c.rst('client');
    });
    expect(spoke.verdicts.map((v) => `${v.severity} ${v.cause}`)).toEqual(['warning tcp.reset']);
    expect(spoke.verdicts[0]!.details['clientSentNothing']).toBeUndefined();
    expect(verdictWords(spoke.verdicts[0]!, 'en').explanation).not.toContain('health checks');
    const server = await run((c) => {
      c.ack('client');
      c.rst('server');
    });
    expect(server.verdicts.map((v) => `${v.severity} ${v.cause}`)).toEqual(['error tcp.reset']);
    expect(server.verdicts[0]!.details).toMatchObject({ sender: 'server' });
  });

  it('megabytes toward the client before its reset are a transfer it cut, not a greeting: an error', async () => {
    const r = await run((c) => {
      const chunk = new Uint8Array(1460).fill(0x41);
      for (let i = 0; i < 40; i++) {
        c.wait(0.01);
        c.send('server', chunk);
        if (i % 2 === 1) c.ack('client');
      }
      c.wait(1);
      c.rst('client');
    }, false);
    expect(r.verdicts.map((v) => `${v.severity} ${v.cause}`)).toEqual(['error tcp.reset']);
    expect(r.verdicts[0]!.details['clientSentNothing']).toBeUndefined();
    expect(verdictWords(r.verdicts[0]!, 'en').explanation).not.toContain('health checks');
  });
});
