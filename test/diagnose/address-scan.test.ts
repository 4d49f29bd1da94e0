/**
 * Horizontal sweeps (tcp.address_scan): one client's raw SYNs to the same port of many hosts from
 * one source port are one warning; a program failing against many hosts (a port per connection: a
 * connect sweep, a crawler, a P2P client), a sweep too small or too slow, and a program's attempt
 * beside a sweep keep their verdicts. Real nmap captures (test/fixtures/scans, made by make.sh there;
 * counts checked with tshark: README.md) and captures built packet by packet.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openCapture, openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report, Verdict } from '../../src/report/model.js';
import { renderReport } from '../../src/report/render.js';
import { TcpConversation, Capture, ethIp, udpIp } from '../helpers/index.js';
import { REPO } from '../tshark-fixture.js';

const DIR = join(REPO, 'test/fixtures/scans');
const SCANNER = '192.0.2.66';
const T0 = 1_700_000_000;

const errors = (r: Report): Verdict[] => r.verdicts.filter((v) => v.severity === 'error');
const sweeps = (r: Report): Verdict[] => r.verdicts.filter((v) => v.cause === 'tcp.address_scan');

interface Details {
  hostsProbed: number;
  hostsAtMost?: boolean;
  pings?: { hosts: number; requests: number };
  hosts: string[];
  ports: number[];
  open: number;
  closed: number;
  unanswered: number;
  spanSeconds: number;
  sourcePort: { port: number; hosts: number; probes: number };
  ackProbes?: { probes: number; answered: number; ports: number[] };
}

async function file(name: string): Promise<Report> {
  return analyze(await openCapture(join(DIR, name)), {});
}

/** The verdicts' explanations as the JSON report has them (English). */
const explanations = (r: Report): string[] => (JSON.parse(renderReport(r, 'json', { lang: 'en' })) as { verdicts: Array<{ explanation: string }> }).verdicts.map((v) => v.explanation);

async function run(cap: Capture): Promise<Report> {
  const bytes = cap.pcap({ linkType: 1 });
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), {});
}

const host = (i: number): string => `198.51.${100 + (i >> 8)}.${i & 255}`;

/** A probe of host `i` on `port` from `sport` at `t`: refused (RST) when `closed`, else unanswered. */
function probe(cap: Capture, i: number, port: number, sport: number, t: number, closed: boolean, client = SCANNER): void {
  const c = new TcpConversation({ client: [client, sport], server: [host(i), port], start: t, step: 0.0005 });
  c.syn({ win: 1024 });
  if (closed) c.rst('server');
  cap.addAll(c.frames);
}

function goOn(cap: Capture, t: number): void {
  cap.add(T0 + t, ethIp(udpIp({ src: '192.0.2.10', dst: '198.51.100.53', sport: 40000, dport: 9 }, new Uint8Array(8))));
}

