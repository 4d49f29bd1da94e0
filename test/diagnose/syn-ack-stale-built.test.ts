/**
 * tcp.syn_answered_by_ack, built packet by packet: a SYN answered with a bare ACK (a challenge ACK
 * of an old connection on the same ports, RFC 5961 §4) that the client resets (RFC 9293
 * §3.10.7.3). Before this cause such an attempt had no failure rule and read "worked".
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { TcpConversation, pcapFile, ascii } from '../helpers/index.js';

async function run(c: TcpConversation): Promise<Report> {
  const bytes = pcapFile({ linkType: c.linkType }, c.frames);
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

const SERVER = '198.51.100.5';
const conv = () => new TcpConversation({ client: ['192.0.2.10', 40000], server: [SERVER, 443], clientIsn: 1000, serverIsn: 5000 });
/** SYN; the server's ACK of another connection's sequence numbers; the client's RST to it. */
function staleAttempt(c: TcpConversation): void {
  c.syn();
  c.raw('server', { seq: 777777, ack: 99999, flags: 'A' });
  c.raw('client', { seq: 99999, flags: 'R' });
}

describe('a SYN answered with a bare ACK', () => {
  it('answered so at every try, the client resetting each: a failure, not "worked"', async () => {
    const c = conv();
    for (let i = 0; i < 4; i++) {
      staleAttempt(c);
      c.wait(1 << i);
    }
    const r = await run(c);
    const v = r.verdicts.find((x) => x.target.ip === SERVER)!;
    expect([v.cause, v.severity]).toEqual(['tcp.syn_answered_by_ack', 'error']);
    expect(v.evidence.map((e) => e.kind)).toEqual(['syn', 'ack_to_syn', 'rst']);
    expect(verdictWords(v, 'en').summary).toBe(`${SERVER}:443: the SYN was answered with an ACK, not a SYN-ACK: the connection was not opened`);
    expect(verdictWords(v, 'zh').summary).toContain('SYN 得到的是 ACK 而不是 SYN-ACK');
  });

  it('answered so once, then the client\'s retry is accepted: it worked, the stale attempt told on the way', async () => {
    const c = conv();
    staleAttempt(c);
    c.wait(1);
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', ascii('hello'));
    c.send('server', ascii('world'));
    c.fin('client');
    c.fin('server');
    c.ack('client');
    const r = await run(c);
    expect(r.verdicts.filter((v) => v.severity === 'error')).toEqual([]);
    const v = r.verdicts.find((x) => x.target.ip === SERVER)!;
    expect([v.cause, v.severity]).toEqual(['ok', 'warning']);
  });

  it('not claimed: an ACK of the SYN itself that the client does not reset, the server\'s own SYN following (a split handshake)', async () => {
    const c = conv();
    c.syn();
    c.raw('server', { seq: 5001, ack: 1001, flags: 'A' });
    c.raw('server', { seq: 5000, flags: 'S' });
    c.raw('client', { seq: 1000, ack: 5001, flags: 'SA' });
    c.raw('server', { seq: 5001, ack: 1001, flags: 'A' });
    c.raw('client', { seq: 1001, ack: 5001, flags: 'PA', payload: ascii('data') });
    c.raw('server', { seq: 5001, ack: 1005, flags: 'A' });
    const r = await run(c);
    expect(r.verdicts.map((v) => v.cause)).not.toContain('tcp.syn_answered_by_ack');
  });

  it('not claimed: a SYN-ACK the capture missed, the client going on with its ACK and data', async () => {
    const c = conv();
    c.syn();
    c.raw('server', { seq: 5001, ack: 1001, flags: 'A' });
    c.raw('client', { seq: 1001, ack: 5001, flags: 'PA', payload: ascii('GET / HTTP/1.1\r\n\r\n') });
    c.raw('server', { seq: 5001, ack: 1019, flags: 'A' });
    const r = await run(c);
    expect(r.verdicts.map((v) => v.cause)).not.toContain('tcp.syn_answered_by_ack');
  });
});
