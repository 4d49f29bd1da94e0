/**
 * Bundled samples (real stacks) degraded the way real captures are: kept to one side (a `src host`
 * filter, a one-way mirror port: the packets one address sent, with or without the ICMP errors
 * about them), cut short (the first packets only: `tcpdump -c`, a rotated file's end) or joined
 * late. What the fuller capture shows working must not become a failure the shorter one claims:
 * - a client's reset with the sequence number a SYN-ACK acknowledges answers a SYN-ACK the
 *   capture does not hold (capture.one_sided), where a reset carrying the ISN itself (a crafted
 *   syn-then-rst) answers nothing;
 * - "fragmentation needed" is path MTU discovery at work: a failure only where the capture shows
 *   the sender did not act on it, not when it holds one side, the ICMP alone, or stops right after;
 * - a traceroute cut short is still a traceroute (probes to its own ports with a small TTL);
 * - a SYN-ACK in the last second of a capture: whether the ACK came is not known
 *   (capture.ended_early), where a SYN-ACK the server sent again shows it did not.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCapture, openStream } from '../../src/capture/open.js';
import type { PacketSource } from '../../src/capture/reader.js';
import type { RawPacket } from '../../src/capture/types.js';
import { Decoder } from '../../src/decode/decoder.js';
import { Packet } from '../../src/decode/packet.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { Capture, LINKTYPE, TcpConversation, ascii, dnsMessage, ethIp, icmpIp, quote, tcpIp, udpIp } from '../helpers/index.js';

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');

interface Seen {
  /** The frame number in the sample. */
  frame: number;
  src: string;
  dst: string;
  proto: number;
  tcpFlags: number;
  /** TCP acknowledgement number; for an ICMP error, the sequence number of the TCP segment it quotes (-1: none). */
  ack: number;
  quotedSeq: number;
}

/**
 * A sample with only the packets `keep` accepts, numbered again from 1 as a filtered capture's
 * file is (`tshark -Y … -w`), or null when it keeps none.
 */
async function filtered(file: string, keep: (p: Seen, index: number) => boolean, all = false): Promise<Report | null> {
  const src = await openCapture(join(SAMPLES, file));
  const decoder = new Decoder();
  const pkt = new Packet();
  let kept = 0;
  const view: PacketSource = {
    get info() {
      return src.info;
    },
    close: () => src.close(),
    [Symbol.asyncIterator]: () => src[Symbol.asyncIterator](),
    forEach: (on: (p: RawPacket) => void | boolean) => {
      let index = 0;
      return src.forEach((p) => {
        decoder.decode(p, pkt);
        const seen: Seen = {
          frame: p.frame, src: pkt.ipVersion === 0 ? '' : pkt.srcAddr(), dst: pkt.ipVersion === 0 ? '' : pkt.dstAddr(), proto: pkt.proto, tcpFlags: pkt.tcpFlags,
          ack: pkt.proto === 6 ? pkt.ack >>> 0 : -1, quotedSeq: pkt.quoted.present && pkt.quoted.proto === 6 ? pkt.quoted.tcpSeq : -1,
        };
        index++;
        if (!keep(seen, index)) return undefined;
        kept++;
        return on({ ...p, frame: kept });
      });
    },
  };
  const r = await analyze(view, { maxVerdicts: 0, all });
  return kept === 0 ? null : r;
}

/** Every packet of a sample, as `filtered` sees it. */
async function packets(file: string): Promise<Seen[]> {
  const out: Seen[] = [];
  await filtered(file, (p) => {
    out.push(p);
    return false;
  });
  return out;
}

const fails = (r: Report | null): string[] => (r === null ? [] : r.verdicts.filter((v) => v.severity === 'error').map((v) => `${v.cause} ${v.target.ip}:${v.target.port}`));
const ICMP = (p: Seen): boolean => p.proto === 1 || p.proto === 58;
const SYN_ACK = 0x12;

async function report(cap: Capture): Promise<Report> {
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { maxVerdicts: 0 });
}

