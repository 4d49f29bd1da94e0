/**
 * Port scans (tcp.port_scan) built packet by packet and run through the whole pipeline and the
 * command line: a scan is one warning with its open, closed and unanswered ports (exit status 0),
 * while a client trying a few ports, ports tried too slowly, a program's own failing connection
 * beside a scan, and failing connections beside a session (passive FTP data connections) keep
 * their verdicts.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tempDir } from '../helpers/tmp.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report, Verdict } from '../../src/report/model.js';
import { renderReport } from '../../src/report/render.js';
import { TcpConversation, Capture, ethIp, udpIp, ascii } from '../helpers/index.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(REPO, 'dist/src/cli/main.js');
const SCANNER = '192.0.2.66';
const HOST = '203.0.113.10';
const T0 = 1_700_000_000;

type Answer = 'open' | 'closed' | 'silent';

/** One raw probe (nmap -sS): a SYN with a small window; open: SYN-ACK then the scanner's kernel RST; closed: RST|ACK. */
function probe(cap: Capture, port: number, sport: number, t: number, answer: Answer, client = SCANNER): void {
  const c = new TcpConversation({ client: [client, sport], server: [HOST, port], start: t, clientIsn: 0x5ca11, step: 0.0005 });
  c.syn({ win: 1024 });
  if (answer === 'open') {
    c.synAck();
    c.raw('client', { seq: 0x5ca11 + 1, flags: 'R', win: 0 });
  } else if (answer === 'closed') c.rst('server');
  cap.addAll(c.frames);
}

/** A program's connection attempt: its own source port, its SYN sent again at 1 s and 3 s (Linux), never answered. */
function backedOff(cap: Capture, port: number, sport: number, t: number, client = SCANNER): void {
  const c = new TcpConversation({ client: [client, sport], server: [HOST, port], start: t });
  c.syn();
  c.at(t + 1).syn();
  c.at(t + 3).syn();
  cap.addAll(c.frames);
}

/** The capture goes on (a packet `t` seconds after the start), so that silences are judged. */
function goOn(cap: Capture, t: number): void {
  cap.add(T0 + t, ethIp(udpIp({ src: '192.0.2.10', dst: '198.51.100.53', sport: 40000, dport: 9 }, new Uint8Array(8))));
}

/** `ports` probed from one source port, 20 ms apart, answering as `answer(port)` says. */
function nmap(cap: Capture, ports: readonly number[], answer: (p: number) => Answer, from = 0, gap = 0.02, sport = 50000): void {
  ports.forEach((p, i) => probe(cap, p, sport, T0 + from + i * gap, answer(p)));
}

const range = (a: number, n: number): number[] => Array.from({ length: n }, (_, i) => a + i);

async function run(cap: Capture, all = false): Promise<Report> {
  const bytes = cap.pcap({ linkType: 1 });
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), { all });
}

function exitStatus(cap: Capture): number | null {
  const f = join(tempDir('ww-scan-'), 'scan.pcap');
  writeFileSync(f, cap.pcap({ linkType: 1 }));
  return spawnSync(process.execPath, [BIN, 'analyze', f, '--format', 'json'], { encoding: 'utf8' }).status;
}

const scans = (r: Report): Verdict[] => r.verdicts.filter((v) => v.cause === 'tcp.port_scan');
const errors = (r: Report): Verdict[] => r.verdicts.filter((v) => v.severity === 'error');

interface ScanDetails {
  portsProbed: number;
  probes: number;
  open: { count: number; ports: number[] };
  closed: { count: number; ports: number[] };
  unanswered: { count: number; ports: number[] };
  spanSeconds: number;
  sourcePortReused: boolean;
  sourcePort?: { port: number; ports: number; probes: number };
}

const OPEN = new Set([22, 80, 443]);
const CLOSED = new Set([25, 113]);
const answerOf = (p: number): Answer => (OPEN.has(p) ? 'open' : CLOSED.has(p) ? 'closed' : 'silent');
/** 40 ports: 3 open, 2 closed, 35 filtered. */
const PORTS = [22, 25, 80, 113, 443, ...range(1000, 35)];

