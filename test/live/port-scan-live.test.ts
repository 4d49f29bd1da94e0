/**
 * A port scan captured live (built packets replayed with wall-clock ticks, as `wirewhy capture`
 * does): a scan from a reused source port is said once, as a warning, as soon as it is sure, and
 * its probes are not said one by one after that; a connect scan (a source port per probe) is not
 * sure while it goes on (a session could still show it is a program's connections), so its
 * refusals are said as failures, counted past the first few. Either way the final report is the
 * one the file analysis gives.
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { tempDir } from '../helpers/tmp.js';
import { join } from 'node:path';
import { openCapture } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import { LINES_PER_CAUSE, LiveAnalyzer, type LiveEvent } from '../../src/live.js';
import { renderReport } from '../../src/report/render.js';
import type { Report } from '../../src/report/model.js';
import { ReportOutput } from '../../src/report/output.js';
import { Capture, TcpConversation, ethIp, udpIp } from '../helpers/index.js';

const SCANNER = '192.0.2.66';
const HOST = '203.0.113.10';
const T0 = 1_700_000_000;
const N = 300;

/** N ports probed 5 ms apart: 22 and 80 open, every tenth closed, the rest filtered; `sport` null: a port per probe (connect scan). */
function scanFile(sport: number | null): string {
  const cap = new Capture();
  for (let i = 0; i < N; i++) {
    const port = 1 + i;
    const c = new TcpConversation({ client: [SCANNER, sport ?? 30000 + i], server: [HOST, port], start: T0 + i * 0.005, clientIsn: 777, step: 0.0002 });
    c.syn({ win: 1024 });
    if (port === 22 || port === 80) {
      c.synAck();
      c.raw('client', { seq: 778, flags: 'R', win: 0 });
    } else if (port % 10 === 0) c.rst('server');
    cap.addAll(c.frames);
  }
  cap.add(T0 + 30, ethIp(udpIp({ src: '192.0.2.10', dst: '198.51.100.53', sport: 40000, dport: 9 }, new Uint8Array(8))));
  const f = join(tempDir('ww-scan-live-'), 'scan.pcap');
  writeFileSync(f, cap.pcap({ linkType: 1 }));
  return f;
}

async function replay(file: string): Promise<{ events: LiveEvent[]; report: Report; a: LiveAnalyzer }> {
  const events: LiveEvent[] = [];
  const a = new LiveAnalyzer({ onEvent: (e) => events.push(e) });
  let last = 0;
  const info = await (await openCapture(file)).forEach((p) => {
    const t = p.tsSec + p.tsNsec * 1e-9;
    // Ticks every 10 ms of capture time, as the capture command's timer does.
    for (let k = last === 0 ? t : last + 0.01; k < t; k += 0.01) a.tick(k);
    a.tick(t);
    a.packet(p);
    last = t;
  });
  a.tick(last + 1);
  return { events, report: a.report(info, last), a };
}

/** What the two reports must share: their verdicts and summary, rendered. */
const told = (r: Report): unknown => {
  const j = JSON.parse(renderReport(r, 'json', { lang: 'en' })) as { verdicts: unknown; summary: unknown };
  return { verdicts: j.verdicts, summary: j.summary };
};

describe('a port scan, live', () => {
  it('a SYN scan from one source port: one warning line once it is sure, no line per probe after it; the final report as the file\'s', async () => {
    const file = scanFile(50000);
    const { events, report, a } = await replay(file);
    const scan = events.filter((e) => e.verdict.cause === 'tcp.port_scan');
    expect(scan).toHaveLength(1);
    expect(a.scansLines).toBe(1);
    const line = scan[0]!;
    expect(line.verdict.severity).toBe('warning');
    expect(line.verdict.target).toEqual({ name: null, ip: HOST, port: null, transport: 'tcp' });
    // Said while the scan went on (its 15th new port), not at the end.
    expect(line.ts).toBeLessThan(T0 + N * 0.005);
    const text = new ReportOutput({ format: 'table', lang: 'en', all: false, redact: false }).liveLine(line);
    expect(text).toMatch(/WARNING {2}tcp\.port_scan {2}203\.0\.113\.10 {2}a port scan from 192\.0\.2\.66: \d+ ports probed in [\d.]+ s so far;/);
    const zh = new ReportOutput({ format: 'table', lang: 'zh', all: false, redact: false }).liveLine(line);
    expect(zh).toMatch(/来自 192\.0\.2\.66 的端口扫描：截至目前的 [\d.]+ 秒内探测了 \d+ 个端口/);
    // Before it, at most the first probes' failures (some counted on a line said later); after it, none.
    const failures = events.filter((e) => e.verdict.severity === 'error');
    expect(failures.filter((e) => e.more === undefined).every((e) => e.ts <= line.ts)).toBe(true);
    const saidOne = failures.filter((e) => e.more === undefined).length;
    const counted = failures.reduce((n, e) => n + (e.more?.count ?? 0), 0);
    expect(saidOne).toBeLessThanOrEqual(LINES_PER_CAUSE * 2);
    expect(saidOne + counted).toBeLessThan(15);
    // The final report: the whole scan, and the file analysis says the same.
    const d = report.verdicts[0]!.details as { portsProbed: number; open: { ports: number[] }; closed: { count: number } };
    expect(report.verdicts.map((v) => v.cause)).toEqual(['tcp.port_scan']);
    expect([d.portsProbed, d.open.ports, d.closed.count]).toEqual([N, [22, 80], N / 10 - 1]); // 80 is open
    const fromFile = await analyze(await openCapture(file));
    expect(told(report)).toEqual(told(fromFile));
  }, 60_000);

  it('a connect scan (a source port per probe): its refusals said as failures while it goes on; the final report as the file\'s', async () => {
    const file = scanFile(null);
    const { events, report } = await replay(file);
    expect(events.filter((e) => e.verdict.cause === 'tcp.port_scan')).toEqual([]);
    expect(events.some((e) => e.verdict.cause === 'tcp.refused')).toBe(true);
    expect(report.verdicts.map((v) => v.cause)).toEqual(['tcp.port_scan']);
    const fromFile = await analyze(await openCapture(file));
    expect(told(report)).toEqual(told(fromFile));
  }, 60_000);
});