describe('a SYN-ACK that came too late, captured on one side only (tcp-synack-too-late.pcap)', () => {
  // The whole capture: SYN, SYN again 1 s later, the SYN-ACK 3 s after the first, the client's RST.
  const CLIENT = '192.0.2.10';
  const SERVER = '203.0.113.20';

  it('the whole capture: a handshake that failed by a late answer (as before)', async () => {
    const r = await filtered('tcp-synack-too-late.pcap', () => true);
    expect(fails(r)).toEqual([`tcp.handshake_incomplete ${SERVER}:80`]);
  });

  for (const [what, keep] of [
    ['the packets the client sent', (p: Seen) => p.src === CLIENT],
    ['the packets sent to the server', (p: Seen) => p.dst === SERVER],
  ] as const) {
    it(`${what}: the client's reset shows the SYN-ACK came; one-sided, not a SYN unanswered`, async () => {
      const r = (await filtered('tcp-synack-too-late.pcap', keep))!;
      expect(fails(r)).toEqual([]);
      const v = r.verdicts.find((x) => x.target.ip === SERVER)!;
      expect(v.cause).toBe('capture.one_sided');
      // The RST is the third packet kept (SYN, SYN, RST).
      expect(v.details['resetOfSynAck']).toBe(3);
      expect(v.evidence.map((e) => e.frame)).toEqual([1, 3]);
    });
  }

  it('a reset after the SYN that carries the ISN itself (crafted: Zeek\'s syn-then-rst) answers nothing: the SYN stays unanswered', async () => {
    const cap = new Capture();
    const t0 = 1_700_000_000;
    const at = (dt: number, flags: string, seq: number): void => cap.add(t0 + dt, ethIp(tcpIp({ src: CLIENT, dst: SERVER, sport: 40000, dport: 80, seq, flags })));
    at(0, 'S', 5000);
    at(1, 'S', 5000);
    at(3, 'S', 5000);
    at(8, 'R', 5000);
    // Something else in the capture, both ways, so that it is not a SYN-only capture.
    cap.add(t0 + 9, ethIp(udpIp({ src: CLIENT, dst: '198.51.100.53', sport: 40001, dport: 9 }, new Uint8Array(4))));
    const r = await report(cap);
    const v = r.verdicts.find((x) => x.target.ip === SERVER)!;
    expect(v.cause).toBe('tcp.syn_unanswered');
    expect(v.severity).toBe('error');
    expect(v.details['resetOfSynAck']).toBeUndefined();
  });
});

