/**
 * tcp.stalled on captures that end while the sender is still resending (chrissanders/packets:
 * inconsistent_printer, a printer that stops acknowledging a print job: the last segment sent
 * three times 5.5 s apart, then the capture ends; tcp_retransmissions, a back-off cut by the
 * capture's end). The stall is claimed on the sender's own proof (the same data resent), but the
 * words say the capture ended while it was resending, not that the sender gave up.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { TcpConversation, pcapFile, filler } from '../helpers/index.js';

async function run(c: TcpConversation): Promise<Report> {
  const bytes = pcapFile({ linkType: c.linkType }, c.frames);
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

/**
 * A print job: the printer acknowledges eight segments, then the client's next segment is sent
 * again at each of `gaps` (seconds) without an acknowledgement; after the last, `then`.
 */
function printJob(gaps: number[], then: { wait: number; rst?: boolean }): TcpConversation {
  const c = new TcpConversation({ client: ['192.0.2.8', 3527], server: ['198.51.100.253', 9100] });
  c.syn();
  c.synAck();
  c.ack('client');
  for (let i = 0; i < 8; i++) {
    c.send('client', filler(1460, i + 1));
    c.wait(0.2);
    c.ack('server', { win: 4096 - i * 400 });
  }
  c.wait(4.8);
  const last = filler(1092, 99);
  c.send('client', last);
  for (const g of gaps) {
    c.wait(g);
    c.send('client', last, { retransmit: true });
  }
  c.wait(then.wait);
  if (then.rst === true) c.rst('client');
  return c;
}

const stalled = (r: Report) => r.verdicts.find((v) => v.cause === 'tcp.stalled');

describe('tcp.stalled with fewer than three retransmissions', () => {
  it('is claimed when one segment is sent three times over 5 s or more, unacknowledged until the capture ends', async () => {
    const r = await run(printJob([5.5, 5.6], { wait: 0 }));
    const v = stalled(r);
    expect(v?.severity).toBe('error');
    expect(v!.facts['stillResending']).toBe(true);
    expect(v!.details['stillResendingAtEnd']).toBe(true);
    // The resent segment's frames are in the evidence: the handshake's 3, 8 segments and 8 ACKs, then 20 (first sent), 21 and 22.
    expect(v!.evidence.map((e) => e.frame)).toEqual(expect.arrayContaining([21, 22]));
    const en = verdictWords(v!, 'en');
    expect(en.summary).toContain('still being resent when the capture ended');
    expect(en.summary).not.toContain('abandoned');
    expect(en.explanation).not.toContain('gave up');
    expect(verdictWords(v!, 'zh').summary).toContain('抓包结束时仍在重发');
    expect(r.verdicts.map((x) => x.cause)).not.toContain('ok');
  });

  it('is not claimed for one retransmission, nor for a stuck segment shorter than 5 s', async () => {
    expect(stalled(await run(printJob([5.5], { wait: 0 })))).toBeUndefined();
    expect(stalled(await run(printJob([1.5, 2.5], { wait: 0 })))).toBeUndefined();
  });

  it('says the sender gave up when it reset, or stayed silent past twice its last wait', async () => {
    const reset = stalled(await run(printJob([5.5, 5.6], { wait: 1, rst: true })));
    expect(reset?.facts['stillResending']).toBe(false);
    expect(verdictWords(reset!, 'en').summary).toContain('then abandoned');
    const quiet = stalled(await run(printJob([5.5, 5.6], { wait: 30 })));
    // Nothing at all after the last resend: the connection's own end is its last packet, the
    // capture's end comes with it, so the silence is not in the capture: still resending.
    expect(quiet?.facts['stillResending']).toBe(true);
  });
});

describe('a back-off cut by the capture\'s end (no handshake)', () => {
  /** A connection the capture joins in its middle, one segment resent with back-off; then `after`. */
  function midStall(after: (c: TcpConversation) => void): TcpConversation {
    const c = new TcpConversation({ client: ['192.0.2.10', 1048], server: ['198.51.100.7', 1043], clientIsn: 70000, serverIsn: 90000 });
    const seg = filler(648, 7);
    c.send('client', seg, { seq: 70001, ack: 90001 });
    for (const g of [0.2, 0.6, 1.2, 2.4, 4.8]) {
      c.wait(g);
      c.send('client', seg, { seq: 70001, ack: 90001 });
    }
    after(c);
    return c;
  }

  it('is told as still resending when the capture ends within the next wait', async () => {
    const v = stalled(await run(midStall(() => undefined)));
    expect(v?.facts['stillResending']).toBe(true);
    expect(verdictWords(v!, 'en').summary).toContain('still being resent when the capture ended');
  });

  it('is told as abandoned when other traffic goes on well past the next wait', async () => {
    const v = stalled(await run(midStall((c) => {
      // Another connection of the same client keeps the capture going 30 s more.
      const o = new TcpConversation({ client: ['192.0.2.10', 1050], server: ['198.51.100.7', 80], start: c.clock + 30 });
      o.syn();
      o.synAck();
      o.ack('client');
      for (const f of o.frames) c.frames.push(f);
    })));
    expect(v?.facts['stillResending']).toBe(false);
    expect(verdictWords(v!, 'en').summary).toContain('then abandoned');
  });
});
