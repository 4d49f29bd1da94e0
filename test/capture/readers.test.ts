import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { openCapture, openStream } from '../../src/capture/open.js';
import { CaptureError, type CaptureInfo } from '../../src/capture/types.js';
import { pcapFile, pcapngFile, isbBlock, nrbBlock, dsbBlock, unknownBlock, type CaptureRecord } from '../helpers/pcap.js';
import { SHARED, SAMPLES } from '../tshark-fixture.js';
import { warningText } from '../../src/report/warnings.js';

const require = createRequire(import.meta.url);
const pcapParser = require('pcap-parser') as { parse: (src: string | NodeJS.ReadableStream) => NodeJS.EventEmitter };

const tmp = tempDir('wirewhy-readers-');

interface Rec {
  frame: number;
  sec: number;
  nsec: number;
  capLen: number;
  origLen: number;
  linkType: number;
  iface: number;
  first: number;
}

async function records(path: string): Promise<{ recs: Rec[]; info: CaptureInfo }> {
  const src = await openCapture(path);
  const recs: Rec[] = [];
  const info = await src.forEach((p) => {
    recs.push({ frame: p.frame, sec: p.tsSec, nsec: p.tsNsec, capLen: p.capLen, origLen: p.origLen, linkType: p.linkType, iface: p.iface, first: p.buf[p.off] ?? -1 });
  });
  return { recs, info };
}

function write(name: string, bytes: Uint8Array): string {
  const p = join(tmp, name);
  writeFileSync(p, bytes);
  return p;
}

/** Small frames with distinct first bytes so misframing shows. */
function frames(n: number, size = 60): CaptureRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const f = new Uint8Array(size + (i % 7));
    f.fill(i & 0xff);
    return { ts: 1_700_000_000 + i * 0.25, frame: f };
  });
}

function capturesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...capturesIn(p));
    else if (/\.(pcap|pcapng|cap)$/.test(e)) out.push(p);
  }
  return out;
}

/** Classic pcap files that pcap-parser supports: microsecond magic, version 2.4. */
function parserSupports(path: string): boolean {
  const h = readFileSync(path).subarray(0, 8);
  if (h.length < 8) return false;
  const le = h.readUInt32LE(0) === 0xa1b2c3d4;
  const be = h.readUInt32BE(0) === 0xa1b2c3d4;
  if (!le && !be) return false;
  const major = le ? h.readUInt16LE(4) : h.readUInt16BE(4);
  const minor = le ? h.readUInt16LE(6) : h.readUInt16BE(6);
  return major === 2 && minor === 4;
}

function oracle(path: string): Promise<Array<{ sec: number; usec: number; capLen: number; origLen: number }>> {
  return new Promise((resolve, reject) => {
    const out: Array<{ sec: number; usec: number; capLen: number; origLen: number }> = [];
    const parser = pcapParser.parse(path);
    parser.on('packet', (pkt: { header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number } }) => {
      out.push({ sec: pkt.header.timestampSeconds, usec: pkt.header.timestampMicroseconds, capLen: pkt.header.capturedLength, origLen: pkt.header.originalLength });
    });
    parser.on('end', () => resolve(out));
    parser.on('error', reject);
  });
}

describe('classic pcap equals the pcap-parser oracle', () => {
  const files = [...capturesIn(SHARED), ...capturesIn(SAMPLES)].filter(parserSupports);
  it('finds classic pcap files to compare', () => {
    expect(files.length).toBeGreaterThan(10);
  });
  for (const f of files) {
    it(f.replace(/.*\/(shared|samples)\//, '$1/'), async () => {
      const { recs, info } = await records(f);
      // pcap-parser stops silently at a damaged record; compare what both read.
      const theirs = await oracle(f).catch(() => null);
      if (theirs === null) {
        expect(info.damage).not.toBeNull();
        return;
      }
      const n = info.damage ? recs.length : theirs.length;
      expect(recs.length).toBe(n);
      for (let i = 0; i < n; i++) {
        const a = recs[i]!;
        const b = theirs[i]!;
        expect([a.sec, Math.round(a.nsec / 1000), a.capLen, a.origLen]).toEqual([b.sec, b.usec, b.capLen, b.origLen]);
      }
    });
  }
});

