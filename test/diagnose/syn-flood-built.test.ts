/**
 * tcp.syn_flood built packet by packet through the whole pipeline (diagnose/flood.ts): attempts to
 * one server and port that stopped at the SYN, from many forged addresses, each sent once, are one
 * warning for the server and port, not one failure per source (StopDDoS's synflood.spoofed.pcap
 * read 37,533 failures). And every case that must not be folded: clients that resend their SYN
 * (a server gone silent), a trickle of probes over minutes, a port whose connections complete,
 * a port that refuses.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { Capture, LINKTYPE, ethIp, tcpIp, udpIp } from '../helpers/index.js';

const T0 = 1_700_000_000;
const SERVER = '192.0.2.80';

/** The n-th of 300 distinct source addresses (documentation ranges). */
const source = (i: number): string => (i < 254 ? `198.51.100.${i + 1}` : `203.0.113.${i - 253}`);

interface Shape {
  /** Seconds between two sources' SYNs (default 0.001: a burst of 0.3 s). */
  gap?: number;
  /** Each source sends its SYN again after 1 s and 3 s. */
  resend?: boolean;
  /** The capture goes on 10 s after the burst (a bystander's packet), else it ends 0.1 s after it. */
  after?: boolean;
  /** Sources whose handshake completes (the server answers, they acknowledge). */
  completed?: number;
  /** SYNs per source, each from a port of its own (default 1). */
  perSource?: number;
  /** The server refuses each SYN with a RST. */
  refused?: boolean;
}

async function run(o: Shape = {}): Promise<Report> {
  const cap = new Capture();
  const gap = o.gap ?? 0.001;
  let last = T0;
  const n = 300 * (o.perSource ?? 1);
  for (let i = 0; i < n; i++) {
    const src = source(i % 300);
    const sport = 10000 + i;
    const t = T0 + i * gap;
    const syn = ethIp(tcpIp({ src, dst: SERVER, sport, dport: 443, seq: 1000 + i, flags: 'S', win: 0 }));
    cap.add(t, syn);
    if (o.resend) {
      cap.add(t + 1, syn);
      cap.add(t + 3, syn);
    }
    if (o.refused) cap.add(t + 0.0002, ethIp(tcpIp({ src: SERVER, dst: src, sport: 443, dport: sport, seq: 0, ack: 1001 + i, flags: 'RA' })));
    last = Math.max(last, t + (o.resend ? 3 : 0));
  }
  for (let i = 0; i < (o.completed ?? 0); i++) {
    const src = `192.0.2.${100 + i}`;
    const t = T0 + 0.05 + i * 0.002;
    cap.add(t, ethIp(tcpIp({ src, dst: SERVER, sport: 20000 + i, dport: 443, seq: 5000, flags: 'S' })));
    cap.add(t + 0.0005, ethIp(tcpIp({ src: SERVER, dst: src, sport: 443, dport: 20000 + i, seq: 9000, ack: 5001, flags: 'SA' })));
    cap.add(t + 0.001, ethIp(tcpIp({ src, dst: SERVER, sport: 20000 + i, dport: 443, seq: 5001, ack: 9001, flags: 'A' })));
  }
  const end = (o.after ?? true) ? last + 10 : last + 0.1;
  cap.add(end, ethIp(udpIp({ src: '192.0.2.99', dst: '198.51.100.250', sport: 45000, dport: 9 }, new Uint8Array(4))));
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { maxVerdicts: 0 });
}

const causes = (r: Report): string[] => [...new Set(r.verdicts.map((v) => `${v.severity} ${v.cause}`))].sort();

describe('tcp.syn_flood', () => {
  it('300 SYNs from 300 forged sources in 0.3 s, each sent once, the capture going on: one warning, no failure', async () => {
    const r = await run();
    expect(causes(r)).toEqual(['warning tcp.syn_flood']);
    expect(r.verdicts.length).toBe(1);
    const v = r.verdicts[0]!;
    expect(v.target).toMatchObject({ ip: SERVER, port: 443 });
    expect(v.client.ip).toBeNull();
    expect(v.details).toMatchObject({ syns: 300, sources: { count: 300 }, watched: 300, sentOnce: 300, synAcked: 0, completed: 0 });
    expect(r.summary.failures).toBe(0);
    const en = verdictWords(v, 'en');
    expect(en.summary).toBe(`${SERVER}:443: SYN flood, 300 connection attempts from 300 addresses in 0.3 s`);
    expect(en.explanation).toContain('300 sent their SYN once and never again');
    expect(verdictWords(v, 'zh').summary).toContain('SYN 洪泛');
  });

  it('a burst the capture stopped within: told by its rate, when no set of clients comes that fast', async () => {
    // 1,200 SYNs in 0.6 s (2,000 a second) from 300 sources: a flood.
    const fast = await run({ after: false, perSource: 4, gap: 0.0005 });
    expect(causes(fast)).toEqual(['warning tcp.syn_flood']);
    expect(fast.verdicts[0]!.details).toMatchObject({ syns: 1200, watched: 0, sources: { count: 300 } });
    expect(verdictWords(fast.verdicts[0]!, 'en').explanation).toContain('the capture stopped too soon after them to show resends');
    // 300 in 0.3 s, the capture stopping 0.1 s later: as many new clients of a server gone down; not claimed.
    const slow = await run({ after: false });
    expect(causes(slow)).not.toContain('warning tcp.syn_flood');
  });

  it('clients that send their SYN again (a server gone silent): their failures stand', async () => {
    const r = await run({ resend: true });
    expect(causes(r)).not.toContain('warning tcp.syn_flood');
    expect(r.summary.failures).toBe(300);
  });

  it('one SYN a second for 300 s (a trickle of probes): no flood', async () => {
    const r = await run({ gap: 1 });
    expect(causes(r)).not.toContain('warning tcp.syn_flood');
  });

  it('a port whose connections complete (more than one in ten): no flood', async () => {
    const r = await run({ completed: 40 });
    expect(causes(r)).not.toContain('warning tcp.syn_flood');
  });

  it('a port that refuses every SYN: no flood (clients of a stopped service are refused the same way)', async () => {
    const r = await run({ refused: true });
    expect(causes(r)).toEqual(['error tcp.refused']);
  });
});