describe('a port scan is one warning', () => {
  it('an nmap-style SYN scan: open, closed and filtered ports told once, no failure, exit status 0', async () => {
    const cap = new Capture();
    nmap(cap, PORTS, answerOf);
    goOn(cap, 60);
    const r = await run(cap);
    expect(errors(r)).toEqual([]);
    expect(r.verdicts).toHaveLength(1);
    const v = r.verdicts[0]!;
    expect(v).toMatchObject({ cause: 'tcp.port_scan', layer: 'tcp', severity: 'warning', target: { name: null, ip: HOST, port: null, transport: 'tcp' }, client: { ip: SCANNER } });
    const d = v.details as unknown as ScanDetails;
    expect(d.portsProbed).toBe(40);
    expect(d.probes).toBe(40);
    expect(d.open).toEqual({ count: 3, ports: [22, 80, 443] });
    expect(d.closed).toEqual({ count: 2, ports: [25, 113] });
    expect(d.unanswered.count).toBe(35);
    expect(d.unanswered.ports).toEqual(range(1000, 20));
    expect(d.spanSeconds).toBe(0.8);
    expect(d.sourcePortReused).toBe(true);
    expect(d.sourcePort).toEqual({ port: 50000, ports: 40, probes: 40 });
    // Evidence: the first probe, the first open and closed answers, the last probe, in frame order.
    expect(v.evidence.map((e) => [e.kind, e.args['port']])).toEqual([['scan_probe', 22], ['scan_open', 22], ['scan_closed', 25], ['scan_probe', 1034]]);
    expect(v.evidence.map((e) => e.frame)).toEqual([1, 2, 5, 48]); // 3 packets per open port, 2 per closed, 1 per filtered
    expect(r.summary!).toMatchObject({ failures: 0, warnings: 1 });
    expect(r.summary!.byCause).toEqual([expect.objectContaining({ cause: 'tcp.port_scan', severity: 'warning', targets: 1, clients: 1 })]);
    expect(exitStatus(cap)).toBe(0);
    // The words, in both languages.
    const en = JSON.parse(renderReport(r, 'json', { lang: 'en' })) as { verdicts: Array<{ summary: string; advice: string[] }> };
    expect(en.verdicts[0]!.summary).toBe(`${HOST}: a port scan from ${SCANNER}: 40 ports probed in 0.8 s; open 22, 80, 443 (SYN-ACK); closed 25, 113 (RST); 35 no answer (filtered)`);
    expect(en.verdicts[0]!.advice[1]).toContain('22, 80, 443');
    const zh = JSON.parse(renderReport(r, 'json', { lang: 'zh' })) as { verdicts: Array<{ summary: string }> };
    expect(zh.verdicts[0]!.summary).toBe(`${HOST}：来自 ${SCANNER} 的端口扫描：0.8 秒内探测了 40 个端口；开放 22, 80, 443（SYN-ACK）；关闭 25, 113（RST）；35 个无应答（被过滤）`);
  });

  it('without the scan rule the same capture is failures (the test is not vacuous)', async () => {
    // The same probes from 14 ports, one short of a scan: every port is told as before.
    const cap = new Capture();
    nmap(cap, PORTS.slice(0, 14), answerOf);
    goOn(cap, 60);
    const r = await run(cap);
    expect(scans(r)).toEqual([]);
    expect(new Set(errors(r).map((v) => v.cause))).toEqual(new Set(['tcp.syn_unanswered', 'tcp.refused']));
    expect(exitStatus(cap)).toBe(1);
  });

  it('a connect scan (each probe from a port of its own, the open ports connected to and closed) is a scan too', async () => {
    const cap = new Capture();
    range(1, 30).forEach((p, i) => {
      const c = new TcpConversation({ client: [SCANNER, 41000 + i * 7], server: [HOST, p], start: T0 + i * 0.01 });
      c.syn();
      if (p === 22) {
        c.synAck();
        c.ack('client');
        c.fin('client');
        c.fin('server');
        c.ack('client');
      } else c.rst('server');
      cap.addAll(c.frames);
    });
    goOn(cap, 60);
    const r = await run(cap);
    expect(errors(r)).toEqual([]);
    const d = scans(r)[0]!.details as unknown as ScanDetails;
    expect([d.portsProbed, d.open.count, d.closed.count, d.unanswered.count]).toEqual([30, 1, 29, 0]);
    expect(d.open.ports).toEqual([22]);
    expect(d.sourcePortReused).toBe(false);
  });
});

