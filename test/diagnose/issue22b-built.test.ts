/**
 * Issue 22's TCP causes built packet by packet (test/helpers) and run through the whole pipeline:
 * each claimed on its proof, and the look-alikes of busy real captures (a window that reopens, a
 * keepalive, a lossy transfer that had delivered full-size segments, a sender that is closing)
 * never claimed.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { backsOff } from '../../src/track/tcp-watch.js';
import { TcpConversation, pcapFile, filler, ascii } from '../helpers/index.js';

async function run(c: TcpConversation): Promise<Report> {
  const bytes = pcapFile({ linkType: c.linkType }, c.frames);
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true });
}

const causes = (r: Report): string[] => r.verdicts.map((v) => `${v.cause}|${v.severity}`);

describe('back-off', () => {
  it('needs four intervals, the last three each 1.5 times the one before', () => {
    expect(backsOff([0, 0.2, 0.4, 0.8, 1.6, 3.2], 4)).toBe(true);
    expect(backsOff([0, 0.2, 0.6, 1.4, 3.0], 4)).toBe(true);
    expect(backsOff([0, 0.4, 0.8, 1.6], 4)).toBe(false); // three intervals only
    expect(backsOff([0, 1, 2, 3, 4, 5], 4)).toBe(false); // a steady timer (keepalives, probes)
    expect(backsOff([0, 0.2, 0.4, 0.8, 1.6, 2.0], 4)).toBe(false); // the last wait did not grow
  });
});

/** A connection the capture joins in its middle: the client sends a request, then resends it. */
function midConnection(gaps: number[], close: 'rst' | 'fin' | 'none'): TcpConversation {
  const c = new TcpConversation({ client: ['192.0.2.10', 40100], server: ['198.51.100.20', 80], clientIsn: 70000, serverIsn: 90000 });
  const req = ascii('GET /second HTTP/1.1\r\nHost: stall.example\r\n\r\n');
  // No handshake in the capture: the sides' sequence numbers are where the first exchange left them.
  c.send('client', req, { seq: 70001, ack: 90001 });
  for (const g of gaps) {
    c.wait(g);
    c.send('client', req, { seq: 70001, ack: 90001 });
  }
  c.wait(1);
  if (close === 'rst') c.rst('client', { seq: 70001 + req.length });
  if (close === 'fin') c.fin('client', { seq: 70001 + req.length, ack: 90001 });
  return c;
}

