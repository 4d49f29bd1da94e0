/**
 * What a fuzz campaign and an abuse test found (issue 23), through the built executable:
 * damaged gzip captures still give their report, output errors and undecodable captures are one
 * line and exit 2, compressed formats other than gzip are named with the command that reads
 * them, and the command line's edges (bare `wirewhy`, a mistyped command, `npm start`, the
 * binding-missing hint) say what to do.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { gzipSync } from 'node:zlib';
import { pcapFile, pcapngFile } from '../helpers/pcap.js';
import { REPO, SAMPLES } from '../tshark-fixture.js';

const BIN = join(REPO, 'dist/src/cli/main.js');
const tmp = tempDir('wirewhy-hardening-');

interface Run { status: number | null; stdout: string; stderr: string }
function run(args: string[], o: { input?: Uint8Array; cwd?: string; env?: Record<string, string> } = {}): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { input: o.input, cwd: o.cwd, env: { ...process.env, ...o.env }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, bytes: Uint8Array): string {
  const p = join(tmp, name);
  writeFileSync(p, bytes);
  return p;
}

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at |internal error/);
  return lines[0]!;
}

// A sample with a failure in it: exit status 1 when read whole.
const SAMPLE = 'multi-failure.pcap';
const RAW = readFileSync(join(SAMPLES, SAMPLE));
const GZ = gzipSync(RAW);
const whole = JSON.parse(run(['analyze', '--format', 'json', join(SAMPLES, SAMPLE)]).stdout) as { capture: { packets: number } };

describe('1. damaged gzip through the CLI: the report of what came before, the warning naming the compressed offset', () => {
  const variants: Array<[string, Uint8Array, RegExp]> = [
    ['bad CRC', (() => { const b = Buffer.from(GZ); b[GZ.length - 8] ^= 1; return b; })(), new RegExp(`CRC-32\\) at compressed offset ${GZ.length - 8} `)],
    ['truncated member', GZ.subarray(0, Math.floor(GZ.length * 0.6)), new RegExp(`ends at compressed offset ${Math.floor(GZ.length * 0.6)}, in the middle of a gzip member`)],
    ['corrupt deflate data at the start (a stored block)', (() => {
      const g = Buffer.from(gzipSync(RAW, { level: 0 }));
      // The first stored block's NLEN (bytes 13-14): zlib stops at its second byte, before any packet.
      g[13] ^= 0x01;
      return g;
    })(), /gzip data is corrupt at compressed offset 14 \(invalid stored block lengths\)/],
  ];
  for (const [name, bytes, msg] of variants) {
    it(name, () => {
      const r = run(['analyze', '--format', 'json', file(`${name.replace(/\W+/g, '-')}.pcap.gz`, bytes)]);
      if (name.startsWith('corrupt')) {
        // Damage in the very first bytes: nothing to report, one line without a repeated name or "offset 0".
        expect(r.status).toBe(2);
        const l = oneLine(r.stderr);
        expect(l).toMatch(msg);
        expect(l).toMatch(/^wirewhy: \S+\.pcap\.gz: the gzip data is corrupt at compressed offset 14 .*; no packet could be read before it; check how the file was compressed or transferred/);
        expect(l).not.toMatch(/byte offset 0|\.gz: \S+\.gz/);
        return;
      }
      expect([0, 1]).toContain(r.status);
      const warn = oneLine(r.stderr);
      expect(warn).toMatch(/^wirewhy: warning: \S+: /);
      expect(warn).toMatch(msg);
      const rep = JSON.parse(r.stdout) as { capture: { packets: number; damage: { offset: number; message: string } | null; warnings: string[] } };
      expect(rep.capture.packets).toBeGreaterThan(0);
      expect(rep.capture.damage?.message).toMatch(msg);
      if (name === 'bad CRC') {
        expect(rep.capture.packets).toBe(whole.capture.packets);
        expect(r.status).toBe(1);
      }
    });
  }

  it('corrupt deflate data later in the file: exit 0/1 with the report, the packets before it', () => {
    const g = Buffer.from(gzipSync(RAW, { level: 0 }));
    // The file is one stored block here (RAW < 64 KiB): break it with a second, bad member after it.
    const two = Buffer.concat([g, Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff])]);
    const r = run(['analyze', '--format', 'json', file('second-member-corrupt.pcap.gz', two)]);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(new RegExp(`gzip data is corrupt at compressed offset ${g.length + 10} \\(invalid block type\\); the ${whole.capture.packets} packets decompressed before it were analysed`));
    expect(JSON.parse(r.stdout).capture.packets).toBe(whole.capture.packets);
  });

  it('trailing garbage: the report, the warning in it, the exit status of the findings', () => {
    const r = run(['analyze', '--format', 'json', file('trailing.pcap.gz', Buffer.concat([GZ, Buffer.from('garbage\n')]))]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    const rep = JSON.parse(r.stdout);
    expect(rep.capture.packets).toBe(whole.capture.packets);
    expect(rep.capture.damage).toBeNull();
    expect(rep.capture.warnings).toContain(`8 bytes after the end of the gzip data (compressed offset ${GZ.length}) are not gzip and were ignored, as gzip -d does`);
  });

  it('the same through standard input', () => {
    const b = Buffer.from(GZ);
    b[GZ.length - 8] ^= 1;
    const r = run(['analyze', '--format', 'json', '-'], { input: b });
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/^wirewhy: warning: -: the gzip check value/);
  });
});

describe('3. output errors: one line, exit 2', () => {
  it('-o into a folder that does not exist: said before any analysis', () => {
    const r = run(['analyze', '-o', '/nonexistent/dir/x.json', join(SAMPLES, SAMPLE)]);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toBe('wirewhy: cannot write the report to /nonexistent/dir/x.json (no such folder); check that the folder exists and is writable, or leave out -o to write to standard output');
    expect(r.stdout).toBe('');
  });

  it('-o naming a folder, and -o into a file that is not a folder', () => {
    expect(oneLine(run(['analyze', '-o', tmp, join(SAMPLES, SAMPLE)]).stderr)).toMatch(/cannot write the report to .* \(it is a folder\)/);
    const f = file('plain.txt', new Uint8Array(1));
    const r = run(['analyze', '--format', 'md', '-o', join(f, 'x.md'), join(SAMPLES, SAMPLE)]);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/cannot write the report to .*plain\.txt\/x\.md \(a part of the path is not a folder\)/);
  });

  it('a full disk behind standard output (/dev/full), in every format', () => {
    if (!existsSync('/dev/full')) throw new Error('/dev/full is missing on this machine');
    for (const format of ['table', 'json', 'md', 'html']) {
      const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" analyze --format ${format} "${join(SAMPLES, SAMPLE)}" > /dev/full`], { encoding: 'utf8' });
      expect(r.status, format).toBe(2);
      expect(oneLine(r.stderr)).toBe('wirewhy: cannot write the report to standard output (no space left on the device)');
    }
  });

  it('-o onto a full disk, written at the end', () => {
    const r = run(['analyze', '--format', 'json', '-o', '/dev/full', join(SAMPLES, SAMPLE)]);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^wirewhy: cannot write the report to \/dev\/full \(no space left on the device\)/);
  });
});

describe('4. nothing decodable', () => {
  // The link types of the public captures the campaign found (DSA tags, ...): the packets are
  // there, but wirewhy has no decoder for any of them.
  for (const lt of [281, 282, 284, 285, 182, 132, 164]) {
    it(`link type ${lt}: exit 2, one line naming it`, () => {
      const frames = Array.from({ length: 5 }, (_, i) => ({ ts: 1_700_000_000 + i, frame: new Uint8Array(64).fill(i + 1) }));
      const r = run(['analyze', file(`lt${lt}.pcap`, pcapFile({ linkType: lt }, frames))]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(oneLine(r.stderr)).toMatch(new RegExp(`^wirewhy: \\S+lt${lt}\\.pcap: none of the 5 packets could be decoded: link type ${lt} is not supported; wirewhy reads Ethernet`));
    });
  }

  it('pcapng whose interfaces are all unsupported; and a supported one beside it is analysed', () => {
    const frames = [{ ts: 1_700_000_000, frame: new Uint8Array(60), iface: 0 }, { ts: 1_700_000_001, frame: new Uint8Array(60), iface: 1 }];
    const bad = file('two-bad.pcapng', pcapngFile({ interfaces: [{ linkType: 281 }, { linkType: 164 }] }, frames));
    const r = run(['analyze', bad]);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/none of the 2 packets could be decoded: link type 281, 164 is not supported/);
    // Several files: the good one's report, the bad one's line, exit 2.
    const both = run(['analyze', '--format', 'json', join(SAMPLES, SAMPLE), bad]);
    expect(both.status).toBe(2);
    expect(JSON.parse(both.stdout).capture.source).toMatch(/multi-failure\.pcap$/);
    expect(oneLine(both.stderr)).toMatch(/two-bad\.pcapng: none of the 2 packets/);
    // No packets at all is not this: an empty capture is still "no failure found".
    expect(run(['analyze', file('empty-281.pcap', pcapFile({ linkType: 281 }, []))]).status).toBe(0);
  });

  it('a zstd-compressed capture is named as such, with the command that reads it; the advice works', () => {
    // A real zstd frame (RFC 8878), built here: one raw block holding the whole capture.
    const small = readFileSync(join(SAMPLES, 'tcp-refused.pcap'));
    expect(small.length).toBeLessThan(256);
    const zst = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, small.length]), Buffer.from([(small.length << 3) | 1, small.length >> 5, 0]), small]);
    const p = file('capture.pcapng.zst', zst);
    const r = run(['analyze', p]);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toBe(`wirewhy: ${p}: the file is zstd-compressed (it starts with 28 b5 2f fd), which wirewhy does not decompress; decompress it first: zstd -dc FILE | wirewhy analyze -  (or zstd -d FILE, then analyze the result)`);
    const zstd = spawnSync('zstd', ['-dc', p]);
    if (zstd.error) throw new Error('the zstd command is missing (apt-get install zstd)');
    expect(Buffer.compare(zstd.stdout, small)).toBe(0);
    expect(run(['analyze', '-'], { input: zstd.stdout }).status).toBe(1);
  });
});

describe('6. command-line edges', () => {
  it('bare wirewhy: the help, on stderr, exit status 2 (an empty file list is not "no failure found")', () => {
    const r = run([]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: wirewhy \[options\] \[command\]/);
    expect(r.stderr).toMatch(/analyze \[options\] <capture\.\.\.>/);
  });

  it('wirewhy analyse x.pcap: an unknown command, with the one meant; the capture is not analysed', () => {
    const r = run(['analyse', join(SAMPLES, SAMPLE)]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toBe("wirewhy: unknown command 'analyse' (did you mean analyze?); to analyze a file of that name, give its path: ./analyse");
    expect(oneLine(run(['serv']).stderr)).toMatch(/unknown command 'serv' \(did you mean serve\?\)/);
    expect(oneLine(run(['interface']).stderr)).toMatch(/did you mean interfaces\?/);
    expect(oneLine(run(['frobnicate', 'x.pcap']).stderr)).toMatch(/unknown command 'frobnicate' \(the commands are analyze, serve, capture, interfaces\)/);
  });

  it('wirewhy <capture> stays the default command, even for a file named like a word', () => {
    const dir = join(tmp, 'cwd');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'analyse'), RAW);
    expect(run(['analyse'], { cwd: dir }).status).toBe(1);
    expect(run([join(SAMPLES, SAMPLE)]).status).toBe(1);
    expect(run(['--format', 'json', join(SAMPLES, SAMPLE)]).status).toBe(1);
    // A missing file with an extension is still a missing file, not a command.
    expect(oneLine(run(['missing.pcap']).stderr)).toMatch(/missing\.pcap: cannot open the file \(no such file\)/);
  });

  it('npm start: the demo says why wirewhy exits 1 on its sample, and ends with 0', () => {
    const r = spawnSync('npm', ['start', '--silent'], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/tcp\.refused/);
    expect(r.stderr).toMatch(/found a failure in samples\/tcp-refused\.pcap .*exited with status 1, as it does whenever it finds one \(0: no failure found, 2: unreadable input\)/);
  });

  it('binding missing: steps that build it (npm rebuild cap does nothing once npm skipped cap)', () => {
    const r = run(['interfaces'], { env: { WIREWHY_CAP_MODULE: '/nonexistent/wirewhy-test/cap' } });
    expect(r.status).toBe(2);
    // wirewhy's own binding (native/), built by its install script or by hand.
    expect(oneLine(r.stderr)).toMatch(/sudo apt-get install libpcap-dev build-essential python3 && cd \S+ && npm run build:native/);
  });
});