describe('pcap variants', () => {
  const recs = frames(5);
  for (const [name, opts] of [
    ['little-endian µs', {}],
    ['big-endian µs', { bigEndian: true }],
    ['little-endian ns', { nanos: true }],
    ['big-endian ns', { nanos: true, bigEndian: true }],
  ] as const) {
    it(name, async () => {
      const p = write(`v-${name.replace(/\W/g, '')}.pcap`, pcapFile({ linkType: 1, ...opts }, recs));
      const { recs: got, info } = await records(p);
      expect(info.format).toBe('pcap');
      expect(info.interfaces[0]!.tsDigits).toBe('nanos' in opts ? 9 : 6);
      expect(got.map((r) => r.frame)).toEqual([1, 2, 3, 4, 5]);
      expect(got.map((r) => r.first)).toEqual([0, 1, 2, 3, 4]);
      expect(got[3]!.sec).toBe(1_700_000_000);
      expect(got[3]!.nsec).toBe(750_000_000);
      expect(got.map((r) => r.capLen)).toEqual(recs.map((r) => r.frame.length));
    });
  }

  it('snaplen: captured shorter than original is counted', async () => {
    const p = write('snap.pcap', pcapFile({ linkType: 1, snaplen: 40 }, frames(3)));
    const { recs: got, info } = await records(p);
    expect(got.every((r) => r.capLen === 40 && r.origLen >= 60)).toBe(true);
    expect(info.truncatedPackets).toBe(3);
  });

  it('a record longer than the read buffer is read whole (buffer grows)', async () => {
    const big = new Uint8Array(200_000).fill(7);
    const p = write('big.pcap', pcapFile({ linkType: 1 }, [{ ts: 1, frame: big }, ...frames(2)]));
    const src = await openCapture(p, { bufferSize: 4096 });
    const lens: number[] = [];
    await src.forEach((r) => {
      lens.push(r.capLen);
    });
    expect(lens).toEqual([200_000, 60, 61]);
  });

  it('gzip-compressed files are read by their magic, not their name', async () => {
    const plain = pcapFile({ linkType: 1 }, frames(50));
    const p = write('compressed.pcap', gzipSync(plain));
    const { recs: got, info } = await records(p);
    expect(info.compressed).toBe(true);
    expect(got.length).toBe(50);
    expect(got[49]!.first).toBe(49);
  });

  it('standard input / any stream, in small chunks', async () => {
    const plain = pcapngFile({ interfaces: [{ linkType: 1 }] }, frames(30));
    const chunks: Buffer[] = [];
    for (let i = 0; i < plain.length; i += 7) chunks.push(Buffer.from(plain.subarray(i, i + 7)));
    const src = await openStream(Readable.from(chunks), { name: 'stdin' });
    let n = 0;
    let last = -1;
    const info = await src.forEach((r) => {
      n++;
      last = r.buf[r.off]!;
    });
    expect([n, last, info.format, info.source]).toEqual([30, 29, 'pcapng', 'stdin']);
  });

  it('async iteration gives the same frames as forEach', async () => {
    const p = write('iter.pcap', pcapFile({ linkType: 1 }, frames(20)));
    const seen: number[] = [];
    for await (const r of await openCapture(p)) seen.push(r.frame * 1000 + r.buf[r.off]!);
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 1000 + i));
  });
});

