/**
 * `capture -w` closes its file properly on every way out — SIGINT, SIGTERM, SIGHUP, a read that
 * fails mid-capture, a report that cannot be written (a failing analysis output), a count — and,
 * killed with SIGKILL, still leaves a readable file up to its last flush. No root needed: the
 * capture runs through test/live/fake-pcap.cjs (the binding's shape, replaying a sample), so the
 * writer, the stop paths and the exit handling are the real ones.
 *
 * "Closed properly" is checked on the bytes: the file reads back with wirewhy's reader without
 * damage, holds as many packets as the report counted, and (pcapng) ends with the Interface
 * Statistics Block written at close; tshark reads it when installed.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, existsSync } from 'node:fs';
import { tempDir } from '../helpers/tmp.js';
import { join } from 'node:path';
import { openCapture } from '../../src/capture/open.js';
import { CaptureRun, PATHS, has } from './env.js';
import { REPO, SAMPLES } from '../tshark-fixture.js';

const dir = tempDir('wirewhy-wexit-');
const FAKE = join(REPO, 'test/live/fake-pcap.cjs');
const SAMPLE = join(SAMPLES, 'multi-failure.pcap'); // 43 packets, several failures

function run(args: string[], env: Record<string, string> = {}): CaptureRun {
  const saved = { ...process.env };
  Object.assign(process.env, { WIREWHY_CAP_MODULE: FAKE, WIREWHY_FAKE_PCAP: SAMPLE, ...env });
  try {
    return new CaptureRun(['capture', '-i', 'fake0', ...args]);
  } finally {
    process.env = saved;
  }
}

async function readBack(file: string): Promise<{ packets: number; drops: number | null; damaged: boolean; warnings: string[] }> {
  const src = await openCapture(file);
  const info = await src.forEach(() => undefined);
  return { packets: info.packets, drops: info.drops, damaged: info.damage !== null, warnings: info.warnings };
}

/** Last pcapng block type (5 = Interface Statistics Block), read from the end of the file. */
function lastBlockType(file: string): number {
  const b = readFileSync(file);
  const len = b.readUInt32LE(b.length - 4);
  return b.readUInt32LE(b.length - len);
}

function tsharkCount(file: string): number | null {
  if (!has('tshark')) return null;
  const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', env: { ...process.env, PATH: PATHS } });
  if (r.status !== 0) return NaN;
  return r.stdout.trim().split('\n').filter(Boolean).length;
}

async function waitPackets(cap: CaptureRun): Promise<void> {
  await cap.waitFor((j) => j['type'] === 'start', 15_000);
  // The stand-in hands the 43 packets over in one batch 20 ms after opening.
  await new Promise((r) => setTimeout(r, 400));
}