describe('"fragmentation needed" on an upload that worked (pmtu-upload-frag-needed-ok.pcap)', () => {
  const CLIENT = '192.0.2.10';
  const SERVER = '203.0.113.31';
  const ROUTER = '192.0.2.1';

  it('the whole capture: it worked, the path MTU in its details (as before)', async () => {
    const r = (await filtered('pmtu-upload-frag-needed-ok.pcap', () => true))!;
    expect(fails(r)).toEqual([]);
    expect(r.verdicts.filter((v) => v.severity !== 'ok')).toEqual([]);
  });

  for (const [what, keep] of [
    ["the client's packets and the ICMP errors (`src host C or icmp`)", (p: Seen) => p.src === CLIENT || ICMP(p)],
    ['the packets sent to the server and the ICMP errors', (p: Seen) => p.dst === SERVER || ICMP(p)],
  ] as const) {
    it(`${what}: one-sided, no failure`, async () => {
      const r = (await filtered('pmtu-upload-frag-needed-ok.pcap', keep))!;
      expect(fails(r)).toEqual([]);
      expect(r.verdicts.find((v) => v.target.ip === SERVER)?.cause).toBe('capture.one_sided');
    });
  }

  it("the router's ICMP errors alone: a warning that the capture cannot show whether the sender acted on them", async () => {
    const r = (await filtered('pmtu-upload-frag-needed-ok.pcap', (p) => p.src === ROUTER && ICMP(p)))!;
    expect(fails(r)).toEqual([]);
    const v = r.verdicts.find((x) => x.cause === 'icmp.frag_needed')!;
    expect(v.severity).toBe('warning');
    expect(v.limits.map((l) => l.kind)).toContain('icmp_pmtu_unseen');
  });

  it('cut right after the ICMP error (before the smaller packets could be acknowledged): a warning, at every cut up to the acknowledgement', async () => {
    const all = await packets('pmtu-upload-frag-needed-ok.pcap');
    const icmp = all.findIndex((p) => ICMP(p) && p.src === ROUTER);
    expect(icmp).toBeGreaterThan(0);
    let cuts = 0;
    for (let k = icmp + 1; k <= icmp + 4; k++) {
      const r = (await filtered('pmtu-upload-frag-needed-ok.pcap', (_p, i) => i <= k))!;
      expect(fails(r), `first ${k} packets`).toEqual([]);
      const v = r.verdicts.find((x) => x.cause === 'icmp.frag_needed');
      if (v !== undefined) {
        expect(v.severity).toBe('warning');
        expect(v.limits.map((l) => l.kind)).toContain('icmp_pmtu_too_soon');
        cuts++;
      }
    }
    expect(cuts).toBeGreaterThan(0);
  });

  it('cut after the server acknowledged the refused data (sent again smaller), the rest still in flight: path MTU discovery worked, no frag_needed', async () => {
    const all = await packets('pmtu-upload-frag-needed-ok.pcap');
    const icmp = all.findIndex((p) => ICMP(p) && p.quotedSeq >= 0);
    const seq = all[icmp]!.quotedSeq;
    const acked = all.findIndex((p, i) => i > icmp && p.src === SERVER && p.proto === 6 && ((p.ack - seq) | 0) > 0);
    expect(acked).toBeGreaterThan(icmp);
    let cuts = 0;
    for (let k = acked + 1; k < all.length; k++) {
      const r = (await filtered('pmtu-upload-frag-needed-ok.pcap', (_p, i) => i <= k))!;
      expect(fails(r), `first ${k}`).toEqual([]);
      expect(r.verdicts.filter((v) => v.cause === 'icmp.frag_needed').map((v) => v.severity), `first ${k}`).toEqual([]);
      cuts++;
    }
    expect(cuts).toBeGreaterThan(3);
  });

  it('the same packet refused twice with nothing of its flow in the capture: the sender did not make it smaller, a failure', async () => {
    const cap = new Capture();
    const t0 = 1_700_000_000;
    // The big segment as quoted (DF, 1448 bytes of payload); the router's error sent twice, 1 s apart.
    const big = tcpIp({ src: CLIENT, dst: SERVER, sport: 40000, dport: 80, seq: 1000, ack: 1, flags: 'PA' }, new Uint8Array(1448));
    for (const dt of [0, 1]) cap.add(t0 + dt, ethIp(icmpIp({ src: ROUTER, dst: CLIENT, type: 3, code: 4, rest: 1400 }, quote(big))));
    const r = await report(cap);
    const v = r.verdicts.find((x) => x.cause === 'icmp.frag_needed')!;
    expect(v.severity).toBe('error');
  });
});

describe('a traceroute cut short (traceroute-udp.pcap)', () => {
  it('the whole capture: one traceroute, no failure (as before)', async () => {
    const r = await filtered('traceroute-udp.pcap', () => true);
    expect(fails(r)).toEqual([]);
  });

  it('its first packets, or its last: still no failure, whatever the cut', async () => {
    const n = (await packets('traceroute-udp.pcap')).length;
    let seen = 0;
    for (let k = 1; k < n; k++) {
      const head = await filtered('traceroute-udp.pcap', (_p, i) => i <= k, true);
      const tail = await filtered('traceroute-udp.pcap', (_p, i) => i > k, true);
      expect(fails(head), `first ${k}`).toEqual([]);
      expect(fails(tail), `after ${k}`).toEqual([]);
      for (const r of [head, tail]) if (r?.verdicts.some((v) => v.details['traceroute'] !== undefined)) seen++;
    }
    // Most cuts still hold the traceroute, told as one.
    expect(seen).toBeGreaterThan(n);
  });
});

