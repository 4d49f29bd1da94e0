/**
 * tcp.inbound_probes built packet by packet through the whole pipeline (diagnose/probes.ts):
 * strangers' attempts to many ports of one host, each address trying a port or a few, refused or
 * dropped and never sent again, are one warning for the host (StopDDoS's captures of a server read
 * 157 and 53 failures of this, PPA's evilprogram.pcap 33 refused worm probes of a home PC). And
 * what must keep its verdicts: clients whose kernel resends its SYN, many addresses refused on one
 * port and trying nothing else (a service that is down), services all refusing a client or two of
 * their own once, a port that served connections, an address that had a connection of its own,
 * too few addresses or ports.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { Capture, LINKTYPE, ethIp, tcpIp, udpIp } from '../helpers/index.js';
import { MAX_GROUPS } from '../../src/diagnose/overflow.js';

const T0 = 1_700_000_000;
const HOST = '192.0.2.80';

/** The n-th of many distinct addresses (documentation ranges). */
const stranger = (i: number): string => (i < 254 ? `198.51.100.${i + 1}` : `203.0.113.${i - 253}`);

interface Probe {
  /** Index of the probing address. */
  from: number;
  port: number;
  /** Refused with a RST (else unanswered). */
  refused?: boolean;
  /** SYNs of the attempt, each sent `resendGap` s after the one before (doubling): a kernel's resends. */
  syns?: number;
  /** connect() calls to the port (each refused or not), a second apart. */
  conns?: number;
  /** The host answers with a SYN-ACK, which the prober resets (a SYN scan of a port that listens). */
  synAck?: boolean;
}

class Built {
  readonly cap = new Capture();
  private t = T0;
  private sport = 30000;

  /** One probe, 20 s after the one before (a trickle over minutes, as background scanning comes). */
  probe(p: Probe): this {
    const src = stranger(p.from);
    for (let c = 0; c < (p.conns ?? 1); c++) {
      const sport = this.sport++;
      let at = this.t + c;
      let gap = 1;
      for (let s = 0; s < (p.syns ?? 1); s++) {
        this.cap.add(at, ethIp(tcpIp({ src, dst: HOST, sport, dport: p.port, seq: 5000, flags: 'S' })));
        if (p.refused) this.cap.add(at + 0.0002, ethIp(tcpIp({ src: HOST, dst: src, sport: p.port, dport: sport, seq: 0, ack: 5001, flags: 'RA' })));
        if (p.synAck) {
          this.cap.add(at + 0.0002, ethIp(tcpIp({ src: HOST, dst: src, sport: p.port, dport: sport, seq: 900, ack: 5001, flags: 'SA' })));
          this.cap.add(at + 0.0004, ethIp(tcpIp({ src, dst: HOST, sport, dport: p.port, seq: 5001, flags: 'R' })));
        }
        at += gap;
        gap *= 2;
      }
    }
    this.t += 20;
    return this;
  }

  /** A connection of `src` to the host's `port` that completes and carries a request and its answer. */
  served(src: string, port: number): this {
    const sport = this.sport++;
    const t = this.t;
    this.cap.add(t, ethIp(tcpIp({ src, dst: HOST, sport, dport: port, seq: 100, flags: 'S' })));
    this.cap.add(t + 0.001, ethIp(tcpIp({ src: HOST, dst: src, sport: port, dport: sport, seq: 900, ack: 101, flags: 'SA' })));
    this.cap.add(t + 0.002, ethIp(tcpIp({ src, dst: HOST, sport, dport: port, seq: 101, ack: 901, flags: 'PA' }, new Uint8Array(10))));
    this.cap.add(t + 0.003, ethIp(tcpIp({ src: HOST, dst: src, sport: port, dport: sport, seq: 901, ack: 111, flags: 'PA' }, new Uint8Array(10))));
    this.cap.add(t + 0.004, ethIp(tcpIp({ src, dst: HOST, sport, dport: port, seq: 111, ack: 911, flags: 'FA' })));
    this.cap.add(t + 0.005, ethIp(tcpIp({ src: HOST, dst: src, sport: port, dport: sport, seq: 911, ack: 112, flags: 'FA' })));
    this.cap.add(t + 0.006, ethIp(tcpIp({ src, dst: HOST, sport, dport: port, seq: 112, ack: 912, flags: 'A' })));
    this.t += 20;
    return this;
  }

