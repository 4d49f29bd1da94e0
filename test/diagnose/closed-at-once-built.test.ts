/**
 * tcp.closed_at_once, built packet by packet: the server completes the handshake and closes
 * within a second, before either side sent a byte (sshd turning a client away: tcp_wrappers,
 * MaxStartups). Before this cause such a connection read "worked at every layer seen".
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { TcpConversation, pcapFile, ascii } from '../helpers/index.js';

const SERVER = '198.51.100.22';

/** A connection to port 22 shaped by `build`, then another client's exchange 30 s later (the capture goes on). */
async function run(build: (c: TcpConversation) => void): Promise<Report> {
  const c = new TcpConversation({ client: ['192.0.2.10', 40000], server: [SERVER, 22] });
  c.syn();
  c.synAck();
  c.ack('client');
  build(c);
  const other = new TcpConversation({ client: ['192.0.2.11', 40001], server: ['198.51.100.6', 80], start: c.frames[c.frames.length - 1]!.ts + 30 });
  other.syn();
  other.synAck();
  other.ack('client');
  const bytes = pcapFile({ linkType: c.linkType }, [...c.frames, ...other.frames]);
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}
const verdict = (r: Report) => r.verdicts.find((v) => v.target.ip === SERVER)!;

describe('a server that accepts and closes at once', () => {
  it('closed by the server 3 ms after the handshake, nothing sent: a failure of the service, not "worked"', async () => {
    const r = await run((c) => {
      c.fin('server');
      c.ack('client');
      c.fin('client');
      c.ack('server');
    });
    const v = verdict(r);
    expect([v.cause, v.severity]).toEqual(['tcp.closed_at_once', 'error']);
    expect(v.evidence.map((e) => e.kind)).toEqual(['conn_start', 'fin']);
    const en = verdictWords(v, 'en');
    expect(en.summary).toBe(`${SERVER}:22: the server accepted the connection and closed it at once, before anything was sent`);
    expect(en.explanation).toMatch(/closed the connection \(FIN\) \d+(\.\d)? ms later/);
    expect(verdictWords(v, 'zh').summary).toContain('立即关闭');
  });

  it('not claimed: a close after the server\'s timeout on a silent client, a client that closed first, a banner sent first', async () => {
    const idle = verdict(await run((c) => {
      c.wait(20);
      c.fin('server');
      c.ack('client');
    }));
    expect(idle.cause).toBe('ok');
    const client = verdict(await run((c) => {
      c.fin('client');
      c.fin('server');
      c.ack('client');
    }));
    expect(client.cause).toBe('ok');
    const banner = verdict(await run((c) => {
      c.send('server', ascii('SSH-2.0-OpenSSH_9.6\r\n'));
      c.fin('server');
      c.ack('client');
    }));
    expect(banner.cause).toBe('ok');
  });
});
