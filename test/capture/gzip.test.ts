/**
 * A damaged gzip capture keeps what was decompressed before the damage, as a damaged pcap keeps
 * its packets before a bad record: each variant (corrupt deflate data, bad CRC, bad length,
 * truncated member, damaged header, trailing garbage, several members) is built here from a
 * sample, and read both as a file and as a stream cut into small chunks.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { openCapture, openStream } from '../../src/capture/open.js';
import { Gunzip, crc32 } from '../../src/capture/gzip.js';
import { CaptureError, type CaptureInfo } from '../../src/capture/types.js';
import { pcapFile } from '../helpers/pcap.js';
import { SAMPLES } from '../tshark-fixture.js';import { warningText } from '../../src/report/warnings.js';


const tmp = tempDir('wirewhy-gzip-');
const SAMPLE = readFileSync(join(SAMPLES, 'multi-failure.pcap'));
const GZ = gzipSync(SAMPLE);

/** One line per packet: what the reader handed out (times, lengths, a hash of the bytes). */
type Got = { lines: string[]; info: CaptureInfo } | { error: CaptureError };

function line(p: { tsSec: number; tsNsec: number; capLen: number; origLen: number; buf: Uint8Array; off: number }): string {
  const h = createHash('sha1').update(p.buf.subarray(p.off, p.off + p.capLen)).digest('hex').slice(0, 12);
  return `${p.tsSec}.${p.tsNsec} ${p.capLen}/${p.origLen} ${h}`;
}

async function viaFile(bytes: Uint8Array): Promise<Got> {
  const p = join(tmp, `v-${Math.random().toString(36).slice(2)}.gz`);
  writeFileSync(p, bytes);
  try {
    const lines: string[] = [];
    const info = await (await openCapture(p)).forEach((x) => void lines.push(line(x)));
    return { lines, info };
  } catch (e) {
    if (e instanceof CaptureError) return { error: e };
    throw e;
  }
}

async function viaStream(bytes: Uint8Array, chunk: number): Promise<Got> {
  const src = (async function* () {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.slice(i, i + chunk);
  })();
  try {
    const lines: string[] = [];
    const info = await (await openStream(src, { name: 'stream' })).forEach((x) => void lines.push(line(x)));
    return { lines, info };
  } catch (e) {
    if (e instanceof CaptureError) return { error: e };
    throw e;
  }
}

/** Reads `bytes` as a file and as streams in several chunk sizes: the same outcome each time. */
async function read(bytes: Uint8Array): Promise<Got> {
  const f = await viaFile(bytes);
  for (const chunk of [13, 4096]) {
    const s = await viaStream(bytes, chunk);
    if ('error' in f) {
      expect('error' in s && s.error.message).toBe(f.error.message);
    } else {
      expect('lines' in s).toBe(true);
      if ('lines' in s) {
        expect(s.lines).toEqual(f.lines);
        expect(s.info.damage).toEqual(f.info.damage);
        expect(s.info.warnings).toEqual(f.info.warnings);
      }
    }
  }
  return f;
}

const original = async (): Promise<string[]> => {
  const lines: string[] = [];
  await (await openCapture(join(SAMPLES, 'multi-failure.pcap'))).forEach((x) => void lines.push(line(x)));
  return lines;
};

/** The offset a gzip warning or error names. */
function compressedOffset(text: string): number {
  const m = /compressed offset (\d+)/.exec(text);
  expect(m, text).not.toBeNull();
  return Number(m![1]);
}

function ok(g: Got): { lines: string[]; info: CaptureInfo } {
  if ('error' in g) throw new Error(`expected a report, got the error: ${g.error.message}`);
  return g;
}