  /**
   * `n` connections of the host's own, each to a server of its own, that complete and carry a
   * request and its answer, 10 ms apart: with MAX_GROUPS of them, every later target is past the
   * limit of groups (a busy server's day: diagnose/overflow.ts).
   */
  own(n: number): this {
    for (let i = 0; i < n; i++) {
      const dst = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      const sport = 20000 + (i % 40000);
      let t = this.t + i * 0.01;
      const pkt = (from: boolean, seq: number, ack: number, flags: string, len = 0): void => {
        const o = from ? { src: HOST, dst, sport, dport: 443 } : { src: dst, dst: HOST, sport: 443, dport: sport };
        t += 0.0001;
        this.cap.add(t, ethIp(tcpIp({ ...o, seq, ack, flags }, len > 0 ? new Uint8Array(len) : undefined)));
      };
      pkt(true, 100, 0, 'S');
      pkt(false, 900, 101, 'SA');
      pkt(true, 101, 901, 'PA', 10);
      pkt(false, 901, 111, 'PA', 10);
      pkt(true, 111, 911, 'FA');
      pkt(false, 911, 112, 'FA');
      pkt(true, 112, 912, 'A');
    }
    this.t += n * 0.01 + 20;
    return this;
  }

  async report(): Promise<Report> {
    // The capture goes on a minute after the last probe (a bystander's datagram).
    this.cap.add(this.t + 60, ethIp(udpIp({ src: '192.0.2.99', dst: '198.51.100.250', sport: 45000, dport: 9 }, new Uint8Array(4))));
    const cap = this.cap;
    async function* one(): AsyncIterable<Uint8Array> {
      yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
    }
    return analyze(await openStream(one(), { name: 'built.pcap' }), { maxVerdicts: 0 });
  }
}

const causes = (r: Report): string[] => [...new Set(r.verdicts.map((v) => `${v.severity} ${v.cause}`))].sort();
const PORTS = [23, 445, 3389, 22, 1433, 5900, 8080, 2323, 6379, 9200, 5555, 81];

/** `n` addresses, the i-th probing PORTS[i % 12] (and the next port too with `twoPorts`). */
function background(b: Built, n: number, o: Omit<Probe, 'from' | 'port'> & { twoPorts?: boolean } = {}): Built {
  for (let i = 0; i < n; i++) {
    b.probe({ ...o, from: i, port: PORTS[i % PORTS.length]! });
    if (o.twoPorts) b.probe({ ...o, from: i, port: PORTS[(i + 1) % PORTS.length]! });
  }
  return b;
}

