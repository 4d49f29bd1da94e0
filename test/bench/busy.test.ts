/**
 * The bench's busy captures, scaled down (issue 21): a failure-rich capture (60 MB), a SYN scan
 * of 20 000 ports of one host and 20 000 distinct NXDOMAIN names, made by bench/gen.ts into a
 * temp folder and analyzed by the command line, with the default verdict cap and with
 * `--max-verdicts 0`. Each must exit 1 (failures found; the scan 0: it is one warning,
 * tcp.port_scan, and no failure), list at most 200 verdicts, give the same
 * summary both ways (counts per cause equal to the targets of every verdict), and stay bounded:
 * the report beside its record lists (capped) is far under what a verdict per target would be.
 */
import { spawnSync } from 'node:child_process';
import { tempDir } from '../helpers/tmp.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECORDS } from '../../src/analyze.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GEN = join(REPO, 'dist/bench/gen.js');
const BIN = join(REPO, 'dist/src/cli/main.js');
const LIST = 200;
const RECORD_LISTS = ['connections', 'dns', 'tls', 'icmp', 'http'] as const;

interface Verdict {
  cause: string;
  severity: string;
  target: { name: string | null; ip: string | null; port: number | null };
  client: { ip: string | null };
  details: Record<string, unknown>;
}
interface CauseSummary {
  cause: string;
  severity: string;
  targets: number;
}
interface Report {
  summary: { failures: number; warnings: number; ok: number; listed: number; omitted: number; byCause: CauseSummary[]; timeline: unknown };
  verdicts: Verdict[];
  [list: string]: unknown;
}
interface Run {
  status: number | null;
  bytes: number;
  report: Report;
}
interface GenStats {
  packets: number;
  kinds: Record<string, number>;
  sha256: string;
}

let dir = '';
beforeAll(() => {
  dir = tempDir('wirewhy-busy-');
});