describe('tcp.stalled without a handshake', () => {
  it('is claimed when one segment is resent with back-off for 3 s or more and nothing comes back', async () => {
    const r = await run(midConnection([0.2, 0.2, 0.4, 0.8, 1.6, 3.2], 'rst'));
    expect(causes(r)).toEqual(['tcp.stalled|error']);
    expect(r.verdicts[0]!.details).toMatchObject({ handshakeSeen: false, sender: 'client', retransmissions: 6 });
    expect(r.verdicts[0]!.evidence.map((e) => e.frame)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('is not claimed for resends at a steady pace (no back-off: not the retransmission timer)', async () => {
    const r = await run(midConnection([1, 1, 1, 1, 1, 1], 'rst'));
    expect(causes(r)).not.toContain('tcp.stalled|error');
  });

  it('is not claimed when the back-off is shorter than 3 s', async () => {
    const r = await run(midConnection([0.1, 0.2, 0.4, 0.8], 'rst'));
    expect(causes(r)).not.toContain('tcp.stalled|error');
  });

  it('is not claimed for a sender that is closing (its FIN sent)', async () => {
    const r = await run(midConnection([0.2, 0.2, 0.4, 0.8, 1.6, 3.2], 'fin'));
    expect(causes(r)).not.toContain('tcp.stalled|error');
  });
});

/** An upload that the server's application stops reading (or reads after `reopenAfter` seconds). */
function zeroWindow(zeroSeconds: number, reopenAfter: number | null): TcpConversation {
  const c = new TcpConversation({ client: ['192.0.2.10', 40200], server: ['198.51.100.20', 80], wscale: 0 });
  c.syn();
  c.synAck();
  c.ack('client');
  c.send('client', ascii('POST /upload HTTP/1.1\r\nHost: sink.example\r\nContent-Length: 100000\r\n\r\n'));
  c.send('client', filler(1400));
  c.ack('server', { win: 0 });
  let t = 0;
  for (let gap = 0.2; t + gap <= zeroSeconds; gap *= 2) {
    c.wait(gap);
    t += gap;
    // Linux's zero-window probe: an empty segment one below the next sequence number.
    c.ack('client', { seq: c.nextSeq('client') - 1 });
    c.ack('server', { win: 0 });
    if (reopenAfter !== null && t >= reopenAfter) {
      c.ack('server', { win: 8192 });
      c.send('client', filler(1400, 2));
      c.ack('server');
      break;
    }
  }
  return c;
}

describe('tcp.zero_window', () => {
  it('is claimed when the window stays at zero 10 s or more until the end, probes answered with zero', async () => {
    const r = await run(zeroWindow(12.8, null));
    expect(causes(r)).toEqual(['tcp.zero_window|error']);
    expect(r.verdicts[0]!.details).toMatchObject({ receiver: 'server', reopened: false });
    expect(r.verdicts[0]!.details['zeroWindowSeconds']).toBeGreaterThanOrEqual(12);
  });

  it('is not claimed when the window opens again (a slow reader)', async () => {
    const r = await run(zeroWindow(12.8, 0.6));
    expect(causes(r)).not.toContain('tcp.zero_window|error');
  });

  it('is not claimed for a zero window shorter than 10 s', async () => {
    const r = await run(zeroWindow(8.0, null)) // 6.2 s of zero window;
    expect(causes(r)).not.toContain('tcp.zero_window|error');
  });
});

/**
 * An upload whose full-size segments never get through: five of 1448 bytes and a last one of
 * 600, SACKed; the first full-size one resent with back-off. `bigAckedFirst`: a full-size segment
 * had been acknowledged before (a path that carried full-size packets: not a black hole).
 */
function blackHoleUpload(bigAckedFirst: boolean): TcpConversation {
  const c = new TcpConversation({ client: ['192.0.2.10', 40300], server: ['198.51.100.20', 80], mss: 1460, timestamps: true });
  c.syn();
  c.synAck();
  c.ack('client');
  if (bigAckedFirst) {
    c.send('client', filler(1448, 7));
    c.ack('server');
  }
  const first = c.nextSeq('client');
  for (let i = 0; i < 5; i++) c.send('client', filler(1448, i + 1));
  const small = c.nextSeq('client');
  c.send('client', filler(600, 9));
  c.ack('server', { ack: first, options: { sack: [[small, small + 600]] } });
  for (const gap of [0.2, 0.4, 0.8, 1.6, 3.2]) {
    c.wait(gap);
    c.send('client', filler(1448, 1), { retransmit: first });
  }
  c.wait(1);
  c.rst('client');
  return c;
}

describe('tcp.pmtu_blackhole', () => {
  it('is claimed from the sender: full-size resent with back-off, never acknowledged, a smaller one SACKed', async () => {
    const r = await run(blackHoleUpload(false));
    expect(causes(r)).toEqual(['tcp.pmtu_blackhole|error']);
    expect(r.verdicts[0]!.details).toMatchObject({ direction: 'upload', seenFrom: 'sender', largestPayloadDelivered: 600, fullSizePayload: 1448, icmpFragNeeded: false });
  });

  it('is not claimed when a full-size segment had got through before (a lossy path, not a black hole)', async () => {
    const r = await run(blackHoleUpload(true));
    expect(causes(r)).not.toContain('tcp.pmtu_blackhole|error');
  });
});