describe('a capture that stops right after a SYN-ACK', () => {
  const files = ['http-404.pcap', 'https-ok-tls13.pcap', 'https-redirect-ok.pcap', 'tcp-reset-injected-sni.pcap', 'multi-failure.pcap', 'ftp-too-many-users.pcap', 'tcp-health-check-reset.pcap'];

  it('every sample cut after each of its SYN-ACKs: no handshake_incomplete for it, the capture ended too soon to tell', async () => {
    let cuts = 0;
    let told = 0;
    for (const f of files) {
      const all = await packets(f);
      for (let k = 1; k <= all.length; k++) {
        const p = all[k - 1]!;
        if (p.proto !== 6 || (p.tcpFlags & 0x17) !== SYN_ACK) continue;
        const r = (await filtered(f, (_q, i) => i <= k))!;
        expect(r.verdicts.filter((x) => x.cause === 'tcp.handshake_incomplete').map((x) => x.severity), `${f} first ${k}`).toEqual([]);
        // Its own verdict, unless an earlier connection to the target worked (the group tells that).
        const v = r.verdicts.find((x) => x.target.ip === p.src && x.evidence.some((e) => e.frame === k));
        if (v !== undefined) {
          expect(v.cause, `${f} first ${k}`).toBe('capture.ended_early');
          expect(v.details['lastSent']).toBe('SYN-ACK');
          expect(v.severity).toBe('warning');
          told++;
        }
        cuts++;
      }
    }
    expect(cuts).toBeGreaterThanOrEqual(files.length);
    expect(told).toBeGreaterThanOrEqual(files.length - 2);
  });

  it('a SYN-ACK sent again (the server never had the ACK): the failure stands', async () => {
    const cap = new Capture();
    const t0 = 1_700_000_000;
    const C = '192.0.2.10';
    const S = '203.0.113.20';
    cap.add(t0, ethIp(tcpIp({ src: C, dst: S, sport: 40000, dport: 80, seq: 100, flags: 'S' })));
    cap.add(t0 + 0.001, ethIp(tcpIp({ src: S, dst: C, sport: 80, dport: 40000, seq: 900, ack: 101, flags: 'SA' })));
    cap.add(t0 + 1.001, ethIp(tcpIp({ src: S, dst: C, sport: 80, dport: 40000, seq: 900, ack: 101, flags: 'SA' })));
    cap.add(t0 + 1.2, ethIp(udpIp({ src: C, dst: '198.51.100.53', sport: 40001, dport: 9 }, new Uint8Array(4))));
    const r = await report(cap);
    const v = r.verdicts.find((x) => x.target.ip === S)!;
    expect(v.cause).toBe('tcp.handshake_incomplete');
    expect(v.severity).toBe('error');
  });
});

describe('a DNS answer the capture lost', () => {
  const DNS = '198.51.100.53';
  /** The sample without the first packet the DNS server sent. */
  const withoutAnswer = async (file: string): Promise<Report> => {
    const all = await packets(file);
    const answer = all.findIndex((p) => p.src === DNS) + 1;
    expect(answer).toBeGreaterThan(0);
    return (await filtered(file, (_p, i) => i !== answer))!;
  };

  for (const [file, how] of [['https-no-response.pcap', 'TLS SNI'], ['http-body-stalled.pcap', 'HTTP Host']] as const) {
    it(`${file}: the client then connected by the name (${how}): no DNS failure, a warning that says it had the address`, async () => {
      const whole = (await filtered(file, () => true))!;
      const r = await withoutAnswer(file);
      expect(fails(r)).toEqual(fails(whole));
      const v = r.verdicts.find((x) => x.cause === 'dns.no_response')!;
      expect(v.severity).toBe('warning');
      expect(v.details['connectedByName']).toBe(true);
    });
  }

  it('tcp-syn-dropped.pcap: the client connected by address only (no SNI, no Host): nothing ties it to the name, the silence stays a failure', async () => {
    const r = await withoutAnswer('tcp-syn-dropped.pcap');
    const v = r.verdicts.find((x) => x.cause === 'dns.no_response')!;
    expect(v.severity).toBe('error');
    expect(v.details['connectedByName']).toBeUndefined();
  });
});

