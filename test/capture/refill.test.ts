/**
 * The reader refills one buffer: the start of a record cut by the buffer's end is moved to the
 * front, and the buffer grows for a record longer than itself. These tests check every record's
 * bytes across those seams, for buffer sizes that put the cut everywhere, in both container
 * formats; that stopping early leaves no file open; and that damage after a seam is reported at
 * its file offset. (They were written for a read-ahead reader, which was measured and not kept:
 * see the commit that removed it.)
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { openCapture } from '../../src/capture/open.js';
import { CaptureError } from '../../src/capture/types.js';
import { pcapFile, pcapngFile, type CaptureRecord } from '../helpers/pcap.js';

const tmp = tempDir('wirewhy-refill-');

/** Frames of varied lengths (some long), each filled with a pattern that names it. */
function frames(n: number): CaptureRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const len = i % 17 === 0 ? 3000 + i * 13 : 60 + ((i * 37) % 700);
    const f = new Uint8Array(len);
    for (let j = 0; j < len; j++) f[j] = (i * 31 + j) & 0xff;
    return { ts: 1_700_000_000 + i / 1000, frame: f };
  });
}

/** A 32-bit hash of a frame's bytes and length (order-sensitive): a misplaced or wrong byte changes it. */
function digest(b: Uint8Array, off: number, len: number): number {
  let h = len;
  for (let j = 0; j < len; j++) h = (h * 33 + b[off + j]!) >>> 0;
  return h;
}

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

describe('capture reader refills', () => {
  const recs = frames(600);
  const want = recs.map((r) => digest(r.frame, 0, r.frame.length));
  const files = {
    pcap: join(tmp, 'refill.pcap'),
    pcapng: join(tmp, 'refill.pcapng'),
  };
  writeFileSync(files.pcap, pcapFile({ linkType: 1 }, recs));
  writeFileSync(files.pcapng, pcapngFile({ interfaces: [{ linkType: 1 }] }, recs));

  for (const [format, path] of Object.entries(files)) {
    for (const bufferSize of [4096, 5000, 8192, 65536, 1 << 20]) {
      it(`${format}, buffer ${bufferSize}: every record whole and in order`, async () => {
        const src = await openCapture(path, { bufferSize });
        const got: number[] = [];
        const frameNos: number[] = [];
        const info = await src.forEach((r) => {
          got.push(digest(r.buf, r.off, r.capLen));
          frameNos.push(r.frame);
        });
        expect(info.damage).toBeNull();
        expect(frameNos.length).toBe(recs.length);
        expect(frameNos[frameNos.length - 1]).toBe(recs.length);
        expect(got).toEqual(want);
      });
    }
  }

  it('async iteration gives the same records', async () => {
    const src = await openCapture(files.pcap, { bufferSize: 4096 });
    const got: number[] = [];
    for await (const r of src) got.push(digest(r.buf, r.off, r.capLen));
    expect(got).toEqual(want);
  });

  it('stopping early closes the file', async () => {
    const before = openFds();
    for (let i = 0; i < 20; i++) {
      const src = await openCapture(files.pcap, { bufferSize: 4096 });
      let n = 0;
      await src.forEach(() => ++n < 50 + i);
      expect(n).toBe(50 + i);
    }
    expect(openFds()).toBe(before);
  });

  it('an error thrown by the consumer is its own, not damage of the file', async () => {
    for (const path of Object.values(files)) {
      const src = await openCapture(path, { bufferSize: 4096 });
      const mine = new CaptureError('BAD_RECORD', { kind: 'record_length', args: { length: 1, max: 0 } }, 1234);
      let n = 0;
      await expect(src.forEach(() => {
        if (++n === 100) throw mine;
      })).rejects.toBe(mine);
      expect(src.info.damage).toBeNull();
    }
  });

  it('a damaged record after a chunk seam is reported at its file offset', async () => {
    const bytes = pcapFile({ linkType: 1 }, recs);
    // Corrupt the record header of frame 400: a length far over the limit.
    let off = 24;
    for (let i = 0; i < 399; i++) off += 16 + recs[i]!.frame.length;
    const bad = bytes.slice();
    new DataView(bad.buffer).setUint32(off + 8, 0x7fffffff, true);
    const p = join(tmp, 'bad.pcap');
    writeFileSync(p, bad);
    const src = await openCapture(p, { bufferSize: 4096 });
    let n = 0;
    const info = await src.forEach(() => {
      n++;
    });
    expect(n).toBe(399);
    expect(info.damage?.offset).toBe(off);
    expect(info.damage?.frame).toBe(400);
  });
});
