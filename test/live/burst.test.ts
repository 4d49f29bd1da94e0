/**
 * Acceptance 2 (root, or a node with cap_net_raw): a bounded burst of 200 000 UDP datagrams on
 * loopback, sent as fast as one process can, captured with a filter and written to a file. The
 * kernel's drop count must be in the report (a number, not null), no datagram may vanish
 * unaccounted (captured + dropped >= sent), and the file must hold exactly what was captured.
 *
 * On loopback the kernel puts each datagram in the capture ring twice (outgoing and incoming;
 * libpcap discards the outgoing copy), so the drop counter counts both copies: it is an upper
 * bound of the datagrams lost. The figures are printed for the README's note.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCapture } from '../../src/capture/open.js';
import { CaptureRun, IS_ROOT, missing, run, skipNote } from './env.js';
import { REPO } from '../tshark-fixture.js';

const reason = IS_ROOT ? missing([], true) : 'needs root to capture on lo; CI runs it as root';
skipNote('live/burst', reason);

const N = 200_000;

describe.skipIf(reason !== null)('loopback burst', () => {
  it(`captures a burst of ${N} datagrams and reports the kernel's drops`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wirewhy-burst-'));
    try {
      const port = 40000 + (process.pid % 20000);
      const file = join(dir, 'burst.pcapng');
      const report = join(dir, 'report.json');
      const cap = new CaptureRun(['capture', '-i', 'lo', '-f', `udp and dst port ${port}`, '-w', file, '--format', 'json', '-o', report]);
      await cap.waitFor((j) => j['type'] === 'start', 15_000);
      const t0 = Date.now();
      const gen = await run(process.execPath, [join(REPO, 'test/live/udp-burst.mjs'), String(port), String(N)], 120_000);
      expect(gen.code, gen.out).toBe(0);
      const sent = Number(/sent (\d+)/.exec(gen.out)![1]);
      const sendPps = Number(/pps (\d+)/.exec(gen.out)![1]);
      // Let the capture drain its ring, then Ctrl-C.
      await new Promise((r) => setTimeout(r, 2000));
      cap.child.kill('SIGINT');
      const exit = await cap.exited;
      expect(exit.code, cap.stderr).toBe(0);
      const stop = cap.json().find((j) => j['type'] === 'stop')!;
      const r = JSON.parse(readFileSync(report, 'utf8')) as { capture: { packets: number; drops: number | null; warnings: string[] } };
      const captured = r.capture.packets;
      const dropped = r.capture.drops;
      expect(typeof dropped).toBe('number');
      expect(captured).toBeLessThanOrEqual(sent);
      expect(captured + dropped!).toBeGreaterThanOrEqual(sent);
      if (dropped! > 0) expect(r.capture.warnings.join(' ')).toMatch(/dropped \d+ packets/);
      const src = await openCapture(file);
      const back = await src.forEach(() => undefined);
      expect(back.packets).toBe(captured);
      expect(back.drops).toBe(dropped);
      console.log(`[live/burst] sent ${sent} datagrams in ${(sent / sendPps).toFixed(2)} s (${sendPps} pkt/s); captured ${captured}, lost ${sent - captured}; ` +
        `kernel drop counter ${dropped} (both loopback copies counted), kernel saw ${String(stop['kernelReceived'])}; test took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
