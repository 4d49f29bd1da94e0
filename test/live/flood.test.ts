/**
 * A live capture of a flood stays readable: connections refused at thousands of hosts a second
 * (port 443 of each, each from a source port of its own, as a program's: no scanner's sweep) give
 * a few lines one by one, then lines that count the rest (live.ts LINES_PER_CAUSE), while another
 * cause failing a few times is still said one by one, and the final report counts every host.
 * The same flood from one source port is a scanner's sweep: said as one warning line once it is
 * sure, and once in the final report (tcp.address_scan). (A port scan of one host is one warning:
 * port-scan-live.test.ts.) Built packets, replayed with wall-clock ticks as `wirewhy capture` does.
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { tempDir } from '../helpers/tmp.js';
import { join } from 'node:path';
import { openCapture } from '../../src/capture/open.js';
import { LINES_PER_CAUSE, LiveAnalyzer, type LiveEvent } from '../../src/live.js';
import { ReportOutput } from '../../src/report/output.js';
import { dnsMessage, ethIp, pcapFile, tcpIp, udpIp, type CaptureRecord } from '../helpers/index.js';

const SCANNER = '192.0.2.66';
/** The i-th host swept. */
const host = (i: number): string => `172.20.${i >> 8}.${i & 255}`;
const PORTS = 3000;

function floodCapture(oneSourcePort: boolean): string {
  const recs: CaptureRecord[] = [];
  const t0 = 1_700_000_000n * 1_000_000_000n;
  // 3,000 hosts refused over 3 s (1 ms apart), from one scanner.
  for (let i = 0; i < PORTS; i++) {
    const ts = t0 + BigInt(i) * 1_000_000n;
    const port = 443;
    const sport = oneSourcePort ? 40000 : 20000 + i;
    recs.push({ ts, frame: ethIp(tcpIp({ src: SCANNER, dst: host(i), sport, dport: port, seq: 1000 + i, flags: 'S' })) });
    recs.push({ ts: ts + 100_000n, frame: ethIp(tcpIp({ src: host(i), dst: SCANNER, sport: port, dport: sport, seq: 0, ack: 1001 + i, flags: 'RA' })) });
  }
  // Meanwhile three names that do not exist, one a second: said one by one.
  for (let k = 0; k < 3; k++) {
    const ts = t0 + BigInt(k) * 1_000_000_000n + 500_000_000n;
    const name = `gone${k}.example.com`;
    const q = dnsMessage({ id: 100 + k, qr: false, rd: true, questions: [{ name, type: 'A' }] });
    const r = dnsMessage({ id: 100 + k, qr: true, rd: true, ra: true, rcode: 'NXDOMAIN', questions: [{ name, type: 'A' }] });
    recs.push({ ts, frame: ethIp(udpIp({ src: '192.0.2.10', dst: '198.51.100.53', sport: 50000 + k, dport: 53 }, q)) });
    recs.push({ ts: ts + 2_000_000n, frame: ethIp(udpIp({ src: '198.51.100.53', dst: '192.0.2.10', sport: 53, dport: 50000 + k }, r)) });
  }
  recs.sort((a, b) => Number((a.ts as bigint) - (b.ts as bigint)));
  const f = join(tempDir('ww-flood-'), 'flood.pcap');
  writeFileSync(f, pcapFile({ linkType: 1 }, recs));
  return f;
}

async function replay(file: string): Promise<{ events: LiveEvent[]; report: ReturnType<LiveAnalyzer['report']>; a: LiveAnalyzer }> {
  const events: LiveEvent[] = [];
  const a = new LiveAnalyzer({ onEvent: (e) => events.push(e) });
  let last = 0;
  const info = await (await openCapture(file)).forEach((p) => {
    const t = p.tsSec + p.tsNsec * 1e-9;
    a.tick(t);
    a.packet(p);
    last = t;
  });
  a.tick(last + 1);
  return { events, report: a.report(info, last + 1), a };
}