describe('damaged gzip: what was decompressed before the damage is read', () => {
  it('the sample and its gzip are what the tests assume', async () => {
    const all = await original();
    expect(all.length).toBe(43);
    expect(ok(await read(GZ)).lines).toEqual(all);
    expect(ok(await read(GZ)).info).toMatchObject({ compressed: true, damage: null, warnings: [] });
  });

  it('25 single-byte corruptions spread over the file: what came before is kept, the damage is named after it', async () => {
    // (Before: every corruption zlib or the CRC caught lost every packet.)
    const all = await original();
    let lostAll = 0;
    let kept = 0;
    for (let i = 0; i < 25; i++) {
      const at = 10 + Math.floor(((GZ.length - 18) * (i + 0.5)) / 25);
      const bad = Buffer.from(GZ);
      bad[at] ^= 0x55;
      const g = await read(bad);
      if ('error' in g) {
        lostAll++;
        expect(g.error.code).toBe('GZIP');
        expect(compressedOffset(g.error.message)).toBeGreaterThanOrEqual(at);
        continue;
      }
      kept += g.lines.length;
      // Each is caught (by zlib or by the CRC), at or after the damaged byte.
      expect(g.info.damage?.code).toBe('GZIP');
      expect(g.info.damage!.offset).toBe(compressedOffset(g.info.damage!.message));
      expect(g.info.damage!.offset).toBeGreaterThanOrEqual(at);
      expect(g.info.warnings.map((w) => warningText(w, 'en'))).toEqual([g.info.damage!.message]);
      // The first packet is whole whenever the damage is past it.
      if (g.lines.length > 1) expect(g.lines[0]).toBe(all[0]);
    }
    expect(lostAll).toBeLessThanOrEqual(2);
    expect(kept / 25).toBeGreaterThan(all.length / 3);
  });

  it('a bad CRC: every packet, with a warning naming the trailer', async () => {
    const bad = Buffer.from(GZ);
    bad[GZ.length - 8] ^= 0x01;
    const g = ok(await read(bad));
    expect(g.lines).toEqual(await original());
    expect(g.info.damage).toMatchObject({ code: 'GZIP', offset: GZ.length - 8, frame: 44 });
    expect(warningText(g.info.warnings[0]!, 'en')).toMatch(new RegExp(`CRC-32\\) at compressed offset ${GZ.length - 8} does not match`));
  });

  it('a bad length field', async () => {
    const bad = Buffer.from(GZ);
    bad[GZ.length - 3] ^= 0x10;
    const g = ok(await read(bad));
    expect(g.lines.length).toBe(43);
    expect(g.info.damage).toMatchObject({ code: 'GZIP', offset: GZ.length - 4 });
    expect(g.info.damage!.message).toMatch(/length field .* \(\d+ bytes recorded, \d+ decompressed\)/);
  });

  it('a truncated member, cut at many places: the packets decompressed before the cut, which is named', async () => {
    const all = await original();
    let last = -1;
    for (let cut = 200; cut < GZ.length; cut += Math.floor(GZ.length / 23)) {
      const g = ok(await read(GZ.subarray(0, cut)));
      expect(g.lines).toEqual(all.slice(0, g.lines.length));
      expect(g.lines.length).toBeGreaterThanOrEqual(last);
      last = g.lines.length;
      expect(g.info.damage).toMatchObject({ code: 'GZIP', offset: cut, frame: g.lines.length + 1 });
      expect(g.info.damage!.message).toMatch(new RegExp(`ends at compressed offset ${cut}, in the middle of a gzip member \\(the file was cut short\\)`));
    }
    expect(last).toBeGreaterThan(30);
    // Cut inside the trailer: every packet.
    expect(ok(await read(GZ.subarray(0, GZ.length - 3))).lines.length).toBe(43);
  });

  it('trailing garbage after a complete member: a warning, every packet, no damage', async () => {
    const garbage = Buffer.from('this is not gzip\n');
    const g = ok(await read(Buffer.concat([GZ, garbage])));
    expect(g.lines).toEqual(await original());
    expect(g.info.damage).toBeNull();
    expect(g.info.warnings.map((w) => warningText(w, 'en'))).toEqual([`${garbage.length} bytes after the end of the gzip data (compressed offset ${GZ.length}) are not gzip and were ignored, as gzip -d does`]);
    // Zero padding is not worth a word (gzip -d is silent about it too).
    expect(ok(await read(Buffer.concat([GZ, Buffer.alloc(512)]))).info.warnings).toEqual([]);
  });

  it('several members are one stream; a damaged second member keeps the first', async () => {
    const all = await original();
    const split = 24 + 16 * 20 + 3000; // somewhere inside the records
    const a = gzipSync(SAMPLE.subarray(0, split));
    const b = gzipSync(SAMPLE.subarray(split));
    expect(ok(await read(Buffer.concat([a, b]))).lines).toEqual(all);
    // The second member's header names an unknown method (gzip -d: "unknown method").
    const bad = Buffer.concat([a, b]);
    bad[a.length + 2] = 7;
    const g = ok(await read(bad));
    expect(g.lines).toEqual(all.slice(0, g.lines.length));
    expect(g.info.damage).toMatchObject({ code: 'GZIP', offset: a.length + 2 });
    expect(g.info.damage!.message).toMatch(/gzip header at compressed offset \d+ is damaged \(compression method 7 is not deflate\)/);
  });

  it('damage before any packet: an error naming the compressed offset, not "offset 0" or the file name twice', async () => {
    const bad = Buffer.from(GZ);
    bad[3] = 0x80; // a reserved flag
    const g = await read(bad);
    expect('error' in g && g.error).toMatchObject({ code: 'GZIP', offset: 3 });
    const e = (g as { error: CaptureError }).error;
    expect(e.message).toBe('the gzip header at compressed offset 3 is damaged (reserved flag bits 0x80 are set); no packet could be read before it');
    const cut = await read(GZ.subarray(0, 12));
    expect('error' in cut && cut.error.message).toMatch(/^the gzip data ends at compressed offset 12, .*; no packet could be read before it$/);
  });

  /** Offsets of the stored blocks' headers in a level-0 gzip (10-byte header, no flags). */
  function storedBlocks(gz: Uint8Array): number[] {
    const out: number[] = [];
    for (let o = 10; o < gz.length - 8;) {
      out.push(o);
      const len = gz[o + 1]! | (gz[o + 2]! << 8);
      if ((gz[o]! & 1) === 1) break;
      o += 5 + len;
    }
    return out;
  }

  /** ~2 MB of frames (pseudo-random bytes), stored uncompressed by gzip level 0. */
  function bigStored(): { pcap: Uint8Array; gz: Buffer } {
    let x = 12345;
    const frames = Array.from({ length: 2000 }, (_, i) => {
      const f = new Uint8Array(1000);
      for (let k = 0; k < f.length; k++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        f[k] = x >>> 24;
      }
      return { ts: 1_700_000_000 + i, frame: f };
    });
    const pcap = pcapFile({ linkType: 1 }, frames);
    return { pcap, gz: gzipSync(pcap, { level: 0 }) };
  }

  it('corrupt data in a small member: the exact compressed offset, and everything before it', async () => {
    // A stored block whose length check (NLEN, the one's complement of LEN) is broken: zlib
    // stops on its second byte ("invalid stored block lengths").
    const { pcap } = bigStored();
    const small = pcap.subarray(0, 24 + 200 * 1016);
    const gz = gzipSync(small, { level: 0 });
    const blocks = storedBlocks(gz);
    expect(blocks.length).toBeGreaterThan(2);
    const b = Buffer.from(gz);
    b[blocks[2]! + 3] ^= 0x01;
    const g = ok(await read(b));
    expect(g.info.damage).toMatchObject({ code: 'GZIP', offset: blocks[2]! + 4 });
    expect(g.info.damage!.message).toMatch(new RegExp(`the gzip data is corrupt at compressed offset ${blocks[2]! + 4} \\(invalid stored block lengths\\)`));
    // Every whole record before the block (its decompressed start is its compressed offset
    // less the gzip header and the block headers before it).
    const before = blocks[2]! - 10 - 2 * 5;
    expect(g.lines.length).toBe(Math.floor((before - 24) / 1016));
  });

  it('corrupt data in a member longer than is kept for exact offsets: what came before, within one output step', async () => {
    const { gz } = bigStored();
    expect(gz.length).toBeGreaterThan(1.5 * (1 << 20));
    const blocks = storedBlocks(gz);
    const k = blocks.find((o) => o > gz.length * 0.9)!;
    const b = Buffer.from(gz);
    b[k + 3] ^= 0x01;
    const g = ok(await viaFile(b));
    expect(g.info.damage?.code).toBe('GZIP');
    expect(g.info.damage!.message).toMatch(/the gzip data is corrupt at compressed offset \d+ \(invalid stored block lengths\)/);
    const off = compressedOffset(g.info.damage!.message);
    // The end of the last clean 64 KiB output step: before the damage, by less than a step.
    expect(off).toBeLessThanOrEqual(k + 4);
    expect(off).toBeGreaterThan(k - (80 << 10));
    const recordsBefore = Math.floor((k - 10 - 24) / 1016);
    expect(g.lines.length).toBeGreaterThan(recordsBefore - 80);
    expect(g.lines.length).toBeLessThanOrEqual(recordsBefore);
  });
});

describe('the gzip layer itself', () => {
  it('CRC-32 (zlib\'s or the fallback) matches the reference value', () => {
    expect(crc32(new TextEncoder().encode('123456789'), 0)).toBe(0xcbf43926);
  });

  it('decompresses exactly what gzip compressed, whatever the chunking', async () => {
    for (const chunk of [1, 3, 1000, 1 << 20]) {
      const src = (async function* () {
        for (let i = 0; i < GZ.length; i += chunk) yield GZ.subarray(i, i + chunk);
      })();
      const gz = new Gunzip(src);
      const parts: Uint8Array[] = [];
      for await (const p of gz) parts.push(p);
      expect(Buffer.compare(Buffer.concat(parts), SAMPLE)).toBe(0);
      expect(gz.problem).toBeNull();
      expect(gz.members).toBe(1);
    }
  });
});