/** A sweep of `hosts` hosts on port 445, 5 ms apart, from source port 53029 (the first 8 hosts up: RST); and a program's refused attempt beside it, from a port of its own. */
function sweepFile(hosts: number): string {
  const cap = new Capture();
  for (let i = 1; i <= hosts; i++) {
    const c = new TcpConversation({ client: [SCANNER, 53029], server: [`198.51.100.${i}`, 445], start: T0 + i * 0.005, clientIsn: 777, step: 0.0002 });
    c.syn({ win: 1024 });
    if (i <= 8) c.rst('server');
    cap.addAll(c.frames);
  }
  const curl = new TcpConversation({ client: [SCANNER, 45698], server: ['198.51.100.3', 8088], start: T0 + hosts * 0.005 + 0.1 });
  curl.syn();
  curl.rst('server');
  cap.addAll(curl.frames);
  cap.add(T0 + 30, ethIp(udpIp({ src: '192.0.2.10', dst: '198.51.100.53', sport: 40000, dport: 9 }, new Uint8Array(8))));
  const f = join(tempDir('ww-scan-live-'), 'sweep.pcap');
  writeFileSync(f, cap.pcap({ linkType: 1 }));
  return f;
}

describe('a sweep of many hosts, live', () => {
  it('one warning line once it is sure, no line per host after it; a program\'s refusal beside it still said; the final report as the file\'s', async () => {
    const hosts = 200;
    const file = sweepFile(hosts);
    const { events, report, a } = await replay(file);
    const sweep = events.filter((e) => e.verdict.cause === 'tcp.address_scan');
    expect(sweep).toHaveLength(1);
    expect(a.sweepsLines).toBe(1);
    const line = sweep[0]!;
    expect(line.verdict.severity).toBe('warning');
    // Said while the probes were still being judged (an unanswered SYN is judged 3 s after it was
    // sent: the sweep is sure at its 25th host), long before the last of them.
    expect(line.ts).toBeLessThan(T0 + hosts * 0.005 + 3);
    const text = new ReportOutput({ format: 'table', lang: 'en', all: false, redact: false }).liveLine(line);
    expect(text).toMatch(/WARNING {2}tcp\.address_scan {2}.*swept by 192\.0\.2\.66 \(port 445, [\d.]+ s so far\)/);
    // Before it, the failures of the hosts probed until the sweep was sure (25 of them; some
    // counted on a line said later); after it, no line of its own for any probe. curl's refusal,
    // from a port of its own, is said all the same.
    const failures = events.filter((e) => e.verdict.severity === 'error');
    expect(failures.filter((e) => e.more === undefined).every((e) => e.ts <= line.ts)).toBe(true);
    const targets = failures.flatMap((e) => (e.more ? e.more.examples : [e.verdict]).map((v) => `${v.target.ip}:${v.target.port}`));
    expect(targets).toContain('198.51.100.3:8088');
    const sweepSaid = failures.filter((e) => e.verdict.target.port === 445).reduce((n, e) => n + (e.more?.count ?? 1), 0);
    expect(sweepSaid).toBeLessThanOrEqual(25);
    // The final report: the sweep and curl's refusal, as the file analysis says.
    expect(report.verdicts.map((v) => v.cause).sort()).toEqual(['tcp.address_scan', 'tcp.refused']);
    const fromFile = await analyze(await openCapture(file));
    expect(told(report)).toEqual(told(fromFile));
  }, 60_000);
});
