/**
 * `npm run bench`: every bench capture, generated once under the system temp folder
 * (wirewhy-bench/; deterministic, reused while it is there), then measured.
 *
 * Captures (name: what, default size):
 *   mixed         ordinary traffic with a few failures of each kind, 1 GiB
 *   failure-rich  working traffic with thousands of distinct failing names and ports of every cause, 1 GiB
 *   syn-scan      SYNs to distinct ports of one host, each refused (RST) or unanswered, 1,000,000 probes
 *   nxdomain      DNS queries, each for a name of its own, all NXDOMAIN, 200,000 names
 *   short-conns   short complete TCP connections, at most ~100 open at once, 1,000,000
 *   dns           a resolver's traffic: 1,000,000 queries, 90% for names of their own, 10% failing
 *
 * Part 1, the stages (mixed: read, decode, track, analyze, best of --repeat runs; short-conns and
 * dns: track and analyze, one run each): each in a fresh process (stage.js), packets/s, MB/s, CPU
 * seconds and peak RSS. "warm Mpkt/s" (track, analyze) is the rate after the first 300k packets,
 * to the end (report included): what is left without the JIT's warm-up.
 *
 * Part 2, for every capture, as a person runs it (measure.js wraps the command line):
 * `wirewhy analyze FILE --format json` (time, peak RSS, JSON size, exit status), then
 * `tshark -q -z conv,tcp -r FILE` and `tcptrace -n FILE` on the same file in the same run (their
 * time over wirewhy's: "x tshark" is how many times faster wirewhy is), then the HTML: the same
 * analysis in stage.js's `render` stage, which times the HTML's rendering after the analysis
 * (and the JSON's), its size, and the process's peak RSS with both renders. A peer that is not
 * installed is skipped with a line saying so. A results table at the end, and the issue-21
 * targets missed.
 *
 *   node dist/bench/run.js [--only NAME,NAME] [--size SIZE] [--NAME SIZE] [--stages LIST|none]
 *                          [--repeat N] [--no-peers] [--keep DIR] [--file PATH] [--bytes N]
 *
 * --only: the captures to run (default all). SIZE: bytes with a unit (200MB, 1GB, 64KiB; MB = 10^6
 *   bytes, MiB = 2^20) or a count (20000, 20k, 1M: probes, names, connections or queries; for
 *   mixed and failure-rich, packets). --size sets it for every capture run; --NAME (e.g.
 *   --syn-scan 20k) for one; --NAME 0 skips that capture.
 * --stages: part 1's stages (default read,decode,track,analyze; none: part 2 only).
 * --keep DIR: keep the JSON and HTML reports there (default: a temp folder, removed at the end).
 * --file PATH / --bytes N: the mixed capture's path / size in bytes (as before).
 *
 * Example: npm run bench -- --only failure-rich --size 200MB --stages none
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, mixedCapturePath } from './args.js';

const here = dirname(fileURLToPath(import.meta.url));
const out = (s: string): void => {
  process.stdout.write(s);
};

// ---------------------------------------------------------------------------------------------
// Captures and their sizes
// ---------------------------------------------------------------------------------------------

type Name = 'mixed' | 'failure-rich' | 'syn-scan' | 'nxdomain' | 'short-conns' | 'dns';
const NAMES: Name[] = ['mixed', 'failure-rich', 'syn-scan', 'nxdomain', 'short-conns', 'dns'];
/** Captures sized in bytes by default (a count is packets); the others by a count of flows. */
const BY_BYTES = new Set<Name>(['mixed', 'failure-rich']);
const DEFAULTS: Record<Name, string> = {
  mixed: '1GiB', 'failure-rich': '1GiB', 'syn-scan': '1000000', nxdomain: '200000', 'short-conns': '1000000', dns: '1000000',
};

interface Size {
  /** Bytes (a byte limit) or a count (flows; packets for mixed and failure-rich). */
  bytes?: number;
  count?: number;
}

/** "200MB", "1GiB", "1073741824B", "20k", "1M", "20000". */
function parseSize(text: string): Size {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim().replace(/_/g, ''));
  if (!m) throw new Error(`bad size '${text}' (e.g. 200MB, 1GiB, 20k, 1M)`);
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  const bytesUnits: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30 };
  const countUnits: Record<string, number> = { '': 1, k: 1e3, m: 1e6 };
  if (unit in bytesUnits) return { bytes: Math.round(n * bytesUnits[unit]!) };
  if (unit in countUnits) return { count: Math.round(n * countUnits[unit]!) };
  throw new Error(`bad size unit in '${text}'`);
}

