/**
 * `npm run bench`: generates the deterministic ~1 GiB mixed capture outside the repository
 * (once; reused while its size matches), then runs each stage in a fresh process and prints
 * packets/s, MB/s and peak RSS. Then the same for the short-connections capture (one million
 * short TCP connections, also generated once), stages track and analyze, one run each: its
 * point is memory, which must follow the connections open at once, not the total. Likewise a
 * capture of one million DNS queries, each for a name of its own (a resolver's traffic): memory
 * must follow the queries in flight. "warm Mpkt/s" (track, analyze) is the rate over the packets
 * after the first 300k, to the end (report included): what is left without the JIT's warm-up.
 * Packets/s are of the whole run, warm-up included.
 *
 *   node dist/bench/run.js [--file PATH] [--bytes N] [--stages read,decode] [--repeat N]
 *                          [--short-conns N]   (connections of the short capture; 0 skips it)
 *                          [--dns N]           (queries of the DNS capture; 0 skips it)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, mixedCapturePath } from './args.js';

const here = dirname(fileURLToPath(import.meta.url));

const bytes = Number(arg('bytes', String(1 << 30)));
const file = arg('file', mixedCapturePath(bytes));
const stages = arg('stages', 'read,decode,track,analyze').split(',');
const repeat = Number(arg('repeat', '3'));

if (!existsSync(file) || statSync(file).size < bytes * 0.9) {
  process.stdout.write(`generating ${file} (${(bytes / 2 ** 20).toFixed(0)} MiB, deterministic)...\n`);
  const g = spawnSync(process.execPath, [join(here, 'gen.js'), '--out', file, '--bytes', String(bytes)], { stdio: 'inherit' });
  if (g.status !== 0) process.exit(g.status ?? 1);
}

interface Result {
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

function runStage(stage: string, path: string): Result {
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', join(here, 'stage.js'), stage, path], { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    process.exit(1);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Result;
}

const rows: Result[] = [];
for (const stage of stages) {
  // Best of `repeat` runs: the machine's other load only ever makes a run slower.
  let best: Result | null = null;
  for (let i = 0; i < repeat; i++) {
    const res = runStage(stage, file);
    const peak = Math.max(res.peakRssMB, best === null ? 0 : best.peakRssMB);
    best = best === null || res.seconds < best.seconds ? res : best;
    best.peakRssMB = peak;
  }
  rows.push(best!);
}

/** The track and analyze stages over a generated capture of `n` flows of `mode` (made once). */
function flowCapture(mode: 'short-conns' | 'dns', n: number, what: string, label: string): void {
  const path = join(dirname(file), `${mode}-${n}.pcap`);
  if (!existsSync(path)) {
    process.stdout.write(`generating ${path} (${n} ${what}, deterministic)...\n`);
    const g = spawnSync(process.execPath, [join(here, 'gen.js'), '--mode', mode, '--conns', String(n), '--out', path], { stdio: 'inherit' });
    if (g.status !== 0) process.exit(g.status ?? 1);
  }
  for (const stage of ['track', 'analyze']) {
    const res = runStage(stage, path);
    res.stage = `${label}:${stage}`;
    rows.push(res);
  }
  process.stdout.write(`\n${what}: ${path}\n`);
}

const shortConns = Number(arg('short-conns', '1000000'));
if (shortConns > 0) flowCapture('short-conns', shortConns, 'short TCP connections', 'short');
const dnsQueries = Number(arg('dns', '1000000'));
if (dnsQueries > 0) flowCapture('dns', dnsQueries, 'DNS queries (a resolver\'s traffic)', 'dns');

const fmt = (n: number, d = 2): string => n.toFixed(d);
process.stdout.write(`\ncapture: ${file}\n`);
process.stdout.write(`${'stage'.padEnd(14)} ${'packets'.padStart(10)} ${'seconds'.padStart(8)} ${'cpu s'.padStart(6)} ${'main s'.padStart(6)} ${'Mpkt/s'.padStart(8)} ${'MB/s'.padStart(8)} ${'peak RSS MB'.padStart(12)} ${'RSS after MB'.padStart(13)} ${'peak open'.padStart(10)} ${'warm Mpkt/s'.padStart(12)}\n`);
for (const r of rows) {
  process.stdout.write(
    `${r.stage.padEnd(14)} ${String(r.packets).padStart(10)} ${fmt(r.seconds).padStart(8)} ${(r.cpuSeconds === undefined ? '' : fmt(r.cpuSeconds)).padStart(6)} ${(r.mainCpuSeconds === undefined ? '' : fmt(r.mainCpuSeconds)).padStart(6)} ${fmt(r.packets / r.seconds / 1e6).padStart(8)} ${fmt(r.bytes / r.seconds / 1e6, 0).padStart(8)} ${fmt(r.peakRssMB, 0).padStart(12)} ${(r.rssAfterMB === undefined ? '' : fmt(r.rssAfterMB, 0)).padStart(13)} ${(r.peakOpen === undefined ? '' : String(r.peakOpen)).padStart(10)} ${(r.warmSeconds === undefined || r.warmPackets === undefined ? '' : fmt(r.warmPackets / r.warmSeconds / 1e6)).padStart(12)}\n`,
  );
}