describe('-w is closed properly on every way out', () => {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${sig}: the report, and a complete pcapng file with its statistics block`, async () => {
      const file = join(dir, `${sig}.pcapng`);
      const cap = run(['-w', file, '--format', 'json']);
      await waitPackets(cap);
      cap.child.kill(sig);
      const exit = await cap.exited;
      expect(exit.signal, cap.stderr).toBeNull();
      expect(exit.code, cap.stderr).toBe(1); // multi-failure.pcap holds failures
      const report = JSON.parse(cap.stdout) as { capture: { packets: number; drops: number } };
      expect(report.capture.packets).toBe(43);
      expect(cap.json().find((j) => j['type'] === 'stop')).toMatchObject({ reason: sig, written: 43 });
      const back = await readBack(file);
      expect(back).toMatchObject({ packets: 43, drops: 0, damaged: false });
      expect(lastBlockType(file)).toBe(5);
      const t = tsharkCount(file);
      if (t !== null) expect(t).toBe(43);
    });
  }

  it('a read that fails mid-capture: the report of what came before, one error line, exit 2, the file closed', async () => {
    const file = join(dir, 'readfail.pcap');
    const cap = run(['-w', file, '--format', 'json'], { WIREWHY_FAKE_PCAP_BATCH: '10', WIREWHY_FAKE_PCAP_FAIL_AFTER: '20' });
    const exit = await cap.exited;
    expect(exit.code, cap.stderr).toBe(2);
    const report = JSON.parse(cap.stdout) as { capture: { packets: number; warnings: string[] } };
    expect(report.capture.packets).toBe(20);
    expect(report.capture.warnings.join(' ')).toMatch(/the capture stopped early: libpcap failed to read from fake0 \(The interface disappeared/);
    const last = cap.stderr.trimEnd().split('\n').pop()!;
    expect(last).toMatch(/^wirewhy: capture on fake0 failed: The interface disappeared .*; the report above covers what was captured before/);
    expect(cap.json().find((j) => j['type'] === 'stop')).toMatchObject({ reason: 'error', written: 20 });
    // pcap (by extension): complete records only, exactly the size they take.
    const back = await readBack(file);
    expect(back).toMatchObject({ packets: 20, damaged: false });
    const t = tsharkCount(file);
    if (t !== null) expect(t).toBe(20);
  });

  it('-o into a missing folder: refused before capturing, one line, exit 2', async () => {
    const file = join(dir, 'never.pcapng');
    const cap = run(['-w', file, '-c', '43', '--format', 'json', '-o', join(dir, 'no/such/folder/r.json'), '-q']);
    const exit = await cap.exited;
    expect(exit.code, cap.stderr).toBe(2);
    expect(cap.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^wirewhy: cannot write the report to \S+r\.json \(no such folder\)/)]);
    expect(existsSync(file)).toBe(false);
  });

  it('a report that cannot be written at the end (-o /dev/full): exit 2, one line, and the -w file is complete', async () => {
    const file = join(dir, 'badreport.pcapng');
    const cap = run(['-w', file, '-c', '43', '--format', 'json', '-o', '/dev/full', '-q']);
    const exit = await cap.exited;
    expect(exit.signal).toBeNull();
    expect(exit.code, cap.stderr).toBe(2);
    expect(cap.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^wirewhy: cannot write the report to \/dev\/full \(.*\(\S+badreport\.pcapng is complete\)$/)]);
    const back = await readBack(file);
    expect(back).toMatchObject({ packets: 43, drops: 0, damaged: false });
    expect(lastBlockType(file)).toBe(5);
  });

  it('-w /dev/full: refused at once (the file header cannot be written), one line, exit 2', async () => {
    const cap = run(['-w', '/dev/full', '-c', '43', '--format', 'json']);
    const exit = await cap.exited;
    expect(exit.code, cap.stderr).toBe(2);
    expect(cap.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^wirewhy: cannot write \/dev\/full: ENOSPC/)]);
  });

  it.skipIf(!has('prlimit'))('the file stops growing mid-capture (file size limit): the report, then one line, exit 2; no stack trace', async () => {
    // RLIMIT_FSIZE 2000 bytes: the header fits, the packets do not (node ignores SIGXFSZ, so the
    // write fails with EFBIG, as on a full disk).
    const file = join(dir, 'limited.pcapng');
    const saved = { ...process.env };
    Object.assign(process.env, { WIREWHY_CAP_MODULE: FAKE, WIREWHY_FAKE_PCAP: SAMPLE, WIREWHY_FAKE_PCAP_BATCH: '1' });
    let cap: CaptureRun;
    try {
      cap = new CaptureRun(['capture', '-i', 'fake0', '-w', file, '--format', 'json', '-d', '3'], ['prlimit', '--fsize=2000']);
    } finally {
      process.env = saved;
    }
    const exit = await cap.exited;
    expect(exit.signal, cap.stderr).toBeNull();
    expect(exit.code, cap.stderr).toBe(2);
    const report = JSON.parse(cap.stdout) as { capture: { packets: number } };
    expect(report.capture.packets).toBeGreaterThan(0);
    expect(cap.stderr.trimEnd().split('\n').pop()).toMatch(/^wirewhy: cannot write \S+limited\.pcapng: EFBIG.*the report above covers every packet captured/);
    expect(cap.stderr).not.toMatch(/\n\s+at /);
    expect(statSync(file).size).toBeLessThanOrEqual(2000);
  });

  it('SIGKILL (nothing can run): the file is still readable up to the last flush', async () => {
    const file = join(dir, 'killed.pcapng');
    const cap = run(['-w', file, '--format', 'json']);
    await waitPackets(cap);
    cap.child.kill('SIGKILL');
    await cap.exited;
    expect(statSync(file).size).toBeGreaterThan(0);
    const back = await readBack(file);
    expect(back).toMatchObject({ packets: 43, damaged: false, drops: null }); // no statistics block: it was killed
  });
});