describe('a certificate at the end of a capture (tls-cert-expired.pcap: the server sends an expired certificate, the client answers with an alert)', () => {
  it('the whole capture: the client refused it with an alert (as before)', async () => {
    const r = (await filtered('tls-cert-expired.pcap', () => true))!;
    expect(fails(r)).toEqual(['tls.alert 203.0.113.15:443']);
  });

  it('cut after the certificate, before the client answered: a warning that says the capture cannot show whether it refused', async () => {
    const all = await packets('tls-cert-expired.pcap');
    // The certificate is in the 8th packet, the alert in the 10th.
    expect(all.length).toBeGreaterThanOrEqual(10);
    for (const k of [8, 9]) {
      const r = (await filtered('tls-cert-expired.pcap', (_p, i) => i <= k))!;
      expect(fails(r), `first ${k}`).toEqual([]);
      const v = r.verdicts.find((x) => x.cause === 'tls.cert_expired')!;
      expect(v.severity).toBe('warning');
      expect(v.limits.map((l) => l.kind)).toContain('cert_too_soon');
    }
  });

  it("the same cut with the client's reset after it (the alert not captured): the client closed, a failure", async () => {
    const r = (await filtered('tls-cert-expired.pcap', (_p, i) => i <= 9 || i === 12))!;
    const v = r.verdicts.find((x) => x.cause === 'tls.cert_expired')!;
    expect(v.severity).toBe('error');
    expect(v.details['capturedAfterSeconds']).toBeUndefined();
  });
});

describe('an AAAA the resolver did not answer, beside a connection over IPv4 (built)', () => {
  it('stays a failure: the address came from an A, the AAAA silence is the resolver\'s', async () => {
    const cap = new Capture();
    const t0 = 1_700_000_000;
    const C = '192.0.2.10';
    const R = '198.51.100.53';
    const S = '203.0.113.20';
    // The AAAA asked twice 1 s apart, never answered; the client connects over IPv4 by the name (Host).
    for (const dt of [0, 1]) cap.add(t0 + dt, ethIp(udpIp({ src: C, dst: R, sport: 40300, dport: 53 }, dnsMessage({ id: 9, rd: true, questions: [{ name: 'app.example.org', type: 'AAAA' }] }))));
    const c = new TcpConversation({ client: [C, 41000], server: [S, 80], start: t0 + 1.5 });
    c.syn();
    c.synAck();
    c.ack('client');
    c.send('client', ascii('GET / HTTP/1.1\r\nHost: app.example.org\r\n\r\n'));
    c.send('server', ascii('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    c.fin('client');
    c.fin('server');
    c.ack('client');
    for (const f of c.frames) cap.add(f.ts, f.frame);
    cap.add(t0 + 20, ethIp(udpIp({ src: R, dst: C, sport: 53, dport: 40301 }, new Uint8Array(4))));
    const r = await report(cap);
    const v = r.verdicts.find((x) => x.cause === 'dns.no_response')!;
    expect(v.severity).toBe('error');
    expect(v.details['connectedByName']).toBeUndefined();
  });
});

describe("a TLS handshake the capture's end cut after the server's hello (https-ok-tls13.pcap, https-ok-tls12.pcapng)", () => {
  for (const file of ['https-ok-tls13.pcap', 'https-ok-tls12.pcapng']) {
    it(`${file}: cut after the server's flight, too soon to tell (it read "worked"); whole, it worked`, async () => {
      const all = await packets(file);
      // The first packet the server pushed data in: its hello.
      const hello = all.findIndex((p) => p.proto === 6 && p.src.startsWith('203.0.113.') && (p.tcpFlags & 0x08) !== 0) + 1;
      expect(hello).toBeGreaterThan(0);
      const r = (await filtered(file, (_p, i) => i <= hello, true))!;
      const v = r.verdicts.find((x) => x.target.ip?.startsWith('203.0.113.') && x.target.transport === 'tcp')!;
      expect([v.cause, v.severity, v.details['lastSent']]).toEqual(['capture.ended_early', 'warning', 'ServerHello']);
      const whole = (await filtered(file, () => true, true))!;
      expect(whole.verdicts.find((x) => x.target.ip?.startsWith('203.0.113.') && x.target.transport === 'tcp')?.cause).toBe('ok');
    });
  }
});