describe('a sweep of many hosts is one warning (real nmap captures)', () => {
  it('nmap -sS -p 445 of a /26 beside curl: one warning with its counts; curl\'s two refusals stay failures', async () => {
    const r = await file('nmap-sS-sweep-445-beside-curl.pcap');
    const s = sweeps(r);
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ severity: 'warning', layer: 'tcp', client: { ip: SCANNER }, target: { ip: '198.51.100.1', port: 445 } });
    const d = s[0]!.details as unknown as Details;
    // tshark: SYNs from 53029 and 53031 to 64 hosts; RST from 198.51.100.1-12; no SYN-ACK.
    expect([d.hostsProbed, d.open, d.closed, d.unanswered]).toEqual([64, 0, 12, 52]);
    expect(d.ports).toEqual([445]);
    expect(d.sourcePort.port).toBe(53029);
    expect(d.hosts.slice(0, 3)).toEqual(['198.51.100.1', '198.51.100.2', '198.51.100.3']);
    // curl, from ports of its own: 198.51.100.3:445 and 198.51.100.5:8088 refused.
    expect(errors(r).map((v) => [v.cause, v.target.ip, v.target.port])).toEqual([
      ['tcp.refused', '198.51.100.3', 445],
      ['tcp.refused', '198.51.100.5', 8088],
    ]);
    const en = JSON.parse(renderReport(r, 'json', { lang: 'en' })) as { verdicts: Array<{ cause: string; summary: string }> };
    expect(en.verdicts.find((v) => v.cause === 'tcp.address_scan')!.summary).toBe(`198.51.100.1:445 and 63 other hosts, swept by ${SCANNER} (port 445, ${d.spanSeconds} s): 0 open, 12 closed (RST), 52 silent`);
    const zh = JSON.parse(renderReport(r, 'json', { lang: 'zh' })) as { verdicts: Array<{ cause: string; summary: string }> };
    expect(zh.verdicts.find((v) => v.cause === 'tcp.address_scan')!.summary).toBe(`198.51.100.1:445 及另外 63 台主机：被 ${SCANNER} 扫描（端口 445，${d.spanSeconds} 秒）；0 台开放（SYN-ACK），12 台关闭（RST），52 台无应答`);
  });

  it('nmap -sn\'s SYN to 443 of a /26 is one warning, no failure', async () => {
    const r = await file('nmap-sn-sweep.pcap');
    expect(errors(r)).toEqual([]);
    const d = sweeps(r)[0]!.details as unknown as Details;
    expect([d.hostsProbed, d.open, d.closed, d.unanswered]).toEqual([52, 0, 0, 52]);
    expect(d.ports).toEqual([443]);
    // Its ACKs to port 80 (tshark: 104, from the SYNs' source ports 41778 and 41780, none answered)
    // are the sweep's host discovery, not 52 connections caught in one direction.
    expect(r.verdicts.map((v) => v.cause)).toEqual(['tcp.address_scan']);
    expect(d.ackProbes).toEqual({ probes: 104, answered: 0, ports: [80] });
    expect(explanations(r)).toEqual([expect.stringContaining('104 bare ACK probes to port 80 from the same source port')]);
    // Its pings (tshark: 117 echo requests to 64 hosts; the 12 hosts up answered, 52 never did, two
    // each) are host discovery too: counted with the sweep, not 52 icmp.echo_unanswered warnings.
    expect(d.pings).toEqual({ hosts: 52, requests: 104 });
    expect(explanations(r)).toEqual([expect.stringContaining('52 hosts of the sweep got 104 pings (ICMP echo requests, part of host discovery) and answered none')]);
  });

  it('nmap -sT (a connect sweep: a source port per probe, as a program\'s) is left to its per-host verdicts', async () => {
    const r = await file('nmap-sT-sweep-445.pcap');
    expect(sweeps(r)).toEqual([]);
    // The 12 hosts up refused 445: each stays a failure, as for any client.
    expect(errors(r).map((v) => v.cause)).toEqual(Array(12).fill('tcp.refused'));
  });
});

/** A bare ACK of host `i` on `port` from `sport` at `t` (host discovery: nmap -PA), answered by a RST when `up`. */
function ackProbe(cap: Capture, i: number, port: number, sport: number, t: number, up: boolean, client = SCANNER): void {
  const c = new TcpConversation({ client: [client, sport], server: [host(i), port], start: t, step: 0.0005 });
  c.raw('client', { seq: 0, ack: 0x1234567, flags: 'A' });
  if (up) c.raw('server', { seq: 0x1234567, flags: 'R' });
  cap.addAll(c.frames);
}

