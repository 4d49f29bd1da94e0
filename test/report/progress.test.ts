/**
 * The progress bar: drawn on a terminal only, for big files only, redrawn in place on one line,
 * throttled, never past 99% before the end, and erased at the end; through a real pty
 * (`script`) the analyze command draws it on a big file and the report still comes out whole.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDirForTest } from '../helpers/tmp.js';
import { ProgressBar, PROGRESS_MIN_BYTES, estimateOffset, progressFor, progressLine, type ProgressStream } from '../../src/report/progress.js';
import { pcapFile } from '../helpers/pcap.js';
import { REPO } from '../tshark-fixture.js';

function fakeTty(isTTY = true, columns = 80): ProgressStream & { out: string } {
  const s = { isTTY, columns, out: '', write(x: string) { s.out += x; return true; } };
  return s;
}

describe('progress bar', () => {
  it('fits the terminal width and shows a percentage capped at 99', () => {
    const l = progressLine('wirewhy: big.pcap', 50, 100, 1234, 80);
    expect(l).toMatch(/^wirewhy: big\.pcap \[#{15}\.{15}\]  50%  1234 packets$/);
    expect(progressLine('x', 500, 100, 1, 80)).toContain(' 99%');
    expect(progressLine('wirewhy: a-very-long-name.pcap', 10, 100, 99999, 40).length).toBeLessThanOrEqual(39);
    expect(progressLine('wirewhy: a.pcap.gz', 10, null, 77, 80)).toBe('wirewhy: a.pcap.gz  77 packets');
  });

  it('redraws in place with \\r, throttled, and erases itself', () => {
    const tty = fakeTty();
    let t = 0;
    const bar = new ProgressBar(tty, 'wirewhy: f', 1000, { intervalMs: 100, now: () => t });
    bar.update(100, 10);
    t = 50;
    bar.update(200, 20); // throttled
    t = 200;
    bar.update(500, 50);
    expect(tty.out.split('\r').filter(Boolean)).toHaveLength(2);
    expect(tty.out).not.toContain('\n');
    expect(tty.out).toContain(' 10%');
    expect(tty.out).toContain(' 50%');
    expect(tty.out).not.toContain(' 20%');
    const before = tty.out.length;
    bar.finish();
    const tail = tty.out.slice(before);
    expect(tail).toMatch(/^\r +\r$/);
    expect(tail.length - 2).toBeGreaterThanOrEqual(tty.out.slice(0, before).split('\r').pop()!.length);
  });

  it('is only for a terminal, a file, and a big one', () => {
    expect(progressFor(fakeTty(false), 'a.pcap', PROGRESS_MIN_BYTES, false)).toBeNull();
    expect(progressFor(fakeTty(true), '-', null, false)).toBeNull();
    expect(progressFor(fakeTty(true), 'a.pcap', PROGRESS_MIN_BYTES - 1, false)).toBeNull();
    expect(progressFor(fakeTty(true), 'a.pcap', PROGRESS_MIN_BYTES, false)).not.toBeNull();
  });

  it('estimates the file position from what was read', () => {
    // pcap: 24-byte header, 16 bytes per record.
    expect(estimateOffset({ format: 'pcap', packets: 10, bytes: 600 })).toBe(24 + 160 + 600);
  });

  const haveScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!haveScript)('analyze draws it on a terminal (pty via script) and clears it; not when stderr is a pipe', () => {
    const dir = tempDirForTest('wirewhy-progress-');
    const frame = new Uint8Array(60);
    frame.set([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x88, 0xb5]); // Ethernet, local experimental EtherType
    const n = Math.ceil((PROGRESS_MIN_BYTES + 4096) / 76);
    const file = join(dir, 'big.pcap');
    writeFileSync(file, pcapFile({ linkType: 1 }, Array.from({ length: n }, (_, i) => ({ ts: 1_700_000_000 + i / 1000, frame }))));
    const bin = join(REPO, 'dist/src/cli/main.js');
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} analyze ${JSON.stringify(file)} >/dev/null`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\rwirewhy: .*big\.pcap \[[#.]+\] +\d+%  \d+ packets/);
    expect(r.stdout).toMatch(/\r +\r$/);
    // Standard error not a terminal: nothing drawn.
    const piped = spawnSync(process.execPath, [bin, 'analyze', file], { encoding: 'utf8', timeout: 120_000 });
    expect(piped.stderr).toBe('');
  });
});
