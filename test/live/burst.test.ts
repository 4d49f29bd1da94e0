/**
 * Issue 24, acceptance 3 (root, tcpdump): bursts on loopback.
 *
 * 1. 200 000 UDP datagrams sent as fast as one process can, captured at once by tcpdump (its
 *    defaults) and by `wirewhy capture -w`: the -w file holds at least 99 % of what tcpdump
 *    captured; the report's drop counter is libpcap's (pcap_stats ps_drop: the same number in the
 *    report, the stop line and the file's statistics block, and pcap_stats' ps_recv is exactly
 *    two per datagram, loopback's two copies); no datagram vanishes uncounted (lost <= dropped);
 *    none is written twice. The capture filter matches the burst's datagrams and nothing else
 *    (both ports chosen by the kernel and held by the sender, and a random marker in each
 *    payload: env.ts UdpBurst), so another run's traffic on lo cannot change these counts.
 * 2. The same accounting when drops are certain: wirewhy is stopped (SIGSTOP) while 50 000
 *    datagrams arrive, with a 2 MiB ring; then it resumes and is stopped with Ctrl-C.
 * Figures (rates, drops, wirewhy's CPU time) are printed for the README.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { tempDirForTest } from '../helpers/tmp.js';
import { join } from 'node:path';
import { openCapture } from '../../src/capture/open.js';
import { CaptureRun, IS_ROOT, Tcpdump, UdpBurst, burstMarker, burstSeq, missing, skipNote } from './env.js';
import { REPO } from '../tshark-fixture.js';

const reason = IS_ROOT ? missing(['tcpdump'], true) : 'needs root to capture on lo; CI runs it as root';
skipNote('live/burst', reason);

const N = 200_000;

const SENDER = join(REPO, 'test/live/udp-burst.mjs');

interface FileFacts {
  packets: number;
  drops: number | null;
  seqs: number;
  duplicates: number;
  /** Packets without the burst's marker or with a sequence number it never sent (the filter lets none through). */
  foreign: number;
}

async function fileFacts(file: string, burst: UdpBurst): Promise<FileFacts> {
  const src = await openCapture(file);
  const seen = new Set<number>();
  let duplicates = 0;
  let foreign = 0;
  const info = await src.forEach((p) => {
    const s = burstSeq(p.buf, p.off, p.capLen);
    if (s < 0 || s >= burst.count || burstMarker(p.buf, p.off, p.capLen) !== burst.marker) {
      foreign++;
      return;
    }
    if (seen.has(s)) duplicates++;
    seen.add(s);
  });
  return { packets: info.packets, drops: info.drops, seqs: seen.size, duplicates, foreign };
}

interface Report {
  capture: { packets: number; drops: number | null; ifDrops?: number; warnings: string[] };
}

