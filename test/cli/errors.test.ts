/**
 * Bad input through the real executable: one line on stderr (what, where, what to do), exit
 * status 2 when nothing can be read, never a stack trace; a partly damaged file still gives
 * its report with a warning naming where the damage starts.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { pcapFile, pcapngFile } from '../helpers/pcap.js';
import { REPO } from '../tshark-fixture.js';

const BIN = join(REPO, 'dist/src/cli/main.js');
const tmp = tempDir('wirewhy-cli-');

function run(args: string[], input?: Uint8Array): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, bytes: Uint8Array): string {
  const p = join(tmp, name);
  writeFileSync(p, bytes);
  return p;
}

const frames = Array.from({ length: 6 }, (_, i) => ({ ts: 1_700_000_000 + i, frame: new Uint8Array(60).fill(i) }));
const good = pcapFile({ linkType: 1 }, frames);

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('bad input', () => {
  it('empty file', () => {
    const r = run(['analyze', file('empty.pcap', new Uint8Array(0))]);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/empty\.pcap: .*empty \(0 bytes\); check that the capture was written completely/);
  });

  it('wrong magic', () => {
    const r = run([file('notes.pcap', new TextEncoder().encode('hello, this is text\n'))]);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/not a pcap or pcapng capture .*text.*editcap -F pcapng/);
  });

  it('missing file and directory', () => {
    expect(oneLine(run(['analyze', join(tmp, 'nope.pcap')]).stderr)).toMatch(/no such file/);
    const d = run(['analyze', tmp]);
    expect(d.status).toBe(2);
    expect(oneLine(d.stderr)).toMatch(/directory/);
  });

  it('first record over 256 KiB: nothing readable', () => {
    const b = good.slice();
    new DataView(b.buffer).setUint32(24 + 8, 300_000, true);
    const r = run(['analyze', file('huge-first.pcap', b)]);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/record length 300000 is over 262144 .*at byte offset 24/);
  });

  it('damage after some packets: report still produced, warning names the offset and frame', () => {
    const b = good.slice();
    const fourth = 24 + 3 * (16 + 60);
    new DataView(b.buffer).setUint32(fourth + 8, 300_000, true);
    const r = run(['analyze', '--format', 'json', file('huge-later.pcap', b)]);
    expect(r.status).toBe(0);
    expect(oneLine(r.stderr)).toMatch(new RegExp(`warning: .*file offset ${fourth} \\(where frame 4 would start\\); 3 packets before it were read`));
    const rep = JSON.parse(r.stdout);
    expect(rep.capture.packets).toBe(3);
    expect(rep.capture.damage).toEqual({ offset: fourth, frame: 4, message: expect.stringMatching(/262144/) });
  });

  it('pcapng block running past the end of the file', () => {
    const ng = pcapngFile({ interfaces: [{ linkType: 1 }] }, frames);
    const cut = ng.subarray(0, ng.length - 30);
    const r = run(['analyze', '--format', 'json', file('cut.pcapng', cut)]);
    expect(r.status).toBe(0);
    expect(oneLine(r.stderr)).toMatch(/ends in the middle of a packet record .*where frame 6 would start/);
    expect(JSON.parse(r.stdout).capture.packets).toBe(5);
  });

  it('standard input, and garbage on standard input', () => {
    const ok = run(['analyze', '--format', 'json', '-'], good);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).capture).toMatchObject({ source: 'stdin', packets: 6 });
    const bad = run(['analyze', '-'], new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(bad.status).toBe(2);
    expect(oneLine(bad.stderr)).toMatch(/stdin is not a pcap or pcapng capture/);
  });

  it('bad usage exits 2', () => {
    const r = run(['analyze', '--format', 'yaml', 'x.pcap']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/format/);
    expect(run([]).status).toBe(2);
  });

  it('--help and --version exit 0', () => {
    expect(run(['--help']).status).toBe(0);
    expect(run(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('a reader that stops early', () => {
  it('closing standard output early (| head) ends quietly, no EPIPE trace', async () => {
    const { spawn } = await import('node:child_process');
    const { readdirSync } = await import('node:fs');
    const samples = readdirSync(join(REPO, 'samples')).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(REPO, 'samples', f));
    // Every sample, every record, as HTML (~200 KB, more than a pipe holds); the reader is gone
    // before the first byte is written.
    const p = spawn(process.execPath, [BIN, ...samples, '--all', '--format', 'html'], { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout.destroy();
    let err = '';
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const code = await new Promise<number | null>((res) => p.on('exit', (c) => res(c)));
    expect(err).toBe('');
    expect(code).toBe(1);
  });
});