describe('what is not a scan keeps its verdicts', () => {
  it('a client trying two ports of a host (445, then 3389)', async () => {
    const cap = new Capture();
    probe(cap, 445, 51000, T0, 'closed', '192.168.1.178');
    probe(cap, 3389, 51001, T0 + 18, 'closed', '192.168.1.178');
    goOn(cap, 60);
    const r = await run(cap);
    expect(scans(r)).toEqual([]);
    expect(errors(r).map((v) => [v.cause, (v.details['ports'] as { count: number }).count])).toEqual([['tcp.refused', 2]]);
  });

  it('15 ports, but no 15 of them within 300 s (Zeek\'s port-scan interval): no scan; 21 s apart is one', async () => {
    const slow = new Capture();
    nmap(slow, range(2000, 15), () => 'closed', 0, 22);
    goOn(slow, 400);
    const r = await run(slow);
    expect(scans(r)).toEqual([]);
    expect(errors(r).map((v) => (v.details['ports'] as { count: number }).count)).toEqual([15]);
    const fast = new Capture();
    nmap(fast, range(2000, 15), () => 'closed', 0, 21);
    goOn(fast, 400);
    const f = await run(fast);
    expect(errors(f)).toEqual([]);
    expect((scans(f)[0]!.details as unknown as ScanDetails).portsProbed).toBe(15);
  });

  it('a program\'s own connection beside a scan still fails: its SYN sent again and again from a port of its own', async () => {
    // The scanner probes 8443 (no answer) among its 40 ports; meanwhile a program on the same host
    // tries 8443 (and 9999, which the scan never probes) and backs off.
    const cap = new Capture();
    nmap(cap, [...PORTS, 8443], answerOf);
    backedOff(cap, 8443, 38000, T0 + 0.3);
    backedOff(cap, 9999, 38001, T0 + 0.4);
    goOn(cap, 60);
    const r = await run(cap);
    const scan = scans(r);
    expect(scan).toHaveLength(1);
    expect((scan[0]!.details as unknown as ScanDetails).portsProbed).toBe(41);
    // The program's two attempts: one failure for the host, on its two ports, each with its 3 SYNs.
    const failed = errors(r);
    expect(failed.map((v) => v.cause)).toEqual(['tcp.syn_unanswered']);
    expect((failed[0]!.details['ports'] as { count: number; examples: number[] }).examples).toEqual([8443, 9999]);
    expect(failed[0]!.details['syns']).toBe(3);
    expect(exitStatus(cap)).toBe(1);
  });

  it('an established session to the scanned host keeps its own verdict', async () => {
    const cap = new Capture();
    const ssh = new TcpConversation({ client: [SCANNER, 45000], server: [HOST, 22], start: T0 - 1 });
    ssh.syn();
    ssh.synAck();
    ssh.ack('client');
    ssh.send('server', ascii('SSH-2.0-OpenSSH_9.6\r\n'));
    ssh.send('client', ascii('SSH-2.0-OpenSSH_9.2\r\n'));
    ssh.at(T0 + 2);
    ssh.fin('client');
    ssh.fin('server');
    ssh.ack('client');
    cap.addAll(ssh.frames);
    nmap(cap, PORTS, answerOf);
    goOn(cap, 60);
    const r = await run(cap, true);
    expect(errors(r)).toEqual([]);
    expect(scans(r)).toHaveLength(1);
    const own = r.verdicts.filter((v) => v.target.port === 22);
    expect(own.map((v) => [v.cause, v.severity])).toEqual([['ok', 'ok']]);
  });

  it('a capture of connection openings only (no segment without SYN) proves no half-open handshake: no scan of SYN-ACK\'d ports', async () => {
    // A busy client's 20 connections to 20 ports of one server, captured with a filter that kept
    // SYNs only: every handshake looks half-open.
    const cap = new Capture();
    range(3000, 20).forEach((p, i) => {
      const c = new TcpConversation({ client: ['192.0.2.10', 42000 + i], server: [HOST, p], start: T0 + i * 0.05 });
      c.syn();
      c.synAck();
      cap.addAll(c.frames);
    });
    const r = await run(cap);
    expect(scans(r)).toEqual([]);
    // The same with the scanner's RST after each SYN-ACK (a segment without SYN): a scan.
    const raw = new Capture();
    nmap(raw, range(3000, 20), () => 'open');
    const s = await run(raw);
    expect((scans(s)[0]!.details as unknown as ScanDetails).open.count).toBe(20);
  });

  it('passive FTP: data connections refused beside the control session, each from a port of its own, stay failures', async () => {
    const cap = new Capture();
    const ctl = new TcpConversation({ client: ['192.0.2.10', 40500], server: [HOST, 21], start: T0 });
    ctl.syn();
    ctl.synAck();
    ctl.ack('client');
    ctl.send('server', ascii('220 ready\r\n'));
    ctl.send('client', ascii('USER anonymous\r\n'));
    for (let i = 0; i < 20; i++) {
      ctl.at(T0 + 1 + i).send('client', ascii('PASV\r\n'));
      ctl.send('server', ascii(`227 Entering Passive Mode (203,0,113,10,${200 + i},1)\r\n`));
      probe(cap, (200 + i) * 256 + 1, 40600 + i, T0 + 1.01 + i, 'closed', '192.0.2.10');
    }
    ctl.at(T0 + 30).fin('client');
    ctl.fin('server');
    ctl.ack('client');
    cap.addAll(ctl.frames);
    goOn(cap, 60);
    const r = await run(cap);
    expect(scans(r)).toEqual([]);
    expect(errors(r).map((v) => [v.cause, (v.details['ports'] as { count: number }).count])).toEqual([['tcp.refused', 20]]);
  });

  it('the scanner\'s connection a service closed at once is the scan\'s while the scan goes on, its own error 300 s after it', async () => {
    // A connect (handshake, nothing sent) that the server closes at once (nmap's tcpwrapped), at `at` s.
    const wrapped = (cap: Capture, sport: number, at: number, client = SCANNER): void => {
      const c = new TcpConversation({ client: [client, sport], server: [HOST, 8081], start: T0 + at });
      c.syn();
      c.synAck();
      c.ack('client');
      c.fin('server');
      c.fin('client');
      c.ack('server');
      cap.addAll(c.frames);
    };
    const during = new Capture();
    nmap(during, PORTS, answerOf);
    wrapped(during, 47000, 5);
    goOn(during, 60);
    const r = await run(during);
    expect(errors(r)).toEqual([]);
    const d = scans(r)[0]!.details as unknown as ScanDetails & { closedAtOnce: { count: number; ports: number[] } };
    expect(d.closedAtOnce).toEqual({ count: 1, ports: [8081] });
    expect(d.open.ports).toContain(8081);
    // The same connection 400 s after the last probe: not the scan's; and another client's, during it: its own.
    const after = new Capture();
    nmap(after, PORTS, answerOf);
    wrapped(after, 47000, 400);
    wrapped(after, 47001, 5, '192.0.2.67');
    goOn(after, 460);
    const a = await run(after);
    expect(scans(a)).toHaveLength(1);
    expect(errors(a).map((v) => [v.cause, v.client.ip])).toEqual([['tcp.closed_at_once', '192.0.2.67'], ['tcp.closed_at_once', SCANNER]]);
  });

  it('a program\'s request from the scanning host (with a Host header) reset by a scanned port stays a failure; a Host-less probe is the scan\'s', async () => {
    const session = (cap: Capture, sport: number, request: string): void => {
      const c = new TcpConversation({ client: [SCANNER, sport], server: [HOST, 80], start: T0 + 3 });
      c.syn();
      c.synAck();
      c.ack('client');
      c.send('client', ascii(request));
      c.rst('server');
      cap.addAll(c.frames);
    };
    const program = new Capture();
    nmap(program, PORTS, answerOf);
    session(program, 47100, 'GET /api HTTP/1.1\r\nHost: 203.0.113.10\r\nUser-Agent: curl/8.5.0\r\n\r\n');
    goOn(program, 60);
    const r = await run(program);
    expect(scans(r)).toHaveLength(1);
    expect(errors(r).map((v) => [v.cause, v.target.port])).toEqual([['tcp.reset', 80]]);
    const probeOnly = new Capture();
    nmap(probeOnly, PORTS, answerOf);
    session(probeOnly, 47100, 'GET / HTTP/1.0\r\n\r\n');
    goOn(probeOnly, 60);
    const p = await run(probeOnly);
    expect(errors(p)).toEqual([]);
    expect((scans(p)[0]!.details as unknown as { versionProbes: unknown }).versionProbes).toEqual({ connections: 1, ports: [80] });
  });
});
