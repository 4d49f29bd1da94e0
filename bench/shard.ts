/**
 * A probe, not a product path: what would splitting the analysis by flow across worker threads
 * gain on this machine? Each of N workers reads and decodes the whole capture, keeps the packets
 * whose address pair hashes to it (so a connection, its DNS and the ICMP errors quoting it mostly
 * stay together) and runs the full analysis (report and JSON included, `--track` stops after
 * tracking) on those. The reports are not merged, so the time is a lower bound for a real
 * sharded analysis, which would also have to merge names, groups and records.
 *
 *   node dist/bench/shard.js [--file PATH] [--workers N] [--track] [--repeat N]
 *
 * Prints, per run, the wall time until every worker is done (their start included) and the
 * process's peak RSS so far. Compare with --workers 1 (one worker doing it all), alternately:
 *   for i in 1 2 3; do for n in 2 1; do node dist/bench/shard.js --workers $n; done; done
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { openCapture } from '../src/capture/open.js';
import { Analysis } from '../src/analyze.js';
import { renderJsonChunks } from '../src/report/json.js';
import { arg, mixedCapturePath } from './args.js';

interface Job {
  shard: number;
  shards: number;
  file: string;
  trackOnly: boolean;
}

/** A symmetric hash of the packet's address pair (0 without IP). */
function pairHash(a: Analysis): number {
  const p = a.pkt;
  let h = 0;
  if (p.ipVersion === 4) h = (p.src4 ^ p.dst4) >>> 0;
  else if (p.ipVersion === 6) {
    for (let i = 0; i < 16; i++) h = (h ^ ((p.nb[p.srcOff + i]! ^ p.nb[p.dstOff + i]!) << ((i & 3) * 8))) >>> 0;
  }
  return Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0;
}

async function work(job: Job): Promise<{ packets: number; bytes: number }> {
  const src = await openCapture(job.file);
  const a = new Analysis();
  let mine = 0;
  const info = await src.forEach((r) => {
    a.decoder.decode(r, a.pkt);
    if (pairHash(a) % job.shards !== job.shard) return;
    mine++;
    a.tracker.packet(a.pkt);
  });
  let bytes = 0;
  if (job.trackOnly) a.tracker.flush();
  else for (const piece of renderJsonChunks(a.report(info), 'en')) bytes += piece.length;
  return { packets: mine, bytes };
}

function run(file: string, shards: number, trackOnly: boolean): Promise<{ seconds: number; peakRssMB: number }> {
  const t0 = process.hrtime.bigint();
  const self = fileURLToPath(import.meta.url);
  return Promise.all(Array.from({ length: shards }, (_, shard) => new Promise<void>((done, fail) => {
    const w = new Worker(self, { workerData: { shard, shards, file, trackOnly } satisfies Job });
    w.once('message', () => done());
    w.once('error', fail);
  }))).then(() => ({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
}

if (!isMainThread) {
  const r = await work(workerData as Job);
  parentPort!.postMessage(r);
} else {
  const file = arg('file', mixedCapturePath(1 << 30));
  const shards = Number(arg('workers', '2'));
  const repeat = Number(arg('repeat', '1'));
  const trackOnly = process.argv.includes('--track');
  for (let i = 0; i < repeat; i++) {
    const r = await run(file, shards, trackOnly);
    process.stdout.write(`${trackOnly ? 'track' : 'analyze'} workers=${shards} seconds=${r.seconds.toFixed(2)} peakRssMB=${r.peakRssMB.toFixed(0)}\n`);
  }
}
