/**
 * A verdict's evidence is a list of frames an operator looks up in Wireshark: they must be in
 * frame order and exist in the capture, and a verdict told for several ports of one host
 * (aggregate.ts) shows each port it shows with its proof (the SYN with the RST, ICMP error or last
 * retransmission that proves the failure), saying how many ports it leaves out.
 *
 * Checked on captures built here (always), on every sample, and on every capture under
 * ../shared/captures (MANIFEST.json and field/) when that folder is there.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openCapture, openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { verdictWords } from '../../src/report/words.js';
import { SAMPLES, SHARED } from '../tshark-fixture.js';
import { Capture, ICMP, LINKTYPE, TcpConversation, ascii, dnsMessage, ethIp, icmpIp, quote, udpIp } from '../helpers/index.js';

/** What is wrong with the evidence of a report's verdicts (none: an empty list). */
function evidenceProblems(r: Report): string[] {
  const out: string[] = [];
  const n = r.capture.packets;
  for (const v of r.verdicts) {
    const frames = v.evidence.map((e) => e.frame);
    const who = `${v.cause} ${v.target.name ?? v.target.ip}:${v.target.port ?? '*'}`;
    for (let i = 1; i < frames.length; i++) {
      if (frames[i]! < frames[i - 1]!) {
        out.push(`${who}: frames out of order ${frames.join(',')}`);
        break;
      }
    }
    const missing = frames.filter((f) => !Number.isInteger(f) || f < 1 || f > n);
    if (missing.length > 0) out.push(`${who}: frames not in the capture (${n} packets): ${missing.join(',')}`);
    // Several ports told at once: every attempt shown comes with its answer.
    if (v.details['ports'] !== undefined) {
      const kinds = v.evidence.map((e) => e.kind);
      const count = (k: string): number => kinds.filter((x) => x === k).length;
      if (v.cause === 'tcp.refused' && count('syn') !== count('rst_to_syn')) out.push(`${who}: ${count('syn')} SYNs, ${count('rst_to_syn')} RSTs answering them`);
      if (v.cause.startsWith('icmp.') && kinds.some((k) => k !== 'icmp') && count('icmp') !== kinds.length - count('icmp')) {
        out.push(`${who}: ${kinds.length - count('icmp')} packets, ${count('icmp')} ICMP errors quoting them`);
      }
    }
  }
  return out;
}

async function run(bytes: Uint8Array): Promise<Report> {
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all: true, maxVerdicts: 0 });
}

const T0 = 1_750_000_000;
const CLIENT = '192.0.2.10';
const HOST = '203.0.113.65';

/** A refused attempt: the SYN at `syn`, the RST at `rst` (seconds after T0). */
function refused(cap: Capture, port: number, sport: number, syn: number, rst: number): void {
  const c = new TcpConversation({ client: [CLIENT, sport], server: [HOST, port], start: T0 + syn });
  c.syn();
  c.at(T0 + rst);
  c.rst('server');
  cap.addAll(c.frames);
}

/** The capture's frame numbers (1-based, time order) of the packets added at these times (s after T0). */
const frameAt = (cap: Capture, ...times: number[]): number[] => {
  const sorted = cap.sorted();
  return times.map((t) => sorted.findIndex((x) => Math.abs(Number(x.ts) - (T0 + t)) < 1e-7) + 1);
};