describe('a sweep\'s bare ACK probes (host discovery) are the sweep\'s', () => {
  it('ACKs from the sweep\'s source port, some answered by RST, are counted in its one warning', async () => {
    const cap = new Capture();
    for (let i = 1; i <= 30; i++) {
      probe(cap, i, 443, 41000, T0 + i * 0.01, false);
      ackProbe(cap, i, 80, 41000, T0 + i * 0.01 + 0.001, i <= 4);
    }
    goOn(cap, 120);
    const r = await run(cap);
    expect(r.verdicts.map((v) => v.cause)).toEqual(['tcp.address_scan']);
    expect((sweeps(r)[0]!.details as unknown as Details).ackProbes).toEqual({ probes: 30, answered: 4, ports: [80] });
  });

  it('ACKs from another source port than the sweep\'s keep their own verdicts', async () => {
    const cap = new Capture();
    for (let i = 1; i <= 30; i++) probe(cap, i, 443, 41000, T0 + i * 0.01, false);
    for (let i = 1; i <= 3; i++) ackProbe(cap, i, 80, 50000 + i, T0 + 1 + i * 0.01, false);
    goOn(cap, 120);
    const r = await run(cap);
    expect(sweeps(r)).toHaveLength(1);
    expect((sweeps(r)[0]!.details as unknown as Details).ackProbes).toBeUndefined();
    expect(r.verdicts.filter((v) => v.cause === 'capture.one_sided').map((v) => v.target.ip)).toEqual([host(1), host(2), host(3)]);
  });

  it('a lone ACK with no sweep beside it (a capture that began as a connection ended) stays capture.one_sided', async () => {
    const cap = new Capture();
    ackProbe(cap, 7, 80, 41000, T0, false);
    goOn(cap, 120);
    const r = await run(cap);
    expect(r.verdicts.map((v) => v.cause)).toEqual(['capture.one_sided']);
    // One packet, said as one.
    expect(explanations(r)).toEqual([expect.stringMatching(/^The capture holds 1 packet of this connection/)]);
  });
});

describe('what is not a sweep keeps its verdicts (built)', () => {
  it('a client failing against 40 hosts from a port per connection (a crawler, a P2P client) is no sweep', async () => {
    const cap = new Capture();
    for (let i = 1; i <= 40; i++) probe(cap, i, 6346, 40000 + i, T0 + i * 0.5, i % 2 === 0);
    goOn(cap, 120);
    const r = await run(cap);
    expect(sweeps(r)).toEqual([]);
    expect(errors(r)).toHaveLength(40);
  });

  it('24 hosts from one source port are too few, 25 are a sweep; 25 spread over more than 300 s are none', async () => {
    const few = new Capture();
    for (let i = 1; i <= 24; i++) probe(few, i, 445, 53029, T0 + i * 0.01, true);
    goOn(few, 60);
    const f = await run(few);
    expect(sweeps(f)).toEqual([]);
    expect(errors(f)).toHaveLength(24);
    const enough = new Capture();
    for (let i = 1; i <= 25; i++) probe(enough, i, 445, 53029, T0 + i * 0.01, true);
    goOn(enough, 60);
    const e = await run(enough);
    expect(errors(e)).toEqual([]);
    expect((sweeps(e)[0]!.details as unknown as Details).hostsProbed).toBe(25);
    const slow = new Capture();
    for (let i = 1; i <= 25; i++) probe(slow, i, 445, 53029, T0 + i * 13, true);
    goOn(slow, 400);
    const s = await run(slow);
    expect(sweeps(s)).toEqual([]);
    expect(errors(s)).toHaveLength(25);
  });

  it('a sweep of 5,000 hosts is told apart up to the bound and counted past it (hostsAtMost)', async () => {
    const cap = new Capture();
    for (let i = 1; i <= 5000; i++) probe(cap, i, 22, 61000, T0 + i * 0.001, false);
    goOn(cap, 60);
    const r = await run(cap);
    expect(errors(r)).toEqual([]);
    expect(r.verdicts.map((v) => v.cause)).toEqual(['tcp.address_scan']);
    const d = sweeps(r)[0]!.details as unknown as Details;
    expect(d.hostsProbed).toBe(5000);
    expect(d.hostsAtMost).toBe(true);
    expect(d.hosts).toHaveLength(10);
  });
});