interface Capture {
  name: Name;
  size: Size;
  path: string;
}

function capturePath(name: Name, size: Size): string {
  if (name === 'mixed' && size.bytes !== undefined) return arg('file', mixedCapturePath(size.bytes));
  const dir = join(tmpdir(), 'wirewhy-bench');
  if (BY_BYTES.has(name)) return join(dir, size.bytes !== undefined ? `${name}-${size.bytes}.pcap` : `${name}-${size.count}pkts.pcap`);
  return join(dir, size.count !== undefined ? `${name}-${size.count}.pcap` : `${name}-${size.bytes}B.pcap`);
}

function selected(): Capture[] {
  const only = arg('only', NAMES.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  for (const o of only) if (!NAMES.includes(o as Name)) throw new Error(`unknown capture '${o}' (${NAMES.join(', ')})`);
  const list: Capture[] = [];
  for (const name of NAMES) {
    if (!only.includes(name)) continue;
    // --bytes N: the mixed capture's size in bytes (as before --size).
    const legacy = name === 'mixed' && arg('bytes', '') !== '' ? `${arg('bytes', '')}B` : undefined;
    const text = arg(name, legacy ?? arg('size', DEFAULTS[name]));
    if (text === '0') continue;
    const size = parseSize(text);
    list.push({ name, size, path: capturePath(name, size) });
  }
  return list;
}

/** Generates the capture unless it is there (mixed: and at least 90% of the size asked). */
function ensure(c: Capture): void {
  const there = existsSync(c.path) && (c.name !== 'mixed' || c.size.bytes === undefined || statSync(c.path).size >= c.size.bytes * 0.9);
  if (there) return;
  const what = c.size.bytes !== undefined ? `${(c.size.bytes / 2 ** 20).toFixed(0)} MiB` : `${c.size.count} ${BY_BYTES.has(c.name) ? 'packets' : 'flows'}`;
  out(`generating ${c.path} (${c.name}, ${what}, deterministic)...\n`);
  const args = [join(here, 'gen.js'), '--mode', c.name, '--out', `${c.path}.part`];
  if (c.size.bytes !== undefined) args.push('--bytes', String(c.size.bytes));
  else args.push(BY_BYTES.has(c.name) ? '--packets' : '--conns', String(c.size.count));
  mkdirSync(dirname(c.path), { recursive: true });
  const g = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (g.status !== 0) {
    out(`generation failed (status ${g.status})\n`);
    process.exit(1);
  }
  renameSync(`${c.path}.part`, c.path);
}

/** Packets in a classic pcap (the generator's format), by walking its record headers. */
function countPackets(path: string): number {
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(16);
  const size = statSync(path).size;
  let off = 24;
  let n = 0;
  try {
    while (off + 16 <= size) {
      if (readSync(fd, head, 0, 16, off) < 16) break;
      off += 16 + head.readUInt32LE(8);
      n++;
    }
  } finally {
    closeSync(fd);
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Part 1: stages
// ---------------------------------------------------------------------------------------------

interface StageResult {
  stage: string;
  packets: number;
  bytes: number;
  seconds: number;
  /** CPU seconds of the process (all threads) and of its main thread (Linux). */
  cpuSeconds?: number;
  mainCpuSeconds?: number;
  peakRssMB: number;
  rssAfterMB?: number;
  peakOpen?: number;
  /** Packets after the warm-up and the seconds they took, to the end (track and analyze). */
  warmPackets?: number;
  warmSeconds?: number;
}

function runStage(stage: string, path: string): StageResult {
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', join(here, 'stage.js'), stage, path], { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    process.exit(1);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as StageResult;
}

function stages(captures: Capture[]): void {
  const list = arg('stages', 'read,decode,track,analyze');
  if (list === 'none') return;
  const repeat = Number(arg('repeat', '3'));
  const rows: StageResult[] = [];
  const mixed = captures.find((c) => c.name === 'mixed');
  if (mixed) {
    for (const stage of list.split(',')) {
      // Best of `repeat` runs: the machine's other load only ever makes a run slower.
      let best: StageResult | null = null;
      for (let i = 0; i < repeat; i++) {
        const res = runStage(stage, mixed.path);
        const peak = Math.max(res.peakRssMB, best === null ? 0 : best.peakRssMB);
        best = best === null || res.seconds < best.seconds ? res : best;
        best.peakRssMB = peak;
      }
      rows.push(best!);
    }
  }
  // Short connections and DNS: track and analyze once each; their point is memory, which must
  // follow the connections (queries) open at once, not the total.
  for (const c of captures) {
    if (c.name !== 'short-conns' && c.name !== 'dns') continue;
    for (const stage of ['track', 'analyze']) {
      if (!list.split(',').includes(stage)) continue;
      const res = runStage(stage, c.path);
      res.stage = `${c.name === 'dns' ? 'dns' : 'short'}:${stage}`;
      rows.push(res);
    }
  }
  if (rows.length === 0) return;
  const fmt = (n: number, d = 2): string => n.toFixed(d);
  out(`\nstages (${captures.filter((c) => c.name === 'mixed' || c.name === 'short-conns' || c.name === 'dns').map((c) => `${c.name}: ${c.path}`).join('; ')})\n`);
  out(`${'stage'.padEnd(14)} ${'packets'.padStart(10)} ${'seconds'.padStart(8)} ${'cpu s'.padStart(6)} ${'main s'.padStart(6)} ${'Mpkt/s'.padStart(8)} ${'MB/s'.padStart(8)} ${'peak RSS MB'.padStart(12)} ${'RSS after MB'.padStart(13)} ${'peak open'.padStart(10)} ${'warm Mpkt/s'.padStart(12)}\n`);
  for (const r of rows) {
    out(
      `${r.stage.padEnd(14)} ${String(r.packets).padStart(10)} ${fmt(r.seconds).padStart(8)} ${(r.cpuSeconds === undefined ? '' : fmt(r.cpuSeconds)).padStart(6)} ${(r.mainCpuSeconds === undefined ? '' : fmt(r.mainCpuSeconds)).padStart(6)} ${fmt(r.packets / r.seconds / 1e6).padStart(8)} ${fmt(r.bytes / r.seconds / 1e6, 0).padStart(8)} ${fmt(r.peakRssMB, 0).padStart(12)} ${(r.rssAfterMB === undefined ? '' : fmt(r.rssAfterMB, 0)).padStart(13)} ${(r.peakOpen === undefined ? '' : String(r.peakOpen)).padStart(10)} ${(r.warmSeconds === undefined || r.warmPackets === undefined ? '' : fmt(r.warmPackets / r.warmSeconds / 1e6)).padStart(12)}\n`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Part 2: the command line and its peers
// ---------------------------------------------------------------------------------------------

interface CliRun {
  seconds: number;
  /** null: the process died before it could say (V8's heap limit, a signal). */
  peakRssMB: number | null;
  exit: string;
  bytes: number;
}

/** `wirewhy analyze FILE --format F` through measure.js, its output into `outPath`. */
function cli(file: string, format: 'json' | 'html', outPath: string, statPath: string): CliRun {
  rmSync(statPath, { force: true });
  const fd = openSync(outPath, 'w');
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(here, 'measure.js'), statPath, '--', 'analyze', file, '--format', format], {
    stdio: ['ignore', fd, 'pipe'], maxBuffer: 64 << 20,
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  closeSync(fd);
  let stat: { seconds: number; peakRssMB: number } | null = null;
  try {
    stat = JSON.parse(readFileSync(statPath, 'utf8')) as { seconds: number; peakRssMB: number };
  } catch {
    stat = null;
  }
  const exit = r.status !== null ? String(r.status) : `signal ${r.signal}`;
  if (r.status !== 0 && r.status !== 1) {
    const err = String(r.stderr ?? '').trim().split('\n');
    out(`  ${format}: exit ${exit}: ${err.slice(0, 3).join(' | ').slice(0, 300)}\n`);
  }
  return { seconds: wall, peakRssMB: stat?.peakRssMB ?? null, exit, bytes: statSync(outPath).size };
}

/** Is `cmd` on the PATH? */
function installed(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

interface PeerRun {
  seconds: number;
  status: number | null;
}

function peer(cmd: string, args: string[]): PeerRun {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'] });
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, status: r.status };
}

/** The analysis, then the JSON and the HTML rendered from it, in one process (stage.js render). */
interface RenderRun {
  analyzeSeconds: number;
  renderJsonSeconds: number;
  renderHtmlSeconds: number;
  jsonBytes: number;
  htmlBytes: number;
  peakRssMB: number;
}

function renderStage(path: string, htmlOut: string): RenderRun | string {
  const r = spawnSync(process.execPath, [join(here, 'stage.js'), 'render', path, htmlOut], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) return `exit ${r.status ?? `signal ${r.signal}`}: ${String(r.stderr).trim().split('\n').slice(0, 3).join(' | ').slice(0, 300)}`;
  const x = JSON.parse(r.stdout.trim().split('\n').pop()!) as StageResult & RenderRun & { seconds: number };
  return { analyzeSeconds: x.seconds, renderJsonSeconds: x.renderJsonSeconds, renderHtmlSeconds: x.renderHtmlSeconds, jsonBytes: x.jsonBytes, htmlBytes: x.htmlBytes, peakRssMB: x.peakRssMB };
}

interface Row {
  name: Name;
  path: string;
  packets: number;
  fileBytes: number;
  json: CliRun;
  /** null: the render stage failed (said when it happened). */
  html: RenderRun | null;
  tshark: PeerRun | null;
  tcptrace: PeerRun | null;
}

/** Issue 21's targets. */
const TARGET = { rssMB: 250, jsonMB: 10, htmlMB: 2, htmlSeconds: 10, tsharkRatio: 10 };

function main(): void {
  const captures = selected();
  if (captures.length === 0) {
    out('no capture selected\n');
    return;
  }
  for (const c of captures) ensure(c);
  stages(captures);

  const keep = arg('keep', '');
  const work = keep !== '' ? keep : mkdtempSync(join(tmpdir(), 'wirewhy-bench-out-'));
  mkdirSync(work, { recursive: true });
  // The reports' folder goes also when a stage throws or the run is interrupted (not with --keep).
  if (keep === '') {
    process.once('exit', () => rmSync(work, { recursive: true, force: true }));
    for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) process.once(sig, () => process.exit(code));
  }
  const peers = !process.argv.includes('--no-peers');
  const haveTshark = peers && installed('tshark');
  const haveTcptrace = peers && installed('tcptrace');
  out('\nthe command line, per capture (wall seconds; peers on the same file, right after wirewhy):\n');
  if (!peers) out('peers skipped (--no-peers)\n');
  else {
    if (!haveTshark) out('tshark: not installed, skipped (apt-get install tshark)\n');
    if (!haveTcptrace) out('tcptrace: not installed, skipped (apt-get install tcptrace)\n');
  }
  const rows: Row[] = [];
  for (const c of captures) {
    const packets = countPackets(c.path);
    out(`${c.name}: ${c.path} (${packets} packets, ${(statSync(c.path).size / 1e6).toFixed(0)} MB)\n`);
    const json = cli(c.path, 'json', join(work, `${c.name}.json`), join(work, `${c.name}.json.stat`));
    out(`  wirewhy json  ${json.seconds.toFixed(2)} s  peak ${json.peakRssMB === null ? '?' : json.peakRssMB.toFixed(0)} MB  ${(json.bytes / 1e6).toFixed(2)} MB  exit ${json.exit}\n`);
    const tshark = haveTshark ? peer('tshark', ['-q', '-z', 'conv,tcp', '-r', c.path]) : null;
    if (tshark) out(`  tshark -q -z conv,tcp  ${tshark.seconds.toFixed(2)} s (status ${tshark.status})  x${(tshark.seconds / json.seconds).toFixed(1)}\n`);
    const tcptrace = haveTcptrace ? peer('tcptrace', ['-n', c.path]) : null;
    if (tcptrace) out(`  tcptrace -n  ${tcptrace.seconds.toFixed(2)} s (status ${tcptrace.status})  x${(tcptrace.seconds / json.seconds).toFixed(1)}\n`);
    const rendered = renderStage(c.path, join(work, `${c.name}.html`));
    const html = typeof rendered === 'string' ? null : rendered;
    if (html === null) out(`  html (stage.js render): ${rendered as string}\n`);
    else {
      out(`  html  analysis ${html.analyzeSeconds.toFixed(2)} s, then JSON ${html.renderJsonSeconds.toFixed(2)} s, HTML ${html.renderHtmlSeconds.toFixed(2)} s  peak ${html.peakRssMB.toFixed(0)} MB  ${(html.htmlBytes / 1e6).toFixed(2)} MB\n`);
      if (html.jsonBytes !== json.bytes) out(`  (the render stage's JSON has ${html.jsonBytes} bytes, the command line's ${json.bytes})\n`);
    }
    rows.push({ name: c.name, path: c.path, packets, fileBytes: statSync(c.path).size, json, html, tshark, tcptrace });
  }
  if (keep === '') rmSync(work, { recursive: true, force: true });
  else out(`reports kept in ${work}\n`);

  // The table.
  const cols: Array<[string, number, (r: Row) => string]> = [
    ['capture', 13, (r) => r.name],
    ['packets', 9, (r) => String(r.packets)],
    ['MB', 6, (r) => (r.fileBytes / 1e6).toFixed(0)],
    ['json s', 7, (r) => r.json.seconds.toFixed(2)],
    ['Mpkt/s', 6, (r) => (r.packets / r.json.seconds / 1e6).toFixed(2)],
    ['peak MB', 7, (r) => (r.json.peakRssMB === null ? '?' : r.json.peakRssMB.toFixed(0))],
    ['JSON MB', 7, (r) => (r.json.bytes / 1e6).toFixed(2)],
    ['HTML MB', 7, (r) => (r.html ? (r.html.htmlBytes / 1e6).toFixed(2) : '?')],
    ['HTML s', 6, (r) => (r.html ? r.html.renderHtmlSeconds.toFixed(2) : '?')],
    ['HTML peak', 9, (r) => (r.html ? r.html.peakRssMB.toFixed(0) : '?')],
    ['exit', 4, (r) => r.json.exit],
    ['tshark s', 8, (r) => (r.tshark ? r.tshark.seconds.toFixed(2) : '-')],
    ['x tshark', 8, (r) => (r.tshark ? (r.tshark.seconds / r.json.seconds).toFixed(1) : '-')],
    ['tcptrace s', 10, (r) => (r.tcptrace ? r.tcptrace.seconds.toFixed(2) : '-')],
    ['x tcptrace', 10, (r) => (r.tcptrace ? (r.tcptrace.seconds / r.json.seconds).toFixed(1) : '-')],
  ];
  out('\n' + cols.map(([h, w], i) => (i === 0 ? h.padEnd(w) : h.padStart(w))).join(' ') + '\n');
  for (const r of rows) out(cols.map(([, w, f], i) => (i === 0 ? f(r).padEnd(w) : f(r).padStart(w))).join(' ') + '\n');
  out('(x tshark, x tcptrace: the peer\'s seconds over wirewhy\'s JSON run; HTML s: its rendering after the analysis; HTML peak: that process\'s, analysis and both renders)\n');

  // The targets (issue 21).
  const missed: string[] = [];
  for (const r of rows) {
    const why: string[] = [];
    if (r.json.exit !== '0' && r.json.exit !== '1') why.push(`exit ${r.json.exit}`);
    if (r.json.peakRssMB === null || r.json.peakRssMB >= TARGET.rssMB) why.push(`peak RSS ${r.json.peakRssMB === null ? '?' : r.json.peakRssMB.toFixed(0)} MB >= ${TARGET.rssMB}`);
    if (r.json.bytes >= TARGET.jsonMB * 1e6) why.push(`JSON ${(r.json.bytes / 1e6).toFixed(1)} MB >= ${TARGET.jsonMB}`);
    if (r.html === null) why.push('HTML not rendered');
    else {
      if (r.html.peakRssMB >= TARGET.rssMB) why.push(`HTML peak RSS ${r.html.peakRssMB.toFixed(0)} MB >= ${TARGET.rssMB}`);
      if (r.html.htmlBytes >= TARGET.htmlMB * 1e6) why.push(`HTML ${(r.html.htmlBytes / 1e6).toFixed(1)} MB >= ${TARGET.htmlMB}`);
      if (r.html.renderHtmlSeconds >= TARGET.htmlSeconds) why.push(`HTML ${r.html.renderHtmlSeconds.toFixed(1)} s >= ${TARGET.htmlSeconds}`);
    }
    if ((r.name === 'mixed' || r.name === 'failure-rich') && r.tshark && r.tshark.seconds / r.json.seconds < TARGET.tsharkRatio) {
      why.push(`x tshark ${(r.tshark.seconds / r.json.seconds).toFixed(1)} < ${TARGET.tsharkRatio}`);
    }
    if (why.length > 0) missed.push(`${r.name}: ${why.join('; ')}`);
  }
  const unmeasured = rows.filter((r) => (r.name === 'mixed' || r.name === 'failure-rich') && !r.tshark).map((r) => r.name);
  out(`\ntargets (peak RSS < ${TARGET.rssMB} MB, JSON < ${TARGET.jsonMB} MB, HTML < ${TARGET.htmlMB} MB, HTML s < ${TARGET.htmlSeconds}, exit 0/1; mixed and failure-rich: >= ${TARGET.tsharkRatio}x tshark): `);
  out(missed.length === 0 ? 'all met\n' : `missed\n${missed.map((m) => `  ${m}\n`).join('')}`);
  if (unmeasured.length > 0) out(`(not measured: the ratio to tshark on ${unmeasured.join(' and ')})\n`);
}

main();