describe('evidence of a host told once for several ports', () => {
  it('refused on two ports, the RSTs after both SYNs (as zeek/nmap-vsn.pcap): every SYN with its RST, in frame order', async () => {
    const cap = new Capture();
    refused(cap, 80, 58113, 0.603, 0.811);
    refused(cap, 80, 58588, 1.7036, 1.9365);
    refused(cap, 443, 58604, 1.7042, 1.9378);
    refused(cap, 443, 58680, 1.8047, 1.938);
    const r = await run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
    expect(evidenceProblems(r)).toEqual([]);
    const host = r.verdicts.filter((v) => v.target.ip === HOST);
    expect(host.map((v) => [v.cause, v.details['ports']])).toEqual([['tcp.refused', { count: 2, examples: [80, 443], first: 80 }]]);
    const v = host[0]!;
    // Each port's telling (latest) attempt: its SYN and the RST that answers it.
    expect(v.evidence.map((e) => [e.frame, e.kind])).toEqual([
      [frameAt(cap, 1.7036)[0], 'syn'], [frameAt(cap, 1.8047)[0], 'syn'],
      [frameAt(cap, 1.9365)[0], 'rst_to_syn'], [frameAt(cap, 1.938)[0], 'rst_to_syn'],
    ]);
    // The ports' packets interleave: each note says which port it is about.
    expect(verdictWords(v, 'en').notes).toEqual(['port 80: SYN', 'port 443: SYN', 'port 80: RST in reply to the SYN', 'port 443: RST in reply to the SYN']);
    expect(verdictWords(v, 'zh').notes).toEqual(['端口 80：SYN', '端口 443：SYN', '端口 80：回应 SYN 的 RST', '端口 443：回应 SYN 的 RST']);
    expect(verdictWords(v, 'en').explanation).not.toMatch(/left out/);
  });

  it('unanswered on two ports, SYNs sent again: each port from its first SYN to its last', async () => {
    const cap = new Capture();
    for (const [port, off] of [[80, 0], [81, 0.5]] as const) {
      const c = new TcpConversation({ client: [CLIENT, 40000 + port], server: [HOST, port], start: T0 + off });
      c.syn();
      c.at(T0 + off + 1);
      c.syn();
      c.at(T0 + off + 3);
      c.syn();
      cap.addAll(c.frames);
    }
    // Something later, so that the capture went on long past the last SYN.
    const other = new TcpConversation({ client: [CLIENT, 50000], server: ['198.51.100.7', 80], start: T0 + 20 });
    other.syn();
    other.synAck();
    other.ack('client');
    other.fin('client');
    other.fin('server');
    other.ack('client');
    cap.addAll(other.frames);
    const r = await run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
    expect(evidenceProblems(r)).toEqual([]);
    const v = r.verdicts.find((x) => x.target.ip === HOST)!;
    expect([v.cause, v.details['ports']]).toEqual(['tcp.syn_unanswered', { count: 2, examples: [80, 81], first: 80 }]);
    // Port 80 (the words' port): its three SYNs; port 81: its first SYN and its last retransmission.
    expect(v.evidence.map((e) => e.frame)).toEqual(frameAt(cap, 0, 0.5, 1, 3, 3.5));
    expect(v.evidence.map((e) => (e.args as { retransmission: number }).retransmission)).toEqual([0, 0, 1, 2, 2]);
  });

  it('ICMP port unreachable on two UDP ports: each datagram with its error', async () => {
    const cap = new Capture();
    const dgram = (port: number): Uint8Array => udpIp({ src: CLIENT, dst: HOST, sport: 41000, dport: port }, ascii('probe'));
    const err = (port: number): Uint8Array => icmpIp({ src: HOST, dst: CLIENT, type: ICMP.DEST_UNREACH, code: ICMP.PORT_UNREACH }, quote(dgram(port)));
    cap.add(T0, ethIp(dgram(7000)));
    cap.add(T0 + 0.1, ethIp(dgram(7001)));
    cap.add(T0 + 0.2, ethIp(err(7000)));
    cap.add(T0 + 0.3, ethIp(err(7001)));
    const r = await run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
    expect(evidenceProblems(r)).toEqual([]);
    const v = r.verdicts.find((x) => x.target.ip === HOST)!;
    expect([v.cause, v.details['ports']]).toEqual(['icmp.port_unreachable', { count: 2, examples: [7000, 7001], first: 7000 }]);
    expect(v.evidence.map((e) => [e.frame, e.kind])).toEqual([[1, 'first_datagram'], [2, 'first_datagram'], [3, 'icmp'], [4, 'icmp']]);
  });

  it('many ports: whole pairs while there is room (12 packets), the ports left out counted in the words', async () => {
    const cap = new Capture();
    const N = 10;
    // Each SYN answered after the next port's SYN went out.
    for (let i = 0; i < N; i++) refused(cap, 1000 + i, 42000 + i, i * 0.1, i * 0.1 + 0.15);
    const r = await run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
    expect(evidenceProblems(r)).toEqual([]);
    const v = r.verdicts.find((x) => x.target.ip === HOST)!;
    expect(v.details['ports']).toEqual({ count: N, examples: Array.from({ length: N }, (_, i) => 1000 + i), withEvidence: 6, first: 1000 });
    const want = Array.from({ length: 6 }, (_, i) => frameAt(cap, i * 0.1, i * 0.1 + 0.15)).flat().sort((a, b) => a - b);
    expect(v.evidence.map((e) => e.frame)).toEqual(want);
    expect(v.evidence.filter((e) => e.kind === 'syn')).toHaveLength(6);
    expect(v.evidence.filter((e) => e.kind === 'rst_to_syn')).toHaveLength(6);
    expect(verdictWords(v, 'en').explanation).toContain('The evidence shows the packets of 6 of these ports; the other 4 are left out.');
    expect(verdictWords(v, 'zh').explanation).toContain('证据只列出其中 6 个端口的数据包，其余 4 个未列出。');
  });
});