describe('a flood of failures, live', () => {
  it('a few lines one by one, then lines that count; every failure counted once; other causes one by one', async () => {
    const { events, report, a } = await replay(floodCapture(false));
    const refused = events.filter((e) => e.verdict.cause === 'tcp.refused');
    const one = refused.filter((e) => e.more === undefined);
    const many = refused.filter((e) => e.more !== undefined);
    expect(one).toHaveLength(LINES_PER_CAUSE);
    // Intervals of 1, 2, 4 s over a 3 s scan, and what is left at the end: a handful of lines.
    expect(many.length).toBeGreaterThan(0);
    expect(many.length).toBeLessThanOrEqual(4);
    // Every refused port is said once, alone or counted.
    expect(one.length + many.reduce((n, e) => n + e.more!.count, 0)).toBe(PORTS);
    expect(a.said1 + a.saidMany).toBe(PORTS + 3);
    for (const e of many) {
      expect(e.more!.examples.length).toBeGreaterThan(0);
      expect(e.more!.examples.length).toBeLessThanOrEqual(3);
      expect(e.more!.examples.every((v) => v.cause === 'tcp.refused')).toBe(true);
    }
    // The names: one line each, not counted.
    const nx = events.filter((e) => e.verdict.cause === 'dns.nxdomain');
    expect(nx.map((e) => e.verdict.target.name).sort()).toEqual(['gone0.example.com', 'gone1.example.com', 'gone2.example.com']);
    expect(nx.every((e) => e.more === undefined)).toBe(true);
    // The final report counts every host refused (a source port per connection: no sweep).
    expect(report.verdicts.filter((v) => v.cause === 'tcp.address_scan')).toEqual([]);
    expect(report.summary!.byCause.find((c) => c.cause === 'tcp.refused')?.targets).toBe(PORTS);
    expect(a.lines).toBe(events.length);
  }, 120_000);

  it('the counting lines in text (en, zh), JSON lines, and redacted', async () => {
    const { events } = await replay(floodCapture(false));
    const e = events.find((x) => x.more !== undefined)!;
    const en = new ReportOutput({ format: 'table', lang: 'en', all: false, redact: false }).liveLine(e);
    expect(en).toContain(`${e.more!.count} more targets failed the same way`);
    expect(en).toContain('172.20.');
    expect(en.trim().split('\n')).toHaveLength(1);
    const zh = new ReportOutput({ format: 'table', lang: 'zh', all: false, redact: false }).liveLine(e);
    expect(zh).toContain(`又有 ${e.more!.count} 个目标`);
    const j = JSON.parse(new ReportOutput({ format: 'json', lang: 'en', all: false, redact: false }).liveLine(e)) as Record<string, unknown>;
    expect(j).toMatchObject({ type: 'more', cause: 'tcp.refused', count: e.more!.count });
    expect((j['examples'] as string[]).length).toBe(e.more!.examples.length);
    const red = new ReportOutput({ format: 'table', lang: 'en', all: false, redact: true }).liveLine(e);
    expect(red).not.toContain('172.20.');
    expect(red).toContain(`${e.more!.count} more targets`);
  }, 120_000);

  it('the same flood from one source port is a scanner\'s sweep: one warning line once it is sure, nothing per host after; the final report tells it once', async () => {
    const { events, report } = await replay(floodCapture(true));
    const sweepLines = events.filter((e) => e.verdict.cause === 'tcp.address_scan');
    expect(sweepLines).toHaveLength(1);
    const refused = events.filter((e) => e.verdict.cause === 'tcp.refused');
    // Only hosts refused before the sweep was sure (its 25th host) were said, one by one or counted.
    expect(refused.reduce((n, e) => n + (e.more?.count ?? 1), 0)).toBeLessThanOrEqual(25);
    expect(refused.filter((e) => e.more === undefined).every((e) => e.ts <= sweepLines[0]!.ts)).toBe(true);
    const sweep = report.verdicts.filter((v) => v.cause === 'tcp.address_scan');
    expect(sweep).toHaveLength(1);
    expect(sweep[0]!.details).toMatchObject({ hostsProbed: PORTS, closed: PORTS, unanswered: 0, ports: [443] });
    expect(report.summary!.byCause.find((c) => c.cause === 'tcp.refused')).toBeUndefined();
  }, 120_000);
});