function gen(mode: string, file: string, ...args: string[]): GenStats {
  const r = spawnSync(process.execPath, [GEN, '--mode', mode, '--out', join(dir, file), ...args], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as GenStats;
}

function analyze(file: string, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, 'analyze', join(dir, file), '--format', 'json', ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  return { status: r.status, bytes: Buffer.byteLength(r.stdout), report: JSON.parse(r.stdout) as Report };
}

/** How many targets a verdict stands for (a merged scan: its ports; a bucket: its targets). */
function targetsOf(v: Verdict): number {
  for (const k of ['ports', 'targets']) {
    const d = v.details[k] as { count?: unknown } | undefined;
    if (d && typeof d.count === 'number') return d.count;
  }
  return 1;
}

/** The checks every busy capture must pass, on the default run and the `--max-verdicts 0` one. */
/**
 * `smaller`: how many times smaller than a report with a verdict per failing target (every
 * verdict as large as the listed ones are on average) the report beside its record lists must be.
 */
/** `told`: the targets the verdicts tell (default the summary's; a port scan tells every port it probed). */
function checkBounded(def: Run, all: Run, smaller: number, status = 1, told?: number): void {
  expect(def.status).toBe(status);
  expect(all.status).toBe(status);
  const s = def.report.summary;
  const a = all.report.summary;
  // The list is cut, and what is left out is counted.
  expect(def.report.verdicts.length).toBeLessThanOrEqual(LIST);
  expect(def.report.verdicts.length).toBe(s.listed);
  expect(a.omitted).toBe(0);
  expect(a.listed).toBe(all.report.verdicts.length);
  expect(s.listed + s.omitted).toBe(all.report.verdicts.length);
  // The summary does not depend on the cap.
  expect(s.byCause).toEqual(a.byCause);
  expect(s.timeline).toEqual(a.timeline);
  expect([s.failures, s.warnings, s.ok]).toEqual([a.failures, a.warnings, a.ok]);
  // Its counts are the targets of every verdict, cause by cause.
  const per = new Map<string, number>();
  for (const v of all.report.verdicts) {
    if (v.severity === 'ok') continue;
    const k = `${v.cause}|${v.severity}`;
    per.set(k, (per.get(k) ?? 0) + targetsOf(v));
  }
  const fromSummary = new Map(s.byCause.map((c) => [`${c.cause}|${c.severity}`, c.targets] as const));
  expect(Object.fromEntries(fromSummary)).toEqual(Object.fromEntries(per));
  // Bounded: the record lists keep their cap, and the rest of the report (summary, verdicts) is
  // a small fraction of a report with one verdict per failing target.
  let recordBytes = 0;
  for (const k of RECORD_LISTS) {
    const list = def.report[k] as unknown[];
    expect(list.length).toBeLessThanOrEqual(MAX_RECORDS);
    recordBytes += Buffer.byteLength(JSON.stringify(list));
  }
  const failing = told ?? s.byCause.reduce((n, c) => n + c.targets, 0);
  const perVerdict = Buffer.byteLength(JSON.stringify(def.report.verdicts)) / Math.max(1, def.report.verdicts.length);
  const rest = Buffer.byteLength(JSON.stringify({ ...def.report, ...Object.fromEntries(RECORD_LISTS.map((k) => [k, []])) }));
  expect(rest).toBeLessThan(1e6);
  expect(rest).toBeLessThan((failing * perVerdict) / smaller);
  // The file is that, pretty-printed (indented: under twice the compact text).
  expect(def.bytes).toBeLessThan((recordBytes + rest) * 2);
}

describe('failure-rich capture (60 MB)', () => {
  let def: Run;
  let all: Run;
  beforeAll(() => {
    gen('failure-rich', 'fr.pcap', '--bytes', '60000000');
    def = analyze('fr.pcap');
    all = analyze('fr.pcap', '--max-verdicts', '0');
  }, 90_000);

  it('is bounded, and its summary is that of every verdict', () => {
    expect(all.report.verdicts.length).toBeGreaterThan(LIST); // the cap is exercised
    // About 900 failing targets: the report with the first 200 is a fraction of one with all.
    checkBounded(def, all, 3);
  });

  it('holds failures of every cause, from distinct targets', () => {
    const causes = new Set(def.report.summary.byCause.filter((c) => c.severity === 'error').map((c) => c.cause));
    for (const c of ['dns.nxdomain', 'dns.servfail', 'dns.refused', 'dns.no_response', 'icmp.port_unreachable', 'icmp.admin_prohibited',
      'tcp.syn_unanswered', 'tcp.refused', 'tcp.reset', 'tls.alert', 'tls.client_rejected', 'tls.no_server_hello', 'http.error_status']) {
      expect(causes, c).toContain(c);
    }
    const nx = def.report.summary.byCause.find((c) => c.cause === 'dns.nxdomain')!;
    expect(nx.targets).toBeGreaterThan(50);
    // TLS alerts of several codes, from both sides; HTTP errors of several statuses, 4xx and 5xx.
    const alerts = all.report.verdicts.filter((v) => v.cause === 'tls.alert').map((v) => v.details['alert'] as { code: number; sender: string });
    expect(new Set(alerts.map((x) => x.code)).size).toBeGreaterThanOrEqual(6);
    expect(new Set(alerts.map((x) => x.sender))).toEqual(new Set(['client', 'server']));
    const statuses = new Set(all.report.verdicts.filter((v) => v.cause === 'http.error_status').map((v) => v.details['status'] as number));
    expect([...statuses].some((x) => x >= 400 && x < 500) && [...statuses].some((x) => x >= 500)).toBe(true);
    expect(statuses.size).toBeGreaterThanOrEqual(5);
  });
});

describe('SYN scan of one host (20 000 ports)', () => {
  const N = 20_000;
  let stats: GenStats;
  let def: Run;
  let all: Run;
  beforeAll(() => {
    stats = gen('syn-scan', 'scan.pcap', '--conns', String(N));
    def = analyze('scan.pcap');
    all = analyze('scan.pcap', '--max-verdicts', '0');
  }, 90_000);

  it('is bounded, and its summary is that of every verdict', () => {
    // One verdict for 20 000 ports: a report with a verdict per port would be far larger.
    checkBounded(def, all, 10, 0, N);
  });

  it('tells the scan once, a warning with every port counted: closed and filtered', () => {
    expect(stats.kinds['scan-closed']! + stats.kinds['scan-filtered']!).toBe(N);
    expect(def.report.verdicts.map((v) => [v.cause, v.severity, v.target.ip, v.target.port])).toEqual([['tcp.port_scan', 'warning', '198.51.100.7', null]]);
    const d = def.report.verdicts[0]!.details as { portsProbed: number; closed: { count: number }; unanswered: { count: number }; open: { count: number }; sourcePort: { port: number } };
    expect(d.portsProbed).toBe(N);
    expect([d.closed.count, d.unanswered.count, d.open.count]).toEqual([stats.kinds['scan-closed'], stats.kinds['scan-filtered'], 0]);
    expect(d.sourcePort.port).toBe(61000);
    expect(def.report.summary).toMatchObject({ failures: 0, warnings: 1 });
  });

  it('generates the same bytes from the same arguments', () => {
    const a = gen('syn-scan', 'a.pcap', '--conns', '3000');
    const b = gen('syn-scan', 'b.pcap', '--conns', '3000');
    expect(a.sha256).toBe(b.sha256);
    expect(a.packets).toBeGreaterThan(3000);
  });
});

describe('20 000 distinct NXDOMAIN names', () => {
  const N = 20_000;
  let stats: GenStats;
  let def: Run;
  let all: Run;
  beforeAll(() => {
    stats = gen('nxdomain', 'nx.pcap', '--conns', String(N));
    def = analyze('nx.pcap');
    all = analyze('nx.pcap', '--max-verdicts', '0');
  }, 90_000);

  it('is bounded, and its summary is that of every verdict', () => {
    checkBounded(def, all, 10);
  });

  it('counts every name', () => {
    expect(stats.kinds['dns-nx']).toBe(N);
    const nx = def.report.summary.byCause.filter((c) => c.cause === 'dns.nxdomain');
    expect(nx.map((c) => c.targets)).toEqual([N]);
    expect(def.report.summary.failures).toBe(N);
  });
});
