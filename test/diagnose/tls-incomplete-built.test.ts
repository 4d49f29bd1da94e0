/**
 * tls.handshake_incomplete, built packet by packet: a TLS 1.2 handshake whose server answered the
 * ClientHello, got the client's key exchange and Finished, and never sent its own ChangeCipherSpec
 * and Finished. Before this cause such a connection read "worked at every layer seen".
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { TcpConversation, pcapFile, changeCipherSpec, encryptedHandshake, applicationData, tls12UntilClientFinished, TLS_VERSION } from '../helpers/index.js';

const SERVER = '198.51.100.30';

/** ClientHello, the server's flight up to ServerHelloDone, the client's key exchange + CCS + Finished; then `rest`. */
async function run(rest: (c: TcpConversation) => void, dropServerAck = false, goesOn = true): Promise<Report> {
  // In 2025: the test certificate is valid 2024 .. 2049.
  const c = new TcpConversation({ client: ['192.0.2.10', 40200], server: [SERVER, 443], start: 1_760_000_000 });
  c.syn();
  c.synAck();
  c.ack('client');
  tls12UntilClientFinished(c, 'www.example.com');
  const ack = c.ack('server');
  rest(c);
  const frames = dropServerAck ? c.frames.filter((f) => f.frame !== ack) : [...c.frames];
  // Another client's connection 30 s after the last packet: the capture goes on (unless `goesOn` is false).
  const later = new TcpConversation({ client: ['192.0.2.11', 40300], server: ['198.51.100.31', 443], start: c.frames[c.frames.length - 1]!.ts + 30 });
  later.syn();
  later.synAck();
  if (goesOn) frames.push(...later.frames);
  const bytes = pcapFile({ linkType: c.linkType }, frames);
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}
const verdict = (r: Report) => r.verdicts.find((v) => v.target.ip === SERVER)!;

describe('a TLS 1.2 server that never finishes its handshake', () => {
  it('silent 30 s after the client\'s Finished, then the client closes: a failure, not "worked"', async () => {
    const v = verdict(await run((c) => {
      c.wait(30);
      c.fin('client');
      c.ack('server');
    }));
    expect([v.cause, v.severity]).toEqual(['tls.handshake_incomplete', 'error']);
    expect(v.details).toMatchObject({ tlsVersion: 'TLS1.2', closedBy: 'client' });
    expect(v.evidence.map((e) => e.kind)).toEqual(['client_hello', 'server_hello', 'fin']);
    expect(verdictWords(v, 'en').summary).toBe('www.example.com: the server never finished the TLS handshake');
    expect(verdictWords(v, 'zh').summary).toContain('没有完成 TLS 握手');
  });

  it('not claimed: the server finishes it (ok), or the capture stops within 5 s of the ServerHello', async () => {
    const done = verdict(await run((c) => {
      c.send('server', new Uint8Array([...changeCipherSpec(), ...encryptedHandshake(40)]));
      c.send('client', applicationData(100, TLS_VERSION.TLS12, 6));
      c.send('server', applicationData(900, TLS_VERSION.TLS12, 7));
      c.fin('client');
      c.fin('server');
      c.ack('client');
    }));
    expect(done.cause).toBe('ok');
    const soon = verdict(await run((c) => c.wait(1), false, false));
    expect(soon.cause).not.toBe('tls.handshake_incomplete');
  });

  it('not claimed: the client\'s Finished never acknowledged and never resent (the capture lacks the server\'s packets, nDPI instagram)', async () => {
    const r = await run((c) => {
      // The server's ACK of the client's flight is dropped from the capture (run's last argument).
      c.wait(1);
    }, true);
    expect(verdict(r).cause).not.toBe('tls.handshake_incomplete');
  });
});