describe.skipIf(reason !== null)('loopback bursts (root)', () => {
  it(`${N} datagrams as fast as they go: wirewhy's -w file holds >= 99 % of what tcpdump beside it captured; drops are pcap_stats'`, async () => {
    const dir = tempDirForTest('wirewhy-burst-');
    const burst = await UdpBurst.start(SENDER, N);
    try {
      const filter = burst.filter;
      const td = new Tcpdump(['-i', 'lo', '-n', '-w', join(dir, 'tcpdump.pcap'), filter]);
      const cap = new CaptureRun(['capture', '-i', 'lo', '-f', filter, '-w', join(dir, 'ww.pcapng'), '--format', 'json', '-o', join(dir, 'r.json')]);
      await td.listening();
      await cap.waitFor((j) => j['type'] === 'start', 15_000);
      const t0 = Date.now();
      const gen = await burst.go(120_000);
      expect(gen.code, gen.out).toBe(0);
      const sent = Number(/sent (\d+)/.exec(gen.out)![1]);
      expect(sent).toBe(N);
      const pps = Number(/pps (\d+)/.exec(gen.out)![1]);
      // Let both drain their rings, then Ctrl-C.
      await new Promise((r) => setTimeout(r, 2000));
      const tdStats = await td.stop();
      cap.child.kill('SIGINT');
      const exit = await cap.exited;
      expect(exit.code, cap.stderr).toBe(0);
      const stop = cap.json().find((j) => j['type'] === 'stop')!;
      const r = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as Report;
      const ww = await fileFacts(join(dir, 'ww.pcapng'), burst);
      const ref = await fileFacts(join(dir, 'tcpdump.pcap'), burst);
      console.log(`[live/burst] sent ${sent} datagrams at ${pps} pkt/s; tcpdump: file ${ref.seqs}, ${tdStats.dropped} dropped by the kernel; ` +
        `wirewhy: file ${ww.seqs} (${((100 * ww.seqs) / Math.max(1, ref.seqs)).toFixed(2)} % of tcpdump's), report drops ${String(r.capture.drops)}, ` +
        `pcap_stats received ${String(stop['kernelReceived'])}; wirewhy CPU ${String(stop['cpuSeconds'])} s; test ${((Date.now() - t0) / 1000).toFixed(1)} s`);

      expect([ww.foreign, ref.foreign]).toEqual([0, 0]);
      expect(ww.seqs).toBeGreaterThanOrEqual(Math.ceil(0.99 * ref.seqs));
      expect(ww.duplicates).toBe(0);
      expect(ww.packets).toBe(r.capture.packets);
      // The drop counter is pcap_stats': one number in the report, the stop line and the file.
      expect(typeof r.capture.drops).toBe('number');
      expect(stop['kernelDropped']).toBe(r.capture.drops);
      expect(ww.drops).toBe(r.capture.drops! + (r.capture.ifDrops ?? 0)); // the ISB: isb_osdrop (+ isb_ifdrop, 0 on lo)
      expect(stop['kernelReceived']).toBe(2 * sent);
      expect(sent - ww.seqs).toBeLessThanOrEqual(r.capture.drops!);
    } finally {
      burst.cancel();
    }
  }, 180_000);

  it('drops are counted when they are certain: 50 000 datagrams while wirewhy is stopped, a 2 MiB ring', async () => {
    const dir = tempDirForTest('wirewhy-burst-');
    const sentN = 50_000;
    const burst = await UdpBurst.start(SENDER, sentN);
    try {
      const filter = burst.filter;
      const cap = new CaptureRun(['capture', '-i', 'lo', '-B', '2', '-f', filter, '-w', join(dir, 'ww.pcapng'), '--format', 'json', '-o', join(dir, 'r.json')]);
      await cap.waitFor((j) => j['type'] === 'start', 15_000);
      cap.child.kill('SIGSTOP');
      let gen;
      try {
        gen = await burst.go(60_000);
      } finally {
        cap.child.kill('SIGCONT');
      }
      expect(gen.code, gen.out).toBe(0);
      expect(Number(/sent (\d+)/.exec(gen.out)![1])).toBe(sentN);
      await new Promise((r) => setTimeout(r, 1000));
      cap.child.kill('SIGINT');
      const exit = await cap.exited;
      expect(exit.code, cap.stderr).toBe(0);
      const stop = cap.json().find((j) => j['type'] === 'stop')!;
      const r = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as Report;
      const ww = await fileFacts(join(dir, 'ww.pcapng'), burst);
      const lost = sentN - ww.seqs;
      console.log(`[live/burst] wirewhy stopped during ${sentN} datagrams, 2 MiB ring: kept ${ww.seqs}, lost ${lost}, pcap_stats dropped ${String(r.capture.drops)} (both loopback copies), received ${String(stop['kernelReceived'])}`);
      expect(lost).toBeGreaterThan(0);
      expect(r.capture.drops!).toBeGreaterThanOrEqual(lost);
      expect(r.capture.drops!).toBeLessThanOrEqual(2 * sentN);
      expect(stop['kernelDropped']).toBe(r.capture.drops);
      expect(stop['kernelReceived']).toBe(2 * sentN);
      expect(ww.drops).toBe(r.capture.drops! + (r.capture.ifDrops ?? 0));
      expect(ww.duplicates).toBe(0);
      expect(ww.foreign).toBe(0);
      expect(r.capture.warnings.join(' ')).toMatch(new RegExp(`dropped ${r.capture.drops} packets`));
    } finally {
      burst.cancel();
    }
  }, 120_000);
});