describe('tcp.inbound_probes', () => {
  it('24 addresses each sending one SYN to one of 12 ports, never again: one warning for the host, no failure', async () => {
    // (A client served on port 80 first: the capture holds packets toward clients, so a SYN
    // unanswered is a failure, not a stray packet of a one-way capture.)
    const r = await background(new Built().served('192.0.2.7', 80), 24).report();
    expect(causes(r)).toEqual(['warning tcp.inbound_probes']);
    const v = r.verdicts[0]!;
    expect(v.target).toMatchObject({ ip: HOST, port: null });
    expect(v.client.ip).toBeNull();
    expect(v.details).toMatchObject({ attempts: 24, refused: 0, unanswered: 24, watched: 24, notResent: 24, clientCount: 24 });
    expect((v.details['ports'] as { count: number }).count).toBe(12);
    expect(r.summary.failures).toBe(0);
    // The evidence is the first probe's SYN, the frame after the served connection's seven.
    expect(v.evidence.map((e) => e.frame)).toEqual([8]);
    const en = verdictWords(v, 'en');
    expect(en.summary).toBe(`${HOST}: 24 unsolicited connection attempts from 24 addresses to 12 ports (background scanning)`);
    expect(en.explanation).toContain('None got an answer');
    expect(en.explanation).toContain('sent its SYN once or twice and not again');
    expect(verdictWords(v, 'zh').summary).toContain('后台扫描');
  });

  it('refused probes, Windows-style (three SYNs per connect(), each refused), from addresses trying two ports: folded', async () => {
    const r = await background(new Built(), 12, { refused: true, conns: 3, twoPorts: true }).report();
    expect(causes(r)).toEqual(['warning tcp.inbound_probes']);
    expect(r.verdicts[0]!.details).toMatchObject({ attempts: 72, refused: 72, unanswered: 0 });
    expect(verdictWords(r.verdicts[0]!, 'en').explanation).toContain('Every one was refused');
  });

  it('clients whose kernel resends the SYN (1 s, 2 s, 4 s apart): their failures stand', async () => {
    const r = await background(new Built().served('192.0.2.7', 80), 24, { syns: 4 }).report();
    expect(causes(r)).toEqual(['error tcp.syn_unanswered']);
    expect(r.summary.failures).toBeGreaterThan(0);
  });

  it('many addresses refused on one port and trying nothing else (a service that is down) keep their verdicts', async () => {
    const b = background(new Built(), 24);
    // Eight clients of port 8443, each refused, each trying only that port.
    for (let i = 0; i < 8; i++) b.probe({ from: 100 + i, port: 8443, refused: true });
    const r = await b.report();
    expect(causes(r)).toEqual(['error tcp.refused', 'warning tcp.inbound_probes']);
    const refused = r.verdicts.filter((v) => v.cause === 'tcp.refused');
    expect(refused.every((v) => v.target.port === 8443)).toBe(true);
    expect(refused.length).toBe(8);
    // Four are too few to be a service's: probes.
    const few = background(new Built(), 24);
    for (let i = 0; i < 4; i++) few.probe({ from: 100 + i, port: 8443, refused: true });
    expect(causes(await few.report())).toEqual(['warning tcp.inbound_probes']);
  });

  it("a port that served a connection, and an address that had one, keep their failures", async () => {
    const b = background(new Built(), 24);
    // Port 23 served a connection: its probes are attempts on a service.
    b.served('192.0.2.7', 23);
    // Address 5 (which probed 5900) had a connection of its own to port 80.
    b.served(stranger(5), 80);
    const r = await b.report();
    const left = r.verdicts.filter((v) => v.cause === 'tcp.syn_unanswered');
    expect(left.map((v) => `${v.client.ip}:${v.target.port}`).sort()).toEqual([`${stranger(0)}:23`, `${stranger(12)}:23`, `${stranger(5)}:5900`].sort());
    const folded = r.verdicts.find((v) => v.cause === 'tcp.inbound_probes')!;
    expect(folded.details).toMatchObject({ attempts: 21, clientCount: 21 });
  });

  it('services all down for a while, each refusing a client or two of its own once (none trying another port): no fold', async () => {
    const r = await background(new Built().served('192.0.2.7', 80), 20, { refused: true }).report();
    expect(causes(r)).toEqual(['error tcp.refused']);
    // The same, with a third of the addresses trying a second port (a scanner's way): probes.
    const b = background(new Built().served('192.0.2.7', 80), 20, { refused: true });
    for (let i = 0; i < 7; i++) b.probe({ from: i, port: 5060, refused: true });
    expect(causes(await b.report())).toEqual(['warning tcp.inbound_probes']);
  });

  it('probes of a port that answered with a SYN-ACK (it listens: a service) are not folded', async () => {
    const b = background(new Built().served('192.0.2.7', 80), 24);
    for (let i = 0; i < 3; i++) b.probe({ from: 200 + i, port: 8443, synAck: true });
    const r = await b.report();
    const folded = r.verdicts.find((v) => v.cause === 'tcp.inbound_probes')!;
    expect(folded.details).toMatchObject({ attempts: 24, clientCount: 24 });
    expect(r.verdicts.filter((v) => v.target.port === 8443).length).toBe(3);
  });

  describe('past the limit of groups (a busy server\'s day: diagnose/overflow.ts)', () => {
    it('the same probes are folded the same way, none a failure', async () => {
      const r = await background(new Built().own(MAX_GROUPS), 24).report();
      expect(causes(r)).toEqual(['warning tcp.inbound_probes']);
      expect(r.verdicts[0]!.details).toMatchObject({ attempts: 24, refused: 0, unanswered: 24, watched: 24, notResent: 24, clientCount: 24 });
      expect((r.verdicts[0]!.details['ports'] as { count: number }).count).toBe(12);
      expect(r.summary.failures).toBe(0);
      // Its evidence: the first probe's SYN, after the 7 packets of each connection of the host's own.
      expect(r.verdicts[0]!.evidence.map((e) => e.frame)).toEqual([MAX_GROUPS * 7 + 1]);
    }, 60_000);

    it('a port that served and an address that had a connection, past the limit too, keep their failures', async () => {
      const b = background(new Built().own(MAX_GROUPS), 24);
      b.served('192.0.2.7', 23);
      b.served(stranger(5), 80);
      const r = await b.report();
      // (Each a bucket of the overflow: its port among the details.)
      const left = r.verdicts.filter((v) => v.cause === 'tcp.syn_unanswered');
      const portOf = (v: Report['verdicts'][number]): number | undefined => v.target.port ?? (v.details['ports'] as { examples: number[] }).examples[0];
      expect(left.map((v) => `${v.client.ip}:${portOf(v)}`).sort()).toEqual([`${stranger(0)}:23`, `${stranger(12)}:23`, `${stranger(5)}:5900`].sort());
      expect(r.verdicts.find((v) => v.cause === 'tcp.inbound_probes')!.details).toMatchObject({ attempts: 21, clientCount: 21 });
    }, 60_000);

    it('clients whose kernel resends the SYN keep their failures, counted as before', async () => {
      const r = await background(new Built().own(MAX_GROUPS), 24, { syns: 4 }).report();
      expect(causes(r)).toEqual(['error tcp.syn_unanswered']);
      expect(r.summary.failures).toBe(24);
    }, 60_000);
  });

  it('too few addresses (9) or too few ports (9): no fold', async () => {
    const fewAddresses = await background(new Built().served('192.0.2.7', 80), 9).report();
    expect(causes(fewAddresses)).toEqual(['error tcp.syn_unanswered']);
    const b = new Built().served('192.0.2.7', 80);
    for (let i = 0; i < 24; i++) b.probe({ from: i, port: PORTS[i % 9]! });
    expect(causes(await b.report())).toEqual(['error tcp.syn_unanswered']);
  });
});
