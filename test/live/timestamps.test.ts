/**
 * Issue 24, acceptance 2 (root, tcpdump): the -w file carries the kernel's timestamps. tcpdump
 * (nanosecond precision) and two `wirewhy capture -w` runs (pcapng; and pcap by extension, in
 * immediate mode) capture the same paced datagrams on loopback at once; every packet tcpdump has
 * is in each wirewhy file, with the same link type, and its timestamp within 10 µs of tcpdump's
 * (pcapng; the pcap file, in microseconds, within 10 µs of tcpdump's cut to microseconds). The
 * files must also open in tshark. The deltas are printed.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { tempDirForTest } from '../helpers/tmp.js';
import { join } from 'node:path';
import { openCapture } from '../../src/capture/open.js';
import { CaptureRun, IS_ROOT, PATHS, Tcpdump, UdpBurst, burstMarker, burstSeq, has, missing, skipNote } from './env.js';
import { REPO } from '../tshark-fixture.js';

const reason = IS_ROOT ? missing(['tcpdump'], true) : 'needs root to capture on lo; CI runs it as root';
skipNote('live/timestamps', reason);

const N = 2000;

/** seq -> timestamp in ns, and the file's first link type. */
async function stamps(file: string, burst: UdpBurst): Promise<{ ts: Map<number, bigint>; linkType: number | null; packets: number }> {
  const src = await openCapture(file);
  const ts = new Map<number, bigint>();
  const info = await src.forEach((p) => {
    const s = burstSeq(p.buf, p.off, p.capLen);
    if (s >= 0 && burstMarker(p.buf, p.off, p.capLen) === burst.marker) ts.set(s, BigInt(p.tsSec) * 1_000_000_000n + BigInt(p.tsNsec));
  });
  return { ts, linkType: info.interfaces[0]?.linkType ?? null, packets: info.packets };
}

describe.skipIf(reason !== null)('-w timestamps equal tcpdump\'s (root)', () => {
  it(`${N} datagrams on lo, tcpdump and wirewhy (pcapng and pcap) at once: same packets, same link type, timestamps within 10 µs`, async () => {
    const dir = tempDirForTest('wirewhy-ts-');
    // Both ports chosen by the kernel and a marker: the filter lets no other traffic on lo in.
    const burst = await UdpBurst.start(join(REPO, 'test/live/udp-burst.mjs'), N, 2000);
    try {
      const filter = burst.filter;
      const td = new Tcpdump(['-i', 'lo', '-n', '--time-stamp-precision=nano', '-w', join(dir, 'tcpdump.pcap'), filter]);
      const ng = new CaptureRun(['capture', '-i', 'lo', '-f', filter, '-w', join(dir, 'ww.pcapng'), '--format', 'json', '-o', join(dir, 'r1.json')]);
      // The pcap run in immediate mode (libpcap's TPACKET_V2 path, a packet per slot).
      const pc = new CaptureRun(['capture', '-i', 'lo', '-f', filter, '--immediate', '-s', '512', '-w', join(dir, 'ww.pcap'), '--format', 'json', '-o', join(dir, 'r2.json')]);
      await td.listening();
      await ng.waitFor((j) => j['type'] === 'start', 15_000);
      await pc.waitFor((j) => j['type'] === 'start', 15_000);
      const start = ng.json().find((j) => j['type'] === 'start')!;
      expect(start).toMatchObject({ binding: 'wwpcap', timestamps: 'kernel-ns', immediate: false });
      expect(pc.json().find((j) => j['type'] === 'start')).toMatchObject({ binding: 'wwpcap', immediate: true, snaplen: 512 });
      const gen = await burst.go(60_000);
      expect(gen.code, gen.out).toBe(0);
      // tcpdump hands a block of its ring over only when full or after its 1 s timeout, and loses
      // the block still open when it is stopped: wait past that timeout before stopping anyone.
      await new Promise((r) => setTimeout(r, 2000));
      const tdStats = await td.stop();
      ng.child.kill('SIGINT');
      pc.child.kill('SIGINT');
      expect((await ng.exited).code, ng.stderr).toBe(0);
      expect((await pc.exited).code, pc.stderr).toBe(0);

      const ref = await stamps(join(dir, 'tcpdump.pcap'), burst);
      const a = await stamps(join(dir, 'ww.pcapng'), burst);
      const b = await stamps(join(dir, 'ww.pcap'), burst);
      expect(ref.ts.size, `tcpdump: ${JSON.stringify(tdStats)}`).toBe(N);
      expect(a.linkType).toBe(ref.linkType);
      expect(b.linkType).toBe(ref.linkType);
      let maxA = 0n;
      let maxB = 0n;
      let exactA = 0;
      const missingA: number[] = [];
      const missingB: number[] = [];
      for (const [seq, t] of ref.ts) {
        const ta = a.ts.get(seq);
        const tb = b.ts.get(seq);
        if (ta === undefined) missingA.push(seq);
        else {
          const d = ta > t ? ta - t : t - ta;
          if (d > maxA) maxA = d;
          if (d === 0n) exactA++;
        }
        if (tb === undefined) missingB.push(seq);
        else {
          const tu = (t / 1000n) * 1000n; // tcpdump's time cut to microseconds
          const d = tb > tu ? tb - tu : tu - tb;
          if (d > maxB) maxB = d;
        }
      }
      console.log(`[live/timestamps] ${N} datagrams: pcapng ${exactA}/${ref.ts.size} timestamps equal to tcpdump's to the nanosecond, largest difference ${maxA} ns; pcap (µs) largest difference from tcpdump's cut to µs ${maxB} ns`);
      expect(missingA.slice(0, 10)).toEqual([]);
      expect(missingB.slice(0, 10)).toEqual([]);
      expect(maxA).toBeLessThanOrEqual(10_000n);
      expect(maxB).toBeLessThanOrEqual(10_000n);

      // Wireshark's tools open both files and see the same packets.
      if (has('tshark')) {
        for (const f of ['ww.pcapng', 'ww.pcap']) {
          const r = spawnSync('tshark', ['-r', join(dir, f), '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', env: { ...process.env, PATH: PATHS } });
          expect(r.status, r.stderr).toBe(0);
          expect(r.stdout.trim().split('\n').length).toBe(f.endsWith('ng') ? a.packets : b.packets);
        }
      } else console.log('[live/timestamps] tshark not installed: the files were read with wirewhy\'s reader only');
    } finally {
      burst.cancel();
    }
  }, 120_000);
});