describe('evidence of one target in frame order', () => {
  it('Happy Eyeballs: the IPv6 SYN sent again after the IPv4 attempt began: both attempts\' packets, interleaved by frame', async () => {
    const C6 = '2001:db8:2::10';
    const V6 = '2001:db8:203::11';
    const V4 = '203.0.113.10';
    const NAME = 'dual.example.com';
    const cap = new Capture();
    const lost = new TcpConversation({ client: [C6, 52720], server: [V6, 443], start: T0 });
    lost.syn();
    lost.at(T0 + 1);
    lost.syn();
    lost.at(T0 + 3);
    lost.syn();
    cap.addAll(lost.frames);
    const c = new TcpConversation({ client: [CLIENT, 41000], server: [V4, 443], start: T0 + 0.25, step: 0.0001 });
    c.syn();
    c.synAck();
    c.ack('client');
    c.at(T0 + 9);
    c.fin('client');
    c.fin('server');
    c.ack('client');
    cap.addAll(c.frames);
    // Both addresses are the name's (DNS answers first: one target).
    const q = (id: number, type: 'A' | 'AAAA', data: string, t: number): void => {
      const questions = [{ name: NAME, type }];
      cap.add(t, ethIp(udpIp({ src: CLIENT, dst: '198.51.100.53', sport: 40000 + id, dport: 53 }, dnsQ(id, questions, []))));
      cap.add(t + 0.0001, ethIp(udpIp({ src: '198.51.100.53', dst: CLIENT, sport: 53, dport: 40000 + id }, dnsQ(id, questions, [{ name: NAME, type, data }]))));
    };
    q(1, 'A', V4, T0 - 0.01);
    q(2, 'AAAA', V6, T0 - 0.005);
    const r = await run(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
    expect(evidenceProblems(r)).toEqual([]);
    const v = r.verdicts.find((x) => x.target.name === NAME)!;
    expect([v.cause, v.severity]).toEqual(['ok', 'warning']);
    expect(v.evidence.length).toBeGreaterThan(3);
  });
});

function dnsQ(id: number, questions: Array<{ name: string; type: 'A' | 'AAAA' }>, answers: Array<{ name: string; type: 'A' | 'AAAA'; data: string }>): Uint8Array {
  return answers.length === 0 ? dnsMessage({ id, qr: false, rd: true, questions }) : dnsMessage({ id, qr: true, rd: true, ra: true, questions, answers });
}

/** Every capture file of a folder (not recursive). */
const capturesIn = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f)).map((f) => join(dir, f)) : []);

async function problemsOf(files: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) {
    const r = await analyze(await openCapture(f), { all: true, maxVerdicts: 0 });
    for (const p of evidenceProblems(r)) out.push(`${f}: ${p}`);
  }
  return out;
}

describe('evidence in frame order, every frame in the capture', () => {
  it('every sample', async () => {
    const files = capturesIn(SAMPLES);
    expect(files.length).toBeGreaterThan(50);
    expect(await problemsOf(files)).toEqual([]);
  }, 120_000);

  const manifest = join(SHARED, 'MANIFEST.json');
  const shared: string[] = existsSync(manifest)
    ? [...new Set([...(JSON.parse(readFileSync(manifest, 'utf8')) as Array<{ path: string }>).map((m) => join(SHARED, m.path)), ...capturesIn(join(SHARED, 'field'))])]
    : [];
  it.skipIf(shared.length === 0)('every capture under ../shared/captures (MANIFEST.json and field/; skipped when that folder is absent)', async () => {
    expect(shared.length).toBeGreaterThan(80);
    expect(await problemsOf(shared.filter((f) => existsSync(f)))).toEqual([]);
  }, 300_000);
});
