/**
 * Real nmap scans (test/fixtures/scans, made by make.sh there: network namespaces, real services,
 * tcpdump) whose connections complete handshakes: a version scan (-sV) after a SYN scan, and a
 * connect scan (-sT -sV) beside two real failures. The scan is one warning with its open, closed
 * and filtered ports right; its own connections (the tcpwrapped services closing at once, the
 * version probes answered 404, 501, reset or not at all) make no error; a program's request from
 * the scanning host (curl: an HTTP 500) and another client's connection closed at once stay errors.
 * Counts checked with tshark when the fixtures were made (make.sh's README).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { openCapture } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report, Verdict } from '../../src/report/model.js';
import { renderReport } from '../../src/report/render.js';
import { REPO } from '../tshark-fixture.js';

const DIR = join(REPO, 'test/fixtures/scans');
const BIN = join(REPO, 'dist/src/cli/main.js');
const SCANNER = '192.0.2.66';
const OTHER = '192.0.2.67';
const HOST = '192.0.2.10';

async function run(file: string): Promise<Report> {
  return analyze(await openCapture(join(DIR, file)), { all: true });
}

const errors = (r: Report): Verdict[] => r.verdicts.filter((v) => v.severity === 'error');
const scans = (r: Report): Verdict[] => r.verdicts.filter((v) => v.cause === 'tcp.port_scan');

interface Details {
  portsProbed: number;
  open: { count: number; ports: number[] };
  closed: { count: number };
  unanswered: { count: number; ports: number[] };
  closedAtOnce?: { count: number; ports: number[] };
  versionProbes?: { connections: number; ports: number[] };
  sourcePortReused: boolean;
}

/** The ports and their answers, as tshark reads both captures: 48 ports, 7 open (SYN-ACK), 31 closed (RST), 10 filtered (1000-1009). */
function expectCounts(d: Details): void {
  expect(d.portsProbed).toBe(48);
  expect(d.open).toEqual({ count: 7, ports: [22, 25, 80, 443, 8080, 8081, 8082] });
  expect(d.closed.count).toBe(31);
  expect(d.unanswered.count).toBe(10);
  expect(d.unanswered.ports).toEqual(Array.from({ length: 10 }, (_, i) => 1000 + i));
  // 8081 (socat EXEC:/bin/true) and 8082 (accept, close) close every connection at once: nmap's tcpwrapped.
  expect(d.closedAtOnce).toEqual({ count: 2, ports: [8081, 8082] });
}

/** The scanner's HTTP requests the services answered with an error (the report's http list). */
function scannerHttpErrors(r: Report): number[] {
  return r.http.filter((h) => h.client.ip === SCANNER && h.status !== null && h.status >= 400).map((h) => h.status!).sort();
}

describe('nmap scans that complete handshakes (real captures)', () => {
  it('-sS -sV: one warning, no error, though the services answered the version probes 404 and 501 and closed at once', async () => {
    const r = await run('nmap-sS-sV-tcpwrapped.pcap');
    // The capture holds what made false errors: the scanner's requests answered 404 (x3) and 501 (x2).
    expect(scannerHttpErrors(r)).toEqual([404, 404, 404, 501, 501]);
    expect(errors(r)).toEqual([]);
    expect(r.verdicts.filter((v) => v.severity === 'warning').map((v) => v.cause)).toEqual(['tcp.port_scan']);
    const v = scans(r)[0]!;
    expect(v).toMatchObject({ target: { ip: HOST, port: null }, client: { ip: SCANNER } });
    const d = v.details as unknown as Details;
    expectCounts(d);
    expect(d.sourcePortReused).toBe(true);
    expect(d.versionProbes?.ports).toEqual([80, 443, 8080, 8081]);
    expect(d.versionProbes!.connections).toBeGreaterThan(20);
    // Said in both languages.
    const en = JSON.parse(renderReport(r, 'json', { lang: 'en' })) as { verdicts: Array<{ cause: string; explanation: string }> };
    const ex = en.verdicts.find((x) => x.cause === 'tcp.port_scan')!.explanation;
    expect(ex).toContain('Ports 8081, 8082 closed the connection right after the handshake');
    expect(ex).toContain('to the open ports (80, 443, 8080, 8081) then carried the scanner\'s probes');
    const zh = JSON.parse(renderReport(r, 'json', { lang: 'zh' })) as { verdicts: Array<{ cause: string; explanation: string }> };
    const zx = zh.verdicts.find((x) => x.cause === 'tcp.port_scan')!.explanation;
    expect(zx).toContain('端口 8081, 8082 在握手完成后立即关闭连接');
    expect(zx).toContain('上发送了扫描器的探测内容');
    const cli = spawnSync(process.execPath, [BIN, 'analyze', join(DIR, 'nmap-sS-sV-tcpwrapped.pcap'), '--format', 'json'], { encoding: 'utf8' });
    expect(cli.status).toBe(0);
  });

  it('-sT -sV beside real failures: the scan is one warning; curl\'s HTTP 500 from the scanning host and another client\'s closed connection stay errors', async () => {
    const r = await run('nmap-sT-sV-beside-real-failures.pcap');
    expectCounts(scans(r)[0]!.details as unknown as Details);
    expect((scans(r)[0]!.details as unknown as Details).sourcePortReused).toBe(false);
    // The scanner's own errors are in the capture (404 x3, 501 x2) beside curl's 500.
    expect(scannerHttpErrors(r)).toEqual([404, 404, 404, 500, 501, 501]);
    const e = errors(r).map((v) => [v.cause, v.client.ip, v.target.port]);
    expect(e).toEqual([
      ['http.error_status', SCANNER, 8080],
      ['tcp.closed_at_once', OTHER, 8081],
    ]);
    // The error on 8080 is curl's request (Host and curl's User-Agent), not the scanner's 501.
    const http = errors(r)[0]!;
    expect(http.details['status']).toBe(500);
    const cli = spawnSync(process.execPath, [BIN, 'analyze', join(DIR, 'nmap-sT-sV-beside-real-failures.pcap'), '--format', 'json'], { encoding: 'utf8' });
    expect(cli.status).toBe(1);
  });
});