describe('pcapng', () => {
  it('several interfaces with different link types and resolutions', async () => {
    const recs: CaptureRecord[] = [
      { ts: 1_600_000_000_123_456_789n, frame: new Uint8Array(40).fill(1), iface: 0 },
      { ts: 1_600_000_001_000_001_000n, frame: new Uint8Array(40).fill(2), iface: 1 },
      { ts: 1_600_000_002_500_000_000n, frame: new Uint8Array(40).fill(3), iface: 2 },
    ];
    const p = write('multi.pcapng', pcapngFile({
      interfaces: [
        { linkType: 1, tsresol: 9, name: 'eth0' },
        { linkType: 113, writeTsresol: true, tsresol: 6 },
        { linkType: 101, tsresol: 0x80 | 20 }, // 2^-20 s
      ],
    }, recs));
    const { recs: got, info } = await records(p);
    expect(info.interfaces.map((i) => [i.linkType, i.tsDigits, i.name])).toEqual([[1, 9, 'eth0'], [113, 6, null], [101, null, null]]);
    expect(got.map((r) => [r.linkType, r.iface, r.sec])).toEqual([[1, 0, 1_600_000_000], [113, 1, 1_600_000_001], [101, 2, 1_600_000_002]]);
    expect(got[0]!.nsec).toBe(123_456_789);
    expect(got[1]!.nsec).toBe(1000);
    expect(got[2]!.nsec).toBe(500_000_000);
  });

  it('if_tsoffset is added', async () => {
    // The writer stores time minus the offset; the reader must add it back.
    const bytes = pcapngFile({ interfaces: [{ linkType: 1, tsoffset: 1_000_000 }] }, [{ ts: 1_700_000_005.5, frame: new Uint8Array(20) }]);
    const { recs: got } = await records(write('off.pcapng', bytes));
    expect([got[0]!.sec, got[0]!.nsec]).toEqual([1_700_000_005, 500_000_000]);
    const { recs: plain } = await records(write('nooff.pcapng', pcapngFile({ interfaces: [{ linkType: 1 }] }, [{ ts: 698_999_005.5, frame: new Uint8Array(20) }])));
    // Same stored units without the option give a time 1e6 s earlier.
    expect(plain[0]!.sec).toBe(698_999_005);
  });

  it('sections in both byte orders, Simple and obsolete Packet Blocks, skipped blocks, drop counters', async () => {
    const a = pcapngFile({ interfaces: [{ linkType: 1 }], before: [nrbBlock([{ addr: Uint8Array.of(192, 0, 2, 1), names: ['x.example'] }]), dsbBlock('CLIENT_RANDOM 00 00'), unknownBlock()] }, frames(3));
    const b = pcapngFile({ interfaces: [{ linkType: 101, snaplen: 30 }], bigEndian: true, blocks: 'spb' }, frames(2));
    const c = pcapngFile({ interfaces: [{ linkType: 1 }, { linkType: 1 }], blocks: 'pb', after: [isbBlock({ iface: 1, ts: 9, ifDrop: 17 })] }, [
      { ts: 9, frame: new Uint8Array(50).fill(9), iface: 1 },
    ]);
    const all = new Uint8Array(a.length + b.length + c.length);
    all.set(a, 0);
    all.set(b, a.length);
    all.set(c, a.length + b.length);
    const { recs: got, info } = await records(write('sections.pcapng', all));
    expect(got.map((r) => r.frame)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(got.map((r) => r.linkType)).toEqual([1, 1, 1, 101, 101, 1]);
    // Simple Packet Blocks are cut to the interface snaplen and keep the previous timestamp.
    expect(got[3]!.capLen).toBe(30);
    expect(got[3]!.origLen).toBe(60);
    expect(got[3]!.sec).toBe(got[2]!.sec);
    expect(got[5]!.iface).toBe(3); // interfaces are numbered across sections (1 + 1 + second of 2)
    expect(got[5]!.first).toBe(9);
    expect(info.interfaces.length).toBe(4);
    expect(info.drops).toBe(17);
    expect(info.warnings.map((w) => warningText(w, 'en')).join('\n')).toMatch(/unknown type 0xbad0001/);
  });
});

describe('damaged input', () => {
  const good = pcapFile({ linkType: 1 }, frames(8));
  const goodNg = pcapngFile({ interfaces: [{ linkType: 1 }] }, frames(8));
  /** Record boundaries: offsets where each record ends. */
  function ends(bytes: Uint8Array, ng: boolean): number[] {
    const out: number[] = [];
    let o = ng ? 0 : 24;
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    while (o < bytes.length) {
      const len = ng ? dv.getUint32(o + 4, true) : 16 + dv.getUint32(o + 8, true);
      if (!ng || dv.getUint32(o, true) === 6) out.push(o + len);
      o += len;
    }
    return out;
  }

  for (const [name, bytes, ng] of [['pcap', good, false], ['pcapng', goodNg, true]] as const) {
    it(`${name} cut at every offset: never throws anything but a CaptureError, keeps every whole packet`, async () => {
      const recordEnds = ends(bytes, ng);
      for (let cut = 0; cut < bytes.length; cut++) {
        const p = write(`cut-${name}`, bytes.subarray(0, cut));
        const whole = recordEnds.filter((e) => e <= cut).length;
        try {
          const { recs: got, info } = await records(p);
          expect(got.length).toBe(whole);
          expect(got.every((r, i) => r.first === i)).toBe(true);
          if (cut !== recordEnds[whole - 1] && whole > 0) {
            expect(info.damage?.code).toBe('CUT_SHORT');
            expect(info.damage?.frame).toBe(whole + 1);
          }
        } catch (e) {
          expect(e).toBeInstanceOf(CaptureError);
          // Thrown only when nothing could be read.
          expect(whole).toBe(0);
          expect(['EMPTY', 'SHORT_HEADER', 'CUT_SHORT', 'BAD_BLOCK']).toContain((e as CaptureError).code);
        }
      }
    });
  }

  it('empty file', async () => {
    await expect(records(write('empty.pcap', new Uint8Array(0)))).rejects.toMatchObject({ code: 'EMPTY' });
  });

  it('wrong magic says what the file looks like', async () => {
    const e = await records(write('text.pcap', new TextEncoder().encode('12:00:01.000 IP 192.0.2.1 > ...'))).catch((x) => x);
    expect(e).toBeInstanceOf(CaptureError);
    expect(e.code).toBe('BAD_MAGIC');
    expect(e.message).toMatch(/text/);
    expect(e.hint).toMatch(/editcap/);
  });

  it('a record length over 256 KiB stops reading there, with its offset', async () => {
    const bytes = good.slice();
    const third = ends(bytes, false)[1]!; // start of record 3
    new DataView(bytes.buffer).setUint32(third + 8, 300_000, true);
    const { recs: got, info } = await records(write('huge.pcap', bytes));
    expect(got.length).toBe(2);
    expect(info.damage).toMatchObject({ code: 'BAD_RECORD', offset: third, frame: 3 });
    expect(warningText(info.warnings[0]!, 'en')).toMatch(/262144.*offset \d+ \(where frame 3 would start\)/);
  });

  it('a pcapng block whose length runs past the end of the file', async () => {
    const bytes = goodNg.slice();
    const recordEnds = ends(bytes, true);
    const fifthStart = recordEnds[3]!;
    new DataView(bytes.buffer).setUint32(fifthStart + 4, 1 << 20, true);
    const { recs: got, info } = await records(write('runs-past.pcapng', bytes));
    expect(got.length).toBe(4);
    expect(info.damage).toMatchObject({ code: 'CUT_SHORT', offset: fifthStart, frame: 5 });
  });

  it('a pcapng block with an impossible length is corrupt, not a hang', async () => {
    const bytes = goodNg.slice();
    const fifthStart = ends(bytes, true)[3]!;
    new DataView(bytes.buffer).setUint32(fifthStart + 4, 7, true);
    const { recs: got, info } = await records(write('bad-len.pcapng', bytes));
    expect(got.length).toBe(4);
    expect(info.damage).toMatchObject({ code: 'BAD_BLOCK', offset: fifthStart });
  });

  it('first record damaged: nothing to read is an error', async () => {
    const bytes = good.slice();
    new DataView(bytes.buffer).setUint32(24 + 8, 1 << 30, true);
    await expect(records(write('first-bad.pcap', bytes))).rejects.toMatchObject({ code: 'BAD_RECORD', offset: 24 });
  });
});
